// One file: the classic rules of datavalueset-spec §4.3–§5.8 one by one, in the spec's order, on
// one fixture — a catalogue read top to bottom beside the spec; split, that order is lost.
// The body of the classic rules (included by `tests/classic_rules.rs` and by the store crates'
// `engine_classic_rules.rs`).

use common::import::*;
use common::store::*;
use dxf2_model::metadata::{CategoryOption, DataElement, DataSet};
use dxf2_model::{ImportOptions, ImportStatus, ImportStrategy, ImportSummary, Metadata};
use import_engine::store::AuditType;
use import_engine::{DataValueStore, Failure, ImportOutcome};

const DE_A: &str = "f7n9E0hX8qk";
const OU_A: &str = "DiszpKrYNg8";
const DEF: &str = "HllvX50cXC0";

fn xml(values: &str) -> String {
    format!(r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">{values}</dataValueSet>"#)
}

fn dv(de: &str, pe: &str, attrs: &str) -> String {
    format!(r#"<dataValue dataElement="{de}" period="{pe}" orgUnit="{OU_A}" {attrs}/>"#)
}

struct World {
    md: Metadata,
    store: TestStore,
}

impl World {
    fn new() -> World {
        World {
            md: fixture("fixture_c.json"),
            store: fresh_store(),
        }
    }

    fn run(&mut self, mut source: Source, options: &ImportOptions) -> ImportOutcome {
        import_source(&self.md, None, &mut source, options, &mut self.store)
    }

    fn xml(&mut self, values: &str, options: &ImportOptions) -> ImportSummary {
        self.run(Source::xml(&xml(values)), options).summary
    }

    fn strategy(&mut self, values: &str, strategy: ImportStrategy) -> ImportSummary {
        let mut o = ImportOptions::default();
        o.strategy = strategy;
        self.xml(values, &o)
    }

    fn row(&mut self, pe: &str) -> Option<import_engine::store::StoredValue> {
        let k = key(DE_A, pe, OU_A, DEF, DEF);
        all_rows(&mut self.store, &self.md)
            .into_iter()
            .find(|r| r.key == k)
    }
}

fn one(code: &str, index: i64) -> Vec<(String, Vec<i64>)> {
    vec![(code.to_owned(), vec![index])]
}

// ---- §5.1 decision table ----

#[test]
fn update_changes_value_keeps_created_and_audits_previous_value() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="1" comment="c""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
    let created = w.row("201201").unwrap().created;
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="2" comment="c""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 1, 0, 0));
    let row = w.row("201201").unwrap();
    assert_eq!(row.value.as_deref(), Some("2"));
    assert_eq!(row.created, created);
    let audits = w.store.audits(&row.key).unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(
        (audits[0].audit_type, audits[0].previous_value.as_deref()),
        (AuditType::Update, Some("1"))
    );
}

#[test]
fn comment_or_followup_change_is_an_update_without_audit() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="1""#),
        &ImportOptions::default(),
    );
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="1" followUp="true""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 1, 0, 0));
    let row = w.row("201201").unwrap();
    assert!(row.followup);
    assert!(w.store.audits(&row.key).unwrap().is_empty());
}

#[test]
fn identical_reimport_is_ignored_and_not_rejected() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let v = dv(DE_A, "201201", r#"value="1" comment="c""#);
    w.xml(&v, &ImportOptions::default());
    let s = w.xml(&v, &ImportOptions::default());
    assert_eq!(s.status, ImportStatus::Success);
    assert_eq!(counts(&s), (0, 0, 0, 1));
    assert!(s.rejected_indexes.is_empty());
}

#[test]
fn null_value_over_existing_soft_deletes_with_audit() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    let mut o = ImportOptions::default();
    o.strategy = ImportStrategy::CreateAndUpdate;
    let s = w.xml(&dv(DE_A, "201201", r#"deleted="true""#), &o);
    assert_eq!(counts(&s), (0, 0, 1, 0));
    let row = w.row("201201").unwrap();
    assert!(row.deleted);
    assert!(stored(&mut w.store, &w.md).is_empty());
    let audits = w.store.audits(&row.key).unwrap();
    assert_eq!(
        (audits[0].audit_type, audits[0].previous_value.as_deref()),
        (AuditType::Delete, Some("5"))
    );
}

#[test]
fn delete_strategy_deletes_existing_and_rejects_missing() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    let s = w.strategy(
        &(dv(DE_A, "201201", "") + &dv(DE_A, "201202", r#"value="1""#)),
        ImportStrategy::Delete,
    );
    assert_eq!(counts(&s), (0, 0, 1, 1));
    assert_eq!(s.rejected_indexes, [1]);
    assert!(
        s.conflicts.is_empty(),
        "E7618 does not apply to delete strategies"
    );
    assert!(w.row("201201").unwrap().deleted);
}

#[test]
fn reimport_over_soft_deleted_row_counts_imported() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    w.strategy(&dv(DE_A, "201201", ""), ImportStrategy::Deletes);
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="6""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
    let row = w.row("201201").unwrap();
    assert!(!row.deleted);
    assert_eq!(row.value.as_deref(), Some("6"));
}

#[test]
fn deleted_flag_on_new_value_stores_a_deleted_row_and_counts_imported() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="5" deleted="true""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
    assert!(w.row("201201").unwrap().deleted);
    assert!(stored(&mut w.store, &w.md).is_empty());
}

#[test]
fn create_strategy_rejects_existing_values() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    let s = w.strategy(
        &(dv(DE_A, "201201", r#"value="6""#) + &dv(DE_A, "201202", r#"value="7""#)),
        ImportStrategy::Create,
    );
    assert_eq!(counts(&s), (1, 0, 0, 1));
    assert_eq!(s.rejected_indexes, [0]);
    assert_eq!(w.row("201201").unwrap().value.as_deref(), Some("5"));
}

#[test]
fn update_strategy_updates_existing_and_rejects_new() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    let s = w.strategy(
        &(dv(DE_A, "201201", r#"value="6""#) + &dv(DE_A, "201202", r#"value="7""#)),
        ImportStrategy::Update,
    );
    assert_eq!(counts(&s), (0, 1, 0, 1));
    assert_eq!(s.rejected_indexes, [1]);
}

#[test]
fn sync_ignores_every_value() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="5""#),
        &ImportOptions::default(),
    );
    let s = w.strategy(
        &(dv(DE_A, "201201", r#"value="6""#) + &dv(DE_A, "201202", r#"value="7""#)),
        ImportStrategy::Sync,
    );
    assert_eq!(counts(&s), (0, 0, 0, 2));
    assert_eq!(s.rejected_indexes, [0, 1]);
}

#[test]
fn payload_strategy_beats_the_request_option() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" importStrategy="UPDATES">"#
        .to_owned()
        + &dv(DE_A, "201201", r#"value="5""#)
        + "</dataValueSet>";
    let s = w.run(Source::xml(&text), &ImportOptions::default()).summary;
    assert_eq!(counts(&s), (0, 0, 0, 1));
}

#[test]
fn new_zero_is_dropped_from_every_count_and_zero_over_existing_deletes() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="0""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 0, 0, 0));
    assert!(s.rejected_indexes.is_empty());
    assert!(w.row("201201").is_none());
    w.xml(
        &dv(DE_A, "201201", r#"value="3""#),
        &ImportOptions::default(),
    );
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="0""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 0, 1, 0));
    assert!(w.row("201201").unwrap().deleted);
}

#[test]
fn decimal_zero_of_a_number_element_deletes_the_existing_value() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    assert!(w.md.update::<DataElement>(&uid(DE_A), |d| {
        d.value_type = dxf2_model::ValueType::Number;
    }));
    w.xml(
        &dv(DE_A, "201201", r#"value="3.5""#),
        &ImportOptions::default(),
    );
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="0.00""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 0, 1, 0));
    let s = w.xml(
        &dv(DE_A, "201202", r#"value="-0""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0), "-0 is not an insignificant zero");
}

#[test]
fn zero_is_kept_when_significant() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    assert!(w.md.update::<DataElement>(&uid(DE_A), |d| {
        d.zero_is_significant = true;
    }));
    let s = w.xml(
        &dv(DE_A, "201201", r#"value="0""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
}

#[test]
fn duplicate_keys_in_one_payload_first_insert_wins_silently() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &(dv(DE_A, "201201", r#"value="1""#) + &dv(DE_A, "201201", r#"value="2""#)),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
    assert!(s.conflicts.is_empty() && s.rejected_indexes.is_empty());
    assert_eq!(w.row("201201").unwrap().value.as_deref(), Some("1"));
}

#[test]
fn duplicate_keys_over_an_existing_row_last_wins() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="1""#),
        &ImportOptions::default(),
    );
    let s = w.xml(
        &(dv(DE_A, "201201", r#"value="2""#) + &dv(DE_A, "201201", r#"value="3""#)),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (0, 2, 0, 0));
    assert_eq!(w.row("201201").unwrap().value.as_deref(), Some("3"));
}

#[test]
fn dry_run_counts_duplicates_and_writes_nothing() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let mut o = ImportOptions::default();
    o.dry_run = true;
    let s = w.xml(
        &(dv(DE_A, "201201", r#"value="1""#) + &dv(DE_A, "201201", r#"value="2""#)),
        &o,
    );
    assert_eq!(counts(&s), (2, 0, 0, 0));
    assert!(all_rows(&mut w.store, &w.md).is_empty());
}

#[test]
fn skip_existing_check_with_update_rejects_everything() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="1""#),
        &ImportOptions::default(),
    );
    let mut o = ImportOptions::default();
    o.skip_existing_check = true;
    o.strategy = ImportStrategy::Updates;
    let s = w.xml(&dv(DE_A, "201201", r#"value="2""#), &o);
    assert_eq!(counts(&s), (0, 0, 0, 1));
    assert_eq!(s.rejected_indexes, [0]);
}

#[test]
fn comment_only_value_is_stored_with_null_value() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &dv(DE_A, "201201", r#"comment="no stock""#),
        &ImportOptions::default(),
    );
    assert_eq!(counts(&s), (1, 0, 0, 0));
    let row = w.row("201201").unwrap();
    assert_eq!(
        (row.value, row.comment.as_deref()),
        (None, Some("no stock"))
    );
}

#[test]
fn stored_by_defaults_to_the_importing_user() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.xml(
        &dv(DE_A, "201201", r#"value="1""#),
        &ImportOptions::default(),
    );
    w.xml(
        &dv(DE_A, "201202", r#"value="1" storedBy="john""#),
        &ImportOptions::default(),
    );
    assert_eq!(w.row("201201").unwrap().stored_by.as_deref(), Some("admin"));
    assert_eq!(w.row("201202").unwrap().stored_by.as_deref(), Some("john"));
}

// ---- CSV empty cells (§1.4.1) ----

#[test]
fn csv_empty_value_is_ignored_when_new_and_deletes_when_existing() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let o = ImportOptions::default();
    let csv = format!("h\n{DE_A},201201,{OU_A},,,,,,,,\n");
    let s = w.run(Source::csv(&csv, &o), &o).summary;
    assert_eq!(counts(&s), (0, 0, 0, 1));
    assert!(s.conflicts.is_empty() && s.rejected_indexes.is_empty());
    w.xml(&dv(DE_A, "201201", r#"value="4""#), &o);
    let s = w.run(Source::csv(&csv, &o), &o).summary;
    assert_eq!(counts(&s), (0, 0, 1, 0));
}

// ---- §4.3 per-value validations ----

#[test]
fn value_type_errors_name_the_translated_text_and_the_key() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &dv(DE_A, "201201", r#"value=" 10""#),
        &ImportOptions::default(),
    );
    assert_eq!(codes(&s), one("E7619", 0));
    assert_eq!(
        s.conflicts[0].value,
        "Value must match value type of data element `f7n9E0hX8qk`: `Data value is not an integer`"
    );
    assert_eq!(
        s.conflicts[0].objects[1],
        ("value".into(), Some("value_not_integer".into()))
    );
}

#[test]
fn period_errors() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &(dv(DE_A, "2012W54", r#"value="1""#) + &dv(DE_A, "201213", r#"value="1""#)),
        &ImportOptions::default(),
    );
    assert_eq!(
        codes(&s),
        vec![("E7611".into(), vec![0]), ("E7611".into(), vec![1])]
    );
    assert_eq!(s.conflicts[0].value, "Period not valid: `2012W54`");
}

#[test]
fn unknown_category_option_combo_and_attribute_option_combo() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w.xml(
        &(dv(
            DE_A,
            "201201",
            r#"value="1" categoryOptionCombo="nonEx1sting""#,
        ) + &dv(
            DE_A,
            "201202",
            r#"value="1" attributeOptionCombo="nonEx1sting""#,
        )),
        &ImportOptions::default(),
    );
    assert_eq!(
        codes(&s),
        vec![("E7613".into(), vec![0]), ("E7615".into(), vec![1])]
    );
}

#[test]
fn option_sharing_hides_combos_unless_the_cache_is_preheated() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.md.update_all::<CategoryOption>(|o| {
        if o.id.name.as_deref() == Some("CategoryOptionA") {
            o.sharing.users.clear();
        }
    });
    let v = dv(
        DE_A,
        "201201",
        r#"value="1" attributeOptionCombo="kjuiHgy67hg""#,
    );
    let mut source = Source::xml(&xml(&v));
    let s = import_source(
        &w.md,
        Some("userA"),
        &mut source,
        &ImportOptions::default(),
        &mut w.store,
    )
    .summary;
    assert_eq!(codes(&s), one("E7615", 0));
    let mut o = ImportOptions::default();
    o.preheat_cache = Some(true);
    let mut source = Source::xml(&xml(&v));
    let s = import_source(&w.md, Some("userA"), &mut source, &o, &mut w.store).summary;
    assert_eq!(codes(&s), one("E7616", 0));
    assert_eq!(
        s.conflicts[0].objects[0],
        ("categoryOptionCombo".into(), Some("kjuiHgy67hg".into()))
    );
}

#[test]
fn option_set_values_must_be_codes() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let os = w.md.option_sets()[0].id.uid;
    assert!(w.md.update::<DataElement>(&uid(DE_A), |d| {
        d.option_set = Some(os);
    }));
    let s = w.xml(
        &(dv(DE_A, "201201", r#"value="2""#) + &dv(DE_A, "201202", r#"value="7""#)),
        &ImportOptions::default(),
    );
    assert_eq!(codes(&s), one("E7621", 1));
    assert_eq!(counts(&s), (1, 0, 0, 1));
}

#[test]
fn comment_and_stored_by_length_limits() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let long_comment = "x".repeat(50_001);
    let long_user = "u".repeat(256);
    let s = w.xml(
        &(dv(
            DE_A,
            "201201",
            &format!(r#"value="1" comment="{long_comment}""#),
        ) + &dv(
            DE_A,
            "201202",
            &format!(r#"value="1" storedBy="{long_user}""#),
        )),
        &ImportOptions::default(),
    );
    assert_eq!(
        codes(&s),
        vec![("E7620".into(), vec![0]), ("E7637".into(), vec![1])]
    );
    assert_eq!(
        s.conflicts[0].value,
        "Invalid comment: Comment is greater than max length"
    );
    assert_eq!(
        s.conflicts[1].value,
        "Invalid storedBy: Stored by is greater than max length"
    );
}

#[test]
fn attribute_option_combo_org_unit_restriction() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.md.update_all::<CategoryOption>(|o| {
        if o.id.name.as_deref() == Some("CategoryOptionA") {
            o.org_units = vec![uid("BdfsJfj87js")];
        }
    });
    let s = w.xml(
        &dv(
            DE_A,
            "201201",
            r#"value="1" attributeOptionCombo="kjuiHgy67hg""#,
        ),
        &ImportOptions::default(),
    );
    assert_eq!(codes(&s), one("E7639", 0));
}

#[test]
fn data_input_periods_close_the_data_set() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let first = w.md.data_sets()[0].id.uid;
    w.md.update::<DataSet>(&first, |ds| {
        ds.data_input_periods = vec![dxf2_model::metadata::DataInputPeriod {
            period: "201202".parse().unwrap(),
            opening_date: None,
            closing_date: None,
        }];
    });
    let text = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX">"#
        .to_owned()
        + &dv(DE_A, "201201", r#"value="1""#)
        + &dv(DE_A, "201202", r#"value="1""#)
        + "</dataValueSet>";
    let s = w.run(Source::xml(&text), &ImportOptions::default()).summary;
    assert_eq!(codes(&s), one("E7643", 0));
    assert_eq!(counts(&s), (1, 0, 0, 1));
    let mut o = ImportOptions::default();
    o.force = true;
    let s = w.run(Source::xml(&text), &o).summary;
    assert!(
        s.conflicts.is_empty(),
        "force skips timeliness for superusers: {s:#?}"
    );
}

#[test]
fn deleting_a_missing_file_value_is_e7645() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    assert!(w.md.update::<DataElement>(&uid(DE_A), |d| {
        d.value_type = dxf2_model::ValueType::FileResource;
    }));
    let s = w.strategy(&dv(DE_A, "201201", ""), ImportStrategy::Delete);
    assert_eq!(codes(&s), one("E7645", 0));
}

// ---- §5.8 whole-import failures: status ERROR, nothing written ----

fn assert_failed(outcome: &ImportOutcome, w: &mut World) {
    let s = &outcome.summary;
    assert_eq!(s.status, ImportStatus::Error);
    assert!(
        s.description
            .as_deref()
            .unwrap()
            .starts_with("The import process failed: "),
        "{s:#?}"
    );
    assert_eq!(counts(s), (0, 0, 0, 0));
    assert!(all_rows(&mut w.store, &w.md).is_empty());
}

#[test]
fn bad_payload_strategy_fails_the_import() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = r#"<dataValueSet importStrategy="create_and_update">"#.to_owned()
        + &dv(DE_A, "201201", r#"value="1""#)
        + "</dataValueSet>";
    let outcome = w.run(Source::xml(&text), &ImportOptions::default());
    assert_failed(&outcome, &mut w);
}

#[test]
fn bad_id_scheme_fails_the_import() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = r#"<dataValueSet idScheme="codes">"#.to_owned()
        + &dv(DE_A, "201201", r#"value="1""#)
        + "</dataValueSet>";
    let outcome = w.run(Source::xml(&text), &ImportOptions::default());
    assert_failed(&outcome, &mut w);
}

#[test]
fn ambiguous_names_fail_the_import() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.md.update_all::<DataElement>(|d| d.id.name = Some("Same".into()));
    let text = r#"<dataValueSet dataElementIdScheme="NAME">"#.to_owned()
        + &dv("Same", "201201", r#"value="1""#)
        + "</dataValueSet>";
    let outcome = w.run(Source::xml(&text), &ImportOptions::default());
    assert_failed(&outcome, &mut w);
}

#[test]
fn bad_complete_date_fails_the_import() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = format!(
        r#"<dataValueSet dataSet="pBOMPrpg1QX" period="201201" orgUnit="{OU_A}" completeDate="2012-01-09T00:00:00">{}</dataValueSet>"#,
        dv(DE_A, "201201", r#"value="1""#)
    );
    let outcome = w.run(Source::xml(&text), &ImportOptions::default());
    assert_failed(&outcome, &mut w);
}

#[test]
fn truncated_file_fails_and_writes_nothing() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = xml(&(dv(DE_A, "201201", r#"value="1""#) + &dv(DE_A, "201202", r#"value="1""#)));
    let cut = &text[..text.len() - 30];
    let outcome = w.run(Source::xml(cut), &ImportOptions::default());
    assert!(
        matches!(outcome.failure, Some(Failure::Input { .. })),
        "{outcome:#?}"
    );
    assert_failed(&outcome, &mut w);
}

// ---- §5.6 completion ----

#[test]
fn completion_without_period_is_a_legacy_conflict() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = format!(
        r#"<dataValueSet dataSet="pBOMPrpg1QX" orgUnit="{OU_A}" completeDate="true">{}</dataValueSet>"#,
        dv(DE_A, "201201", r#"value="1""#)
    );
    let s = w.run(Source::xml(&text), &ImportOptions::default()).summary;
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(s.conflicts[0].object.as_deref(), Some("Period"));
    assert_eq!(
        s.conflicts[0].value,
        "Must be provided to complete data set"
    );
    assert!(s.data_set_complete.is_none());
    assert_eq!(counts(&s), (1, 0, 0, 0));
}

#[test]
fn future_completion_date_becomes_today() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = format!(
        r#"<dataValueSet dataSet="pBOMPrpg1QX" period="201201" orgUnit="{OU_A}" completeDate="2099-01-01">{}</dataValueSet>"#,
        dv(DE_A, "201201", r#"value="1""#)
    );
    let s = w.run(Source::xml(&text), &ImportOptions::default()).summary;
    assert_eq!(s.data_set_complete, Some(now().date_naive().to_string()));
}

// ---- JSON specifics ----

#[test]
fn json_attribute_category_options_find_the_attribute_option_combo() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let first = w.md.data_sets()[0].id.uid;
    w.md.update::<DataSet>(&first, |ds| ds.category_combo = uid("ccAaaaaaa01"));
    let json = format!(
        r#"{{"dataSet":"pBOMPrpg1QX","attributeCategoryOptions":["cOptAaaaa01"],
            "dataValues":[{{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"1"}}]}}"#
    );
    let s = w
        .run(Source::json(&json), &ImportOptions::default())
        .summary;
    assert_eq!(counts(&s), (1, 0, 0, 0), "{s:#?}");
    assert!(all_rows(&mut w.store, &w.md)
        .iter()
        .all(|r| r.key.attribute_option_combo == uid("kjuiHgy67hg")));
    let bad = json.replace("cOptAaaaa01", "nonEx1sting");
    let outcome = w.run(Source::json(&bad), &ImportOptions::default());
    assert_eq!(outcome.summary.status, ImportStatus::Error);
    assert_eq!(
        outcome.summary.description.as_deref(),
        Some(
            "The import process failed: Category option not found or not accessible: `nonEx1sting`"
        )
    );
    // Only some of the categories given, or none of the combo's options: E2041.
    let none = json.replace("cOptAaaaa01", "xYerKDKCefk");
    let outcome = w.run(Source::json(&none), &ImportOptions::default());
    assert_eq!(
        outcome.summary.description.as_deref(),
        Some("The import process failed: Attribute option combo does not exist for given category combo and category options")
    );
}

/// Appendix D of the spec, adapted to fixture C (data set dsA, monthly, sources ouA and ouC).
#[test]
fn appendix_d_worked_example() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let json = format!(
        r#"{{"dataSet":"pBOMPrpg1QX","dataValues":[
 {{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"10"}},
 {{"dataElement":"{DE_A}","period":"201201","orgUnit":"{OU_A}","value":"11"}},
 {{"dataElement":"{DE_A}","period":"201202","orgUnit":"{OU_A}","value":"x"}},
 {{"dataElement":"{DE_A}","period":"201203","orgUnit":"{OU_A}","value":"0"}},
 {{"dataElement":"{DE_A}","period":"201204","orgUnit":"{OU_A}"}},
 {{"dataElement":"{DE_A}","period":"201205","orgUnit":"{OU_A}","comment":"c","followup":true}}]}}"#
    );
    let s = w
        .run(Source::json(&json), &ImportOptions::default())
        .summary;
    assert_eq!(s.status, ImportStatus::Warning);
    assert_eq!(counts(&s), (2, 0, 0, 2));
    assert_eq!(
        codes(&s),
        vec![("E7619".into(), vec![2]), ("E7618".into(), vec![4])]
    );
    assert_eq!(
        s.conflicts[0].value,
        "Value must match value type of data element `f7n9E0hX8qk`: `Data value is not an integer`"
    );
    assert_eq!(s.rejected_indexes, [2, 4]);
    assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    assert_eq!(w.row("201201").unwrap().value.as_deref(), Some("10"));
    let r = w.row("201205").unwrap();
    assert_eq!(
        (r.value, r.comment.as_deref(), r.followup),
        (None, Some("c"), true)
    );
}

// ---- The remaining classic codes, one test each ----

fn with_header(attrs: &str, values: &str) -> String {
    format!(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" {attrs}>{values}</dataValueSet>"#
    )
}

#[test]
fn e7600_unknown_data_set_aborts() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let s = w
        .run(
            Source::xml(&with_header(
                r#"dataSet="nonEx1sting""#,
                &dv(DE_A, "201201", r#"value="1""#),
            )),
            &ImportOptions::default(),
        )
        .summary;
    assert_eq!(s.status, ImportStatus::Error);
    assert_eq!(s.description.as_deref(), Some("Import process was aborted"));
    assert_eq!(s.conflicts[0].error_code.as_deref(), Some("E7600"));
    assert_eq!(
        s.conflicts[0].value,
        "Data set not found or not accessible: `nonEx1sting`"
    );
    assert!(all_rows(&mut w.store, &w.md).is_empty());
}

#[test]
fn e7603_unknown_set_level_org_unit_aborts() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let text = with_header(
        r#"dataSet="pBOMPrpg1QX" orgUnit="nonEx1sting""#,
        r#"<dataValue dataElement="f7n9E0hX8qk" period="201201" value="1"/>"#,
    );
    let s = w.run(Source::xml(&text), &ImportOptions::default()).summary;
    assert_eq!(s.status, ImportStatus::Error);
    assert_eq!(s.conflicts[0].error_code.as_deref(), Some("E7603"));
    assert_eq!(
        s.conflicts[0].objects,
        [
            ("organisationUnit".into(), Some("nonEx1sting".into())),
            ("dataSet".into(), Some("pBOMPrpg1QX".into()))
        ]
    );
}

#[test]
fn e7614_category_option_not_writable_with_preheated_cache() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    w.md.update_all::<CategoryOption>(|o| {
        if o.id.name.as_deref() == Some("CategoryOptionB") {
            o.sharing.users.clear();
        }
    });
    let v = dv(
        DE_A,
        "201201",
        r#"value="1" categoryOptionCombo="Gad33qy67g5""#,
    );
    let mut o = ImportOptions::default();
    o.preheat_cache = Some(true);
    let mut source = Source::xml(&xml(&v));
    let s = import_source(&w.md, Some("userA"), &mut source, &o, &mut w.store).summary;
    assert_eq!(codes(&s), one("E7614", 0));
    assert_eq!(
        s.conflicts[0].objects[1],
        ("categoryOption".into(), Some("cOptBbbbb01".into()))
    );
    let mut source = Source::xml(&xml(&v));
    let s = import_source(
        &w.md,
        Some("userA"),
        &mut source,
        &ImportOptions::default(),
        &mut w.store,
    )
    .summary;
    assert_eq!(
        codes(&s),
        one("E7613", 0),
        "without the preheated cache the combo is simply not found"
    );
}

#[test]
fn e7633_strict_data_elements() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let mut o = ImportOptions::default();
    o.strict_data_elements = true;
    // deF is in no data set.
    let s = w.xml(
        &(dv("jH26dja2f30", "201201", r#"value="true""#) + &dv(DE_A, "201201", r#"value="1""#)),
        &o,
    );
    assert_eq!(codes(&s), one("E7633", 0));
    assert_eq!(
        s.conflicts[0].value,
        "Data element: `jH26dja2f30` is not part of dataset(s): ``"
    );
    let text = with_header(
        r#"dataSet="pBOMPrpg1QX""#,
        &dv("jH26dja2f30", "201202", r#"value="true""#),
    );
    let s = w.run(Source::xml(&text), &o).summary;
    assert_eq!(
        s.conflicts[0].value,
        "Data element: `jH26dja2f30` is not part of dataset(s): `pBOMPrpg1QX`"
    );
}

#[test]
fn e7644_periods_not_open_in_any_data_set_of_the_element() {
    if store_skipped() {
        return;
    }
    let mut w = World::new();
    let first = w.md.data_sets()[0].id.uid;
    w.md.update::<DataSet>(&first, |ds| {
        ds.data_input_periods = vec![dxf2_model::metadata::DataInputPeriod {
            period: "201202".parse().unwrap(),
            opening_date: None,
            closing_date: None,
        }];
    });
    // ouB is not a source of dsA: no target data set, so C14 passes and C15 decides.
    let v =
        r#"<dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="BdfsJfj87js" value="1"/>"#;
    let s = w.xml(v, &ImportOptions::default());
    assert_eq!(codes(&s), one("E7644", 0));
    assert_eq!(
        s.conflicts[0].value,
        "Period: `201201` does not conform to the open periods of associated data sets"
    );
}
