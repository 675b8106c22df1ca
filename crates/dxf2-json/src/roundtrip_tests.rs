//! Property tests across the reader and the writer, and of the import summary.

use std::io::{BufReader, Cursor};

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, Field, IdScheme, IdSchemes, ImportConflict,
    ImportCount, ImportOptions, ImportStatus, ImportStrategy, ImportSummary, ImporterProfile,
    SchemeTarget,
};
use proptest::prelude::*;

use crate::{read_import_summary, write_import_summary, write_web_message, Reader, Writer};

/// What a JSON round trip (our [`Writer`], then a [`Reader`] with `profile`) keeps of a header.
///
/// * An empty text is absent: DHIS2's Jackson binding reads `""` as null.
/// * Classic reads neither `attributeOptionComboIdScheme`, `categoryIdScheme` nor
///   `categoryOptionIdScheme` (they are 2.43+ keys), so they are lost.
/// * The 2.43+ pipeline reads neither `strategy` nor `attributeCategoryOptions`.
fn canonical_header(h: &DataValueSetHeader, profile: ImporterProfile) -> DataValueSetHeader {
    let text = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let classic = profile == ImporterProfile::Classic;
    DataValueSetHeader {
        data_set: text(&h.data_set),
        complete_date: text(&h.complete_date),
        period: text(&h.period),
        org_unit: text(&h.org_unit),
        attribute_option_combo: text(&h.attribute_option_combo),
        attribute_category_options: h.attribute_category_options.clone().filter(|_| classic),
        id_scheme: text(&h.id_scheme),
        data_element_id_scheme: text(&h.data_element_id_scheme),
        org_unit_id_scheme: text(&h.org_unit_id_scheme),
        category_option_combo_id_scheme: text(&h.category_option_combo_id_scheme),
        data_set_id_scheme: text(&h.data_set_id_scheme),
        attribute_option_combo_id_scheme: text(&h.attribute_option_combo_id_scheme)
            .filter(|_| !classic),
        category_id_scheme: text(&h.category_id_scheme).filter(|_| !classic),
        category_option_id_scheme: text(&h.category_option_id_scheme).filter(|_| !classic),
        dry_run: h.dry_run,
        strategy: text(&h.strategy).filter(|_| classic),
    }
}

/// What a JSON round trip keeps of a value.
///
/// * An empty text is absent (as for the header).
/// * `followup` is always written as a boolean, unknown as `false`: `None` comes back as
///   `Some(false)` (classic). The pipeline reads `followUp` while the writer writes DHIS2's
///   `followup`, so the flag is lost (`None`) — the round-trip loss the spec notes for 2.43+.
/// * `deleted` is written only when true: `Some(false)` comes back as `None`.
/// * The pipeline does not read `storedBy`, `created` and `lastUpdated`.
fn canonical_value(v: &DataValue, profile: ImporterProfile) -> DataValue {
    let pipeline = profile == ImporterProfile::Pipeline;
    let mut out = DataValue::new();
    for (field, text) in v.fields() {
        let dropped =
            pipeline && matches!(field, Field::StoredBy | Field::Created | Field::LastUpdated);
        if !text.is_empty() && !dropped {
            out.set(field, text);
        }
    }
    out.set_followup(if pipeline {
        None
    } else {
        Some(v.followup().unwrap_or(false))
    });
    out.set_deleted(v.deleted().filter(|d| *d));
    out
}

fn write(header: &DataValueSetHeader, values: &[DataValue]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    w.begin(header).unwrap();
    for v in values {
        w.write_value(v).unwrap();
    }
    w.finish().unwrap();
    w.into_inner()
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter),
        "[a-zA-Z0-9]{0,11}",
        Just(String::new()),
        "[\"\\\\/\\x00-\\x1f]{1,4}",
    ]
}

fn any_opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any_text())
}

prop_compose! {
    fn any_header()(
        texts in proptest::collection::vec(any_opt_text(), 14),
        options in proptest::option::of(proptest::collection::vec("[^\"]{1,5}", 0..3)),
        dry_run in proptest::option::of(any::<bool>()),
    ) -> DataValueSetHeader {
        let t = |i: usize| texts.get(i).cloned().flatten();
        DataValueSetHeader {
            data_set: t(0),
            complete_date: t(1),
            period: t(2),
            org_unit: t(3),
            attribute_option_combo: t(4),
            attribute_category_options: options,
            id_scheme: t(5),
            data_element_id_scheme: t(6),
            org_unit_id_scheme: t(7),
            category_option_combo_id_scheme: t(8),
            data_set_id_scheme: t(9),
            attribute_option_combo_id_scheme: t(10),
            category_id_scheme: t(11),
            category_option_id_scheme: t(12),
            dry_run,
            strategy: t(13),
        }
    }
}

prop_compose! {
    fn any_value()(
        texts in proptest::collection::vec(any_opt_text(), Field::COUNT),
        followup in proptest::option::of(any::<bool>()),
        deleted in proptest::option::of(any::<bool>()),
    ) -> DataValue {
        let mut v = DataValue::new();
        for (field, text) in Field::ALL.iter().zip(&texts) {
            if let Some(text) = text {
                v.set(*field, text);
            }
        }
        v.set_followup(followup);
        v.set_deleted(deleted);
        v
    }
}

fn any_profile() -> impl Strategy<Value = ImporterProfile> {
    prop_oneof![
        Just(ImporterProfile::Classic),
        Just(ImporterProfile::Pipeline)
    ]
}

proptest! {
    #[test]
    fn writer_then_reader_gives_back_the_set(
        header in any_header(),
        values in proptest::collection::vec(any_value(), 0..5),
        profile in any_profile(),
        capacity in 1usize..16,
    ) {
        let bytes = write(&header, &values);
        let expected_header = canonical_header(&header, profile);
        let expected_values: Vec<_> = values.iter().map(|v| canonical_value(v, profile)).collect();

        let mut r = Reader::with_profile(BufReader::with_capacity(capacity, &bytes[..]), profile).unwrap();
        prop_assert_eq!(r.header(), &expected_header);
        let read: Vec<_> = r.values().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&read, &expected_values);

        let mut r = Reader::from_seekable_with_profile(Cursor::new(&bytes), profile).unwrap();
        prop_assert_eq!(r.header(), &expected_header);
        let read: Vec<_> = r.values().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&read, &expected_values);

        // What serde_json makes of our output agrees.
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(doc["dataValues"].as_array().map(Vec::len), Some(values.len()));
    }

    #[test]
    fn strings_escaped_by_serde_json_decode_the_same(text in any::<String>(), ascii in any::<bool>()) {
        let quoted = if ascii {
            // Every non-ASCII character as \u escapes (surrogate pairs above the BMP).
            let mut q = String::from("\"");
            for unit in text.encode_utf16() {
                q.push_str(&format!("\\u{unit:04x}"));
            }
            q.push('"');
            q
        } else {
            serde_json::to_string(&text).unwrap()
        };
        let json = format!("{{\"dataValues\":[{{\"comment\":{quoted}}}]}}");
        let mut r = Reader::new(json.as_bytes()).unwrap();
        let v: Vec<_> = r.values().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(v[0].comment(), Some(text.as_str()).filter(|t| !t.is_empty()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), profile in any_profile()) {
        if let Ok(mut r) = Reader::with_profile(&bytes[..], profile) {
            for v in r.values() {
                if v.is_err() { break; }
            }
        }
        if let Ok(mut r) = Reader::from_seekable_with_profile(Cursor::new(&bytes), profile) {
            for v in r.values() {
                if v.is_err() { break; }
            }
        }
    }

    #[test]
    fn json_shaped_input_never_panics(
        parts in proptest::collection::vec(prop_oneof![
            Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"), Just("\"dataValues\""),
            Just("\"period\""), Just("\"value\""), Just("\"followup\""), Just("\"x\""), Just("1"),
            Just("null"), Just("true"), Just(" "), Just("\"\\u00e9\""), Just("-0.5e3"),
        ], 0..40),
    ) {
        let json = parts.concat();
        if let Ok(mut r) = Reader::new(json.as_bytes()) {
            for v in r.values() {
                if v.is_err() { break; }
            }
        }
    }
}

/// Everything a reader reports for a document: header, values with the position after each,
/// and the error (with its position) that ended it.
fn outcome<R: std::io::BufRead>(
    reader: Result<Reader<R>, crate::Error>,
) -> (String, Vec<String>, String) {
    let mut r = match reader {
        Ok(r) => r,
        Err(e) => return (String::new(), Vec::new(), e.to_string()),
    };
    let mut values = Vec::new();
    let mut dv = DataValue::new();
    let error = loop {
        match r.read_value(&mut dv) {
            Ok(true) => values.push(format!("{dv:?} {}", r.position())),
            Ok(false) => break String::new(),
            Err(e) => break e.to_string(),
        }
    };
    (format!("{:?}", r.header()), values, error)
}

const WHITESPACE: [&str; 6] = ["", "", " ", "\n", "\r\n\t", "\n  "];
const KEYS: [&str; 9] = [
    "dataElement",
    "value",
    "comment",
    "followup",
    "followUp",
    "deleted",
    "x",
    "\\u0076alue",
    "\u{e9}",
];
const SCALARS: [&str; 16] = [
    "\"\"",
    "\"a\"",
    "\"\u{e9}\u{1F600}\"",
    "\"\u{4e2d}\u{6587}\"",
    "\"a\\\"b\\n\"",
    "\"\\ud83d\\ude00\u{e9}\"",
    "\"TRUE\"",
    "null",
    "true",
    "false",
    "0",
    "-12.5e3",
    "12",
    "{\"k\":[1,\"\u{e9}\"]}",
    "01",
    "\"\u{1}\"",
];
const JUNK: [&str; 8] = ["\"", "\\", ",", "}", "\u{e9}", "\n", "x", "\u{1F600}"];

/// A data value set from indexes into the tables above (whitespace around every token),
/// optionally cut short or with junk inserted at a character boundary.
fn build_document(
    values: &[Vec<(usize, usize, usize)>],
    damage: Option<(prop::sample::Index, Option<usize>)>,
) -> String {
    let ws = |i: usize| WHITESPACE[i % WHITESPACE.len()];
    let mut json = format!(
        "{{{}\"period\"{}:\"p\u{e9}\",{}\"dataValues\":[",
        ws(3),
        ws(2),
        ws(5)
    );
    for (v, members) in values.iter().enumerate() {
        if v > 0 {
            json.push_str(ws(v));
            json.push(',');
        }
        json.push_str(ws(v + 3));
        json.push('{');
        for (m, &(key, value, w)) in members.iter().enumerate() {
            if m > 0 {
                json.push_str(ws(w + 1));
                json.push(',');
            }
            json.push_str(ws(w));
            json.push('"');
            json.push_str(KEYS[key % KEYS.len()]);
            json.push('"');
            json.push_str(ws(w + 2));
            json.push(':');
            json.push_str(ws(w + 4));
            json.push_str(SCALARS[value % SCALARS.len()]);
        }
        json.push_str(ws(v + 1));
        json.push('}');
    }
    json.push_str("]\n}\n");
    if let Some((at, junk)) = damage {
        let mut cut = at.index(json.len());
        while !json.is_char_boundary(cut) {
            cut -= 1;
        }
        match junk {
            Some(j) => json.insert_str(cut, JUNK[j % JUNK.len()]),
            None => json.truncate(cut),
        }
    }
    json
}

proptest! {
    /// The fast paths (a token whole in the buffer) and the careful ones (a token cut by the
    /// end of the buffer) give the same values, the same positions and the same errors.
    #[test]
    fn buffer_size_changes_nothing(
        values in proptest::collection::vec(
            proptest::collection::vec((0..100usize, 0..100usize, 0..100usize), 0..5),
            0..5,
        ),
        damage in proptest::option::of((any::<prop::sample::Index>(), proptest::option::of(0..100usize))),
        profile in any_profile(),
    ) {
        let json = build_document(&values, damage);
        let expected = outcome(Reader::with_profile(json.as_bytes(), profile));
        for capacity in 1..8 {
            let input = BufReader::with_capacity(capacity, json.as_bytes());
            prop_assert_eq!(&outcome(Reader::with_profile(input, profile)), &expected, "capacity {}", capacity);
        }
    }
}

fn any_scheme() -> impl Strategy<Value = Option<IdScheme>> {
    proptest::option::of(prop_oneof![
        Just(IdScheme::Uid),
        Just(IdScheme::Id),
        Just(IdScheme::Code),
        Just(IdScheme::Name),
        Just(IdScheme::Uuid),
        "[a-zA-Z0-9]{11}".prop_map(IdScheme::Attribute),
    ])
}

prop_compose! {
    fn any_options()(
        schemes in proptest::collection::vec(any_scheme(), 8),
        flags in proptest::collection::vec(any::<bool>(), 18),
        preheat in proptest::option::of(any::<bool>()),
        strategy in proptest::sample::select(ImportStrategy::ALL.to_vec()),
        data_set in proptest::option::of(any_text()),
        pipeline in any::<bool>(),
    ) -> ImportOptions {
        let mut id_schemes = IdSchemes { id_scheme: schemes[0].clone(), ..IdSchemes::default() };
        for (target, scheme) in SchemeTarget::ALL.iter().zip(&schemes[1..]) {
            *id_schemes.specific_mut(*target) = scheme.clone();
        }
        ImportOptions {
            id_schemes,
            dry_run: flags[0],
            strategy,
            skip_existing_check: flags[1],
            preheat_cache: preheat,
            async_import: flags[2],
            skip_audit: flags[3],
            strict_periods: flags[4],
            strict_data_elements: flags[5],
            strict_category_option_combos: flags[6],
            strict_attribute_option_combos: flags[7],
            strict_organisation_units: flags[8],
            strict_data_set_approval: flags[9],
            strict_data_set_locking: flags[10],
            strict_data_set_input_periods: flags[11],
            require_category_option_combo: flags[12],
            require_attribute_option_combo: flags[13],
            force: flags[14],
            first_row_is_header: flags[15],
            data_set,
            atomic: flags[16],
            profile: if pipeline { ImporterProfile::Pipeline } else { ImporterProfile::Classic },
        }
    }
}

prop_compose! {
    fn any_conflict()(
        object in any_opt_text(),
        objects in proptest::collection::vec((any_text(), any_opt_text()), 0..3),
        value in any_text(),
        error_code in any_opt_text(),
        property in any_opt_text(),
        indexes in proptest::option::of(proptest::collection::vec(any::<i64>(), 0..4)),
    ) -> ImportConflict {
        ImportConflict { object, objects, value, error_code, property, indexes }
    }
}

prop_compose! {
    fn any_summary()(
        status in prop_oneof![Just(ImportStatus::Success), Just(ImportStatus::Warning), Just(ImportStatus::Error)],
        import_options in proptest::option::of(any_options()),
        description in any_opt_text(),
        counts in proptest::collection::vec(any::<u64>(), 4),
        conflicts in proptest::collection::vec(any_conflict(), 0..3),
        rejected_indexes in proptest::collection::vec(any::<i64>(), 0..4),
        data_set_complete in any_opt_text(),
        profile in proptest::option::of(any_profile()),
    ) -> ImportSummary {
        ImportSummary {
            status,
            import_options,
            description,
            import_count: ImportCount { imported: counts[0], updated: counts[1], ignored: counts[2], deleted: counts[3] },
            conflicts,
            rejected_indexes,
            data_set_complete,
            profile,
        }
    }
}

proptest! {
    #[test]
    fn summary_json_round_trip(summary in any_summary()) {
        let mut bare = Vec::new();
        write_import_summary(&mut bare, &summary).unwrap();
        prop_assert_eq!(&read_import_summary(&bare[..]).unwrap(), &summary);
        let mut web = Vec::new();
        write_web_message(&mut web, &summary).unwrap();
        prop_assert_eq!(&read_import_summary(&web[..]).unwrap(), &summary);
    }
}
