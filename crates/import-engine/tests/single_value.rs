//! DHIS2 2.36–2.42's `/api/dataValues` rules through the library, one test per rule, against
//! `tests/fixtures/offline-entry.json`. The expected codes and messages are DHIS2's
//! (`DataValueController`, `DataValidator`, `InputUtils` and `ErrorCode` on branch 2.42 of
//! dhis2/dhis2-core).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::File;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use dxf2_model::{Metadata, Period, Uid};
use import_engine::file_resource::{FileResource, RECORD_KIND};
use import_engine::single_value::{
    DataValues, NewFile, Saved, ValueChange, ValueError, ValueParams,
};
use import_engine::store::{AuditType, DataValueKey, DataValueStore};
use import_engine::{AccessPolicy, MemoryStore, Superuser, SystemSettings, UserAccess};

fn metadata() -> Metadata {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/offline-entry.json");
    let mut md = dxf2_json::metadata::read_metadata(File::open(path).unwrap()).unwrap();
    md.finish().unwrap();
    md
}

/// 15 March 2024: the latest open period of the monthly data sets is 202402.
fn march() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 15, 12, 0, 0).unwrap()
}

fn key(de: &str, pe: &str) -> ValueParams {
    ValueParams::new(de, pe, "ouClinicA01")
}

fn refused(result: Result<impl std::fmt::Debug, ValueError>) -> String {
    result.unwrap_err().to_string()
}

fn store_key(de: &str, pe: &str, coc: &str, aoc: &str) -> DataValueKey {
    let uid = |s: &str| Uid::parse(s).unwrap();
    DataValueKey {
        data_element: uid(de),
        period: pe.parse::<Period>().unwrap(),
        org_unit: uid("ouClinicA01"),
        category_option_combo: uid(coc),
        attribute_option_combo: uid(aoc),
    }
}

struct Fixture {
    md: Metadata,
    admin: Superuser,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            md: metadata(),
            admin: Superuser::default(),
        }
    }

    fn api(&self) -> DataValues<'_> {
        DataValues::new(&self.md, &self.admin).with_now(march())
    }

    fn as_user<'a>(&'a self, access: &'a dyn AccessPolicy) -> DataValues<'a> {
        DataValues::new(&self.md, access).with_now(march())
    }

    fn clerk(&self) -> UserAccess<'_> {
        UserAccess::by_username(&self.md, "clerk").unwrap()
    }
}

#[test]
fn the_default_option_combos_when_co_cc_and_cp_are_left_out() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let k = key("deNote00001", "202402");
    let out = f
        .api()
        .set(&mut store, &k, &ValueChange::value(" seen "))
        .unwrap();
    assert_eq!(out.saved, Saved::Created);
    let row = out.row.unwrap();
    assert_eq!(
        row.key,
        store_key("deNote00001", "202402", "HllvX50cXC0", "HllvX50cXC0")
    );
    assert_eq!(row.value.as_deref(), Some("seen"), "trimmed");
    assert_eq!(row.stored_by.as_deref(), Some("admin"));
}

#[test]
fn an_unknown_option_combo_is_e1103_and_a_required_one_e2018() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let k = ValueParams {
        category_option_combo: Some("nowhere0001".into()),
        ..key("deCases0001", "202402")
    };
    assert_eq!(
        refused(f.api().set(&mut store, &k, &ValueChange::value("3"))),
        "E1103 Category option combo not found or not accessible: `nowhere0001`"
    );
    let settings = SystemSettings {
        require_category_option_combo: true,
        ..SystemSettings::default()
    };
    let strict = f.api().with_settings(settings);
    assert_eq!(
        refused(strict.set(
            &mut store,
            &key("deCases0001", "202402"),
            &ValueChange::value("3")
        )),
        "E2018 Category option combo is required but not specified"
    );
    // Reading never requires it.
    assert_eq!(
        refused(strict.get(&mut store, &key("deCases0001", "202402"))),
        "Data value does not exist"
    );
}

#[test]
fn cc_and_cp_only_together() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    for (cc, cp) in [(Some("fundCombo01"), None), (None, Some("fundDonorA1"))] {
        let k = ValueParams {
            attribute_combo: cc.map(Into::into),
            attribute_options: cp.map(Into::into),
            ..key("deNote00001", "202402")
        };
        assert_eq!(
            refused(f.api().set(&mut store, &k, &ValueChange::value("x"))),
            "E2040 Both category combination and category options must be specified"
        );
        assert_eq!(
            refused(f.api().get(&mut store, &k)),
            "E2040 Both category combination and category options must be specified"
        );
    }
}

#[test]
fn cc_and_cp_resolve_to_the_attribute_option_combo() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let k = ValueParams {
        attribute_combo: Some("fundCombo01".into()),
        attribute_options: Some("fundDonorA1".into()),
        ..key("deNote00001", "202402")
    };
    let row = f
        .api()
        .set(&mut store, &k, &ValueChange::value("a"))
        .unwrap()
        .row
        .unwrap();
    assert_eq!(row.key.attribute_option_combo.as_str(), "aocDonorA01");
    assert_eq!(
        f.api().get(&mut store, &k).unwrap().value.as_deref(),
        Some("a")
    );
    // The default key is another value.
    assert!(f
        .api()
        .get(&mut store, &key("deNote00001", "202402"))
        .is_err());

    let with = |cc: &str, cp: &str| ValueParams {
        attribute_combo: Some(cc.into()),
        attribute_options: Some(cp.into()),
        ..key("deNote00001", "202402")
    };
    assert_eq!(
        refused(f.api().get(&mut store, &with("nowhere0001", "fundDonorA1"))),
        "E1110 Category combo not found or not accessible: `nowhere0001`"
    );
    assert_eq!(
        refused(
            f.api()
                .get(&mut store, &with("fundCombo01", "fundDonorA1;nowhere0001"))
        ),
        "E1111 Category option not found or not accessible: `nowhere0001`"
    );
    // An option of another combo: no option combo of the category combo holds it.
    assert_eq!(
        refused(f.api().get(&mut store, &with("fundCombo01", "sexMale0001"))),
        "E2041 Attribute option combo does not exist for given category combo and category options"
    );
}

#[test]
fn follow_up_is_toggled_by_any_follow_up_given() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let k = key("deNote00001", "202402");
    let follow = |b: bool| ValueChange {
        follow_up: Some(b),
        ..ValueChange::default()
    };
    let api = f.api();
    let first = ValueChange {
        follow_up: Some(true),
        ..ValueChange::value("x")
    };
    assert!(
        api.set(&mut store, &k, &first)
            .unwrap()
            .row
            .unwrap()
            .followup,
        "a new value takes it"
    );
    // DHIS2 toggles the stored flag whatever is sent.
    assert!(
        !api.set(&mut store, &k, &follow(true))
            .unwrap()
            .row
            .unwrap()
            .followup
    );
    assert!(
        api.set(&mut store, &k, &follow(false))
            .unwrap()
            .row
            .unwrap()
            .followup
    );
    // Without one, it stays.
    let row = api
        .set(&mut store, &k, &ValueChange::value("y"))
        .unwrap()
        .row
        .unwrap();
    assert!(row.followup);
    assert_eq!(row.value.as_deref(), Some("y"));
}

#[test]
fn locked_periods_are_e2017_unless_a_lock_exception_or_a_superuser() {
    let f = Fixture::new();
    let clerk = f.clerk();
    let mut store = MemoryStore::new();
    let k = key("deLocked001", "202401");
    let api = f.as_user(&clerk);
    assert_eq!(
        refused(api.set(&mut store, &k, &ValueChange::value("4"))),
        "E2017 Data set is locked"
    );
    let with_ds = ValueParams {
        data_set: Some("dsLocked001".into()),
        ..k.clone()
    };
    assert_eq!(
        refused(api.set(&mut store, &with_ds, &ValueChange::value("4"))),
        "E2017 Data set is locked"
    );
    // Forcing is for superusers only.
    let forced = ValueChange {
        force: true,
        ..ValueChange::value("4")
    };
    assert_eq!(
        refused(api.set(&mut store, &k, &forced)),
        "E2017 Data set is locked"
    );
    // 5 March: 202402 ended 29 February, 10 expiry days: still open.
    let early = f
        .as_user(&clerk)
        .with_now(Utc.with_ymd_and_hms(2024, 3, 5, 0, 0, 0).unwrap());
    early
        .set(
            &mut store,
            &key("deLocked001", "202402"),
            &ValueChange::value("1"),
        )
        .unwrap();
    // A lock exception opens it.
    let period: Period = "202401".parse().unwrap();
    let ds = Uid::parse("dsLocked001").unwrap();
    let ou = Uid::parse("ouClinicA01").unwrap();
    store.add_lock_exception(&ds, &period, &ou).unwrap();
    assert_eq!(
        api.set(&mut store, &k, &ValueChange::value("4"))
            .unwrap()
            .saved,
        Saved::Created
    );
    assert_eq!(
        api.delete(&mut store, &k, false)
            .unwrap()
            .row
            .value
            .as_deref(),
        Some("4")
    );
    // A superuser holds F_EDIT_EXPIRED: never locked.
    let other = key("deLocked001", "202312");
    f.api()
        .set(&mut store, &other, &ValueChange::value("2"))
        .unwrap();
    assert_eq!(
        refused(api.delete(&mut store, &other, false)),
        "E2017 Data set is locked"
    );
}

#[test]
fn invalid_ids_are_refused_with_dhis2s_messages() {
    let f = Fixture::new();
    let clerk = f.clerk();
    let mut store = MemoryStore::new();
    let api = f.api();
    let v = ValueChange::value("1");
    let cases = [
        (
            key("nowhere0001", "202402"),
            "E1100 Data element not found or not accessible: `nowhere0001`",
        ),
        (
            key("deNote00001", "202413"),
            "E1101 Period is invalid: `202413`",
        ),
        (
            ValueParams::new("deNote00001", "202402", "nowhere0001"),
            "E1102 Organisation unit not found or not accessible: `nowhere0001`",
        ),
        (
            ValueParams {
                data_set: Some("nowhere0001".into()),
                ..key("deNote00001", "202402")
            },
            "E1105 Data set not found or not accessible: `nowhere0001`",
        ),
        (
            ValueParams {
                data_set: Some("dsLocked001".into()),
                ..key("deNote00001", "202402")
            },
            "E2021 Data set: `dsLocked001` does not contain data element: `deNote00001`",
        ),
    ];
    for (k, message) in cases {
        assert_eq!(refused(api.set(&mut store, &k, &v)), message);
    }
    let outside = ValueParams::new("deNote00001", "202402", "ouOther0001");
    assert_eq!(
        refused(f.as_user(&clerk).set(&mut store, &outside, &v)),
        "E2020 Organisation unit is not in the hierarchy of the current user: `ouOther0001`"
    );
    let closed = ValueParams::new("deNote00001", "202101", "ouClosed001");
    assert_eq!(
        refused(api.set(&mut store, &closed, &v)),
        "E2019 Organisation unit is closed for the selected period: `ouClosed001`"
    );
    assert_eq!(store.last_change().unwrap(), 0, "nothing was written");
}

#[test]
fn values_comments_and_options_are_checked_as_dhis2_does() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    assert_eq!(
        refused(api.set(
            &mut store,
            &key("deCases0001", "202402"),
            &ValueChange::value("3.5")
        )),
        "E2030 Data value must match data element value type: `INTEGER`"
    );
    assert_eq!(
        refused(api.set(
            &mut store,
            &key("deResult001", "202402"),
            &ValueChange::value("MAYBE")
        )),
        "E2029 Data value is not a valid option of the data element option set: `deResult001`"
    );
    let long = ValueChange {
        comment: Some("c".repeat(50_001)),
        ..ValueChange::value("x")
    };
    assert_eq!(
        refused(api.set(&mut store, &key("deNote00001", "202402"), &long)),
        "E2028 Comment is invalid: `comment_length_greater_than_max_length`"
    );
    // Booleans are normalised first.
    let row = api
        .set(
            &mut store,
            &key("deStock0001", "202402"),
            &ValueChange::value("T"),
        )
        .unwrap()
        .row
        .unwrap();
    assert_eq!(row.value.as_deref(), Some("true"));
}

#[test]
fn periods_must_be_open() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let v = ValueChange::value("1");
    assert_eq!(
        refused(api.set(&mut store, &key("deCases0001", "202403"), &v)),
        "E2022 Period: `202403` is after latest open future period: `202402` for data element: `deCases0001`"
    );
    assert!(
        api.set(&mut store, &key("deFuture001", "202405"), &v)
            .is_ok(),
        "3 open future periods"
    );
    assert_eq!(
        refused(api.set(&mut store, &key("deInput0001", "202001"), &v)),
        "E2025 Period: `202001` is not open for data set: `dsInput0001`"
    );
    let with_ds = ValueParams {
        data_set: Some("dsInput0001".into()),
        ..key("deInput0001", "202001")
    };
    assert_eq!(
        refused(api.delete(&mut store, &with_ds, false)),
        "E2025 Period: `202001` is not open for data set: `dsInput0001`"
    );
}

#[test]
fn attribute_options_dates_and_sharing() {
    let f = Fixture::new();
    let clerk = f.clerk();
    let mut store = MemoryStore::new();
    let donor = |cp: &str, pe: &str| ValueParams {
        attribute_combo: Some("fundCombo01".into()),
        attribute_options: Some(cp.into()),
        ..key("deNote00001", pe)
    };
    let v = ValueChange::value("x");
    assert_eq!(
        refused(f.api().set(&mut store, &donor("fundDonorA1", "202312"), &v)),
        "E2023 Period: `202312` is before start date: 2024-01-01 for attribute option: `fundDonorA1`"
    );
    let september = f
        .api()
        .with_now(Utc.with_ymd_and_hms(2024, 9, 15, 0, 0, 0).unwrap());
    assert_eq!(
        refused(september.set(&mut store, &donor("fundDonorA1", "202407"), &v)),
        "E2024 Period: `202407` is after start date: 2024-06-30 for attribute option: `fundDonorA1`"
    );
    // Donor B's sharing grants data read only (`r-------`): no data write, no data read.
    let api = f.as_user(&clerk);
    assert_eq!(
        refused(api.set(&mut store, &donor("fundDonorB1", "202402"), &v)),
        "E2031 User does not have write access to category option combo: `aocDonorB01 [User has no data write access for CategoryOption: fundDonorB1]`"
    );
    f.api()
        .set(&mut store, &donor("fundDonorB1", "202402"), &v)
        .unwrap();
    let e = api
        .get(&mut store, &donor("fundDonorB1", "202402"))
        .unwrap_err();
    let r = e.refusal().unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message,
        "[User has no data read access for CategoryOption: fundDonorB1]"
    );
}

#[test]
fn missing_values_cannot_be_read_or_deleted() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let k = key("deNote00001", "202402");
    let e = f.api().get(&mut store, &k).unwrap_err();
    assert_eq!(e.to_string(), "Data value does not exist");
    assert_eq!(e.refusal().unwrap().status, 409);
    assert_eq!(
        refused(f.api().delete(&mut store, &k, false)),
        "Data value cannot be deleted because it does not exist"
    );
}

#[test]
fn emptied_values_are_deleted_and_deleted_values_revived() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let k = key("deNote00001", "202402");
    let nothing = api.set(&mut store, &k, &ValueChange::default()).unwrap();
    assert_eq!(nothing.saved, Saved::NothingToStore);
    api.set(&mut store, &k, &ValueChange::value("first"))
        .unwrap();
    // A comment alone keeps the value.
    let comment = ValueChange {
        comment: Some("checked".into()),
        ..ValueChange::default()
    };
    let row = api.set(&mut store, &k, &comment).unwrap().row.unwrap();
    assert_eq!(
        (row.value.as_deref(), row.comment.as_deref()),
        (Some("first"), Some("checked"))
    );
    // An empty value clears it; the comment stays.
    let row = api
        .set(&mut store, &k, &ValueChange::value(""))
        .unwrap()
        .row
        .unwrap();
    assert_eq!((row.value, row.comment.as_deref()), (None, Some("checked")));
    // Clearing the comment too deletes the value.
    let cleared = ValueChange {
        comment: Some(String::new()),
        ..ValueChange::default()
    };
    assert_eq!(
        api.set(&mut store, &k, &cleared).unwrap().saved,
        Saved::Deleted
    );
    assert!(api.get(&mut store, &k).is_err());
    // Saving again revives the soft-deleted row, keeping its creation time.
    let created = {
        let mut row = import_engine::store::StoredValue::empty(
            store_key("deNote00001", "202402", "HllvX50cXC0", "HllvX50cXC0"),
            march(),
        );
        import_engine::store::DataValueStoreExt::get(&mut store, &row.key.clone(), &mut row)
            .unwrap();
        row.created
    };
    let later = api.with_now(Utc.with_ymd_and_hms(2024, 3, 20, 0, 0, 0).unwrap());
    let out = later
        .set(&mut store, &k, &ValueChange::value("again"))
        .unwrap();
    assert_eq!(out.saved, Saved::Restored);
    assert_eq!(out.row.unwrap().created, created);
    let audits: Vec<AuditType> = store
        .audits(&store_key(
            "deNote00001",
            "202402",
            "HllvX50cXC0",
            "HllvX50cXC0",
        ))
        .unwrap()
        .iter()
        .map(|a| a.audit_type)
        .collect();
    assert_eq!(
        audits,
        [AuditType::Update, AuditType::Delete, AuditType::Create],
        "the cleared value, the deletion, the revival"
    );
}

#[test]
fn true_only_values_saved_with_nothing_are_deleted_and_insignificant_zeros_dropped() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let k = key("deTested001", "202402");
    api.set(&mut store, &k, &ValueChange::value("true"))
        .unwrap();
    assert_eq!(
        api.set(&mut store, &k, &ValueChange::default())
            .unwrap()
            .saved,
        Saved::Deleted
    );
    let cases = ValueParams {
        category_option_combo: Some("cocFemale01".into()),
        ..key("deCases0001", "202402")
    };
    assert_eq!(
        api.set(&mut store, &cases, &ValueChange::value("0"))
            .unwrap()
            .saved,
        Saved::InsignificantZero
    );
    api.set(&mut store, &cases, &ValueChange::value("7"))
        .unwrap();
    assert_eq!(
        api.set(&mut store, &cases, &ValueChange::value("0"))
            .unwrap()
            .saved,
        Saved::Deleted
    );
}

#[test]
fn file_values_round_trip_one_to_one() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let k = key("deReport001", "202402");
    let file = NewFile {
        name: "report.pdf",
        content_type: "application/pdf",
        bytes: b"%PDF-1.4 signed report",
    };
    let out = api
        .set_file(&mut store, &k, &file, &ValueChange::default())
        .unwrap();
    let resource = out.file.unwrap();
    assert!(resource.assigned);
    assert_eq!(
        resource.file_resource_owner.as_deref(),
        Some("deReport001-HllvX50cXC0-HllvX50cXC0-202402-ouClinicA01")
    );
    // The value is the file resource's UID.
    assert_eq!(
        out.row.unwrap().value.as_deref(),
        Some(resource.uid.as_str())
    );
    let (read, bytes) = api.file(&mut store, &k).unwrap();
    assert_eq!(
        (read.name.as_str(), bytes.as_slice()),
        ("report.pdf", file.bytes)
    );

    // Another key cannot take the same file resource.
    let other = key("deReport001", "202401");
    assert_eq!(
        refused(api.set(
            &mut store,
            &other,
            &ValueChange::value(resource.uid.as_str())
        )),
        "E2026 File resource already assigned or linked to a data value"
    );
    let e = api
        .set(&mut store, &other, &ValueChange::value("abcdefghijk"))
        .unwrap_err();
    assert_eq!(e.refusal().unwrap().status, 404);
    assert_eq!(
        e.to_string(),
        "FileResource with id abcdefghijk could not be found."
    );

    // A new file replaces the old one, which goes.
    let second = NewFile {
        name: "report-v2.pdf",
        content_type: "application/pdf",
        bytes: b"%PDF-1.4 v2",
    };
    let out = api
        .set_file(&mut store, &k, &second, &ValueChange::default())
        .unwrap();
    assert_eq!(out.saved, Saved::Updated);
    assert_eq!(out.deleted_files, [resource.uid]);
    assert_eq!(
        store.record(RECORD_KIND, resource.uid.as_str()).unwrap(),
        None
    );
    let uid = out.file.unwrap().uid;

    // Deleting the value deletes its file.
    let deleted = api.delete(&mut store, &k, false).unwrap();
    assert_eq!(deleted.deleted_file, Some(uid));
    assert_eq!(store.record(RECORD_KIND, uid.as_str()).unwrap(), None);
    assert_eq!(
        refused(api.file(&mut store, &k)),
        "Data value does not exist"
    );
}

#[test]
fn saving_a_file_value_without_a_value_deletes_its_file() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let k = key("dePhoto0001", "202402");
    let png = NewFile {
        name: "register.png",
        content_type: "image/png",
        bytes: b"\x89PNG\r\n",
    };
    let uid = api
        .set_file(&mut store, &k, &png, &ValueChange::default())
        .unwrap()
        .file
        .unwrap()
        .uid;
    let comment = ValueChange {
        comment: Some("photo removed".into()),
        ..ValueChange::default()
    };
    let out = api.set(&mut store, &k, &comment).unwrap();
    assert_eq!(out.deleted_files, [uid]);
    // DHIS2 sets the value to the empty string (the comment keeps the row).
    let row = out.row.unwrap();
    assert_eq!(
        (row.value.as_deref(), row.comment.as_deref()),
        (Some(""), Some("photo removed"))
    );
    assert_eq!(store.record(RECORD_KIND, uid.as_str()).unwrap(), None);
}

#[test]
fn files_need_a_file_element_and_a_failed_save_stores_no_file() {
    let f = Fixture::new();
    let mut store = MemoryStore::new();
    let api = f.api();
    let file = NewFile {
        name: "a.txt",
        content_type: "text/plain",
        bytes: b"a",
    };
    assert_eq!(
        refused(api.set_file(
            &mut store,
            &key("deNote00001", "202402"),
            &file,
            &ValueChange::default()
        )),
        "DataElement must be of type file"
    );
    assert_eq!(
        refused(api.file(&mut store, &key("deNote00001", "202402"))),
        "DataElement must be of type file"
    );
    // A refused save (a future period) leaves no file resource behind.
    assert!(api
        .set_file(
            &mut store,
            &key("deReport001", "202412"),
            &file,
            &ValueChange::default()
        )
        .is_err());
    let mut records = 0;
    store
        .records(RECORD_KIND, &mut |_, _| {
            records += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(records, 0);
    // A damaged record is reported, not trusted.
    let k = key("deReport001", "202402");
    let uid = api
        .set_file(&mut store, &k, &file, &ValueChange::default())
        .unwrap()
        .file
        .unwrap()
        .uid;
    let body = store.record(RECORD_KIND, uid.as_str()).unwrap().unwrap();
    // The bytes are `a`; the record is changed to say `b` without its MD5.
    assert!(FileResource::from_record(&uid, &body).is_ok());
    let tampered = body.replace("\"YQ==\"", "\"Yg==\"");
    store
        .put_record(RECORD_KIND, uid.as_str(), &tampered)
        .unwrap();
    assert!(refused(api.file(&mut store, &k)).contains("does not match its length and MD5"));
}
