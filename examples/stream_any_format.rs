//! Stream the values of a data value set file of any format, and count them per data element.
//!
//! A DHIS2 "data value set" is a list of data values: each one says which *data element* (what
//! was counted, e.g. "confirmed malaria cases"), for which *period* (`202409` = September 2024),
//! at which *organisation unit* (a health facility), and the value itself. DHIS2 exchanges it as
//! XML, JSON or CSV, often gzip- or zip-compressed.
//!
//! The reader here does not need to know any of that in advance: [`Input`] opens the file and
//! recognises gzip and zip by their first bytes (decompressing within bounds, so a
//! decompression bomb is refused), [`Format::detect`] picks XML, JSON or CSV (from the name,
//! else from the content), and [`AnyReader`] streams the values into one reused record: memory
//! stays the same whatever the size of the file.
//!
//! ```text
//! cargo run --example stream_any_format                 # the bundled example file, plain and gzip
//! cargo run --example stream_any_format -- FILE [FILE…] # your own files (.xml, .json, .csv, .gz, .zip)
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

use dxf2::io::{
    AnyReader, Compression, DecompressionLimits, Format, Input, OutputBuilder, ReaderOptions,
};
use dxf2::model::{DataValue, DataValueSource};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if !args.is_empty() {
        for path in &args {
            count_per_data_element(path)?;
        }
        return Ok(());
    }

    // No argument: the bundled monthly malaria report, then the same bytes gzip-compressed under
    // a name that says nothing about the format (the content tells).
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/malaria-2024-09.xml");
    count_per_data_element(&example)?;

    let dir = std::env::temp_dir().join(format!("dxf2-example-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let gzipped = dir.join("report.gz");
    let mut output = OutputBuilder::new()
        .compression(Compression::Gzip)
        .create(&gzipped)?;
    output.write_all(&std::fs::read(&example)?)?;
    output.commit()?;
    let result = count_per_data_element(&gzipped);
    std::fs::remove_dir_all(&dir)?;
    result
}

/// Reads every value of `path` and prints how many there are per data element.
fn count_per_data_element(path: &Path) -> Result<(), Box<dyn Error>> {
    // Open: plain, gzip or zip, told apart by the magic bytes, as DHIS2 does.
    let mut input = Input::open(path, &DecompressionLimits::default())?;
    let compression = input.compression();
    // The format: the name first (`.xml`, `.json`, `.csv`, also under `.gz`/`.zip`), else the
    // first bytes of the (decompressed) content.
    let format = Format::detect(None, path, input.head()?);
    let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;

    // The set header (XML and JSON may give a data set, period, org unit for every value).
    let header = reader.header();
    println!(
        "{}: {format}, compression {compression}, header period {:?}, data set {:?}",
        path.display(),
        header.period,
        header.data_set
    );

    // One record, reused for every value: the reader clears and refills it.
    let mut value = DataValue::new();
    let mut per_data_element: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0u64;
    while reader.read_value(&mut value)? {
        total += 1;
        // Identifiers are kept exactly as written (here DHIS2 codes such as `MAL_CONF`).
        let data_element = value.data_element().unwrap_or("(none)");
        match per_data_element.get_mut(data_element) {
            Some(count) => *count += 1,
            None => {
                per_data_element.insert(data_element.to_owned(), 1);
            }
        }
    }
    println!("  {total} values");
    for (data_element, count) in &per_data_element {
        println!("  {data_element:<12} {count}");
    }
    Ok(())
}
