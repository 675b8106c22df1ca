//! The engine's value-note tests (line, column and string of each value in conflict) against
//! the SQLite store.
//!
//! The tests are the engine's own, unchanged (`import-engine/tests/scenarios/positions.rs`,
//! which `import-engine` runs against `MemoryStore`): only the store differs, a new SQLite file
//! per `fresh_store()` (`common/store.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("../../import-engine/tests/scenarios/positions.rs");
