//! Before anything is written: the checks that every object reads back as it is, and what the
//! document needs beyond the catalogue's objects — a user role per list of authorities, the
//! attributes' applicability flags, and each option once.

use std::collections::{HashMap, HashSet};

use dxf2_model::date::parse_json_date;
use dxf2_model::metadata::{
    DataSet, Identity, NaiveDate, NaiveDateTime, OptionItem, Sharing, User,
};
use dxf2_model::{Metadata, Period, PeriodType, Uid};

use super::super::convert::{AGGREGATION_TYPES, DATA_DIMENSION_TYPES, DOMAIN_TYPES};
use super::super::error::{MetadataError, ObjectRef};

/// The applicability flags of a DHIS2 attribute (`Attribute.ObjectType`) for the kinds the
/// catalogue holds, indexed by the `FLAG_*` constants (category combos and attributes have none
/// in DHIS2).
pub(super) const FLAGS: [&str; 11] = [
    "organisationUnitAttribute",
    "dataElementAttribute",
    "categoryOptionAttribute",
    "categoryAttribute",
    "categoryOptionComboAttribute",
    "dataSetAttribute",
    "optionSetAttribute",
    "optionAttribute",
    "dataElementGroupAttribute",
    "organisationUnitGroupAttribute",
    "userAttribute",
];

const FLAG_ORG_UNIT: u16 = 0;
const FLAG_DATA_ELEMENT: u16 = 1;
const FLAG_CATEGORY_OPTION: u16 = 2;
const FLAG_CATEGORY: u16 = 3;
const FLAG_CATEGORY_OPTION_COMBO: u16 = 4;
const FLAG_DATA_SET: u16 = 5;
const FLAG_OPTION_SET: u16 = 6;
const FLAG_OPTION: u16 = 7;
const FLAG_DATA_ELEMENT_GROUP: u16 = 8;
const FLAG_ORG_UNIT_GROUP: u16 = 9;
const FLAG_USER: u16 = 10;

/// DHIS2's longest `name` (230 characters).
const MAX_NAME_CHARS: usize = 230;

/// What the writer needs beyond the catalogue, worked out (and every object checked) before the
/// first byte is written.
pub(super) struct Plan<'m> {
    /// The user roles made for the users' authorities, in order of first use.
    pub(super) roles: Vec<Role<'m>>,
    /// Per user with authorities, by UID: the index of its role in `roles`.
    pub(super) user_roles: HashMap<Uid, usize>,
    /// Per attribute: the bits (`1 << i` for `FLAGS[i]`) of the kinds whose objects use it.
    pub(super) attribute_flags: HashMap<Uid, u16>,
    /// The top-level options: each option once, with the option set listing it first and its
    /// index there.
    pub(super) options: Vec<TopOption<'m>>,
}

/// A user role made for one list of authorities.
pub(super) struct Role<'m> {
    /// A UID derived from the authorities (the same list always gets the same UID).
    pub(super) uid: Uid,
    /// The authorities joined, with the UID (DHIS2 wants role names unique).
    pub(super) name: String,
    /// The authorities, in the users' order.
    pub(super) authorities: &'m [String],
}

/// One entry of the top-level `options` array.
pub(super) struct TopOption<'m> {
    /// The option.
    pub(super) item: &'m OptionItem,
    /// The option set that lists it (first).
    pub(super) option_set: Uid,
    /// Its 0-based index in that set (DHIS2's `sortOrder`).
    pub(super) sort_order: usize,
}

const EMPTY: &str = "an empty text reads back as absent (DHIS2 reads \"\" as null)";
const NUL: &str =
    "U+0000 (NUL) cannot be stored by DHIS2's database (PostgreSQL) and is refused on reading";
const DATE: &str = "no yyyy-MM-ddTHH:mm:ss.SSS text reads back as this moment (a fraction of a \
                    second finer than milliseconds, or a leap second)";

/// The object being checked (made into an [`ObjectRef`] only for an error).
#[derive(Clone, Copy)]
struct At {
    kind: &'static str,
    index: usize,
    uid: Uid,
}

impl At {
    fn new(kind: &'static str, index: usize, uid: Uid) -> At {
        At { kind, index, uid }
    }

    fn unwritable(
        self,
        field: impl Into<String>,
        value: Option<&str>,
        reason: &'static str,
    ) -> MetadataError {
        MetadataError::Unwritable {
            object: Box::new(ObjectRef {
                kind: self.kind,
                index: self.index,
                id: Some(self.uid.to_string()),
            }),
            field: field.into(),
            value: value.map(str::to_owned),
            reason,
        }
    }
}

/// A field's name, built only when an error names it.
trait Field {
    fn name(self) -> String;
}

impl Field for &str {
    fn name(self) -> String {
        self.to_owned()
    }
}

/// `(prefix, index, suffix)`: `options[2].code`.
impl Field for (&str, usize, &str) {
    fn name(self) -> String {
        format!("{}[{}]{}", self.0, self.1, self.2)
    }
}

/// Why a text of an optional field does not read back as written (empty, or holding NUL).
fn problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some(EMPTY)
    } else if value.contains('\0') {
        Some(NUL)
    } else {
        None
    }
}

/// A text that must be written: no NUL.
fn text(at: At, field: impl Field, value: &str) -> Result<(), MetadataError> {
    if value.contains('\0') {
        return Err(at.unwritable(field.name(), Some(value), NUL));
    }
    Ok(())
}

/// A text that reads back as written: not empty, no NUL.
fn present_text(at: At, field: impl Field, value: &str) -> Result<(), MetadataError> {
    match problem(value) {
        Some(reason) => Err(at.unwritable(field.name(), Some(value), reason)),
        None => Ok(()),
    }
}

fn opt_text(at: At, field: impl Field, value: Option<&str>) -> Result<(), MetadataError> {
    value.map_or(Ok(()), |v| present_text(at, field, v))
}

/// `code`, `name` and `attributeValues` of an object, or of its option `options[option]`.
fn identity(at: At, option: Option<usize>, id: &Identity) -> Result<(), MetadataError> {
    let field = |name: &str| match option {
        Some(j) => format!("options[{j}].{name}"),
        None => name.to_owned(),
    };
    for (name, value) in [("code", &id.code), ("name", &id.name)] {
        if let Some(reason) = value.as_deref().and_then(problem) {
            return Err(at.unwritable(field(name), value.as_deref(), reason));
        }
    }
    for (i, (_, value)) in id.attribute_values.iter().enumerate() {
        if let Some(reason) = problem(value) {
            let name = field(&format!("attributeValues[{i}].value"));
            return Err(at.unwritable(name, Some(value), reason));
        }
    }
    Ok(())
}

fn sharing(at: At, sharing: &Sharing) -> Result<(), MetadataError> {
    opt_text(at, "sharing.public", sharing.public.as_deref())?;
    for (group, accesses) in [
        ("users", &sharing.users),
        ("userGroups", &sharing.user_groups),
    ] {
        for (uid, access) in accesses {
            if let Some(reason) = problem(access) {
                let field = format!("sharing.{group}.{uid}.access");
                return Err(at.unwritable(field, Some(access), reason));
            }
        }
    }
    Ok(())
}

fn one_of(
    at: At,
    field: &str,
    value: &str,
    allowed: &[&str],
    reason: &'static str,
) -> Result<(), MetadataError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(at.unwritable(field, Some(value), reason))
    }
}

/// A date-only field as DHIS2 writes a `Date`: `yyyy-MM-ddT00:00:00.000`.
pub(super) fn date_text(date: NaiveDate) -> String {
    let text = date.format("%Y-%m-%dT00:00:00.000").to_string();
    // chrono signs years past 9999 (`+10000`); DHIS2 (Joda-Time) writes and reads the digits.
    text.strip_prefix('+').map(str::to_owned).unwrap_or(text)
}

/// A date-time field as DHIS2 writes a `Date`: `yyyy-MM-ddTHH:mm:ss.SSS`, no offset (UTC).
pub(super) fn date_time_text(moment: NaiveDateTime) -> String {
    let text = moment.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    text.strip_prefix('+').map(str::to_owned).unwrap_or(text)
}

fn date(at: At, field: &str, value: Option<NaiveDate>) -> Result<(), MetadataError> {
    let Some(value) = value else {
        return Ok(());
    };
    let read = parse_json_date(&date_text(value)).map(|p| p.local().date());
    if read.ok() != Some(value) {
        return Err(at.unwritable(field, Some(&value.to_string()), DATE));
    }
    Ok(())
}

fn date_time(at: At, field: impl Field, value: Option<NaiveDateTime>) -> Result<(), MetadataError> {
    let Some(value) = value else {
        return Ok(());
    };
    let read = parse_json_date(&date_time_text(value)).map(|p| p.utc());
    if read.ok() != Some(value) {
        return Err(at.unwritable(field.name(), Some(&value.to_string()), DATE));
    }
    Ok(())
}

/// Checks every object and works out the plan.
pub(super) fn plan(md: &Metadata) -> Result<Plan<'_>, MetadataError> {
    let mut flags = Flags::default();
    for (i, o) in md.attributes().iter().enumerate() {
        let at = At::new("attributes", i, o.id.uid);
        identity(at, None, &o.id)?;
    }
    for (i, o) in md.org_units().iter().enumerate() {
        let at = At::new("organisationUnits", i, o.id.uid);
        identity(at, None, &o.id)?;
        date(at, "openingDate", o.opening_date)?;
        date(at, "closedDate", o.closed_date)?;
        flags.add(FLAG_ORG_UNIT, &o.id);
    }
    for (i, o) in md.org_unit_groups().iter().enumerate() {
        let at = At::new("organisationUnitGroups", i, o.id.uid);
        identity(at, None, &o.id)?;
        flags.add(FLAG_ORG_UNIT_GROUP, &o.id);
    }
    for (i, o) in md.category_options().iter().enumerate() {
        let at = At::new("categoryOptions", i, o.id.uid);
        identity(at, None, &o.id)?;
        date(at, "startDate", o.start_date)?;
        date(at, "endDate", o.end_date)?;
        sharing(at, &o.sharing)?;
        flags.add(FLAG_CATEGORY_OPTION, &o.id);
    }
    for (i, o) in md.categories().iter().enumerate() {
        let at = At::new("categories", i, o.id.uid);
        identity(at, None, &o.id)?;
        dimension(at, &o.data_dimension_type)?;
        flags.add(FLAG_CATEGORY, &o.id);
    }
    for (i, o) in md.category_combos().iter().enumerate() {
        let at = At::new("categoryCombos", i, o.id.uid);
        identity(at, None, &o.id)?;
        dimension(at, &o.data_dimension_type)?;
    }
    for (i, o) in md.category_option_combos().iter().enumerate() {
        let at = At::new("categoryOptionCombos", i, o.id.uid);
        identity(at, None, &o.id)?;
        flags.add(FLAG_CATEGORY_OPTION_COMBO, &o.id);
    }
    for (i, o) in md.data_elements().iter().enumerate() {
        let at = At::new("dataElements", i, o.id.uid);
        identity(at, None, &o.id)?;
        one_of(
            at,
            "aggregationType",
            &o.aggregation_type,
            AGGREGATION_TYPES,
            "expected a DHIS2 aggregation type such as SUM or AVERAGE",
        )?;
        one_of(
            at,
            "domainType",
            &o.domain_type,
            DOMAIN_TYPES,
            "expected AGGREGATE or TRACKER",
        )?;
        sharing(at, &o.sharing)?;
        flags.add(FLAG_DATA_ELEMENT, &o.id);
    }
    for (i, o) in md.data_element_groups().iter().enumerate() {
        let at = At::new("dataElementGroups", i, o.id.uid);
        identity(at, None, &o.id)?;
        flags.add(FLAG_DATA_ELEMENT_GROUP, &o.id);
    }
    for (i, o) in md.data_sets().iter().enumerate() {
        let at = At::new("dataSets", i, o.id.uid);
        identity(at, None, &o.id)?;
        data_set_numbers(at, o)?;
        for (j, p) in o.data_input_periods.iter().enumerate() {
            let text = p.period.to_string();
            if Period::parse(&text).ok() != Some(p.period) {
                return Err(at.unwritable(
                    format!("dataInputPeriods[{j}].period"),
                    Some(&text),
                    "no ISO form that DHIS2 2.36–2.42 reads (TwoYearly, FinancialFeb, \
                     FinancialAug and WeeklyFriday periods have none)",
                ));
            }
            let field = ("dataInputPeriods", j, ".openingDate");
            date_time(at, field, p.opening_date)?;
            let field = ("dataInputPeriods", j, ".closingDate");
            date_time(at, field, p.closing_date)?;
        }
        sharing(at, &o.sharing)?;
        flags.add(FLAG_DATA_SET, &o.id);
    }
    let options = options(md, &mut flags)?;
    let (roles, user_roles) = roles(md, &mut flags)?;
    Ok(Plan {
        roles,
        user_roles,
        attribute_flags: flags.0,
        options,
    })
}

/// Which kinds of object use each attribute.
#[derive(Default)]
struct Flags(HashMap<Uid, u16>);

impl Flags {
    fn add(&mut self, flag: u16, id: &Identity) {
        for (attribute, _) in &id.attribute_values {
            *self.0.entry(*attribute).or_default() |= 1 << flag;
        }
    }
}

fn dimension(at: At, value: &str) -> Result<(), MetadataError> {
    one_of(
        at,
        "dataDimensionType",
        value,
        DATA_DIMENSION_TYPES,
        "expected DISAGGREGATION or ATTRIBUTE",
    )
}

/// The largest integer a double (DHIS2's `expiryDays`, and the reader's JSON number) holds
/// exactly: 2^53.
const MAX_EXACT_DOUBLE: i64 = 1 << 53;

fn data_set_numbers(at: At, ds: &DataSet) -> Result<(), MetadataError> {
    if ds.period_type == PeriodType::TwoYearly {
        return Err(at.unwritable(
            "periodType",
            Some(ds.period_type.name()),
            "DHIS2 reads `TwoYearly` as no period type",
        ));
    }
    if ds.expiry_days.unsigned_abs() > MAX_EXACT_DOUBLE.unsigned_abs() {
        return Err(at.unwritable(
            "expiryDays",
            Some(&ds.expiry_days.to_string()),
            "beyond ±2^53 a JSON number (a double in DHIS2) does not hold it exactly",
        ));
    }
    for (field, value) in [
        ("openFuturePeriods", ds.open_future_periods),
        (
            "openPeriodsAfterCoEndDate",
            ds.open_periods_after_co_end_date,
        ),
    ] {
        if i32::try_from(value).is_err() {
            return Err(at.unwritable(
                field,
                Some(&value.to_string()),
                "DHIS2 holds it as a 32-bit integer",
            ));
        }
    }
    Ok(())
}

/// Checks the option sets and their options, and lists each option once for the top-level
/// `options` array.
fn options<'m>(md: &'m Metadata, flags: &mut Flags) -> Result<Vec<TopOption<'m>>, MetadataError> {
    let mut first: HashMap<Uid, &'m OptionItem> = HashMap::new();
    let mut out = Vec::new();
    for (i, set) in md.option_sets().iter().enumerate() {
        let at = At::new("optionSets", i, set.id.uid);
        identity(at, None, &set.id)?;
        flags.add(FLAG_OPTION_SET, &set.id);
        let mut listed = HashSet::with_capacity(set.options.len());
        for (j, item) in set.options.iter().enumerate() {
            if item.id.code.is_none() {
                return Err(at.unwritable(
                    format!("options[{j}].code"),
                    None,
                    "an option needs a code (DHIS2 requires one, and so does the reader)",
                ));
            }
            identity(at, Some(j), &item.id)?;
            flags.add(FLAG_OPTION, &item.id);
            let uid = item.id.uid;
            let value = || Some(uid.to_string());
            if !listed.insert(uid) {
                return Err(at.unwritable(
                    format!("options[{j}]"),
                    value().as_deref(),
                    "the option set lists this option twice; a document lists it once",
                ));
            }
            match first.get(&uid) {
                None => {
                    first.insert(uid, item);
                    out.push(TopOption {
                        item,
                        option_set: set.id.uid,
                        sort_order: j,
                    });
                }
                Some(earlier) if *earlier == item => {}
                Some(_) => {
                    return Err(at.unwritable(
                        format!("options[{j}]"),
                        value().as_deref(),
                        "an earlier option set lists an option with this UID but another code, \
                         name or attribute values; a DHIS2 option belongs to one option set",
                    ))
                }
            }
        }
    }
    Ok(out)
}

/// Checks the users and makes one user role per distinct list of authorities.
fn roles<'m>(
    md: &'m Metadata,
    flags: &mut Flags,
) -> Result<(Vec<Role<'m>>, HashMap<Uid, usize>), MetadataError> {
    let mut roles: Vec<Role<'m>> = Vec::new();
    let mut by_authorities: HashMap<&'m [String], usize> = HashMap::new();
    let mut taken: HashSet<Uid> = HashSet::new();
    let mut user_roles = HashMap::new();
    for (i, user) in md.users().iter().enumerate() {
        let at = At::new("users", i, user.id.uid);
        check_user(at, user)?;
        flags.add(FLAG_USER, &user.id);
        if user.authorities.is_empty() {
            continue;
        }
        let authorities = user.authorities.as_slice();
        let index = match by_authorities.get(authorities) {
            Some(index) => *index,
            None => {
                // Another list's role took the UID (a hash collision): salt until one is free.
                let mut salt = 0u64;
                let uid = loop {
                    let uid = role_uid(authorities, salt);
                    if taken.insert(uid) {
                        break uid;
                    }
                    salt = salt.wrapping_add(1);
                };
                by_authorities.insert(authorities, roles.len());
                roles.push(Role {
                    uid,
                    name: role_name(authorities, &uid),
                    authorities,
                });
                roles.len() - 1
            }
        };
        user_roles.insert(user.id.uid, index);
    }
    Ok((roles, user_roles))
}

fn check_user(at: At, user: &User) -> Result<(), MetadataError> {
    identity(at, None, &user.id)?;
    if user.username.is_empty() {
        return Err(at.unwritable(
            "username",
            None,
            "a user needs a username (DHIS2 requires one, and so does the reader)",
        ));
    }
    text(at, "username", &user.username)?;
    let mut seen = HashSet::with_capacity(user.authorities.len());
    for (j, authority) in user.authorities.iter().enumerate() {
        let field = ("authorities", j, "");
        text(at, field, authority)?;
        if !seen.insert(authority.as_str()) {
            return Err(at.unwritable(
                field.name(),
                Some(authority),
                "the user holds this authority twice; its roles give it once",
            ));
        }
    }
    Ok(())
}

/// A UID for a role holding `authorities`: the same list (and salt) always gives the same UID,
/// so that a role written again updates the one DHIS2 imported before.
pub(super) fn role_uid(authorities: &[String], salt: u64) -> Uid {
    // FNV-1a over the authorities, each ended by 0xFF (a byte UTF-8 never holds).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    let mut eat = |b: u8| {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for authority in authorities {
        authority.bytes().for_each(&mut eat);
        eat(0xff);
    }
    // SplitMix64 spreads the hash over the UID's characters.
    let mut state = hash;
    Uid::generate_with(|| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// The authorities joined by `, ` and the role's UID in parentheses, shortened (with `…`) to
/// DHIS2's 230 characters.
pub(super) fn role_name(authorities: &[String], uid: &Uid) -> String {
    let suffix = format!(" ({uid})");
    let room = MAX_NAME_CHARS - suffix.len();
    let joined = authorities.join(", ");
    let mut name = if joined.chars().count() <= room {
        joined
    } else {
        let mut cut: String = joined.chars().take(room - 1).collect();
        cut.push('…');
        cut
    };
    name.push_str(&suffix);
    name
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn role_uids_are_stable_and_valid() {
        let a = vec!["ALL".to_owned()];
        let b = vec![
            "F_DATAVALUE_ADD".to_owned(),
            "M_dhis-web-dataentry".to_owned(),
        ];
        assert_eq!(role_uid(&a, 0), role_uid(&a, 0));
        assert_ne!(role_uid(&a, 0), role_uid(&a, 1));
        assert_ne!(role_uid(&a, 0), role_uid(&b, 0));
        // The separator keeps ["AB"] and ["A", "B"] apart.
        assert_ne!(
            role_uid(&["AB".to_owned()], 0),
            role_uid(&["A".to_owned(), "B".to_owned()], 0)
        );
        assert!(Uid::is_valid(role_uid(&b, 7).as_str()));
    }

    #[test]
    fn role_names_fit_dhis2() {
        let uid = role_uid(&[], 0);
        assert_eq!(
            role_name(&["ALL".to_owned(), "F_X".to_owned()], &uid),
            format!("ALL, F_X ({uid})")
        );
        let long: Vec<String> = (0..100).map(|i| format!("F_AUTHORITY_{i}")).collect();
        let name = role_name(&long, &uid);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(&format!("… ({uid})")), "{name}");
    }

    #[test]
    fn dates_are_written_as_dhis2_writes_them() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        assert_eq!(date_text(d), "2024-01-31T00:00:00.000");
        assert_eq!(
            date_text(NaiveDate::from_ymd_opt(12345, 6, 7).unwrap()),
            "12345-06-07T00:00:00.000"
        );
        assert_eq!(
            date_text(NaiveDate::from_ymd_opt(7, 6, 5).unwrap()),
            "0007-06-05T00:00:00.000"
        );
        let t = d.and_hms_milli_opt(13, 5, 9, 42).unwrap();
        assert_eq!(date_time_text(t), "2024-01-31T13:05:09.042");
    }

    #[test]
    fn dates_that_read_back_otherwise_are_refused() {
        let at = At::new("dataSets", 0, role_uid(&[], 0));
        let d = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        assert!(date_time(at, "x", Some(d.and_hms_milli_opt(1, 2, 3, 4).unwrap())).is_ok());
        // Every year chrono holds reads back (DHIS2's Joda-Time takes a signed year of up to
        // nine digits).
        for d in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
        ] {
            assert!(date(at, "x", Some(d)).is_ok(), "{d}");
        }
        let finer = d.and_hms_micro_opt(1, 2, 3, 4_005).unwrap();
        let err = date_time(at, "dataInputPeriods[0].openingDate", Some(finer)).unwrap_err();
        assert_eq!(err.field(), Some("dataInputPeriods[0].openingDate"));
        let leap = d.and_hms_milli_opt(23, 59, 59, 1_500).unwrap();
        assert!(date_time(at, "x", Some(leap)).is_err());
    }
}
