//! The engine's 2.43+ scenarios M19–M50 (`datavalueset-scenarios.md` §4), their classic
//! cross-checks and the `docs/profiles.md` table, against the SQLite store.
//!
//! The tests are the engine's own, unchanged
//! (`import-engine/tests/scenarios/pipeline_scenarios.rs`, which `import-engine` runs against
//! `MemoryStore`): only the store differs, a new SQLite file per `fresh_store()`
//! (`common/store.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("../../import-engine/tests/scenarios/pipeline_scenarios.rs");
