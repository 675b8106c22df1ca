//! `dxf2 export` to ADX, as DHIS2 2.36–2.42's ADX export (`DefaultAdxDataService`): the request's
//! filters accept a UID or a code, every identifier is written as a code unless an output scheme
//! says otherwise, and the objects an ADX file must name are checked before any output exists —
//! DHIS2 leaves an attribute out silently when an object lacks its identifier, which gives a file
//! that cannot be read back; this export refuses instead, listing every such object.

use dxf2_io::adx::check_identifiers;
use dxf2_model::{IdScheme, IdSchemes, Metadata, ObjectKind, SchemeTarget, Uid};
use idscheme_resolver::Resolver;
use import_engine::export::ExportParams;

use crate::Exit;

/// The output id schemes of an ADX export (`UID`, `CODE`, `NAME`, `ATTRIBUTE:<uid>`; every one
/// not given falls back to `--id-scheme`, and that to `CODE`): `ID` and `UUID` are refused, as
/// no object has such an identifier to write.
pub(super) fn output_schemes(schemes: &IdSchemes) -> Result<IdSchemes, Exit> {
    let general = schemes.id_scheme.iter().map(|s| ("--id-scheme", s));
    let specific = SchemeTarget::ALL
        .into_iter()
        .filter_map(|t| schemes.specific(t).map(|s| (flag(t), s)));
    for (flag, scheme) in general.chain(specific) {
        if matches!(scheme, IdScheme::Id | IdScheme::Uuid) {
            return Err(Exit::usage(format!(
                "{flag} {scheme}: an ADX export writes identifiers as UID, CODE, NAME or \
                 ATTRIBUTE:<attribute uid>"
            )));
        }
    }
    Ok(schemes.clone())
}

/// The flag of an output scheme.
fn flag(target: SchemeTarget) -> &'static str {
    match target {
        SchemeTarget::DataElement => "--data-element-id-scheme",
        SchemeTarget::OrgUnit => "--org-unit-id-scheme",
        SchemeTarget::CategoryOptionCombo => "--category-option-combo-id-scheme",
        SchemeTarget::AttributeOptionCombo => "--attribute-option-combo-id-scheme",
        SchemeTarget::DataSet => "--data-set-id-scheme",
        SchemeTarget::Category => "--category-id-scheme",
        SchemeTarget::CategoryOption => "--category-option-id-scheme",
    }
}

/// DHIS2's ADX export reads its `dataSet`, `dataElement`, `orgUnit`, `orgUnitGroup` and
/// `attributeOptionCombo` filters as a UID when an object has it, else as a code (2.42
/// `getFromUrl`; 2.43+ `inputUseCodeFallback`, on by default for ADX). Identifiers of a kind
/// whose input scheme the request gives are left as they are; those that match nothing too (the
/// export then drops them, as DHIS2 does).
pub(super) fn uid_or_code(md: &Metadata, params: &mut ExportParams) {
    let schemes = params.input_id_schemes.clone();
    let lists = [
        (ObjectKind::DataSet, &mut params.data_sets),
        (ObjectKind::DataElement, &mut params.data_elements),
        (ObjectKind::OrganisationUnit, &mut params.org_units),
        (
            ObjectKind::OrganisationUnitGroup,
            &mut params.org_unit_groups,
        ),
        (
            ObjectKind::CategoryOptionCombo,
            &mut params.attribute_option_combos,
        ),
    ];
    for (kind, ids) in lists {
        if schemes.explicit(kind).is_some() {
            continue;
        }
        for id in ids.iter_mut() {
            if md.identities(kind).any(|i| i.uid.as_str() == id.as_str()) {
                continue;
            }
            if let Some(found) = md
                .identities(kind)
                .find(|i| i.code.as_deref() == Some(id.as_str()))
            {
                *id = found.uid.to_string();
            }
        }
    }
}

/// Checks, before any output exists, that every object the export names has its identifier
/// under the output schemes (each requested data set, its data elements, the categories and
/// options of its combos, each requested org unit): refused with exit 2, listing them all.
/// Returns the data set every group names when exactly one was requested.
pub(super) fn check(
    md: &Metadata,
    params: &ExportParams,
    resolver: &dyn Resolver,
    output: &IdSchemes,
) -> Result<Option<Uid>, Exit> {
    let resolve = |kind: ObjectKind, ids: &[String]| -> Vec<Uid> {
        let scheme = params.input_id_schemes.effective(kind);
        ids.iter()
            .filter_map(|id| resolver.resolve(kind, scheme, id).ok().flatten())
            .collect()
    };
    let data_sets = resolve(ObjectKind::DataSet, &params.data_sets);
    let org_units = resolve(ObjectKind::OrganisationUnit, &params.org_units);
    let lacking = check_identifiers(md, &data_sets, &org_units, output);
    if !lacking.is_empty() {
        let list: Vec<String> = lacking.iter().map(|m| format!("  {m}")).collect();
        return Err(Exit::usage(format!(
            "cannot export ADX: {} object{} lack{} the identifier ADX names {} by:\n{}\n\
             give them these identifiers in the metadata, or choose schemes they have \
             (--id-scheme, --data-set-id-scheme, --data-element-id-scheme, --org-unit-id-scheme, \
             --category-id-scheme, --category-option-id-scheme)",
            lacking.len(),
            if lacking.len() == 1 { "" } else { "s" },
            if lacking.len() == 1 { "s" } else { "" },
            if lacking.len() == 1 { "it" } else { "them" },
            list.join("\n")
        )));
    }
    Ok(match data_sets.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dxf2_model::metadata::{Identity, OrganisationUnit};

    #[test]
    fn filters_take_a_uid_or_a_code() {
        let mut md = Metadata::new();
        let uid = Uid::parse("ouabcdefghA").unwrap();
        let mut id = Identity::new(uid);
        id.code = Some("KA".to_owned());
        md.add_org_unit(OrganisationUnit::new(id, None));
        let mut params = ExportParams {
            org_units: vec!["KA".into(), "ouabcdefghA".into(), "XX".into()],
            ..ExportParams::default()
        };
        uid_or_code(&md, &mut params);
        assert_eq!(params.org_units, ["ouabcdefghA", "ouabcdefghA", "XX"]);
        // An input scheme given: left as it is.
        let mut params = ExportParams {
            org_units: vec!["KA".into()],
            ..ExportParams::default()
        };
        params.input_id_schemes.id_scheme = Some(IdScheme::Name);
        uid_or_code(&md, &mut params);
        assert_eq!(params.org_units, ["KA"]);
    }

    #[test]
    fn id_and_uuid_cannot_be_written() {
        let e = output_schemes(&IdSchemes {
            category: Some(IdScheme::Id),
            ..IdSchemes::default()
        })
        .unwrap_err();
        assert!(
            e.message.starts_with("--category-id-scheme ID:"),
            "{}",
            e.message
        );
        assert!(output_schemes(&IdSchemes {
            id_scheme: Some(IdScheme::Name),
            ..IdSchemes::default()
        })
        .is_ok());
    }
}
