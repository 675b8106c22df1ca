//! DHIS2's tracker validation codes (`ValidationCode.java`, 2.42) that this importer raises,
//! with their message templates verbatim.

use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $template:literal,)+) => {
        /// A validation code of DHIS2's tracker importer (spec §8), the ones that need no
        /// program rules, users' sharing or file resources.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ValidationCode {
            $($(#[$doc])* $variant,)+
        }

        impl ValidationCode {
            /// The code (`E1005`).
            pub fn code(self) -> &'static str {
                match self {
                    $(ValidationCode::$variant => stringify!($variant),)+
                }
            }

            /// DHIS2 2.42's template, `{0}`, `{1}`… for the arguments.
            pub fn template(self) -> &'static str {
                match self {
                    $(ValidationCode::$variant => $template,)+
                }
            }
        }
    };
}

codes! {
    /// A write outside the user's capture scope.
    E1000 = "User: `{0}` has no write access to OrganisationUnit: `{1}`.",
    /// CREATE of an existing tracked entity.
    E1002 = "TrackedEntity: `{0}`, already exists.",
    /// Tracked entity type not found.
    E1005 = "Could not find TrackedEntityType: `{0}`.",
    /// Attribute not found.
    E1006 = "Attribute: `{0}` does not exist.",
    /// Attribute value of the wrong value type.
    E1007 = "Error validating attribute value type: `{0}`; Error: `{1}`.",
    /// Event program not found.
    E1010 = "Could not find Program: `{0}`, linked to Event.",
    /// Event org unit not found.
    E1011 = "Could not find OrganisationUnit: `{0}`, linked to Event.",
    /// Geometry type differs from the feature type.
    E1012 = "Geometry does not conform to FeatureType: `{0}`.",
    /// Program stage not found.
    E1013 = "Could not find ProgramStage: `{0}`, linked to Event.",
    /// Enrollment into an event program.
    E1014 = "Provided Program: `{0}` is a Program without registration. An Enrollment cannot be created into Program without registration.",
    /// A second active enrollment.
    E1015 = "TrackedEntity: `{0}` already has an active Enrollment in Program `{1}`.",
    /// A second enrollment in an only-enroll-once program.
    E1016 = "TrackedEntity: `{0}` already has an Enrollment in Program: `{1}`, and this Program only allows enrolling once.",
    /// A mandatory program attribute missing.
    E1018 = "Attribute: `{0}` is mandatory in Program `{1}` but not declared in Enrollment `{2}`.",
    /// A non-program attribute on an enrollment.
    E1019 = "Only ProgramAttributes are allowed for Enrollment, invalid Attribute: `{0}`.",
    /// Enrollment date in the future.
    E1020 = "Enrollment date: `{0}` cannot be a future date.",
    /// Incident date in the future.
    E1021 = "Incident date: `{0}` cannot be a future date.",
    /// Tracked entity type differs from the program's.
    E1022 = "TrackedEntity: `{0}` must have same TrackedEntityType as Program `{1}`.",
    /// Missing occurredAt while the program displays the incident date.
    E1023 = "DisplayIncidentDate is true but occurredAt is null.",
    /// Missing enrolledAt.
    E1025 = "Property enrolledAt is null.",
    /// Event org unit not in the program.
    E1029 = "Event OrganisationUnit: `{0}` and Program: `{1}`, do not match.",
    /// CREATE of an existing event.
    E1030 = "Event: `{0}` already exists.",
    /// Missing occurredAt.
    E1031 = "Event occurredAt date is missing.",
    /// UPDATE/DELETE of a missing event.
    E1032 = "Event: `{0}` do not exist.",
    /// Tracker event without enrollment.
    E1033 = "Event: `{0}` Enrollment value is null.",
    /// Second event of a non-repeatable stage.
    E1039 = "ProgramStage: `{0}` is not repeatable and an Event already exists.",
    /// Enrollment org unit not in the program.
    E1041 = "Enrollment OrganisationUnit: `{0}` and Program: `{1}` do not match.",
    /// Tracked entity org unit not found.
    E1049 = "Could not find OrganisationUnit: `{0}` linked to TrackedEntity.",
    /// SCHEDULE without scheduledAt.
    E1050 = "Event ScheduledAt date is missing.",
    /// completedAt on an event that is not COMPLETED.
    E1051 = "Event: `{0}` completedAt must be null when status is `{1}`.",
    /// completedAt on an ACTIVE enrollment.
    E1052 = "Enrollment: `{0}` completedAt must be null when status is `{1}`.",
    /// AOC of another category combo.
    E1054 = "AttributeOptionCombo `{0}` is not in the Event Program CategoryCombo `{1}`.",
    /// Default AOC with a non-default program combo.
    E1055 = "Default AttributeOptionCombo is not allowed as Program has non-default CategoryCombo.",
    /// Event date before a category option's start.
    E1056 = "Event date: `{0}` is before start date: `{1}` for AttributeOption: `{2}`.",
    /// Event date after a category option's end.
    E1057 = "Event date: `{0}` is after end date: `{1}` for AttributeOption: `{2}` in Program: `{3}`.",
    /// UPDATE/DELETE of a missing tracked entity.
    E1063 = "TrackedEntity: `{0}`, does not exist.",
    /// A unique attribute value used twice.
    E1064 = "Non-unique attribute value `{0}` for attribute `{1}`.",
    /// Enrollment's tracked entity not found.
    E1068 = "Could not find TrackedEntity: `{0}` linked to Enrollment.",
    /// Enrollment program not found.
    E1069 = "Could not find Program: `{0}` linked to Enrollment.",
    /// Enrollment org unit not found.
    E1070 = "Could not find OrganisationUnit: `{0}` linked to Enrollment.",
    /// Geometry without a feature type.
    E1074 = "FeatureType is missing.",
    /// Enrollment attribute without its attribute.
    E1075 = "Attribute: `{0}`, is missing uid.",
    /// A mandatory value sent empty.
    E1076 = "`{0}` `{1}` is mandatory and cannot be null",
    /// An attribute value longer than 1200 characters.
    E1077 = "Attribute: `{0}`, text value exceed the maximum allowed length: `{0}`.",
    /// Event program differs from its enrollment's.
    E1079 = "Event: `{0}`, program: `{1}` is different from program defined in enrollment `{2}`.",
    /// CREATE of an existing enrollment.
    E1080 = "Enrollment: `{0}`, already exists.",
    /// UPDATE/DELETE of a missing enrollment.
    E1081 = "Enrollment: `{0}`, do not exist.",
    /// A write to a deleted event.
    E1082 = "Event: `{0}`, is already deleted and cannot be modified.",
    /// Stage not in the event's program.
    E1089 = "Event: `{0}`, references a Program Stage `{1}` that does not belong to Program `{2}`.",
    /// A mandatory tracked entity type attribute missing.
    E1090 = "Attribute: `{0}` is mandatory in TrackedEntityType `{1}` but not found in TrackedEntity `{2}`.",
    /// A write to a deleted enrollment.
    E1113 = "Enrollment: `{0}` is already deleted and cannot be modified.",
    /// A write to a deleted tracked entity.
    E1114 = "TrackedEntity: `{0}` is already deleted and cannot be modified.",
    /// AOC not found.
    E1115 = "Could not find CategoryOptionCombo: `{0}`.",
    /// Category option not found.
    E1116 = "Could not find CategoryOption: `{0}`.",
    /// No (single) AOC for the options.
    E1117 = "CategoryOptionCombo not found for CategoryCombo `{0}` and CategoryOptions `{1}`.",
    /// Assigned user unknown.
    E1118 = "Assigned User `{0}` is not valid.",
    /// A note UID that exists (warning).
    E1119 = "A Note with UID `{0}` already exists.",
    /// User assignment on a stage without it (warning).
    E1120 = "ProgramStage `{0}` does not allow user assignment.",
    /// Missing tracked entity property.
    E1121 = "Missing required trackedEntity property: `{0}`.",
    /// Missing enrollment property.
    E1122 = "Missing required enrollment property: `{0}`.",
    /// Missing event property.
    E1123 = "Missing required event property: `{0}`.",
    /// Missing relationship property.
    E1124 = "Missing required relationship property: `{0}`.",
    /// Not an option code.
    E1125 = "Value `{0}` is not a valid option code in OptionSet `{1}`.",
    /// UPDATE changes the tracked entity type.
    E1126 = "Not allowed to update trackedEntity property: {0}.",
    /// UPDATE changes the enrollment's program or tracked entity.
    E1127 = "Not allowed to update enrollment property: {0}.",
    /// UPDATE changes the event's stage or enrollment.
    E1128 = "Not allowed to update event property: {0}.",
    /// Data value of the wrong value type.
    E1302 = "DataElement `{0}` is not valid: `{1}`.",
    /// A compulsory data element missing.
    E1303 = "Mandatory DataElement `{0}` is not present.",
    /// Data element not found.
    E1304 = "DataElement `{0}` is not a valid DataElement.",
    /// Data element not in the stage.
    E1305 = "DataElement `{0}` is not part of ProgramStage `{1}`.",
    /// Event of an enrollment without tracked entity.
    E1313 = "Event `{0}` of an Enrollment does not reference a TrackedEntity.",
    /// Data values on a SCHEDULE/OVERDUE/SKIPPED event.
    E1315 = "Status `{0}` does not allow creating data values, allow statuses: {1}.",
    /// A status transition DHIS2 refuses.
    E1316 = "Event cannot transition from status `{0}` to status `{1}`.",
    /// Update of a completed event of a stage that blocks the form.
    E1326 = "Event `{0}` is completed and its ProgramStage blocks the entry form after completion. Reopen the Event before updating.",
    /// A relationship to itself.
    E4000 = "Relationship: `{0}` cannot link to itself.",
    /// An item naming zero or several objects.
    E4001 = "RelationshipItem `{0}` for Relationship `{1}` is invalid as an item must be associated with exactly one of TrackedEntity, Enrollment, Event.",
    /// Relationship type not found.
    E4006 = "Could not find RelationshipType: `{0}`.",
    /// An item of the wrong kind.
    E4010 = "RelationshipType `{0}` constraint requires a {1} but a {2} was found.",
    /// An item that exists nowhere.
    E4012 = "Could not find `{0}`: `{1}`, linked to relationship.",
    /// A tracked entity of the wrong type.
    E4014 = "RelationshipType `{0}` constraint requires TrackedEntityType `{1}` but `{2}` was found.",
    /// A relationship that exists (error on CREATE, warning otherwise).
    E4015 = "Relationship: `{0}` already exists.",
    /// UPDATE/DELETE of a missing relationship.
    E4016 = "Relationship: `{0}` do not exist.",
    /// A write to a deleted relationship.
    E4017 = "Relationship: `{0}` is already deleted and cannot be modified.",
    /// The same link stored already.
    E4018 = "Relationship: `{0}` linking {1}: `{2}` to {3}: `{4}` already exists.",
    /// A child of an invalid parent.
    E5000 = "{0} `{1}` cannot be created because {2} `{3}` referenced by it could not be created.",
}

impl ValidationCode {
    /// The template with `args` in place of `{0}`, `{1}`… (as `MessageFormat` fills it; a
    /// missing argument stays as its placeholder).
    pub fn message(self, args: &[String]) -> String {
        let template = self.template();
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            out.push_str(before);
            let close = after.find('}');
            let index = close
                .and_then(|c| after.get(1..c))
                .and_then(|n| n.parse::<usize>().ok());
            match (index, close) {
                (Some(i), Some(c)) => {
                    match args.get(i) {
                        Some(arg) => out.push_str(arg),
                        None => out.push_str(after.get(..=c).unwrap_or_default()),
                    }
                    rest = after.get(c + 1..).unwrap_or_default();
                }
                _ => {
                    out.push('{');
                    rest = after.get(1..).unwrap_or_default();
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for ValidationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_like_message_format() {
        let args = ["Q9GufDoplCL".to_owned()];
        assert_eq!(
            ValidationCode::E1005.message(&args),
            "Could not find TrackedEntityType: `Q9GufDoplCL`."
        );
        assert_eq!(
            ValidationCode::E1077.message(&["x".to_owned()]),
            "Attribute: `x`, text value exceed the maximum allowed length: `x`."
        );
        assert_eq!(
            ValidationCode::E1126.message(&["trackedEntityType".to_owned()]),
            "Not allowed to update trackedEntity property: trackedEntityType."
        );
        assert_eq!(ValidationCode::E4018.code(), "E4018");
        assert_eq!(
            ValidationCode::E1031.message(&[]),
            "Event occurredAt date is missing."
        );
    }
}
