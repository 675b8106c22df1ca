//! The export parameters that are more than a value: paging (`page`, `pageSize`,
//! `totalPages`, `paging`), `updatedWithin` and `assignedUserMode`/`assignedUsers`, each
//! checked with DHIS2's rules and messages (2.42's `RequestParamsValidator`,
//! `AssignedUserQueryParam` and the request mappers).

use crate::import::{ParamEnum, ParamError};
use crate::json::Pager;

/// DHIS2's default `pageSize`.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// `page`, `pageSize`, `totalPages` and `paging` of a collection export.
///
/// DHIS2's default is a paged answer: page 1 of 50 objects, `{"pager":{"page":1,
/// "pageSize":50},"events":[…]}`; `paging=false` gives every object, `{"events":[…]}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// `paging` (default `true`).
    pub paging: bool,
    /// `page` (1-based; default 1).
    pub page: Option<u32>,
    /// `pageSize` (default 50).
    pub page_size: Option<u32>,
    /// `totalPages`: the pager also carries `total` and `pageCount`.
    pub total_pages: bool,
}

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            paging: true,
            page: None,
            page_size: None,
            total_pages: false,
        }
    }
}

impl Paging {
    /// Every object, no pager (`paging=false`): what the Import/Export app asks for.
    pub fn unpaged() -> Paging {
        Paging {
            paging: false,
            ..Paging::default()
        }
    }

    /// DHIS2's checks (`validatePaginationParameters`), with its messages.
    pub fn check(&self) -> Result<(), ParamError> {
        let bad = |m: &str| {
            Err(ParamError {
                message: m.to_owned(),
            })
        };
        if !self.paging && (self.page.is_some() || self.page_size.is_some() || self.total_pages) {
            return bad(
                "Paging cannot be disabled with paging=false while also requesting a paginated \
                 response with page, pageSize and/or totalPages=true",
            );
        }
        if self.page == Some(0) {
            return bad("page must be greater than or equal to 1 if specified");
        }
        if self.page_size == Some(0) {
            return bad("pageSize must be greater than or equal to 1 if specified");
        }
        Ok(())
    }

    /// The page of `total` objects: the range to keep and the pager to write (`None` with
    /// `paging=false`).
    pub fn page_of(&self, total: usize) -> (std::ops::Range<usize>, Option<Pager>) {
        if !self.paging {
            return (0..total, None);
        }
        let page = self.page.unwrap_or(1).max(1);
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        let start = (page as usize - 1).saturating_mul(size as usize).min(total);
        let end = start.saturating_add(size as usize).min(total);
        let (total_field, page_count) = if self.total_pages {
            let count = total.div_ceil(size as usize);
            (Some(total as u64), Some(count as u32))
        } else {
            (None, None)
        };
        let pager = Pager {
            page,
            page_size: size,
            total: total_field,
            page_count,
            prev_page: None,
            next_page: None,
        };
        (start..end, Some(pager))
    }
}

/// Parses `updatedWithin` as DHIS2's `DateUtils.getDuration` does: `<n>d`, `<n>h`, `<n>m` or
/// `<n>s` (not ISO-8601); `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let unit = text.chars().last()?;
    let digits = text.get(..text.len().checked_sub(1)?)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    match unit {
        'd' => chrono::Duration::try_days(n),
        'h' => chrono::Duration::try_hours(n),
        'm' => chrono::Duration::try_minutes(n),
        's' => chrono::Duration::try_seconds(n),
        _ => None,
    }
}

/// `assignedUserMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignedUserMode {
    /// `CURRENT`: assigned to the acting user.
    Current,
    /// `PROVIDED`: assigned to one of `assignedUsers`.
    Provided,
    /// `NONE`: assigned to nobody.
    None,
    /// `ANY`: assigned to somebody.
    Any,
    /// `ALL`: no condition (the default).
    All,
}

impl ParamEnum for AssignedUserMode {
    const PARAMETER: &'static str = "assignedUserMode";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("CURRENT", AssignedUserMode::Current),
        ("PROVIDED", AssignedUserMode::Provided),
        ("NONE", AssignedUserMode::None),
        ("ANY", AssignedUserMode::Any),
        ("ALL", AssignedUserMode::All),
    ];

    fn param_name(self) -> &'static str {
        Self::VALUES
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("ALL")
    }
}

/// DHIS2's `AssignedUserQueryParam`: the effective mode (`PROVIDED` when users are given
/// without a mode), with its messages for the invalid combinations.
pub fn assigned_user_mode(
    mode: Option<AssignedUserMode>,
    users: &[String],
) -> Result<AssignedUserMode, ParamError> {
    let bad = |m: &str| {
        Err(ParamError {
            message: m.to_owned(),
        })
    };
    if mode == Some(AssignedUserMode::Provided) && users.is_empty() {
        return bad("Assigned User uid(s) must be specified if selectionMode is PROVIDED");
    }
    if mode.is_some_and(|m| m != AssignedUserMode::Provided) && !users.is_empty() {
        return bad("Assigned User uid(s) cannot be specified if selectionMode is not PROVIDED");
    }
    Ok(match mode {
        Some(m) => m,
        None if !users.is_empty() => AssignedUserMode::Provided,
        None => AssignedUserMode::All,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_rules_and_pages() {
        let mut p = Paging::unpaged();
        p.page = Some(2);
        assert!(p
            .check()
            .unwrap_err()
            .message
            .starts_with("Paging cannot be disabled"));
        let p = Paging {
            page_size: Some(0),
            ..Paging::default()
        };
        assert_eq!(
            p.check().unwrap_err().message,
            "pageSize must be greater than or equal to 1 if specified"
        );
        let (range, pager) = Paging::default().page_of(120);
        assert_eq!(range, 0..50);
        let pager = pager.unwrap();
        assert_eq!((pager.page, pager.page_size, pager.total), (1, 50, None));
        let p = Paging {
            page: Some(3),
            total_pages: true,
            ..Paging::default()
        };
        let (range, pager) = p.page_of(120);
        assert_eq!(range, 100..120);
        let pager = pager.unwrap();
        assert_eq!((pager.total, pager.page_count), (Some(120), Some(3)));
        assert_eq!(Paging::default().page_of(0).0, 0..0);
        assert_eq!(Paging::unpaged().page_of(7), (0..7, None));
    }

    #[test]
    fn durations_as_dhis2_reads_them() {
        assert_eq!(parse_duration("10m"), chrono::Duration::try_minutes(10));
        assert_eq!(parse_duration("2h"), chrono::Duration::try_hours(2));
        assert_eq!(parse_duration("1d"), chrono::Duration::try_days(1));
        assert_eq!(parse_duration("30s"), chrono::Duration::try_seconds(30));
        for bad in ["", "d", "1w", "PT1H", "-1d", "1.5h", "1 d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn assigned_user_rules() {
        let u = vec!["M5zQapPyTZI".to_owned()];
        assert_eq!(
            assigned_user_mode(None, &u).unwrap(),
            AssignedUserMode::Provided
        );
        assert_eq!(
            assigned_user_mode(None, &[]).unwrap(),
            AssignedUserMode::All
        );
        assert_eq!(
            assigned_user_mode(Some(AssignedUserMode::Provided), &[])
                .unwrap_err()
                .message,
            "Assigned User uid(s) must be specified if selectionMode is PROVIDED"
        );
        assert_eq!(
            assigned_user_mode(Some(AssignedUserMode::Any), &u)
                .unwrap_err()
                .message,
            "Assigned User uid(s) cannot be specified if selectionMode is not PROVIDED"
        );
    }
}
