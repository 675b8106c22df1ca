//! DHIS2's error codes and message templates (`ErrorCode`), and their arguments as DHIS2 renders
//! them three ways: in the message (Java `MessageFormat`: numbers with grouping separators,
//! classes as `class org.hisp…`), in `args` (`toString()`), in `errorProperties` (Jackson).

use serde_json::Value;

/// The templates of the codes the import produces (HEAD wording).
const TEMPLATES: &[(&str, &str)] = &[
    ("E1106", "There are duplicate translation records for property `{0}` and locale `{1}` on {2} `{3}`"),
    ("E1107", "Object type `{0}` is not translatable"),
    ("E1110", "Category combo not found or not accessible: `{0}`"),
    ("E1118", "Option set `{0}` of value type multi-text cannot have option codes with the separator character: `{1}`"),
    ("E1120", "Update cannot be applied as it would make existing data values inaccessible"),
    ("E1121", "Data element `{0}` value type cannot be changed as it has associated data values"),
    ("E1122", "Category option combo {0} cannot be associated with the default category combo"),
    ("E1126", "Category combo {0} cannot combine more than {1} categories, but had: {2}"),
    ("E1127", "Category {0} cannot have more than {1} options, but had: {2} "),
    ("E1128", "Category combo {0} cannot have more than {1} combinations, but requires: {2}"),
    ("E1130", "Importing {0} CategoryOptionCombos does not match the expected amount of {1} for CategoryCombo {2}"),
    ("E1131", "Unexpected CategoryOptionCombo provided with CategoryOptions: {0} for CategoryCombo: {1}. Missing expected CategoryOptionCombos with CategoryOption sets: {2}"),
    ("E1132", "Provided CategoryOptionCombo {0} cannot be processed (potential duplicate). An existing CategoryOptionCombo {1} has the same CategoryCombo {2} and same CategoryOptions {3}"),
    ("E1133", "CategoryCombo must be provided for Category option combo {0}"),
    ("E4000", "Missing required property `{0}`"),
    ("E4001", "Maximum length of property `{0}`is {1}, but given length was {2}"),
    ("E4003", "Property `{0}` requires a valid email address, was given `{1}`"),
    ("E4004", "Property `{0}` requires a valid URL, was given `{1}`"),
    ("E4009", "Attribute `{0}` is unique, and value `{1}` already exist"),
    ("E4011", "Attribute `{0}` is required, but no value was found"),
    ("E4013", "Invalid closing date `{0}`, must be after opening date `{1}`"),
    ("E4014", "Invalid UID `{0}` for property `{1}`"),
    ("E4028", "Option set `{0}` already contains option `{1}`"),
    ("E4030", "Object could not be deleted because it is associated with another object: {0}"),
    ("E4053", "Program stage `{0}` must reference a program"),
    ("E5000", "Found matching object for reference, but import strategy is CREATE. Identifier was {0}, and object was {1}."),
    ("E5001", "No matching object for reference. Identifier was {0}, and object was {1}."),
    ("E5002", "Invalid reference {0} on object {1} for association `{2}`"),
    ("E5003", "Property `{0}` with value `{1}` on object {2} already exists on object {3}"),
    ("E5004", "Id `{0}` for type `{1}` exists on more than 1 object in the payload, removing all but the first found"),
    ("E5005", "Properties `{0}` in objects `{1}` must be unique within the payload"),
    ("E5006", "Non-owner reference {0} on object {1} for association `{2}` disallowed for payload for ERRORS_NOT_OWNER"),
    ("E5007", "Duplicate reference {0} on object {1} for association `{2}`"),
    ("E6004", "Attribute `{0}` has invalid GeoJSON value"),
    ("E6005", "Attribute `{0}` has unsupported GeoJSON value"),
    ("E6006", "AttributeValue `{0}` is an invalid integer value"),
    ("E6007", "AttributeValue `{0}` is an invalid positive integer value"),
    ("E6008", "AttributeValue `{0}` is an invalid number value"),
    ("E6009", "AttributeValue `{0}` is an invalid zero or positive integer value"),
    ("E6010", "AttributeValue `{0}` is an invalid percentage value"),
    ("E6011", "AttributeValue `{0}` is an invalid Unit Interval value"),
    ("E6012", "Attribute `{0}` is not assigned to `{1}`"),
    ("E6013", "AttributeValue `{0}` is an invalid negative integer value"),
    ("E6014", "AttributeValue `{0}` is an invalid date value"),
    ("E6015", "AttributeValue `{0}` is an invalid datetime value"),
    ("E6016", "AttributeValue `{0}` is an invalid boolean value"),
    ("E6017", "AttributeValue `{0}` is an invalid true value"),
    ("E6018", "AttributeValue `{0}` is an invalid email value"),
    ("E6019", "AttributeValue `{0}` is an invalid `{1}` ID"),
    ("E6021", "AttributeValue `{0}` is an invalid phone number"),
];

/// The template of `code` (HEAD wording).
pub fn template(code: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// One argument of an error message.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Arg {
    /// Text.
    Str(String),
    /// An integer.
    Int(i64),
    /// A Java class (by its fully qualified name).
    Class(&'static str),
    /// An enum constant (`UID`).
    Constant(&'static str),
    /// A Java set or list of text.
    List(Vec<String>),
    /// `null`.
    Null,
}

impl Arg {
    /// As `MessageFormat` renders it.
    fn in_message(&self) -> String {
        match self {
            Arg::Int(n) => grouped(*n),
            other => other.to_java_string(),
        }
    }

    /// As `toString()` renders it (`args`).
    fn to_java_string(&self) -> String {
        match self {
            Arg::Str(s) => s.clone(),
            Arg::Int(n) => n.to_string(),
            Arg::Class(c) => format!("class {c}"),
            Arg::Constant(c) => (*c).to_owned(),
            Arg::List(items) => format!("[{}]", items.join(", ")),
            Arg::Null => "null".to_owned(),
        }
    }

    /// As Jackson writes it (`errorProperties`).
    fn to_json(&self) -> Value {
        match self {
            Arg::Str(s) => Value::String(s.clone()),
            Arg::Int(n) => Value::from(*n),
            Arg::Class(c) | Arg::Constant(c) => Value::String((*c).to_owned()),
            Arg::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
            Arg::Null => Value::Null,
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Arg {
        s.map_or(Arg::Null, Arg::from)
    }
}

/// `1234567` → `1,234,567`, as `MessageFormat` formats integers.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// Fills `{n}` placeholders; a placeholder without an argument stays as written.
fn format(template: &str, args: &[Arg]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let close = after.find('}');
        let index = close
            .and_then(|c| after.get(1..c))
            .and_then(|n| n.parse::<usize>().ok());
        match (index, close) {
            (Some(i), Some(c)) => {
                match args.get(i) {
                    Some(a) => out.push_str(&a.in_message()),
                    None => out.push_str(after.get(..=c).unwrap_or_default()),
                }
                rest = after.get(c + 1..).unwrap_or_default();
            }
            _ => {
                out.push('{');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The three renderings of a message: the text, `errorProperties`, `args`.
pub(crate) struct Rendered {
    pub message: String,
    pub error_properties: Vec<Value>,
    pub args: Vec<Option<String>>,
}

/// Renders `code`'s message with `args`; up to DHIS2 2.38 messages ended with a full stop.
pub(crate) fn render(code: &str, args: &[Arg], minor: u32) -> Rendered {
    let mut message = format(template(code).unwrap_or(code), args);
    if code == "E5000" && minor <= 42 {
        message = message.replace("import strategy is CREATE", "import mode is CREATE");
    }
    if minor <= 38 && !message.ends_with('.') {
        message.push('.');
    }
    Rendered {
        message,
        error_properties: args.iter().map(Arg::to_json).collect(),
        args: args
            .iter()
            .map(|a| match a {
                Arg::Null => None,
                other => Some(other.to_java_string()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_format_rules() {
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(-1234567), "-1,234,567");
        let r = render(
            "E1130",
            &[Arg::from(3usize), Arg::from(1200usize), "cc".into()],
            43,
        );
        assert_eq!(
            r.message,
            "Importing 3 CategoryOptionCombos does not match the expected amount of 1,200 for CategoryCombo cc"
        );
        assert_eq!(
            r.args,
            vec![Some("3".into()), Some("1200".into()), Some("cc".into())]
        );
        assert_eq!(r.error_properties[1], Value::from(1200));
    }

    #[test]
    fn classes_constants_and_missing_arguments() {
        let r = render(
            "E5004",
            &[
                "abc".into(),
                Arg::Class("org.hisp.dhis.dataelement.DataElement"),
            ],
            42,
        );
        assert!(r
            .message
            .contains("type `class org.hisp.dhis.dataelement.DataElement`"));
        assert_eq!(
            r.error_properties[1],
            "org.hisp.dhis.dataelement.DataElement"
        );
        let r = render("E5002", &["x".into()], 42);
        assert_eq!(
            r.message,
            "Invalid reference x on object {1} for association `{2}`"
        );
        let r = render("E5000", &[Arg::Constant("UID"), "o".into()], 42);
        assert!(r.message.contains("import mode is CREATE"));
        let r = render("E4000", &["name".into()], 38);
        assert_eq!(r.message, "Missing required property `name`.");
    }
}
