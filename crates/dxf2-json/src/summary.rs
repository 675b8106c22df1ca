//! The import summary (`ImportSummary`) as DHIS2 writes it in JSON, bare or inside its web
//! message wrapper, and a tolerant reader of both.

use std::fmt;
use std::io::{self, Read, Write};

use dxf2_model::{
    EchoValue, IdScheme, ImportConflict, ImportCount, ImportOptions, ImportStatus, ImportStrategy,
    ImportSummary, ImporterProfile, ReadLimits,
};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Position, Result};
use crate::guard::{GuardStop, TokenGuard};
use crate::writer::{write_key, write_str};

/// Writes an import summary as DHIS2 does (one line, `null` members omitted), keys in the order
/// `responseType`, `status`, `importOptions`, `description`, `importCount`, `conflicts`,
/// `rejectedIndexes`, `dataSetComplete`; then, our addition, `"importerProfile"` when
/// [`ImportSummary::profile`] is set.
///
/// `importOptions` echoes every option DHIS2's `ImportOptions` serialises (id schemes as
/// `{"type":"CODE"}` or `{"type":"ATTRIBUTE","attribute":"<uid>"}`, unset ones omitted; the
/// options the data value import does not use with DHIS2's defaults), plus, our addition and
/// only when not the default, `"atomic":true` and `"importerProfile":"pipeline"`.
///
/// ```
/// use dxf2_json::write_import_summary;
/// use dxf2_model::{ImportCount, ImportStatus, ImportSummary};
///
/// let summary = ImportSummary {
///     status: ImportStatus::Success,
///     description: Some("Import process completed successfully".into()),
///     import_count: ImportCount { imported: 2, ..Default::default() },
///     data_set_complete: Some("false".into()),
///     ..Default::default()
/// };
/// let mut out = Vec::new();
/// write_import_summary(&mut out, &summary).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     r#"{"responseType":"ImportSummary","status":"SUCCESS","description":"Import process completed successfully","importCount":{"imported":2,"updated":0,"ignored":0,"deleted":0},"conflicts":[],"rejectedIndexes":[],"dataSetComplete":"false"}"#
/// );
/// ```
pub fn write_import_summary<W: Write>(mut w: W, summary: &ImportSummary) -> Result<()> {
    write_summary_object(&mut w, summary)?;
    w.flush()?;
    Ok(())
}

/// The web message DHIS2 answers a synchronous import with, by summary status.
fn web_message_parts(status: ImportStatus) -> (&'static str, u16, &'static str, &'static str) {
    match status {
        ImportStatus::Success => ("OK", 200, "OK", "Import was successful."),
        ImportStatus::Warning => (
            "Conflict",
            409,
            "WARNING",
            "One more conflicts encountered, please check import summary.",
        ),
        ImportStatus::Error => (
            "Conflict",
            409,
            "ERROR",
            "An error occurred, please check import summary.",
        ),
    }
}

/// Writes the web message wrapper of a synchronous import:
/// `{"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Import was successful.","response":{…}}`,
/// with `Conflict`/409 and the `WARNING` or `ERROR` texts of DHIS2 for the other statuses
/// (including its "One more conflicts encountered" typo).
pub fn write_web_message<W: Write>(mut w: W, summary: &ImportSummary) -> Result<()> {
    let (http_status, code, status, message) = web_message_parts(summary.status);
    let w = &mut w;
    let mut first = true;
    w.write_all(b"{")?;
    write_key(w, &mut first, "httpStatus")?;
    write_str(w, http_status)?;
    write_key(w, &mut first, "httpStatusCode")?;
    write!(w, "{code}")?;
    write_key(w, &mut first, "status")?;
    write_str(w, status)?;
    write_key(w, &mut first, "message")?;
    write_str(w, message)?;
    write_key(w, &mut first, "response")?;
    write_summary_object(w, summary)?;
    w.write_all(b"}")?;
    w.flush()?;
    Ok(())
}

fn profile_name(profile: ImporterProfile) -> &'static str {
    match profile {
        ImporterProfile::Classic => "classic",
        ImporterProfile::Pipeline => "pipeline",
    }
}

fn write_summary_object<W: Write + ?Sized>(w: &mut W, s: &ImportSummary) -> io::Result<()> {
    let mut first = true;
    w.write_all(b"{")?;
    write_key(w, &mut first, "responseType")?;
    write_str(w, "ImportSummary")?;
    write_key(w, &mut first, "status")?;
    write_str(w, s.status.name())?;
    if let Some(options) = &s.import_options {
        write_key(w, &mut first, "importOptions")?;
        write_import_options(w, options)?;
    }
    if let Some(description) = &s.description {
        write_key(w, &mut first, "description")?;
        write_str(w, description)?;
    }
    write_key(w, &mut first, "importCount")?;
    let c = &s.import_count;
    write!(
        w,
        "{{\"imported\":{},\"updated\":{},\"ignored\":{},\"deleted\":{}}}",
        c.imported, c.updated, c.ignored, c.deleted
    )?;
    write_key(w, &mut first, "conflicts")?;
    w.write_all(b"[")?;
    for (i, conflict) in s.conflicts.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_conflict(w, conflict)?;
    }
    w.write_all(b"]")?;
    write_key(w, &mut first, "rejectedIndexes")?;
    write_int_list(w, &s.rejected_indexes)?;
    if let Some(complete) = &s.data_set_complete {
        write_key(w, &mut first, "dataSetComplete")?;
        write_str(w, complete)?;
    }
    if let Some(profile) = s.profile {
        write_key(w, &mut first, "importerProfile")?;
        write_str(w, profile_name(profile))?;
    }
    w.write_all(b"}")
}

fn write_int_list<W: Write + ?Sized>(w: &mut W, list: &[i64]) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write!(w, "{n}")?;
    }
    w.write_all(b"]")
}

fn write_conflict<W: Write + ?Sized>(w: &mut W, c: &ImportConflict) -> io::Result<()> {
    let mut first = true;
    w.write_all(b"{")?;
    if let Some(object) = &c.object {
        write_key(w, &mut first, "object")?;
        write_str(w, object)?;
    }
    if !c.objects.is_empty() {
        write_key(w, &mut first, "objects")?;
        w.write_all(b"{")?;
        let mut first_object = true;
        for (key, value) in &c.objects {
            write_key(w, &mut first_object, key)?;
            crate::writer::write_opt_str(w, value.as_deref())?;
        }
        w.write_all(b"}")?;
    }
    write_key(w, &mut first, "value")?;
    write_str(w, &c.value)?;
    if let Some(code) = &c.error_code {
        write_key(w, &mut first, "errorCode")?;
        write_str(w, code)?;
    }
    if let Some(property) = &c.property {
        write_key(w, &mut first, "property")?;
        write_str(w, property)?;
    }
    if let Some(indexes) = &c.indexes {
        write_key(w, &mut first, "indexes")?;
        write_int_list(w, indexes)?;
    }
    w.write_all(b"}")
}

fn write_import_options<W: Write + ?Sized>(w: &mut W, o: &ImportOptions) -> io::Result<()> {
    let mut first = true;
    w.write_all(b"{")?;
    write_key(w, &mut first, "idSchemes")?;
    w.write_all(b"{")?;
    let mut first_scheme = true;
    for (name, scheme) in o.id_schemes.echo_slots() {
        let Some(scheme) = scheme else { continue };
        write_key(w, &mut first_scheme, name)?;
        w.write_all(b"{\"type\":")?;
        write_str(w, scheme.type_name())?;
        if let Some(attribute) = scheme.attribute() {
            w.write_all(b",\"attribute\":")?;
            write_str(w, attribute)?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"}")?;
    for (name, value) in o.echo_members() {
        write_key(w, &mut first, name)?;
        match value {
            EchoValue::Bool(b) => w.write_all(if b { b"true" } else { b"false" })?,
            EchoValue::Text(text) => write_str(w, text)?,
        }
    }
    if o.profile != ImporterProfile::Classic {
        write_key(w, &mut first, "importerProfile")?;
        write_str(w, profile_name(o.profile))?;
    }
    w.write_all(b"}")
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// `objects`: an ordered map whose values may be `null`.
struct OrderedObjects(Vec<(String, Option<String>)>);

fn text_of(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

impl<'de> Deserialize<'de> for OrderedObjects {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedObjects;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object whose values are texts or null")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedObjects, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    entries.push((key, text_of(value)));
                }
                Ok(OrderedObjects(entries))
            }
        }
        d.deserialize_map(OrderedVisitor)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCount {
    imported: u64,
    updated: u64,
    ignored: u64,
    deleted: u64,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawConflict {
    object: Option<String>,
    objects: Option<OrderedObjects>,
    value: Option<String>,
    error_code: Option<String>,
    property: Option<String>,
    indexes: Option<Vec<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawSummary {
    status: Option<String>,
    import_options: Option<Value>,
    description: Option<String>,
    import_count: Option<RawCount>,
    conflicts: Option<Vec<RawConflict>>,
    rejected_indexes: Option<Vec<i64>>,
    data_set_complete: Option<Value>,
    importer_profile: Option<String>,
    /// Set in a web message wrapper.
    response: Option<Box<RawSummary>>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidSummary {
        message: message.into(),
    })
}

fn parse_profile(text: &str) -> Option<ImporterProfile> {
    let lower = text.trim().to_ascii_lowercase();
    if lower.starts_with("classic") {
        Some(ImporterProfile::Classic)
    } else if lower.starts_with("pipeline") {
        Some(ImporterProfile::Pipeline)
    } else {
        ImporterProfile::from_version(text).ok()
    }
}

fn lenient_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// One `idSchemes` member: `{"type":"CODE"}`, `{"type":"ATTRIBUTE","attribute":"<uid>"}`, or
/// (leniently) a plain text such as `"CODE"` or `"ATTRIBUTE:<uid>"`.
fn lenient_scheme(v: &Value) -> Option<IdScheme> {
    match v {
        Value::String(s) => IdScheme::parse(s).ok(),
        Value::Object(map) => {
            let ty = map.get("type")?.as_str()?;
            if ty.eq_ignore_ascii_case("ATTRIBUTE") {
                let attribute = map.get("attribute")?.as_str()?;
                Some(IdScheme::Attribute(attribute.to_owned()))
            } else {
                IdScheme::parse(ty).ok()
            }
        }
        _ => None,
    }
}

/// Reads an `importOptions` echo leniently: known members of the right shape are taken, the
/// rest keep DHIS2's defaults ([`ImportOptions::default`]).
fn lenient_options(v: &Value) -> Option<ImportOptions> {
    let map = v.as_object()?;
    let mut o = ImportOptions::default();
    if let Some(Value::Object(schemes)) = map.get("idSchemes") {
        for (name, value) in schemes {
            if let Some(slot) = o.id_schemes.echo_slot_mut(name) {
                *slot = lenient_scheme(value);
            }
        }
    }
    for (name, value) in map {
        if let (Some(flag), Some(b)) = (o.echo_flag_mut(name), lenient_bool(Some(value))) {
            *flag = b;
        }
    }
    o.preheat_cache = lenient_bool(map.get("preheatCache"));
    if let Some(strategy) = map
        .get("importStrategy")
        .or_else(|| map.get("strategy"))
        .and_then(Value::as_str)
        .and_then(|s| ImportStrategy::parse_ignore_case(s).ok())
    {
        o.strategy = strategy;
    }
    o.data_set = map
        .get("dataSet")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(profile) = map
        .get("importerProfile")
        .and_then(Value::as_str)
        .and_then(parse_profile)
    {
        o.profile = profile;
    }
    Some(o)
}

/// The error of an input the guard stopped.
pub(crate) fn guard_error(stop: GuardStop) -> Error {
    let (kind, line, column) = match stop {
        GuardStop::TooLong {
            what,
            limit,
            line,
            column,
        } => (ErrorKind::TokenTooLong { what, limit }, line, column),
        GuardStop::Nul { line, column } => (ErrorKind::NulCharacter, line, column),
        GuardStop::TooDeep {
            limit,
            line,
            column,
        } => (ErrorKind::NestingTooDeep { limit }, line, column),
    };
    Error::at(kind, Position { line, column })
}

fn summary_from_raw(raw: RawSummary) -> Result<ImportSummary> {
    let raw = match raw.response {
        Some(inner) => *inner,
        None => raw,
    };
    let status_text = raw.status.ok_or_else(|| {
        invalid("no `status` (neither an import summary nor a web message with a `response`)")
    })?;
    let status: ImportStatus = status_text
        .parse()
        .map_err(|_| invalid(format!("unknown status {status_text:?}")))?;
    let profile = match raw.importer_profile {
        None => None,
        Some(text) => Some(
            parse_profile(&text)
                .ok_or_else(|| invalid(format!("unknown importerProfile {text:?}")))?,
        ),
    };
    let count = raw.import_count.unwrap_or_default();
    Ok(ImportSummary {
        status,
        import_options: raw.import_options.as_ref().and_then(lenient_options),
        description: raw.description,
        import_count: ImportCount {
            imported: count.imported,
            updated: count.updated,
            ignored: count.ignored,
            deleted: count.deleted,
        },
        conflicts: raw
            .conflicts
            .unwrap_or_default()
            .into_iter()
            .map(|c| ImportConflict {
                object: c.object,
                objects: c.objects.map(|o| o.0).unwrap_or_default(),
                value: c.value.unwrap_or_default(),
                error_code: c.error_code,
                property: c.property,
                indexes: c.indexes,
            })
            .collect(),
        rejected_indexes: raw.rejected_indexes.unwrap_or_default(),
        data_set_complete: raw.data_set_complete.and_then(text_of),
        profile,
    })
}

/// Reads an import summary: a bare `ImportSummary` object or a web message whose `response`
/// member holds one. Unknown keys are ignored; `importOptions` is read leniently (members of
/// an unexpected shape keep their defaults); our `importerProfile` addition is read back.
///
/// ```
/// use dxf2_json::read_import_summary;
/// use dxf2_model::ImportStatus;
///
/// let web = r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
///   "response":{"responseType":"ImportSummary","status":"WARNING",
///     "importCount":{"imported":1,"updated":0,"ignored":1,"deleted":0},
///     "conflicts":[{"object":"x","objects":{"dataElement":"x"},"value":"Data element not found",
///                   "errorCode":"E7610","property":"dataElement","indexes":[1]}],
///     "rejectedIndexes":[1]}}"#;
/// let summary = read_import_summary(web.as_bytes()).unwrap();
/// assert_eq!(summary.status, ImportStatus::Warning);
/// assert_eq!(summary.conflicts[0].objects, vec![("dataElement".to_string(), Some("x".to_string()))]);
/// assert_eq!(summary.rejected_indexes, vec![1]);
/// ```
pub fn read_import_summary<R: Read>(reader: R) -> Result<ImportSummary> {
    read_import_summary_with_limits(reader, ReadLimits::default())
}

/// [`read_import_summary`] with memory limits: a string or number longer than
/// [`ReadLimits::max_token_bytes`] is refused ([`ErrorKind::TokenTooLong`]), also in members
/// that are ignored, and so is nesting deeper than 1000 levels.
///
/// ```
/// use dxf2_json::{read_import_summary_with_limits, ErrorKind};
/// use dxf2_model::ReadLimits;
///
/// let limits = ReadLimits::default().with_max_token_bytes(16);
/// let text = r#"{"status":"OK","description":"far too long for the limit"}"#;
/// let err = read_import_summary_with_limits(text.as_bytes(), limits).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::TokenTooLong { limit: 16, .. }));
/// assert_eq!((err.line(), err.column()), (Some(1), Some(30)));
/// ```
pub fn read_import_summary_with_limits<R: Read>(
    reader: R,
    limits: ReadLimits,
) -> Result<ImportSummary> {
    let mut guard = TokenGuard::new(reader, limits, false);
    let parsed: std::result::Result<RawSummary, serde_json::Error> =
        serde_json::from_reader(io::BufReader::new(&mut guard));
    if let Some(stop) = guard.stop() {
        return Err(guard_error(stop));
    }
    let raw: RawSummary = parsed.map_err(|e| {
        let position = (e.line() > 0).then(|| Position {
            line: e.line() as u64,
            column: e.column() as u64,
        });
        let kind = ErrorKind::Json(e);
        match position {
            Some(p) => Error::at(kind, p),
            None => Error::new(kind),
        }
    })?;
    summary_from_raw(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dxf2_model::IdSchemes;

    fn written(s: &ImportSummary) -> String {
        let mut out = Vec::new();
        write_import_summary(&mut out, s).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn example() -> ImportSummary {
        ImportSummary {
            status: ImportStatus::Warning,
            import_options: Some(ImportOptions {
                id_schemes: IdSchemes {
                    id_scheme: Some(IdScheme::Code),
                    org_unit: Some(IdScheme::Attribute("uh6H2ff562G".into())),
                    ..Default::default()
                },
                dry_run: true,
                ..Default::default()
            }),
            description: Some("Import process completed successfully".into()),
            import_count: ImportCount {
                imported: 1,
                updated: 0,
                ignored: 3,
                deleted: 0,
            },
            conflicts: vec![
                ImportConflict {
                    object: Some("nonEx1sting".into()),
                    objects: vec![
                        ("dataElement".into(), Some("nonEx1sting".into())),
                        ("period".into(), None),
                    ],
                    value: "Data element not found or not accessible: `nonEx1sting`".into(),
                    error_code: Some("E7610".into()),
                    property: Some("dataElement".into()),
                    indexes: Some(vec![0, 1]),
                },
                ImportConflict {
                    object: Some("legacy".into()),
                    value: "old style".into(),
                    ..Default::default()
                },
            ],
            rejected_indexes: vec![0, 1, 2],
            data_set_complete: Some("false".into()),
            profile: None,
        }
    }

    #[test]
    fn writes_dhis2_key_order() {
        let text = written(&example());
        assert!(text.starts_with(
            r#"{"responseType":"ImportSummary","status":"WARNING","importOptions":{"idSchemes":{"idScheme":{"type":"CODE"},"orgUnitIdScheme":{"type":"ATTRIBUTE","attribute":"uh6H2ff562G"}},"dryRun":true,"async":false,"importStrategy":"NEW_AND_UPDATES","mergeMode":"REPLACE","reportMode":"FULL","skipExistingCheck":false,"#
        ), "{text}");
        assert!(text.ends_with(
            r#""firstRowIsHeader":true,"skipLastUpdated":false,"mergeDataValues":false,"skipCache":false},"description":"Import process completed successfully","importCount":{"imported":1,"updated":0,"ignored":3,"deleted":0},"conflicts":[{"object":"nonEx1sting","objects":{"dataElement":"nonEx1sting","period":null},"value":"Data element not found or not accessible: `nonEx1sting`","errorCode":"E7610","property":"dataElement","indexes":[0,1]},{"object":"legacy","value":"old style"}],"rejectedIndexes":[0,1,2],"dataSetComplete":"false"}"#
        ), "{text}");
        // Valid JSON.
        let _: Value = serde_json::from_str(&text).unwrap();
    }

    #[test]
    fn round_trips_bare_and_wrapped() {
        let mut s = example();
        assert_eq!(read_import_summary(written(&s).as_bytes()).unwrap(), s);
        s.profile = Some(ImporterProfile::Pipeline);
        let text = written(&s);
        assert!(text.ends_with(r#","importerProfile":"pipeline"}"#));
        assert_eq!(read_import_summary(text.as_bytes()).unwrap(), s);
        let mut web = Vec::new();
        write_web_message(&mut web, &s).unwrap();
        let web = String::from_utf8(web).unwrap();
        assert!(web.starts_with(r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING","message":"One more conflicts encountered, please check import summary.","response":{"responseType""#));
        assert_eq!(read_import_summary(web.as_bytes()).unwrap(), s);
    }

    #[test]
    fn web_message_texts() {
        for (status, start) in [
            (
                ImportStatus::Success,
                r#"{"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Import was successful.","response":{"#,
            ),
            (
                ImportStatus::Error,
                r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"An error occurred, please check import summary.","response":{"#,
            ),
        ] {
            let mut out = Vec::new();
            let s = ImportSummary {
                status,
                ..Default::default()
            };
            write_web_message(&mut out, &s).unwrap();
            assert!(String::from_utf8(out).unwrap().starts_with(start));
        }
    }

    #[test]
    fn reads_leniently() {
        let text = r#"{"status":"OK","foo":[1,{"x":null}],"importCount":{"imported":3},
            "importOptions":{"idSchemes":{"dataElementIdScheme":"CODE","orgUnitIdScheme":{"type":"name"},
              "idScheme":{"type":"BOGUS"}},"dryRun":"true","importStrategy":"create","strictPeriods":7},
            "conflicts":[{"objects":{"a":1,"b":null}}],"dataSetComplete":false}"#;
        let s = read_import_summary(text.as_bytes()).unwrap();
        assert_eq!(s.status, ImportStatus::Success);
        assert_eq!(s.import_count.imported, 3);
        let o = s.import_options.unwrap();
        assert_eq!(o.id_schemes.data_element, Some(IdScheme::Code));
        assert_eq!(o.id_schemes.org_unit, Some(IdScheme::Name));
        assert_eq!(o.id_schemes.id_scheme, None);
        assert!(o.dry_run);
        assert!(!o.strict_periods);
        assert_eq!(o.strategy, ImportStrategy::Create);
        assert_eq!(
            s.conflicts[0].objects,
            vec![("a".into(), Some("1".into())), ("b".into(), None)]
        );
        assert_eq!(s.data_set_complete.as_deref(), Some("false"));
    }

    #[test]
    fn read_errors() {
        let e = read_import_summary(&b"{\"status\":"[..]).unwrap_err();
        assert_eq!(e.category(), crate::Category::Syntax);
        assert!(e.line().is_some());
        let e = read_import_summary(&b"{\"httpStatus\":\"OK\"}"[..]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidSummary { .. }));
        let e = read_import_summary(&b"{\"status\":\"FINE\"}"[..]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidSummary { .. }));
        let e =
            read_import_summary(&b"{\"status\":\"OK\",\"importerProfile\":\"x\"}"[..]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidSummary { .. }));
    }
}
