//! DHIS2's error codes and message templates for data value set import and export, as DHIS2's
//! error code enum writes them: `E76xx` the classic importer (2.36–2.42), `E1110`,
//! `E1111`, `E2000`–`E2041` export checks and the attribute option lookup, `E8xxx` the 2.43+
//! pipeline. `{0}`, `{1}`… stand for the conflict's arguments by position, as in Java's
//! `MessageFormat`.

use crate::conflicts::ErrorCode;

macro_rules! codes {
    ($($name:ident = $template:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "`: ", $template)]
            pub const $name: ErrorCode = ErrorCode { code: stringify!($name), template: $template };
        )*
        /// Every code of this module.
        pub const ALL: &[ErrorCode] = &[$($name),*];
    };
}

codes! {
    E7600 = "Data set not found or not accessible: `{0}`";
    E7601 = "User does not have write access for DataSet: `{0}`";
    E7603 = "Org unit not found or not accessible: `{0}`";
    E7604 = "Attribute option combo not found or not accessible: `{0}`";
    E7610 = "Data element not found or not accessible: `{0}`";
    E7611 = "Period not valid: `{0}`";
    E7612 = "Organisation unit not found or not accessible: `{0}`";
    E7613 = "Category option combo not found or not accessible for writing data: `{0}`";
    E7614 = "Category option combo: `{0}` option not accessible: `{1}`";
    E7615 = "Attribute option combo not found or not accessible for writing data: `{0}`";
    E7616 = "Attribute option combo: `{0}` option not accessible: `{1}`";
    E7617 = "Organisation unit: `{0}` not in hierarchy of current user: `{1}`";
    E7618 = "Data value or comment not specified for data element: `{0}`";
    E7619 = "Value must match value type of data element `{0}`: `{1}`";
    E7620 = "Invalid comment: {0}";
    E7621 = "Data value is not a valid option of the data element option set: `{0}`";
    E7630 = "Category option combo is required but is not specified";
    E7631 = "Attribute option combo is required but is not specified";
    E7632 = "Period type of period: `{0}` not valid for data element: `{1}`";
    E7633 = "Data element: `{0}` is not part of dataset(s): `{1}`";
    E7634 = "Category option combo: `{0}` must be part of category combo of data element: `{1}`";
    E7635 = "Attribute option combo: `{0}` must be part of category combo of data sets of data element: `{1}`";
    E7636 = "Data element: `{1}` must be assigned through data sets to organisation unit: `{0}`";
    E7637 = "Invalid storedBy: {0}";
    E7638 = "Period: `{0}` is not within date range of attribute option combo: `{1}`";
    E7639 = "Organisation unit: `{0}` is not valid for attribute option combo: `{1}`";
    E7640 = "Current date is past expiry days for period: `{0}`  and data set: `{1}`";
    E7641 = "Period: `{0}` is after latest open future period: `{3}` for data element: `{1}` and data set: `{2}`";
    E7642 = "Data already approved for data set: `{3}` period: `{1}` org unit: `{0}` attribute option combo: `{2}`";
    E7643 = "Period: `{0}` is not open for this data set at this time: `{1}`";
    E7644 = "Period: `{0}` does not conform to the open periods of associated data sets";
    E7645 = "No data value for file resource exist for the given combination for data element: `{0}`";
    E1110 = "Category combo not found or not accessible: `{0}`";
    E1111 = "Category option not found or not accessible: `{0}`";
    E2000 = "Query parameters cannot be null";
    E2001 = "At least one data element, data set or data element group must be specified";
    E2002 = "At least one period, start/end dates, last updated or last updated duration must be specified";
    E2003 = "Both periods and start/end date cannot be specified";
    E2004 = "Start date must be before end date";
    E2005 = "Duration is not valid: `{0}`";
    E2006 = "At least one organisation unit or organisation unit group must be specified";
    E2007 = "Organisation unit children cannot be included for organisation unit groups";
    E2008 = "At least one organisation unit must be specified when children are included";
    E2009 = "Limit cannot be less than zero: `{0}`";
    E2010 = "User is not allowed to read data for data set: `{0}`";
    E2011 = "User is not allowed to read data for attribute option combo: `{0}`";
    E2012 = "User is not allowed to view org unit: `{0}`";
    E2040 = "Both category combination and category options must be specified";
    E2041 = "Attribute option combo does not exist for given category combo and category options";
}

/// The text of `comment_length_greater_than_max_length`.
pub const COMMENT_TOO_LONG: &str = "Comment is greater than max length";
/// The text of `stored_by_length_greater_than_max_length`.
pub const STORED_BY_TOO_LONG: &str = "Stored by is greater than max length";

// ---------------------------------------------------------------------------------------------
// DHIS2 2.43+ "new pipeline": the effective templates, after
// DHIS2 reduced its named placeholders (`${name:{0}}`) to positional ones. The odd trailing
// backticks of E8121, E8124 and E8125 and the repeated `{1}` of E8204 are DHIS2's own.
// ---------------------------------------------------------------------------------------------

/// Every code of the 2.43+ pipeline block below.
pub const PIPELINE_ALL: &[ErrorCode] = &[
    E8000, E8001, E8002, E8003, E8004, E8005, E8006, E8007, E8008, E8009, E8010, E8011, E8012,
    E8020, E8021, E8022, E8023, E8024, E8025, E8030, E8031, E8032, E8033, E8034, E8035, E8100,
    E8101, E8102, E8103, E8104, E8105, E8106, E8107, E8108, E8109, E8110, E8111, E8120, E8121,
    E8122, E8123, E8124, E8125, E8126, E8127, E8128, E8200, E8201, E8202, E8203, E8204,
];

macro_rules! pipeline_codes {
    ($($name:ident = $template:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "` (2.43+): ", $template)]
            pub const $name: ErrorCode = ErrorCode { code: stringify!($name), template: $template };
        )*
    };
}

pipeline_codes! {
    E8000 = "Atomic mode requires all values to be valid but only {0}/{1} were. First issue: {2}";
    E8001 = "PDF input does not support Acro fields";
    E8002 = "Data set detection failed, found multiple sets: `{0}`";
    E8003 = "Data set detection failed, found no set for data element(s): `{0}`";
    E8004 = "Data set UID not valid: `{0}`";
    E8005 = "Data set not found: `{0}`";
    E8006 = "PDF file error : {0}";
    E8007 = "XML file error : {0}";
    E8008 = "Data set `completeDate` is not a valid date string: `{0}`";
    E8009 = "Data set `completeDate` requires data set, org unit, period and attribute option combo to be defined at the group level.";
    E8010 = "Current user cannot enter data for data set: `{0}`";
    E8011 = "Current user cannot enter data for org unit(s): `{0}`";
    E8012 = "Current user cannot enter data for category option(s): `{0}`";
    E8020 = "Data set {0} not usable with data element(s): `{1}`";
    E8021 = "Data set {0} not usable with period(s): `{1}`";
    E8022 = "Data set {0} not usable with org unit(s): `{1}`";
    E8023 = "Data set {0} not usable with attribute option combo(s): `{1}`";
    E8024 = "Data set {0} + data element {1} not usable with category option combo(s): `{2}`";
    E8025 = "Attribute option combo {0} not usable with org unit(s): `{1}`";
    E8030 = "Untimely data entry for data set {0} and period(s): `{1}`";
    E8031 = "Untimely data entry for org unit {0} and period(s): `{1}`";
    E8032 = "Untimely data entry for attribute option combo {0} and period(s): `{1}`";
    E8033 = "Untimely data entry (already approved) for attribute option combo {0}, org unit {1} and periods: `{2}`";
    E8034 = "Data set deletion scope ID refers to a non-existing object: `{0}`";
    E8035 = "Data set deletion scope ID is not a valid UID: `{0}`";
    E8100 = "Value #{0} period not defined in group or value: `{1}`";
    E8101 = "Value #{0} data set is required to decode category options: `{1}`";
    E8102 = "Value #{0} data element not defined in group or value: `{1}`";
    E8103 = "Value #{0} data element not found: `{1}`";
    E8104 = "Value #{0} data element UID not valid: `{1}`";
    E8105 = "Value #{0} org unit not defined in group or value: `{1}`";
    E8106 = "Value #{0} org unit UID is not valid: `{1}`";
    E8107 = "Value #{0} org unit not found: `{1}`";
    E8108 = "Value #{0} category option combo not found: `{1}`";
    E8109 = "Value #{0} category option combo UID is not valid: `{1}`";
    E8110 = "Value #{0} attribute option combo not found: `{1}`";
    E8111 = "Value #{0} attribute option combo UID is not valid: `{1}`";
    E8120 = "Value #{0} value is required";
    E8121 = "Value #{0} value or comment is required`";
    E8122 = "Value #{0} value `{1}` is no valid {2}: {3}";
    E8123 = "Value #{0} value `{1}` is no valid option for data element `{2}`";
    E8124 = "Value #{0} comment is restricted to options and does not allow {1}`";
    E8125 = "Value #{0} comment too long (max {1} characters)`";
    E8126 = "Value #{0} category combo not found: `{1}`";
    E8127 = "Value #{0} category combo {1} has no option combo for options: `{2}`";
    E8128 = "Value #{0} all affect the same data value: `{1}`";
    E8200 = "Export as {0} not possible as the property is undefined for data set: `{1}`";
    E8201 = "Export as {0} not possible as the property is undefined for data element(s): `{1}`";
    E8202 = "Export as {0} not possible as the property is undefined for org unit(s): `{1}`";
    E8203 = "Export as {0} not possible as the property is undefined for category option combo(s): `{1}`";
    E8204 = "Export as category {0} and category options {1} not possible as the property is undefined for at least one of them linked to category option combo(s): `{1}`";
}
