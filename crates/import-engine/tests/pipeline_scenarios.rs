//! The DHIS2 2.43+ ("new pipeline") scenarios M19–M50 of `datavalueset-scenarios.md` §4: each
//! corpus payload imported with `ImporterProfile::Pipeline` against fixture M as the admin
//! superuser, with DHIS2's asserted (and derived) outcome; cross-checks that the same payloads
//! keep their classic answers under the classic profile; and the generated comparison table
//! `docs/profiles.md`. Further 2.43+ rules are in `pipeline_rules.rs`, the 2.43+ input forms in
//! `pipeline_forms.rs`.
//!
//! The tests are in `scenarios/pipeline_scenarios.rs`, run here against `MemoryStore` and by the
//! store crates against their stores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;

include!("scenarios/pipeline_scenarios.rs");
