//! Identifiers under id schemes, as both importer generations and the exports use them: which
//! kind of metadata object each [`SchemeTarget`] names, and the identifier an object carries
//! under a scheme (its UID, code, name or value of an attribute).

use dxf2_model::metadata::Identity;
use dxf2_model::{IdScheme, ObjectKind, SchemeTarget};

/// The kind of object whose identifiers `target`'s scheme applies to (attribute option combos
/// are category option combos).
pub(crate) fn object_kind(target: SchemeTarget) -> ObjectKind {
    match target {
        SchemeTarget::DataElement => ObjectKind::DataElement,
        SchemeTarget::OrgUnit => ObjectKind::OrganisationUnit,
        SchemeTarget::CategoryOptionCombo | SchemeTarget::AttributeOptionCombo => {
            ObjectKind::CategoryOptionCombo
        }
        SchemeTarget::DataSet => ObjectKind::DataSet,
        SchemeTarget::Category => ObjectKind::Category,
        SchemeTarget::CategoryOption => ObjectKind::CategoryOption,
    }
}

/// The identifier of an object under `scheme`: its UID, code, name or attribute value (`None`
/// when it has none). `ID` and `UUID` name no stored text: with `id_is_uid` (DHIS2 2.43+, where
/// `ID` means the UID) they give the UID, otherwise nothing.
pub(crate) fn identifier<'a>(
    id: &'a Identity,
    scheme: &IdScheme,
    id_is_uid: bool,
) -> Option<&'a str> {
    match scheme {
        IdScheme::Uid => Some(id.uid.as_str()),
        IdScheme::Id | IdScheme::Uuid => id_is_uid.then_some(id.uid.as_str()),
        IdScheme::Code => id.code.as_deref(),
        IdScheme::Name => id.name.as_deref(),
        IdScheme::Attribute(attribute) => id.attribute_value(attribute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_names_its_kind() {
        let kinds: Vec<ObjectKind> = SchemeTarget::ALL.into_iter().map(object_kind).collect();
        assert_eq!(
            kinds,
            [
                ObjectKind::DataElement,
                ObjectKind::OrganisationUnit,
                ObjectKind::CategoryOptionCombo,
                ObjectKind::CategoryOptionCombo,
                ObjectKind::DataSet,
                ObjectKind::Category,
                ObjectKind::CategoryOption,
            ]
        );
    }
}
