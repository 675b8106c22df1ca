//! The hot paths allocate nothing: once warmed up, reading and mapping an ADX value
//! (`AdxSource`, DHIS2 2.42's rules) and writing one (`AdxWriter`) make no heap allocation, so
//! the allocations of a file do not grow with its values. Counted by a global allocator wrapper
//! (`stats_alloc`) over the generated workload; one `#[test]` so that no other test thread
//! allocates meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;

use adx::{AdxSourceBuilder, AdxWriterBuilder};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSink, DataValueSource, IdScheme, IdSchemes, Metadata,
};
use dxf2_testdata::{VecSink, Workload, WorkloadConfig};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const WARM_UP: usize = 3_000;
const VALUES: u64 = 6_000;

#[test]
fn reading_and_writing_values_allocates_nothing() {
    let workload = Workload::new(WorkloadConfig {
        values: VALUES,
        seed: 11,
        ..WorkloadConfig::default()
    });
    let mut json = Vec::new();
    workload.write_metadata_json(&mut json).unwrap();
    let md: Metadata = dxf2_json::metadata::read_metadata(json.as_slice()).unwrap();
    let mut values = VecSink::default();
    workload.write_values(&mut values).unwrap();
    let values = values.values;

    // Writing: the output buffer is sized up front, so only the writer itself could allocate.
    let mut writer = AdxWriterBuilder::new().build(&md, Vec::with_capacity(64 << 20));
    writer.begin(&DataValueSetHeader::default()).unwrap();
    for v in &values[..WARM_UP] {
        writer.write_value(v).unwrap();
    }
    let region = Region::new(GLOBAL);
    for v in &values[WARM_UP..] {
        writer.write_value(v).unwrap();
    }
    let written = region.change();
    writer.finish().unwrap();
    let adx = writer.into_inner();
    assert_eq!(written.allocations, 0, "writing: {written:?}");

    // Reading and mapping (the workload's option combos have no codes: by UID).
    let schemes = IdSchemes {
        category_option_combo: Some(IdScheme::Uid),
        ..IdSchemes::default()
    };
    let mut source = AdxSourceBuilder::new()
        .id_schemes(schemes)
        .build(&md, adx.as_slice());
    let mut record = DataValue::new();
    for _ in 0..WARM_UP {
        assert!(source.read_value(&mut record).unwrap());
    }
    let region = Region::new(GLOBAL);
    let mut read = 0u64;
    while source.read_value(&mut record).unwrap() {
        read += 1;
    }
    let reading = region.change();
    assert_eq!(read, VALUES - WARM_UP as u64);
    assert_eq!(reading.allocations, 0, "reading: {reading:?}");
}
