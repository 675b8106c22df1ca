//! Fuzz target of the DXF2 XML reader and writer.
//!
//! Arbitrary bytes are read with both importer profiles: reading must never panic. When a
//! document reads completely, it is written with the `Writer` and read back with the same
//! profile, through that profile's own export form (classic, or DHIS2 2.43+'s): header and values
//! must be equal after the canonicalisation the format implies.

#![no_main]

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, ImporterProfile, Period,
};
use dxf2_xml::{Reader, Writer};
use libfuzzer_sys::fuzz_target;

/// Reads a whole data value set, or `None` when the input is refused.
fn read_all(data: &[u8], profile: ImporterProfile) -> Option<(DataValueSetHeader, Vec<DataValue>)> {
    let mut reader = Reader::with_profile(data, profile).ok()?;
    let mut values = Vec::new();
    let mut value = DataValue::new();
    loop {
        match reader.read_value(&mut value) {
            Ok(true) => values.push(value.clone()),
            Ok(false) => break,
            Err(_) => return None,
        }
    }
    Some((reader.header().clone(), values))
}

/// What a value looks like after a trip through the writer: `followUp` is always written
/// (unknown becomes `false`), `deleted` only when true (`false` becomes unknown). Texts read by
/// the reader are never empty, so nothing else changes.
fn canonical(values: &[DataValue]) -> Vec<DataValue> {
    values
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.set_followup(Some(v.followup() == Some(true)));
            v.set_deleted((v.deleted() == Some(true)).then_some(true));
            v
        })
        .collect()
}

/// The header with its period in ADX form, as DHIS2 2.43+'s XML export writes it
/// (`2012-01-01/P1M` for `201201`), so that both export forms compare.
fn adx_period(mut header: DataValueSetHeader) -> DataValueSetHeader {
    let parsed = header.period.as_deref().and_then(|p| {
        Period::parse_with(p, ImporterProfile::Pipeline)
            .or_else(|_| Period::parse_adx(p))
            .ok()
    });
    if let Some(period) = parsed {
        header.period = Some(period.to_adx());
    }
    header
}

fuzz_target!(|data: &[u8]| {
    for profile in [ImporterProfile::Classic, ImporterProfile::Pipeline] {
        let Some((header, values)) = read_all(data, profile) else {
            continue;
        };
        // Each profile's own export form: classic, or DHIS2 2.43+'s.
        let mut writer = Writer::with_profile(Vec::new(), profile);
        writer
            .begin(&header)
            .expect("a header that was read can be written");
        for value in &values {
            writer
                .write_value(value)
                .expect("a value that was read can be written");
        }
        writer.finish().expect("writing to memory cannot fail");
        let xml = writer.into_inner().expect("writing to memory cannot fail");
        let (header_again, values_again) =
            read_all(&xml, profile).expect("the writer's output reads back");
        assert_eq!(adx_period(header_again), adx_period(header));
        assert_eq!(canonical(&values_again), canonical(&values));
    }
});
