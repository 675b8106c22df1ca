//! Fuzz the events CSV reader: arbitrary bytes, with and without header and for every version's
//! rules, never panic; whatever reads is written (with header, lossless) and read back, and a
//! second write-then-read changes nothing (a first trip may normalise: WKT loses z, 2.41 merges
//! rows without `event`).
//!
//! Run with `cargo fuzz run tracker_csv` from the repository root.

#![no_main]

use dxf2_tracker::{
    CsvWriteOptions, Event, EventCsvLayout, EventCsvReader, EventCsvWriter, ReadOptions,
    TrackerVersion,
};
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], options: &ReadOptions, header: bool) -> Option<Vec<Event>> {
    let reader = EventCsvReader::new(data, options.clone(), header).ok()?;
    reader.events().collect::<Result<Vec<_>, _>>().ok()
}

fn write(events: &[Event], layout: EventCsvLayout) -> Vec<u8> {
    let options = CsvWriteOptions::default()
        .with_layout(layout)
        .with_lossless(true);
    let mut w = EventCsvWriter::new(Vec::new(), options).expect("write to memory");
    for e in events {
        w.write_event(e).expect("write to memory");
    }
    w.finish().expect("write to memory")
}

fuzz_target!(|data: &[u8]| {
    for version in [
        TrackerVersion::V2_41,
        TrackerVersion::V2_42,
        TrackerVersion::Master,
    ] {
        let options = ReadOptions::default().with_version(version);
        let layout = EventCsvLayout::of(version);
        for header in [true, false] {
            let Some(events) = read(data, &options, header) else {
                continue;
            };
            let once = write(&events, layout);
            let again = read(&once, &options, true).expect("the writer's output reads back");
            let twice = write(&again, layout);
            let third = read(&twice, &options, true).expect("the writer's output reads back");
            assert_eq!(third, again);
            assert_eq!(write(&third, layout), twice);
        }
    }
});
