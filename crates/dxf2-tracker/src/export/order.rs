//! `order`: `field:asc|desc,…` with each endpoint's orderable fields (2.42's
//! `EventMapper.ORDERABLE_FIELDS` and friends) and DHIS2's messages, and the sort itself.
//!
//! DHIS2 sorts in the database: ascending puts missing values last, descending first, and
//! every order ends with the primary key descending (newest first, the default order). This
//! crate has no database key: the tie-break is `createdAt` descending, then the UID
//! descending, so objects created by one import come in reverse UID order where DHIS2 gives
//! reverse payload order.

use std::cmp::Ordering;

use crate::import::ParamError;
use crate::model::TrackerType;
use crate::time::Timestamp;

/// A sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

/// One `field:direction` of `order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// The field name (case-sensitive) or a data element / attribute UID.
    pub field: String,
    /// The direction (default `asc`).
    pub direction: Direction,
}

/// The orderable fields of `/api/tracker/events`.
pub const EVENT_ORDER_FIELDS: &[&str] = &[
    "assignedUser",
    "assignedUserDisplayName",
    "attributeOptionCombo",
    "completedAt",
    "completedBy",
    "createdAt",
    "createdAtClient",
    "createdBy",
    "deleted",
    "enrolledAt",
    "enrollment",
    "enrollmentStatus",
    "event",
    "followUp",
    "occurredAt",
    "orgUnit",
    "program",
    "programStage",
    "scheduledAt",
    "status",
    "storedBy",
    "trackedEntity",
    "updatedAt",
    "updatedAtClient",
    "updatedBy",
];

/// The orderable fields of `/api/tracker/trackedEntities` (besides attribute UIDs).
pub const TRACKED_ENTITY_ORDER_FIELDS: &[&str] = &[
    "createdAt",
    "createdAtClient",
    "enrolledAt",
    "inactive",
    "trackedEntity",
    "updatedAt",
    "updatedAtClient",
];

/// The orderable fields of `/api/tracker/enrollments`.
pub const ENROLLMENT_ORDER_FIELDS: &[&str] = &[
    "completedAt",
    "createdAt",
    "createdAtClient",
    "enrolledAt",
    "enrollment",
    "occurredAt",
    "updatedAt",
    "updatedAtClient",
];

/// The orderable fields of `/api/tracker/relationships`.
pub const RELATIONSHIP_ORDER_FIELDS: &[&str] = &["createdAt", "createdAtClient"];

/// The orderable fields of an endpoint, and what UIDs it also orders by (`None`: none).
pub fn orderable(kind: TrackerType) -> (&'static [&'static str], Option<&'static str>) {
    match kind {
        TrackerType::Event => (EVENT_ORDER_FIELDS, Some("data element and attribute")),
        TrackerType::TrackedEntity => (TRACKED_ENTITY_ORDER_FIELDS, Some("attribute")),
        TrackerType::Enrollment => (ENROLLMENT_ORDER_FIELDS, None),
        TrackerType::Relationship => (RELATIONSHIP_ORDER_FIELDS, None),
    }
}

/// Parses `order` as DHIS2's `OrderCriteria` does: comma-separated `field[:direction]`, the
/// direction case-insensitive (anything but `desc` is ascending).
pub fn parse_order(text: &str) -> Vec<Order> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            let mut it = part.splitn(2, ':');
            let field = it.next().unwrap_or_default().to_owned();
            let direction = match it.next() {
                Some(d) if d.eq_ignore_ascii_case("desc") => Direction::Desc,
                _ => Direction::Asc,
            };
            Order { field, direction }
        })
        .collect()
}

fn is_uid(s: &str) -> bool {
    dxf2_model::Uid::parse(s).is_ok()
}

/// DHIS2's `validateOrderParams`: only the endpoint's fields (and UIDs where it takes them),
/// each at most once.
pub fn check_order(kind: TrackerType, order: &[Order]) -> Result<(), ParamError> {
    if order.is_empty() {
        return Ok(());
    }
    let (fields, uid_meaning) = orderable(kind);
    let mut sorted: Vec<&str> = fields.to_vec();
    sorted.sort_unstable();
    let suffix = match uid_meaning {
        Some(meaning) => format!(
            "Supported are {meaning} UIDs and fields '{}'. All of which can at most be specified \
             once.",
            sorted.join(", ")
        ),
        None => format!(
            "Supported fields are '{}'. All of which can at most be specified once.",
            sorted.join(", ")
        ),
    };
    let mut invalid: Vec<&str> = Vec::new();
    for o in order {
        let ok = fields.contains(&o.field.as_str()) || (uid_meaning.is_some() && is_uid(&o.field));
        if !ok && !invalid.contains(&o.field.as_str()) {
            invalid.push(&o.field);
        }
    }
    if !invalid.is_empty() {
        return Err(ParamError {
            message: format!(
                "order parameter is invalid. Cannot order by '{}'. {suffix}",
                invalid.join(", ")
            ),
        });
    }
    let mut repeated: Vec<&str> = Vec::new();
    for (i, o) in order.iter().enumerate() {
        let again = order.iter().skip(i + 1).any(|p| p.field == o.field);
        if again && !repeated.contains(&o.field.as_str()) {
            repeated.push(&o.field);
        }
    }
    if !repeated.is_empty() {
        return Err(ParamError {
            message: format!(
                "order parameter is invalid. '{}' are repeated. {suffix}",
                repeated.join(", ")
            ),
        });
    }
    Ok(())
}

/// A value to sort by.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    /// No value (sorted last ascending, first descending).
    Missing,
    /// A boolean.
    Bool(bool),
    /// An instant.
    Time(Timestamp),
    /// A text (numbers compared as numbers when both sides are).
    Text(String),
}

impl SortKey {
    /// A text, or [`SortKey::Missing`] when empty.
    pub fn text(s: &str) -> SortKey {
        if s.is_empty() {
            SortKey::Missing
        } else {
            SortKey::Text(s.to_owned())
        }
    }

    /// An instant, or [`SortKey::Missing`].
    pub fn time(t: Option<Timestamp>) -> SortKey {
        t.map_or(SortKey::Missing, SortKey::Time)
    }

    /// Ascending order, missing values last.
    pub fn cmp_asc(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
            (SortKey::Missing, _) => Ordering::Greater,
            (_, SortKey::Missing) => Ordering::Less,
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            (SortKey::Time(a), SortKey::Time(b)) => a.cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => {
                match (a.parse::<f64>().ok(), b.parse::<f64>().ok()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                    _ => a.cmp(b),
                }
            }
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

fn rank(k: &SortKey) -> u8 {
    match k {
        SortKey::Bool(_) => 0,
        SortKey::Time(_) => 1,
        SortKey::Text(_) => 2,
        SortKey::Missing => 3,
    }
}

/// An object with what it is sorted by, read before sorting.
#[derive(Clone, Debug)]
pub struct Sortable<T> {
    /// Its value of each field of the order, in the order's order.
    pub keys: Vec<SortKey>,
    /// Its `createdAt` (the tie-break, newest first).
    pub created: Option<Timestamp>,
    /// Its UID (the last tie-break, descending).
    pub uid: String,
    /// The object.
    pub item: T,
}

/// Sorts by `order` (each item's `keys` line up with it), then newest first (`createdAt`
/// descending, UID descending).
pub fn sort_by_order<T>(items: &mut [Sortable<T>], order: &[Order]) {
    items.sort_by(|a, b| {
        for (i, o) in order.iter().enumerate() {
            let (Some(ka), Some(kb)) = (a.keys.get(i), b.keys.get(i)) else {
                continue;
            };
            let c = ka.cmp_asc(kb);
            let c = match o.direction {
                Direction::Asc => c,
                Direction::Desc => c.reverse(),
            };
            if c != Ordering::Equal {
                return c;
            }
        }
        SortKey::time(a.created)
            .cmp_asc(&SortKey::time(b.created))
            .reverse()
            .then_with(|| b.uid.cmp(&a.uid))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_parsed_and_checked_as_dhis2_does() {
        let o = parse_order("occurredAt:desc,BuZ5LGNfGEU,orgUnit:ASC");
        assert_eq!(o.len(), 3);
        assert_eq!(o[0].direction, Direction::Desc);
        assert_eq!(o[1].direction, Direction::Asc);
        assert!(check_order(TrackerType::Event, &o).is_ok());
        let bad = check_order(TrackerType::Event, &parse_order("occurredat")).unwrap_err();
        assert!(bad.message.starts_with(
            "order parameter is invalid. Cannot order by 'occurredat'. Supported are data \
             element and attribute UIDs and fields 'assignedUser, assignedUserDisplayName,"
        ));
        let bad = check_order(
            TrackerType::Enrollment,
            &parse_order("enrolledAt,enrolledAt:desc"),
        )
        .unwrap_err();
        assert!(bad
            .message
            .starts_with("order parameter is invalid. 'enrolledAt' are repeated. Supported fields are 'completedAt,"));
        assert!(check_order(TrackerType::Enrollment, &parse_order("BuZ5LGNfGEU")).is_err());
    }

    #[test]
    fn missing_values_sort_last_ascending_first_descending() {
        let item = |n: Option<i32>, uid: &str| Sortable {
            keys: vec![n.map_or(SortKey::Missing, |n| SortKey::Text(n.to_string()))],
            created: None,
            uid: uid.to_owned(),
            item: (),
        };
        let mut v = vec![item(Some(2), "b"), item(None, "a"), item(Some(10), "c")];
        let by = |direction| {
            [Order {
                field: "f".into(),
                direction,
            }]
        };
        sort_by_order(&mut v, &by(Direction::Asc));
        assert_eq!(v.iter().map(|x| x.uid.as_str()).collect::<String>(), "bca");
        sort_by_order(&mut v, &by(Direction::Desc));
        assert_eq!(v.iter().map(|x| x.uid.as_str()).collect::<String>(), "acb");
        // No order: newest first, then UID descending.
        sort_by_order(&mut v, &[]);
        assert_eq!(v.iter().map(|x| x.uid.as_str()).collect::<String>(), "cba");
    }
}
