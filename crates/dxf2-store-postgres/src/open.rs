//! Opening a store: the URL and [`OpenOptions`], the connection's session settings, the schema
//! check (or creation), and what can be asked of an open store (location, counts, a summary).

use std::time::Duration;

use dxf2_model::{Period, PeriodType};
use dxf2_store::StoreError;
use postgres::config::Host;
use postgres::{Client, Config, NoTls};

use crate::columns::{backend, get, pg};
use crate::dims::Dims;
use crate::schema::{create_schema, drop_store_schema, read_schema, upgrade_schema, SchemaState};
use crate::values::Buffers;
use crate::PostgresStore;

/// How long a writer waits for another writer before [`begin`](dxf2_store::DataValueStore::begin)
/// fails with [`StoreError::Busy`], unless told otherwise ([`OpenOptions::lock_timeout`]).
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting may take when the URL does not say (`connect_timeout`).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema a store lives in unless told otherwise.
pub const DEFAULT_SCHEMA: &str = "dxf2";

/// How to open a store ([`PostgresStore::open_with`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// The schema holding the store's tables. Default: `dxf2`. 1 to 63 lowercase ASCII letters,
    /// digits and underscores, not starting with a digit.
    pub schema: String,
    /// Create the store (the schema and its tables) when the schema does not exist or is empty.
    /// Default: false (a database without a store is refused).
    pub create: bool,
    /// Open read-only: nothing is ever written (the session is read-only on the server too).
    /// Default: false.
    pub read_only: bool,
    /// How long [`begin`](dxf2_store::DataValueStore::begin) waits for another writer. Default:
    /// [`DEFAULT_LOCK_TIMEOUT`].
    pub lock_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            schema: DEFAULT_SCHEMA.to_owned(),
            create: false,
            read_only: false,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }
}

impl OpenOptions {
    /// Read-write options on the schema `dxf2`, not creating it, with the default lock timeout.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// The same options on another schema.
    pub fn schema(mut self, schema: &str) -> OpenOptions {
        self.schema = schema.to_owned();
        self
    }

    /// The same options, creating the store when it is missing or not.
    pub fn create(mut self, create: bool) -> OpenOptions {
        self.create = create;
        self
    }

    /// The same options, read-only or not.
    pub fn read_only(mut self, read_only: bool) -> OpenOptions {
        self.read_only = read_only;
        self
    }

    /// The same options with another lock timeout.
    pub fn lock_timeout(mut self, timeout: Duration) -> OpenOptions {
        self.lock_timeout = timeout;
        self
    }
}

/// What a store holds, counted by the server ([`PostgresStore::summary`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreSummary {
    /// Data value rows, soft-deleted ones included.
    pub values: u64,
    /// Soft-deleted data value rows.
    pub deleted: u64,
    /// Rows whose data element is not among the stored metadata's data elements.
    pub values_of_unknown_data_elements: u64,
    /// Rows per period (soft-deleted included), by period start date, then period type name.
    pub periods: Vec<(Period, u64)>,
}

impl PostgresStore {
    /// Opens the existing store at `url` (a libpq URL, `postgres://user@host:port/db`) in the
    /// schema `dxf2`, for reading and writing. Fails with [`StoreError::Incompatible`] when the
    /// database holds no store there (saying how to create one) or a store of another schema
    /// version, and with [`StoreError::Backend`] when the server cannot be reached.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with(url, &OpenOptions::new())
    }

    /// Opens the store at `url`, creating it (the schema `dxf2` and its tables) when there is
    /// none: what `dxf2 metadata import` does.
    pub fn open_or_create(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with(url, &OpenOptions::new().create(true))
    }

    /// Opens the existing store at `url` read-only: for exports and other reads. It never takes
    /// the writer lock, reads committed data while another connection imports, and refuses
    /// writes with [`StoreError::Misuse`].
    pub fn open_read_only(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with(url, &OpenOptions::new().read_only(true))
    }

    /// Opens the store at `url` with `options`.
    pub fn open_with(url: &str, options: &OpenOptions) -> Result<PostgresStore, StoreError> {
        let schema = checked_schema_name(&options.schema)?;
        let (mut client, location) = connect(url, &schema)?;
        let mut session = format!("SET search_path TO \"{schema}\"");
        if options.read_only {
            session.push_str("; SET default_transaction_read_only = on");
        }
        client
            .batch_execute(&session)
            .map_err(|e| backend(&format!("setting up the session on {location}"), e))?;
        match read_schema(&mut client, &schema, &location)? {
            SchemaState::Store => {}
            SchemaState::Version1 if !options.read_only => {
                upgrade_schema(&mut client, &location)?;
            }
            SchemaState::Version1 => {
                return Err(StoreError::Incompatible(format!(
                    "{location} is a store of schema version 1, which this version of dxf2 \
                     upgrades to version {} when it opens the store for writing: open it once \
                     read-write (any `dxf2 import` or `dxf2 metadata import` into it does), then \
                     read it",
                    crate::schema::SCHEMA_VERSION
                )))
            }
            SchemaState::Missing if options.create && !options.read_only => {
                create_schema(&mut client, &schema, &location)?;
            }
            SchemaState::Missing => {
                return Err(StoreError::Incompatible(format!(
                    "{location} holds no dxf2 store (no tables in schema `{schema}`)"
                )))
            }
        }
        Ok(PostgresStore {
            client,
            location,
            schema,
            read_only: options.read_only,
            lock_timeout: options.lock_timeout,
            txn: None,
            dims: Dims::default(),
            buffers: Buffers::default(),
        })
    }

    /// Removes the store in `schema` of the database at `url` (`DROP SCHEMA … CASCADE`): for
    /// tests and benches that make a schema each. Refuses a schema holding anything but a dxf2
    /// store; a missing schema is no error.
    pub fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        let schema = checked_schema_name(schema)?;
        let (mut client, location) = connect(url, &schema)?;
        drop_store_schema(&mut client, &schema, &location)
    }

    /// Changes how long [`begin`](dxf2_store::DataValueStore::begin) waits for another writer.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// Whether the store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where the store lives, for messages: the URL without its password, and the schema
    /// (`postgres://dhis@db.example:5432/dhis2, schema dxf2`).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The schema holding the store.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Number of stored value rows, soft-deleted ones included.
    pub fn value_count(&mut self) -> Result<u64, StoreError> {
        let row = self
            .client
            .query_one("SELECT count(*) FROM datavalue", &[])
            .map_err(pg("counting values"))?;
        let n: i64 = get(&row, 0, "datavalue", "count")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// What the store holds, counted by the server in one pass (for `dxf2 store info`).
    pub fn summary(&mut self) -> Result<StoreSummary, StoreError> {
        const TABLE: &str = "datavalue";
        let rows = self
            .client
            .query(
                "SELECT p.periodtype, p.startdate, count(*), count(*) FILTER (WHERE d.deleted), \
                 count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM metadata_object m \
                   WHERE m.kind = 'dataElements' AND m.uid = de.uid)) \
                 FROM datavalue d JOIN period p ON p.id = d.periodid \
                 JOIN dataelement de ON de.id = d.dataelementid \
                 GROUP BY p.periodtype, p.startdate ORDER BY p.startdate, p.periodtype",
                &[],
            )
            .map_err(pg("summarising the store"))?;
        let mut summary = StoreSummary::default();
        for row in &rows {
            let type_name: &str = get(row, 0, "period", "periodtype")?;
            let start: chrono::NaiveDate = get(row, 1, "period", "startdate")?;
            let count = |idx: usize| -> Result<u64, StoreError> {
                let n: i64 = get(row, idx, TABLE, "count")?;
                Ok(u64::try_from(n).unwrap_or_default())
            };
            let (values, deleted, unknown) = (count(2)?, count(3)?, count(4)?);
            summary.values += values;
            summary.deleted += deleted;
            summary.values_of_unknown_data_elements += unknown;
            summary.periods.push((period_of(type_name, start)?, values));
        }
        Ok(summary)
    }
}

/// The period of a `period` row.
pub(crate) fn period_of(type_name: &str, start: chrono::NaiveDate) -> Result<Period, StoreError> {
    PeriodType::from_name(type_name)
        .ok()
        .and_then(|t| Period::from_start(t, start))
        .ok_or_else(|| {
            StoreError::Incompatible(format!("period: no {type_name} period starts on {start}"))
        })
}

/// `schema` when it is a plain lowercase identifier (it is written into SQL, quoted).
fn checked_schema_name(schema: &str) -> Result<String, StoreError> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(schema.to_owned())
    } else {
        Err(StoreError::Misuse(
            "a store's schema name is 1 to 63 lowercase ASCII letters, digits and underscores, \
             not starting with a digit",
        ))
    }
}

/// Connects to the server at `url`; returns the client and the store's location for messages.
fn connect(url: &str, schema: &str) -> Result<(Client, String), StoreError> {
    let mut config: Config = url.parse().map_err(|e| {
        StoreError::backend(
            format!("cannot read the PostgreSQL URL `{}`", redact(url)),
            e,
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("dxf2");
    }
    let location = format!("{}, schema {schema}", shown_url(&config));
    let client = config
        .connect(NoTls)
        .map_err(|e| crate::columns::backend(&format!("cannot connect to {location}"), e))?;
    Ok((client, location))
}

/// The URL of `config` without its password: `postgres://user@host:port/db`.
fn shown_url(config: &Config) -> String {
    let user = config.get_user().unwrap_or_default();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() { "" } else { "@" };
    format!("postgres://{user}{at}{host}:{port}/{db}")
}

/// `url` as it may be shown: a password between `://user:` and `@` replaced by `***` (what every
/// message of this crate does, and what a program showing the URL should do).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://dhis:secret@db:5432/dhis2"),
            "postgres://dhis:***@db:5432/dhis2"
        );
        assert_eq!(redact("postgresql://dhis@db/x"), "postgresql://dhis@db/x");
        let config: Config = "postgresql://dhis:secret@db.example:6432/dhis2"
            .parse()
            .unwrap();
        assert_eq!(shown_url(&config), "postgres://dhis@db.example:6432/dhis2");
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(checked_schema_name("dxf2").is_ok());
        assert!(checked_schema_name("_t_12").is_ok());
        for bad in ["", "2x", "Dxf2", "a-b", "a\"b", &"a".repeat(64)] {
            assert!(checked_schema_name(bad).is_err(), "{bad}");
        }
    }
}
