//! What the 2.43+ scenario bodies (`tests/scenarios/pipeline_*.rs`) share: fixture M and its
//! variations, the pipeline options, running a payload into a fresh store, and the assertions of
//! DHIS2's 2.43 tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

use std::fmt::Write as _;

use dxf2_model::metadata::{CategoryOption, DataSet, Identity, User};
use dxf2_model::{
    ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile, Metadata,
};
use import_engine::DataValueStore;

use super::import::{codes, counts, fixture, import_file, import_source, uid, Source};
use super::scenarios::{payload, DE_A, DS_A, OU_A, OU_B};
use super::store::{fresh_store, TestStore};

/// Fixture M's tests run as the admin superuser.
pub const ADMIN: Option<&str> = Some("admin");
/// Data element D of fixture M.
pub const DE_D: &str = "deabcdefghD";
/// Org unit C of fixture M (outside data set A's sources and the clerk's units).
pub const OU_C: &str = "j7Hg26FpoIa";

/// DHIS2's `new ImportOptions()` (CREATE_AND_UPDATE) with the 2.43+ profile.
pub fn pipeline() -> ImportOptions {
    let mut o = ImportOptions::default();
    o.strategy = ImportStrategy::CreateAndUpdate;
    o.profile = ImporterProfile::Pipeline;
    o
}

/// Fixture M (`tests/fixtures/fixture_m.json`).
pub fn fixture_m() -> Metadata {
    fixture("fixture_m.json")
}

/// Imports the corpus payload `name` into a fresh store with `md` as the admin (`None` when the
/// corpus is absent).
pub fn run_with(
    md: &Metadata,
    name: &str,
    options: &ImportOptions,
) -> Option<(ImportSummary, TestStore)> {
    let path = payload(name)?;
    let mut store = fresh_store();
    let s = import_file(md, ADMIN, &path, options, &mut store);
    Some((s, store))
}

/// [`run_with`] on fixture M.
pub fn run(name: &str, options: &ImportOptions) -> Option<(ImportSummary, Metadata, TestStore)> {
    let md = fixture_m();
    let (s, store) = run_with(&md, name, options)?;
    Some((s, md, store))
}

/// Imports an inline XML document with the pipeline reader.
pub fn import_xml(
    md: &Metadata,
    user: Option<&str>,
    xml: &str,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    let leaked: &'static str = Box::leak(xml.to_owned().into_boxed_str());
    let reader = dxf2_xml::Reader::with_profile(leaked.as_bytes(), options.profile).unwrap();
    import_source(md, user, &mut Source::Bytes(reader), options, store).summary
}

/// DHIS2's `assertImported(updated, ignored[, deleted])`: imported 0 and status not ERROR.
pub fn assert_imported(s: &ImportSummary, updated: u64, ignored: u64) {
    assert_ne!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(counts(s), (0, updated, 0, ignored), "{s:#?}");
}

/// Status SUCCESS with no conflict or rejection, `updated` values written, the 2.43+ profile.
pub fn assert_clean(s: &ImportSummary, updated: u64) {
    assert_eq!(s.status, ImportStatus::Success, "{s:#?}");
    assert!(s.conflicts.is_empty(), "{s:#?}");
    assert!(s.rejected_indexes.is_empty());
    assert_imported(s, updated, 0);
    assert_eq!(s.profile, Some(ImporterProfile::Pipeline));
    assert_eq!(s.description, None);
}

/// A group-level failure: status ERROR, one conflict of `code` with `message`, every index of
/// the group rejected, nothing counted.
pub fn assert_group_error(s: &ImportSummary, code: &str, message: &str, indexes: &[i64]) {
    assert_eq!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(codes(s), [(code.to_owned(), indexes.to_vec())], "{s:#?}");
    let c = &s.conflicts[0];
    assert_eq!(c.value, message);
    assert_eq!(c.object, None);
    assert_eq!(c.property, None);
    assert_eq!(c.objects.len(), 1);
    assert_eq!(c.objects[0].0, "args");
    assert_eq!(s.rejected_indexes, indexes);
    assert_eq!(counts(s), (0, 0, 0, 0));
}

/// A decoding failure: status ERROR, counts 0, one conflict at index -1, nothing rejected.
pub fn assert_decode_error(s: &ImportSummary, code: &str, message: &str) {
    assert_eq!(s.status, ImportStatus::Error, "{s:#?}");
    assert_eq!(codes(s), [(code.to_owned(), vec![-1])], "{s:#?}");
    assert_eq!(s.conflicts[0].value, message);
    assert!(s.rejected_indexes.is_empty());
    assert_eq!(counts(s), (0, 0, 0, 0));
    assert_eq!(s.data_set_complete, None);
}

/// The 12 values of data value set B (C24/M24), with the given identifiers.
pub fn b_values_xml(des: [&str; 3], ous: [&str; 2]) -> String {
    let mut xml = String::from(r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">"#);
    let mut value = 10001;
    for de in des {
        for pe in ["201201", "201202"] {
            for ou in ous {
                write!(
                    xml,
                    r#"<dataValue dataElement="{de}" period="{pe}" orgUnit="{ou}" value="{value}" comment="comment" followUp="false"/>"#
                )
                .unwrap();
                value += 1;
            }
        }
    }
    xml.push_str("</dataValueSet>");
    xml
}

/// Fixture M plus a second data set (`dsBbbbbbb01`) holding data element A.
pub fn two_data_sets() -> Metadata {
    let mut md = fixture_m();
    let mut ds_b = md.data_set(&uid(DS_A)).unwrap().clone();
    ds_b.id = Identity::new(uid("dsBbbbbbb01"));
    ds_b.elements.retain(|e| e.data_element == uid(DE_A));
    md.add_data_set(ds_b);
    md
}

/// Fixture M with a user who is not a superuser: data capture units ouA and ouB, data write on
/// data set A (and on nothing else unless `share_options`).
pub fn with_clerk(share_options: bool) -> Metadata {
    let mut md = fixture_m();
    md.add_user(User {
        id: Identity::new(uid("uSerBbbbb01")),
        username: "clerk".into(),
        org_units: vec![uid(OU_A), uid(OU_B)],
        data_view_org_units: Vec::new(),
        authorities: vec!["F_DATAVALUE_ADD".into()],
        user_groups: Vec::new(),
    });
    assert!(md.update::<DataSet>(&uid(DS_A), |ds| {
        ds.sharing.public = Some("rwrw----".into());
    }));
    if share_options {
        md.update_all::<CategoryOption>(|o| o.sharing.public = Some("rwrw----".into()));
    }
    md
}
