//! DHIS2 2.43+'s conflict messages: error codes with their arguments ([`Problem`]), rendered as
//! Java renders them (`MessageFormat` numbers with thousands separators, `List`/`Map`/`Set`
//! `toString`, record `toString`), and the conflict shape of `DataEntrySummary.toConflict`.

use dxf2_model::{DataValue, ImportConflict, Period, Uid};

use crate::conflicts::{format_message, group_thousands, java_list, ErrorCode};

/// One argument of a DHIS2 message, rendered as Java renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Arg {
    /// A Java `int`: `MessageFormat` groups thousands (`1,234`), `String.valueOf` does not.
    Int(i64),
    /// A string (`null` when absent).
    Text(Option<String>),
    /// A Java `List`: `[a, b]`.
    List(Vec<String>),
}

impl Arg {
    pub(super) fn text(s: impl Into<String>) -> Arg {
        Arg::Text(Some(s.into()))
    }

    pub(super) fn opt(s: Option<&str>) -> Arg {
        Arg::Text(s.map(str::to_owned))
    }

    pub(super) fn uids(uids: &[Uid]) -> Arg {
        Arg::List(uids.iter().map(|u| u.as_str().to_owned()).collect())
    }

    pub(super) fn periods(periods: &[Period]) -> Arg {
        Arg::List(periods.iter().map(Period::to_string).collect())
    }

    /// As `MessageFormat` inserts it.
    pub(super) fn in_message(&self) -> String {
        match self {
            Arg::Int(n) => group_thousands(*n),
            other => other.in_key(),
        }
    }

    /// As `String.valueOf` renders it.
    pub(super) fn in_key(&self) -> String {
        match self {
            Arg::Int(n) => n.to_string(),
            Arg::Text(t) => t.clone().unwrap_or_else(|| "null".to_owned()),
            Arg::List(items) => java_list(items),
        }
    }
}

/// An error code with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Problem {
    pub(super) code: ErrorCode,
    pub(super) args: Vec<Arg>,
}

impl Problem {
    pub(super) fn new(code: ErrorCode, args: Vec<Arg>) -> Problem {
        Problem { code, args }
    }

    pub(super) fn message(&self) -> String {
        let rendered: Vec<String> = self.args.iter().map(Arg::in_message).collect();
        let args: Vec<Option<&str>> = rendered.iter().map(|s| Some(s.as_str())).collect();
        format_message(self.code.template, &args)
    }

    pub(super) fn key(&self) -> String {
        self.args
            .iter()
            .map(Arg::in_key)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// `DataEntrySummary.toConflict`: no object, no property, `objects` = `{"args": key}`.
    pub(super) fn conflict(&self, indexes: Vec<i64>) -> ImportConflict {
        ImportConflict {
            object: None,
            objects: vec![("args".to_owned(), Some(self.key()))],
            value: self.message(),
            error_code: Some(self.code.code.to_owned()),
            property: None,
            indexes: Some(indexes),
        }
    }
}

/// A Java `Map` as `AbstractMap.toString` prints it: `{k=v, k2=null}` (pairs in iteration order).
pub(super) fn java_map<'a>(pairs: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in pairs.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value.unwrap_or("null"));
    }
    out.push('}');
    out
}

/// A value as DHIS2's `DataEntryValue.Input` record prints itself (E8100, E8102, E8105).
pub(super) fn render_input(dv: &DataValue) -> String {
    let s = |v: Option<&str>| v.unwrap_or("null").to_owned();
    let b = |v: Option<bool>| v.map_or_else(|| "null".to_owned(), |b| b.to_string());
    let category_options = if dv.has_category_options() {
        java_map(dv.category_options())
    } else {
        "null".to_owned()
    };
    let attribute_options = if dv.has_attribute_options() {
        java_list(&dv.attribute_options().collect::<Vec<_>>())
    } else {
        "null".to_owned()
    };
    format!(
        "Input[dataElement={}, orgUnit={}, categoryOptionCombo={}, categoryOptions={}, \
         attributeOptionCombo={}, attributeCombo={}, attributeOptions={}, period={}, \
         value={}, comment={}, followUp={}, deleted={}]",
        s(dv.data_element()),
        s(dv.org_unit()),
        s(dv.category_option_combo()),
        category_options,
        s(dv.attribute_option_combo()),
        s(dv.attribute_combo()),
        attribute_options,
        s(dv.period()),
        s(dv.value()),
        s(dv.comment()),
        b(dv.followup()),
        b(dv.deleted()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::*;
    use crate::conflicts::ConflictCollector;

    #[test]
    fn java_numbers_group_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(5000), "5,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(-1234), "-1,234");
    }

    #[test]
    fn problems_render_like_dhis2() {
        let p = Problem::new(
            E8020,
            vec![
                Arg::text("pBOMPrpg1QX"),
                Arg::List(vec!["nonEx1sting".into()]),
            ],
        );
        assert_eq!(
            p.message(),
            "Data set pBOMPrpg1QX not usable with data element(s): `[nonEx1sting]`"
        );
        let c = p.conflict(vec![0, 1]);
        assert_eq!(c.object, None);
        assert_eq!(c.property, None);
        assert_eq!(
            c.objects,
            [("args".into(), Some("pBOMPrpg1QX-[nonEx1sting]".into()))]
        );
        let long = Problem::new(E8125, vec![Arg::Int(1200), Arg::Int(5000)]);
        assert_eq!(
            long.message(),
            "Value #1,200 comment too long (max 5,000 characters)`"
        );
        assert_eq!(long.key(), "1200-5000");
        assert_eq!(Problem::new(E8009, vec![]).key(), "");
        assert_eq!(Arg::Text(None).in_message(), "null");
    }

    #[test]
    fn conflicts_merge_same_code_and_args() {
        let mut c = ConflictCollector::new();
        let p = Problem::new(E8020, vec![Arg::text("a")]);
        c.add_conflict(p.conflict(vec![0]));
        c.add_conflict(p.conflict(vec![3]));
        c.add_conflict(Problem::new(E8020, vec![Arg::text("b")]).conflict(vec![4]));
        let list = c.into_conflicts();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].indexes, Some(vec![0, 3]));
    }

    #[test]
    fn input_renders_as_a_java_record() {
        let dv = DataValue::from_fields(&[
            (dxf2_model::Field::DataElement, "f7n9E0hX8qk"),
            (dxf2_model::Field::Value, "1"),
        ]);
        assert_eq!(
            render_input(&dv),
            "Input[dataElement=f7n9E0hX8qk, orgUnit=null, categoryOptionCombo=null, \
             categoryOptions=null, attributeOptionCombo=null, attributeCombo=null, \
             attributeOptions=null, period=null, value=1, comment=null, followUp=null, deleted=null]"
        );
    }
}
