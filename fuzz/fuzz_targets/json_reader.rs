//! Fuzz the JSON data value set reader: arbitrary bytes through both constructors
//! (`Reader::new`, `Reader::from_seekable`) and both importer profiles never panic; whatever
//! reads successfully is written with `Writer` and read back equal after the format's
//! canonicalisation.
//!
//! Run with `cargo fuzz run json_reader` from the repository root.

#![no_main]

use std::io::{BufRead, Cursor};

use dxf2_json::{Error, Reader, Writer};
use dxf2_model::{DataValue, DataValueSetHeader, DataValueSink, ImporterProfile};
use libfuzzer_sys::fuzz_target;

type Set = (DataValueSetHeader, Vec<DataValue>);

/// Every value of an opened reader, or `None` at the first error.
fn read_all<R: BufRead>(opened: Result<Reader<R>, Error>) -> Option<Set> {
    let mut reader = opened.ok()?;
    let mut values = Vec::new();
    let mut value = DataValue::new();
    while reader.read_value(&mut value).ok()? {
        values.push(value.clone());
    }
    Some((reader.header().clone(), values))
}

/// What a write-then-read keeps of a value the reader produced: `followup` is always written as
/// a boolean (unknown → `false`), but 2.43+ reads `followUp` while DHIS2's writer (and ours)
/// writes `followup`, so the pipeline loses it; `deleted` is written only when true.
fn canonical(value: &DataValue, profile: ImporterProfile) -> DataValue {
    let mut out = value.clone();
    out.set_followup(match profile {
        ImporterProfile::Classic => Some(value.followup().unwrap_or(false)),
        ImporterProfile::Pipeline => None,
    });
    out.set_deleted(value.deleted().filter(|d| *d));
    out
}

/// Writes `set` in `profile`'s own export form (classic, or DHIS2 2.43+'s).
fn write(set: &Set, profile: ImporterProfile) -> Vec<u8> {
    let mut writer = Writer::with_profile(Vec::new(), profile);
    writer.begin(&set.0).expect("writing to a Vec cannot fail");
    for value in &set.1 {
        writer
            .write_value(value)
            .expect("writing to a Vec cannot fail");
    }
    writer.finish().expect("writing to a Vec cannot fail");
    writer.into_inner()
}

fuzz_target!(|data: &[u8]| {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let streamed = read_all(Reader::with_profile(data, profile));
        let seeked = read_all(Reader::from_seekable_with_profile(
            Cursor::new(data),
            profile,
        ));

        // The seekable reader gives DHIS2's exact result; the streaming one either agrees or
        // refuses (a set-level key after values, a second `dataValues`).
        if let Some(streamed) = &streamed {
            assert_eq!(
                Some(streamed),
                seeked.as_ref(),
                "streaming and seekable disagree"
            );
        }

        if let Some(set) = &seeked {
            let bytes = write(set, profile);
            let back = read_all(Reader::with_profile(&bytes[..], profile))
                .expect("our own output must read back");
            assert_eq!(back.0, set.0, "header changed by a round trip");
            let expected: Vec<DataValue> = set.1.iter().map(|v| canonical(v, profile)).collect();
            assert_eq!(back.1, expected, "values changed by a round trip");
        }
    }
});
