//! Import a facility's monthly report into an embedded SQLite store, as a DHIS2 2.42 server would.
//!
//! The steps a host program takes:
//!
//! 1. load the district's *metadata* (what may be reported: org units, data elements, category
//!    option combos, data sets, users) into the store, once;
//! 2. for each report: load the metadata back, choose who imports (DHIS2 checks that the user
//!    may write to the data set and the facility), and import: identifiers are resolved, every
//!    value is validated with DHIS2's rules and error codes, and the valid ones are written in
//!    one SQLite transaction;
//! 3. look at DHIS2's import summary: counts, and one *conflict* per problem.
//!
//! The bundled report has one bad value on purpose (`many` for an integer): the summary says
//! `WARNING`, with DHIS2's conflict for it, and the other values are stored. Importing the same
//! report again changes nothing.
//!
//! ```text
//! cargo run --example import_sqlite
//! ```

use std::error::Error;
use std::path::Path;

use dxf2::engine::{Importer, MetadataStore, UserAccess};
use dxf2::model::{ImportOptions, ImportSummary};
use dxf2::resolver::MetadataResolver;
use dxf2::sqlite::SqliteStore;

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let dir = std::env::temp_dir().join(format!("dxf2-example-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&data, &dir.join("district.sqlite"));
    std::fs::remove_dir_all(&dir)?;
    result
}

fn run(data: &Path, db: &Path) -> Result<(), Box<dyn Error>> {
    // 1. Metadata into the store (a DHIS2 metadata export, `GET /api/metadata`, as JSON).
    let mut store = SqliteStore::open(db)?; // created when missing
    let metadata = dxf2::json::metadata::read_metadata(std::fs::File::open(
        data.join("malaria-metadata.json"),
    )?)?;
    store.save_metadata(&metadata)?;
    println!("metadata saved into {}", db.display());

    // 2. A report, imported as the district's clerk (a user of the metadata).
    for attempt in ["first import", "the same report again"] {
        let metadata = store.load_metadata()?;
        let access = UserAccess::by_username(&metadata, "kasungu.clerk")
            .ok_or("no user kasungu.clerk in the metadata")?;
        let importer = Importer::new(&metadata, &access);
        let mut resolver = MetadataResolver::new(&metadata);
        let file = std::io::BufReader::new(std::fs::File::open(data.join("malaria-2024-09.xml"))?);
        // The report names objects by code: its header says `idScheme="CODE"`, which the import
        // applies (DHIS2's precedence: the request's schemes, else the payload's).
        let mut reader = dxf2::xml::Reader::new(file)?;
        let outcome = importer.import(
            &mut reader,
            &ImportOptions::default(),
            &mut resolver,
            &mut store,
            &mut |_| {},
        );
        println!("== {attempt}");
        print_summary(&outcome.summary);
        if let Some(failure) = &outcome.failure {
            return Err(format!("the import failed: {failure}").into());
        }
    }
    println!("the store holds {} data values", store.value_count()?);

    // 3. DHIS2's own summary document, as `POST /api/dataValueSets` answers it.
    let metadata = store.load_metadata()?;
    let access = UserAccess::by_username(&metadata, "kasungu.clerk")
        .ok_or("no user kasungu.clerk in the metadata")?;
    // Check only: the engine rolls the store's transaction back.
    let options = ImportOptions::builder().dry_run(true).build();
    let file = std::io::BufReader::new(std::fs::File::open(data.join("malaria-2024-09.xml"))?);
    let outcome = Importer::new(&metadata, &access).import(
        &mut dxf2::xml::Reader::new(file)?,
        &options,
        &mut MetadataResolver::new(&metadata),
        &mut store,
        &mut |_| {},
    );
    let mut json = Vec::new();
    dxf2::json::write_import_summary(&mut json, &outcome.summary)?;
    println!(
        "a dry run's summary as DHIS2's JSON:\n{}",
        String::from_utf8(json)?
    );
    Ok(())
}

fn print_summary(summary: &ImportSummary) {
    let count = summary.import_count;
    println!(
        "status {}: imported {}, updated {}, ignored {}, deleted {}",
        summary.status, count.imported, count.updated, count.ignored, count.deleted
    );
    for conflict in &summary.conflicts {
        println!(
            "  {} ({}), values {:?}: {}",
            conflict.error_code.as_deref().unwrap_or("-"),
            conflict.property.as_deref().unwrap_or("-"),
            conflict.indexes.as_deref().unwrap_or_default(),
            conflict.value
        );
    }
}
