//! One data value record, built for streaming: all text lives in one reusable buffer.

use std::fmt;

/// The text fields of a data value, in DHIS2's export column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `dataElement`: the data element identifier (required).
    DataElement,
    /// `period`: the ISO period.
    Period,
    /// `orgUnit`: the organisation unit identifier.
    OrgUnit,
    /// `categoryOptionCombo`: the disaggregation; absent means the default combo.
    CategoryOptionCombo,
    /// `attributeOptionCombo`: the attribute combo; absent means the default combo.
    AttributeOptionCombo,
    /// `value`.
    Value,
    /// `storedBy`: the user name that stored the value.
    StoredBy,
    /// `created`: timestamp (ignored by DHIS2 import since 2.41).
    Created,
    /// `lastUpdated`: timestamp (ignored by DHIS2 import since 2.41).
    LastUpdated,
    /// `comment`.
    Comment,
}

impl Field {
    /// Number of text fields.
    pub const COUNT: usize = 10;

    /// Every field, in DHIS2's export order.
    pub const ALL: [Field; Field::COUNT] = [
        Field::DataElement,
        Field::Period,
        Field::OrgUnit,
        Field::CategoryOptionCombo,
        Field::AttributeOptionCombo,
        Field::Value,
        Field::StoredBy,
        Field::Created,
        Field::LastUpdated,
        Field::Comment,
    ];

    /// The attribute / key name DHIS2 uses in XML and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Field::DataElement => "dataElement",
            Field::Period => "period",
            Field::OrgUnit => "orgUnit",
            Field::CategoryOptionCombo => "categoryOptionCombo",
            Field::AttributeOptionCombo => "attributeOptionCombo",
            Field::Value => "value",
            Field::StoredBy => "storedBy",
            Field::Created => "created",
            Field::LastUpdated => "lastUpdated",
            Field::Comment => "comment",
        }
    }

    /// Looks a field up by its exact (case-sensitive) XML/JSON name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// One data value, as written in a payload: identifiers are kept exactly as written (their meaning
/// depends on the id scheme) and nothing is validated here.
///
/// A field is either absent (`None`) or present with a text, which may be empty: the classic CSV
/// reader keeps empty cells as empty strings, while the XML and JSON readers turn them into absent,
/// exactly as DHIS2 does, and the importer treats the two differently.
///
/// All texts live in one buffer that [`DataValue::clear`] empties without freeing, so a reader
/// that reuses one record allocates nothing once the buffer has grown to the longest record.
///
/// ```
/// use dxf2_model::{DataValue, Field};
/// let mut dv = DataValue::new();
/// dv.set(Field::DataElement, "f7n9E0hX8qk");
/// dv.set(Field::Comment, "");
/// dv.set_followup(Some(true));
/// assert_eq!(dv.data_element(), Some("f7n9E0hX8qk"));
/// assert_eq!(dv.comment(), Some(""));
/// assert_eq!(dv.value(), None);
/// dv.clear();
/// assert!(dv.is_empty());
/// ```
#[derive(Clone, Default)]
pub struct DataValue {
    buf: String,
    /// `(start, end)` byte offsets into `buf`; `start == u32::MAX` means absent.
    spans: [(u32, u32); Field::COUNT],
    followup: Option<bool>,
    deleted: Option<bool>,
}

const ABSENT: (u32, u32) = (u32::MAX, 0);

impl DataValue {
    /// An empty record.
    pub fn new() -> DataValue {
        DataValue {
            buf: String::new(),
            spans: [ABSENT; Field::COUNT],
            followup: None,
            deleted: None,
        }
    }

    /// Builds a record from `(field, text)` pairs (handy in tests and examples).
    pub fn from_fields(fields: &[(Field, &str)]) -> DataValue {
        let mut dv = DataValue::new();
        for (field, text) in fields {
            dv.set(*field, text);
        }
        dv
    }

    /// Makes every field absent, keeping the buffer's capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.spans = [ABSENT; Field::COUNT];
        self.followup = None;
        self.deleted = None;
    }

    /// Whether every field is absent.
    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(|s| s.0 == u32::MAX)
            && self.followup.is_none()
            && self.deleted.is_none()
    }

    /// The text of a field, or `None` when absent.
    #[inline]
    pub fn get(&self, field: Field) -> Option<&str> {
        let (start, end) = *self.spans.get(field.slot())?;
        if start == u32::MAX {
            return None;
        }
        self.buf.get(start as usize..end as usize)
    }

    /// Sets a field's text (an earlier text of the same field is replaced).
    #[inline]
    pub fn set(&mut self, field: Field, text: &str) {
        let start = self.buf.len();
        self.buf.push_str(text);
        self.store_span(field, start);
    }

    /// Sets a field by letting `write` append its text to the record's buffer, which avoids an
    /// intermediate allocation when the text has to be decoded (unescaped) first.
    ///
    /// Whatever `write` appended becomes the field's text, also when it fails.
    pub fn set_with<E>(
        &mut self,
        field: Field,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.buf.len();
        let result = write(&mut self.buf);
        self.store_span(field, start);
        result
    }

    fn store_span(&mut self, field: Field, start: usize) {
        let end = self.buf.len();
        if let Some(slot) = self.spans.get_mut(field.slot()) {
            // Records longer than 4 GiB cannot be addressed; such a field reads as absent.
            *slot = match (u32::try_from(start), u32::try_from(end)) {
                (Ok(s), Ok(e)) if s != u32::MAX => (s, e),
                _ => ABSENT,
            };
        }
    }

    /// Makes a field absent.
    pub fn remove(&mut self, field: Field) {
        if let Some(slot) = self.spans.get_mut(field.slot()) {
            *slot = ABSENT;
        }
    }

    /// The follow-up flag as read (`None` when the payload did not say).
    pub fn followup(&self) -> Option<bool> {
        self.followup
    }

    /// Sets the follow-up flag.
    pub fn set_followup(&mut self, followup: Option<bool>) {
        self.followup = followup;
    }

    /// The deleted flag as read (`None` when the payload did not say).
    pub fn deleted(&self) -> Option<bool> {
        self.deleted
    }

    /// Sets the deleted flag.
    pub fn set_deleted(&mut self, deleted: Option<bool>) {
        self.deleted = deleted;
    }

    /// `dataElement`.
    pub fn data_element(&self) -> Option<&str> {
        self.get(Field::DataElement)
    }
    /// `period`.
    pub fn period(&self) -> Option<&str> {
        self.get(Field::Period)
    }
    /// `orgUnit`.
    pub fn org_unit(&self) -> Option<&str> {
        self.get(Field::OrgUnit)
    }
    /// `categoryOptionCombo`.
    pub fn category_option_combo(&self) -> Option<&str> {
        self.get(Field::CategoryOptionCombo)
    }
    /// `attributeOptionCombo`.
    pub fn attribute_option_combo(&self) -> Option<&str> {
        self.get(Field::AttributeOptionCombo)
    }
    /// `value`.
    pub fn value(&self) -> Option<&str> {
        self.get(Field::Value)
    }
    /// `storedBy`.
    pub fn stored_by(&self) -> Option<&str> {
        self.get(Field::StoredBy)
    }
    /// `created`.
    pub fn created(&self) -> Option<&str> {
        self.get(Field::Created)
    }
    /// `lastUpdated`.
    pub fn last_updated(&self) -> Option<&str> {
        self.get(Field::LastUpdated)
    }
    /// `comment`.
    pub fn comment(&self) -> Option<&str> {
        self.get(Field::Comment)
    }

    /// Every present text field with its text, in export order.
    pub fn fields(&self) -> impl Iterator<Item = (Field, &str)> + '_ {
        Field::ALL
            .iter()
            .filter_map(move |f| self.get(*f).map(|t| (*f, t)))
    }

    /// Sets `field` to `default` when the field is absent (used to apply a header's defaults).
    pub fn fill_absent_from(&mut self, field: Field, default: Option<&str>) {
        if self.get(field).is_none() {
            if let Some(text) = default {
                self.set(field, text);
            }
        }
    }
}

impl PartialEq for DataValue {
    fn eq(&self, other: &Self) -> bool {
        self.followup == other.followup
            && self.deleted == other.deleted
            && Field::ALL.iter().all(|f| self.get(*f) == other.get(*f))
    }
}

impl Eq for DataValue {}

impl fmt::Debug for DataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("DataValue");
        for (field, text) in self.fields() {
            s.field(field.name(), &text);
        }
        if let Some(b) = self.followup {
            s.field("followup", &b);
        }
        if let Some(b) = self.deleted {
            s.field("deleted", &b);
        }
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn absent_empty_and_replaced() {
        let mut dv = DataValue::new();
        assert_eq!(dv.value(), None);
        dv.set(Field::Value, "");
        assert_eq!(dv.value(), Some(""));
        dv.set(Field::Value, "12");
        assert_eq!(dv.value(), Some("12"));
        dv.remove(Field::Value);
        assert_eq!(dv.value(), None);
    }

    #[test]
    fn set_with_appends_in_place() {
        let mut dv = DataValue::new();
        dv.set(Field::DataElement, "a");
        let r: Result<(), ()> = dv.set_with(Field::Comment, |b| {
            b.push_str("x&y");
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(dv.comment(), Some("x&y"));
        assert_eq!(dv.data_element(), Some("a"));
    }

    #[test]
    fn clear_keeps_capacity() {
        let mut dv = DataValue::new();
        dv.set(Field::Comment, &"c".repeat(100));
        let cap = dv.buf.capacity();
        dv.clear();
        assert!(dv.is_empty());
        assert_eq!(dv.buf.capacity(), cap);
    }

    proptest! {
        #[test]
        fn fields_round_trip(texts in proptest::collection::vec(proptest::option::of(".{0,12}"), Field::COUNT)) {
            let mut dv = DataValue::new();
            for (f, t) in Field::ALL.iter().zip(&texts) {
                if let Some(t) = t { dv.set(*f, t); }
            }
            for (f, t) in Field::ALL.iter().zip(&texts) {
                prop_assert_eq!(dv.get(*f), t.as_deref());
            }
        }
    }
}
