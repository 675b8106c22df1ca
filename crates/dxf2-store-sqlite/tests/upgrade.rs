//! Stores of schema versions 1 and 2 (text keys, every metadata object as JSON), built with the
//! old schema's own SQL (`tests/fixtures/schema_v2.sql`): opened for writing, they are upgraded
//! to the current version with every row, audit, completion, lock exception and metadata object
//! kept; opened read-only, they say how to upgrade them; a failed upgrade changes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{TimeZone, Utc};
use dxf2_model::{Period, Uid};
use dxf2_store::{
    AuditType, DataValueKey, DataValueStore, DataValueStoreExt, Existing, MetadataStore,
    ObjectStore, StoreError, StoredValue, ValueQuery,
};
use dxf2_store_sqlite::{SqliteStore, SCHEMA_VERSION};
use rusqlite::Connection;

const DEFAULT: &str = "HllvX50cXC0";
const DE_A: &str = "deAAAAAAAAA";
const DS_A: &str = "dsAAAAAAAAA";
const ROOT: &str = "ouRootAAAAA";
const F1: &str = "ouFac1AAAAA";
const F2: &str = "ouFac2AAAAA";

/// A fresh file name in the test scratch directory; the file and its WAL files are removed when
/// this is dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("upgrade");
        std::fs::create_dir_all(&dir).unwrap();
        let path = TempPath(dir.join(format!("{name}-{}-{n}.sqlite", std::process::id())));
        path.remove();
        path
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl AsRef<Path> for TempPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        self.remove();
    }
}

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn key(period: &str, ou: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(DE_A),
        period: period.parse::<Period>().unwrap(),
        org_unit: uid(ou),
        category_option_combo: uid(DEFAULT),
        attribute_option_combo: uid(DEFAULT),
    }
}

/// A store as schema version `version` (1 or 2) wrote it: a root with two facilities, one data
/// element, the default option combo, a data set (as JSON); three values (one soft-deleted),
/// an audit, a completion and a lock exception; five transactions done.
fn old_store(path: &TempPath, version: i64) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(include_str!("fixtures/schema_v2.sql"))
        .unwrap();
    conn.execute_batch(&format!(
        r#"
        PRAGMA journal_mode = WAL;
        UPDATE store_state SET last_txn = 5;
        INSERT INTO metadata_object (kind, uid, json) VALUES
          ('organisationUnits', '{F1}', '{{"id":"{F1}","name":"Facility 1","parent":"{ROOT}","openingDate":"2019-01-01","closedDate":null}}'),
          ('organisationUnits', '{ROOT}', '{{"id":"{ROOT}","code":"ROOT","parent":null,"openingDate":null,"closedDate":null,"attributeValues":[{{"attribute":"atAAAAAAAAA","value":"x"}}]}}'),
          ('organisationUnits', '{F2}', '{{"id":"{F2}","parent":"{ROOT}","openingDate":null,"closedDate":null}}'),
          ('dataElements', '{DE_A}', '{{"id":"{DE_A}","name":"Cases","valueType":"INTEGER","aggregationType":"SUM","domainType":"AGGREGATE","zeroIsSignificant":false,"categoryCombo":"bjDvmb4bfuf","optionSet":null,"commentOptionSet":null,"sharing":{{"public":"rwrw----","users":[],"userGroups":[]}}}}'),
          ('categoryOptionCombos', '{DEFAULT}', '{{"id":"{DEFAULT}","name":"default","categoryCombo":"bjDvmb4bfuf","categoryOptions":["xYerKDKCefk"],"ignoreApproval":false}}'),
          ('dataSets', '{DS_A}', '{{"id":"{DS_A}","periodType":"Monthly","dataSetElements":[{{"dataElement":"{DE_A}","categoryCombo":null}}],"organisationUnits":["{F1}","{F2}"],"categoryCombo":"bjDvmb4bfuf","expiryDays":0,"openFuturePeriods":0,"openPeriodsAfterCoEndDate":0,"dataInputPeriods":[],"noValueRequiresComment":false,"workflow":null,"sharing":{{"public":"rwrw----","users":[],"userGroups":[]}}}}');
        INSERT INTO datavalue VALUES
          ('{DE_A}', '202001', 'Monthly', '2020-01-01', '2020-01-31', '{F1}', '{DEFAULT}', '{DEFAULT}',
           '7', 'checked', 'admin', '2020-02-01T10:00:00.123Z', '2020-02-02T10:00:00.456Z', 1, 0, 3),
          ('{DE_A}', '202001', 'Monthly', '2020-01-01', '2020-01-31', '{F2}', '{DEFAULT}', '{DEFAULT}',
           '8', NULL, 'admin', '2020-02-01T10:00:00.000Z', '2020-02-01T10:00:00.000Z', 0, 1, 4),
          ('{DE_A}', '202002', 'Monthly', '2020-02-01', '2020-02-29', '{F1}', '{DEFAULT}', '{DEFAULT}',
           NULL, NULL, NULL, '2020-03-01T10:00:00.000Z', '2020-03-01T10:00:00.000Z', 0, 0, 5);
        INSERT INTO datavalueaudit (dataelement, period, orgunit, categoryoptioncombo,
            attributeoptioncombo, previousvalue, modifiedby, created, audittype) VALUES
          ('{DE_A}', '202001', '{F1}', '{DEFAULT}', '{DEFAULT}', '6', 'admin',
           '2020-02-02T10:00:00.456Z', 'UPDATE');
        INSERT INTO completedatasetregistration VALUES
          ('{DS_A}', '202001', '{F1}', '{DEFAULT}', '2020-02-03', 'admin', '2020-02-03T09:00:00.000Z', 1);
        INSERT INTO lockexception VALUES ('{DS_A}', '202001', '{F2}');
        "#
    ))
    .unwrap();
    if version == 1 {
        conn.execute_batch(&format!(
            "CREATE TABLE orgunit_path (uid TEXT PRIMARY KEY, path TEXT NOT NULL) WITHOUT ROWID;
             INSERT INTO orgunit_path VALUES ('{ROOT}', '/{ROOT}'), ('{F1}', '/{ROOT}/{F1}');
             UPDATE schema_version SET version = 1;"
        ))
        .unwrap();
    }
}

fn version(path: &TempPath) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap()
}

fn table_exists(path: &TempPath, name: &str) -> bool {
    let conn = Connection::open(path).unwrap();
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        > 0
}

/// Everything the old store held is there after the upgrade.
fn assert_upgraded(path: &TempPath) {
    assert_eq!(version(path), SCHEMA_VERSION);
    assert!(!table_exists(path, "orgunit_path"));
    assert!(!table_exists(path, "old_datavalue"));
    let mut s = SqliteStore::open_read_only(path).unwrap();
    s.integrity_check().unwrap();
    assert_eq!(s.value_count().unwrap(), 3);

    let at = |m: u32, d: u32, millis: i64| {
        Utc.with_ymd_and_hms(2020, m, d, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(millis)
    };
    let mut read = StoredValue::empty(key("202001", F1), at(1, 1, 0));
    assert_eq!(
        s.get(&key("202001", F1), &mut read).unwrap(),
        Existing::Stored
    );
    let mut expected = StoredValue::empty(key("202001", F1), at(2, 1, 123));
    expected.value = Some("7".into());
    expected.comment = Some("checked".into());
    expected.stored_by = Some("admin".into());
    expected.last_updated = at(2, 2, 456);
    expected.followup = true;
    assert_eq!(read, expected);
    assert_eq!(
        s.get(&key("202001", F2), &mut read).unwrap(),
        Existing::Stored
    );
    assert!(read.deleted);
    assert_eq!(
        s.get(&key("202002", F1), &mut read).unwrap(),
        Existing::Stored
    );
    assert_eq!(read.value, None);

    let audits = s.audits(&key("202001", F1)).unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].previous_value.as_deref(), Some("6"));
    assert_eq!(audits[0].audit_type, AuditType::Update);
    assert_eq!(audits[0].created, at(2, 2, 456));
    let completion = s
        .completion(
            &uid(DS_A),
            &"202001".parse().unwrap(),
            &uid(F1),
            &uid(DEFAULT),
        )
        .unwrap()
        .unwrap();
    assert!(completion.completed);
    assert_eq!(completion.date.to_string(), "2020-02-03");
    assert!(s
        .has_lock_exception(&uid(DS_A), &"202001".parse().unwrap(), &uid(F2))
        .unwrap());

    let md = s.load_metadata().unwrap();
    assert_eq!(md.org_units().len(), 3);
    assert!(md.is_org_unit_within(&uid(F1), &uid(ROOT)));
    assert_eq!(
        md.org_unit(&uid(F1))
            .unwrap()
            .opening_date
            .unwrap()
            .to_string(),
        "2019-01-01"
    );
    let root = md.org_unit(&uid(ROOT)).unwrap();
    assert_eq!(root.id.code.as_deref(), Some("ROOT"));
    assert_eq!(root.id.attribute_value("atAAAAAAAAA"), Some("x"));
    let de = md.data_element(&uid(DE_A)).unwrap();
    assert_eq!(de.id.name.as_deref(), Some("Cases"));
    assert_eq!(de.sharing.public.as_deref(), Some("rwrw----"));
    assert_eq!(md.data_set(&uid(DS_A)).unwrap().org_units.len(), 2);
    let coc = md.category_option_combo(&uid(DEFAULT)).unwrap();
    assert_eq!(coc.options, vec![uid("xYerKDKCefk")]);

    // The copied rows are "changed" by change 1; the store has an id.
    assert_eq!(s.last_change().unwrap(), 1);
    let mut changed = 0;
    let q = ValueQuery {
        data_elements: vec![uid(DE_A)],
        include_deleted: true,
        changed_since: Some(0),
        ..ValueQuery::default()
    };
    s.query(&q, &mut |_| {
        changed += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(changed, 3);
    let mut completions = 0;
    s.changed_completions(0, &mut |_| {
        completions += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(completions, 1);
    assert_eq!(s.store_id().unwrap().len(), 32);
    drop(s);

    // Transaction numbers go on from the old store's: its rows are not "inserted in this
    // transaction".
    let mut s = SqliteStore::open(path).unwrap();
    s.begin().unwrap();
    assert_eq!(
        s.get(&key("202002", F1), &mut read).unwrap(),
        Existing::Stored
    );
    s.rollback().unwrap();
}

#[test]
fn a_store_of_schema_version_2_is_upgraded_when_opened_for_writing() {
    let path = TempPath::new("v2");
    old_store(&path, 2);

    // Read-only, it is not read: it says how to upgrade it.
    let mut reader = SqliteStore::open_read_only(&path).unwrap();
    let err = reader.load_metadata().unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("schema version 2"), "{message}");
    assert!(message.contains("open it once read-write"), "{message}");
    let mut read = StoredValue::empty(key("202001", F1), Utc::now());
    assert!(reader.get(&key("202001", F1), &mut read).is_err());
    drop(reader);
    assert_eq!(version(&path), 2);

    drop(SqliteStore::open(&path).unwrap());
    assert_upgraded(&path);
}

#[test]
fn a_store_of_schema_version_1_is_upgraded_too() {
    let path = TempPath::new("v1");
    old_store(&path, 1);
    assert!(table_exists(&path, "orgunit_path"));
    drop(SqliteStore::open(&path).unwrap());
    assert_upgraded(&path);
}

#[test]
fn a_failed_upgrade_leaves_the_store_as_it_was() {
    let path = TempPath::new("bad");
    old_store(&path, 2);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE datavalue SET orgunit = 'not a uid' WHERE period = '202002'",
            [],
        )
        .unwrap();
    }
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("from schema version 2") && message.contains("not a uid"),
        "{message}"
    );
    assert_eq!(version(&path), 2);
    assert!(table_exists(&path, "datavalue") && !table_exists(&path, "old_datavalue"));
    assert!(!table_exists(&path, "period"));
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM datavalue", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
}

#[test]
fn a_store_of_a_newer_version_is_refused() {
    let path = TempPath::new("newer");
    drop(SqliteStore::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE schema_version SET version = ?1",
            [SCHEMA_VERSION + 1],
        )
        .unwrap();
    }
    for read_only in [false, true] {
        let err = if read_only {
            SqliteStore::open_read_only(&path).unwrap_err()
        } else {
            SqliteStore::open(&path).unwrap_err()
        };
        assert!(matches!(err, StoreError::Incompatible(_)), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("schema version {}", SCHEMA_VERSION + 1))
                && message.contains("newer dxf2"),
            "{message}"
        );
    }
}

#[test]
fn a_store_of_schema_version_3_gets_the_dhis2_object_table() {
    let path = TempPath::new("v3");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        let mut typed = dxf2_model::Metadata::new();
        typed.add_org_unit(dxf2_model::metadata::OrganisationUnit::new(
            dxf2_model::metadata::Identity::new(uid(ROOT)),
            None,
        ));
        s.save_metadata(&typed).unwrap();
    }
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("DROP TABLE dhis2_object; UPDATE schema_version SET version = 3;")
            .unwrap();
    }
    let mut reader = SqliteStore::open_read_only(&path).unwrap();
    let err = reader.for_each_object(&mut |_| Ok(())).unwrap_err();
    assert!(err.to_string().contains("schema version 3"), "{err}");
    drop(reader);

    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(version(&path), SCHEMA_VERSION);
    assert!(table_exists(&path, "dhis2_object"));
    let mut objects = 0;
    s.for_each_object(&mut |_| {
        objects += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(objects, 0, "no DHIS2 objects yet");
    assert_eq!(
        s.load_metadata().unwrap().org_units().len(),
        1,
        "the typed metadata is kept"
    );
}
