//! A tutorial: reading, writing, converting and importing DHIS2 data value sets with `dxf2`.
//!
//! This module holds no code, only this text. Every example in it runs as a test.
//!
//! # Contents
//!
//! 1. [Setup](#setup), and the few DHIS2 words you need
//! 2. [Reading](#reading) a data value set, value by value
//! 3. [Files of any format](#files-of-any-format), compressed or not
//! 4. [Writing](#writing)
//! 5. [Converting](#converting), without ever destroying a file
//! 6. [Importing](#importing), exactly as a DHIS2 server does
//! 7. [Stores](#stores): memory, SQLite, or your own
//! 8. [Id schemes](#id-schemes): UIDs, codes, names, your own table
//! 9. [Errors](#errors)
//! 10. [Bounds](#bounds): reading files you do not trust
//!
//! The programs in the crate's `examples/` folder show each step as a whole program; run them
//! with `cargo run --example NAME`: `stream_any_format`, `convert`, `custom_store`,
//! `custom_resolver`, `import_sqlite`, `read_summary`.
//!
//! # Setup
//!
//! Add the facade crate to your `Cargo.toml`; it re-exports every crate of the workspace, so one
//! dependency is enough:
//!
//! ```toml
//! [dependencies]
//! dxf2 = { path = "../dxf2" } # the root of this workspace (or its git repository)
//! ```
//!
//! [DHIS2](https://dhis2.org) is the health information system of many ministries of health.
//! Facilities report *aggregate data*: how many malaria cases were confirmed in September at
//! this health centre, split by sex. One reported number is a **data value**, and it says:
//!
//! | field | meaning | example |
//! |---|---|---|
//! | data element | what was counted | `MAL_CONF`, "Malaria confirmed cases" |
//! | period | when; DHIS2's ISO form | `202409` (a month), `2024W36` (a week), `2024` |
//! | org unit | where: an *organisation unit* of the hierarchy (country, district, facility) | `KA_HC1` |
//! | category option combo | the disaggregation | `F` (female) |
//! | attribute option combo | a second dimension (often the funding partner); usually the default | |
//! | value | the number or text; its *value type* (integer, boolean, …) says what is valid | `14` |
//!
//! A **data value set** is a list of data values, with an optional header (data set, period, org
//! unit shared by all values). DHIS2 exchanges it as XML, JSON or CSV (together called DXF2).
//! Every object is named by an 11-character **UID** (`KaHealthC01`), and payloads may use codes,
//! names or attribute values instead (the *id schemes*). The **metadata** (org units, data
//! elements, category combos, data sets, users) says what may be reported; an import checks every
//! value against it.
//!
//! The modules:
//!
//! | module | what you find there |
//! |---|---|
//! | [`crate::model`] | the vocabulary: [`DataValue`](crate::model::DataValue), [`Uid`](crate::model::Uid), [`Period`](crate::model::Period), [`ImportOptions`](crate::model::ImportOptions), [`ImportSummary`](crate::model::ImportSummary), [`Metadata`](crate::model::Metadata), the streaming traits |
//! | [`crate::xml`], [`crate::json`], [`crate::csv`] | one streaming reader and writer per format, plus import summaries (XML, JSON) and metadata (JSON) |
//! | [`crate::io`] | files of any format: detection, gzip/zip, [`AnyReader`](crate::io::AnyReader), [`AnyWriter`](crate::io::AnyWriter), [`copy`](crate::io::copy), safe [`Output`](crate::io::Output)s |
//! | [`crate::resolver`] | identifiers → UIDs under an id scheme |
//! | [`crate::engine`] | the import (and export) with DHIS2's rules; [`MemoryStore`](crate::engine::MemoryStore) |
//! | [`crate::sqlite`] | [`SqliteStore`](crate::sqlite::SqliteStore), a persistent store in one file |
//!
//! # Reading
//!
//! Every reader is a [`DataValueSource`](crate::model::DataValueSource): once open it knows the
//! set's header, and [`read_value`](crate::model::DataValueSource::read_value) fills *your*
//! [`DataValue`](crate::model::DataValue), clearing it first. Reuse one record for the whole
//! file: reading then allocates nothing per value, and memory stays the same whatever the size
//! of the file. Identifiers are kept exactly as written; nothing is validated while reading (the
//! import does that).
//!
//! ```
//! use dxf2::model::{DataValue, DataValueSource};
//!
//! let xml = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="202409" orgUnit="KA_HC1">
//!   <dataValue dataElement="MAL_CONF" categoryOptionCombo="F" value="14"/>
//!   <dataValue dataElement="MAL_CONF" categoryOptionCombo="M" value="11"/>
//! </dataValueSet>"#;
//! let mut reader = dxf2::xml::Reader::new(xml.as_bytes())?;
//! assert_eq!(reader.header().period.as_deref(), Some("202409"));
//!
//! let mut value = DataValue::new(); // one record, reused
//! let mut total = 0;
//! while reader.read_value(&mut value)? {
//!     assert_eq!(value.data_element(), Some("MAL_CONF"));
//!     total += value.value().unwrap_or("0").parse::<u32>()?;
//! }
//! assert_eq!(total, 25);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The JSON reader ([`crate::json::Reader`]) and the CSV reader ([`crate::csv::Reader`]) work the
//! same way. CSV has no header: each row carries its own period and org unit. Its first row is
//! skipped as a header unless told otherwise (DHIS2's `firstRowIsHeader`):
//!
//! ```
//! use dxf2::model::{DataValue, DataValueSource};
//!
//! let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
//!            MAL_RDT,202409,KA_HC1,,,61\n";
//! let mut reader = dxf2::csv::Reader::from_reader(csv.as_bytes())?;
//! let mut value = DataValue::new();
//! assert!(reader.read_value(&mut value)?);
//! assert_eq!((value.org_unit(), value.value()), (Some("KA_HC1"), Some("61")));
//! assert!(!reader.read_value(&mut value)?); // the end
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A program that chooses its reader at run time makes it a trait object:
//! [`boxed`](crate::model::DataValueSource::boxed) turns any source into a
//! `Box<dyn DataValueSource<Error = BoxError>>`, which is a source too. A source also says where
//! the value it just read starts in the text
//! ([`value_position`](crate::model::DataValueSource::value_position)), and
//! [`values`](crate::model::DataValueSource::values) iterates owned values when an allocation per
//! value does not matter:
//!
//! ```
//! use dxf2::model::{BoxError, DataValue, DataValueSource};
//!
//! fn open(text: &'static str) -> Result<Box<dyn DataValueSource<Error = BoxError>>, BoxError> {
//!     Ok(if text.starts_with('<') {
//!         dxf2::xml::Reader::new(text.as_bytes())?.boxed()
//!     } else {
//!         dxf2::csv::Reader::from_reader(text.as_bytes())?.boxed()
//!     })
//! }
//!
//! let mut source = open("dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
//!                        MAL_RDT,202409,KA_HC1,,,61\n\
//!                        MAL_RDT,202409,KA_HC2,,,40\n")?;
//! let mut value = DataValue::new();
//! assert!(source.read_value(&mut value)?);
//! assert!(source.read_value(&mut value)?);
//! assert_eq!(source.value_position().map(|p| p.line), Some(3)); // the second value's line
//! let rest: Vec<DataValue> = source.values().collect::<Result<_, _>>()?;
//! assert!(rest.is_empty());
//! # Ok::<(), BoxError>(())
//! ```
//!
//! DHIS2 2.43 reads some documents differently from 2.36–2.42 (CSV columns by header name, for
//! one). Each reader has a `with_profile` constructor or builder option taking an
//! [`ImporterProfile`](crate::model::ImporterProfile); the default is the classic generation.
//!
//! # Files of any format
//!
//! A program that is handed a file does not know its format. [`Input`](crate::io::Input) opens
//! a path (or any `Read`) and recognises gzip and zip by their first bytes, as DHIS2 does, and
//! decompresses them (a zip's first file entry is read, its CRC checked);
//! [`Format::detect`](crate::io::Format::detect) takes the format you were told, else the one the
//! name says, else the one the content shows; [`AnyReader`](crate::io::AnyReader) is a reader of
//! any of the three formats:
//!
//! ```
//! use dxf2::io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
//! use dxf2::model::{DataValue, DataValueSource};
//! use std::path::Path;
//!
//! let json = r#"{"dataValues": [{"dataElement": "MAL_RDT", "period": "202409",
//!                                 "orgUnit": "KA_HC1", "value": "61"}]}"#;
//! // From memory here; `Input::open(path, &limits)` opens a file.
//! let mut input = Input::from_reader("upload", json.as_bytes(), &DecompressionLimits::default())?;
//! // The name says nothing: the content does.
//! let format = Format::detect(None, Path::new("upload"), input.head()?);
//! assert_eq!(format, Format::Json);
//!
//! let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;
//! let mut value = DataValue::new();
//! assert!(reader.read_value(&mut value)?);
//! assert_eq!(value.value(), Some("61"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ReaderOptions`](crate::io::ReaderOptions) carries the importer generation, the CSV options
//! and the reading [bounds](#bounds).
//!
//! # Writing
//!
//! Every writer is a [`DataValueSink`](crate::model::DataValueSink):
//! [`begin`](crate::model::DataValueSink::begin) with the header, one
//! [`write_value`](crate::model::DataValueSink::write_value) per value,
//! [`finish`](crate::model::DataValueSink::finish). The writers produce DHIS2's own export
//! documents (its attribute order, its CSV header line), deterministically.
//!
//! ```
//! use dxf2::io::{AnyWriter, Format};
//! use dxf2::model::{DataValue, DataValueSetHeader, DataValueSink, Field};
//!
//! let mut writer = AnyWriter::new(Format::Csv, Vec::new()); // any `Write`
//! writer.begin(&DataValueSetHeader::default())?;
//! let mut value = DataValue::new();
//! for (sex, count) in [("F", "14"), ("M", "11")] {
//!     value.clear();
//!     value.set(Field::DataElement, "MAL_CONF");
//!     value.set(Field::Period, "202409");
//!     value.set(Field::OrgUnit, "KA_HC1");
//!     value.set(Field::CategoryOptionCombo, sex);
//!     value.set(Field::Value, count);
//!     writer.write_value(&value)?;
//! }
//! writer.finish()?;
//! let csv = String::from_utf8(writer.into_inner()?)?;
//! let mut lines = csv.lines();
//! assert_eq!(lines.next(), Some("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted"));
//! assert!(lines.next().unwrap_or_default().starts_with("MAL_CONF,202409,KA_HC1,F,,14,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Converting
//!
//! Conversion is reading into writing, value by value, with no model in between:
//! [`copy`](crate::io::copy) takes any source and any sink, so a file of millions of values
//! converts in constant memory. Write files through an [`Output`](crate::io::Output): it writes
//! to a temporary file beside the target and renames it over the target only on
//! [`commit`](crate::io::Output::commit), so a conversion that fails half way leaves whatever was
//! there before untouched; it compresses (gzip, or zip with one entry, as DHIS2 names it), and
//! [`protect`](crate::io::OutputBuilder::protect) refuses an output that is the same file as an
//! input, also through a link, before anything is written.
//!
//! ```
//! use dxf2::io::{copy, AnyReader, AnyWriter, Compression, DecompressionLimits, Format, Input,
//!     OutputBuilder, ReaderOptions};
//!
//! # let dir = std::env::temp_dir().join(format!("dxf2-tutorial-convert-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let from = dir.join("report.xml");
//! std::fs::write(&from, r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">
//!   <dataValue dataElement="MAL_RDT" period="202409" orgUnit="KA_HC1" value="61"/>
//! </dataValueSet>"#)?;
//! let to = dir.join("report.csv.gz");
//!
//! let mut input = Input::open(&from, &DecompressionLimits::default())?;
//! let format = Format::detect(None, &from, input.head()?);
//! let mut reader = AnyReader::open(input, format, &ReaderOptions::default())?;
//! let output = OutputBuilder::new()
//!     .compression(Compression::from_path(&to)) // gzip: the name ends in `.gz`
//!     .protect(&from)
//!     .create(&to)?;
//! let mut writer = AnyWriter::new(Format::from_path(&to).unwrap_or(Format::Csv), output);
//! let copied = copy(&mut reader, &mut writer)?;
//! writer.into_inner()?.commit()?; // only now does `to` appear
//! assert_eq!(copied.values, 1);
//!
//! // Reading it back: `Input` sees the gzip magic bytes and decompresses.
//! let mut input = Input::open(&to, &DecompressionLimits::default())?;
//! assert_eq!(Format::detect(None, &to, input.head()?), Format::Csv);
//!
//! // Writing over the input is refused before anything is written.
//! assert!(OutputBuilder::new().protect(&from).create(&from).is_err());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Importing
//!
//! An import takes a source, the metadata, the acting user, [`ImportOptions`](crate::model::ImportOptions)
//! (DHIS2's request parameters: strategy, dry run, id schemes, strictness), a
//! [resolver](#id-schemes) and a [store](#stores). It resolves each value's identifiers,
//! validates the value in DHIS2's order with DHIS2's error codes, decides what the strategy
//! does with it (create, update, delete, ignore), writes it, and answers with DHIS2's
//! [`ImportSummary`](crate::model::ImportSummary): a status, counts, and one grouped
//! [conflict](crate::model::ImportConflict) per problem, listing the (0-based) indexes of the
//! values it hit. A value with a conflict is ignored; the others are imported. Beside the
//! summary, [`ImportOutcome::value_notes`](crate::engine::ImportOutcome::value_notes) says, for
//! each value the summary names, where it is in the source (line, column) and which of its
//! strings was wrong.
//!
//! The metadata usually comes from a DHIS2 metadata export (`GET /api/metadata`, JSON), read by
//! [`crate::json::metadata::read_metadata`], which also adds DHIS2's default category combo
//! and option combo and computes the org unit hierarchy:
//!
//! ```
//! use dxf2::engine::{Importer, MemoryStore, Superuser};
//! use dxf2::model::{ImportOptions, ImportStatus};
//! use dxf2::resolver::MetadataResolver;
//!
//! let metadata = dxf2::json::metadata::read_metadata(r#"{
//!   "organisationUnits": [{"id": "KaHealthC01", "code": "KA_HC1", "name": "Kasungu HC 1",
//!                          "shortName": "Kasungu HC 1", "openingDate": "1994-01-01"}],
//!   "dataElements": [{"id": "MalRdtTest1", "code": "MAL_RDT", "name": "Malaria RDTs done",
//!                     "shortName": "RDTs", "valueType": "INTEGER_ZERO_OR_POSITIVE",
//!                     "domainType": "AGGREGATE", "aggregationType": "SUM"}]
//! }"#.as_bytes())?;
//!
//! let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
//!            MalRdtTest1,202409,KaHealthC01,,,61\n\
//!            MalRdtTest1,202408,KaHealthC01,,,many\n";
//! let mut reader = dxf2::csv::Reader::from_reader(csv.as_bytes())?;
//!
//! let access = Superuser::default(); // or UserAccess::by_username(&metadata, "clerk")
//! let importer = Importer::new(&metadata, &access);
//! let mut resolver = MetadataResolver::new(&metadata);
//! let mut store = MemoryStore::new();
//! let outcome = importer.import(
//!     &mut reader,
//!     &ImportOptions::default(),
//!     &mut resolver,
//!     &mut store,
//!     &mut |_progress| {},
//! );
//!
//! let summary = &outcome.summary;
//! assert_eq!(summary.status, ImportStatus::Warning);
//! assert_eq!((summary.import_count.imported, summary.import_count.ignored), (1, 1));
//! let conflict = &summary.conflicts[0];
//! assert_eq!(conflict.error_code.as_deref(), Some("E7619")); // not a valid value of its type
//! assert_eq!(conflict.indexes, Some(vec![1]));               // the second value
//! assert_eq!(store.len(), 1);
//!
//! // Where that value is in the file, and what was wrong (our addition; not in DHIS2's summary):
//! let note = outcome.value_notes.get(&1).ok_or("no note on value 1")?;
//! assert_eq!(note.position.map(|p| p.line), Some(3));
//! assert_eq!(note.raw.as_deref(), Some("many"));
//!
//! // DHIS2's own document for it, as `POST /api/dataValueSets` answers:
//! let mut json = Vec::new();
//! dxf2::json::write_import_summary(&mut json, summary)?;
//! assert!(String::from_utf8(json)?.contains(r#""errorCode":"E7619""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Metadata can also be built by hand (tests, or a host that keeps its own catalogue):
//! [`Metadata::builder`](crate::model::Metadata::builder) adds objects one by one, and `build`
//! finishes the catalogue once, as the JSON reader does: DHIS2's default category combo, category
//! option combo and friends are added, and the org unit hierarchy is computed (parents that form
//! a cycle are refused). Objects added later through the catalogue's methods are found at once.
//!
//! ```
//! use dxf2::model::metadata::{Identity, OrganisationUnit};
//! use dxf2::model::{Metadata, Uid};
//!
//! let district = Uid::parse("KaDistrict1")?;
//! let clinic = Uid::parse("KaHealthC01")?;
//! let metadata = Metadata::builder()
//!     .with(OrganisationUnit::new(Identity::new(district), None))
//!     .with(OrganisationUnit::new(Identity::new(clinic), Some(district)))
//!     .build()?;
//! assert_eq!(metadata.org_unit_level(&clinic), Some(2));
//! assert!(metadata.default_category_option_combo().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ImportOptions::builder`](crate::model::ImportOptions::builder) sets the options that differ
//! from DHIS2's defaults; useful ones: `dry_run` (check, write nothing: no transaction is opened,
//! later values see the store as it was), `strategy` (`NEW_AND_UPDATES` by default; `DELETE` soft-deletes), `profile`
//! (answer as DHIS2 2.36–2.42, the default, or as 2.43+, which groups values per data set and
//! uses other error codes).
//!
//! ```
//! use dxf2::model::{ImportOptions, ImportStrategy, ImporterProfile};
//!
//! let options = ImportOptions::builder()
//!     .dry_run(true)
//!     .strategy(ImportStrategy::CreateAndUpdate)
//!     .profile(ImporterProfile::Pipeline)
//!     .build();
//! assert!(options.dry_run && options.first_row_is_header); // the rest keeps DHIS2's defaults
//! ```
//!
//! [`Importer::with_settings`](crate::engine::Importer::with_settings) sets DHIS2's system
//! settings, [`Importer::with_now`](crate::engine::Importer::with_now) the time
//! the locking and future-period rules compare with. Summaries written by a DHIS2 server are
//! read back by [`crate::json::read_import_summary`] and [`crate::xml::read_import_summary`]
//! (the `read_summary` example).
//!
//! # Stores
//!
//! The import writes through the [`DataValueStore`](crate::engine::DataValueStore) trait, in one
//! transaction and in batches (the stored rows of many values read in one `lookup`, their writes
//! applied in one `apply`): a dry run, a failed import or a store failure leaves the store as it
//! was. [`PostgresStore`](crate::postgres::PostgresStore) keeps the same in a PostgreSQL
//! database, for server-scale use.
//! [`MemoryStore`](crate::engine::MemoryStore) keeps everything in memory;
//! [`SqliteStore`](crate::sqlite::SqliteStore) keeps data values, audits, completions and the
//! metadata in one SQLite file (also [`MetadataStore`](crate::engine::MetadataStore)), and
//! readers of the file never wait for an import running in another process.
//!
//! ```
//! use dxf2::engine::{DataValueStore, MetadataStore};
//! use dxf2::sqlite::SqliteStore;
//!
//! // `SqliteStore::open("district.sqlite")` for a file.
//! let mut store = SqliteStore::open_in_memory()?;
//! let metadata = dxf2::json::metadata::read_metadata(r#"{"organisationUnits": [
//!     {"id": "KaDistrict1", "code": "KA", "name": "Kasungu", "shortName": "Kasungu",
//!      "openingDate": "1994-01-01"}]}"#.as_bytes())?;
//! store.save_metadata(&metadata)?;
//! let loaded = store.load_metadata()?;
//! assert!(loaded.org_unit(&"KaDistrict1".parse()?).is_some());
//!
//! store.begin()?;
//! store.rollback()?; // what a failed import does
//! assert_eq!(store.value_count()?, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A host with its own database implements [`DataValueStore`](crate::engine::DataValueStore)
//! (the trait lives in the small crate [`crate::store`], which depends on the model only):
//! `begin`/`commit`/`rollback`; `lookup` of many keys at once (which must say whether a row was
//! inserted in the running transaction: DHIS2's classic importer does not see its own pending
//! inserts), `apply` of a batch of writes (inserts, updates and soft deletes, audits,
//! completions); completions and lock exceptions; `query` for exports, in a deterministic
//! order. The conformance suite `dxf2::store::conformance` (feature `testing` of `dxf2-store`)
//! checks a store against the same tests `MemoryStore`, `SqliteStore` and `PostgresStore` pass. The `custom_store` example is a whole one, over a `BTreeMap`. Its errors are
//! [`StoreError`](crate::engine::StoreError)s; wrap the database's own error with
//! [`StoreError::backend`](crate::engine::StoreError::backend) to keep it as the source (see
//! [Errors](#errors)).
//!
//! # Id schemes
//!
//! A payload names objects under an *id scheme*: `UID` (the default), `CODE`, `NAME`,
//! `ATTRIBUTE:<uid>` (the value of a unique attribute). The request sets schemes in
//! [`ImportOptions::id_schemes`](crate::model::ImportOptions::id_schemes), the payload's header may
//! set its own (`idScheme="CODE"` on an XML `dataValueSet`), and DHIS2's precedence between them
//! differs between generations ([`IdSchemes`](crate::model::IdSchemes) implements both).
//!
//! ```
//! use dxf2::engine::{Importer, MemoryStore, Superuser};
//! use dxf2::model::{IdScheme, ImportOptions};
//! use dxf2::resolver::MetadataResolver;
//!
//! let metadata = dxf2::json::metadata::read_metadata(r#"{
//!   "organisationUnits": [{"id": "KaHealthC01", "code": "KA_HC1", "name": "Kasungu HC 1",
//!                          "shortName": "Kasungu HC 1", "openingDate": "1994-01-01"}],
//!   "dataElements": [{"id": "MalRdtTest1", "code": "MAL_RDT", "name": "Malaria RDTs done",
//!                     "shortName": "RDTs", "valueType": "INTEGER_ZERO_OR_POSITIVE",
//!                     "domainType": "AGGREGATE", "aggregationType": "SUM"}]
//! }"#.as_bytes())?;
//! let csv = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
//!            MAL_RDT,202409,KA_HC1,,,61\n";
//!
//! let options = ImportOptions::builder().id_scheme(IdScheme::Code).build();
//!
//! let access = Superuser::default();
//! let outcome = Importer::new(&metadata, &access).import(
//!     &mut dxf2::csv::Reader::from_reader(csv.as_bytes())?,
//!     &options,
//!     &mut MetadataResolver::new(&metadata),
//!     &mut MemoryStore::new(),
//!     &mut |_| {},
//! );
//! assert_eq!(outcome.summary.import_count.imported, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The [`Resolver`](crate::resolver::Resolver) trait does the lookups:
//! [`MetadataResolver`](crate::resolver::MetadataResolver) answers from the metadata (with hash
//! tables built once per kind and scheme by `preheat`). Not found is `Ok(None)` (a conflict on
//! that value); an `Err` fails the whole import, as DHIS2 does for a code that two objects share.
//! A host with its own mapping (facility ids of a national register, say) implements the trait
//! and delegates the rest: the `custom_resolver` example.
//!
//! ```
//! use dxf2::model::{IdScheme, ObjectKind, Uid};
//! use dxf2::resolver::{MetadataResolver, Resolver};
//!
//! let metadata = dxf2::json::metadata::read_metadata(r#"{"organisationUnits": [
//!     {"id": "KaHealthC01", "code": "KA_HC1", "name": "Kasungu HC 1",
//!      "shortName": "Kasungu HC 1", "openingDate": "1994-01-01"}]}"#.as_bytes())?;
//! let mut resolver = MetadataResolver::new(&metadata);
//! resolver.preheat(ObjectKind::OrganisationUnit, &IdScheme::Code)?;
//! let uid = resolver.resolve(ObjectKind::OrganisationUnit, &IdScheme::Code, "KA_HC1")?;
//! assert_eq!(uid, Some(Uid::parse("KaHealthC01")?));
//! assert_eq!(resolver.resolve(ObjectKind::OrganisationUnit, &IdScheme::Code, "KA_HC9")?, None);
//! // And back, for exports in codes or names:
//! assert_eq!(
//!     resolver.identifier(ObjectKind::OrganisationUnit, &IdScheme::Name, &Uid::parse("KaHealthC01")?),
//!     Some("Kasungu HC 1")
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Every error type of the crates implements `std::error::Error + Send + Sync + 'static`, so `?`
//! into `Box<dyn Error>` (or your own error type) works everywhere. A reader's error says where
//! in the input it happened: line, column, and which value.
//!
//! ```
//! use dxf2::model::{DataValue, DataValueSource};
//!
//! let xml = "<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">\n\
//!            <dataValue dataElement=\"MAL_RDT\" value=\"61\"/>\n\
//!            <dataValue dataElement=\"MAL_RDT";
//! let mut reader = dxf2::xml::Reader::new(xml.as_bytes())?;
//! let mut value = DataValue::new();
//! assert!(reader.read_value(&mut value)?);
//! let err = reader.read_value(&mut value).unwrap_err();
//! assert!(err.to_string().starts_with("line 3, column"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An import does not return `Result`: it always answers with DHIS2's summary, as a server does.
//! When the import failed as a whole (nothing of it was written), the summary has status
//! `ERROR` and DHIS2's "The import process failed: …", and
//! [`ImportOutcome::failure`](crate::engine::ImportOutcome::failure) says why, typed: the
//! reader's error ([`Failure::Input`](crate::engine::Failure::Input), with how many values were
//! read), a DHIS2 rule that stops an import ([`Failure::Import`](crate::engine::Failure::Import)),
//! or the store's error ([`Failure::Store`](crate::engine::Failure::Store)), which keeps a
//! host's own error as its source: the host can downcast it back.
//! [`ImportOutcome::rollback_error`](crate::engine::ImportOutcome::rollback_error) reports a
//! rollback that failed too.
//!
//! ```
//! use dxf2::engine::{Failure, Importer, MemoryStore, Superuser};
//! use dxf2::model::{ImportOptions, ImportStatus};
//! use dxf2::resolver::MetadataResolver;
//!
//! let metadata = dxf2::json::metadata::read_metadata(r#"{"organisationUnits": []}"#.as_bytes())?;
//! // A file cut off after its first value.
//! let truncated = r#"{"dataValues": [{"dataElement": "MalRdtTest1", "value": "1"}, {"dataEl"#;
//! let access = Superuser::default();
//! let outcome = Importer::new(&metadata, &access).import(
//!     &mut dxf2::json::Reader::new(truncated.as_bytes())?,
//!     &ImportOptions::default(),
//!     &mut MetadataResolver::new(&metadata),
//!     &mut MemoryStore::new(),
//!     &mut |_| {},
//! );
//! assert_eq!(outcome.summary.status, ImportStatus::Error);
//! let description = outcome.summary.description.as_deref().unwrap_or_default();
//! assert!(description.starts_with("The import process failed: "), "{description}");
//! match &outcome.failure {
//!     Some(Failure::Input { values_read, source }) => {
//!         assert_eq!(*values_read, 1);
//!         // The reader's own error, typed.
//!         assert!(source.downcast_ref::<dxf2::json::Error>().is_some());
//!     }
//!     other => panic!("expected an input failure, got {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Bounds
//!
//! Files come from outside: a reader never holds more than one token (an XML attribute or text,
//! a JSON string or number, a CSV field) and, for CSV, one record; the limits are
//! [`ReadLimits`](crate::model::ReadLimits) (4 MiB a token, 16 MiB a CSV record by default). A
//! compressed input may expand only so far, and only so fast
//! ([`DecompressionLimits`](crate::io::DecompressionLimits): 64 GiB, and a ratio of 200 after
//! the first 16 MiB): a decompression bomb is refused without costing memory. A refusal names
//! the bound, where in the file, and how to raise it.
//!
//! ```
//! use dxf2::io::{AnyReader, DecompressionLimits, Format, Input, ReaderOptions};
//! use dxf2::model::{DataValue, DataValueSource, ReadLimits};
//!
//! let xml = format!(
//!     r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue comment="{}"/></dataValueSet>"#,
//!     "x".repeat(10_000)
//! );
//! let input = Input::from_reader("big.xml", std::io::Cursor::new(xml), &DecompressionLimits::default())?;
//! let options = ReaderOptions::default()
//!     .with_limits(ReadLimits::default().with_max_token_bytes(1024));
//! let result = AnyReader::open(input, Format::Xml, &options)
//!     .and_then(|mut reader| reader.read_value(&mut DataValue::new()));
//! let err = result.unwrap_err();
//! assert!(err.to_string().contains("max_token_bytes"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
