//! `adx`: IHE ADX (Aggregate Data Exchange) for DHIS2 — read, write and map ADX to and from
//! DXF2 data values exactly as DHIS2 does, offline.
//!
//! ADX is how many national systems and DATIM exchange aggregate data: `group`s of
//! `dataValue`s, each group naming a data set, a period as `<start date>/<duration>` and an org
//! unit, each value disaggregated by **category attributes** (`sex="F" age="under5"`) instead of
//! a category option combo. DHIS2 maps them to its option combos through its metadata; so does
//! this crate, through a [`Metadata`](dxf2_model::Metadata) catalogue (what a store's
//! `load_metadata()` gives).
//!
//! | piece | job |
//! |---|---|
//! | [`Reader`] | streaming ADX reader over any `BufRead`: groups and values with their attributes (by local name) and annotations, positions, bounded memory, no DTD |
//! | [`period`] | ADX periods ⇄ [`Period`](dxf2_model::Period), with DHIS2's rules and messages |
//! | [`AdxSource`] | ADX → DXF2: a [`DataValueSource`](dxf2_model::DataValueSource) of mapped values, so the import engine imports ADX unchanged and any DXF2 writer converts it |
//! | [`AdxWriter`] | DXF2 → ADX: a [`DataValueSink`](dxf2_model::DataValueSink) writing DHIS2's ADX export; [`check_identifiers`] lists the objects an export cannot name |
//! | [`AdxXmlWriter`] | the ADX document writer underneath |
//! | [`Error`] | one error type: what, where (line, column, group, value), and DHIS2's message and summary for it |
//!
//! Both DHIS2 importer generations are modelled ([`ImporterProfile`](dxf2_model::ImporterProfile)):
//! 2.36–2.42 (as 2.42, the default: every identifier a **code** unless the request says
//! otherwise, category attributes matched in category order, text values from annotations) and
//! 2.43+ (the request's schemes, `UID` by default; option sets compared unordered; `E81xx`
//! codes). See [`AdxSource`] for the rules and [`Error`] for how a refusal becomes DHIS2's
//! `ERROR` summary.
//!
//! # Reading rules
//!
//! Elements (`adx`, `group`, `dataValue`, `annotation`) and attributes are matched by **local
//! name**: the namespace `urn:ihe:qrph:adx:2015` is neither required nor checked, prefixes are
//! dropped, namespace declarations are not attributes. The document must be well-formed UTF-8
//! XML to its end. A DOCTYPE is never read (DHIS2 reads ADX with DTD support off), so no entity
//! but the five XML predefines is known and no external entity is ever fetched: `&x;` is an
//! error with its position. Every token is bounded by
//! [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits). Category identifiers become
//! attribute names, so DHIS2 requires them to be XML *Names* ([`is_xml_name`]).
//!
//! # Example: ADX in, DXF2 values out, ADX back
//!
//! ```
//! use adx::{AdxSourceBuilder, AdxWriterBuilder};
//! use dxf2_model::metadata::{
//!     Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataSet,
//!     DataSetElement, Identity, OrganisationUnit,
//! };
//! use dxf2_model::{DataValueSink, DataValueSource, Metadata, PeriodType, Uid, ValueType};
//!
//! // Metadata with codes: cases by sex, in a monthly data set.
//! let uid = |s: &str| Uid::parse(s).unwrap();
//! let id = |u: &str, code: &str| Identity { code: Some(code.into()), name: Some(code.into()), ..Identity::new(uid(u)) };
//! let option = |u: &str, code: &str| CategoryOption {
//!     id: id(u, code), start_date: None, end_date: None, org_units: vec![], sharing: Default::default(),
//! };
//! let coc = |u: &str, code: &str, o: &str| CategoryOptionCombo {
//!     id: id(u, code), category_combo: uid("ccSexxxxxxx"), options: vec![uid(o)], ignore_approval: false,
//! };
//! let mut cases = DataElement::new(id("deCasesxxxx", "CASES"), ValueType::Integer);
//! cases.category_combo = uid("ccSexxxxxxx");
//! let mut ds = DataSet::new(id("dsMalariaxx", "MAL"), PeriodType::Monthly);
//! ds.elements.push(DataSetElement { data_element: uid("deCasesxxxx"), category_combo: None });
//! let md = Metadata::builder()
//!     .with(option("opFemalexxx", "F"))
//!     .with(option("opMalexxxxx", "M"))
//!     .with(Category { id: id("caSexxxxxxx", "sex"), data_dimension_type: "DISAGGREGATION".into(),
//!                      options: vec![uid("opFemalexxx"), uid("opMalexxxxx")] })
//!     .with(CategoryCombo { id: id("ccSexxxxxxx", "SEX"), data_dimension_type: "DISAGGREGATION".into(),
//!                           categories: vec![uid("caSexxxxxxx")] })
//!     .with(coc("cocFemalexx", "CASES_F", "opFemalexxx"))
//!     .with(coc("cocMalexxxx", "CASES_M", "opMalexxxxx"))
//!     .with(cases)
//!     .with(OrganisationUnit::new(id("ouClinicxxx", "CLINIC_1"), None))
//!     .with(ds)
//!     .build()
//!     .unwrap();
//!
//! let adx = r#"<adx xmlns="urn:ihe:qrph:adx:2015">
//!   <group dataSet="MAL" period="2024-03-01/P1M" orgUnit="CLINIC_1">
//!     <dataValue dataElement="CASES" sex="F" value="12"/>
//!     <dataValue dataElement="CASES" sex="M" value="9"/>
//!   </group>
//! </adx>"#;
//!
//! // ADX → DXF2 (DHIS2 2.42's rules: codes everywhere).
//! let mut source = AdxSourceBuilder::new().build(&md, adx.as_bytes());
//! let values = source.values().collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(values[0].period(), Some("202403"));
//! assert_eq!(values[0].category_option_combo(), Some("CASES_F"));
//! assert_eq!(values[1].value(), Some("9"));
//!
//! // DXF2 → ADX: the values name objects by code (the source's header says so).
//! let mut writer = AdxWriterBuilder::new().build(&md, Vec::new());
//! writer.begin(source.header())?;
//! for v in &values {
//!     writer.write_value(v)?;
//! }
//! writer.finish()?;
//! assert_eq!(
//!     String::from_utf8(writer.into_inner()).unwrap(),
//!     "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group dataSet=\"MAL\" period=\"2024-03-01/P1M\" \
//!      orgUnit=\"CLINIC_1\"><dataValue dataElement=\"CASES\" sex=\"F\" value=\"12\"/><dataValue \
//!      dataElement=\"CASES\" sex=\"M\" value=\"9\"/></group></adx>"
//! );
//!
//! // A refusal says what DHIS2 says, and where.
//! let bad = adx.replace("sex=\"M\"", "sex=\"X\"");
//! let err = AdxSourceBuilder::new().build(&md, bad.as_bytes()).values().nth(1).unwrap().unwrap_err();
//! assert_eq!(err.to_string(), "line 4, column 5 (group #1, value #2, index 1): Invalid attributes: {sex=X}");
//! # Ok::<(), adx::Error>(())
//! ```

#![forbid(unsafe_code)]

mod combos;
mod error;
mod export;
mod java;
mod names;
pub mod period;
mod reader;
mod source;
mod writer;
mod xml;

pub use error::{Category, Error, ErrorKind, MissingIdentifier, Position};
pub use export::{check_identifiers, AdxWriter, AdxWriterBuilder};
pub use names::is_xml_name;
pub use reader::{AdxValue, Attributes, Group, Reader, Step};
pub use source::{effective_id_schemes, AdxSource, AdxSourceBuilder};
pub use writer::{AdxXmlWriter, NAMESPACE};
