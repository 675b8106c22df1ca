//! Running corpus payloads through the import engine against our fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, ImportOptions, ImportSummary, Metadata, Period,
    Uid,
};
use idscheme_resolver::MetadataResolver;
use import_engine::store::{DataValueKey, StoredValue};
use import_engine::{AccessPolicy, DataValueStore, ImportOutcome, Importer, UserAccess};

/// The instant the scenario imports pretend to run at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
        .single()
        .unwrap()
}

/// Loads one of our fixtures (the workspace's `tests/fixtures/<name>`).
pub fn fixture(name: &str) -> Metadata {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
    dxf2_json::metadata::read_metadata(File::open(&path).unwrap()).unwrap()
}

/// Any reader, chosen by extension.
pub enum Source {
    Xml(dxf2_xml::Reader<BufReader<File>>),
    Csv(dxf2_csv::Reader<BufReader<File>>),
    Json(dxf2_json::Reader<BufReader<File>>),
    Bytes(dxf2_xml::Reader<&'static [u8]>),
    JsonBytes(dxf2_json::Reader<&'static [u8]>),
    CsvBytes(dxf2_csv::Reader<&'static [u8]>),
}

impl Source {
    /// An XML payload held in memory.
    pub fn xml(text: &str) -> Source {
        Source::Bytes(dxf2_xml::Reader::new(leak(text)).unwrap())
    }
    /// A JSON payload held in memory.
    pub fn json(text: &str) -> Source {
        Source::JsonBytes(dxf2_json::Reader::new(leak(text)).unwrap())
    }
    /// A CSV payload held in memory, read with the options' CSV settings.
    pub fn csv(text: &str, options: &ImportOptions) -> Source {
        Source::CsvBytes(
            dxf2_csv::ReaderBuilder::from_options(options)
                .from_reader(leak(text))
                .unwrap(),
        )
    }
}

fn leak(text: &str) -> &'static [u8] {
    Box::leak(text.to_owned().into_boxed_str()).as_bytes()
}

#[derive(Debug)]
pub struct AnyError(pub String);
impl std::fmt::Display for AnyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for AnyError {}

impl DataValueSource for Source {
    type Error = AnyError;
    fn header(&self) -> &DataValueSetHeader {
        match self {
            Source::Xml(r) => r.header(),
            Source::Csv(r) => DataValueSource::header(r),
            Source::Json(r) => r.header(),
            Source::Bytes(r) => r.header(),
            Source::JsonBytes(r) => r.header(),
            Source::CsvBytes(r) => DataValueSource::header(r),
        }
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, AnyError> {
        let e = |e: &dyn std::fmt::Display| AnyError(e.to_string());
        match self {
            Source::Xml(r) => r.read_value(record).map_err(|x| e(&x)),
            Source::Csv(r) => r.read_value(record).map_err(|x| e(&x)),
            Source::Json(r) => r.read_value(record).map_err(|x| e(&x)),
            Source::Bytes(r) => r.read_value(record).map_err(|x| e(&x)),
            Source::JsonBytes(r) => r.read_value(record).map_err(|x| e(&x)),
            Source::CsvBytes(r) => r.read_value(record).map_err(|x| e(&x)),
        }
    }
}

/// Opens a payload with the readers of `options.profile`.
pub fn open(path: &Path, options: &ImportOptions) -> Source {
    let file = BufReader::new(File::open(path).unwrap());
    match path.extension().and_then(|e| e.to_str()) {
        Some("xml") => Source::Xml(dxf2_xml::Reader::with_profile(file, options.profile).unwrap()),
        Some("json") => {
            Source::Json(dxf2_json::Reader::with_profile(file, options.profile).unwrap())
        }
        Some("csv") => Source::Csv(
            dxf2_csv::ReaderBuilder::from_options(options)
                .from_reader(file)
                .unwrap(),
        ),
        other => panic!("unknown payload type {other:?}"),
    }
}

/// Imports `source` as `username` (a user of the metadata), or as a superuser when `None`.
pub fn import_source(
    md: &Metadata,
    username: Option<&str>,
    source: &mut Source,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportOutcome {
    let superuser = import_engine::Superuser::default();
    let user;
    let access: &dyn AccessPolicy = match username {
        Some(name) => {
            user = UserAccess::by_username(md, name).unwrap();
            &user
        }
        None => &superuser,
    };
    let importer = Importer::new(md, access).with_now(now());
    let mut resolver = MetadataResolver::new(md);
    importer.import(source, options, &mut resolver, store, &mut |_| {})
}

/// Imports a corpus file.
pub fn import_file(
    md: &Metadata,
    username: Option<&str>,
    path: &Path,
    options: &ImportOptions,
    store: &mut dyn DataValueStore,
) -> ImportSummary {
    let mut source = open(path, options);
    import_source(md, username, &mut source, options, store).summary
}

/// The error code (empty for a legacy conflict) and the indexes of each conflict.
pub fn codes(s: &ImportSummary) -> Vec<(String, Vec<i64>)> {
    s.conflicts
        .iter()
        .map(|c| {
            (
                c.error_code.clone().unwrap_or_default(),
                c.indexes.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// `(imported, updated, deleted, ignored)`.
pub fn counts(s: &ImportSummary) -> (u64, u64, u64, u64) {
    let c = s.import_count;
    (c.imported, c.updated, c.deleted, c.ignored)
}

pub fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

pub fn key(de: &str, pe: &str, ou: &str, coc: &str, aoc: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(de),
        period: pe.parse::<Period>().unwrap(),
        org_unit: uid(ou),
        category_option_combo: uid(coc),
        attribute_option_combo: uid(aoc),
    }
}

/// Every live (not soft-deleted) stored row of the metadata's data elements.
pub fn stored(store: &mut dyn DataValueStore, md: &Metadata) -> Vec<StoredValue> {
    rows(store, md, false)
}

/// Every stored row, soft-deleted ones included.
pub fn all_rows(store: &mut dyn DataValueStore, md: &Metadata) -> Vec<StoredValue> {
    rows(store, md, true)
}

fn rows(store: &mut dyn DataValueStore, md: &Metadata, include_deleted: bool) -> Vec<StoredValue> {
    let query = import_engine::store::ValueQuery {
        data_elements: md.data_elements().iter().map(|d| d.id.uid).collect(),
        include_deleted,
        ..Default::default()
    };
    let mut rows = Vec::new();
    store
        .query(&query, &mut |r| {
            rows.push(r.clone());
            Ok(())
        })
        .unwrap();
    rows
}
