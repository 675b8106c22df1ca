//! The objects as written: serde structs of the fields the reader keeps.

use dxf2_model::metadata::Identity;
use serde::Deserialize;

use super::convert::make_identity;
use super::error::{MetadataError, ObjectRef};
use super::lenient::{
    attribute_values, date, entries, flag, float, int, list, opt_string, period_ref, reference,
    sharing,
};

/// `{"id": …}`.
#[derive(Deserialize, Default)]
#[serde(default, expecting = "a reference object such as {\"id\": \"<uid>\"}")]
pub(super) struct RawRef {
    #[serde(deserialize_with = "opt_string")]
    pub(super) id: Option<String>,
}

/// A date as written: text, or epoch milliseconds.
pub(super) enum RawDate {
    Text(String),
    Millis(i64),
}

/// One attribute value, from either form.
pub(super) struct RawAttributeValue {
    pub(super) attribute: Option<String>,
    pub(super) value: Option<String>,
}

/// `{"id", "access"}` in a sharing map.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawAccess {
    #[serde(deserialize_with = "opt_string")]
    pub(super) id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub(super) access: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RawSharing {
    #[serde(deserialize_with = "opt_string")]
    pub(super) public: Option<String>,
    #[serde(deserialize_with = "entries")]
    pub(super) users: Vec<(String, RawAccess)>,
    #[serde(deserialize_with = "entries")]
    pub(super) user_groups: Vec<(String, RawAccess)>,
}

/// Declares a raw object struct with the identifiable fields plus its own.
macro_rules! raw_object {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        pub(super) struct $name {
            #[serde(deserialize_with = "opt_string")]
            pub(super) id: Option<String>,
            #[serde(deserialize_with = "opt_string")]
            pub(super) code: Option<String>,
            #[serde(deserialize_with = "opt_string")]
            pub(super) name: Option<String>,
            #[serde(deserialize_with = "attribute_values")]
            pub(super) attribute_values: Vec<RawAttributeValue>,
            $($(#[$fmeta])* pub(super) $field: $ty,)*
        }

        impl $name {
            /// Takes the identity out (the id is recorded in `at` first, for error messages).
            pub(super) fn identity(&mut self, at: &mut ObjectRef) -> Result<Identity, MetadataError> {
                make_identity(
                    at,
                    self.id.take(),
                    self.code.take(),
                    self.name.take(),
                    std::mem::take(&mut self.attribute_values),
                )
            }
        }
    };
}

raw_object!(RawOrgUnit {
    #[serde(deserialize_with = "reference")]
    parent: Option<RawRef>,
    #[serde(deserialize_with = "date")]
    opening_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    closed_date: Option<RawDate>,
});

raw_object!(RawDataElement {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    aggregation_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    domain_type: Option<String>,
    #[serde(deserialize_with = "flag")]
    zero_is_significant: bool,
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    option_set: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    comment_option_set: Option<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(RawCategoryOption {
    #[serde(deserialize_with = "date")]
    start_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    end_date: Option<RawDate>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(RawCategory {
    #[serde(deserialize_with = "opt_string")]
    data_dimension_type: Option<String>,
    #[serde(deserialize_with = "list")]
    category_options: Vec<RawRef>,
});

raw_object!(RawCategoryCombo {
    #[serde(deserialize_with = "opt_string")]
    data_dimension_type: Option<String>,
    #[serde(deserialize_with = "list")]
    categories: Vec<RawRef>,
});

raw_object!(RawCategoryOptionCombo {
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "list")]
    category_options: Vec<RawRef>,
    #[serde(deserialize_with = "flag")]
    ignore_approval: bool,
});

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RawDataSetElement {
    #[serde(deserialize_with = "reference")]
    pub(super) data_element: Option<RawRef>,
    #[serde(deserialize_with = "reference")]
    pub(super) category_combo: Option<RawRef>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RawDataInputPeriod {
    #[serde(deserialize_with = "period_ref")]
    pub(super) period: Option<String>,
    #[serde(deserialize_with = "date")]
    pub(super) opening_date: Option<RawDate>,
    #[serde(deserialize_with = "date")]
    pub(super) closing_date: Option<RawDate>,
}

raw_object!(RawDataSet {
    #[serde(deserialize_with = "opt_string")]
    period_type: Option<String>,
    #[serde(deserialize_with = "list")]
    data_set_elements: Vec<RawDataSetElement>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "reference")]
    category_combo: Option<RawRef>,
    #[serde(deserialize_with = "float")]
    expiry_days: f64,
    #[serde(deserialize_with = "int")]
    open_future_periods: i64,
    #[serde(deserialize_with = "int")]
    open_periods_after_co_end_date: i64,
    #[serde(deserialize_with = "list")]
    data_input_periods: Vec<RawDataInputPeriod>,
    #[serde(deserialize_with = "flag")]
    no_value_requires_comment: bool,
    #[serde(deserialize_with = "reference")]
    workflow: Option<RawRef>,
    #[serde(deserialize_with = "sharing")]
    sharing: Option<RawSharing>,
});

raw_object!(
    /// A top-level option, or an entry of an option set's `options` (embedded or a reference).
    RawOption {
        #[serde(deserialize_with = "reference")]
        option_set: Option<RawRef>,
    }
);

raw_object!(RawOptionSet {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "list")]
    options: Vec<RawOption>,
});

raw_object!(RawAttribute {
    #[serde(deserialize_with = "opt_string")]
    value_type: Option<String>,
    #[serde(deserialize_with = "flag")]
    unique: bool,
});

raw_object!(RawDataElementGroup {
    #[serde(deserialize_with = "list")]
    data_elements: Vec<RawRef>,
});

raw_object!(RawOrgUnitGroup {
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
});

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RawUserCredentials {
    #[serde(deserialize_with = "opt_string")]
    pub(super) username: Option<String>,
    #[serde(deserialize_with = "list")]
    pub(super) user_roles: Vec<RawRef>,
}

raw_object!(RawUser {
    #[serde(deserialize_with = "opt_string")]
    username: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    first_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    surname: Option<String>,
    #[serde(deserialize_with = "list")]
    organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    data_view_organisation_units: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    user_groups: Vec<RawRef>,
    #[serde(deserialize_with = "list")]
    user_roles: Vec<RawRef>,
    user_credentials: Option<RawUserCredentials>,
    #[serde(deserialize_with = "list")]
    authorities: Vec<String>,
});

raw_object!(RawUserRole {
    #[serde(deserialize_with = "list")]
    authorities: Vec<String>,
});
