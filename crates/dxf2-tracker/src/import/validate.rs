//! The validators (spec §6.1 step 5, §8): per type in the order TE → EN → EV → RL; per object
//! a sequence of steps that stops at the first step with an error — existence, mandatory
//! fields, metadata, updatable fields, data relations, ownership, then the remaining checks
//! (dates, geometry, attributes, category options, data values, statuses, user assignment) —
//! then the non-repeatable stage check across events, then `E5000` for the children of
//! invalid parents.

use std::collections::{HashMap, HashSet};

use dxf2_model::{Progress, Uid, ValueType};

use super::codes::ValidationCode as C;
use super::context::{Action, Context};
use super::params::ValidationMode;
use super::preheat::FeatureType;
use super::report::Entry;
use crate::geometry::Geometry;
use crate::model::{
    Attribute, Enrollment, EnrollmentStatus, Event, EventStatus, ItemRef, Note, TrackedEntity,
    TrackerType,
};
use crate::time::Timestamp;
use dxf2_model::progress::PhaseCounter as Counter;

/// The outcome of validation.
#[derive(Debug, Default)]
pub(crate) struct Validation {
    pub errors: Vec<Entry>,
    pub warnings: Vec<Entry>,
    /// Objects not to persist (with errors, or not validated after a FAIL_FAST stop).
    pub invalid: HashSet<(TrackerType, Uid)>,
    /// Relationships sent again: a warning, counted as ignored.
    pub ignored: HashSet<Uid>,
}

/// The errors of one object, step by step.
pub(super) struct Object {
    pub(super) kind: TrackerType,
    pub(super) uid: String,
    pub(super) errors: Vec<Entry>,
}

impl Object {
    pub(super) fn new(kind: TrackerType, uid: Option<Uid>) -> Object {
        Object {
            kind,
            uid: uid.map(|u| u.to_string()).unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    pub(super) fn error(&mut self, code: C, args: Vec<String>) {
        let entry = Entry::new(code, self.kind, self.uid.clone(), args);
        if !self.errors.contains(&entry) {
            self.errors.push(entry);
        }
    }

    pub(super) fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

pub(super) fn s(v: impl Into<String>) -> String {
    v.into()
}

fn date_arg(cx: &Context<'_>, t: &Timestamp) -> String {
    t.to_json_string(&cx.params.time_zone)
}

/// Runs every validator, counting each tracked entity, enrollment, event and relationship
/// validated with `counter`.
pub(crate) fn validate(
    cx: &Context<'_>,
    counter: &mut Counter,
    progress: &mut dyn FnMut(Progress),
) -> Validation {
    let mut v = Validation::default();
    if cx.params.validation_mode == ValidationMode::Skip {
        return v;
    }
    let fail_fast = cx.params.validation_mode == ValidationMode::FailFast;
    let mut stop = false;
    let finish = |v: &mut Validation, o: Object| -> bool {
        if let Ok(uid) = Uid::parse(&o.uid) {
            if o.failed() {
                v.invalid.insert((o.kind, uid));
            }
        }
        let failed = o.failed();
        v.errors.extend(o.errors);
        fail_fast && failed
    };
    let payload = cx.payload;
    // Unique attribute values already seen in the payload: (attribute, value) → TE.
    let mut unique_seen: HashMap<(String, String), Uid> = HashMap::new();
    for te in &payload.tracked_entities {
        if stop {
            break;
        }
        let o = tracked_entity(cx, te, &mut unique_seen);
        stop = finish(&mut v, o);
        counter.tick(progress);
    }
    for (i, en) in payload.enrollments.iter().enumerate() {
        if stop {
            break;
        }
        let o = enrollment(cx, en, i, &mut unique_seen, &mut v.warnings);
        stop = finish(&mut v, o);
        counter.tick(progress);
    }
    for ev in &payload.events {
        if stop {
            break;
        }
        let o = event(cx, ev, &mut v.warnings);
        stop = finish(&mut v, o);
        counter.tick(progress);
    }
    if !stop {
        for o in repeatable_stages(cx, &v.invalid) {
            stop = finish(&mut v, o);
            if stop {
                break;
            }
        }
    }
    for rl in &payload.relationships {
        if stop {
            break;
        }
        let o = super::relationships::relationship(cx, rl, &mut v.warnings, &mut v.ignored);
        stop = finish(&mut v, o);
        counter.tick(progress);
    }
    if stop {
        // FAIL_FAST: the first error only; nothing else is validated, so nothing is written.
        v.errors.truncate(1);
        mark_all_invalid(cx, &mut v);
        return v;
    }
    super::relationships::dependants(cx, &mut v);
    v
}

fn mark_all_invalid(cx: &Context<'_>, v: &mut Validation) {
    for (kind, uid) in cx.actions.keys() {
        v.invalid.insert((*kind, *uid));
    }
}

/// Existence (the first step of every type).
fn existence(cx: &Context<'_>, o: &mut Object, uid: Option<Uid>, codes: [C; 3]) {
    let [deleted, exists, missing] = codes;
    let Some(uid) = uid else { return };
    let stored = cx.existing.state(o.kind, &uid);
    match (stored, cx.action(o.kind, &uid)) {
        (Some(true), _) => o.error(deleted, vec![uid.to_string()]),
        (Some(false), Action::Create) => o.error(exists, vec![uid.to_string()]),
        (None, Action::Update | Action::Delete) => o.error(missing, vec![uid.to_string()]),
        _ => {}
    }
}

/// The user's capture scope (`E1000`), when `--user` names a user of the metadata who is not
/// a superuser.
fn ownership(cx: &Context<'_>, o: &mut Object, org_unit: &str) {
    let Some(name) = cx.params.user.as_deref() else {
        return;
    };
    let Some(user) = cx.pre.user(name, "") else {
        return;
    };
    if user.superuser {
        return;
    }
    let inside = cx
        .pre
        .ancestry(org_unit)
        .iter()
        .any(|ou| user.org_units.contains(ou));
    if !inside {
        o.error(
            C::E1000,
            vec![user.uid.clone(), cx.pre.org_units.render(org_unit)],
        );
    }
}

fn geometry(o: &mut Object, geometry: Option<&Geometry>, feature_type: Option<FeatureType>) {
    let Some(g) = geometry else { return };
    match feature_type {
        None => o.error(C::E1074, Vec::new()),
        Some(ft) if !ft.accepts(g.geometry_type()) => o.error(C::E1012, vec![s(ft.name())]),
        Some(_) => {}
    }
}

fn notes(cx: &Context<'_>, o: &Object, notes: &[Note], warnings: &mut Vec<Entry>) {
    for note in notes {
        let Some(uid) = note.note else { continue };
        let stored = cx.stored_notes.contains(&uid);
        if stored {
            warnings.push(Entry::new(
                C::E1119,
                o.kind,
                o.uid.clone(),
                vec![uid.to_string()],
            ));
        }
    }
}

/// A value checked against its value type and option set: the error's code and arguments.
fn value_error(
    cx: &Context<'_>,
    value: &str,
    value_type: ValueType,
    option_set: Option<&String>,
) -> Option<(bool, Vec<String>)> {
    if let Err(e) = value_type.validate(Some(value), option_set.is_some()) {
        return Some((false, vec![s(value_type.name()), s(e.key())]));
    }
    if value_type == ValueType::OrganisationUnit && cx.pre.org_units.get(value).is_none() {
        return Some((
            false,
            vec![s(value_type.name()), s("value_not_valid_org_unit_uid")],
        ));
    }
    if let Some(set) = option_set {
        let codes = cx.pre.option_sets.get(set);
        let valid = |v: &str| codes.is_some_and(|(_, c)| c.contains(v));
        let ok = if value_type == ValueType::MultiText {
            value.split(',').all(valid)
        } else {
            valid(value)
        };
        if !ok {
            return Some((true, vec![s(value), set.clone()]));
        }
    }
    None
}

/// Attribute values of a tracked entity or an enrollment. `allowed`: the program's
/// attributes (enrollments) or `None` (tracked entities: any attribute); `mandatory`: the
/// attributes that may not be emptied.
fn attributes(
    cx: &Context<'_>,
    o: &mut Object,
    attributes: &[Attribute],
    allowed: Option<&[(String, bool)]>,
    mandatory: &[(String, bool)],
    owner: Option<Uid>,
    unique_seen: &mut HashMap<(String, String), Uid>,
) {
    let pre = cx.pre;
    for a in attributes {
        if a.attribute.is_empty() {
            o.error(C::E1075, vec![a.value.clone()]);
            continue;
        }
        let Some((uid, meta)) = pre.attributes.resolve(&a.attribute) else {
            o.error(C::E1006, vec![a.attribute.clone()]);
            continue;
        };
        let rendered = pre.attributes.render(uid);
        if let Some(allowed) = allowed {
            if !allowed.iter().any(|(k, _)| k == uid) {
                o.error(C::E1019, vec![rendered]);
                continue;
            }
        }
        if a.value.is_empty() {
            if mandatory.iter().any(|(k, m)| *m && k == uid) {
                o.error(C::E1076, vec![s("TrackedEntityAttribute"), rendered]);
            }
            continue;
        }
        if a.value.chars().count() > 1200 {
            o.error(C::E1077, vec![a.value.clone()]);
            continue;
        }
        if let Some((option, args)) =
            value_error(cx, &a.value, meta.value_type, meta.option_set.as_ref())
        {
            o.error(if option { C::E1125 } else { C::E1007 }, args);
            continue;
        }
        if meta.unique {
            let key = (uid.to_owned(), a.value.clone());
            let in_store = cx.existing.tracked_entities.values().any(|t| {
                !t.deleted
                    && t.tracked_entity != owner
                    && t.attributes
                        .iter()
                        .any(|x| x.attribute == uid && x.value == a.value)
            });
            let in_payload = match (unique_seen.get(&key), owner) {
                (Some(other), Some(owner)) => *other != owner,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if in_store || in_payload {
                o.error(C::E1064, vec![a.value.clone(), rendered]);
            } else if let Some(owner) = owner {
                unique_seen.insert(key, owner);
            }
        }
    }
}

fn tracked_entity(
    cx: &Context<'_>,
    te: &TrackedEntity,
    unique_seen: &mut HashMap<(String, String), Uid>,
) -> Object {
    let pre = cx.pre;
    let mut o = Object::new(TrackerType::TrackedEntity, te.tracked_entity);
    existence(
        cx,
        &mut o,
        te.tracked_entity,
        [C::E1114, C::E1002, C::E1063],
    );
    let action = te
        .tracked_entity
        .map(|u| cx.action(o.kind, &u))
        .unwrap_or(Action::Create);
    if o.failed() || action == Action::Delete {
        return o;
    }
    if te.tracked_entity_type.is_empty() {
        o.error(C::E1121, vec![s("trackedEntityType")]);
    }
    if te.org_unit.is_empty() {
        o.error(C::E1121, vec![s("orgUnit")]);
    }
    if o.failed() {
        return o;
    }
    let tet = pre.tracked_entity_types.resolve(&te.tracked_entity_type);
    if tet.is_none() {
        o.error(C::E1005, vec![te.tracked_entity_type.clone()]);
    }
    let org_unit = pre.org_units.uid_of(&te.org_unit);
    if org_unit.is_none() {
        o.error(C::E1049, vec![te.org_unit.clone()]);
    }
    let (Some((tet_uid, tet)), Some(org_unit)) = (tet, org_unit) else {
        return o;
    };
    let stored = te
        .tracked_entity
        .and_then(|u| cx.existing.tracked_entities.get(&u));
    if action == Action::Update {
        if let Some(stored) = stored {
            if stored.tracked_entity_type != tet_uid {
                o.error(C::E1126, vec![s("trackedEntityType")]);
                return o;
            }
        }
    }
    ownership(cx, &mut o, &org_unit);
    if o.failed() {
        return o;
    }
    geometry(&mut o, te.geometry.as_ref(), tet.feature_type);
    attributes(
        cx,
        &mut o,
        &te.attributes,
        None,
        &tet.attributes,
        te.tracked_entity,
        unique_seen,
    );
    for (attribute, mandatory) in &tet.attributes {
        if !mandatory {
            continue;
        }
        let sent = te
            .attributes
            .iter()
            .any(|a| pre.attributes.uid_of(&a.attribute).as_deref() == Some(attribute));
        let kept = stored.is_some_and(|t| t.attributes.iter().any(|a| &a.attribute == attribute));
        if !sent && !kept {
            o.error(
                C::E1090,
                vec![
                    pre.attributes.render(attribute),
                    pre.tracked_entity_types.render(tet_uid),
                    o.uid.clone(),
                ],
            );
        }
    }
    o
}

fn enrollment(
    cx: &Context<'_>,
    en: &Enrollment,
    index: usize,
    unique_seen: &mut HashMap<(String, String), Uid>,
    warnings: &mut Vec<Entry>,
) -> Object {
    let pre = cx.pre;
    let mut o = Object::new(TrackerType::Enrollment, en.enrollment);
    existence(cx, &mut o, en.enrollment, [C::E1113, C::E1080, C::E1081]);
    let action = en
        .enrollment
        .map(|u| cx.action(o.kind, &u))
        .unwrap_or(Action::Create);
    if o.failed() || action == Action::Delete {
        return o;
    }
    if en.org_unit.is_empty() {
        o.error(C::E1122, vec![s("orgUnit")]);
    }
    if en.program.is_empty() {
        o.error(C::E1122, vec![s("program")]);
    }
    let Some(te_uid) = en.tracked_entity else {
        o.error(C::E1122, vec![s("trackedEntity")]);
        return o;
    };
    if o.failed() {
        return o;
    }
    let program = pre.programs.resolve(&en.program);
    if program.is_none() {
        o.error(C::E1069, vec![en.program.clone()]);
    }
    let org_unit = pre.org_units.uid_of(&en.org_unit);
    if org_unit.is_none() {
        o.error(C::E1070, vec![en.org_unit.clone()]);
    }
    let (Some((program_uid, program)), Some(org_unit)) = (program, org_unit) else {
        return o;
    };
    let stored = en.enrollment.and_then(|u| cx.existing.enrollments.get(&u));
    if action == Action::Update {
        if let Some(stored) = stored {
            if stored.program != program_uid {
                o.error(C::E1127, vec![s("program")]);
            }
            if stored.tracked_entity != Some(te_uid) {
                o.error(C::E1127, vec![s("trackedEntity")]);
            }
            if o.failed() {
                return o;
            }
        }
    }
    let rendered_program = pre.programs.render(program_uid);
    if !program.registration {
        o.error(C::E1014, vec![rendered_program]);
        return o;
    }
    if !program.org_units.contains(&org_unit) {
        o.error(
            C::E1041,
            vec![pre.org_units.render(&org_unit), rendered_program.clone()],
        );
    }
    if !cx.item_exists(&ItemRef::TrackedEntity(te_uid)) {
        o.error(C::E1068, vec![te_uid.to_string()]);
    } else if let (Some(te_type), Some(program_type)) = (
        cx.tracked_entity_type(&te_uid),
        &program.tracked_entity_type,
    ) {
        if &te_type != program_type {
            o.error(C::E1022, vec![te_uid.to_string(), rendered_program.clone()]);
        }
    }
    if o.failed() {
        return o;
    }
    ownership(cx, &mut o, &org_unit);
    if o.failed() {
        return o;
    }
    notes(cx, &o, &en.notes, warnings);
    match en.enrolled_at {
        None => o.error(C::E1025, Vec::new()),
        Some(t) if t > cx.now && !program.enrollment_dates_in_future => {
            o.error(C::E1020, vec![date_arg(cx, &t)]);
        }
        Some(_) => {}
    }
    if let Some(t) = en.occurred_at {
        if t > cx.now && !program.incident_dates_in_future {
            o.error(C::E1021, vec![date_arg(cx, &t)]);
        }
    } else if program.display_incident_date {
        o.error(C::E1023, Vec::new());
    }
    if en.completed_at.is_some() && en.status == EnrollmentStatus::Active {
        o.error(C::E1052, vec![o.uid.clone(), s(en.status.name())]);
    }
    geometry(&mut o, en.geometry.as_ref(), program.feature_type);
    attributes(
        cx,
        &mut o,
        &en.attributes,
        Some(&program.attributes),
        &program.attributes,
        Some(te_uid),
        unique_seen,
    );
    for (attribute, mandatory) in &program.attributes {
        if !mandatory {
            continue;
        }
        let sent = |list: &[Attribute]| {
            list.iter()
                .any(|a| pre.attributes.uid_of(&a.attribute).as_deref() == Some(attribute))
        };
        let on_te = cx
            .payload_tracked_entity(&te_uid)
            .is_some_and(|t| sent(&t.attributes))
            || cx
                .existing
                .tracked_entities
                .get(&te_uid)
                .is_some_and(|t| t.attributes.iter().any(|a| &a.attribute == attribute));
        if !sent(&en.attributes) && !on_te {
            o.error(
                C::E1018,
                vec![
                    pre.attributes.render(attribute),
                    pre.programs.render(program_uid),
                    o.uid.clone(),
                ],
            );
        }
    }
    // Other enrollments of the same tracked entity in the same program: stored, or earlier in
    // the payload.
    let others: Vec<EnrollmentStatus> = cx
        .existing
        .enrollments
        .values()
        .filter(|e| {
            !e.deleted
                && e.enrollment != en.enrollment
                && e.tracked_entity == Some(te_uid)
                && e.program == program_uid
        })
        .map(|e| e.status)
        .chain(
            cx.payload
                .enrollments
                .iter()
                .take(index)
                .filter(|e| {
                    e.enrollment != en.enrollment
                        && e.tracked_entity == Some(te_uid)
                        && pre.programs.uid_of(&e.program).as_deref() == Some(program_uid)
                })
                .map(|e| e.status),
        )
        .collect();
    if en.status == EnrollmentStatus::Active && others.contains(&EnrollmentStatus::Active) {
        o.error(
            C::E1015,
            vec![te_uid.to_string(), pre.programs.render(program_uid)],
        );
    } else if program.only_enroll_once
        && others
            .iter()
            .any(|s| matches!(s, EnrollmentStatus::Active | EnrollmentStatus::Completed))
    {
        o.error(
            C::E1016,
            vec![te_uid.to_string(), pre.programs.render(program_uid)],
        );
    }
    o
}

fn event(cx: &Context<'_>, ev: &Event, warnings: &mut Vec<Entry>) -> Object {
    let pre = cx.pre;
    let mut o = Object::new(TrackerType::Event, ev.event);
    existence(cx, &mut o, ev.event, [C::E1082, C::E1030, C::E1032]);
    let action = ev
        .event
        .map(|u| cx.action(o.kind, &u))
        .unwrap_or(Action::Create);
    if o.failed() || action == Action::Delete {
        return o;
    }
    let (program_uid, stage_uid) = cx.event_program_stage(ev);
    if ev.org_unit.is_empty() {
        o.error(C::E1123, vec![s("orgUnit")]);
    }
    if ev.program_stage.is_empty() && stage_uid.is_none() {
        o.error(C::E1123, vec![s("programStage")]);
    }
    if o.failed() {
        return o;
    }
    if !ev.program.is_empty() && program_uid.is_none() {
        o.error(C::E1010, vec![ev.program.clone()]);
    }
    if !ev.program_stage.is_empty() && stage_uid.is_none() {
        o.error(C::E1013, vec![ev.program_stage.clone()]);
    }
    let org_unit = pre.org_units.uid_of(&ev.org_unit);
    if org_unit.is_none() {
        o.error(C::E1011, vec![ev.org_unit.clone()]);
    }
    let (Some(program_uid), Some(stage_uid), Some(org_unit)) = (program_uid, stage_uid, org_unit)
    else {
        if !o.failed() {
            o.error(C::E1123, vec![s("program")]);
        }
        return o;
    };
    let (Some(program), Some(stage)) = (pre.programs.get(&program_uid), pre.stages.get(&stage_uid))
    else {
        return o;
    };
    let stored = ev.event.and_then(|u| cx.existing.events.get(&u));
    if action == Action::Update {
        if let Some(stored) = stored {
            if stored.program_stage != stage_uid {
                o.error(C::E1128, vec![s("programStage")]);
            }
            if program.registration && stored.enrollment != ev.enrollment {
                o.error(C::E1128, vec![s("enrollment")]);
            }
            if o.failed() {
                return o;
            }
        }
    }
    let rendered_program = pre.programs.render(&program_uid);
    let rendered_stage = pre.stages.render(&stage_uid);
    if stage.program.as_deref() != Some(program_uid.as_str()) {
        o.error(
            C::E1089,
            vec![
                o.uid.clone(),
                rendered_stage.clone(),
                rendered_program.clone(),
            ],
        );
        return o;
    }
    if !program.org_units.contains(&org_unit) {
        o.error(
            C::E1029,
            vec![pre.org_units.render(&org_unit), rendered_program.clone()],
        );
    }
    if program.registration {
        match ev.enrollment {
            Some(en) if cx.item_exists(&ItemRef::Enrollment(en)) => {
                if cx.enrollment_program(&en).as_deref() != Some(program_uid.as_str()) {
                    o.error(
                        C::E1079,
                        vec![o.uid.clone(), rendered_program.clone(), en.to_string()],
                    );
                }
            }
            _ => o.error(C::E1033, vec![o.uid.clone()]),
        }
    }
    if o.failed() {
        return o;
    }
    ownership(cx, &mut o, &org_unit);
    if o.failed() {
        return o;
    }
    if action == Action::Update {
        if let Some(stored) = stored {
            let was_done = matches!(
                stored.status,
                EventStatus::Active | EventStatus::Completed | EventStatus::Visited
            );
            let status = effective_status(ev.status);
            if was_done
                && matches!(
                    status,
                    EventStatus::Schedule | EventStatus::Overdue | EventStatus::Skipped
                )
            {
                o.error(C::E1316, vec![s(stored.status.name()), s(status.name())]);
                return o;
            }
            if stored.status == EventStatus::Completed
                && status == EventStatus::Completed
                && stage.block_entry_form
            {
                o.error(C::E1326, vec![o.uid.clone()]);
                return o;
            }
        }
    }
    notes(cx, &o, &ev.notes, warnings);
    let status = effective_status(ev.status);
    if ev.occurred_at.is_none()
        && (!program.registration || matches!(status, EventStatus::Active | EventStatus::Completed))
    {
        o.error(C::E1031, Vec::new());
    }
    if status == EventStatus::Schedule && ev.scheduled_at.is_none() {
        o.error(C::E1050, Vec::new());
    }
    if ev.completed_at.is_some() && status != EventStatus::Completed {
        o.error(C::E1051, vec![o.uid.clone(), s(status.name())]);
    }
    geometry(&mut o, ev.geometry.as_ref(), stage.feature_type);
    match cx.event_aoc(ev, &program_uid) {
        Err((code, args)) => o.error(code, args),
        Ok((_, options)) => {
            let date = ev.occurred_at.or(ev.scheduled_at);
            for option in &options {
                let (Some(meta), Some(date)) = (pre.category_options.get(option), date) else {
                    continue;
                };
                if let Some(start) = meta.start_date {
                    if date < start {
                        o.error(
                            C::E1056,
                            vec![
                                date_arg(cx, &date),
                                date_arg(cx, &start),
                                pre.category_options.render(option),
                            ],
                        );
                    }
                }
                if let Some(end) = meta.end_date {
                    let days = chrono::Duration::days(program.open_days_after_co_end_date);
                    let end = Timestamp::from_utc(end.utc() + days);
                    if date > end {
                        o.error(
                            C::E1057,
                            vec![
                                date_arg(cx, &date),
                                date_arg(cx, &end),
                                pre.category_options.render(option),
                                rendered_program.clone(),
                            ],
                        );
                    }
                }
            }
        }
    }
    if !ev.data_values.is_empty()
        && matches!(
            status,
            EventStatus::Schedule | EventStatus::Overdue | EventStatus::Skipped
        )
        && ev.data_values.iter().any(|d| !d.value.is_empty())
    {
        o.error(
            C::E1315,
            vec![s(status.name()), s("[ACTIVE, COMPLETED, VISITED]")],
        );
    }
    let strict = stage.validate_on_update || status == EventStatus::Completed;
    for dv in &ev.data_values {
        let Some((de_uid, de)) = pre.data_elements.resolve(&dv.data_element) else {
            o.error(C::E1304, vec![dv.data_element.clone()]);
            continue;
        };
        let rendered = pre.data_elements.render(de_uid);
        let Some(compulsory) = stage.data_elements.get(de_uid) else {
            o.error(C::E1305, vec![rendered, rendered_stage.clone()]);
            continue;
        };
        if dv.value.is_empty() {
            if *compulsory && strict {
                o.error(C::E1076, vec![s("DataElement"), rendered]);
            }
            continue;
        }
        if let Some((option, args)) =
            value_error(cx, &dv.value, de.value_type, de.option_set.as_ref())
        {
            if option {
                o.error(C::E1125, args);
            } else {
                let key = args.get(1).cloned().unwrap_or_default();
                o.error(C::E1302, vec![rendered, key]);
            }
        }
    }
    if strict {
        for (de, compulsory) in &stage.data_elements {
            if !compulsory {
                continue;
            }
            let sent = ev.data_values.iter().any(|d| {
                !d.value.is_empty()
                    && pre.data_elements.uid_of(&d.data_element).as_ref() == Some(de)
            });
            let kept =
                stored.is_some_and(|st| st.data_values.iter().any(|d| &d.data_element == de));
            if !sent && !kept {
                o.error(C::E1303, vec![pre.data_elements.render(de)]);
            }
        }
    }
    if let Some(user) = ev.assigned_user.as_ref().filter(|u| !u.is_empty()) {
        if pre.user(&user.username, &user.uid).is_none() {
            let id = if user.uid.is_empty() {
                user.username.clone()
            } else {
                user.uid.clone()
            };
            o.error(C::E1118, vec![id]);
        } else if !stage.user_assignment {
            warnings.push(Entry::new(
                C::E1120,
                o.kind,
                o.uid.clone(),
                vec![rendered_stage.clone()],
            ));
        }
    }
    o
}

/// `VISITED` is imported as `ACTIVE`.
pub(crate) fn effective_status(status: EventStatus) -> EventStatus {
    match status {
        EventStatus::Visited => EventStatus::Active,
        other => other,
    }
}

/// `E1039`: a second event of a non-repeatable stage in the same enrollment (stored, or earlier
/// in the payload), for tracker programs only; events being created.
fn repeatable_stages(cx: &Context<'_>, invalid: &HashSet<(TrackerType, Uid)>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut seen: HashSet<(Uid, String)> = HashSet::new();
    for ev in &cx.payload.events {
        let Some(uid) = ev.event else { continue };
        if invalid.contains(&(TrackerType::Event, uid))
            || cx.action(TrackerType::Event, &uid) != Action::Create
        {
            continue;
        }
        let (Some(program), Some(stage_uid)) = cx.event_program_stage(ev) else {
            continue;
        };
        let (Some(program), Some(stage), Some(enrollment)) = (
            cx.pre.programs.get(&program),
            cx.pre.stages.get(&stage_uid),
            ev.enrollment,
        ) else {
            continue;
        };
        if !program.registration || stage.repeatable {
            continue;
        }
        let stored = cx.existing.events.values().any(|e| {
            !e.deleted
                && e.event != ev.event
                && e.enrollment == Some(enrollment)
                && e.program_stage == stage_uid
        });
        let key = (enrollment, stage_uid.clone());
        if stored || seen.contains(&key) {
            let mut o = Object::new(TrackerType::Event, Some(uid));
            o.error(C::E1039, vec![cx.pre.stages.render(&stage_uid)]);
            out.push(o);
        } else {
            seen.insert(key);
        }
    }
    out
}
