//! Reading typed columns of result rows (a column of an unexpected type is
//! [`StoreError::Incompatible`], naming it), and wrapping the client's errors with what the store
//! was doing ([`StoreError::Backend`]; [`StoreError::Busy`] for a lock wait that timed out).

use chrono::{DateTime, NaiveDateTime, Utc};
use dxf2_store::StoreError;
use postgres::error::SqlState;
use postgres::types::FromSql;
use postgres::{Row, SimpleQueryMessage};

/// A client error, with what was being done.
pub(crate) fn pg(doing: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |e| backend(doing, e)
}

/// A client error, with what was being done (a lost connection says so first).
pub(crate) fn backend(doing: &str, e: postgres::Error) -> StoreError {
    if connection_lost(&e) {
        StoreError::backend(
            format!("{doing}: the connection to the server was lost"),
            ServerError::new(e),
        )
    } else {
        StoreError::backend(doing.to_owned(), ServerError::new(e))
    }
}

/// A client error shown by what the server said (`postgres::Error` alone prints only "db
/// error"): the server's message, detail and hint; the client's error stays its source.
#[derive(Debug)]
pub(crate) struct ServerError {
    text: String,
    source: postgres::Error,
}

impl ServerError {
    fn new(source: postgres::Error) -> ServerError {
        let text = match source.as_db_error() {
            Some(db) => {
                let mut text = db.message().to_owned();
                if let Some(detail) = db.detail() {
                    text.push_str(&format!(" ({detail})"));
                }
                if let Some(hint) = db.hint() {
                    text.push_str(&format!("; hint: {hint}"));
                }
                text
            }
            // "error connecting to server" and the like: add the cause (connection refused, …).
            None => match std::error::Error::source(&source) {
                Some(cause) => format!("{source}: {cause}"),
                None => source.to_string(),
            },
        };
        ServerError { text, source }
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Whether `e` says the connection is gone: closed, terminated by the server (an administrator's
/// `pg_terminate_backend`, a shutdown) or a connection exception (SQLSTATE class 08).
fn connection_lost(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.code().is_some_and(|code| {
            *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || code.code().starts_with("08")
        })
}

/// Whether `e` is a lock wait that ran out of time (`lock_timeout`).
pub(crate) fn is_lock_timeout(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE)
}

/// Column `idx` of `row` (`table.column` names it in the error).
pub(crate) fn get<'r, T: FromSql<'r>>(
    row: &'r Row,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<T, StoreError> {
    row.try_get(idx).map_err(|e| {
        StoreError::Incompatible(format!("{table}: column `{column}` cannot be read: {e}"))
    })
}

/// Copies the text `from` into `to`, reusing `to`'s buffer.
pub(crate) fn set_text(to: &mut Option<String>, from: Option<&str>) {
    match (to.as_mut(), from) {
        (Some(buffer), Some(text)) => {
            buffer.clear();
            buffer.push_str(text);
        }
        (None, Some(text)) => *to = Some(text.to_owned()),
        (_, None) => *to = None,
    }
}

/// `t` to the millisecond, as the store keeps it (a `timestamp(3)` in UTC).
pub(crate) fn millis(t: &DateTime<Utc>) -> NaiveDateTime {
    DateTime::from_timestamp_millis(t.timestamp_millis())
        .unwrap_or(*t)
        .naive_utc()
}

/// A stored timestamp.
pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The row counts of the statements of a simple query, in order.
pub(crate) fn counts(messages: &[SimpleQueryMessage]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// The first column of the first row of a simple query, if any.
pub(crate) fn first_value(messages: &[SimpleQueryMessage], column: usize) -> Option<&str> {
    messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(column),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_keep_milliseconds() {
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
            + chrono::TimeDelta::nanoseconds(123_456_789);
        assert_eq!(
            utc(millis(&t)),
            Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
                + chrono::TimeDelta::milliseconds(123)
        );
        let before_1970 = Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap()
            + chrono::TimeDelta::nanoseconds(1_500_000);
        assert_eq!(
            utc(millis(&before_1970)),
            Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::milliseconds(1)
        );
    }

    #[test]
    fn text_is_copied_into_the_buffer() {
        let mut to = Some(String::with_capacity(64));
        set_text(&mut to, Some("abc"));
        assert_eq!(to.as_deref(), Some("abc"));
        set_text(&mut to, None);
        assert_eq!(to, None);
        set_text(&mut to, Some(""));
        assert_eq!(to.as_deref(), Some(""));
    }
}
