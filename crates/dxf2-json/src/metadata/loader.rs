//! The loader: checks each object, resolves references within the document, and builds the
//! catalogue to merge.

use std::collections::{HashMap, HashSet};
use std::io;

use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, OptionItem, OptionSet,
    OrganisationUnit, OrganisationUnitGroup, User,
};
use dxf2_model::{Metadata, Period, PeriodType, Uid, ValueType};

use super::convert::{
    combo_or_default, data_dimension_type, make_sharing, one_of, parse_uid, reference_uid,
    reference_uids, value_type, AGGREGATION_TYPES, DOMAIN_TYPES,
};
use super::dates::{date_field, date_time_field};
use super::error::{invalid, missing, MetadataError, ObjectRef, Position};
use super::raw::{
    RawAttribute, RawCategory, RawCategoryCombo, RawCategoryOption, RawCategoryOptionCombo,
    RawDataElement, RawDataElementGroup, RawDataSet, RawOption, RawOptionSet, RawOrgUnit,
    RawOrgUnitGroup, RawUser, RawUserRole,
};

/// Appends the items of `more` not yet in `into` (keeping the first occurrence's order).
pub(super) fn extend_unique(into: &mut Vec<String>, more: impl IntoIterator<Item = String>) {
    for item in more {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// A top-level option.
pub(super) struct TopOption {
    item: OptionItem,
    option_set: Option<Uid>,
}

/// An option set waiting for the document's top-level options.
pub(super) struct PendingOptionSet {
    at: ObjectRef,
    id: Identity,
    value_type: ValueType,
    /// Listed options: UID and, when embedded, the object.
    options: Vec<(Uid, Option<OptionItem>)>,
}

/// A user waiting for the document's user roles.
pub(super) struct PendingUser {
    at: ObjectRef,
    user: User,
    roles: Vec<Uid>,
}

/// Per-document state.
pub(super) struct Loader<'t> {
    /// The catalogue being merged into (read-only here: options of its option sets).
    target: &'t Metadata,
    /// This document's objects.
    doc: Metadata,
    /// The array and index being read (for JSON error messages).
    pub(super) current: Option<(&'static str, usize)>,
    /// A conversion error, stashed while serde unwinds.
    pub(super) failure: Option<MetadataError>,
    options: HashMap<Uid, TopOption>,
    option_order: Vec<Uid>,
    option_sets: Vec<PendingOptionSet>,
    roles: HashMap<Uid, Vec<String>>,
    users: Vec<PendingUser>,
}

impl<'t> Loader<'t> {
    pub(super) fn new(target: &'t Metadata) -> Self {
        Loader {
            target,
            doc: Metadata::new(),
            current: None,
            failure: None,
            options: HashMap::new(),
            option_order: Vec::new(),
            option_sets: Vec::new(),
            roles: HashMap::new(),
            users: Vec::new(),
        }
    }

    /// Turns a `serde_json` failure into the error to report.
    pub(super) fn into_error(mut self, e: serde_json::Error) -> MetadataError {
        if let Some(mut failure) = self.failure.take() {
            failure.set_position(Position {
                line: e.line(),
                column: e.column(),
            });
            return failure;
        }
        if e.is_io() {
            return MetadataError::Io(io::Error::from(e));
        }
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        let object = self.current.map(|(kind, index)| {
            Box::new(ObjectRef {
                kind,
                index,
                id: None,
            })
        });
        MetadataError::Json {
            object,
            message,
            line,
            column,
        }
    }

    pub(super) fn org_unit(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOrgUnit,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = OrganisationUnit {
            id,
            parent: reference_uid(&at, "parent", raw.parent)?,
            opening_date: date_field(&at, "openingDate", raw.opening_date)?,
            closed_date: date_field(&at, "closedDate", raw.closed_date)?,
        };
        self.doc.add_org_unit(object);
        Ok(())
    }

    pub(super) fn data_element(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawDataElement,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = DataElement {
            id,
            value_type: value_type(&at, "valueType", raw.value_type)?,
            aggregation_type: one_of(
                &at,
                "aggregationType",
                raw.aggregation_type,
                "SUM",
                AGGREGATION_TYPES,
                "a DHIS2 aggregation type such as SUM or AVERAGE",
            )?,
            domain_type: one_of(
                &at,
                "domainType",
                raw.domain_type,
                "AGGREGATE",
                DOMAIN_TYPES,
                "AGGREGATE or TRACKER",
            )?,
            zero_is_significant: raw.zero_is_significant,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            option_set: reference_uid(&at, "optionSet", raw.option_set)?,
            comment_option_set: reference_uid(&at, "commentOptionSet", raw.comment_option_set)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_data_element(object);
        Ok(())
    }

    pub(super) fn category_option(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryOption,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryOption {
            id,
            start_date: date_field(&at, "startDate", raw.start_date)?,
            end_date: date_field(&at, "endDate", raw.end_date)?,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_category_option(object);
        Ok(())
    }

    pub(super) fn category(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategory,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = Category {
            id,
            data_dimension_type: data_dimension_type(&at, raw.data_dimension_type)?,
            options: reference_uids(&at, "categoryOptions", raw.category_options)?,
        };
        self.doc.add_category(object);
        Ok(())
    }

    pub(super) fn category_combo(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryCombo,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryCombo {
            id,
            data_dimension_type: data_dimension_type(&at, raw.data_dimension_type)?,
            categories: reference_uids(&at, "categories", raw.categories)?,
        };
        self.doc.add_category_combo(object);
        Ok(())
    }

    pub(super) fn category_option_combo(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawCategoryOptionCombo,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = CategoryOptionCombo {
            id,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            options: reference_uids(&at, "categoryOptions", raw.category_options)?,
            ignore_approval: raw.ignore_approval,
        };
        self.doc.add_category_option_combo(object);
        Ok(())
    }

    pub(super) fn data_set(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawDataSet,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let name = raw.period_type.ok_or_else(|| missing(&at, "periodType"))?;
        let period_type = PeriodType::from_name(&name)
            .ok()
            .filter(|t| *t != PeriodType::TwoYearly)
            .ok_or_else(|| {
                invalid(
                    &at,
                    "periodType",
                    &name,
                    "a DHIS2 period type name such as Monthly or Yearly",
                )
            })?;
        let mut elements = Vec::with_capacity(raw.data_set_elements.len());
        for (i, e) in raw.data_set_elements.into_iter().enumerate() {
            let field = format!("dataSetElements[{i}].dataElement");
            let data_element =
                reference_uid(&at, &field, e.data_element)?.ok_or_else(|| missing(&at, field))?;
            let category_combo = reference_uid(
                &at,
                &format!("dataSetElements[{i}].categoryCombo"),
                e.category_combo,
            )?;
            elements.push(DataSetElement {
                data_element,
                category_combo,
            });
        }
        let mut data_input_periods = Vec::with_capacity(raw.data_input_periods.len());
        for (i, p) in raw.data_input_periods.into_iter().enumerate() {
            let field = format!("dataInputPeriods[{i}].period");
            let text = p.period.ok_or_else(|| missing(&at, field.as_str()))?;
            let period = Period::parse(&text)
                .map_err(|_| invalid(&at, field, &text, "an ISO period such as 202001"))?;
            data_input_periods.push(DataInputPeriod {
                period,
                opening_date: date_time_field(
                    &at,
                    &format!("dataInputPeriods[{i}].openingDate"),
                    p.opening_date,
                )?,
                closing_date: date_time_field(
                    &at,
                    &format!("dataInputPeriods[{i}].closingDate"),
                    p.closing_date,
                )?,
            });
        }
        let object = DataSet {
            id,
            period_type,
            elements,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            category_combo: combo_or_default(&at, raw.category_combo)?,
            expiry_days: raw.expiry_days.trunc() as i64,
            open_future_periods: raw.open_future_periods,
            open_periods_after_co_end_date: raw.open_periods_after_co_end_date,
            data_input_periods,
            no_value_requires_comment: raw.no_value_requires_comment,
            workflow: reference_uid(&at, "workflow", raw.workflow)?,
            sharing: make_sharing(&at, raw.sharing)?,
        };
        self.doc.add_data_set(object);
        Ok(())
    }

    pub(super) fn option_set(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOptionSet,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let value_type = value_type(&at, "valueType", raw.value_type)?;
        let mut options = Vec::with_capacity(raw.options.len());
        for (i, mut entry) in raw.options.into_iter().enumerate() {
            let embedded = entry.code.is_some() || entry.name.is_some();
            let Some(option_id) = entry.id.clone() else {
                return Err(missing(&at, format!("options[{i}].id")));
            };
            let uid = parse_uid(&at, || format!("options[{i}].id"), &option_id)?;
            let item = if embedded {
                // Errors inside an embedded option name the option set and the entry.
                let mut inner = at.clone();
                let identity = entry
                    .identity(&mut inner)
                    .map_err(|e| nest(e, &at, &format!("options[{i}]")))?;
                if identity.code.is_none() {
                    return Err(missing(&at, format!("options[{i}].code")));
                }
                Some(OptionItem { id: identity })
            } else {
                None
            };
            options.push((uid, item));
        }
        self.option_sets.push(PendingOptionSet {
            at,
            id,
            value_type,
            options,
        });
        Ok(())
    }

    pub(super) fn option(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOption,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        if id.code.is_none() {
            return Err(missing(&at, "code"));
        }
        let option_set = reference_uid(&at, "optionSet", raw.option_set)?;
        let uid = id.uid;
        if self
            .options
            .insert(
                uid,
                TopOption {
                    item: OptionItem { id },
                    option_set,
                },
            )
            .is_none()
        {
            self.option_order.push(uid);
        }
        Ok(())
    }

    pub(super) fn attribute(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawAttribute,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let object = Attribute {
            id,
            value_type: value_type(&at, "valueType", raw.value_type)?,
            unique: raw.unique,
        };
        self.doc.add_attribute(object);
        Ok(())
    }

    pub(super) fn data_element_group(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawDataElementGroup,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let data_elements = reference_uids(&at, "dataElements", raw.data_elements)?;
        self.doc
            .add_data_element_group(DataElementGroup { id, data_elements });
        Ok(())
    }

    pub(super) fn org_unit_group(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawOrgUnitGroup,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        let org_units = reference_uids(&at, "organisationUnits", raw.organisation_units)?;
        self.doc
            .add_org_unit_group(OrganisationUnitGroup { id, org_units });
        Ok(())
    }

    pub(super) fn user(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawUser,
    ) -> Result<(), MetadataError> {
        let mut id = raw.identity(&mut at)?;
        if id.name.is_none() {
            let full = [raw.first_name.as_deref(), raw.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            id.name = (!full.is_empty()).then_some(full);
        }
        let credentials = raw.user_credentials.unwrap_or_default();
        let username = raw
            .username
            .or(credentials.username)
            .ok_or_else(|| missing(&at, "username"))?;
        let mut roles = reference_uids(&at, "userRoles", raw.user_roles)?;
        for role in reference_uids(&at, "userCredentials.userRoles", credentials.user_roles)? {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        let mut authorities = Vec::new();
        extend_unique(&mut authorities, raw.authorities);
        let user = User {
            id,
            username,
            org_units: reference_uids(&at, "organisationUnits", raw.organisation_units)?,
            data_view_org_units: reference_uids(
                &at,
                "dataViewOrganisationUnits",
                raw.data_view_organisation_units,
            )?,
            authorities,
            user_groups: reference_uids(&at, "userGroups", raw.user_groups)?,
        };
        self.users.push(PendingUser { at, user, roles });
        Ok(())
    }

    pub(super) fn user_role(
        &mut self,
        mut at: ObjectRef,
        mut raw: RawUserRole,
    ) -> Result<(), MetadataError> {
        let id = raw.identity(&mut at)?;
        self.roles.insert(id.uid, raw.authorities);
        Ok(())
    }

    /// Resolves option sets and users against the document's options and roles.
    pub(super) fn finish(mut self) -> Result<Metadata, MetadataError> {
        for pending in std::mem::take(&mut self.option_sets) {
            let mut seen = HashSet::with_capacity(pending.options.len());
            let mut items = Vec::with_capacity(pending.options.len());
            for (i, (uid, embedded)) in pending.options.into_iter().enumerate() {
                let item = match (self.options.get(&uid), embedded) {
                    (Some(top), _) => top.item.clone(),
                    (None, Some(item)) => item,
                    (None, None) => self.known_option(&uid).ok_or_else(|| {
                        MetadataError::UnresolvedReference {
                            object: Box::new(pending.at.clone()),
                            field: format!("options[{i}]"),
                            id: uid.to_string(),
                        }
                    })?,
                };
                if seen.insert(uid) {
                    items.push(item);
                }
            }
            for uid in &self.option_order {
                if let Some(top) = self.options.get(uid) {
                    if top.option_set == Some(pending.id.uid) && seen.insert(*uid) {
                        items.push(top.item.clone());
                    }
                }
            }
            self.doc.add_option_set(OptionSet {
                id: pending.id,
                value_type: pending.value_type,
                options: items,
            });
        }
        for pending in std::mem::take(&mut self.users) {
            let mut user = pending.user;
            for (i, role) in pending.roles.iter().enumerate() {
                let authorities =
                    self.roles
                        .get(role)
                        .ok_or_else(|| MetadataError::UnresolvedReference {
                            object: Box::new(pending.at.clone()),
                            field: format!("userRoles[{i}]"),
                            id: role.to_string(),
                        })?;
                extend_unique(&mut user.authorities, authorities.iter().cloned());
            }
            self.doc.add_user(user);
        }
        Ok(self.doc)
    }

    /// An option of an option set already in the catalogue being merged into.
    pub(super) fn known_option(&self, uid: &Uid) -> Option<OptionItem> {
        self.target
            .option_sets()
            .iter()
            .flat_map(|s| s.options.iter())
            .find(|o| o.id.uid == *uid)
            .cloned()
    }
}

/// Re-roots an error about an embedded object (`options[i]`) onto its parent object.
pub(super) fn nest(e: MetadataError, parent: &ObjectRef, prefix: &str) -> MetadataError {
    match e {
        MetadataError::MissingField {
            field, position, ..
        } => MetadataError::MissingField {
            object: Box::new(parent.clone()),
            field: format!("{prefix}.{field}"),
            position,
        },
        MetadataError::InvalidField {
            field,
            value,
            expected,
            position,
            ..
        } => MetadataError::InvalidField {
            object: Box::new(parent.clone()),
            field: format!("{prefix}.{field}"),
            value,
            expected,
            position,
        },
        other => other,
    }
}
