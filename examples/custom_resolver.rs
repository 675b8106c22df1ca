//! A host program's own identifier resolution: facilities named by the host's own ids.
//!
//! DHIS2 names every object by an 11-character UID (`KaHealthC01`); a payload may instead use
//! codes, names or attribute values, chosen by its *id schemes* (`idScheme=CODE`, …). The import
//! engine turns whatever the payload says into UIDs through a [`Resolver`].
//!
//! Here the host keeps its own mapping table, from the facility ids of its national register
//! (`MW-KSG-001`) to DHIS2 org unit UIDs. Its resolver answers org units from that table and
//! asks the catalogue's [`MetadataResolver`] for everything else, so a facility can send its
//! report with the ids it knows. An id that is in neither gives DHIS2's usual conflict (the
//! value is ignored, the rest imported).
//!
//! ```text
//! cargo run --example custom_resolver
//! ```

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use dxf2::engine::{Importer, MemoryStore, Superuser};
use dxf2::model::{IdScheme, ImportOptions, ObjectKind, Uid};
use dxf2::resolver::{MetadataResolver, ResolveError, Resolver};

/// Org units from the host's table; the rest from the metadata catalogue.
struct RegisterResolver<'m> {
    /// Host facility id → DHIS2 UID.
    facilities: HashMap<String, Uid>,
    /// DHIS2 UID → host facility id (for exports in the host's ids).
    facility_ids: HashMap<Uid, String>,
    catalogue: MetadataResolver<'m>,
}

impl<'m> RegisterResolver<'m> {
    fn new(rows: &[(&str, &str)], catalogue: MetadataResolver<'m>) -> Result<Self, Box<dyn Error>> {
        let mut facilities = HashMap::new();
        let mut facility_ids = HashMap::new();
        for (facility, uid) in rows {
            let uid = Uid::parse(uid)?;
            facilities.insert((*facility).to_owned(), uid);
            facility_ids.insert(uid, (*facility).to_owned());
        }
        Ok(RegisterResolver {
            facilities,
            facility_ids,
            catalogue,
        })
    }
}

impl Resolver for RegisterResolver<'_> {
    fn resolve(
        &self,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, ResolveError> {
        if kind == ObjectKind::OrganisationUnit {
            if let Some(uid) = self.facilities.get(key) {
                return Ok(Some(*uid));
            }
        }
        // `Ok(None)` means "not found" (a conflict on that value); `Err` would fail the whole
        // import, as DHIS2 does for an ambiguous code.
        self.catalogue.resolve(kind, scheme, key)
    }

    fn preheat(&mut self, kind: ObjectKind, scheme: &IdScheme) -> Result<(), ResolveError> {
        // The host's table is a hash map already; the catalogue builds its tables.
        self.catalogue.preheat(kind, scheme)
    }

    fn identifier(&self, kind: ObjectKind, scheme: &IdScheme, uid: &Uid) -> Option<&str> {
        if kind == ObjectKind::OrganisationUnit {
            if let Some(id) = self.facility_ids.get(uid) {
                return Some(id);
            }
        }
        self.catalogue.identifier(kind, scheme, uid)
    }
}

/// A report as the facilities send it: data elements and category option combos by their DHIS2
/// codes, facilities by their register ids (the last one is not in the register).
const REPORT: &str = "\
dataelement,period,orgunit,catoptcombo,attroptcombo,value
MAL_CONF,202409,MW-KSG-001,F,,14
MAL_CONF,202409,MW-KSG-001,M,,11
MAL_RDT,202409,MW-KSG-001,,,61
MAL_RDT,202409,MW-KSG-002,,,40
MAL_RDT,202409,MW-KSG-999,,,12
";

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let metadata = dxf2::json::metadata::read_metadata(std::fs::File::open(
        data.join("malaria-metadata.json"),
    )?)?;

    // The host's register (in a real host: rows of its own database).
    let register = [
        ("MW-KSG-001", "KaHealthC01"),
        ("MW-KSG-002", "ChamHealth1"),
        ("MW-KSG-003", "SantheHC001"),
    ];
    let mut resolver = RegisterResolver::new(&register, MetadataResolver::new(&metadata))?;

    // The payload uses codes: say so with the request's id scheme (CSV has no header to say it).
    let options = ImportOptions::builder().id_scheme(IdScheme::Code).build();

    let access = Superuser::default();
    let importer = Importer::new(&metadata, &access);
    let mut store = MemoryStore::new();
    let mut reader = dxf2::csv::Reader::from_reader(REPORT.as_bytes())?;
    let outcome = importer.import(
        &mut reader,
        &options,
        &mut resolver,
        &mut store,
        &mut |_| {},
    );

    let summary = &outcome.summary;
    println!(
        "{}: {} imported, {} ignored; {} values stored",
        summary.status,
        summary.import_count.imported,
        summary.import_count.ignored,
        store.len()
    );
    for conflict in &summary.conflicts {
        println!(
            "  conflict {} on values {:?}: {}",
            conflict.error_code.as_deref().unwrap_or("-"),
            conflict.indexes.as_deref().unwrap_or_default(),
            conflict.value
        );
    }
    // And back: the host's id of a DHIS2 org unit, for an export in the host's ids.
    let uid = Uid::parse("ChamHealth1")?;
    println!(
        "{uid} is {:?} in the register",
        resolver.identifier(ObjectKind::OrganisationUnit, &IdScheme::Code, &uid)
    );
    if summary.import_count.imported != 4 || summary.conflicts.len() != 1 {
        return Err("unexpected import result".into());
    }
    Ok(())
}
