//! What a value looks like after a CSV round trip.

use dxf2_model::{DataValue, Field};

use crate::text::java_trim;

/// The text fields that have a classic CSV column.
const CLASSIC_TEXT_FIELDS: [Field; 9] = [
    Field::DataElement,
    Field::Period,
    Field::OrgUnit,
    Field::CategoryOptionCombo,
    Field::AttributeOptionCombo,
    Field::Value,
    Field::StoredBy,
    Field::LastUpdated,
    Field::Comment,
];

/// The value that the classic [`Reader`](crate::Reader) (header row on) reads back after the
/// classic [`Writer`](crate::Writer) wrote `value` (with an empty set header, or after
/// [`dxf2_model::DataValueSetHeader::apply_defaults`]):
///
/// * every text field with a column is present, trimmed as Java's `String.trim()` trims (the
///   writer trims; an absent field becomes `Some("")`, since the reader keeps empty cells as
///   empty strings);
/// * `created` is dropped (no column);
/// * `followup`: `None` → `Some(false)`;
/// * `deleted`: `Some(true)` stays, anything else → `Some(false)` (written as `null`, read as
///   "not `true`").
///
/// The trimming is a real loss, exactly DHIS2's: a comment `" x "` exported and re-imported
/// through CSV comes back as `"x"` (quoted fields keep their spaces when read, but the writer
/// has already removed them).
///
/// ```
/// use dxf2_csv::classic_canonical;
/// use dxf2_model::{DataValue, Field};
///
/// let value = DataValue::from_fields(&[(Field::DataElement, "de"), (Field::Comment, " x ")]);
/// let c = classic_canonical(&value);
/// assert_eq!(c.comment(), Some("x"));
/// assert_eq!(c.value(), Some(""));
/// assert_eq!(c.followup(), Some(false));
/// assert_eq!(c.deleted(), Some(false));
/// ```
pub fn classic_canonical(value: &DataValue) -> DataValue {
    let mut out = DataValue::new();
    for field in CLASSIC_TEXT_FIELDS {
        out.set(field, java_trim(value.get(field).unwrap_or("")));
    }
    out.set_followup(Some(value.followup() == Some(true)));
    out.set_deleted(Some(value.deleted() == Some(true)));
    out
}
