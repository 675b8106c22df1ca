//! Identifier schemes (`IdScheme`) and the per-object-type scheme set (`IdSchemes`) with DHIS2's
//! precedence rules between a payload's schemes and the request's.

use std::fmt;
use std::str::FromStr;

use crate::ModelError;

/// How an identifier in a payload names an object.
///
/// Parsed as DHIS2's `IdScheme.from(String)`: the names in any letter case, and `ATTRIBUTE:<uid>`
/// with a case-insensitive prefix and exactly 21 characters in all.
///
/// ```
/// use dxf2_model::IdScheme;
/// assert_eq!("code".parse::<IdScheme>().unwrap(), IdScheme::Code);
/// assert_eq!(
///     "attribute:uh6H2ff562G".parse::<IdScheme>().unwrap().to_string(),
///     "ATTRIBUTE:uh6H2ff562G"
/// );
/// assert!("ATTRIBUTE:abc".parse::<IdScheme>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum IdScheme {
    /// The object's UID (the default).
    #[default]
    Uid,
    /// The numeric database id (classic importer); treated as UID by the 2.43+ pipeline.
    Id,
    /// The object's code (unique).
    Code,
    /// The object's name (not unique in DHIS2).
    Name,
    /// Recognised but unsupported by DHIS2 for data values.
    Uuid,
    /// The value of a unique attribute, named by its UID as written after `ATTRIBUTE:`.
    Attribute(String),
}

impl IdScheme {
    /// Parses a scheme exactly as DHIS2 does (see the type docs).
    pub fn parse(s: &str) -> Result<IdScheme, ModelError> {
        const PREFIX: &str = "ATTRIBUTE:";
        if s.len() == PREFIX.len() + crate::uid::UID_LEN
            && s.get(..PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
        {
            let attribute = s.get(PREFIX.len()..).unwrap_or_default();
            return Ok(IdScheme::Attribute(attribute.to_owned()));
        }
        match s.to_ascii_uppercase().as_str() {
            "UID" => Ok(IdScheme::Uid),
            "ID" => Ok(IdScheme::Id),
            "CODE" => Ok(IdScheme::Code),
            "NAME" => Ok(IdScheme::Name),
            "UUID" => Ok(IdScheme::Uuid),
            _ => Err(ModelError::InvalidIdScheme(s.to_owned())),
        }
    }

    /// The scheme's type name as DHIS2 writes it in `{"type": …}` (`UID`, `CODE`, `ATTRIBUTE`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            IdScheme::Uid => "UID",
            IdScheme::Id => "ID",
            IdScheme::Code => "CODE",
            IdScheme::Name => "NAME",
            IdScheme::Uuid => "UUID",
            IdScheme::Attribute(_) => "ATTRIBUTE",
        }
    }

    /// The attribute UID of an `ATTRIBUTE:<uid>` scheme.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            IdScheme::Attribute(uid) => Some(uid),
            _ => None,
        }
    }
}

impl FromStr for IdScheme {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdScheme::parse(s)
    }
}

impl fmt::Display for IdScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdScheme::Attribute(uid) => write!(f, "ATTRIBUTE:{uid}"),
            other => f.write_str(other.type_name()),
        }
    }
}

/// The kinds of object whose identifiers a data value set carries, each with its own scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemeTarget {
    /// Data elements (`dataElementIdScheme`).
    DataElement,
    /// Organisation units (`orgUnitIdScheme`).
    OrgUnit,
    /// Category option combos (`categoryOptionComboIdScheme`).
    CategoryOptionCombo,
    /// Attribute option combos (`attributeOptionComboIdScheme`; the classic importer uses the
    /// category option combo scheme for them).
    AttributeOptionCombo,
    /// Data sets (`dataSetIdScheme`).
    DataSet,
    /// Categories (`categoryIdScheme`, 2.43+ only).
    Category,
    /// Category options (`categoryOptionIdScheme`, 2.43+ only).
    CategoryOption,
}

impl SchemeTarget {
    /// Every target, in declaration order.
    pub const ALL: [SchemeTarget; 7] = [
        SchemeTarget::DataElement,
        SchemeTarget::OrgUnit,
        SchemeTarget::CategoryOptionCombo,
        SchemeTarget::AttributeOptionCombo,
        SchemeTarget::DataSet,
        SchemeTarget::Category,
        SchemeTarget::CategoryOption,
    ];

    /// The DHIS2 parameter/attribute name of the specific scheme for this target.
    pub fn parameter_name(self) -> &'static str {
        match self {
            SchemeTarget::DataElement => "dataElementIdScheme",
            SchemeTarget::OrgUnit => "orgUnitIdScheme",
            SchemeTarget::CategoryOptionCombo => "categoryOptionComboIdScheme",
            SchemeTarget::AttributeOptionCombo => "attributeOptionComboIdScheme",
            SchemeTarget::DataSet => "dataSetIdScheme",
            SchemeTarget::Category => "categoryIdScheme",
            SchemeTarget::CategoryOption => "categoryOptionIdScheme",
        }
    }
}

/// A set of id schemes: a general `idScheme` plus one optional specific scheme per target.
///
/// Unset members are `None`; [`IdSchemes::effective`] applies "specific, else general, else UID".
/// Combining a payload's schemes with the request's differs per importer generation:
/// [`IdSchemes::classic_merge`] and [`IdSchemes::pipeline_merge`].
///
/// ```
/// use dxf2_model::{IdScheme, IdSchemes, SchemeTarget};
/// let payload = IdSchemes { id_scheme: Some(IdScheme::Code), ..IdSchemes::default() };
/// let request = IdSchemes { org_unit: Some(IdScheme::Name), ..IdSchemes::default() };
/// // Classic (2.36–2.42): a payload general scheme beats a request specific scheme.
/// let classic = IdSchemes::classic_merge(&payload, &request);
/// assert_eq!(classic.effective(SchemeTarget::OrgUnit), &IdScheme::Code);
/// // 2.43+: the request specific scheme wins.
/// let pipeline = IdSchemes::pipeline_merge(&payload, &request);
/// assert_eq!(pipeline.effective(SchemeTarget::OrgUnit), &IdScheme::Name);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdSchemes {
    /// General scheme (`idScheme`).
    pub id_scheme: Option<IdScheme>,
    /// `dataElementIdScheme`.
    pub data_element: Option<IdScheme>,
    /// `orgUnitIdScheme`.
    pub org_unit: Option<IdScheme>,
    /// `categoryOptionComboIdScheme`.
    pub category_option_combo: Option<IdScheme>,
    /// `attributeOptionComboIdScheme` (2.43+; not bindable on classic import).
    pub attribute_option_combo: Option<IdScheme>,
    /// `dataSetIdScheme`.
    pub data_set: Option<IdScheme>,
    /// `categoryIdScheme` (2.43+).
    pub category: Option<IdScheme>,
    /// `categoryOptionIdScheme` (2.43+).
    pub category_option: Option<IdScheme>,
}

static DEFAULT_SCHEME: IdScheme = IdScheme::Uid;

impl IdSchemes {
    /// The specific scheme for a target, if set.
    pub fn specific(&self, target: SchemeTarget) -> Option<&IdScheme> {
        match target {
            SchemeTarget::DataElement => self.data_element.as_ref(),
            SchemeTarget::OrgUnit => self.org_unit.as_ref(),
            SchemeTarget::CategoryOptionCombo => self.category_option_combo.as_ref(),
            SchemeTarget::AttributeOptionCombo => self.attribute_option_combo.as_ref(),
            SchemeTarget::DataSet => self.data_set.as_ref(),
            SchemeTarget::Category => self.category.as_ref(),
            SchemeTarget::CategoryOption => self.category_option.as_ref(),
        }
    }

    /// Mutable access to the specific scheme slot of a target.
    pub fn specific_mut(&mut self, target: SchemeTarget) -> &mut Option<IdScheme> {
        match target {
            SchemeTarget::DataElement => &mut self.data_element,
            SchemeTarget::OrgUnit => &mut self.org_unit,
            SchemeTarget::CategoryOptionCombo => &mut self.category_option_combo,
            SchemeTarget::AttributeOptionCombo => &mut self.attribute_option_combo,
            SchemeTarget::DataSet => &mut self.data_set,
            SchemeTarget::Category => &mut self.category,
            SchemeTarget::CategoryOption => &mut self.category_option,
        }
    }

    /// The general scheme, or UID when unset.
    pub fn general(&self) -> &IdScheme {
        self.id_scheme.as_ref().unwrap_or(&DEFAULT_SCHEME)
    }

    /// Specific scheme, else general, else UID.
    pub fn effective(&self, target: SchemeTarget) -> &IdScheme {
        self.specific(target)
            .or(self.id_scheme.as_ref())
            .unwrap_or(&DEFAULT_SCHEME)
    }

    /// Whether no scheme at all is set.
    pub fn is_empty(&self) -> bool {
        self.id_scheme.is_none()
            && SchemeTarget::ALL
                .iter()
                .all(|t| self.specific(*t).is_none())
    }

    /// Classic importer precedence (2.36–2.42): per target the first defined of payload specific,
    /// payload general, request specific, request general, UID. The result has every specific slot
    /// filled in, and its general scheme is payload general, else request general.
    ///
    /// The classic importer resolves attribute option combos with the category option combo
    /// scheme; the result's `attribute_option_combo` slot is set to that scheme.
    pub fn classic_merge(payload: &IdSchemes, request: &IdSchemes) -> IdSchemes {
        let mut merged = IdSchemes {
            id_scheme: payload
                .id_scheme
                .clone()
                .or_else(|| request.id_scheme.clone()),
            ..IdSchemes::default()
        };
        for target in SchemeTarget::ALL {
            let scheme = payload
                .specific(target)
                .or(payload.id_scheme.as_ref())
                .or(request.specific(target))
                .or(request.id_scheme.as_ref())
                .cloned()
                .unwrap_or_default();
            *merged.specific_mut(target) = Some(scheme);
        }
        merged.attribute_option_combo = merged.category_option_combo.clone();
        merged
    }

    /// 2.43+ pipeline precedence: the payload's schemes overwrite the request's field by field,
    /// then each target takes specific, else general, else UID.
    pub fn pipeline_merge(payload: &IdSchemes, request: &IdSchemes) -> IdSchemes {
        let mut merged = request.clone();
        if payload.id_scheme.is_some() {
            merged.id_scheme = payload.id_scheme.clone();
        }
        for target in SchemeTarget::ALL {
            if let Some(s) = payload.specific(target) {
                *merged.specific_mut(target) = Some(s.clone());
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_dhis2() {
        assert_eq!(IdScheme::parse("uid"), Ok(IdScheme::Uid));
        assert_eq!(IdScheme::parse("Name"), Ok(IdScheme::Name));
        assert_eq!(IdScheme::parse("ID"), Ok(IdScheme::Id));
        assert_eq!(IdScheme::parse("uuid"), Ok(IdScheme::Uuid));
        assert_eq!(
            IdScheme::parse("Attribute:uh6H2ff562G"),
            Ok(IdScheme::Attribute("uh6H2ff562G".into()))
        );
        assert!(IdScheme::parse("ATTRIBUTE:uh6H2ff562").is_err());
        assert!(IdScheme::parse("ATTRIBUTE").is_err());
        assert!(IdScheme::parse("").is_err());
        assert!(IdScheme::parse("codes").is_err());
    }

    #[test]
    fn classic_precedence_order() {
        let payload = IdSchemes {
            data_element: Some(IdScheme::Name),
            ..Default::default()
        };
        let request = IdSchemes {
            id_scheme: Some(IdScheme::Code),
            org_unit: Some(IdScheme::Attribute("uh6H2ff562G".into())),
            ..Default::default()
        };
        let m = IdSchemes::classic_merge(&payload, &request);
        assert_eq!(m.effective(SchemeTarget::DataElement), &IdScheme::Name);
        assert_eq!(
            m.effective(SchemeTarget::OrgUnit),
            &IdScheme::Attribute("uh6H2ff562G".into())
        );
        assert_eq!(m.effective(SchemeTarget::DataSet), &IdScheme::Code);
        assert_eq!(
            m.effective(SchemeTarget::AttributeOptionCombo),
            &IdScheme::Code
        );
        let none = IdSchemes::classic_merge(&IdSchemes::default(), &IdSchemes::default());
        assert_eq!(none.effective(SchemeTarget::OrgUnit), &IdScheme::Uid);
    }

    #[test]
    fn pipeline_precedence_order() {
        let payload = IdSchemes {
            id_scheme: Some(IdScheme::Code),
            data_element: Some(IdScheme::Name),
            ..Default::default()
        };
        let request = IdSchemes {
            org_unit: Some(IdScheme::Name),
            data_element: Some(IdScheme::Uid),
            ..Default::default()
        };
        let m = IdSchemes::pipeline_merge(&payload, &request);
        assert_eq!(m.effective(SchemeTarget::DataElement), &IdScheme::Name);
        assert_eq!(m.effective(SchemeTarget::OrgUnit), &IdScheme::Name);
        assert_eq!(m.effective(SchemeTarget::DataSet), &IdScheme::Code);
    }
}
