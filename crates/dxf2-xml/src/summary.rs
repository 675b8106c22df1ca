//! The import summary (`importSummary`) in XML, and the web message that wraps it.
//!
//! DHIS2 serialises `ImportSummary` with Jackson XML; no DHIS2 test pins the result, so the
//! shape written here is the most likely rendering of its annotations, and the reader accepts
//! the plausible variants:
//!
//! ```xml
//! <?xml version='1.0' encoding='UTF-8'?>
//! <importSummary xmlns="http://dhis2.org/schema/dxf/2.0">
//!   <responseType>ImportSummary</responseType>
//!   <status>WARNING</status>
//!   <importOptions>
//!     <idSchemes>
//!       <dataElementIdScheme>
//!         <type>CODE</type>
//!       </dataElementIdScheme>
//!     </idSchemes>
//!     <dryRun>false</dryRun>
//!     …
//!   </importOptions>
//!   <description>Import process completed successfully</description>
//!   <importCount imported="1" updated="0" ignored="3" deleted="0"/>
//!   <conflicts>
//!     <conflict object="nonEx1sting" value="Data element not found or not accessible: `nonEx1sting`" errorCode="E7610" property="dataElement" indexes="0 1">
//!       <objects>
//!         <dataElement>nonEx1sting</dataElement>
//!       </objects>
//!     </conflict>
//!   </conflicts>
//!   <rejectedIndexes>
//!     <rejectedIndexes>0</rejectedIndexes>
//!     <rejectedIndexes>1</rejectedIndexes>
//!   </rejectedIndexes>
//!   <dataSetComplete>false</dataSetComplete>
//! </importSummary>
//! ```
//!
//! Choices and tolerances:
//!
//! * Element order follows the JSON key order; `responseType` is a child element (the reader
//!   ignores it, as element or attribute). Absent options (`importOptions`, `description`,
//!   `dataSetComplete`) are omitted; `conflicts` and `rejectedIndexes` are always written
//!   (`<conflicts/>` when empty).
//! * `importCount` carries its four numbers as attributes (the reader also takes child elements).
//! * A conflict's `object`, `value`, `errorCode`, `property` are attributes (the reader also takes
//!   child elements). `indexes` is an `int[]` marked as attribute; Jackson would write one
//!   `indexes` attribute per number, which is not well-formed XML, so the writer writes one
//!   attribute with the numbers separated by spaces. The reader accepts that, repeated
//!   `indexes` attributes (duplicate attributes are tolerated on summaries for this reason),
//!   and `indexes` child elements, wrapped or not.
//! * `objects` is a map: one child element per key, in order; an empty element is a null
//!   value (so an empty string reads back as null). Keys that are not XML names without `:`
//!   cannot be written (and no such key is ever read: the reader refuses element names that
//!   are not XML names, and keys are local names).
//! * Lists use Jackson's default wrapping: `<rejectedIndexes><rejectedIndexes>0</rejectedIndexes>…`.
//!   The reader also accepts unwrapped repetitions, `rejectedIndex` items and a text list.
//! * `importOptions` members are child elements in DHIS2's order
//!   ([`ImportOptions::echo_members`](dxf2_model::ImportOptions::echo_members)), including
//!   constant members DHIS2 echoes (`mergeMode`, `reportMode`, …), which the reader ignores;
//!   each id scheme is `<…IdScheme><type>ATTRIBUTE</type><attribute>uid</attribute></…IdScheme>`
//!   (the reader also takes `type`/`attribute` attributes or a `CODE` / `ATTRIBUTE:uid` text).
//!   `atomic` (2.43+) is written only when true.
//! * Our additions that are not part of DHIS2's document — [`ImportSummary::profile`](dxf2_model::ImportSummary::profile) and
//!   [`ImportOptions::profile`](dxf2_model::ImportOptions::profile) — are not written; they read back as `None` and the default.
//! * Elements are matched by local name; the namespace is not checked. Unknown elements and
//!   attributes are ignored.
//! * A web message (`<webMessage … status="WARNING"><message>…</message><response …>…`) is
//!   read by taking the summary from its `response` element.
//! * The reader accepts only what the writer can write: characters XML 1.0 does not allow
//!   (U+0000 and the other C0 controls but tab, LF and CR, U+FFFE, U+FFFF) written literally,
//!   and names that are not XML names, are errors with a position. Its memory is bounded by
//!   [`ReadLimits::max_token_bytes`](dxf2_model::ReadLimits::max_token_bytes) for each token and for the text of each element (unknown
//!   elements are skipped without keeping their text); the summary it returns holds what the
//!   document says.

mod read;
#[cfg(test)]
mod tests;
mod write;

pub use read::{read_import_summary, read_import_summary_with_limits};
pub use write::write_import_summary;
