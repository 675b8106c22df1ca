//! The document's structure: its top-level arrays, handed object by object to the loader.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::error::{MetadataError, ObjectRef};
use super::loader::Loader;

/// The top-level keys read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    OrgUnits,
    DataElements,
    CategoryOptions,
    Categories,
    CategoryCombos,
    CategoryOptionCombos,
    DataSets,
    OptionSets,
    Options,
    Attributes,
    DataElementGroups,
    OrgUnitGroups,
    Users,
    UserRoles,
}

impl Key {
    const ALL: [Key; 14] = [
        Key::OrgUnits,
        Key::DataElements,
        Key::CategoryOptions,
        Key::Categories,
        Key::CategoryCombos,
        Key::CategoryOptionCombos,
        Key::DataSets,
        Key::OptionSets,
        Key::Options,
        Key::Attributes,
        Key::DataElementGroups,
        Key::OrgUnitGroups,
        Key::Users,
        Key::UserRoles,
    ];

    fn name(self) -> &'static str {
        match self {
            Key::OrgUnits => "organisationUnits",
            Key::DataElements => "dataElements",
            Key::CategoryOptions => "categoryOptions",
            Key::Categories => "categories",
            Key::CategoryCombos => "categoryCombos",
            Key::CategoryOptionCombos => "categoryOptionCombos",
            Key::DataSets => "dataSets",
            Key::OptionSets => "optionSets",
            Key::Options => "options",
            Key::Attributes => "attributes",
            Key::DataElementGroups => "dataElementGroups",
            Key::OrgUnitGroups => "organisationUnitGroups",
            Key::Users => "users",
            Key::UserRoles => "userRoles",
        }
    }

    fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// The whole document: a JSON object of top-level arrays.
pub(super) struct Document<'a, 't>(pub(super) &'a mut Loader<'t>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DXF2 metadata JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            match Key::from_name(&name) {
                Some(key) => map.next_value_seed(List {
                    loader: &mut *self.0,
                    key,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// One top-level array (or `null`).
pub(super) struct List<'a, 't> {
    loader: &'a mut Loader<'t>,
    key: Key,
}

impl<'de> DeserializeSeed<'de> for List<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for List<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {}", self.key.name())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (loader, key) = (self.loader, self.key);
        match key {
            Key::OrgUnits => each(&mut seq, loader, key, Loader::org_unit),
            Key::DataElements => each(&mut seq, loader, key, Loader::data_element),
            Key::CategoryOptions => each(&mut seq, loader, key, Loader::category_option),
            Key::Categories => each(&mut seq, loader, key, Loader::category),
            Key::CategoryCombos => each(&mut seq, loader, key, Loader::category_combo),
            Key::CategoryOptionCombos => each(&mut seq, loader, key, Loader::category_option_combo),
            Key::DataSets => each(&mut seq, loader, key, Loader::data_set),
            Key::OptionSets => each(&mut seq, loader, key, Loader::option_set),
            Key::Options => each(&mut seq, loader, key, Loader::option),
            Key::Attributes => each(&mut seq, loader, key, Loader::attribute),
            Key::DataElementGroups => each(&mut seq, loader, key, Loader::data_element_group),
            Key::OrgUnitGroups => each(&mut seq, loader, key, Loader::org_unit_group),
            Key::Users => each(&mut seq, loader, key, Loader::user),
            Key::UserRoles => each(&mut seq, loader, key, Loader::user_role),
        }
    }
}

/// Reads the elements of one array one by one, handing each to `add`. A conversion error is
/// stashed in the loader (serde only carries text) and surfaces with the position serde gives.
pub(super) fn each<'de, 't, A, T>(
    seq: &mut A,
    loader: &mut Loader<'t>,
    key: Key,
    add: fn(&mut Loader<'t>, ObjectRef, T) -> Result<(), MetadataError>,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    T: Deserialize<'de>,
{
    let mut index = 0usize;
    loop {
        loader.current = Some((key.name(), index));
        match seq.next_element::<Option<T>>()? {
            None => break,
            Some(None) => {}
            Some(Some(raw)) => {
                let at = ObjectRef {
                    kind: key.name(),
                    index,
                    id: None,
                };
                if let Err(e) = add(loader, at, raw) {
                    loader.failure = Some(e);
                    return Err(de::Error::custom("invalid metadata object"));
                }
            }
        }
        index = index.saturating_add(1);
    }
    loader.current = None;
    Ok(())
}
