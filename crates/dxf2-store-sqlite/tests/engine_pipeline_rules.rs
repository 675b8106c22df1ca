//! The engine's further 2.43+ rules (spec §2.2, §3.7, §4.9, §5.5, §5.6) against the SQLite
//! store.
//!
//! The tests are the engine's own, unchanged (`import-engine/tests/scenarios/pipeline_rules.rs`,
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

include!("../../import-engine/tests/scenarios/pipeline_rules.rs");
