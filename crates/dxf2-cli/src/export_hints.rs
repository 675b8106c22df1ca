//! Why an export request lost an identifier: DHIS2 drops what it cannot match under the input id
//! scheme (an org unit `KA` given without `--input-id-scheme CODE`, a period `202413`), then
//! answers with a code such as `E2006` ("At least one organisation unit … must be specified")
//! that does not say why. These hints say which identifier matched nothing and, when it would
//! match under another scheme, which flag makes it match.
//!
//! Like `inspect`, this is logic a host program needs as well (it belongs beside the export
//! plan in `import-engine`); it lives here, self-contained, until it moves.

use dxf2_model::metadata::Identity;
use dxf2_model::{IdScheme, ImporterProfile, Metadata, ObjectKind, Period};

/// One kind of identifier of the request.
struct Given<'a> {
    /// What the identifiers name (`org unit`).
    what: &'static str,
    /// The flag that names them (`--org-unit`).
    flag: &'static str,
    /// The flag that sets their input scheme alone, if any.
    scheme_flag: Option<&'static str>,
    kind: ObjectKind,
    ids: &'a [String],
    /// Their input scheme (UID when none is given).
    scheme: IdScheme,
}

/// The request's identifiers and input schemes, as `dxf2 export` has them.
pub struct Request<'a> {
    /// `--data-set`.
    pub data_sets: &'a [String],
    /// `--data-element`.
    pub data_elements: &'a [String],
    /// `--data-element-group`.
    pub data_element_groups: &'a [String],
    /// `--org-unit`.
    pub org_units: &'a [String],
    /// `--org-unit-group`.
    pub org_unit_groups: &'a [String],
    /// `--attribute-option-combo`.
    pub attribute_option_combos: &'a [String],
    /// `--period`.
    pub periods: &'a [String],
    /// `--input-id-scheme`.
    pub id_scheme: Option<&'a IdScheme>,
    /// `--input-data-set-id-scheme`.
    pub data_set_scheme: Option<&'a IdScheme>,
    /// `--input-data-element-id-scheme`.
    pub data_element_scheme: Option<&'a IdScheme>,
    /// `--input-data-element-group-id-scheme`.
    pub data_element_group_scheme: Option<&'a IdScheme>,
    /// `--input-org-unit-id-scheme`.
    pub org_unit_scheme: Option<&'a IdScheme>,
    /// `--input-use-code-fallback` (2.43+).
    pub code_fallback: bool,
    /// The export generation (periods are read by its rules).
    pub profile: ImporterProfile,
}

/// The text of `identity` under `scheme`; `None` when the scheme cannot be checked here (`ID`,
/// `UUID`).
fn property<'i>(identity: &'i Identity, scheme: &IdScheme) -> Option<Option<&'i str>> {
    match scheme {
        IdScheme::Uid => Some(Some(identity.uid.as_str())),
        IdScheme::Code => Some(identity.code.as_deref()),
        IdScheme::Name => Some(identity.name.as_deref()),
        IdScheme::Attribute(attribute) => Some(identity.attribute_value(attribute)),
        _ => None,
    }
}

fn scheme_name(scheme: &IdScheme) -> String {
    match scheme {
        IdScheme::Attribute(a) => format!("ATTRIBUTE:{a}"),
        other => other.type_name().to_owned(),
    }
}

/// One line per identifier of the request that matched nothing: what it is not, and what it
/// would be under another scheme (with the flag to give).
pub fn unmatched(metadata: &Metadata, request: &Request<'_>) -> Vec<String> {
    let general = request.id_scheme.cloned().unwrap_or(IdScheme::Uid);
    let own = |s: Option<&IdScheme>| s.cloned().unwrap_or_else(|| general.clone());
    let kinds = [
        Given {
            what: "data set",
            flag: "--data-set",
            scheme_flag: Some("--input-data-set-id-scheme"),
            kind: ObjectKind::DataSet,
            ids: request.data_sets,
            scheme: own(request.data_set_scheme),
        },
        Given {
            what: "data element",
            flag: "--data-element",
            scheme_flag: Some("--input-data-element-id-scheme"),
            kind: ObjectKind::DataElement,
            ids: request.data_elements,
            scheme: own(request.data_element_scheme),
        },
        Given {
            what: "data element group",
            flag: "--data-element-group",
            scheme_flag: Some("--input-data-element-group-id-scheme"),
            kind: ObjectKind::DataElementGroup,
            ids: request.data_element_groups,
            scheme: own(request.data_element_group_scheme),
        },
        Given {
            what: "org unit",
            flag: "--org-unit",
            scheme_flag: Some("--input-org-unit-id-scheme"),
            kind: ObjectKind::OrganisationUnit,
            ids: request.org_units,
            scheme: own(request.org_unit_scheme),
        },
        Given {
            what: "org unit group",
            flag: "--org-unit-group",
            scheme_flag: None,
            kind: ObjectKind::OrganisationUnitGroup,
            ids: request.org_unit_groups,
            scheme: general.clone(),
        },
        Given {
            what: "attribute option combo",
            flag: "--attribute-option-combo",
            scheme_flag: None,
            kind: ObjectKind::CategoryOptionCombo,
            ids: request.attribute_option_combos,
            scheme: general.clone(),
        },
    ];
    let mut lines = Vec::new();
    for given in &kinds {
        for id in given.ids {
            let matches = |scheme: &IdScheme| -> Option<bool> {
                let mut any = false;
                for identity in metadata.identities(given.kind) {
                    match property(identity, scheme) {
                        None => return None,
                        Some(Some(text)) if text == id => any = true,
                        Some(_) => {}
                    }
                }
                Some(any)
            };
            match matches(&given.scheme) {
                None | Some(true) => continue,
                Some(false) => {}
            }
            if request.code_fallback && matches(&IdScheme::Code) == Some(true) {
                continue;
            }
            let used = scheme_name(&given.scheme);
            let other = [IdScheme::Uid, IdScheme::Code, IdScheme::Name]
                .into_iter()
                .find(|s| *s != given.scheme && matches(s) == Some(true));
            let line = match other {
                Some(scheme) => {
                    let name = scheme_name(&scheme);
                    let flags = match given.scheme_flag {
                        Some(own) => format!("--input-id-scheme {name} (or {own} {name})"),
                        None => format!("--input-id-scheme {name}"),
                    };
                    format!(
                        "{} `{id}`: no {} has it as its {used}, but one has it as its {name}: \
                         give {flags}",
                        given.flag, given.what
                    )
                }
                None => format!(
                    "{} `{id}`: no {} has it as its UID, code or name",
                    given.flag, given.what
                ),
            };
            lines.push(line);
        }
    }
    for period in request.periods {
        if Period::parse_with(period, request.profile).is_err() {
            lines.push(format!(
                "--period `{period}`: not a period (DHIS2 drops it); ISO periods look like \
                 202409 (a month), 20240915 (a day), 2024W36, 2024Q3, 2024S2, 2024, 2024July"
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use dxf2_model::metadata::OrganisationUnit;
    use dxf2_model::Uid;

    fn metadata() -> Metadata {
        let mut m = Metadata::new();
        let mut id = Identity::new(Uid::parse("ouabcdefghA").unwrap());
        id.code = Some("KA".to_owned());
        id.name = Some("Kasungu".to_owned());
        m.add_org_unit(OrganisationUnit::new(id, None));
        m
    }

    fn request<'a>(org_units: &'a [String], periods: &'a [String]) -> Request<'a> {
        Request {
            data_sets: &[],
            data_elements: &[],
            data_element_groups: &[],
            org_units,
            org_unit_groups: &[],
            attribute_option_combos: &[],
            periods,
            id_scheme: None,
            data_set_scheme: None,
            data_element_scheme: None,
            data_element_group_scheme: None,
            org_unit_scheme: None,
            code_fallback: false,
            profile: ImporterProfile::Classic,
        }
    }

    #[test]
    fn a_code_given_as_uid_names_the_flag() {
        let m = metadata();
        let ous = vec!["KA".to_owned(), "ouabcdefghA".to_owned(), "XX".to_owned()];
        let lines = unmatched(&m, &request(&ous, &[]));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].contains("--org-unit `KA`"), "{}", lines[0]);
        assert!(
            lines[0].contains("give --input-id-scheme CODE"),
            "{}",
            lines[0]
        );
        assert!(lines[1].contains("no org unit has it as its UID, code or name"));
        let mut r = request(&ous[..1], &[]);
        r.code_fallback = true;
        assert!(unmatched(&m, &r).is_empty());
    }

    #[test]
    fn periods_that_are_not_periods() {
        let m = metadata();
        let periods = vec!["202413".to_owned(), "202409".to_owned()];
        let lines = unmatched(&m, &request(&[], &periods));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("--period `202413`: not a period"));
    }
}
