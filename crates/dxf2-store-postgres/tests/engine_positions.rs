//! The engine's value-note tests (line, column and string of each value in conflict) against
//! the PostgreSQL store.
//!
//! The tests are the engine's own, unchanged (`import-engine/tests/scenarios/positions.rs`,
//! which `import-engine` runs against `MemoryStore`): only the store differs, a new schema per
//! `fresh_store()` on the test server (`common/store.rs`; skipped without `DXF2_TEST_POSTGRES`,
//! failing under `CI=true`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;
mod support;

include!("../../import-engine/tests/scenarios/positions.rs");
