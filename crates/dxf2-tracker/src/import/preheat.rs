//! The preheat: the metadata a tracker import reads, taken once from a
//! [`Catalogue`] (DHIS2 objects as a metadata package writes them) into typed tables, each
//! found by UID, code, name or metadata attribute value as the id schemes say.

use std::collections::{HashMap, HashSet};

use dxf2_metadata::catalogue::{Catalogue, CatalogueError};
use dxf2_model::ValueType;
use serde_json::Value;

use super::params::{MetadataKind, TrackerIdScheme, TrackerIdSchemes};
use crate::time::{ServerTimeZone, Timestamp};

/// The UID of DHIS2's default category combo.
pub const DEFAULT_CATEGORY_COMBO: &str = "bjDvmb4bfuf";

/// How an object is named: what the id schemes read.
#[derive(Clone, Debug, Default)]
pub struct Identifiers {
    /// `id`.
    pub uid: String,
    /// `code`.
    pub code: String,
    /// `name`.
    pub name: String,
    /// `attributeValues`: (attribute UID, value).
    pub attributes: Vec<(String, String)>,
}

type Object = serde_json::Map<String, Value>;

impl Identifiers {
    fn read(o: &Object) -> Identifiers {
        let attributes = o
            .get("attributeValues")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|av| {
                        let attribute = reference(av.get("attribute"))?;
                        let value = text(av.get("value"))?;
                        Some((attribute, value))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Identifiers {
            uid: text(o.get("id")).unwrap_or_default(),
            code: text(o.get("code")).unwrap_or_default(),
            name: text(o.get("name")).unwrap_or_default(),
            attributes,
        }
    }

    /// The identifier under `scheme` (empty when the object has none).
    pub fn get(&self, scheme: &TrackerIdScheme) -> &str {
        match scheme {
            TrackerIdScheme::Uid => &self.uid,
            TrackerIdScheme::Code => &self.code,
            TrackerIdScheme::Name => &self.name,
            TrackerIdScheme::Attribute(a) => self
                .attributes
                .iter()
                .find(|(k, _)| k == a.as_str())
                .map(|(_, v)| v.as_str())
                .unwrap_or_default(),
        }
    }
}

/// A table of one kind of metadata, found by UID and by the identifier of one scheme.
#[derive(Debug)]
pub struct Table<T> {
    by_uid: HashMap<String, (Identifiers, T)>,
    by_key: HashMap<String, String>,
    scheme: TrackerIdScheme,
}

impl<T> Table<T> {
    fn new(scheme: TrackerIdScheme) -> Table<T> {
        Table {
            by_uid: HashMap::new(),
            by_key: HashMap::new(),
            scheme,
        }
    }

    fn insert(&mut self, ids: Identifiers, value: T) {
        if ids.uid.is_empty() {
            return;
        }
        let key = ids.get(&self.scheme).to_owned();
        if !key.is_empty() {
            // The first object of a key wins, as DHIS2's preheat keeps the first one found.
            self.by_key.entry(key).or_insert_with(|| ids.uid.clone());
        }
        self.by_uid.insert(ids.uid.clone(), (ids, value));
    }

    /// The object a payload names under the table's scheme: its UID and itself (`None` for
    /// an empty reference or an unknown one).
    pub fn resolve(&self, key: &str) -> Option<(&str, &T)> {
        if key.is_empty() {
            return None;
        }
        let uid = match self.scheme {
            TrackerIdScheme::Uid => key,
            _ => self.by_key.get(key)?.as_str(),
        };
        self.by_uid.get(uid).map(|(ids, v)| (ids.uid.as_str(), v))
    }

    /// The UID a payload's reference names (`None` when unknown).
    pub fn uid_of(&self, key: &str) -> Option<String> {
        self.resolve(key).map(|(uid, _)| uid.to_owned())
    }

    /// The object of a UID.
    pub fn get(&self, uid: &str) -> Option<&T> {
        self.by_uid.get(uid).map(|(_, v)| v)
    }

    /// The object's identifier in the table's scheme (messages render metadata in the request's
    /// scheme), or the UID when it has none.
    pub fn render(&self, uid: &str) -> String {
        match self.by_uid.get(uid) {
            Some((ids, _)) => {
                let id = ids.get(&self.scheme);
                if id.is_empty() {
                    uid.to_owned()
                } else {
                    id.to_owned()
                }
            }
            None => uid.to_owned(),
        }
    }

    /// The object's identifier in the table's scheme, for an export: `None` for an unknown
    /// object, `Some("")` when it has no identifier in that scheme.
    pub fn identifier(&self, uid: &str) -> Option<&str> {
        self.by_uid.get(uid).map(|(ids, _)| ids.get(&self.scheme))
    }

    /// The table's id scheme.
    pub fn scheme(&self) -> &TrackerIdScheme {
        &self.scheme
    }

    /// The object's name (empty when unknown).
    pub fn name(&self, uid: &str) -> &str {
        self.by_uid
            .get(uid)
            .map(|(ids, _)| ids.name.as_str())
            .unwrap_or_default()
    }

    /// Every (UID, object).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.by_uid.iter().map(|(k, (_, v))| (k.as_str(), v))
    }
}

/// A feature type (`featureType`) of a tracked entity type, program or stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeatureType {
    /// `NONE`.
    None,
    /// `POINT`.
    Point,
    /// `POLYGON`.
    Polygon,
    /// `MULTI_POLYGON`.
    MultiPolygon,
    /// `SYMBOL`.
    Symbol,
}

impl FeatureType {
    fn read(o: &Object) -> Option<FeatureType> {
        Some(match o.get("featureType").and_then(Value::as_str)? {
            "NONE" => FeatureType::None,
            "POINT" => FeatureType::Point,
            "POLYGON" => FeatureType::Polygon,
            "MULTI_POLYGON" => FeatureType::MultiPolygon,
            "SYMBOL" => FeatureType::Symbol,
            _ => return None,
        })
    }

    /// DHIS2's name.
    pub fn name(self) -> &'static str {
        match self {
            FeatureType::None => "NONE",
            FeatureType::Point => "POINT",
            FeatureType::Polygon => "POLYGON",
            FeatureType::MultiPolygon => "MULTI_POLYGON",
            FeatureType::Symbol => "SYMBOL",
        }
    }

    /// Whether a geometry of GeoJSON type `geometry_type` conforms.
    pub fn accepts(self, geometry_type: &str) -> bool {
        matches!(
            (self, geometry_type),
            (FeatureType::Point, "Point")
                | (FeatureType::Polygon, "Polygon")
                | (FeatureType::MultiPolygon, "MultiPolygon")
        )
    }
}

/// A tracked entity type.
#[derive(Clone, Debug, Default)]
pub struct TrackedEntityTypeMeta {
    /// `featureType`.
    pub feature_type: Option<FeatureType>,
    /// `trackedEntityTypeAttributes`: (attribute UID, mandatory).
    pub attributes: Vec<(String, bool)>,
}

/// A tracked entity attribute.
#[derive(Clone, Debug)]
pub struct AttributeMeta {
    /// `valueType`.
    pub value_type: ValueType,
    /// `optionSet`.
    pub option_set: Option<String>,
    /// `unique`.
    pub unique: bool,
}

/// A data element.
#[derive(Clone, Debug)]
pub struct DataElementMeta {
    /// `valueType`.
    pub value_type: ValueType,
    /// `optionSet`.
    pub option_set: Option<String>,
}

/// A program.
#[derive(Clone, Debug, Default)]
pub struct ProgramMeta {
    /// `programType` is not `WITHOUT_REGISTRATION`.
    pub registration: bool,
    /// `trackedEntityType`.
    pub tracked_entity_type: Option<String>,
    /// `programStages`, in order.
    pub stages: Vec<String>,
    /// `organisationUnits`.
    pub org_units: HashSet<String>,
    /// `programTrackedEntityAttributes`: (attribute UID, mandatory).
    pub attributes: Vec<(String, bool)>,
    /// `featureType`.
    pub feature_type: Option<FeatureType>,
    /// `categoryCombo` (the default combo when absent).
    pub category_combo: String,
    /// `onlyEnrollOnce`.
    pub only_enroll_once: bool,
    /// `selectEnrollmentDatesInFuture`.
    pub enrollment_dates_in_future: bool,
    /// `selectIncidentDatesInFuture`.
    pub incident_dates_in_future: bool,
    /// `displayIncidentDate`.
    pub display_incident_date: bool,
    /// `openDaysAfterCoEndDate`.
    pub open_days_after_co_end_date: i64,
    /// Names of the program's program rules (not run here).
    pub rules: Vec<String>,
}

/// A program stage.
#[derive(Clone, Debug, Default)]
pub struct StageMeta {
    /// `program`.
    pub program: Option<String>,
    /// `repeatable`.
    pub repeatable: bool,
    /// `featureType`.
    pub feature_type: Option<FeatureType>,
    /// `programStageDataElements`: data element UID → compulsory.
    pub data_elements: HashMap<String, bool>,
    /// `validationStrategy` is `ON_UPDATE_AND_INSERT` (else `ON_COMPLETE`).
    pub validate_on_update: bool,
    /// `enableUserAssignment`.
    pub user_assignment: bool,
    /// `blockEntryForm`.
    pub block_entry_form: bool,
}

/// One side of a relationship type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraint {
    /// `relationshipEntity`: `TRACKED_ENTITY_INSTANCE`, `PROGRAM_INSTANCE` or
    /// `PROGRAM_STAGE_INSTANCE`.
    pub entity: String,
    /// `trackedEntityType`.
    pub tracked_entity_type: Option<String>,
    /// `program`.
    pub program: Option<String>,
    /// `programStage`.
    pub program_stage: Option<String>,
}

/// A relationship type.
#[derive(Clone, Debug, Default)]
pub struct RelationshipTypeMeta {
    /// `bidirectional`.
    pub bidirectional: bool,
    /// `fromConstraint`.
    pub from: Constraint,
    /// `toConstraint`.
    pub to: Constraint,
}

/// An org unit.
#[derive(Clone, Debug, Default)]
pub struct OrgUnitMeta {
    /// `parent`.
    pub parent: Option<String>,
}

/// A category option combo.
#[derive(Clone, Debug, Default)]
pub struct CategoryOptionComboMeta {
    /// `categoryCombo`.
    pub category_combo: String,
    /// `categoryOptions`.
    pub options: Vec<String>,
}

/// A category option.
#[derive(Clone, Debug, Default)]
pub struct CategoryOptionMeta {
    /// `startDate`.
    pub start_date: Option<Timestamp>,
    /// `endDate`.
    pub end_date: Option<Timestamp>,
}

/// A user (for `--user` and `assignedUser`).
#[derive(Clone, Debug, Default)]
pub struct UserMeta {
    /// `id`.
    pub uid: String,
    /// `username`.
    pub username: String,
    /// `organisationUnits`: the capture scope.
    pub org_units: Vec<String>,
    /// Whether a role of the user has authority `ALL`.
    pub superuser: bool,
}

/// The preheated metadata of an import.
#[derive(Debug)]
pub struct Preheat {
    /// Tracked entity types (idScheme).
    pub tracked_entity_types: Table<TrackedEntityTypeMeta>,
    /// Tracked entity attributes (idScheme).
    pub attributes: Table<AttributeMeta>,
    /// Relationship types (idScheme).
    pub relationship_types: Table<RelationshipTypeMeta>,
    /// Org units (orgUnitIdScheme).
    pub org_units: Table<OrgUnitMeta>,
    /// Programs (programIdScheme).
    pub programs: Table<ProgramMeta>,
    /// Program stages (programStageIdScheme).
    pub stages: Table<StageMeta>,
    /// Data elements (dataElementIdScheme).
    pub data_elements: Table<DataElementMeta>,
    /// Category option combos (categoryOptionComboIdScheme).
    pub category_option_combos: Table<CategoryOptionComboMeta>,
    /// Category options (categoryOptionIdScheme).
    pub category_options: Table<CategoryOptionMeta>,
    /// Option sets: UID → (name, option codes).
    pub option_sets: HashMap<String, (String, HashSet<String>)>,
    /// Users.
    pub users: Vec<UserMeta>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `{"id": …}` (or a bare string) → the UID.
fn reference(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => text(o.get("id")),
        _ => None,
    }
}

fn references(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|x| reference(Some(x))).collect())
        .unwrap_or_default()
}

fn flag(o: &Object, key: &str) -> bool {
    o.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn value_type(o: &Object) -> ValueType {
    o.get("valueType")
        .and_then(Value::as_str)
        .and_then(ValueType::from_name)
        .unwrap_or(ValueType::Text)
}

fn date(o: &Object, key: &str) -> Option<Timestamp> {
    let t = o.get(key).and_then(Value::as_str)?;
    Timestamp::parse(t, &ServerTimeZone::utc()).ok()
}

/// (attribute, mandatory) pairs of `programTrackedEntityAttributes` or
/// `trackedEntityTypeAttributes`.
fn attribute_links(o: &Object, key: &str) -> Vec<(String, bool)> {
    o.get(key)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    let a = a.as_object()?;
                    Some((
                        reference(a.get("trackedEntityAttribute"))?,
                        flag(a, "mandatory"),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn each(
    catalogue: &dyn Catalogue,
    key: &str,
    mut f: impl FnMut(&Object),
) -> Result<(), CatalogueError> {
    for object in catalogue.objects(key)? {
        f(&*object?);
    }
    Ok(())
}

impl Preheat {
    /// Reads every object the importer needs from `catalogue`, indexed under `schemes`.
    pub fn load(
        catalogue: &dyn Catalogue,
        schemes: &TrackerIdSchemes,
    ) -> Result<Preheat, CatalogueError> {
        let scheme = |k: MetadataKind| schemes.scheme(k).clone();
        let mut p = Preheat {
            tracked_entity_types: Table::new(scheme(MetadataKind::TrackedEntityType)),
            attributes: Table::new(scheme(MetadataKind::TrackedEntityAttribute)),
            relationship_types: Table::new(scheme(MetadataKind::RelationshipType)),
            org_units: Table::new(scheme(MetadataKind::OrgUnit)),
            programs: Table::new(scheme(MetadataKind::Program)),
            stages: Table::new(scheme(MetadataKind::ProgramStage)),
            data_elements: Table::new(scheme(MetadataKind::DataElement)),
            category_option_combos: Table::new(scheme(MetadataKind::CategoryOptionCombo)),
            category_options: Table::new(scheme(MetadataKind::CategoryOption)),
            option_sets: HashMap::new(),
            users: Vec::new(),
        };
        each(catalogue, "trackedEntityTypes", |o| {
            let meta = TrackedEntityTypeMeta {
                feature_type: FeatureType::read(o),
                attributes: attribute_links(o, "trackedEntityTypeAttributes"),
            };
            p.tracked_entity_types.insert(Identifiers::read(o), meta);
        })?;
        each(catalogue, "trackedEntityAttributes", |o| {
            let meta = AttributeMeta {
                value_type: value_type(o),
                option_set: reference(o.get("optionSet")),
                unique: flag(o, "unique"),
            };
            p.attributes.insert(Identifiers::read(o), meta);
        })?;
        each(catalogue, "dataElements", |o| {
            let meta = DataElementMeta {
                value_type: value_type(o),
                option_set: reference(o.get("optionSet")),
            };
            p.data_elements.insert(Identifiers::read(o), meta);
        })?;
        // Option codes: inline in optionSets.options, or in the options collection.
        let mut option_codes: HashMap<String, (String, Option<String>)> = HashMap::new();
        each(catalogue, "options", |o| {
            if let (Some(id), Some(code)) = (text(o.get("id")), text(o.get("code"))) {
                option_codes.insert(id, (code, reference(o.get("optionSet"))));
            }
        })?;
        each(catalogue, "optionSets", |o| {
            let Some(id) = text(o.get("id")) else { return };
            let mut codes = HashSet::new();
            for option in o
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(code) = text(option.get("code")) {
                    codes.insert(code);
                } else if let Some((code, _)) =
                    reference(Some(option)).and_then(|uid| option_codes.get(&uid))
                {
                    codes.insert(code.clone());
                }
            }
            for (code, set) in option_codes.values() {
                if set.as_deref() == Some(id.as_str()) {
                    codes.insert(code.clone());
                }
            }
            let name = text(o.get("name")).unwrap_or_else(|| id.clone());
            p.option_sets.insert(id, (name, codes));
        })?;
        let mut rules: HashMap<String, Vec<String>> = HashMap::new();
        each(catalogue, "programRules", |o| {
            if let Some(program) = reference(o.get("program")) {
                let name = text(o.get("name"))
                    .or_else(|| text(o.get("id")))
                    .unwrap_or_default();
                rules.entry(program).or_default().push(name);
            }
        })?;
        each(catalogue, "programs", |o| {
            let ids = Identifiers::read(o);
            let meta = ProgramMeta {
                registration: o.get("programType").and_then(Value::as_str)
                    != Some("WITHOUT_REGISTRATION"),
                tracked_entity_type: reference(o.get("trackedEntityType")),
                stages: references(o.get("programStages")),
                org_units: references(o.get("organisationUnits")).into_iter().collect(),
                attributes: attribute_links(o, "programTrackedEntityAttributes"),
                feature_type: FeatureType::read(o),
                category_combo: reference(o.get("categoryCombo"))
                    .unwrap_or_else(|| DEFAULT_CATEGORY_COMBO.to_owned()),
                only_enroll_once: flag(o, "onlyEnrollOnce"),
                enrollment_dates_in_future: flag(o, "selectEnrollmentDatesInFuture"),
                incident_dates_in_future: flag(o, "selectIncidentDatesInFuture"),
                display_incident_date: flag(o, "displayIncidentDate"),
                open_days_after_co_end_date: o
                    .get("openDaysAfterCoEndDate")
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                rules: rules.remove(&ids.uid).unwrap_or_default(),
            };
            p.programs.insert(ids, meta);
        })?;
        let mut stage_programs: HashMap<String, String> = HashMap::new();
        for (uid, program) in p.programs.iter() {
            for stage in &program.stages {
                stage_programs.insert(stage.clone(), uid.to_owned());
            }
        }
        each(catalogue, "programStages", |o| {
            let ids = Identifiers::read(o);
            let data_elements = o
                .get("programStageDataElements")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|d| {
                            let d = d.as_object()?;
                            Some((reference(d.get("dataElement"))?, flag(d, "compulsory")))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let meta = StageMeta {
                program: reference(o.get("program"))
                    .or_else(|| stage_programs.get(&ids.uid).cloned()),
                repeatable: flag(o, "repeatable"),
                feature_type: FeatureType::read(o),
                data_elements,
                validate_on_update: o.get("validationStrategy").and_then(Value::as_str)
                    == Some("ON_UPDATE_AND_INSERT"),
                user_assignment: flag(o, "enableUserAssignment"),
                block_entry_form: flag(o, "blockEntryForm"),
            };
            p.stages.insert(ids, meta);
        })?;
        each(catalogue, "relationshipTypes", |o| {
            let constraint = |key: &str| {
                let c = o.get(key).and_then(Value::as_object);
                Constraint {
                    entity: c
                        .and_then(|c| text(c.get("relationshipEntity")))
                        .unwrap_or_default(),
                    tracked_entity_type: c.and_then(|c| reference(c.get("trackedEntityType"))),
                    program: c.and_then(|c| reference(c.get("program"))),
                    program_stage: c.and_then(|c| reference(c.get("programStage"))),
                }
            };
            let meta = RelationshipTypeMeta {
                bidirectional: flag(o, "bidirectional"),
                from: constraint("fromConstraint"),
                to: constraint("toConstraint"),
            };
            p.relationship_types.insert(Identifiers::read(o), meta);
        })?;
        each(catalogue, "organisationUnits", |o| {
            let meta = OrgUnitMeta {
                parent: reference(o.get("parent")),
            };
            p.org_units.insert(Identifiers::read(o), meta);
        })?;
        each(catalogue, "categoryOptionCombos", |o| {
            let meta = CategoryOptionComboMeta {
                category_combo: reference(o.get("categoryCombo")).unwrap_or_default(),
                options: references(o.get("categoryOptions")),
            };
            p.category_option_combos.insert(Identifiers::read(o), meta);
        })?;
        each(catalogue, "categoryOptions", |o| {
            let meta = CategoryOptionMeta {
                start_date: date(o, "startDate"),
                end_date: date(o, "endDate"),
            };
            p.category_options.insert(Identifiers::read(o), meta);
        })?;
        let mut super_roles = HashSet::new();
        each(catalogue, "userRoles", |o| {
            let all = o
                .get("authorities")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("ALL")));
            if let (true, Some(id)) = (all, text(o.get("id"))) {
                super_roles.insert(id);
            }
        })?;
        each(catalogue, "users", |o| {
            let credentials = o.get("userCredentials").and_then(Value::as_object);
            let username = text(o.get("username"))
                .or_else(|| credentials.and_then(|c| text(c.get("username"))))
                .unwrap_or_default();
            let mut roles = references(o.get("userRoles"));
            if let Some(c) = credentials {
                roles.extend(references(c.get("userRoles")));
            }
            p.users.push(UserMeta {
                uid: text(o.get("id")).unwrap_or_default(),
                username,
                org_units: references(o.get("organisationUnits")),
                superuser: roles.iter().any(|r| super_roles.contains(r)),
            });
        })?;
        Ok(p)
    }

    /// The org unit and its ancestors, nearest first (a cycle stops the walk).
    pub fn ancestry(&self, org_unit: &str) -> Vec<String> {
        let mut out = vec![org_unit.to_owned()];
        let mut at = org_unit.to_owned();
        while let Some(parent) = self.org_units.get(&at).and_then(|o| o.parent.clone()) {
            if out.contains(&parent) {
                break;
            }
            out.push(parent.clone());
            at = parent;
        }
        out
    }

    /// The user with this username or UID.
    pub fn user(&self, username: &str, uid: &str) -> Option<&UserMeta> {
        self.users.iter().find(|u| {
            (!username.is_empty() && u.username == username) || (!uid.is_empty() && u.uid == uid)
        })
    }
}
