//! `idscheme-resolver`: turns the identifiers a DXF2 payload uses into UIDs, and UIDs back into
//! identifiers for export, under DHIS2's id schemes (`UID`, `CODE`, `NAME`, `ATTRIBUTE:<uid>`,
//! `ID`, `UUID`).
//!
//! [`Resolver`] is the interface the import engine speaks; [`MetadataResolver`] implements it over
//! an in-memory [`Metadata`] catalogue. Lookups follow DHIS2's classic data value importer
//! (`IdentifiableObjectManager` lookups by `IdScheme`):
//!
//! | scheme | payload identifier → UID |
//! |---|---|
//! | `UID` | exact, case-sensitive; a key that is not UID-shaped is simply not found |
//! | `CODE` | exact, case-sensitive; several matches → [`ResolveError::Ambiguous`] |
//! | `NAME` | exact, case-sensitive; several matches → [`ResolveError::Ambiguous`] (**stricter than DHIS2**, which silently takes the first row of a name-ordered query) |
//! | `ATTRIBUTE:<uid>` | the attribute must exist ([`ResolveError::AttributeNotFound`]); if it is not `unique` nothing is found (as DHIS2); two objects with the value → [`ResolveError::Ambiguous`] |
//! | `ID` | numeric database ids: a key that is not an integer → [`ResolveError::InvalidNumericId`]; an integer is never found (an offline catalogue has no database ids) |
//! | `UUID` | [`ResolveError::UnsupportedScheme`] |
//!
//! An empty key is never looked up (DHIS2 treats it as "not specified"): it resolves to
//! `Ok(None)` under every scheme. Keys are looked up exactly as given; the caller trims.
//!
//! Lookups are fast once a `(kind, scheme)` pair is *preheated* ([`MetadataResolver::preheat`]):
//! one FxHash of the key, no allocation. Without preheating the answer is the same, found by a
//! linear scan of the catalogue.
//!
//! ```
//! use dxf2_model::metadata::{DataElement, Identity, Sharing, DEFAULT_CATEGORY_COMBO_UID};
//! use dxf2_model::{IdScheme, Metadata, ObjectKind, Uid, ValueType};
//! use idscheme_resolver::{MetadataResolver, Resolver};
//!
//! let uid = Uid::parse("f7n9E0hX8qk").unwrap();
//! let mut metadata = Metadata::new();
//! metadata.add_data_element(DataElement {
//!     id: Identity { code: Some("DE_ANC1".into()), name: Some("ANC 1st visit".into()), ..Identity::new(uid) },
//!     value_type: ValueType::Text,
//!     aggregation_type: "SUM".into(),
//!     domain_type: "AGGREGATE".into(),
//!     zero_is_significant: false,
//!     category_combo: Uid::parse(DEFAULT_CATEGORY_COMBO_UID).unwrap(),
//!     option_set: None,
//!     comment_option_set: None,
//!     sharing: Sharing::default(),
//! });
//!
//! let mut resolver = MetadataResolver::new(&metadata);
//! resolver.preheat(ObjectKind::DataElement, &IdScheme::Code).unwrap();
//! assert_eq!(resolver.resolve(ObjectKind::DataElement, &IdScheme::Code, "DE_ANC1").unwrap(), Some(uid));
//! assert_eq!(resolver.resolve(ObjectKind::DataElement, &IdScheme::Code, "DE_ANC2").unwrap(), None);
//! // And back, for export.
//! assert_eq!(resolver.identifier(ObjectKind::DataElement, &IdScheme::Name, &uid), Some("ANC 1st visit"));
//! ```

#![forbid(unsafe_code)]

use dxf2_model::metadata::Identity;
use dxf2_model::{IdScheme, Metadata, ObjectKind, Uid};
use rustc_hash::FxHashMap;

/// Why an identifier could not be resolved in a way that makes the whole import fail (DHIS2
/// ends such an import with status `ERROR`, the description "The import process failed: "
/// followed by the message, and all counts 0). "Not found" is not an error: it is `Ok(None)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// Several objects carry the identifier (`CODE`, `NAME` or an `ATTRIBUTE:<uid>` value).
    #[error("more than one {kind:?} found for {scheme} `{key}` ({count} objects)")]
    Ambiguous {
        /// Kind of object looked up.
        kind: ObjectKind,
        /// The scheme used.
        scheme: IdScheme,
        /// The identifier as given.
        key: String,
        /// How many objects carry it.
        count: usize,
    },
    /// The attribute of an `ATTRIBUTE:<uid>` scheme is not in the catalogue.
    #[error("Attribute does not exist: {attribute}")]
    AttributeNotFound {
        /// The attribute UID as written in the scheme.
        attribute: String,
    },
    /// An `ID` scheme key that is not an integer (DHIS2 fails with a number format error).
    #[error("invalid numeric id `{key}` for {kind:?}: expected an integer (ID id scheme)")]
    InvalidNumericId {
        /// Kind of object looked up.
        kind: ObjectKind,
        /// The identifier as given.
        key: String,
    },
    /// A scheme that cannot be used here (`UUID`; `ID` for export).
    #[error("Invalid identifiable property / class combination: {scheme} for {kind:?}")]
    UnsupportedScheme {
        /// Kind of object looked up.
        kind: ObjectKind,
        /// The scheme refused.
        scheme: IdScheme,
    },
}

/// Resolution of payload identifiers to UIDs and back.
pub trait Resolver {
    /// Payload identifier -> UID under a scheme. `Ok(None)` = not found. `Err` = the whole import
    /// fails, as in DHIS2: e.g. ambiguous NAME/CODE, unknown or non-unique ATTRIBUTE, non-numeric
    /// ID, UUID.
    fn resolve(
        &self,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, ResolveError>;

    /// Prepares fast lookups of `kind` under `scheme` before an import resolves many keys. The
    /// default does nothing; [`MetadataResolver`] builds its hash table.
    fn preheat(&mut self, kind: ObjectKind, scheme: &IdScheme) -> Result<(), ResolveError> {
        let _ = (kind, scheme);
        Ok(())
    }

    /// UID -> identifier under a scheme, for export (`None` when the object lacks it, or is
    /// unknown).
    fn identifier(&self, kind: ObjectKind, scheme: &IdScheme, uid: &Uid) -> Option<&str>;
}

/// What a forward table holds for one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hit {
    /// Exactly one object.
    One(Uid),
    /// This many objects (two or more).
    Many(usize),
}

/// A preheated identifier → UID table for one `(kind, scheme)`.
#[derive(Debug)]
struct Forward<'m> {
    scheme: IdScheme,
    map: FxHashMap<&'m str, Hit>,
}

/// A preheated UID → identifier table for one `(kind, scheme)`.
#[derive(Debug)]
struct Reverse<'m> {
    scheme: IdScheme,
    map: FxHashMap<Uid, &'m str>,
}

/// Number of [`ObjectKind`] variants (the tables are kept per kind).
const KINDS: usize = 12;

fn kind_slot(kind: ObjectKind) -> usize {
    match kind {
        ObjectKind::DataElement => 0,
        ObjectKind::OrganisationUnit => 1,
        ObjectKind::CategoryOptionCombo => 2,
        ObjectKind::DataSet => 3,
        ObjectKind::CategoryOption => 4,
        ObjectKind::Category => 5,
        ObjectKind::CategoryCombo => 6,
        ObjectKind::DataElementGroup => 7,
        ObjectKind::OrganisationUnitGroup => 8,
        ObjectKind::Attribute => 9,
        ObjectKind::OptionSet => 10,
        ObjectKind::User => 11,
    }
}

/// A [`Resolver`] over an in-memory [`Metadata`] catalogue.
///
/// Every answer is computed from the catalogue, which is borrowed immutably for `'m`, so the
/// answers never change. [`MetadataResolver::preheat`] builds the lookup table of a
/// `(kind, scheme)` pair once (a FxHash map keyed by `&'m str` borrowed from the catalogue: one
/// hash, no allocation per lookup); a pair that is not preheated is answered by a linear scan over
/// the objects of that kind (the `UID` scheme and reverse lookups use the catalogue's own UID
/// index instead), which is correct but slow for large payloads. Preheated and not preheated
/// answers are identical.
#[derive(Debug)]
pub struct MetadataResolver<'m> {
    metadata: &'m Metadata,
    forward: [Vec<Forward<'m>>; KINDS],
    reverse: [Vec<Reverse<'m>>; KINDS],
}

impl<'m> MetadataResolver<'m> {
    /// A resolver over `metadata`, with nothing preheated.
    pub fn new(metadata: &'m Metadata) -> Self {
        MetadataResolver {
            metadata,
            forward: std::array::from_fn(|_| Vec::new()),
            reverse: std::array::from_fn(|_| Vec::new()),
        }
    }

    /// The catalogue resolved against.
    pub fn metadata(&self) -> &'m Metadata {
        self.metadata
    }

    /// Builds the lookup table of `(kind, scheme)` once (again is a no-op).
    ///
    /// Errors are the scheme-level failures [`Resolver::resolve`] would give for any key: an
    /// `ATTRIBUTE:<uid>` scheme whose attribute does not exist, `UUID`. Duplicate codes or names
    /// are not errors here: [`ResolveError::Ambiguous`] is returned when such a key is looked up.
    /// `ID` builds nothing (no database ids). For an attribute that is not `unique` the table is
    /// empty (nothing is found, as in DHIS2).
    pub fn preheat(&mut self, kind: ObjectKind, scheme: &IdScheme) -> Result<(), ResolveError> {
        let metadata = self.metadata;
        let values: Box<dyn Iterator<Item = (&'m str, Uid)> + 'm> =
            match scheme {
                IdScheme::Uuid => {
                    return Err(ResolveError::UnsupportedScheme {
                        kind,
                        scheme: scheme.clone(),
                    })
                }
                IdScheme::Id => Box::new(std::iter::empty()),
                IdScheme::Attribute(attribute) => {
                    if check_attribute(metadata, attribute)? {
                        let attribute = attribute.clone();
                        Box::new(metadata.identities(kind).filter_map(move |id| {
                            id.attribute_value(&attribute).map(|v| (v, id.uid))
                        }))
                    } else {
                        Box::new(std::iter::empty())
                    }
                }
                IdScheme::Uid | IdScheme::Code | IdScheme::Name => {
                    let scheme = scheme.clone();
                    Box::new(
                        metadata
                            .identities(kind)
                            .filter_map(move |id| forward_key(id, &scheme).map(|v| (v, id.uid))),
                    )
                }
            };
        let Some(tables) = self.forward.get_mut(kind_slot(kind)) else {
            return Ok(());
        };
        if tables.iter().any(|t| &t.scheme == scheme) {
            return Ok(());
        }
        let mut map: FxHashMap<&'m str, Hit> = FxHashMap::default();
        for (value, uid) in values {
            if value.is_empty() {
                continue;
            }
            map.entry(value)
                .and_modify(|hit| {
                    *hit = match *hit {
                        Hit::One(_) => Hit::Many(2),
                        Hit::Many(n) => Hit::Many(n.saturating_add(1)),
                    }
                })
                .or_insert(Hit::One(uid));
        }
        tables.push(Forward {
            scheme: scheme.clone(),
            map,
        });
        Ok(())
    }

    /// Builds the UID → identifier table of `(kind, scheme)` for export, once.
    ///
    /// `ID` and `UUID` are refused with [`ResolveError::UnsupportedScheme`] (classic DHIS2's
    /// export SQL has no such columns and fails; 2.43+ writes UIDs for `ID`: map `ID` to `UID`
    /// before calling to emulate it). An `ATTRIBUTE:<uid>` output scheme needs no attribute
    /// object (DHIS2 reads the value from the object's attribute values as they are).
    pub fn preheat_reverse(
        &mut self,
        kind: ObjectKind,
        scheme: &IdScheme,
    ) -> Result<(), ResolveError> {
        if matches!(scheme, IdScheme::Id | IdScheme::Uuid) {
            return Err(ResolveError::UnsupportedScheme {
                kind,
                scheme: scheme.clone(),
            });
        }
        let metadata = self.metadata;
        let Some(tables) = self.reverse.get_mut(kind_slot(kind)) else {
            return Ok(());
        };
        if tables.iter().any(|t| &t.scheme == scheme) {
            return Ok(());
        }
        let map: FxHashMap<Uid, &'m str> = metadata
            .identities(kind)
            .filter_map(|id| reverse_value(id, scheme).map(|v| (id.uid, v)))
            .collect();
        tables.push(Reverse {
            scheme: scheme.clone(),
            map,
        });
        Ok(())
    }

    /// The UIDs among `uids` that have no identifier under `scheme` (no code, no name, no value
    /// of the attribute, or no such object of `kind`), in the order given: the objects an export
    /// cannot name (DHIS2 2.43+ `E8200`–`E8204`). Under `ID`/`UUID` every UID is returned.
    pub fn missing_identifiers(
        &self,
        kind: ObjectKind,
        scheme: &IdScheme,
        uids: &[Uid],
    ) -> Vec<Uid> {
        uids.iter()
            .filter(|uid| self.identifier(kind, scheme, uid).is_none())
            .copied()
            .collect()
    }

    fn forward_table(&self, kind: ObjectKind, scheme: &IdScheme) -> Option<&Forward<'m>> {
        self.forward
            .get(kind_slot(kind))?
            .iter()
            .find(|t| &t.scheme == scheme)
    }

    fn reverse_table(&self, kind: ObjectKind, scheme: &IdScheme) -> Option<&Reverse<'m>> {
        self.reverse
            .get(kind_slot(kind))?
            .iter()
            .find(|t| &t.scheme == scheme)
    }

    /// The identity of an object by UID, through the catalogue's index.
    fn identity(&self, kind: ObjectKind, uid: &Uid) -> Option<&'m Identity> {
        let m = self.metadata;
        match kind {
            ObjectKind::DataElement => m.data_element(uid).map(|o| &o.id),
            ObjectKind::OrganisationUnit => m.org_unit(uid).map(|o| &o.id),
            ObjectKind::CategoryOptionCombo => m.category_option_combo(uid).map(|o| &o.id),
            ObjectKind::DataSet => m.data_set(uid).map(|o| &o.id),
            ObjectKind::CategoryOption => m.category_option(uid).map(|o| &o.id),
            ObjectKind::Category => m.category(uid).map(|o| &o.id),
            ObjectKind::CategoryCombo => m.category_combo(uid).map(|o| &o.id),
            ObjectKind::DataElementGroup => m.data_element_group(uid).map(|o| &o.id),
            ObjectKind::OrganisationUnitGroup => m.org_unit_group(uid).map(|o| &o.id),
            ObjectKind::Attribute => m.attribute(uid).map(|o| &o.id),
            ObjectKind::OptionSet => m.option_set(uid).map(|o| &o.id),
            ObjectKind::User => m.user(uid).map(|o| &o.id),
        }
    }

    /// The slow path: a scan over the catalogue (the UID scheme uses the catalogue's index).
    fn scan(
        &self,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, ResolveError> {
        if let IdScheme::Uid = scheme {
            let Ok(uid) = Uid::parse(key) else {
                return Ok(None);
            };
            return Ok(self.identity(kind, &uid).map(|id| id.uid));
        }
        if let IdScheme::Attribute(attribute) = scheme {
            if !check_attribute(self.metadata, attribute)? {
                return Ok(None);
            }
        }
        let mut found = None;
        let mut count = 0usize;
        for id in self.metadata.identities(kind) {
            let value = match scheme {
                IdScheme::Attribute(attribute) => id.attribute_value(attribute),
                other => forward_key(id, other),
            };
            if value == Some(key) {
                count = count.saturating_add(1);
                found.get_or_insert(id.uid);
            }
        }
        match count {
            0 | 1 => Ok(found),
            count => Err(ResolveError::Ambiguous {
                kind,
                scheme: scheme.clone(),
                key: key.to_owned(),
                count,
            }),
        }
    }
}

impl Resolver for MetadataResolver<'_> {
    fn preheat(&mut self, kind: ObjectKind, scheme: &IdScheme) -> Result<(), ResolveError> {
        MetadataResolver::preheat(self, kind, scheme)
    }

    fn resolve(
        &self,
        kind: ObjectKind,
        scheme: &IdScheme,
        key: &str,
    ) -> Result<Option<Uid>, ResolveError> {
        if key.is_empty() {
            return Ok(None);
        }
        match scheme {
            IdScheme::Uuid => {
                return Err(ResolveError::UnsupportedScheme {
                    kind,
                    scheme: scheme.clone(),
                })
            }
            // Java's `Long.parseLong`: optional sign, decimal digits, within 64 bits.
            IdScheme::Id => {
                return match key.parse::<i64>() {
                    Ok(_) => Ok(None),
                    Err(_) => Err(ResolveError::InvalidNumericId {
                        kind,
                        key: key.to_owned(),
                    }),
                }
            }
            _ => {}
        }
        match self.forward_table(kind, scheme) {
            Some(table) => match table.map.get(key) {
                None => Ok(None),
                Some(Hit::One(uid)) => Ok(Some(*uid)),
                Some(Hit::Many(count)) => Err(ResolveError::Ambiguous {
                    kind,
                    scheme: scheme.clone(),
                    key: key.to_owned(),
                    count: *count,
                }),
            },
            None => self.scan(kind, scheme, key),
        }
    }

    fn identifier(&self, kind: ObjectKind, scheme: &IdScheme, uid: &Uid) -> Option<&str> {
        if matches!(scheme, IdScheme::Id | IdScheme::Uuid) {
            return None;
        }
        if let Some(table) = self.reverse_table(kind, scheme) {
            return table.map.get(uid).copied();
        }
        reverse_value(self.identity(kind, uid)?, scheme)
    }
}

/// Whether the attribute of an `ATTRIBUTE:<uid>` scheme is unique; an error when it does not exist.
fn check_attribute(metadata: &Metadata, attribute: &str) -> Result<bool, ResolveError> {
    Uid::parse(attribute)
        .ok()
        .and_then(|uid| metadata.attribute(&uid))
        .map(|a| a.unique)
        .ok_or_else(|| ResolveError::AttributeNotFound {
            attribute: attribute.to_owned(),
        })
}

/// The value an object is looked up by under `UID`, `CODE` or `NAME` (`None` otherwise).
fn forward_key<'a>(id: &'a Identity, scheme: &IdScheme) -> Option<&'a str> {
    match scheme {
        IdScheme::Uid => Some(id.uid.as_str()),
        IdScheme::Code => id.code.as_deref(),
        IdScheme::Name => id.name.as_deref(),
        IdScheme::Attribute(_) | IdScheme::Id | IdScheme::Uuid => None,
    }
}

/// The identifier an object is written with under an output scheme (`None` when it lacks one).
fn reverse_value<'a>(id: &'a Identity, scheme: &IdScheme) -> Option<&'a str> {
    let value = match scheme {
        IdScheme::Attribute(attribute) => id.attribute_value(attribute),
        other => forward_key(id, other),
    };
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dxf2_model::metadata::{
        Attribute, DataElement, OrganisationUnit, Sharing, DEFAULT_CATEGORY_COMBO_UID,
    };
    use dxf2_model::ValueType;
    use proptest::prelude::*;

    const ATTR_UNIQUE: &str = "uh6H2ff562G";
    const ATTR_PLAIN: &str = "pl4inAttr01";

    fn uid(s: &str) -> Uid {
        Uid::parse(s).unwrap()
    }

    fn de(
        uid_: &str,
        code: Option<&str>,
        name: Option<&str>,
        attrs: &[(&str, &str)],
    ) -> DataElement {
        DataElement {
            id: Identity {
                uid: uid(uid_),
                code: code.map(str::to_owned),
                name: name.map(str::to_owned),
                attribute_values: attrs
                    .iter()
                    .map(|(a, v)| (uid(a), (*v).to_owned()))
                    .collect(),
            },
            value_type: ValueType::Text,
            aggregation_type: "SUM".into(),
            domain_type: "AGGREGATE".into(),
            zero_is_significant: false,
            category_combo: uid(DEFAULT_CATEGORY_COMBO_UID),
            option_set: None,
            comment_option_set: None,
            sharing: Sharing::default(),
        }
    }

    fn attribute(uid_: &str, unique: bool) -> Attribute {
        Attribute {
            id: Identity::new(uid(uid_)),
            value_type: ValueType::Text,
            unique,
        }
    }

    fn catalogue() -> Metadata {
        let mut m = Metadata::new();
        m.add_attribute(attribute(ATTR_UNIQUE, true));
        m.add_attribute(attribute(ATTR_PLAIN, false));
        m.add_data_element(de(
            "deAAAAAAAA1",
            Some("A"),
            Some("Alpha"),
            &[(ATTR_UNIQUE, "a1"), (ATTR_PLAIN, "p")],
        ));
        m.add_data_element(de(
            "deBBBBBBBB2",
            Some("B"),
            Some("Twin"),
            &[(ATTR_UNIQUE, "dup")],
        ));
        m.add_data_element(de(
            "deCCCCCCCC3",
            None,
            Some("Twin"),
            &[(ATTR_UNIQUE, "dup")],
        ));
        m.add_data_element(de("deDDDDDDDD4", Some(""), None, &[]));
        m.add_org_unit(OrganisationUnit {
            id: Identity {
                code: Some("A".into()),
                ..Identity::new(uid("ouAAAAAAAA1"))
            },
            parent: None,
            opening_date: None,
            closed_date: None,
        });
        m
    }

    const SCHEMES: [&str; 7] = [
        "UID",
        "CODE",
        "NAME",
        "ID",
        "UUID",
        "ATTRIBUTE:uh6H2ff562G",
        "ATTRIBUTE:pl4inAttr01",
    ];

    /// Runs `check` against a resolver with nothing preheated and one with everything preheated.
    fn both(m: &Metadata, check: impl Fn(&MetadataResolver<'_>)) {
        check(&MetadataResolver::new(m));
        let mut hot = MetadataResolver::new(m);
        for kind in [ObjectKind::DataElement, ObjectKind::OrganisationUnit] {
            for s in SCHEMES {
                let s = IdScheme::parse(s).unwrap();
                let _ = hot.preheat(kind, &s);
                let _ = hot.preheat_reverse(kind, &s);
            }
        }
        check(&hot);
    }

    fn scheme(s: &str) -> IdScheme {
        IdScheme::parse(s).unwrap()
    }

    const DE: ObjectKind = ObjectKind::DataElement;

    #[test]
    fn uid_scheme_is_exact() {
        let m = catalogue();
        both(&m, |r| {
            assert_eq!(
                r.resolve(DE, &IdScheme::Uid, "deAAAAAAAA1").unwrap(),
                Some(uid("deAAAAAAAA1"))
            );
            assert_eq!(r.resolve(DE, &IdScheme::Uid, "DEAAAAAAAA1").unwrap(), None);
            assert_eq!(r.resolve(DE, &IdScheme::Uid, "deAAAAAAAA1 ").unwrap(), None);
            assert_eq!(r.resolve(DE, &IdScheme::Uid, "not a uid").unwrap(), None);
            assert_eq!(r.resolve(DE, &IdScheme::Uid, "").unwrap(), None);
            // Kinds do not mix.
            assert_eq!(
                r.resolve(ObjectKind::OrganisationUnit, &IdScheme::Uid, "deAAAAAAAA1")
                    .unwrap(),
                None
            );
        });
    }

    #[test]
    fn code_and_name() {
        let m = catalogue();
        both(&m, |r| {
            assert_eq!(
                r.resolve(DE, &IdScheme::Code, "A").unwrap(),
                Some(uid("deAAAAAAAA1"))
            );
            assert_eq!(r.resolve(DE, &IdScheme::Code, "a").unwrap(), None);
            assert_eq!(r.resolve(DE, &IdScheme::Code, "").unwrap(), None);
            assert_eq!(
                r.resolve(ObjectKind::OrganisationUnit, &IdScheme::Code, "A")
                    .unwrap(),
                Some(uid("ouAAAAAAAA1"))
            );
            assert_eq!(
                r.resolve(DE, &IdScheme::Name, "Alpha").unwrap(),
                Some(uid("deAAAAAAAA1"))
            );
            assert_eq!(r.resolve(DE, &IdScheme::Name, "Alpha ").unwrap(), None);
            assert_eq!(
                r.resolve(DE, &IdScheme::Name, "Twin"),
                Err(ResolveError::Ambiguous {
                    kind: DE,
                    scheme: IdScheme::Name,
                    key: "Twin".into(),
                    count: 2
                })
            );
        });
    }

    #[test]
    fn attribute_scheme() {
        let m = catalogue();
        both(&m, |r| {
            let unique = scheme("ATTRIBUTE:uh6H2ff562G");
            assert_eq!(
                r.resolve(DE, &unique, "a1").unwrap(),
                Some(uid("deAAAAAAAA1"))
            );
            assert_eq!(r.resolve(DE, &unique, "zz").unwrap(), None);
            assert_eq!(
                r.resolve(DE, &unique, "dup"),
                Err(ResolveError::Ambiguous {
                    kind: DE,
                    scheme: unique.clone(),
                    key: "dup".into(),
                    count: 2
                })
            );
            // Not unique: nothing is found, as in DHIS2.
            assert_eq!(
                r.resolve(DE, &scheme("ATTRIBUTE:pl4inAttr01"), "p")
                    .unwrap(),
                None
            );
            // Unknown attribute: the import fails.
            assert_eq!(
                r.resolve(DE, &scheme("ATTRIBUTE:n0SuchAttr1"), "a1"),
                Err(ResolveError::AttributeNotFound {
                    attribute: "n0SuchAttr1".into()
                })
            );
            // Empty keys are never looked up.
            assert_eq!(
                r.resolve(DE, &scheme("ATTRIBUTE:n0SuchAttr1"), "").unwrap(),
                None
            );
        });
        let mut r = MetadataResolver::new(&m);
        assert_eq!(
            r.preheat(DE, &scheme("ATTRIBUTE:n0SuchAttr1")),
            Err(ResolveError::AttributeNotFound {
                attribute: "n0SuchAttr1".into()
            })
        );
    }

    #[test]
    fn id_and_uuid_schemes() {
        let m = catalogue();
        both(&m, |r| {
            assert_eq!(r.resolve(DE, &IdScheme::Id, "12").unwrap(), None);
            assert_eq!(r.resolve(DE, &IdScheme::Id, "-12").unwrap(), None);
            assert_eq!(
                r.resolve(DE, &IdScheme::Id, "deAAAAAAAA1"),
                Err(ResolveError::InvalidNumericId {
                    kind: DE,
                    key: "deAAAAAAAA1".into()
                })
            );
            assert!(r
                .resolve(DE, &IdScheme::Id, "99999999999999999999")
                .is_err());
            assert_eq!(
                r.resolve(DE, &IdScheme::Uuid, "deAAAAAAAA1"),
                Err(ResolveError::UnsupportedScheme {
                    kind: DE,
                    scheme: IdScheme::Uuid
                })
            );
        });
        let mut r = MetadataResolver::new(&m);
        assert!(r.preheat(DE, &IdScheme::Uuid).is_err());
        assert!(r.preheat(DE, &IdScheme::Id).is_ok());
        assert!(r.preheat_reverse(DE, &IdScheme::Id).is_err());
        assert!(r.preheat_reverse(DE, &IdScheme::Uuid).is_err());
    }

    #[test]
    fn reverse_lookups() {
        let m = catalogue();
        both(&m, |r| {
            let a = uid("deAAAAAAAA1");
            let c = uid("deCCCCCCCC3");
            let d = uid("deDDDDDDDD4");
            assert_eq!(r.identifier(DE, &IdScheme::Uid, &a), Some("deAAAAAAAA1"));
            assert_eq!(r.identifier(DE, &IdScheme::Code, &a), Some("A"));
            assert_eq!(r.identifier(DE, &IdScheme::Name, &a), Some("Alpha"));
            assert_eq!(
                r.identifier(DE, &scheme("ATTRIBUTE:pl4inAttr01"), &a),
                Some("p")
            );
            assert_eq!(r.identifier(DE, &IdScheme::Code, &c), None);
            assert_eq!(
                r.identifier(DE, &IdScheme::Code, &d),
                None,
                "an empty code is no code"
            );
            assert_eq!(r.identifier(DE, &IdScheme::Id, &a), None);
            assert_eq!(r.identifier(DE, &IdScheme::Uid, &uid("unKnownUid1")), None);
            assert_eq!(
                r.identifier(ObjectKind::OrganisationUnit, &IdScheme::Uid, &a),
                None
            );
            assert_eq!(
                r.missing_identifiers(DE, &IdScheme::Code, &[a, c, d, uid("unKnownUid1")]),
                vec![c, d, uid("unKnownUid1")]
            );
            assert_eq!(
                r.missing_identifiers(DE, &IdScheme::Uid, &[a, c]),
                Vec::<Uid>::new()
            );
        });
    }

    #[test]
    fn preheating_twice_is_harmless() {
        let m = catalogue();
        let mut r = MetadataResolver::new(&m);
        r.preheat(DE, &IdScheme::Code).unwrap();
        r.preheat(DE, &IdScheme::Code).unwrap();
        r.preheat_reverse(DE, &IdScheme::Code).unwrap();
        r.preheat_reverse(DE, &IdScheme::Code).unwrap();
        assert_eq!(r.forward.first().map(Vec::len), Some(1));
        assert_eq!(
            r.resolve(DE, &IdScheme::Code, "B").unwrap(),
            Some(uid("deBBBBBBBB2"))
        );
    }

    #[test]
    fn resolver_is_object_safe() {
        let m = catalogue();
        let r = MetadataResolver::new(&m);
        let dynamic: &dyn Resolver = &r;
        assert_eq!(
            dynamic.resolve(DE, &IdScheme::Code, "A").unwrap(),
            Some(uid("deAAAAAAAA1"))
        );
    }

    /// A small random catalogue: data elements whose codes, names and attribute values come from
    /// tiny pools (so duplicates are frequent), and two attributes, unique or not.
    fn arb_catalogue() -> impl Strategy<Value = Metadata> {
        let pool = || prop::option::of(prop::sample::select(vec!["", "a", "b", "c", "Ab"]));
        let object = (pool(), pool(), pool(), pool());
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(object, 0..8),
        )
            .prop_map(|(u1, u2, objects)| {
                let mut m = Metadata::new();
                m.add_attribute(attribute(ATTR_UNIQUE, u1));
                m.add_attribute(attribute(ATTR_PLAIN, u2));
                for (i, (code, name, v1, v2)) in objects.into_iter().enumerate() {
                    let mut attrs = Vec::new();
                    if let Some(v) = v1 {
                        attrs.push((ATTR_UNIQUE, v));
                    }
                    if let Some(v) = v2 {
                        attrs.push((ATTR_PLAIN, v));
                    }
                    m.add_data_element(de(&format!("de{i:09}"), code, name, &attrs));
                }
                m
            })
    }

    proptest! {
        #[test]
        fn preheated_and_cold_answers_are_identical(
            m in arb_catalogue(),
            keys in prop::collection::vec(prop::sample::select(vec!["", "a", "b", "c", "Ab", "A", "de000000001", "de000000009", "12", "x1"]), 1..6),
        ) {
            let cold = MetadataResolver::new(&m);
            let mut hot = MetadataResolver::new(&m);
            let schemes: Vec<IdScheme> = SCHEMES.iter().chain(["ATTRIBUTE:n0SuchAttr1"].iter()).map(|s| scheme(s)).collect();
            for s in &schemes {
                prop_assert_eq!(hot.preheat(DE, s).is_ok(), !matches!(s, IdScheme::Uuid) && s.attribute() != Some("n0SuchAttr1"));
                let _ = hot.preheat_reverse(DE, s);
            }
            for s in &schemes {
                for key in &keys {
                    prop_assert_eq!(cold.resolve(DE, s, key), hot.resolve(DE, s, key), "scheme {} key {:?}", s, key);
                }
                for o in m.data_elements() {
                    prop_assert_eq!(cold.identifier(DE, s, &o.id.uid), hot.identifier(DE, s, &o.id.uid));
                    // Round trip: an object's identifier resolves back to it unless it is shared.
                    if let Some(value) = cold.identifier(DE, s, &o.id.uid) {
                        match cold.resolve(DE, s, value) {
                            Ok(found) => {
                                let unique_attr = s.attribute().map(|a| m.attribute(&uid(a)).is_some_and(|x| x.unique));
                                if unique_attr != Some(false) {
                                    prop_assert_eq!(found, Some(o.id.uid));
                                }
                            }
                            Err(ResolveError::Ambiguous { count, .. }) => prop_assert!(count >= 2),
                            Err(e) => prop_assert!(false, "unexpected {e}"),
                        }
                    }
                }
            }
        }
    }
}
