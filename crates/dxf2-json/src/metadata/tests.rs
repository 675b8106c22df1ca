//! Unit tests of the metadata reader.

use std::io;

use dxf2_model::metadata::{NaiveDate, NaiveDateTime, NaiveTime};

use super::dates::{date_field, date_time_field};
use super::raw::RawDate;
use super::*;

fn read(json: &str) -> Result<Metadata, MetadataError> {
    read_metadata(json.as_bytes())
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> NaiveDateTime {
    NaiveDateTime::new(
        ymd(y, mo, d),
        NaiveTime::from_hms_milli_opt(h, mi, s, ms).unwrap(),
    )
}

fn at() -> ObjectRef {
    ObjectRef {
        kind: "dataSets",
        index: 0,
        id: None,
    }
}

fn date_time(s: &str) -> Option<NaiveDateTime> {
    date_time_field(&at(), "d", Some(RawDate::Text(s.into())))
        .ok()
        .flatten()
}

#[test]
fn metadata_date_forms() {
    assert_eq!(date_time("20240131"), Some(dt(2024, 1, 31, 0, 0, 0, 0)));
    assert_eq!(date_time("2024-01-31"), Some(dt(2024, 1, 31, 0, 0, 0, 0)));
    assert_eq!(date_time("2024-01"), Some(dt(2024, 1, 1, 0, 0, 0, 0)));
    assert_eq!(date_time("2024"), Some(dt(2024, 1, 1, 0, 0, 0, 0)));
    assert_eq!(
        date_time("2019-08-26T14:26:09.938"),
        Some(dt(2019, 8, 26, 14, 26, 9, 938))
    );
    assert_eq!(
        date_time("2019-08-26T14:26:09.9"),
        Some(dt(2019, 8, 26, 14, 26, 9, 900))
    );
    // DHIS2 (Joda-Time) keeps milliseconds of a longer fraction, but accepts more than 6
    // fraction digits only with an offset.
    assert_eq!(
        date_time("2019-08-26T14:26:09.123456789Z"),
        Some(dt(2019, 8, 26, 14, 26, 9, 123))
    );
    assert_eq!(date_time("2019-08-26T14:26:09.123456789"), None);
    // A Joda year field takes any number of digits up to 9: `24-01-01` is the year 24 and
    // `202401` (too short for `yyyyMMdd`) the year 202401, as DHIS2 reads them.
    assert_eq!(date_time("24-01-01"), Some(dt(24, 1, 1, 0, 0, 0, 0)));
    assert_eq!(date_time("202401"), Some(dt(202401, 1, 1, 0, 0, 0, 0)));
    assert_eq!(
        date_time("2016-02-17T06:17:12.379+0000"),
        Some(dt(2016, 2, 17, 6, 17, 12, 379))
    );
    assert_eq!(
        date_time("2016-02-17T06:17:12.379+0100"),
        Some(dt(2016, 2, 17, 5, 17, 12, 379))
    );
    assert_eq!(
        date_time("2016-02-17T00:30:00-01:30"),
        Some(dt(2016, 2, 17, 2, 0, 0, 0))
    );
    assert_eq!(
        date_time("2016-02-17T06:17:12"),
        Some(dt(2016, 2, 17, 6, 17, 12, 0))
    );
    assert_eq!(
        date_time("2016-02-17T06:17"),
        Some(dt(2016, 2, 17, 6, 17, 0, 0))
    );
    assert_eq!(
        date_time("2016-02-17T06"),
        Some(dt(2016, 2, 17, 6, 0, 0, 0))
    );
    assert_eq!(
        date_time("2016-02-17T06+0200"),
        Some(dt(2016, 2, 17, 4, 0, 0, 0))
    );
    assert_eq!(
        date_time("2016-02-17 06:17:12+0000"),
        Some(dt(2016, 2, 17, 6, 17, 12, 0))
    );
    assert_eq!(
        date_time("1455690000000"),
        Some(dt(2016, 2, 17, 6, 20, 0, 0))
    );
    assert_eq!(
        date_time_field(&at(), "d", Some(RawDate::Millis(-1))).unwrap(),
        Some(dt(1969, 12, 31, 23, 59, 59, 999))
    );
    for bad in [
        "2024-13-01",
        "2024-02-30",
        "2024/01/01",
        "2024-01-31T25:00",
        "2024-01-31X",
        "",
        "x",
        "2024-01-31T10:00+2",
    ] {
        assert_eq!(date_time(bad), None, "{bad}");
    }
    // Date-only fields keep the date as written.
    let d = date_field(
        &at(),
        "d",
        Some(RawDate::Text("2016-02-17T00:30:00.000+0100".into())),
    )
    .unwrap();
    assert_eq!(d, Some(ymd(2016, 2, 17)));
    let err = date_field(
        &at(),
        "openingDate",
        Some(RawDate::Text("17/02/2016".into())),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("openingDate"));
}

#[test]
fn metadata_lenient_scalars() {
    let m = read(
        r#"{"dataSets": [{"id": "pBOMPrpg1QX", "periodType": "Monthly", "expiryDays": "10.5",
            "openFuturePeriods": 2.9, "noValueRequiresComment": "TRUE", "code": 42, "name": ""}]}"#,
    )
    .unwrap();
    let ds = &m.data_sets()[0];
    assert_eq!(
        (
            ds.expiry_days,
            ds.open_future_periods,
            ds.no_value_requires_comment
        ),
        (10, 2, true)
    );
    assert_eq!(ds.id.code.as_deref(), Some("42"));
    assert_eq!(ds.id.name, None);
}

#[test]
fn metadata_errors_name_object_and_field() {
    let err = read(r#"{"organisationUnits": [null, {"name": "x"}]}"#).unwrap_err();
    assert!(
        matches!(&err, MetadataError::MissingField { field, .. } if field == "id"),
        "{err}"
    );
    assert_eq!(
        err.object(),
        Some(&ObjectRef {
            kind: "organisationUnits",
            index: 1,
            id: None
        })
    );
    assert_eq!(err.position().map(|p| p.line), Some(1));

    let err =
        read("{\"dataSets\": [\n{\"id\": \"pBOMPrpg1QX\", \"periodType\": \"Fortnightly\"}\n]}")
            .unwrap_err();
    assert_eq!(err.field(), Some("periodType"));
    assert_eq!(err.position().map(|p| p.line), Some(3));
    assert_eq!(
        err.to_string(),
        "dataSets[0] (id `pBOMPrpg1QX`): invalid `periodType` `Fortnightly`: expected a DHIS2 period type name \
         such as Monthly or Yearly (after the object, at line 3, column 1)"
    );

    let err =
        read(r#"{"dataSets": [{"id": "pBOMPrpg1QX", "periodType": "TwoYearly"}]}"#).unwrap_err();
    assert_eq!(err.field(), Some("periodType"));

    let err = read(r#"{"dataElements": [{"id": "f7n9E0hX8qk", "name": {"x": 1}}]}"#).unwrap_err();
    match &err {
        MetadataError::Json {
            object,
            line,
            column,
            message,
        } => {
            assert_eq!(
                object.as_ref().map(|o| (o.kind, o.index)),
                Some(("dataElements", 0))
            );
            assert_eq!((*line, *column), (1, 50));
            assert!(message.contains("expected a string"), "{message}");
        }
        other => panic!("{other}"),
    }

    let err = read(r#"{"dataElements": [}"#).unwrap_err();
    assert!(matches!(err, MetadataError::Json { .. }), "{err}");
    let err = read(r#"{"dataElements": 5}"#).unwrap_err();
    assert!(
        err.to_string().contains("an array of dataElements"),
        "{err}"
    );
    let err = read(r#"[]"#).unwrap_err();
    assert!(
        err.to_string().contains("a DXF2 metadata JSON object"),
        "{err}"
    );
    let err = read(r#"{} x"#).unwrap_err();
    assert!(
        matches!(err, MetadataError::Json { object: None, .. }),
        "{err}"
    );
}

#[test]
fn metadata_io_errors_are_io() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    assert!(matches!(read_metadata(Failing), Err(MetadataError::Io(_))));
}

#[test]
fn metadata_defaults_are_remapped_by_name() {
    let m = read(
        r#"{"categoryCombos": [{"id": "myDefault01", "name": "default"}],
            "dataElements": [{"id": "f7n9E0hX8qk", "valueType": "TEXT"},
                             {"id": "f7n9E0hX8ql", "valueType": "TEXT", "categoryCombo": {"id": "bjDvmb4bfuf"}}]}"#,
    )
    .unwrap();
    assert!(m
        .data_elements()
        .iter()
        .all(|d| d.category_combo.as_str() == "myDefault01"));
    assert_eq!(m.category_combos().len(), 1);
}
