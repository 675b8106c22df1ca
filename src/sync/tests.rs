//! Sync scenarios on memory stores (the logic goes through the store traits only): first bundle,
//! replay, edits and deletions, gaps, late and damaged bundles, conflicts at both ends,
//! completions and metadata carried, status.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use dxf2_metadata::import::{ImportParams, Session, Status};

use super::*;
use crate::engine::Superuser;
use crate::metadata_store::StoredCatalogue;
use crate::model::Uid;
use crate::store::{
    Completion, DataValueKey, DataValueStore, DataValueStoreExt, Existing, Journal, MemoryStore,
    StoredValue,
};

/// The example's malaria metadata (data set MalariaMth1, Kasungu's health centres).
const MALARIA: &str = include_str!("../../examples/data/malaria-metadata.json");

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, hour, 0, 0).unwrap()
}

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

/// Imports a metadata package into `store` as `dxf2 metadata import` does.
fn metadata(store: &mut MemoryStore, json: &str) {
    let doc = crate::metadata::read_json_str(json).unwrap().document;
    let mut stored = StoredCatalogue::load(store).unwrap();
    let result = {
        let view = stored.view(store);
        let mut session = Session::new(&view, ImportParams::default());
        session.import(&doc).unwrap();
        session.finish()
    };
    assert_eq!(result.report.status, Status::Ok, "{:?}", result.report);
    stored.apply(store, result.changes).unwrap();
}

fn malaria_store() -> MemoryStore {
    let mut store = MemoryStore::new();
    metadata(&mut store, MALARIA);
    store
}

fn key(de: &str, coc: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(de),
        period: "202404".parse().unwrap(),
        org_unit: uid("KaHealthC01"),
        category_option_combo: uid(coc),
        attribute_option_combo: uid("HllvX50cXC0"),
    }
}

const RDT: &str = "MalRdtTest1";
const CONF: &str = "MalConfCase";
const DEFAULT: &str = "HllvX50cXC0";
const FEMALE: &str = "FemaleCoc01";

/// Writes a value (or a soft deletion) at `at`, as an entry in the store's own data entry.
fn put(store: &mut MemoryStore, k: DataValueKey, value: &str, deleted: bool, at: DateTime<Utc>) {
    let mut row = StoredValue::empty(k, at);
    let existing = store.get(&k, &mut row).unwrap();
    row.value = Some(value.to_owned());
    row.deleted = deleted;
    row.last_updated = at;
    row.stored_by = Some("nurse".to_owned());
    store.begin().unwrap();
    if existing == Existing::None {
        store.insert(&row).unwrap();
    } else {
        store.update(&row).unwrap();
    }
    store.commit().unwrap();
}

fn read(store: &mut MemoryStore, k: DataValueKey) -> Option<(Option<String>, bool)> {
    let mut row = StoredValue::empty(k, t(1, 0));
    match store.get(&k, &mut row).unwrap() {
        Existing::None => None,
        _ => Some((row.value, row.deleted)),
    }
}

fn bundle_of(store: &mut MemoryStore, to: &str, at: DateTime<Utc>) -> Vec<u8> {
    let export = export(store, &ExportOptions::new(to, at)).unwrap();
    let bytes = export.bytes().to_vec();
    export.record(store).unwrap();
    bytes
}

fn apply(store: &mut MemoryStore, bytes: &[u8], allow_gap: bool) -> Result<SyncImport, Error> {
    let bundle = Bundle::read(bytes)?;
    let mut options = ImportOptions::new(t(20, 0));
    options.allow_gap = allow_gap;
    import(
        store,
        &bundle,
        &options,
        &Superuser::default(),
        &mut |outcome| {
            let mut job = crate::store::Job::new(crate::store::JobKind::Data, t(20, 0));
            job.parameters = vec!["sync".into(), "import".into()];
            job.notes = outcome.notes.clone();
            Some(job)
        },
    )
}

#[test]
fn first_bundle_replay_then_edits_and_deletions() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "40", false, t(2, 8));
    put(&mut facility, key(CONF, FEMALE), "7", false, t(2, 8));

    let first = bundle_of(&mut facility, "district", t(2, 9));
    let bundle = Bundle::read(&first).unwrap();
    let m = bundle.manifest();
    assert_eq!((m.sequence, m.destination.as_str()), (1, "district"));
    assert_eq!(m.counts.data_values, 2);
    assert_eq!(m.changes.after, 0);
    assert!(
        m.counts.metadata_objects > 0,
        "the first bundle carries the metadata"
    );
    assert_eq!(m.deletions, "deleted-flag");

    let done = apply(&mut district, &first, false).unwrap();
    assert_eq!(done.applied, Applied::Imported);
    let summary = done.summary.as_ref().unwrap();
    assert_eq!(summary.import_count.imported, 2, "{summary:?}");
    assert!(done.conflicts.is_empty());
    assert_eq!(done.job, Some(1));
    assert!(
        done.notes.is_empty(),
        "same metadata at both ends: {:?}",
        done.notes
    );
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("40".into()), false))
    );

    // The same bundle again: nothing changes, and it says so.
    let before = district.last_change().unwrap();
    let again = apply(&mut district, &first, false).unwrap();
    assert!(matches!(again.applied, Applied::Replay { .. }));
    assert!(
        again.notes[0].contains("changes nothing"),
        "{:?}",
        again.notes
    );
    assert_eq!(district.last_change().unwrap(), before);
    assert_eq!(
        district.job(2).unwrap().unwrap().same_input_as,
        Vec::<u64>::new()
    );

    // An edit and a deletion at the facility: the second bundle carries only them.
    put(&mut facility, key(RDT, DEFAULT), "41", false, t(3, 8));
    put(&mut facility, key(CONF, FEMALE), "7", true, t(3, 8));
    let second = bundle_of(&mut facility, "district", t(3, 9));
    let m = Bundle::read(&second).unwrap().manifest().clone();
    assert_eq!((m.sequence, m.counts.data_values), (2, 2));
    assert_eq!(m.counts.deleted_data_values, 1);
    assert_eq!(m.counts.metadata_objects, 0, "no metadata changed");
    assert!(m.entry(METADATA_ENTRY).is_none());
    let done = apply(&mut district, &second, false).unwrap();
    let c = done.summary.unwrap().import_count;
    assert_eq!((c.updated, c.deleted), (1, 1));
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("41".into()), false))
    );
    assert_eq!(
        read(&mut district, key(CONF, FEMALE)).map(|r| r.1),
        Some(true)
    );

    let s = status(&mut district).unwrap();
    assert_eq!(s.peers.len(), 1);
    assert_eq!(s.peers[0].direction, Direction::Received);
    assert_eq!(s.peers[0].sequence, 2);
    assert_eq!(s.peers[0].peer, facility.store_id().unwrap());
    let s = status(&mut facility).unwrap();
    assert_eq!(
        (s.peers[0].peer.as_str(), s.peers[0].sequence),
        ("district", 2)
    );
}

#[test]
fn gaps_are_refused_unless_allowed_and_late_bundles_always() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "1", false, t(2, 8));
    let first = bundle_of(&mut facility, "district", t(2, 9));
    put(&mut facility, key(RDT, DEFAULT), "2", false, t(3, 8));
    let second = bundle_of(&mut facility, "district", t(3, 9));
    put(&mut facility, key(RDT, DEFAULT), "3", false, t(4, 8));
    let third = bundle_of(&mut facility, "district", t(4, 9));

    apply(&mut district, &first, false).unwrap();
    let e = apply(&mut district, &third, false).unwrap_err();
    assert!(e.is_refusal());
    let text = e.to_string();
    assert!(text.contains("bundle 2 is missing"), "{text}");
    assert!(text.contains("bundle 3 from"), "{text}");
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("1".into()), false))
    );

    let done = apply(&mut district, &third, true).unwrap();
    assert_eq!(done.missing, [2]);
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("3".into()), false))
    );
    let e = apply(&mut district, &second, false).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Late {
                sequence: 2,
                last: 3,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(status(&mut district).unwrap().peers[0].missing, [2]);
}

#[test]
fn a_value_changed_at_both_ends_keeps_the_newer_and_is_reported() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "10", false, t(2, 8));
    put(&mut facility, key(CONF, FEMALE), "5", false, t(2, 8));
    let first = bundle_of(&mut facility, "district", t(2, 9));
    apply(&mut district, &first, false).unwrap();

    // RDT: the facility edits on the 3rd, the district corrects it on the 5th (district wins).
    // CONF: the district edits on the 3rd, the facility on the 4th (facility wins).
    put(&mut facility, key(RDT, DEFAULT), "11", false, t(3, 8));
    put(&mut district, key(RDT, DEFAULT), "12", false, t(5, 8));
    put(&mut district, key(CONF, FEMALE), "6", false, t(3, 8));
    put(&mut facility, key(CONF, FEMALE), "4", false, t(4, 8));
    let second = bundle_of(&mut facility, "district", t(6, 9));
    let done = apply(&mut district, &second, false).unwrap();
    assert_eq!(done.conflicts.len(), 2, "{:?}", done.conflicts);
    let rdt = done
        .conflicts
        .iter()
        .find(|c| c.data_element == RDT)
        .unwrap();
    assert_eq!(rdt.winner, Winner::District);
    assert_eq!(rdt.facility.value.as_deref(), Some("11"));
    assert_eq!(rdt.district.value.as_deref(), Some("12"));
    assert!(
        rdt.to_string().contains("district's value (newer) is kept"),
        "{rdt}"
    );
    let conf = done
        .conflicts
        .iter()
        .find(|c| c.data_element == CONF)
        .unwrap();
    assert_eq!(conf.winner, Winner::Facility);
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("12".into()), false))
    );
    assert_eq!(
        read(&mut district, key(CONF, FEMALE)),
        Some((Some("4".into()), false))
    );
    // DHIS2's summary counts the values applied only.
    let c = done.summary.unwrap().import_count;
    assert_eq!((c.imported, c.updated, c.ignored), (0, 1, 0));

    // An edit at the district after the last exchange, not touched by the facility: no
    // conflict, and a value the district changed and the facility did not is not in the bundle.
    put(&mut district, key(RDT, DEFAULT), "13", false, t(7, 8));
    put(&mut facility, key(CONF, FEMALE), "9", false, t(7, 9));
    let third = bundle_of(&mut facility, "district", t(8, 9));
    let done = apply(&mut district, &third, false).unwrap();
    assert!(done.conflicts.is_empty(), "{:?}", done.conflicts);
    assert_eq!(
        read(&mut district, key(RDT, DEFAULT)),
        Some((Some("13".into()), false))
    );
}

#[test]
fn a_changed_byte_is_refused_and_so_is_a_store_s_own_bundle() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "10", false, t(2, 8));
    let bytes = bundle_of(&mut facility, "district", t(2, 9));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let (start, len) = {
        let f = zip.by_name(DATA_ENTRY).unwrap();
        (
            f.data_start().unwrap() as usize,
            f.compressed_size() as usize,
        )
    };
    let mut damaged = bytes.clone();
    damaged[start + len / 2] ^= 0x01;
    let e = apply(&mut district, &damaged, false).unwrap_err();
    assert!(matches!(e, Error::Damaged(_)), "{e}");
    assert!(e.is_refusal());
    assert_eq!(read(&mut district, key(RDT, DEFAULT)), None);
    assert_eq!(district.last_change().unwrap(), 0);

    let e = apply(&mut facility, &bytes, false).unwrap_err();
    assert!(matches!(e, Error::OwnBundle(_)), "{e}");
    assert!(matches!(
        Bundle::read(b"PK not a zip"),
        Err(Error::NotABundle(_))
    ));
}

#[test]
fn completions_and_new_metadata_travel_and_metadata_is_applied_first() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    let first = bundle_of(&mut facility, "district", t(2, 9));
    apply(&mut district, &first, false).unwrap();

    // A new data element at the facility, a value of it, and a completion.
    metadata(
        &mut facility,
        r#"{"dataElements": [{"id": "MalDeaths01", "name": "Malaria deaths",
            "shortName": "Malaria deaths", "valueType": "INTEGER_ZERO_OR_POSITIVE",
            "domainType": "AGGREGATE", "aggregationType": "SUM"}]}"#,
    );
    put(
        &mut facility,
        key("MalDeaths01", DEFAULT),
        "2",
        false,
        t(3, 8),
    );
    let completion = Completion {
        data_set: uid("MalariaMth1"),
        period: "202404".parse().unwrap(),
        org_unit: uid("KaHealthC01"),
        attribute_option_combo: uid(DEFAULT),
        date: NaiveDate::from_ymd_opt(2024, 5, 3).unwrap(),
        stored_by: "nurse".into(),
        last_updated: t(3, 8),
        completed: true,
    };
    facility.begin().unwrap();
    facility.set_completion(&completion).unwrap();
    facility.commit().unwrap();

    let second = bundle_of(&mut facility, "district", t(3, 9));
    let bundle = Bundle::read(&second).unwrap();
    // The new data element (and what the metadata import adopted along with it).
    assert!(bundle.manifest().counts.metadata_objects >= 1);
    assert_eq!(bundle.manifest().counts.completions, 1);
    let package: serde_json::Value =
        serde_json::from_slice(bundle.entry(METADATA_ENTRY).unwrap()).unwrap();
    assert_eq!(package["dataElements"][0]["id"], "MalDeaths01");
    let registrations: serde_json::Value =
        serde_json::from_slice(bundle.entry(COMPLETIONS_ENTRY).unwrap()).unwrap();
    assert_eq!(
        registrations["completeDataSetRegistrations"][0]["organisationUnit"],
        "KaHealthC01"
    );

    let done = apply(&mut district, &second, false).unwrap();
    let md = done.metadata.as_ref().unwrap();
    assert_eq!(md.report.stats.created, 1, "{:?}", md.report);
    assert_eq!(done.summary.as_ref().unwrap().import_count.imported, 1);
    assert_eq!(done.completions.applied, 1);
    assert_eq!(
        read(&mut district, key("MalDeaths01", DEFAULT)),
        Some((Some("2".into()), false))
    );
    let stored = district
        .completion(
            &completion.data_set,
            &completion.period,
            &completion.org_unit,
            &completion.attribute_option_combo,
        )
        .unwrap()
        .unwrap();
    assert_eq!(stored, completion);
}

#[test]
fn a_dry_run_writes_only_its_job() {
    let mut facility = malaria_store();
    let mut district = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "10", false, t(2, 8));
    let bytes = bundle_of(&mut facility, "district", t(2, 9));
    let bundle = Bundle::read(&bytes).unwrap();
    let mut options = ImportOptions::new(t(20, 0));
    options.data.dry_run = true;
    let done = import(
        &mut district,
        &bundle,
        &options,
        &Superuser::default(),
        &mut |_| {
            let mut job = crate::store::Job::new(crate::store::JobKind::Data, t(20, 0));
            job.dry_run = true;
            Some(job)
        },
    )
    .unwrap();
    assert_eq!(done.summary.unwrap().import_count.imported, 1);
    assert_eq!(read(&mut district, key(RDT, DEFAULT)), None);
    assert!(status(&mut district).unwrap().peers.is_empty());
    assert!(district.job(1).unwrap().unwrap().dry_run);
    // Then for real.
    assert_eq!(
        apply(&mut district, &bytes, false).unwrap().applied,
        Applied::Imported
    );
}

#[test]
fn an_export_not_recorded_is_made_again_and_destinations_are_checked() {
    let mut facility = malaria_store();
    put(&mut facility, key(RDT, DEFAULT), "10", false, t(2, 8));
    let lost = export(&mut facility, &ExportOptions::new("district", t(2, 9))).unwrap();
    let again = export(&mut facility, &ExportOptions::new("district", t(2, 10))).unwrap();
    assert_eq!(lost.manifest().sequence, again.manifest().sequence);
    again.record(&mut facility).unwrap();
    assert!(
        lost.record(&mut facility).is_err(),
        "a stale bundle is not recorded"
    );
    let other = export(&mut facility, &ExportOptions::new("region", t(2, 11))).unwrap();
    assert_eq!(other.manifest().sequence, 1, "numbered per destination");
    assert!(matches!(
        export(&mut facility, &ExportOptions::new("a/b", t(2, 9))),
        Err(Error::Destination(_))
    ));
    // Nothing changed since: an empty bundle with the next number.
    let empty = export(
        &mut facility,
        &ExportOptions::new("district", t(2, 12) + Duration::hours(1)),
    )
    .unwrap();
    assert_eq!(
        (
            empty.manifest().sequence,
            empty.manifest().counts.data_values
        ),
        (2, 0)
    );
}
