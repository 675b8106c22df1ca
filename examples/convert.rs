//! Convert a DHIS2 data value set from XML to gzip-compressed CSV, as `dxf2 convert` does.
//!
//! Conversion streams: a reader fills one record at a time and a writer writes it out, with no
//! model in between ([`dxf2::io::copy`]), so a file of millions of values converts in constant
//! memory. The output goes through [`Output`]: it is written to a temporary file beside the
//! target and renamed over it only on [`Output::commit`]. A conversion that fails half way (a
//! truncated file, a full disk) therefore leaves whatever was at the target before untouched,
//! and an output that is the same file as the input is refused before anything is written.
//!
//! ```text
//! cargo run --example convert                       # the bundled example file
//! cargo run --example convert -- IN.xml OUT.csv.gz  # your own (any formats, by name)
//! ```

use std::error::Error;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use dxf2::io::{
    copy, AnyReader, AnyWriter, Compression, Copied, DecompressionLimits, Format, Input,
    OutputBuilder, ReaderOptions,
};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if let [from, to] = args.as_slice() {
        let copied = convert(from, to)?;
        println!(
            "{} → {}: {} values",
            from.display(),
            to.display(),
            copied.values
        );
        return Ok(());
    }

    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/malaria-2024-09.xml");
    let dir = std::env::temp_dir().join(format!("dxf2-example-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = demo(&from, &dir);
    std::fs::remove_dir_all(&dir)?;
    result
}

/// Converts `from` into `to`, the formats and compression taken from the names (and, for the
/// input, from its content).
fn convert(from: &Path, to: &Path) -> Result<Copied, Box<dyn Error>> {
    let mut input = Input::open(from, &DecompressionLimits::default())?;
    let format = Format::detect(None, from, input.head()?);
    let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;

    // `to` ends in `.csv.gz`: CSV, gzip-compressed. `protect` refuses an output that is the input
    // (also through a link) before anything is opened for writing.
    let output = OutputBuilder::new()
        .compression(Compression::from_path(to))
        .protect(from)
        .create(to)?;
    let mut writer = AnyWriter::new(Format::from_path(to).unwrap_or(Format::Csv), output);

    // Read → write, value by value. On an error `writer` (and the temporary file) is dropped:
    // nothing at `to` changes.
    let copied = copy(&mut reader, &mut writer)?;
    // Finish the document, flush the compressor, then rename the temporary file over `to`.
    writer.into_inner()?.commit()?;
    Ok(copied)
}

fn demo(from: &Path, dir: &Path) -> Result<(), Box<dyn Error>> {
    let to = dir.join("malaria-2024-09.csv.gz");
    let copied = convert(from, &to)?;
    println!(
        "converted {} values: {} ({} bytes) → {} ({} bytes)",
        copied.values,
        from.display(),
        std::fs::metadata(from)?.len(),
        to.display(),
        std::fs::metadata(&to)?.len()
    );

    // Read the first lines back (Input decompresses: it recognises the gzip magic bytes).
    let input = Input::open(&to, &DecompressionLimits::default())?;
    println!("first lines of the CSV (the XML header's period is copied into each row):");
    for line in input.lines().take(3) {
        println!("  {}", line?);
    }

    // A conversion that fails: a file cut off in the middle of a value. The error names where;
    // the CSV written before is still there, unchanged.
    let broken = dir.join("broken.xml");
    std::fs::write(
        &broken,
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="202409">
  <dataValue dataElement="MAL_CONF" orgUnit="KA_HC1" value="14"/>
  <dataValue dataElement="MAL_RDT" orgUnit="KA_"#,
    )?;
    let before = std::fs::read(&to)?;
    match convert(&broken, &to) {
        Ok(_) => return Err("the broken file converted".into()),
        Err(e) => println!("converting {} failed: {e}", broken.display()),
    }
    let kept = std::fs::read(&to)? == before;
    println!("the earlier output is untouched: {kept}");
    if !kept {
        return Err("a failed conversion changed its output".into());
    }

    // Writing over the input itself is refused before anything is written.
    match convert(&to, &to) {
        Ok(_) => return Err("an input was overwritten".into()),
        Err(e) => println!("converting a file onto itself is refused: {e}"),
    }
    Ok(())
}
