//! Test support: the PostgreSQL server the tests use (`DXF2_TEST_POSTGRES`), a fresh schema per
//! store, and the conformance suite's harness.
//!
//! Without `DXF2_TEST_POSTGRES` the tests skip, saying so, except under `CI=true`, where they
//! fail: CI starts a server (`.ci/postgres.sh`), so a missing one is a broken set-up.

#![allow(dead_code)]

pub mod engine;

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dxf2_store::conformance::Harness;
use dxf2_store_postgres::{OpenOptions, PostgresStore};

/// How long a second writer waits in the tests before it is refused as busy.
pub const TEST_LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// The test server's URL, or `None` (after a note) when the tests are to be skipped.
///
/// # Panics
///
/// Under `CI=true` without `DXF2_TEST_POSTGRES`.
pub fn server_url() -> Option<String> {
    match std::env::var("DXF2_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "DXF2_TEST_POSTGRES is not set, and CI=true: CI must run the PostgreSQL tests \
             (`.ci/run` sources `.ci/postgres.sh`, which starts a server and sets it)"
        ),
        _ => {
            // Written past the test harness's capture, once per test binary, so that a run
            // without a server says what it skipped.
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL tests skipped: DXF2_TEST_POSTGRES is not set (for a \
                     throwaway server: `source .ci/postgres.sh`; see the README)"
                );
            });
            None
        }
    }
}

/// A schema name no other test (or test run) uses.
pub fn fresh_schema_name(tag: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("t_{tag}_{}_{n}_{nanos}", std::process::id())
}

/// Options for a store in `schema` with the tests' lock timeout.
pub fn options(schema: &str) -> OpenOptions {
    OpenOptions::new()
        .schema(schema)
        .lock_timeout(TEST_LOCK_TIMEOUT)
}

/// A schema dropped when the value is (also when a test panics).
pub struct TestSchema {
    pub url: String,
    pub name: String,
}

impl TestSchema {
    /// A new, unused schema name on the test server (`None`: skip the test).
    pub fn new(tag: &str) -> Option<TestSchema> {
        Some(TestSchema {
            url: server_url()?,
            name: fresh_schema_name(tag),
        })
    }

    /// Creates the store in the schema.
    pub fn create(&self) -> PostgresStore {
        PostgresStore::open_with(&self.url, &options(&self.name).create(true))
            .unwrap_or_else(|e| panic!("cannot create a store in {}: {e}", self.name))
    }

    /// Opens the existing store.
    pub fn open(&self) -> PostgresStore {
        PostgresStore::open_with(&self.url, &options(&self.name))
            .unwrap_or_else(|e| panic!("cannot open the store in {}: {e}", self.name))
    }

    /// Opens the existing store read-only.
    pub fn open_read_only(&self) -> PostgresStore {
        PostgresStore::open_with(&self.url, &options(&self.name).read_only(true))
            .unwrap_or_else(|e| panic!("cannot open the store in {}: {e}", self.name))
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        if let Err(e) = PostgresStore::drop_schema(&self.url, &self.name) {
            eprintln!("cannot drop the test schema {}: {e}", self.name);
        }
    }
}

/// The conformance suite's harness: a schema per fresh store, dropped with the harness.
pub struct PgHarness {
    url: String,
    schemas: Vec<TestSchema>,
}

impl PgHarness {
    /// `None` (after a note) when there is no test server.
    pub fn new() -> Option<PgHarness> {
        Some(PgHarness {
            url: server_url()?,
            schemas: Vec::new(),
        })
    }
}

impl Harness for PgHarness {
    type Store = PostgresStore;

    fn fresh(&mut self) -> PostgresStore {
        let schema = TestSchema {
            url: self.url.clone(),
            name: fresh_schema_name("conf"),
        };
        let store = schema.create();
        self.schemas.push(schema);
        store
    }

    fn reopen(&mut self, store: PostgresStore) -> PostgresStore {
        let schema = store.schema().to_owned();
        drop(store);
        PostgresStore::open_with(&self.url, &options(&schema))
            .unwrap_or_else(|e| panic!("cannot reopen the store in {schema}: {e}"))
    }

    fn second_handle(&mut self, store: &PostgresStore) -> Option<PostgresStore> {
        Some(
            PostgresStore::open_with(&self.url, &options(store.schema()))
                .unwrap_or_else(|e| panic!("cannot open a second handle: {e}")),
        )
    }
}
