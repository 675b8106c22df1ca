//! Imports the generated DXF2 XML workload (with its metadata) into a new SQLite store file, to
//! measure the peak memory of an import with `/usr/bin/time -v`:
//!
//! ```text
//! cargo build --release --example import_mem
//! DXF2_BENCH_VALUES=3000000 target/release/examples/import_mem    # generates the files once
//! DXF2_BENCH_VALUES=1000000 /usr/bin/time -v target/release/examples/import_mem
//! DXF2_BENCH_VALUES=3000000 /usr/bin/time -v target/release/examples/import_mem
//! ```
//!
//! The XML and metadata files are generated into `target/bench-data/` by a first run if absent
//! (run once before measuring). The store is `target/bench-data/import-mem-<values>.sqlite`,
//! removed before the import and left in place after it (its size is printed); an explicit
//! store path may be given as the first argument instead. With `--null` as the first argument
//! the values go to a store that keeps nothing, to see the engine's own memory.
// Measurement driver: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/import_common/mod.rs"]
mod import_common;

use std::path::PathBuf;
use std::time::Instant;

use common::Format;

fn main() {
    let values = common::bench_values();
    let xml = common::data_file(Format::Xml, values);
    let metadata = import_common::metadata(values);
    let db = match std::env::args_os().nth(1) {
        Some(arg) if arg == "--null" => {
            let mut store = import_common::NullStore::default();
            let start = Instant::now();
            let imported = import_common::import_xml(&metadata, &xml, &mut store);
            println!(
                "imported {imported} values ({} bytes of XML) into a store that keeps nothing \
                 in {:.2?}",
                common::file_size(&xml),
                start.elapsed()
            );
            return;
        }
        Some(path) => PathBuf::from(path),
        None => common::data_dir().join(format!("import-mem-{values}.sqlite")),
    };
    let mut store = import_common::fresh_sqlite(&db);
    let start = Instant::now();
    let imported = import_common::import_xml(&metadata, &xml, &mut store);
    drop(store);
    let elapsed = start.elapsed();
    println!(
        "imported {imported} values ({} bytes of XML, metadata: {} org units, {} data elements) \
         into {} ({} bytes) in {elapsed:.2?}",
        common::file_size(&xml),
        metadata.org_units().len(),
        metadata.data_elements().len(),
        db.display(),
        common::file_size(&db),
    );
}
