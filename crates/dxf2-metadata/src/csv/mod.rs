//! DHIS2's metadata CSV classes (`POST /api/metadata?classKey=…`), read into a
//! [`Document`] as DHIS2's `DefaultCsvImportService` builds its `Metadata`.
//!
//! Columns are positional (a header row is skipped unread when
//! [`CsvOptions::first_row_is_header`], the default). A blank value (missing, or only
//! whitespace) takes the column's default; values are cut to DHIS2's maximum lengths without an
//! error; a blank uid gets a new UID from the caller's [`UidGenerator`]. Objects have the field
//! names of DHIS2's metadata JSON (`id`, `shortName`, `categoryCombo: {"id": …}`, …) and no
//! nulls, so a document read from CSV imports exactly as one read from JSON. The classes, their
//! columns and quirks are in [`ClassKey`]'s variants and `metadata-spec.md` §5; in short:
//!
//! | class | reads into | notes |
//! |---|---|---|
//! | `DATA_ELEMENT` … `INDICATOR` | one object a row | defaults as DHIS2's (`INTEGER`, `SUM`, the default category combo `bjDvmb4bfuf`, opening date 1970-01-01, …) |
//! | `OPTION_SET` | `optionSets` + `options` | rows grouped by set name; the set's uid and code are the last row's |
//! | `OPTION_GROUP` | `optionGroups` | the option set and its options must be stored ([`Lookup`]) |
//! | `OPTION_GROUP_SET` | `optionGroupSets` | column 3 is dataDimension and 4 description (DHIS2's code, not its comments) |
//! | `…_MEMBERSHIP` | the groups | a group not stored drops the row; the group comes back with its members replaced |
//!
//! What fails DHIS2's whole request fails the read, naming line, column and class: a value that
//! is no constant of the Java enum DHIS2 reads with `valueOf` (valueType, aggregationType,
//! dataDimensionType of categories and combos, featureType, importance, operator,
//! missingValueStrategy — the spec names the first three; DHIS2's code reads all seven so), a date
//! that is not `yyyy-MM-dd`, coordinates GeoTools cannot read, a membership row of one column.
//! Lenient columns (domainType, a category option group's dataDimensionType, periodType)
//! leave the property out for the importer's E4000, as DHIS2 leaves it null.
//!
//! The reader follows the DHIS2 version given by [`CsvOptions::dhis2_minor_version`] (2.36 to
//! 2.44; default 2.42): `INDICATOR` exists since 2.40; an org unit's short name (column 4) and
//! an option group set's description are read since 2.37; an org unit group membership carries
//! the group's short name since 2.39; a category option group's column 4 is read since 2.41; and
//! the enum constants and period type names are each version's own.
//!
//! Where this reader differs from DHIS2 (2.36–2.44):
//!
//! * records are read with the `csv` crate rather than javacsv; values are trimmed of spaces and
//!   tabs as javacsv trims an unquoted value, so a quoted value loses its outer spaces too
//!   (javacsv keeps them); a quote after leading spaces is kept as text (javacsv opens a quoted
//!   value) and text after a closing quote is kept (javacsv drops it);
//! * objects have no `created`/`lastUpdated` (DHIS2's `setAutoFields` stamps them with the
//!   time of reading, which the importer does anyway);
//! * groups come in the order their names first appear (DHIS2's come in `HashMap` order);
//! * a data element's blank category combo is `bjDvmb4bfuf` (DHIS2 asks its database for the
//!   combo named `default`);
//! * Java's case-insensitive comparisons also fold a few non-ASCII letters (`ſ`, `ı`, the Kelvin
//!   sign); these compare ASCII letters only, and `decimals` reads ASCII digits only;
//! * DHIS2 2.36 fails the request on an `OPTION_GROUP` row whose option set is not stored (a
//!   `NullPointerException`); this reader skips the row, as 2.37 and later do.
//!
//! ```
//! use dxf2_metadata::csv::{read_csv, ClassKey, CsvOptions, NoLookup, UidGenerator};
//!
//! let csv = "name,uid,code,shortName\n\"Malaria cases\",,MAL_CASES,\n";
//! let options = CsvOptions::new(ClassKey::DataElement);
//! let mut uids = UidGenerator::seeded(1);
//! let document = read_csv(csv.as_bytes(), &options, &NoLookup, &mut uids).unwrap();
//! let de = &document.objects("dataElements")[0];
//! assert_eq!(de["shortName"], "Malaria cases");
//! assert_eq!(de["valueType"], "INTEGER");
//! assert_eq!(de["categoryCombo"]["id"], "bjDvmb4bfuf");
//! ```

mod class_key;
mod context;
mod enums;
mod error;
mod geometry;
mod lookup;
mod membership;
mod objects;
mod option_classes;
mod records;
mod uid;

use std::io::Read;

use dxf2_model::ReadLimits;

pub use class_key::ClassKey;
pub use error::CsvError;
pub use lookup::{CatalogueLookup, Lookup, NoLookup};
pub use uid::UidGenerator;

use crate::Document;
use context::Ctx;
use membership::Memberships;
use option_classes::{option_group_set, OptionGroups, OptionSets};
use records::Records;

/// How to read a metadata CSV file.
#[derive(Clone, Debug)]
pub struct CsvOptions {
    /// The class of the file (`classKey`).
    pub class_key: ClassKey,
    /// Whether the first row is a header, skipped unread (`firstRowIsHeader`, default `true`).
    pub first_row_is_header: bool,
    /// The DHIS2 2.x minor version whose reader to follow (36 to 44; default 42, the workspace's
    /// default version). Versions below 36 read as 36, above 44 as 44.
    pub dhis2_minor_version: u32,
    /// The bounds on one record and one value.
    pub limits: ReadLimits,
}

impl CsvOptions {
    /// DHIS2's defaults for `class_key`: a header row, DHIS2 2.42, the default bounds.
    pub fn new(class_key: ClassKey) -> CsvOptions {
        CsvOptions {
            class_key,
            first_row_is_header: true,
            dhis2_minor_version: 42,
            limits: ReadLimits::default(),
        }
    }

    /// The same options with `firstRowIsHeader` set.
    pub fn first_row_is_header(mut self, header: bool) -> CsvOptions {
        self.first_row_is_header = header;
        self
    }

    /// The same options for DHIS2 2.`minor`.
    pub fn dhis2_minor_version(mut self, minor: u32) -> CsvOptions {
        self.dhis2_minor_version = minor;
        self
    }

    /// The same options with other bounds.
    pub fn limits(mut self, limits: ReadLimits) -> CsvOptions {
        self.limits = limits;
        self
    }
}

/// Reads a metadata CSV file of `options.class_key`, streaming its records, into a document of
/// the objects DHIS2 would import. `lookup` answers for the stored catalogue (groups, option
/// sets, indicator types: see [`Lookup`]); `uids` gives the UIDs of blank uid columns.
///
/// Stops at the first error (see [`CsvError`]); DHIS2 fails the whole request for each of them.
pub fn read_csv<R: Read>(
    input: R,
    options: &CsvOptions,
    lookup: &dyn Lookup,
    uids: &mut UidGenerator,
) -> Result<Document, CsvError> {
    let class = options.class_key;
    let minor = options.dhis2_minor_version.clamp(36, 44);
    if minor < class.since_minor_version() {
        return Err(CsvError::ClassNotInVersion {
            class,
            since: class.since_minor_version(),
            minor,
        });
    }
    let mut records = Records::new(input, class, options.limits);
    if options.first_row_is_header {
        records.next_row()?;
    }
    let mut ctx = Ctx::new(class, minor, uids, lookup);
    let mut document = Document::new();
    match class {
        ClassKey::OptionSet => {
            let mut sets = OptionSets::default();
            while let Some(row) = records.next_row()? {
                sets.add(&mut ctx, &row);
            }
            sets.finish(&mut document);
        }
        ClassKey::OptionGroup => {
            let mut groups = OptionGroups::default();
            while let Some(row) = records.next_row()? {
                groups.add(&mut ctx, &row);
            }
            groups.finish(&mut document);
        }
        ClassKey::OptionGroupSet => {
            while let Some(row) = records.next_row()? {
                if let Some(set) = option_group_set(&mut ctx, &row) {
                    document.push("optionGroupSets", set);
                }
            }
        }
        ClassKey::DataElementGroupMembership
        | ClassKey::IndicatorGroupMembership
        | ClassKey::OrganisationUnitGroupMembership
        | ClassKey::OptionGroupSetMembership => {
            let mut memberships = Memberships::default();
            while let Some(row) = records.next_row()? {
                memberships.add(&mut ctx, &row)?;
            }
            memberships.finish(class, &mut document);
        }
        _ => {
            let key = class.collection_keys().first().copied().unwrap_or_default();
            while let Some(row) = records.next_row()? {
                if let Some(object) = objects::object(&mut ctx, &row)? {
                    document.push(key, object);
                }
            }
        }
    }
    Ok(document)
}
