//! DHIS2's default category objects (`DefaultCategoryService#generateDefaultDimension`): one
//! category option, category, category combo and category option combo, each named `default`,
//! created at a server's first start with these UIDs.

use serde_json::{json, Value};

use crate::document::Object;

/// The default category option's UID.
pub const CATEGORY_OPTION: &str = "xYerKDKCefk";
/// The default category's UID.
pub const CATEGORY: &str = "GLevLNI9wkl";
/// The default category combo's UID.
pub const CATEGORY_COMBO: &str = "bjDvmb4bfuf";
/// The default category option combo's UID.
pub const CATEGORY_OPTION_COMBO: &str = "HllvX50cXC0";

/// The name that identifies a default object at import time.
pub const NAME: &str = "default";

/// The well-known UID of the default object of collection `key`, for the four category types.
pub fn well_known_uid(key: &str) -> Option<&'static str> {
    match key {
        "categoryOptions" => Some(CATEGORY_OPTION),
        "categories" => Some(CATEGORY),
        "categoryCombos" => Some(CATEGORY_COMBO),
        "categoryOptionCombos" => Some(CATEGORY_OPTION_COMBO),
        _ => None,
    }
}

/// The default objects as a fresh DHIS2 server holds them, as `(collection key, object)` in
/// import order.
pub fn objects() -> Vec<(&'static str, Object)> {
    let values = [
        (
            "categoryOptions",
            json!({"id": CATEGORY_OPTION, "code": NAME, "name": NAME, "shortName": NAME,
                   "sharing": {"public": "rwrw----", "users": {}, "userGroups": {}}}),
        ),
        (
            "categories",
            json!({"id": CATEGORY, "code": NAME, "name": NAME, "shortName": NAME,
                   "dataDimension": false, "dataDimensionType": "DISAGGREGATION",
                   "categoryOptions": [{"id": CATEGORY_OPTION}],
                   "sharing": {"public": "rw------", "users": {}, "userGroups": {}}}),
        ),
        (
            "categoryCombos",
            json!({"id": CATEGORY_COMBO, "code": NAME, "name": NAME,
                   "dataDimensionType": "DISAGGREGATION", "skipTotal": false,
                   "categories": [{"id": CATEGORY}]}),
        ),
        (
            "categoryOptionCombos",
            json!({"id": CATEGORY_OPTION_COMBO, "code": NAME, "name": NAME,
                   "ignoreApproval": false, "categoryCombo": {"id": CATEGORY_COMBO},
                   "categoryOptions": [{"id": CATEGORY_OPTION}]}),
        ),
    ];
    values
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::Object(o) => Some((k, o)),
            _ => None,
        })
        .collect()
}
