//! Id schemes on export (`idScheme`, `orgUnitIdScheme`, `programIdScheme`,
//! `programStageIdScheme`, `dataElementIdScheme`, `categoryOptionComboIdScheme`,
//! `categoryOptionIdScheme`), as 2.42's `/events` and `/trackedEntities` write them (spec §5):
//!
//! * an event's `orgUnit`, `program`, `programStage`, `attributeOptionCombo`, each entry of
//!   `attributeCategoryOptions` (a comma list) and `dataValues[].dataElement`;
//! * a tracked entity's `trackedEntityType`, `orgUnit` and `attributes[].attribute`;
//! * inside nested lists only `attributes[].attribute` and `dataValues[].dataElement`; the
//!   rest stays UIDs, as do enrollments and relationships exported on their own.
//!
//! Metadata that has no identifier in the requested scheme fails the whole request (DHIS2's
//! HTTP 422), with DHIS2's message and the list of what lacks one.

use crate::import::{Preheat, Table, TrackerIdScheme};
use crate::model::{Attribute, DataValue, Enrollment, Event, TrackedEntity};
use crate::store::TrackerObject;

/// DHIS2's message when metadata lacks an identifier in the requested scheme.
pub const MISSING_IDENTIFIER: &str = "Not all metadata has an identifier for the requested \
     idScheme. Either change the requested idScheme or add the missing identifiers to the \
     metadata.";

/// Metadata without an identifier in its requested scheme: (class, scheme, UIDs).
#[derive(Debug, Default)]
pub struct Missing {
    entries: Vec<(&'static str, String, Vec<String>)>,
}

impl Missing {
    fn add(&mut self, class: &'static str, scheme: &TrackerIdScheme, uid: &str) {
        let scheme = scheme.to_string();
        match self
            .entries
            .iter_mut()
            .find(|(c, s, _)| *c == class && *s == scheme)
        {
            Some((_, _, uids)) => {
                if !uids.iter().any(|u| u == uid) {
                    uids.push(uid.to_owned());
                }
            }
            None => self.entries.push((class, scheme, vec![uid.to_owned()])),
        }
    }

    /// Whether everything had an identifier.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// DHIS2's `devMessage` list: `Class[SCHEME]=uid,uid; …`.
    pub fn details(&self) -> String {
        self.entries
            .iter()
            .map(|(c, s, uids)| format!("{c}[{s}]={}", uids.join(",")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Rewrites one reference: unknown metadata and the UID scheme leave it as it is.
fn map<T>(table: &Table<T>, class: &'static str, value: &mut String, missing: &mut Missing) {
    if value.is_empty() || *table.scheme() == TrackerIdScheme::Uid {
        return;
    }
    match table.identifier(value) {
        None => {}
        Some("") => missing.add(class, table.scheme(), value),
        Some(id) => *value = id.to_owned(),
    }
}

fn attributes(pre: &Preheat, list: &mut [Attribute], missing: &mut Missing) {
    for a in list {
        map(
            &pre.attributes,
            "TrackedEntityAttribute",
            &mut a.attribute,
            missing,
        );
    }
}

fn data_values(pre: &Preheat, list: &mut [DataValue], missing: &mut Missing) {
    for d in list {
        map(
            &pre.data_elements,
            "DataElement",
            &mut d.data_element,
            missing,
        );
    }
}

fn event(pre: &Preheat, ev: &mut Event, top: bool, missing: &mut Missing) {
    data_values(pre, &mut ev.data_values, missing);
    if !top {
        return;
    }
    map(
        &pre.org_units,
        "OrganisationUnit",
        &mut ev.org_unit,
        missing,
    );
    map(&pre.programs, "Program", &mut ev.program, missing);
    map(&pre.stages, "ProgramStage", &mut ev.program_stage, missing);
    map(
        &pre.category_option_combos,
        "CategoryOptionCombo",
        &mut ev.attribute_option_combo,
        missing,
    );
    if !ev.attribute_category_options.is_empty() {
        let mut options: Vec<String> = ev
            .attribute_category_options
            .split(',')
            .map(str::to_owned)
            .collect();
        for o in &mut options {
            map(&pre.category_options, "CategoryOption", o, missing);
        }
        ev.attribute_category_options = options.join(",");
    }
}

fn enrollment(pre: &Preheat, en: &mut Enrollment, missing: &mut Missing) {
    attributes(pre, &mut en.attributes, missing);
    for ev in &mut en.events {
        event(pre, ev, false, missing);
    }
}

fn tracked_entity(pre: &Preheat, te: &mut TrackedEntity, missing: &mut Missing) {
    map(
        &pre.tracked_entity_types,
        "TrackedEntityType",
        &mut te.tracked_entity_type,
        missing,
    );
    map(
        &pre.org_units,
        "OrganisationUnit",
        &mut te.org_unit,
        missing,
    );
    attributes(pre, &mut te.attributes, missing);
    for en in &mut te.enrollments {
        enrollment(pre, en, missing);
    }
}

/// Writes the exported objects' metadata in the schemes `pre` was loaded with (events and
/// tracked entities; enrollments and relationships keep UIDs); what lacks an identifier is
/// returned.
pub fn apply(pre: &Preheat, objects: &mut [TrackerObject]) -> Missing {
    let mut missing = Missing::default();
    for o in objects {
        match o {
            TrackerObject::Event(ev) => event(pre, ev, true, &mut missing),
            TrackerObject::TrackedEntity(te) => tracked_entity(pre, te, &mut missing),
            TrackerObject::Enrollment(_) | TrackerObject::Relationship(_) => {}
        }
    }
    missing
}
