//! Metadata in the store: org units (with their parent as an id), data elements and category
//! option combos in tables of their own (the id tables of the values' keys), the other kinds as
//! one JSON object per `metadata_object` row; loaded into a [`Metadata`] with its hierarchy
//! computed, saved by kind and UID, and the check that the stored org units form a hierarchy.

use dxf2_model::metadata::{CategoryOptionCombo, DataElement, Identity, OrganisationUnit};
use dxf2_model::{Metadata, ValueType};
use dxf2_store::{MetadataStore, StoreError};
use rusqlite::{params, Connection, Row};

use crate::columns::{db, integer, opt_integer, opt_text, text};
use crate::text::{parse_date, parse_uid};
use crate::SqliteStore;
use dxf2_store::metadata_json::{
    self, attribute_values_text, read_attribute_values, read_sharing, read_uids, sharing_text,
    uids_text, CATEGORY_OPTION_COMBOS, DATA_ELEMENTS, ORG_UNITS,
};

pub(crate) const UPSERT_METADATA: &str =
    "INSERT INTO metadata_object (kind, uid, json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (kind, uid) DO UPDATE SET json = excluded.json";

const SELECT_ORG_UNITS: &str =
    "SELECT o.uid, o.code, o.name, p.uid, o.openingdate, o.closeddate, o.attributevalues \
     FROM organisationunit o LEFT JOIN organisationunit p ON p.organisationunitid = o.parentid \
     WHERE o.saved IS NOT NULL ORDER BY o.saved";

const UPDATE_ORG_UNIT: &str =
    "UPDATE organisationunit SET saved = coalesce(saved, ?2), code = ?3, name = ?4, \
     parentid = ?5, openingdate = ?6, closeddate = ?7, attributevalues = ?8 \
     WHERE organisationunitid = ?1";

const SELECT_DATA_ELEMENTS: &str =
    "SELECT uid, code, name, valuetype, aggregationtype, domaintype, zeroissignificant, \
     categorycombo, optionset, commentoptionset, sharing, attributevalues \
     FROM dataelement WHERE saved IS NOT NULL ORDER BY saved";

const UPDATE_DATA_ELEMENT: &str =
    "UPDATE dataelement SET saved = coalesce(saved, ?2), code = ?3, name = ?4, valuetype = ?5, \
     aggregationtype = ?6, domaintype = ?7, zeroissignificant = ?8, categorycombo = ?9, \
     optionset = ?10, commentoptionset = ?11, sharing = ?12, attributevalues = ?13 \
     WHERE dataelementid = ?1";

const SELECT_OPTION_COMBOS: &str =
    "SELECT uid, code, name, categorycombo, categoryoptions, ignoreapproval, attributevalues \
     FROM categoryoptioncombo WHERE saved IS NOT NULL ORDER BY saved";

const UPDATE_OPTION_COMBO: &str =
    "UPDATE categoryoptioncombo SET saved = coalesce(saved, ?2), code = ?3, name = ?4, \
     categorycombo = ?5, categoryoptions = ?6, ignoreapproval = ?7, attributevalues = ?8 \
     WHERE categoryoptioncomboid = ?1";

impl MetadataStore for SqliteStore {
    /// The stored metadata, finished as every catalogue is ([`Metadata::finish`]: DHIS2's defaults
    /// added, default UIDs remapped, the org unit hierarchy computed); an empty catalogue when
    /// nothing was saved. Fails with
    /// [`StoreError::Hierarchy`] when the stored org units form a cycle (which this version never
    /// saves).
    fn load_metadata(&mut self) -> Result<Metadata, StoreError> {
        self.current()?;
        let mut metadata = Metadata::new();
        read_org_units(&self.conn, &mut metadata, true)?;
        read_data_elements(&self.conn, &mut metadata)?;
        read_option_combos(&self.conn, &mut metadata)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, uid, json FROM metadata_object ORDER BY rowid")
            .map_err(db("reading metadata"))?;
        let mut rows = stmt.query([]).map_err(db("reading metadata"))?;
        while let Some(r) = rows.next().map_err(db("reading metadata"))? {
            metadata_json::add_object(
                &mut metadata,
                text(r, 0, "metadata_object", "kind")?,
                text(r, 1, "metadata_object", "uid")?,
                text(r, 2, "metadata_object", "json")?,
            )?;
        }
        if !metadata.is_empty() {
            metadata.finish()?;
        }
        Ok(metadata)
    }

    fn save_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        self.in_transaction(|store| {
            store.write_metadata(metadata)?;
            store.check_hierarchy()
        })
    }
}

impl SqliteStore {
    /// Writes every object of `metadata` (inside a write transaction).
    pub(crate) fn write_metadata(&mut self, metadata: &Metadata) -> Result<(), StoreError> {
        let conn = &self.conn;
        let keys = &mut self.keys;
        if !metadata.org_units().is_empty() {
            let first = next_saved(conn, "organisationunit")?;
            let mut stmt = conn
                .prepare_cached(UPDATE_ORG_UNIT)
                .map_err(db("writing org units"))?;
            for (order, o) in (first..).zip(metadata.org_units()) {
                let id = keys.org_units.get_or_create(conn, &o.id.uid)?;
                let parent = match &o.parent {
                    Some(p) => Some(keys.org_units.get_or_create(conn, p)?),
                    None => None,
                };
                stmt.execute(params![
                    id,
                    order,
                    o.id.code,
                    o.id.name,
                    parent,
                    o.opening_date.map(|d| d.to_string()),
                    o.closed_date.map(|d| d.to_string()),
                    attribute_values_text(&o.id.attribute_values),
                ])
                .map_err(db("writing org units"))?;
            }
        }
        if !metadata.data_elements().is_empty() {
            let first = next_saved(conn, "dataelement")?;
            let mut stmt = conn
                .prepare_cached(UPDATE_DATA_ELEMENT)
                .map_err(db("writing data elements"))?;
            for (order, o) in (first..).zip(metadata.data_elements()) {
                let id = keys.data_elements.get_or_create(conn, &o.id.uid)?;
                stmt.execute(params![
                    id,
                    order,
                    o.id.code,
                    o.id.name,
                    o.value_type.name(),
                    o.aggregation_type,
                    o.domain_type,
                    o.zero_is_significant,
                    o.category_combo.as_str(),
                    o.option_set.as_ref().map(|u| u.as_str()),
                    o.comment_option_set.as_ref().map(|u| u.as_str()),
                    sharing_text(&o.sharing),
                    attribute_values_text(&o.id.attribute_values),
                ])
                .map_err(db("writing data elements"))?;
            }
        }
        if !metadata.category_option_combos().is_empty() {
            let first = next_saved(conn, "categoryoptioncombo")?;
            let mut stmt = conn
                .prepare_cached(UPDATE_OPTION_COMBO)
                .map_err(db("writing category option combos"))?;
            for (order, o) in (first..).zip(metadata.category_option_combos()) {
                let id = keys.option_combos.get_or_create(conn, &o.id.uid)?;
                stmt.execute(params![
                    id,
                    order,
                    o.id.code,
                    o.id.name,
                    o.category_combo.as_str(),
                    uids_text(&o.options),
                    o.ignore_approval,
                    attribute_values_text(&o.id.attribute_values),
                ])
                .map_err(db("writing category option combos"))?;
            }
        }
        let mut stmt = conn
            .prepare_cached(UPSERT_METADATA)
            .map_err(db("writing metadata"))?;
        metadata_json::for_each_object(metadata, false, &mut |kind, uid, json| {
            stmt.execute(params![kind, uid.as_str(), json.to_string()])
                .map_err(db("writing metadata"))?;
            Ok(())
        })
    }

    /// Checks that the stored org units' parents form a hierarchy (no cycle).
    pub(crate) fn check_hierarchy(&mut self) -> Result<(), StoreError> {
        let mut units = Metadata::new();
        read_org_units(&self.conn, &mut units, false)?;
        units.compute_hierarchy()?;
        Ok(())
    }
}

/// The `saved` number the next object first saved into `table` gets.
fn next_saved(conn: &Connection, table: &str) -> Result<i64, StoreError> {
    let max: Option<i64> = conn
        .query_row(&format!("SELECT max(saved) FROM {table}"), [], |r| r.get(0))
        .map_err(db("writing metadata"))?;
    Ok(max.unwrap_or(0) + 1)
}

/// `e`, a problem of the row of `uid` in `table`, saying which row it is.
fn in_row(table: &str, uid: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Incompatible(message) => {
            StoreError::Incompatible(format!("{table} `{uid}`: {message}"))
        }
        other => other,
    }
}

/// The identity of a row of `table` (objects of `kind`) whose columns `first`… are uid, code
/// and name, and whose column `attributes` holds its attribute values.
fn identity(
    r: &Row<'_>,
    table: &str,
    kind: &str,
    first: usize,
    attributes: usize,
) -> Result<Identity, StoreError> {
    let uid_text = text(r, first, table, "uid")?;
    Ok(Identity {
        uid: parse_uid(uid_text, table, "uid")?,
        code: opt_text(r, first + 1, table, "code")?.map(str::to_owned),
        name: opt_text(r, first + 2, table, "name")?.map(str::to_owned),
        attribute_values: read_attribute_values(
            opt_text(r, attributes, table, "attributevalues")?,
            kind,
            uid_text,
        )?,
    })
}

/// Adds the saved org units to `metadata` (only their UIDs and parents unless `full`).
fn read_org_units(
    conn: &Connection,
    metadata: &mut Metadata,
    full: bool,
) -> Result<(), StoreError> {
    const TABLE: &str = "organisationunit";
    let mut stmt = conn
        .prepare_cached(SELECT_ORG_UNITS)
        .map_err(db("reading org units"))?;
    let mut rows = stmt.query([]).map_err(db("reading org units"))?;
    while let Some(r) = rows.next().map_err(db("reading org units"))? {
        let uid = text(r, 0, TABLE, "uid")?;
        let unit = (|| {
            let parent = opt_text(r, 3, TABLE, "parentid")?
                .map(|p| parse_uid(p, TABLE, "parentid"))
                .transpose()?;
            let date = |i: usize, column: &str| -> Result<_, StoreError> {
                opt_text(r, i, TABLE, column)?
                    .map(|d| parse_date(d, TABLE, column))
                    .transpose()
            };
            Ok(if full {
                OrganisationUnit {
                    id: identity(r, TABLE, ORG_UNITS, 0, 6)?,
                    parent,
                    opening_date: date(4, "openingdate")?,
                    closed_date: date(5, "closeddate")?,
                }
            } else {
                OrganisationUnit::new(Identity::new(parse_uid(uid, TABLE, "uid")?), parent)
            })
        })()
        .map_err(|e| in_row(TABLE, uid, e))?;
        metadata.add_org_unit(unit);
    }
    Ok(())
}

/// Adds the saved data elements to `metadata`.
fn read_data_elements(conn: &Connection, metadata: &mut Metadata) -> Result<(), StoreError> {
    const TABLE: &str = "dataelement";
    let mut stmt = conn
        .prepare_cached(SELECT_DATA_ELEMENTS)
        .map_err(db("reading data elements"))?;
    let mut rows = stmt.query([]).map_err(db("reading data elements"))?;
    while let Some(r) = rows.next().map_err(db("reading data elements"))? {
        let uid = text(r, 0, TABLE, "uid")?;
        let element = (|| {
            let value_type_name = text(r, 3, TABLE, "valuetype")?;
            let value_type = ValueType::from_name(value_type_name).ok_or_else(|| {
                StoreError::Incompatible(format!(
                    "column `valuetype` holds `{value_type_name}`, expected a value type name"
                ))
            })?;
            let opt_uid = |i: usize, column: &str| -> Result<_, StoreError> {
                opt_text(r, i, TABLE, column)?
                    .map(|u| parse_uid(u, TABLE, column))
                    .transpose()
            };
            Ok(DataElement {
                id: identity(r, TABLE, DATA_ELEMENTS, 0, 11)?,
                value_type,
                aggregation_type: text(r, 4, TABLE, "aggregationtype")?.to_owned(),
                domain_type: text(r, 5, TABLE, "domaintype")?.to_owned(),
                zero_is_significant: integer(r, 6, TABLE, "zeroissignificant")? != 0,
                category_combo: parse_uid(
                    text(r, 7, TABLE, "categorycombo")?,
                    TABLE,
                    "categorycombo",
                )?,
                option_set: opt_uid(8, "optionset")?,
                comment_option_set: opt_uid(9, "commentoptionset")?,
                sharing: read_sharing(opt_text(r, 10, TABLE, "sharing")?, DATA_ELEMENTS, uid)?,
            })
        })()
        .map_err(|e| in_row(TABLE, uid, e))?;
        metadata.add_data_element(element);
    }
    Ok(())
}

/// Adds the saved category option combos to `metadata`.
fn read_option_combos(conn: &Connection, metadata: &mut Metadata) -> Result<(), StoreError> {
    const TABLE: &str = "categoryoptioncombo";
    let mut stmt = conn
        .prepare_cached(SELECT_OPTION_COMBOS)
        .map_err(db("reading category option combos"))?;
    let mut rows = stmt
        .query([])
        .map_err(db("reading category option combos"))?;
    while let Some(r) = rows.next().map_err(db("reading category option combos"))? {
        let uid = text(r, 0, TABLE, "uid")?;
        let combo = (|| {
            Ok(CategoryOptionCombo {
                id: identity(r, TABLE, CATEGORY_OPTION_COMBOS, 0, 6)?,
                category_combo: parse_uid(
                    text(r, 3, TABLE, "categorycombo")?,
                    TABLE,
                    "categorycombo",
                )?,
                options: read_uids(
                    opt_text(r, 4, TABLE, "categoryoptions")?,
                    CATEGORY_OPTION_COMBOS,
                    uid,
                    "categoryOptions",
                )?,
                ignore_approval: opt_integer(r, 5, TABLE, "ignoreapproval")?.unwrap_or(0) != 0,
            })
        })()
        .map_err(|e| in_row(TABLE, uid, e))?;
        metadata.add_category_option_combo(combo);
    }
    Ok(())
}
