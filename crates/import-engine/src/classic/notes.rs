//! Notes on the values the classic importer rejects or reports in a conflict ([`ValueNote`]):
//! where the value starts in the source, which field the failing rule looked at, and that
//! field's string as the rule saw it.
//!
//! DHIS2's texts use the value's own identifier even when the importer used the set-level one
//! (`DataValueSetImportValidator` formats the value's own raw field, which may be null), so a
//! value without a period under an unparsable set-level `period="202413"` reads
//! ``Period not valid: `null` ``; its note names `202413`. Nothing here runs for a value that
//! passes: the hot path only compares two counters.

use dxf2_model::{DataValue, Field, TextPosition};

use super::trimmed;
use super::values::ValueRun;
use crate::batch::Batched;
use crate::codes::*;
use crate::conflicts::{ConflictCollector, ErrorCode};
use crate::{Failure, ValueNote};

/// The field each classic rule looks at (`E7642`, approvals, never fires offline and names no
/// single field).
const FIELDS: &[(ErrorCode, Field)] = &[
    (E7610, Field::DataElement),
    (E7611, Field::Period),
    (E7612, Field::OrgUnit),
    (E7613, Field::CategoryOptionCombo),
    (E7614, Field::CategoryOptionCombo),
    (E7615, Field::AttributeOptionCombo),
    (E7616, Field::AttributeOptionCombo),
    (E7617, Field::OrgUnit),
    (E7618, Field::Value),
    (E7619, Field::Value),
    (E7620, Field::Comment),
    (E7621, Field::Value),
    (E7630, Field::CategoryOptionCombo),
    (E7631, Field::AttributeOptionCombo),
    (E7632, Field::Period),
    (E7633, Field::DataElement),
    (E7634, Field::CategoryOptionCombo),
    (E7635, Field::AttributeOptionCombo),
    (E7636, Field::OrgUnit),
    (E7637, Field::StoredBy),
    (E7638, Field::Period),
    (E7639, Field::OrgUnit),
    (E7640, Field::Period),
    (E7641, Field::Period),
    (E7643, Field::Period),
    (E7644, Field::Period),
    (E7645, Field::DataElement),
];

/// The field that the rule with `code` looks at.
fn offending_field(code: &str) -> Option<Field> {
    FIELDS
        .iter()
        .find(|(c, _)| c.code == code)
        .map(|(_, field)| *field)
}

impl<'m> ValueRun<'_, 'm> {
    /// [`value`](ValueRun::value) for the value `dv` that starts at `position` in the source;
    /// when the value gets a conflict or is rejected, notes where it is and what was wrong.
    pub(super) fn value_at(
        &mut self,
        dv: &DataValue,
        index: i64,
        position: Option<TextPosition>,
        store: &mut Batched<'_>,
        conflicts: &mut ConflictCollector,
    ) -> Result<(), Failure> {
        let occurrences = conflicts.occurrences();
        let rejected = self.rejected.len();
        let result = self.value(dv, index, store, conflicts);
        let conflicted = conflicts.occurrences() > occurrences;
        if conflicted || self.rejected.len() > rejected {
            let code = if conflicted {
                conflicts.last_code()
            } else {
                None
            };
            self.note(dv, index, position, code);
        }
        result
    }

    /// Notes value `index`, whose (first) conflict has `code` (`None`: rejected without one).
    fn note(
        &mut self,
        dv: &DataValue,
        index: i64,
        position: Option<TextPosition>,
        code: Option<&str>,
    ) {
        let field = code.and_then(offending_field);
        let raw = field.and_then(|f| self.offending(dv, f));
        let note = ValueNote::new(position, field, raw);
        if !note.is_empty() {
            self.notes.insert(index, note);
        }
    }

    /// The string of `field` that the rules used for `dv`: a resolved set-level period,
    /// org unit or attribute option combo wins over the value's own; an unresolved set-level
    /// period is the one a value without a period of its own fell back on. Identifiers are
    /// trimmed (blank = missing); value, comment and `storedBy` are as written.
    fn offending<'d>(&'d self, dv: &'d DataValue, field: Field) -> Option<&'d str> {
        let set = self.set;
        let own = trimmed(dv.get(field));
        match field {
            Field::Period if set.period.is_some() => set.raw_period.as_deref(),
            Field::Period => own.or(set.raw_period.as_deref()),
            Field::OrgUnit if set.org_unit.is_some() => set.raw_org_unit.as_deref(),
            Field::OrgUnit => own.or(set.raw_org_unit.as_deref()),
            Field::AttributeOptionCombo => match set.aoc {
                // From `attributeOptionCombo`, else from `attributeCategoryOptions`.
                Some(combo) => set.raw_aoc.as_deref().or(Some(combo.coc.id.uid.as_str())),
                None => own,
            },
            Field::DataElement | Field::CategoryOptionCombo => own,
            _ => dv.get(field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_rule_names_a_field() {
        for code in ALL.iter().filter(|c| c.code.starts_with("E76")) {
            let expected = code.code >= "E7610" && code.code != "E7642";
            assert_eq!(
                offending_field(code.code).is_some(),
                expected,
                "{}",
                code.code
            );
        }
        assert_eq!(offending_field("E7611"), Some(Field::Period));
        assert_eq!(offending_field("E7619"), Some(Field::Value));
        assert_eq!(offending_field("E7600"), None);
    }
}
