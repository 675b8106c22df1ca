//! The conformance suite (feature `testing`): the behaviour every store passes, written once
//! against [`DataValueStore`] and [`MetadataStore`], and run by
//! [`MemoryStore`](crate::MemoryStore)'s tests, the SQLite and PostgreSQL stores' tests and a
//! host's own store's tests alike.
//!
//! # Running it against a store
//!
//! 1. Depend on this crate with the feature, for tests only:
//!    `[dev-dependencies] dxf2-store = { workspace = true, features = ["testing"] }`.
//! 2. Write a [`Harness`]: how to make a fresh, empty store (its own file, database or schema:
//!    the cases run in parallel threads), how to close a store and open it again, and, for a
//!    store that several connections can share, how to open a second handle on it.
//! 3. In `tests/conformance.rs`, call [`conformance_tests!`](crate::conformance_tests) with an
//!    expression that makes the harness. It expands to one `#[test]` per case, named after the
//!    case, so `cargo test` lists every case and a failure names it.
//!
//! Each case is also a public function of this module, `case(&mut harness)`, that panics with a
//! message saying what differs. [`MemoryStore`](crate::MemoryStore) is the reference: what it
//! does is what the cases expect.
//!
//! ```
//! use dxf2_store::conformance::{self, Harness};
//! use dxf2_store::{DataValueStore, MemoryStore};
//!
//! /// How the suite gets stores. MemoryStore keeps nothing when closed, so "reopening" hands the
//! /// same store back, its open transaction (if any) ended as a closed store's would be.
//! struct MemoryHarness;
//!
//! impl Harness for MemoryHarness {
//!     type Store = MemoryStore;
//!
//!     fn fresh(&mut self) -> MemoryStore {
//!         MemoryStore::new()
//!     }
//!
//!     fn reopen(&mut self, mut store: MemoryStore) -> MemoryStore {
//!         let _ = store.rollback();
//!         store
//!     }
//!
//!     fn second_handle(&mut self, _store: &MemoryStore) -> Option<MemoryStore> {
//!         None
//!     }
//! }
//!
//! // In tests/conformance.rs: one #[test] per case.
//! dxf2_store::conformance_tests!(MemoryHarness);
//!
//! fn main() {
//!     // Or one case, by hand.
//!     conformance::lookup_tells_keys_apart_by_every_part(&mut MemoryHarness);
//! }
//! ```
//!
//! # What the cases check
//!
//! - transactions: misuse is [`StoreError::Misuse`](crate::StoreError::Misuse); a rollback
//!   undoes rows, audits, completions, lock exceptions, records, metadata and the change number;
//!   a commit keeps them; a refused batch is an error that a rollback undoes;
//! - `lookup`: only stored keys answer, at their index; "inserted in this transaction" vs
//!   "stored"; 25,000 keys at once; keys differing in one part; every period type; soft-deleted
//!   rows;
//! - `apply`: every field round-trips (inserts, updates, soft deletes, revivals, also after
//!   reopening); a batch mixing every kind of write; audits in order; completions replaced; lock
//!   exceptions exact;
//! - `query`: both orders with ties, `limit`, every filter alone and together, callback errors;
//! - change numbers, `changed_since`, `changed_completions`, the store id and records (put,
//!   read, listed, deleted, in and out of transactions);
//! - metadata: every kind and field round-trips, later saves add and replace, cycles are refused,
//!   saves follow transactions;
//! - DHIS2 objects ([`ObjectStore`]): exact JSON in the store's order, deletions, the typed
//!   metadata replaced with them, cycles refused changing nothing, transactions and reopening;
//! - several handles (when the harness gives them): writers are serialised (wait or
//!   [`StoreError::Busy`](crate::StoreError::Busy)), readers see committed rows only; committed
//!   data survives reopening and a dropped transaction leaves nothing.

// Test support: a case fails by panicking, as any test does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod apply;
mod concurrency;
mod fixtures;
mod journal;
mod lookup;
mod metadata;
mod numbering;
mod objects;
mod query;
mod registrations;
mod transactions;

pub use apply::{apply_round_trips_every_field, apply_writes_a_mixed_batch};
pub use concurrency::{
    committed_data_survives_reopen, dropped_transaction_leaves_the_store_as_before,
    reader_sees_only_committed_rows, second_writer_waits_or_is_refused,
};
pub use journal::journal_follows_transactions_and_survives_reopen;
pub use lookup::{
    lookup_answers_large_batches_at_the_right_indices, lookup_finds_soft_deleted_rows,
    lookup_keeps_every_period_type, lookup_reports_only_stored_keys,
    lookup_tells_inserted_in_this_transaction_from_stored, lookup_tells_keys_apart_by_every_part,
};
pub use metadata::{
    metadata_cycle_is_refused, metadata_follows_transactions, metadata_round_trips,
};
pub use numbering::{
    change_numbers_count_batches, change_numbers_survive_reopen,
    changed_completions_select_later_writes, changed_since_selects_later_writes,
    records_are_deleted, records_follow_transactions, records_round_trip,
    rollback_restores_the_change_number, store_ids_are_stable_and_distinct,
};
pub use objects::{
    objects_cycle_changes_nothing, objects_delete_and_typed_metadata_is_replaced,
    objects_follow_transactions, objects_round_trip_in_order,
};
pub use query::{
    query_combines_filters, query_filters_data_elements_and_periods, query_filters_date_range,
    query_filters_deleted_and_last_updated, query_filters_org_units_and_attribute_option_combos,
    query_limits_rows, query_orders_by_created, query_orders_by_key,
    query_stops_at_a_callback_error,
};
pub use registrations::{
    audits_keep_order_and_fields, completions_are_created_and_replaced, lock_exceptions_are_exact,
};
pub use transactions::{
    commit_keeps_every_kind_of_change, refused_batches_are_errors,
    rollback_undoes_lock_exceptions_records_and_metadata,
    rollback_undoes_rows_audits_and_completions, transaction_misuse_is_refused,
};

use crate::{DataValueStore, ObjectStore};

/// How the suite gets stores to test.
pub trait Harness {
    /// The store under test.
    type Store: DataValueStore + ObjectStore + Send + 'static;
    /// A new, empty store (its own file / database / schema: tests run in parallel threads).
    fn fresh(&mut self) -> Self::Store;
    /// Closes `store` and opens the same store again (a persistent store); MemoryStore returns it.
    ///
    /// `store` may have a transaction open: closing it ends the transaction without committing
    /// it (as a killed import leaves a persistent store), so a harness for a store that keeps
    /// nothing when closed rolls it back.
    fn reopen(&mut self, store: Self::Store) -> Self::Store;
    /// A second, independent handle (connection) on the same store, for the concurrency cases;
    /// `None` skips them (MemoryStore).
    fn second_handle(&mut self, store: &Self::Store) -> Option<Self::Store>;
}

/// Expands to one `#[test]` function per case of [`conformance`](crate::conformance), each
/// running the case against the harness that `$make` makes (evaluated once per test):
///
/// ```text
/// dxf2_store::conformance_tests!(SqliteHarness::new());
/// ```
///
/// (A complete example is in the [`conformance`](crate::conformance) module's documentation.)
#[macro_export]
macro_rules! conformance_tests {
    (@cases $make:expr; $($case:ident)*) => {
        $(
            #[test]
            fn $case() {
                let mut harness = $make;
                $crate::conformance::$case(&mut harness);
            }
        )*
    };
    ($make:expr) => {
        $crate::conformance_tests!(@cases $make;
            transaction_misuse_is_refused
            rollback_undoes_rows_audits_and_completions
            rollback_undoes_lock_exceptions_records_and_metadata
            commit_keeps_every_kind_of_change
            refused_batches_are_errors
            lookup_reports_only_stored_keys
            lookup_tells_inserted_in_this_transaction_from_stored
            lookup_answers_large_batches_at_the_right_indices
            lookup_tells_keys_apart_by_every_part
            lookup_keeps_every_period_type
            lookup_finds_soft_deleted_rows
            apply_round_trips_every_field
            apply_writes_a_mixed_batch
            audits_keep_order_and_fields
            completions_are_created_and_replaced
            lock_exceptions_are_exact
            query_orders_by_key
            query_orders_by_created
            query_limits_rows
            query_filters_data_elements_and_periods
            query_filters_date_range
            query_filters_org_units_and_attribute_option_combos
            query_filters_deleted_and_last_updated
            query_combines_filters
            query_stops_at_a_callback_error
            change_numbers_count_batches
            rollback_restores_the_change_number
            change_numbers_survive_reopen
            changed_since_selects_later_writes
            changed_completions_select_later_writes
            store_ids_are_stable_and_distinct
            records_round_trip
            records_follow_transactions
            records_are_deleted
            journal_follows_transactions_and_survives_reopen
            metadata_round_trips
            metadata_cycle_is_refused
            objects_round_trip_in_order
            objects_delete_and_typed_metadata_is_replaced
            objects_cycle_changes_nothing
            objects_follow_transactions
            metadata_follows_transactions
            second_writer_waits_or_is_refused
            reader_sees_only_committed_rows
            committed_data_survives_reopen
            dropped_transaction_leaves_the_store_as_before
        );
    };
}
