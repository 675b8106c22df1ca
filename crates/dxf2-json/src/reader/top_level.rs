//! What the top-level keys of a JSON object say about it: a data value set, or a metadata
//! package, tracker payload, GeoJSON or import summary given to the wrong reader.

use dxf2_model::ImporterProfile;

use super::members::HeaderKey;
use crate::error::{DocumentKind, Error, ErrorKind, Position};

/// How many top-level keys a [`ErrorKind::NotADataValueSet`] error lists.
pub(super) const KEYS_SHOWN: usize = 5;

/// How many characters of a top-level key such an error shows.
pub(super) const KEY_CHARS_SHOWN: usize = 40;

/// Top-level keys of DHIS2 metadata packages (`/api/metadata`).
pub(super) const METADATA_KEYS: &[&[u8]] = &[
    b"system",
    b"date",
    b"organisationUnits",
    b"organisationUnitGroups",
    b"organisationUnitGroupSets",
    b"organisationUnitLevels",
    b"dataElements",
    b"dataElementGroups",
    b"dataElementGroupSets",
    b"categoryOptions",
    b"categories",
    b"categoryCombos",
    b"categoryOptionCombos",
    b"categoryOptionGroups",
    b"categoryOptionGroupSets",
    b"dataSets",
    b"options",
    b"optionSets",
    b"optionGroups",
    b"attributes",
    b"indicators",
    b"indicatorTypes",
    b"indicatorGroups",
    b"programs",
    b"programStages",
    b"programIndicators",
    b"trackedEntityTypes",
    b"trackedEntityAttributes",
    b"users",
    b"userRoles",
    b"userGroups",
    b"validationRules",
    b"legendSets",
    b"constants",
    b"dashboards",
    b"visualizations",
    b"sqlViews",
];

/// Top-level keys of DHIS2 tracker payloads (2.41+ and the older `trackedEntityInstances`).
pub(super) const TRACKER_KEYS: &[&[u8]] = &[
    b"trackedEntities",
    b"trackedEntityInstances",
    b"enrollments",
    b"events",
    b"relationships",
];

/// Top-level keys of DHIS2 import summaries, import reports and web messages.
pub(super) const SUMMARY_KEYS: &[&[u8]] = &[
    b"responseType",
    b"status",
    b"importCount",
    b"conflicts",
    b"rejectedIndexes",
    b"importSummaries",
    b"importOptions",
    b"httpStatus",
    b"httpStatusCode",
    b"response",
    b"typeReports",
    b"stats",
];

/// What the top-level members read so far say about the document: whether it is a data value
/// set, and otherwise what it looks like (for [`ErrorKind::NotADataValueSet`]).
#[derive(Clone, Debug, Default)]
pub(super) struct TopLevel {
    /// Top-level members seen.
    members: u64,
    /// A `dataValues` key or a set-level key (of either importer generation) was seen.
    data_value_set: bool,
    /// Where the first key starts.
    first_key_at: Option<Position>,
    /// The first keys, shortened.
    keys: Vec<String>,
    more_keys: bool,
    metadata: bool,
    tracker: bool,
    summary: bool,
    geojson: bool,
}

impl TopLevel {
    /// Notes the text of a top-level `type` member: `"FeatureCollection"` and `"Feature"` say
    /// GeoJSON.
    pub(super) fn note_type(&mut self, text: &str) {
        if text == "FeatureCollection" || text == "Feature" {
            self.geojson = true;
        }
    }

    /// Notes a top-level key (valid UTF-8) and returns whether it is `type` (whose value tells
    /// GeoJSON apart).
    pub(super) fn note_key(&mut self, key: &[u8], at: Position) -> bool {
        self.members += 1;
        if self.first_key_at.is_none() {
            self.first_key_at = Some(at);
        }
        if self.data_value_set {
            return false;
        }
        if key == b"dataValues"
            || HeaderKey::of(ImporterProfile::Classic, key) != HeaderKey::Unknown
            || HeaderKey::of(ImporterProfile::Pipeline, key) != HeaderKey::Unknown
        {
            self.data_value_set = true;
            return false;
        }
        if self.keys.len() < KEYS_SHOWN {
            let text = String::from_utf8_lossy(key);
            let mut shown: String = text.chars().take(KEY_CHARS_SHOWN).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            self.keys.push(shown);
        } else {
            self.more_keys = true;
        }
        self.metadata |= METADATA_KEYS.contains(&key);
        self.tracker |= TRACKER_KEYS.contains(&key);
        self.summary |= SUMMARY_KEYS.contains(&key);
        self.geojson |= key == b"features";
        key == b"type"
    }

    /// The refusal of a non-empty object that is not a data value set, if it is one.
    pub(super) fn refusal(&mut self) -> Option<Error> {
        if self.data_value_set || self.members == 0 {
            return None;
        }
        let looks_like = if self.geojson {
            DocumentKind::GeoJson
        } else if self.summary {
            DocumentKind::ImportSummary
        } else if self.tracker {
            DocumentKind::Tracker
        } else if self.metadata {
            DocumentKind::Metadata
        } else {
            DocumentKind::Unknown
        };
        let kind = ErrorKind::NotADataValueSet {
            looks_like,
            keys: std::mem::take(&mut self.keys),
            more_keys: self.more_keys,
        };
        Some(match self.first_key_at {
            Some(at) => Error::at(kind, at),
            None => Error::new(kind),
        })
    }
}
