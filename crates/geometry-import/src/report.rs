//! `GeoJsonImportReport` and its conflicts, in DHIS2's JSON shape.
use std::collections::BTreeMap;
use std::fmt;

use dxf2_model::{ImportCount, ImportStatus};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The conflicts of a GeoJSON geometry import (`GeoJsonImportConflict`), with DHIS2's error
/// codes, message templates and `property` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConflictCode {
    /// `INPUT_IO_ERROR`: reading the input failed.
    E7700,
    /// `INPUT_FORMAT_ERROR`: the input is not a GeoJSON document with features.
    E7701,
    /// `ATTRIBUTE_NOT_FOUND`: the attribute does not exist.
    E7702,
    /// `ATTRIBUTE_NOT_GEO_JSON`: the attribute's value type is not `GEOJSON`.
    E7703,
    /// `ATTRIBUTE_NOT_USABLE`: the attribute does not apply to org units.
    E7704,
    /// `FEATURE_LACKS_IDENTIFIER`: the feature has no (text) identifier.
    E7705,
    /// `FEATURE_LACKS_GEOMETRY`: the feature has no `geometry` member.
    E7706,
    /// `GEOMETRY_INVALID`: the geometry cannot be read (GeoTools/JTS refuse it).
    E7707,
    /// `ORG_UNIT_NOT_FOUND`: no org unit has the identifier.
    E7708,
    /// `ORG_UNIT_INVALID`: storing the org unit failed (never raised here: nothing is stored).
    E7709,
    /// `ORG_UNIT_NOT_ACCESSIBLE`: the user may not update the org unit (never raised here:
    /// there are no users).
    E7710,
    /// `ORG_UNIT_NOT_UNIQUE`: several org units have the identifier.
    E7711,
    /// `COORDINATES_EMPTY`: the geometry's `coordinates` are missing or empty.
    E7712,
}

impl ConflictCode {
    /// Every code, in order.
    pub const ALL: [ConflictCode; 13] = [
        ConflictCode::E7700,
        ConflictCode::E7701,
        ConflictCode::E7702,
        ConflictCode::E7703,
        ConflictCode::E7704,
        ConflictCode::E7705,
        ConflictCode::E7706,
        ConflictCode::E7707,
        ConflictCode::E7708,
        ConflictCode::E7709,
        ConflictCode::E7710,
        ConflictCode::E7711,
        ConflictCode::E7712,
    ];

    /// The code (`E7708`).
    pub fn code(self) -> &'static str {
        match self {
            ConflictCode::E7700 => "E7700",
            ConflictCode::E7701 => "E7701",
            ConflictCode::E7702 => "E7702",
            ConflictCode::E7703 => "E7703",
            ConflictCode::E7704 => "E7704",
            ConflictCode::E7705 => "E7705",
            ConflictCode::E7706 => "E7706",
            ConflictCode::E7707 => "E7707",
            ConflictCode::E7708 => "E7708",
            ConflictCode::E7709 => "E7709",
            ConflictCode::E7710 => "E7710",
            ConflictCode::E7711 => "E7711",
            ConflictCode::E7712 => "E7712",
        }
    }

    /// DHIS2's message template (`java.text.MessageFormat`, arguments `{0}`, `{1}`).
    pub fn template(self) -> &'static str {
        match self {
            ConflictCode::E7700 => "Error reading JSON input: {0}",
            ConflictCode::E7701 => "Input is not a valid GeoJSON document: {0}",
            ConflictCode::E7702 => "GeoJSON attribute does not exist: {0}",
            ConflictCode::E7703 => "GeoJSON attribute is not of type {0} but: {1}",
            ConflictCode::E7704 => "GeoJSON attribute is not applicable to organisation units",
            ConflictCode::E7705 => "GeoJSON feature lacks identifier property: `{0}`",
            ConflictCode::E7706 => "GeoJSON feature lacks geometry property",
            ConflictCode::E7707 => "GeoJSON geometry is not valid",
            ConflictCode::E7708 => "GeoJSON target organisation unit does not exist",
            ConflictCode::E7709 => {
                "Organisation unit could not be updated with new GeoJSON geometry"
            }
            ConflictCode::E7710 => "User is not allowed to update the target organisation unit",
            ConflictCode::E7711 => "Organisation unit cannot be uniquely identified by its name",
            ConflictCode::E7712 => "GeoJSON geometry coordinates must be non empty but was: `{0}`",
        }
    }

    /// The conflict's `property` (`""` for most).
    pub fn property(self) -> &'static str {
        match self {
            ConflictCode::E7705 | ConflictCode::E7706 => "feature",
            ConflictCode::E7707 | ConflictCode::E7709 => "geometry",
            ConflictCode::E7712 => "coordinates",
            _ => "",
        }
    }

    /// The code named `code` (`"E7708"`).
    pub fn from_code(code: &str) -> Option<ConflictCode> {
        ConflictCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The message with `args` put in, as `MessageFormat` does (a missing argument stays
    /// `{n}`).
    pub fn message(self, args: &[&str]) -> String {
        format_message(self.template(), args)
    }
}

impl fmt::Display for ConflictCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// `{0}`, `{1}`… replaced by the arguments (the templates here have no quotes or formats).
fn format_message(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let close = after.find('}');
        let arg = close
            .and_then(|c| after.get(1..c))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n));
        match (arg, close) {
            (Some(a), Some(c)) => {
                out.push_str(a);
                rest = after.get(c + 1..).unwrap_or("");
            }
            _ => {
                out.push('{');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// One conflict (`ImportConflict`), possibly merged from several occurrences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// The first object value (never set by the geometry import; legacy conflicts have it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The objects the conflict is about (always empty for the geometry import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<BTreeMap<String, String>>,
    /// The message of the first occurrence.
    pub value: String,
    /// The error code (`E7708`); absent on legacy conflicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The property (`""`, `feature`, `geometry`, `coordinates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// The 0-based feature index of every occurrence, in order (absent for conflicts about the
    /// whole import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexes: Option<Vec<usize>>,
}

impl Conflict {
    /// The conflict's code, when it is one of the geometry import's.
    pub fn code(&self) -> Option<ConflictCode> {
        self.error_code.as_deref().and_then(ConflictCode::from_code)
    }

    fn grouping_key(&self) -> String {
        match &self.error_code {
            // The geometry import's conflicts name no objects: the key is "<code>:".
            Some(code) => {
                let objects: Vec<&str> = self
                    .objects
                    .iter()
                    .flat_map(|m| m.values().map(String::as_str))
                    .collect();
                format!("{code}:{}", objects.join(":"))
            }
            None => format!(
                "{}:{}",
                self.object.as_deref().unwrap_or("null"),
                self.value
            ),
        }
    }
}

/// The report of a GeoJSON geometry import (`GeoJsonImportReport`): counts, conflicts and the
/// status DHIS2 derives from them. Serialises to DHIS2's JSON (the report itself, without the web
/// message around it).
///
/// Conflicts are grouped as DHIS2 groups them: the conflicts of the geometry import name no
/// object, so all conflicts of one code are merged into one, whose `indexes` list the feature of
/// every occurrence in order, while `totalConflictOccurrenceCount` counts each occurrence. The
/// merged conflict keeps the message of its first occurrence.
///
/// ```
/// use geometry_import::{ConflictCode, GeoJsonImportReport};
/// use dxf2_model::ImportStatus;
///
/// let mut report = GeoJsonImportReport::new();
/// report.add_conflict(ConflictCode::E7708, Some(0), &[]);
/// report.add_conflict(ConflictCode::E7708, Some(3), &[]);
/// report.count_mut().ignored += 2;
/// report.count_mut().imported += 1;
/// assert_eq!(report.status(), ImportStatus::Warning);
/// assert_eq!(report.conflicts().len(), 1);
/// assert_eq!(report.conflicts()[0].indexes, Some(vec![0, 3]));
/// assert_eq!(
///     serde_json::to_string(&report).unwrap(),
///     r#"{"responseType":"GeoJsonImportReport","status":"WARNING","importCount":{"imported":1,"updated":0,"ignored":2,"deleted":0},"totalConflictOccurrenceCount":2,"conflicts":[{"objects":{},"value":"GeoJSON target organisation unit does not exist","errorCode":"E7708","property":"","indexes":[0,3]}]}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeoJsonImportReport {
    count: ImportCount,
    total_conflict_occurrence_count: usize,
    conflicts: Vec<Conflict>,
}

impl GeoJsonImportReport {
    /// An empty report (status `SUCCESS`).
    pub fn new() -> GeoJsonImportReport {
        GeoJsonImportReport::default()
    }

    /// `importCount`.
    pub fn count(&self) -> &ImportCount {
        &self.count
    }

    /// `importCount`, to change.
    pub fn count_mut(&mut self) -> &mut ImportCount {
        &mut self.count
    }

    /// `totalConflictOccurrenceCount`: every conflict added, merged or not.
    pub fn total_conflict_occurrence_count(&self) -> usize {
        self.total_conflict_occurrence_count
    }

    /// The conflicts, merged by code, in the order each code first occurred.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// The conflict of `code`, if any.
    pub fn conflict(&self, code: ConflictCode) -> Option<&Conflict> {
        self.conflicts
            .iter()
            .find(|c| c.error_code.as_deref() == Some(code.code()))
    }

    /// Adds a conflict of `code` about feature `index` (`None`: about the whole import), its
    /// message made from `args`.
    pub fn add_conflict(&mut self, code: ConflictCode, index: Option<usize>, args: &[&str]) {
        self.add(Conflict {
            object: None,
            objects: Some(BTreeMap::new()),
            value: code.message(args),
            error_code: Some(code.code().to_owned()),
            property: Some(code.property().to_owned()),
            indexes: index.map(|i| vec![i]),
        });
    }

    /// Adds a conflict, merging it into the one of its code (DHIS2's `addConflict`).
    pub fn add(&mut self, conflict: Conflict) {
        self.total_conflict_occurrence_count += 1;
        let key = conflict.grouping_key();
        match self.conflicts.iter_mut().find(|c| c.grouping_key() == key) {
            Some(existing) => {
                if let Some(more) = conflict.indexes {
                    if !more.is_empty() {
                        existing.indexes.get_or_insert_with(Vec::new).extend(more);
                    }
                }
            }
            None => self.conflicts.push(conflict),
        }
    }

    /// `status`: `SUCCESS` with nothing ignored and no conflict; else `ERROR` when nothing was
    /// imported or updated, `WARNING` otherwise (a deletion-only import with a conflict is an
    /// `ERROR`).
    pub fn status(&self) -> ImportStatus {
        if self.count.ignored == 0 && self.total_conflict_occurrence_count == 0 {
            return ImportStatus::Success;
        }
        if self.count.imported + self.count.updated == 0 {
            ImportStatus::Error
        } else {
            ImportStatus::Warning
        }
    }

    /// The web message DHIS2 wraps the report in (always HTTP 200): `("ERROR", "Import
    /// failed.")`, `("WARNING", "Import partially successful.")` or `("OK", "Import
    /// successful.")`.
    pub fn web_message(&self) -> (&'static str, &'static str) {
        if self.status() == ImportStatus::Error {
            ("ERROR", "Import failed.")
        } else if self.count.ignored > 0 {
            ("WARNING", "Import partially successful.")
        } else {
            ("OK", "Import successful.")
        }
    }

    /// Whether the input could not be read as GeoJSON at all (`E7700`, `E7701`): a command line
    /// reports this as unusable input.
    pub fn is_unreadable_input(&self) -> bool {
        self.conflicts.iter().any(|c| {
            matches!(
                c.code(),
                Some(ConflictCode::E7700) | Some(ConflictCode::E7701)
            )
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CountJson {
    #[serde(default)]
    imported: u64,
    #[serde(default)]
    updated: u64,
    #[serde(default)]
    ignored: u64,
    #[serde(default)]
    deleted: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportOut<'a> {
    response_type: &'static str,
    status: &'static str,
    import_count: CountJson,
    total_conflict_occurrence_count: usize,
    conflicts: &'a [Conflict],
}

impl Serialize for GeoJsonImportReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ReportOut {
            response_type: "GeoJsonImportReport",
            status: self.status().name(),
            import_count: CountJson {
                imported: self.count.imported,
                updated: self.count.updated,
                ignored: self.count.ignored,
                deleted: self.count.deleted,
            },
            total_conflict_occurrence_count: self.total_conflict_occurrence_count,
            conflicts: &self.conflicts,
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportIn {
    import_count: CountJson,
    #[serde(default)]
    total_conflict_occurrence_count: Option<usize>,
    #[serde(default)]
    conflicts: Vec<Conflict>,
}

/// Reads DHIS2's JSON of the report (`status` and `responseType` are derived, not read).
impl<'de> Deserialize<'de> for GeoJsonImportReport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GeoJsonImportReport, D::Error> {
        let r = ReportIn::deserialize(d)?;
        let mut report = GeoJsonImportReport {
            count: ImportCount {
                imported: r.import_count.imported,
                updated: r.import_count.updated,
                ignored: r.import_count.ignored,
                deleted: r.import_count.deleted,
            },
            ..GeoJsonImportReport::default()
        };
        for c in r.conflicts {
            if c.error_code.is_none() && c.object.is_none() && c.value.is_empty() {
                return Err(D::Error::custom("a conflict without code, object or value"));
            }
            report.add(c);
        }
        // As DHIS2's creator: the total is set after the conflicts are added.
        if let Some(total) = r.total_conflict_occurrence_count {
            report.total_conflict_occurrence_count = total;
        }
        Ok(report)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_dhis2_templates() {
        assert_eq!(
            ConflictCode::E7705.message(&["properties.name"]),
            "GeoJSON feature lacks identifier property: `properties.name`"
        );
        assert_eq!(
            ConflictCode::E7703.message(&["GEOJSON", "TEXT"]),
            "GeoJSON attribute is not of type GEOJSON but: TEXT"
        );
        assert_eq!(
            ConflictCode::E7712.message(&["[]"]),
            "GeoJSON geometry coordinates must be non empty but was: `[]`"
        );
        assert_eq!(format_message("a {0} {2} {x", &["b"]), "a b {2} {x");
    }

    #[test]
    fn conflicts_of_one_code_merge_with_their_indexes() {
        let mut r = GeoJsonImportReport::new();
        r.add_conflict(ConflictCode::E7708, Some(0), &[]);
        r.add_conflict(ConflictCode::E7707, Some(1), &[]);
        r.add_conflict(ConflictCode::E7708, Some(2), &[]);
        r.add_conflict(ConflictCode::E7712, Some(3), &["[]"]);
        r.add_conflict(ConflictCode::E7712, Some(4), &["[[]]"]);
        assert_eq!(r.total_conflict_occurrence_count(), 5);
        assert_eq!(r.conflicts().len(), 3);
        assert_eq!(r.conflicts()[0].indexes, Some(vec![0, 2]));
        let e7712 = r.conflict(ConflictCode::E7712).unwrap();
        assert_eq!(e7712.indexes, Some(vec![3, 4]));
        assert!(e7712.value.ends_with("`[]`"), "the first message is kept");
    }

    #[test]
    fn status_as_dhis2_derives_it() {
        let mut r = GeoJsonImportReport::new();
        assert_eq!(r.status(), ImportStatus::Success);
        assert_eq!(r.web_message(), ("OK", "Import successful."));
        r.count_mut().deleted = 1;
        assert_eq!(r.status(), ImportStatus::Success);
        r.add_conflict(ConflictCode::E7708, Some(1), &[]);
        r.count_mut().ignored = 1;
        assert_eq!(
            r.status(),
            ImportStatus::Error,
            "deletions alone with a conflict"
        );
        assert_eq!(r.web_message(), ("ERROR", "Import failed."));
        r.count_mut().updated = 1;
        assert_eq!(r.status(), ImportStatus::Warning);
        assert_eq!(r.web_message(), ("WARNING", "Import partially successful."));
    }

    #[test]
    fn global_conflicts_have_no_indexes() {
        let mut r = GeoJsonImportReport::new();
        r.add_conflict(ConflictCode::E7701, None, &["No list of features found"]);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["conflicts"][0],
            serde_json::json!({"objects": {}, "value": "Input is not a valid GeoJSON document: No list of features found", "errorCode": "E7701", "property": ""})
        );
        assert_eq!(json["status"], "ERROR");
        assert!(r.is_unreadable_input());
    }

    /// DHIS2's `GeoJsonServiceTest#testReportSerialisation`: a report with one ignored and a
    /// legacy conflict `("a", "b")` survives a JSON round trip.
    #[test]
    fn report_round_trips_through_json() {
        let mut r = GeoJsonImportReport::new();
        r.count_mut().ignored = 1;
        r.add(Conflict {
            object: Some("a".into()),
            objects: None,
            value: "b".into(),
            error_code: None,
            property: None,
            indexes: None,
        });
        r.add_conflict(ConflictCode::E7707, Some(4), &[]);
        r.add_conflict(ConflictCode::E7707, Some(7), &[]);
        let json = serde_json::to_string(&r).unwrap();
        let back: GeoJsonImportReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.conflicts().len(), 2);
        assert_eq!(back.total_conflict_occurrence_count(), 3);
        assert_eq!(back.count().ignored, 1);
    }
}
