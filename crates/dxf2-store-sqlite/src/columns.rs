//! Reading typed columns of a result row: text (NULL or not), integers and reused strings, each
//! failing with [`StoreError::Incompatible`] naming the table and column when the stored value
//! has another type; and wrapping SQLite's errors with what the store was doing.

use dxf2_store::StoreError;
use rusqlite::types::ValueRef;
use rusqlite::{ErrorCode, Row};

/// A database error, with what was being done.
pub(crate) fn db(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::backend(doing, e)
}

/// The text in column `idx` of `row` (`None` for NULL).
pub(crate) fn opt_text<'r>(
    row: &'r Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<Option<&'r str>, StoreError> {
    let bad = |what: &str| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` holds {what}, expected text"
        ))
    };
    match row.get_ref(idx).map_err(db("reading a row"))? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| bad("invalid UTF-8")),
        ValueRef::Integer(_) | ValueRef::Real(_) => Err(bad("a number")),
        ValueRef::Blob(_) => Err(bad("a blob")),
    }
}

/// The text in column `idx` of `row`, which must not be NULL.
pub(crate) fn text<'r>(
    row: &'r Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<&'r str, StoreError> {
    opt_text(row, idx, table, column)?.ok_or_else(|| {
        StoreError::Incompatible(format!("{table}: column `{column}` is NULL, expected text"))
    })
}

/// The integer in column `idx` of `row` (`None` for NULL).
pub(crate) fn opt_integer(
    row: &Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<Option<i64>, StoreError> {
    match row.get_ref(idx).map_err(db("reading a row"))? {
        ValueRef::Integer(i) => Ok(Some(i)),
        ValueRef::Null => Ok(None),
        _ => Err(StoreError::Incompatible(format!(
            "{table}: column `{column}` does not hold an integer"
        ))),
    }
}

/// The integer in column `idx` of `row`.
pub(crate) fn integer(
    row: &Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
) -> Result<i64, StoreError> {
    opt_integer(row, idx, table, column)?.ok_or_else(|| {
        StoreError::Incompatible(format!(
            "{table}: column `{column}` is NULL, expected an integer"
        ))
    })
}

/// Copies the text of column `idx` of a `table` row into `out`, reusing its buffer.
pub(crate) fn read_opt_string(
    row: &Row<'_>,
    idx: usize,
    table: &str,
    column: &str,
    out: &mut Option<String>,
) -> Result<(), StoreError> {
    match opt_text(row, idx, table, column)? {
        None => *out = None,
        Some(s) => match out {
            Some(buf) => {
                buf.clear();
                buf.push_str(s);
            }
            None => *out = Some(s.to_owned()),
        },
    }
    Ok(())
}

/// Whether `e` says the file is not a database.
pub(crate) fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

/// Whether `e` says another connection holds a lock this one waited for in vain.
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Whether `e` is the violation of a primary key or unique constraint.
pub(crate) fn is_duplicate_key(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY | rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        ),
        _ => false,
    }
}
