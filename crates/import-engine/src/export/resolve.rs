//! Resolution of an export request (`getFromUrl`): each identifier under its input scheme
//! (unknown ones dropped, shared names and codes yielding every object), periods parsed as the
//! DHIS2 generation parses them, and 2.43+'s `inputUseCodeFallback`.

use dxf2_model::{IdScheme, ImporterProfile, ObjectKind, Period, Uid};
use idscheme_resolver::{ResolveError, Resolver};

use super::{ExportError, ExportParams, Exporter};
use crate::schemes::identifier;

/// The request's objects, resolved.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) data_sets: Vec<Uid>,
    pub(crate) data_element_groups: Vec<Uid>,
    pub(crate) data_elements: Vec<Uid>,
    pub(crate) periods: Vec<Period>,
    pub(crate) org_units: Vec<Uid>,
    pub(crate) org_unit_groups: Vec<Uid>,
    pub(crate) attribute_option_combos: Vec<Uid>,
}

impl Exporter<'_> {
    /// Resolves the request's identifiers; periods are parsed as `profile` parses them, and
    /// with 2.43+'s `inputUseCodeFallback` identifiers without an input scheme that are not
    /// UID-shaped are looked up by code too.
    pub(crate) fn resolve(
        &self,
        params: &ExportParams,
        resolver: &dyn Resolver,
        profile: ImporterProfile,
    ) -> Result<Resolved, ExportError> {
        let schemes = &params.input_id_schemes;
        let general = schemes.id_scheme.as_ref().unwrap_or(&IdScheme::Uid);
        let fallback = profile == ImporterProfile::Pipeline && params.input_use_code_fallback;
        let list = |kind: ObjectKind, scheme: &IdScheme, keys: &[String], parameter| {
            let explicit = match kind {
                ObjectKind::OrganisationUnitGroup | ObjectKind::CategoryOptionCombo => {
                    schemes.id_scheme.is_some()
                }
                _ => schemes.explicit(kind).is_some(),
            };
            let code_fallback = fallback && !explicit;
            self.resolve_list(resolver, kind, scheme, keys, parameter, code_fallback)
        };
        let mut periods = Vec::new();
        for text in &params.periods {
            if let Ok(period) = Period::parse_with(text, profile) {
                if !periods.contains(&period) {
                    periods.push(period);
                }
            }
        }
        Ok(Resolved {
            data_sets: list(
                ObjectKind::DataSet,
                schemes.effective(ObjectKind::DataSet),
                &params.data_sets,
                "dataSet",
            )?,
            data_element_groups: list(
                ObjectKind::DataElementGroup,
                schemes.effective(ObjectKind::DataElementGroup),
                &params.data_element_groups,
                "dataElementGroup",
            )?,
            data_elements: list(
                ObjectKind::DataElement,
                schemes.effective(ObjectKind::DataElement),
                &params.data_elements,
                "dataElement",
            )?,
            periods,
            org_units: list(
                ObjectKind::OrganisationUnit,
                schemes.effective(ObjectKind::OrganisationUnit),
                &params.org_units,
                "orgUnit",
            )?,
            org_unit_groups: list(
                ObjectKind::OrganisationUnitGroup,
                general,
                &params.org_unit_groups,
                "orgUnitGroup",
            )?,
            attribute_option_combos: list(
                ObjectKind::CategoryOptionCombo,
                general,
                &params.attribute_option_combos,
                "attributeOptionCombo",
            )?,
        })
    }

    /// Resolves every key; unknown keys are dropped, duplicates collapse (DHIS2 collects the
    /// objects in a set). A key several objects carry (a shared name) yields all of them, as
    /// DHIS2's `IN` query does.
    ///
    /// With `code_fallback` (2.43+ `inputUseCodeFallback`, UID only assumed) and a key that is
    /// not UID-shaped, the UID-shaped keys are taken as UIDs and every key is also looked up by
    /// code (DHIS2's `decodeIds`).
    pub(super) fn resolve_list(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        keys: &[String],
        parameter: &'static str,
        code_fallback: bool,
    ) -> Result<Vec<Uid>, ExportError> {
        let mut out = self.resolve_keys(resolver, kind, scheme, keys, parameter)?;
        if code_fallback && keys.iter().any(|k| Uid::parse(k).is_err()) {
            for uid in self.resolve_keys(resolver, kind, &IdScheme::Code, keys, parameter)? {
                push_unique(&mut out, uid);
            }
        }
        Ok(out)
    }

    pub(super) fn resolve_keys(
        &self,
        resolver: &dyn Resolver,
        kind: ObjectKind,
        scheme: &IdScheme,
        keys: &[String],
        parameter: &'static str,
    ) -> Result<Vec<Uid>, ExportError> {
        let mut out = Vec::new();
        for key in keys {
            match resolver.resolve(kind, scheme, key) {
                Ok(Some(uid)) => push_unique(&mut out, uid),
                Ok(None) => {}
                Err(ResolveError::Ambiguous { .. }) => {
                    for id in self.metadata.identities(kind) {
                        if identifier(id, scheme, false) == Some(key.as_str()) {
                            push_unique(&mut out, id.uid);
                        }
                    }
                }
                Err(source) => return Err(ExportError::Resolve { parameter, source }),
            }
        }
        Ok(out)
    }
}

pub(crate) fn push_unique(list: &mut Vec<Uid>, uid: Uid) {
    if !list.contains(&uid) {
        list.push(uid);
    }
}
