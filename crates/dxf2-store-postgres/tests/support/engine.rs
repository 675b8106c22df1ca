//! Imports through the engine for the fault tests: the spread workload (`dxf2_testdata::spread`)
//! as XML, and a source that sets off a fault when the engine reads a chosen value. (The SQLite
//! store's kill test includes this file by path; it uses nothing of PostgreSQL.)

use dxf2_model::{
    DataValue, DataValueSetHeader, DataValueSource, ImportOptions, Metadata, TextPosition,
};
use dxf2_store::DataValueStore;
use dxf2_testdata::spread::{Spread, SpreadConfig, SpreadOrder};
use idscheme_resolver::MetadataResolver;
use import_engine::{ImportOutcome, Importer, UserAccess};

/// 120 facilities × 6 months × 24 data elements: 17,280 values, two of the engine's batches.
pub fn workload() -> (Spread, Metadata, Vec<u8>) {
    workload_with_seed(3)
}

/// [`workload`] with another seed (other values).
pub fn workload_with_seed(seed: u64) -> (Spread, Metadata, Vec<u8>) {
    let spread = Spread::new(SpreadConfig {
        org_units: 120,
        months: 6,
        data_elements: 24,
        seed,
    });
    let mut json = Vec::new();
    spread.write_metadata_json(&mut json).unwrap();
    let metadata = dxf2_json::metadata::read_metadata(json.as_slice()).unwrap();
    let mut xml = Vec::new();
    spread
        .write_xml(SpreadOrder::PeriodThenOrgUnit, &mut xml)
        .unwrap();
    (spread, metadata, xml)
}

/// The value at which the fault is set off: past the engine's first batch.
pub const FAULT_AT: u64 = 12_000;

/// A source that calls `hook` once, when value number [`FAULT_AT`] is read.
struct Hooked<'a, S> {
    inner: S,
    read: u64,
    hook: Option<Box<dyn FnOnce() + 'a>>,
}

impl<S: DataValueSource> DataValueSource for Hooked<'_, S> {
    type Error = S::Error;
    fn header(&self) -> &DataValueSetHeader {
        self.inner.header()
    }
    fn read_value(&mut self, record: &mut DataValue) -> Result<bool, S::Error> {
        self.read += 1;
        if self.read == FAULT_AT {
            if let Some(hook) = self.hook.take() {
                hook();
            }
        }
        self.inner.read_value(record)
    }
    fn value_position(&self) -> Option<TextPosition> {
        self.inner.value_position()
    }
}

/// Imports `xml` into `store` as `admin`, calling `hook` at value [`FAULT_AT`].
pub fn import<'a>(
    md: &Metadata,
    xml: &[u8],
    store: &mut dyn DataValueStore,
    hook: Option<Box<dyn FnOnce() + 'a>>,
) -> ImportOutcome {
    let access = UserAccess::by_username(md, "admin").unwrap();
    let importer = Importer::new(md, &access);
    let mut resolver = MetadataResolver::new(md);
    let mut source = Hooked {
        inner: dxf2_xml::Reader::new(xml).unwrap(),
        read: 0,
        hook,
    };
    importer.import(
        &mut source,
        &ImportOptions::default(),
        &mut resolver,
        store,
        &mut |_| {},
    )
}
