//! Read a DHIS2 import summary (JSON and XML) and walk its conflicts.
//!
//! A DHIS2 server answers a data import (`POST /api/dataValueSets`) with an *import summary*:
//! a status (`SUCCESS`, `WARNING`, `ERROR`), counts (imported, updated, ignored, deleted), and
//! *conflicts*. Each conflict has an error code (`E7610`: data element not found, …), the
//! property it is about, the objects involved, a message, and the 0-based indexes of the values
//! of the payload it hit. DHIS2 2.38+ wraps the summary in a "web message" (`httpStatus`,
//! `response`); older servers answer the bare summary. Both readers take either.
//!
//! A host reads such summaries to tell a facility what a server made of its file, or to compare
//! a server's answer with this library's own import of the same file.
//!
//! ```text
//! cargo run --example read_summary
//! ```

use std::error::Error;

use dxf2::model::{ImportStatus, ImportSummary};

/// A web message as DHIS2 2.40 answers a JSON import with two bad values.
const JSON: &str = r#"{
  "httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
  "message": "One more conflicts encountered, please check import summary.",
  "response": {
    "responseType": "ImportSummary", "status": "WARNING",
    "importOptions": {"idSchemes": {}, "dryRun": false, "async": false,
                      "importStrategy": "CREATE_AND_UPDATE", "skipExistingCheck": false},
    "description": "Import process completed successfully",
    "importCount": {"imported": 11, "updated": 0, "ignored": 2, "deleted": 0},
    "conflicts": [
      {"object": "MalRdtTest1",
       "objects": {"dataElement": "MalRdtTest1", "value": "value_not_zero_or_positive_integer"},
       "value": "Value must match value type of data element `MalRdtTest1`: `value_not_zero_or_positive_integer`",
       "errorCode": "E7619", "property": "value", "indexes": [12]},
      {"object": "NoSuchUnit1", "objects": {"organisationUnit": "NoSuchUnit1"},
       "value": "Organisation unit not found or not accessible: `NoSuchUnit1`",
       "errorCode": "E7612", "property": "orgUnit", "indexes": [3]}
    ],
    "rejectedIndexes": [3, 12],
    "dataSetComplete": "false"
  }
}"#;

/// A bare XML import summary (as older servers answer, and `dxf2_xml::write_import_summary`
/// writes), one conflict on two values.
const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<importSummary xmlns="http://dhis2.org/schema/dxf/2.0" responseType="ImportSummary">
  <status>WARNING</status>
  <description>Import process completed successfully</description>
  <importCount imported="4" updated="1" ignored="2" deleted="0"/>
  <conflicts>
    <conflict object="202413" value="Period not valid: `202413`" errorCode="E7611" property="period" indexes="5 6">
      <objects><period>202413</period></objects>
    </conflict>
  </conflicts>
  <rejectedIndexes><rejectedIndexes>5</rejectedIndexes><rejectedIndexes>6</rejectedIndexes></rejectedIndexes>
  <dataSetComplete>false</dataSetComplete>
</importSummary>"#;

fn main() -> Result<(), Box<dyn Error>> {
    // JSON: any `Read`.
    let json = dxf2::json::read_import_summary(JSON.as_bytes())?;
    show("JSON web message", &json);
    // XML: any `BufRead` (a `&[u8]` is one; wrap a file in a `BufReader`).
    let xml = dxf2::xml::read_import_summary(XML.as_bytes())?;
    show("XML import summary", &xml);

    if json.status != ImportStatus::Warning || json.conflicts.len() != 2 || xml.conflicts.len() != 1
    {
        return Err("the summaries did not read as expected".into());
    }
    Ok(())
}

/// Prints the status, counts and every conflict of `summary`.
fn show(what: &str, summary: &ImportSummary) {
    let count = summary.import_count;
    println!(
        "{what}: {} ({}), imported {}, updated {}, ignored {}, deleted {}",
        summary.status,
        summary.description.as_deref().unwrap_or("no description"),
        count.imported,
        count.updated,
        count.ignored,
        count.deleted
    );
    // Conflicts are grouped: one per (code, objects), listing every value it hit.
    for conflict in &summary.conflicts {
        println!(
            "  {} on `{}`: {}",
            conflict.error_code.as_deref().unwrap_or("(no code)"),
            conflict.property.as_deref().unwrap_or("?"),
            conflict.value
        );
        for (key, value) in &conflict.objects {
            println!("    {key} = {}", value.as_deref().unwrap_or("null"));
        }
        match &conflict.indexes {
            Some(indexes) => println!("    values (0-based) {indexes:?}"),
            None => println!("    about the whole data value set"),
        }
    }
    println!(
        "  rejected values {:?}; {} conflict occurrences; data set complete: {}",
        summary.rejected_indexes,
        summary.conflict_occurrences(),
        summary.data_set_complete.as_deref().unwrap_or("not said")
    );
}
