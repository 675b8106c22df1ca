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
/// Besides the text fields, a record can carry the DHIS2 2.43+ alternatives to identifying an
/// option combo directly (`DataEntryValue.Input`): the value's **category options** (a category
/// → category option map that names the category option combo: the JSON object form of
/// `categoryOptionCombo`, or the extra columns of a 2.43 CSV file) and, for the attribute option
/// combo, an **attribute combo** with a set of **attribute options** (the 2.43 CSV columns
/// `attributeCombo` and `attributeOptions`). Their texts live in the same buffer, as spans.
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
    /// Category → option pairs (option span absent = null), in the reader's map order.
    category_options: Vec<[(u32, u32); 2]>,
    /// Whether the category-option map exists (it may be empty).
    has_category_options: bool,
    /// `attributeCombo`.
    attribute_combo: (u32, u32),
    /// `attributeOptions`, distinct, in the reader's set order.
    attribute_options: Vec<(u32, u32)>,
    /// Whether the attribute-option set exists (it may be empty).
    has_attribute_options: bool,
}

const ABSENT: (u32, u32) = (u32::MAX, 0);

/// Appends `text` to `buf` and returns its span (absent when the buffer outgrew 4 GiB).
fn push_span(buf: &mut String, text: &str) -> (u32, u32) {
    let start = buf.len();
    buf.push_str(text);
    span_of(start, buf.len())
}

fn span_of(start: usize, end: usize) -> (u32, u32) {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(s), Ok(e)) if s != u32::MAX => (s, e),
        _ => ABSENT,
    }
}

#[inline]
fn text_of(buf: &str, (start, end): (u32, u32)) -> Option<&str> {
    if start == u32::MAX {
        return None;
    }
    buf.get(start as usize..end as usize)
}

impl DataValue {
    /// An empty record.
    pub fn new() -> DataValue {
        DataValue {
            buf: String::new(),
            spans: [ABSENT; Field::COUNT],
            followup: None,
            deleted: None,
            category_options: Vec::new(),
            has_category_options: false,
            attribute_combo: ABSENT,
            attribute_options: Vec::new(),
            has_attribute_options: false,
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

    /// How many bytes of text the record holds without growing its buffer.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Makes room for `bytes` bytes of text in all (a reader reusing the record then fills it
    /// without allocating when the texts fit): how a batch of reused records is kept from
    /// growing one record at a time.
    pub fn reserve(&mut self, bytes: usize) {
        self.buf.reserve(bytes.saturating_sub(self.buf.len()));
    }

    /// Makes every field absent (category options and attribute options included), keeping the
    /// buffers' capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.spans = [ABSENT; Field::COUNT];
        self.followup = None;
        self.deleted = None;
        self.category_options.clear();
        self.has_category_options = false;
        self.attribute_combo = ABSENT;
        self.attribute_options.clear();
        self.has_attribute_options = false;
    }

    /// Whether every field is absent (no category options, attribute combo or options either).
    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(|s| s.0 == u32::MAX)
            && self.followup.is_none()
            && self.deleted.is_none()
            && !self.has_category_options
            && self.attribute_combo.0 == u32::MAX
            && !self.has_attribute_options
    }

    /// The text of a field, or `None` when absent.
    #[inline]
    pub fn get(&self, field: Field) -> Option<&str> {
        text_of(&self.buf, *self.spans.get(field.slot())?)
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
            *slot = span_of(start, end);
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

    // -----------------------------------------------------------------------------------------
    // DHIS2 2.43+: category options, attribute combo and attribute options
    // -----------------------------------------------------------------------------------------

    /// Whether the value names its category option combo by category options: a category →
    /// option map is present (it may be empty; DHIS2 then still decodes it, and finds nothing).
    pub fn has_category_options(&self) -> bool {
        self.has_category_options
    }

    /// The category → category option pairs, in the order the reader's DHIS2 map iterates them
    /// (the keys are distinct). An option is `None` when DHIS2 holds `null` for the category.
    ///
    /// ```
    /// use dxf2_model::DataValue;
    /// let mut dv = DataValue::new();
    /// dv.put_category_option("sex", Some("female"));
    /// dv.put_category_option("age", None);
    /// dv.put_category_option("sex", Some("male"));
    /// let pairs: Vec<_> = dv.category_options().collect();
    /// assert_eq!(pairs, [("sex", Some("male")), ("age", None)]);
    /// ```
    pub fn category_options(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        self.category_options.iter().filter_map(move |[cat, opt]| {
            text_of(&self.buf, *cat).map(|c| (c, text_of(&self.buf, *opt)))
        })
    }

    /// Declares the category-option map present, even when no pair follows (a JSON
    /// `"categoryOptionCombo": {}`).
    pub fn start_category_options(&mut self) {
        self.has_category_options = true;
    }

    /// Puts a category → option pair as a Java `Map.put` does: a category already present keeps
    /// its position and takes the new option. Makes the map present.
    pub fn put_category_option(&mut self, category: &str, option: Option<&str>) {
        self.has_category_options = true;
        let existing = self
            .category_options
            .iter()
            .position(|[cat, _]| text_of(&self.buf, *cat) == Some(category));
        let opt = option.map_or(ABSENT, |o| push_span(&mut self.buf, o));
        match existing.and_then(|i| self.category_options.get_mut(i)) {
            Some(pair) => pair[1] = opt,
            None => {
                let cat = push_span(&mut self.buf, category);
                self.category_options.push([cat, opt]);
            }
        }
    }

    /// Removes the category-option map (the map is absent afterwards).
    pub fn remove_category_options(&mut self) {
        self.category_options.clear();
        self.has_category_options = false;
    }

    /// `attributeCombo`: the category combo (a UID) whose option combo the
    /// [`attribute options`](DataValue::attribute_options) name.
    pub fn attribute_combo(&self) -> Option<&str> {
        text_of(&self.buf, self.attribute_combo)
    }

    /// Sets `attributeCombo` (`None` makes it absent).
    pub fn set_attribute_combo(&mut self, combo: Option<&str>) {
        self.attribute_combo = combo.map_or(ABSENT, |c| push_span(&mut self.buf, c));
    }

    /// Whether the attribute-option set is present (it may be empty).
    pub fn has_attribute_options(&self) -> bool {
        self.has_attribute_options
    }

    /// `attributeOptions`: the category options (UIDs) naming the attribute option combo, in
    /// the order the reader's DHIS2 set iterates them (distinct).
    pub fn attribute_options(&self) -> impl Iterator<Item = &str> + '_ {
        self.attribute_options
            .iter()
            .filter_map(move |span| text_of(&self.buf, *span))
    }

    /// Declares the attribute-option set present, even when no option follows.
    pub fn start_attribute_options(&mut self) {
        self.has_attribute_options = true;
    }

    /// Adds an attribute option as a Java `Set.add` does (a duplicate changes nothing). Makes
    /// the set present.
    pub fn add_attribute_option(&mut self, option: &str) {
        self.has_attribute_options = true;
        if self.attribute_options().any(|o| o == option) {
            return;
        }
        let span = push_span(&mut self.buf, option);
        self.attribute_options.push(span);
    }

    /// Removes the attribute-option set (the set is absent afterwards).
    pub fn remove_attribute_options(&mut self) {
        self.attribute_options.clear();
        self.has_attribute_options = false;
    }
}

impl PartialEq for DataValue {
    fn eq(&self, other: &Self) -> bool {
        self.followup == other.followup
            && self.deleted == other.deleted
            && Field::ALL.iter().all(|f| self.get(*f) == other.get(*f))
            && self.has_category_options == other.has_category_options
            && self.category_options().eq(other.category_options())
            && self.attribute_combo() == other.attribute_combo()
            && self.has_attribute_options == other.has_attribute_options
            && self.attribute_options().eq(other.attribute_options())
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
        if self.has_category_options {
            s.field(
                "categoryOptions",
                &DebugMap(self.category_options().collect::<Vec<_>>()),
            );
        }
        if let Some(combo) = self.attribute_combo() {
            s.field("attributeCombo", &combo);
        }
        if self.has_attribute_options {
            s.field(
                "attributeOptions",
                &self.attribute_options().collect::<Vec<_>>(),
            );
        }
        s.finish()
    }
}

/// Pairs printed as a map.
struct DebugMap<'a>(Vec<(&'a str, Option<&'a str>)>);

impl fmt::Debug for DebugMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
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

    #[test]
    fn category_options_are_a_map_and_clear_keeps_capacity() {
        let mut dv = DataValue::new();
        assert!(!dv.has_category_options());
        dv.start_category_options();
        assert!(dv.has_category_options());
        assert!(!dv.is_empty());
        assert_eq!(dv.category_options().count(), 0);
        dv.put_category_option("a", Some("1"));
        dv.put_category_option("b", None);
        dv.put_category_option("a", Some("2"));
        dv.set(Field::Value, "v");
        assert_eq!(
            dv.category_options().collect::<Vec<_>>(),
            [("a", Some("2")), ("b", None)]
        );
        assert_eq!(dv.value(), Some("v"));
        let other = dv.clone();
        assert_eq!(dv, other);
        let mut different = other.clone();
        different.put_category_option("b", Some("x"));
        assert_ne!(dv, different);
        let debug = format!("{dv:?}");
        assert!(
            debug.contains(r#"categoryOptions: {"a": Some("2"), "b": None}"#),
            "{debug}"
        );
        dv.remove_category_options();
        assert!(!dv.has_category_options());
        assert_ne!(dv, other);

        let cap = dv.category_options.capacity();
        dv.clear();
        assert!(dv.is_empty());
        assert_eq!(dv.category_options.capacity(), cap);
    }

    #[test]
    fn attribute_combo_and_options() {
        let mut dv = DataValue::new();
        assert_eq!(dv.attribute_combo(), None);
        assert!(!dv.has_attribute_options());
        dv.set_attribute_combo(Some("ccAaaaaaa01"));
        dv.add_attribute_option("o1");
        dv.add_attribute_option("o2");
        dv.add_attribute_option("o1");
        assert_eq!(dv.attribute_combo(), Some("ccAaaaaaa01"));
        assert_eq!(dv.attribute_options().collect::<Vec<_>>(), ["o1", "o2"]);
        assert!(format!("{dv:?}").contains(r#"attributeOptions: ["o1", "o2"]"#));
        let mut empty_set = DataValue::new();
        empty_set.start_attribute_options();
        assert!(empty_set.has_attribute_options());
        assert_ne!(empty_set, DataValue::new());
        dv.set_attribute_combo(None);
        dv.remove_attribute_options();
        assert!(dv.is_empty());
        dv.clear();
        assert!(dv.is_empty());
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
