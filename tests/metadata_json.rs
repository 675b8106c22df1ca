//! Behaviour tests of `dxf2_json::metadata`: DXF2 metadata JSON documents into a `Metadata`
//! catalogue (DHIS2 corpus files, a hand-written document with every supported field, merging,
//! and errors that name the object and the field).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;

use dxf2_json::metadata::{read_metadata, read_metadata_into, MetadataError, ObjectRef};
use dxf2_model::metadata::{
    Attribute, Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement,
    DataElementGroup, DataInputPeriod, DataSet, DataSetElement, Identity, NaiveDate, NaiveDateTime,
    NaiveTime, OptionItem, OptionSet, OrganisationUnit, OrganisationUnitGroup, Sharing, User,
    DEFAULT_CATEGORY_COMBO_UID, DEFAULT_CATEGORY_OPTION_UID, DEFAULT_CATEGORY_UID,
};
use dxf2_model::{Metadata, Period, PeriodType, Uid, ValueType, DEFAULT_CATEGORY_OPTION_COMBO_UID};

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn uids(list: &[&str]) -> Vec<Uid> {
    list.iter().map(|s| uid(s)).collect()
}

fn ident(id: &str, code: Option<&str>, name: Option<&str>) -> Identity {
    Identity {
        code: code.map(str::to_owned),
        name: name.map(str::to_owned),
        ..Identity::new(uid(id))
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn date_time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDateTime::new(date(y, mo, d), NaiveTime::from_hms_opt(h, mi, s).unwrap())
}

fn value_type(name: &str) -> ValueType {
    ValueType::from_name(name).unwrap()
}

fn load_corpus(rel: &str) -> Option<Metadata> {
    let path = common::corpus_file(rel)?;
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(read_metadata(file).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn e2e_aggregate_metadata_loads() {
    let Some(m) = load_corpus("metadata/e2e_aggregate_metadata.json") else {
        return;
    };

    assert_eq!(m.data_elements().len(), 75);
    assert_eq!(m.data_sets().len(), 2);
    // 12 in the file, plus the default combo added by `ensure_defaults` (the file refers to the
    // default category combo by UID but does not contain the default objects).
    assert_eq!(m.category_option_combos().len(), 12 + 1);
    assert_eq!(m.category_combos().len(), 3 + 1);
    assert_eq!(m.categories().len(), 3 + 1);
    assert_eq!(m.category_options().len(), 8 + 1);
    assert_eq!(m.data_element_groups().len(), 7);
    assert!(
        m.org_units().is_empty()
            && m.users().is_empty()
            && m.option_sets().is_empty()
            && m.attributes().is_empty()
    );
    assert_eq!(
        m.default_category_option_combo().map(|c| c.id.uid.as_str()),
        Some(DEFAULT_CATEGORY_OPTION_COMBO_UID)
    );
    assert_eq!(
        m.data_elements()
            .iter()
            .filter(|d| d.value_type == value_type("BOOLEAN"))
            .count(),
        9
    );
    assert_eq!(
        m.data_elements()
            .iter()
            .filter(|d| d.category_combo.as_str() == DEFAULT_CATEGORY_COMBO_UID)
            .count(),
        35
    );

    let de = m.data_element(&uid("tpz77FcntKx")).unwrap();
    assert_eq!(
        de,
        &DataElement {
            id: ident(
                "tpz77FcntKx",
                Some("TA_GEN_EXT_FUND"),
                Some("TA External funding")
            ),
            value_type: value_type("INTEGER_ZERO_OR_POSITIVE"),
            aggregation_type: "SUM".into(),
            domain_type: "AGGREGATE".into(),
            zero_is_significant: true,
            category_combo: uid(DEFAULT_CATEGORY_COMBO_UID),
            option_set: None,
            comment_option_set: None,
            sharing: Sharing {
                public: Some("--------".into()),
                users: vec![],
                user_groups: vec![(uid("OPVIvvXzNTw"), "rwrw----".into())],
            },
        }
    );

    let annual = m.data_set(&uid("qNtxTrp56wV")).unwrap();
    assert_eq!(annual.period_type, PeriodType::Yearly);
    assert_eq!(annual.id.name.as_deref(), Some("TA Malaria annual data"));
    assert_eq!(annual.elements.len(), 7);
    assert_eq!(
        annual.org_units,
        uids(&["ImspTQPwCqd", "O6uvpzGd5pu", "g8upMTyEZGZ", "YuQRtpLP10I"])
    );
    assert_eq!(annual.category_combo.as_str(), DEFAULT_CATEGORY_COMBO_UID);
    // Category combo overrides of data set elements are kept as written.
    assert_eq!(
        annual.elements[2],
        DataSetElement {
            data_element: uid("dFaBg0HpoIL"),
            category_combo: Some(uid("BwnnrV1AkNj"))
        }
    );
    assert_eq!(
        annual.elements[0],
        DataSetElement {
            data_element: uid("FRbgzTZ74Hh"),
            category_combo: Some(uid(DEFAULT_CATEGORY_COMBO_UID))
        }
    );
    assert!(annual.data_input_periods.is_empty());

    let monthly = m.data_set(&uid("VEM58nY22sO")).unwrap();
    assert_eq!(monthly.period_type, PeriodType::Monthly);
    assert_eq!(monthly.id.code.as_deref(), Some("MAL_EL"));
    assert_eq!(monthly.elements.len(), 66);
    assert_eq!(
        monthly
            .elements
            .iter()
            .filter(|e| e.category_combo == Some(uid("IvYR8mc6prX")))
            .count(),
        26
    );
    assert_eq!((monthly.expiry_days, monthly.open_future_periods), (0, 12));

    let coc = m.category_option_combo(&uid("t5FrQ0GTvGf")).unwrap();
    assert_eq!(
        coc,
        &CategoryOptionCombo {
            id: ident("t5FrQ0GTvGf", None, Some("TA 0-4 years, Female")),
            category_combo: uid("IvYR8mc6prX"),
            options: uids(&["UPvKbcqTEY3", "FFA9e1yIXCT"]),
            ignore_approval: false,
        }
    );
    let combo = m.category_combo(&uid("IvYR8mc6prX")).unwrap();
    assert_eq!(combo.categories, uids(&["mFoasCYViMW", "FRwO58KwwJt"]));
    assert_eq!(combo.data_dimension_type, "DISAGGREGATION");
    assert_eq!(
        m.category(&uid("FRwO58KwwJt")).unwrap().options,
        uids(&["MP15bHaQh2x", "FFA9e1yIXCT"])
    );
    assert_eq!(
        m.category_option(&uid("UPvKbcqTEY3"))
            .unwrap()
            .id
            .code
            .as_deref(),
        Some("TA_P0Y--P5Y")
    );
    assert_eq!(
        m.data_element_group(&uid("ri242cU0Sm5"))
            .unwrap()
            .data_elements
            .len(),
        74
    );

    // Defaults, with DHIS2's well-known UIDs.
    assert_eq!(
        m.category_combo(&uid(DEFAULT_CATEGORY_COMBO_UID))
            .unwrap()
            .categories,
        uids(&[DEFAULT_CATEGORY_UID])
    );
    assert_eq!(
        m.category(&uid(DEFAULT_CATEGORY_UID)).unwrap().options,
        uids(&[DEFAULT_CATEGORY_OPTION_UID])
    );
}

#[test]
fn simple_metadata_loads() {
    let Some(m) = load_corpus("metadata/simple_metadata.json") else {
        return;
    };

    assert_eq!(m.org_units().len(), 1);
    assert_eq!(m.data_elements().len(), 2);
    assert_eq!(m.data_sets().len(), 1);
    assert_eq!(m.users().len(), 1);
    assert_eq!(m.category_option_combos().len(), 1, "only the default");

    assert_eq!(
        m.org_units()[0],
        OrganisationUnit {
            id: ident("PdWlltZnVZe", Some("OrgUnitCodeA"), Some("OrgUnitA")),
            parent: None,
            opening_date: Some(date(2016, 2, 17)),
            closed_date: None,
        }
    );
    assert_eq!(
        m.org_unit_path(&uid("PdWlltZnVZe")).unwrap().to_string(),
        "/PdWlltZnVZe"
    );
    let ds = m.data_set(&uid("DSaKQTwN4qg")).unwrap();
    assert_eq!(ds.period_type, PeriodType::Monthly);
    assert_eq!(ds.id.code.as_deref(), Some("DataSetCodeA"));
    assert_eq!(
        ds.elements,
        vec![
            DataSetElement {
                data_element: uid("SG4HuKlNEFH"),
                category_combo: None
            },
            DataSetElement {
                data_element: uid("CCwk5Yx440o"),
                category_combo: None
            },
        ]
    );
    assert_eq!(ds.org_units, uids(&["PdWlltZnVZe"]));
    assert_eq!(
        ds.category_combo.as_str(),
        DEFAULT_CATEGORY_COMBO_UID,
        "null categoryCombo is the default"
    );
    assert_eq!(
        ds.sharing,
        Sharing {
            public: Some("rw------".into()),
            ..Sharing::default()
        }
    );

    let de = m.data_element(&uid("SG4HuKlNEFH")).unwrap();
    assert_eq!(de.id.code.as_deref(), Some("DataElementCodeA"));
    assert_eq!(de.value_type, value_type("TEXT"));
    assert_eq!(de.category_combo.as_str(), DEFAULT_CATEGORY_COMBO_UID);

    let user = m.user_by_username("metadataadmin").unwrap();
    assert_eq!(user.id.uid.as_str(), "ueKaFVdR8Fz");
    assert_eq!(
        user.id.name.as_deref(),
        Some("metadata admin metadata admin")
    );
    assert_eq!(user.org_units, uids(&["PdWlltZnVZe"]));
    assert!(user.data_view_org_units.is_empty());
    assert!(user.is_superuser());
    assert_eq!(user.authorities.len(), 24);
    assert!(user.has_authority("F_METADATA_IMPORT"));
}

/// Every field the reader supports, in one document.
const FULL: &str = r#"{
  "system": {"id": "x", "version": "2.40", "date": "2024-01-01T00:00:00.000"},
  "date": "2024-01-01",
  "indicators": [{"id": "Uvn6LCg7dVU", "name": "ignored"}],
  "attributes": [
    {"id": "uh6H2ff562G", "name": "External id", "code": "EXT", "valueType": "TEXT", "unique": true,
     "dataElementAttribute": true},
    {"id": "pl4inAttr01", "name": "Note", "valueType": "LONG_TEXT"}
  ],
  "organisationUnits": [
    {"id": "ouChild0001", "name": "Child", "shortName": "Child", "code": "OU_CHILD",
     "parent": {"id": "ouRoot00001"}, "openingDate": "2020-01-01",
     "closedDate": "2021-06-30T23:30:00.000-0200", "path": "/whatever",
     "attributeValues": {"uh6H2ff562G": {"value": "ext-child"}}},
    null,
    {"id": "ouRoot00001", "name": "Root", "openingDate": "19700101", "code": ""}
  ],
  "dataElements": [
    {"id": "deFull00001", "code": "DE_FULL", "name": "Full", "shortName": "Full", "formName": "F",
     "valueType": "INTEGER", "aggregationType": "AVERAGE", "domainType": "AGGREGATE",
     "zeroIsSignificant": true, "categoryCombo": {"id": "ccAgeSex001"},
     "optionSet": {"id": "osColor0001"}, "commentOptionSet": {"id": "osComment01", "name": "ignored"},
     "attributeValues": [{"attribute": {"id": "uh6H2ff562G"}, "value": "ext-de"},
                         {"attribute": {"id": "pl4inAttr01"}, "value": 7},
                         {"attribute": {"id": "pl4inAttr01"}, "value": ""}],
     "sharing": {"owner": "usAdmin0001", "public": "rw------", "external": false,
                 "users": {"usClerk0001": {"id": "usClerk0001", "access": "rwrw----"}},
                 "userGroups": {"ugClerks001": {"access": "r-r-----"}}},
     "legendSets": [], "aggregationLevels": [], "translations": []},
    {"id": "deMinimal01", "valueType": "TEXT", "categoryCombo": null}
  ],
  "categoryOptions": [
    {"id": "coFemale001", "name": "Female", "code": "F", "startDate": "2020-01-01",
     "endDate": "2030-12-31T00:00:00.000", "organisationUnits": [{"id": "ouRoot00001"}],
     "sharing": {"public": "rwrw----", "users": {}, "userGroups": {}}},
    {"id": "coMale00001", "name": "Male", "code": "M"}
  ],
  "categories": [
    {"id": "caSex000001", "name": "Sex", "dataDimensionType": "DISAGGREGATION",
     "categoryOptions": [{"id": "coFemale001"}, {"id": "coMale00001"}]}
  ],
  "categoryCombos": [
    {"id": "ccAgeSex001", "name": "Sex", "dataDimensionType": "ATTRIBUTE", "categories": [{"id": "caSex000001"}]}
  ],
  "categoryOptionCombos": [
    {"id": "cocFemale01", "name": "Female", "categoryCombo": {"id": "ccAgeSex001"},
     "categoryOptions": [{"id": "coFemale001"}], "ignoreApproval": true},
    {"id": "cocMale0001", "categoryOptions": [{"id": "coMale00001"}]}
  ],
  "dataSets": [
    {"id": "dsFull00001", "name": "Full set", "code": "DS_FULL", "periodType": "Monthly",
     "dataSetElements": [
       {"id": "ignoredDse1", "dataElement": {"id": "deFull00001"}, "dataSet": {"id": "dsFull00001"}},
       {"dataElement": {"id": "deMinimal01"}, "categoryCombo": {"id": "ccAgeSex001"}}
     ],
     "organisationUnits": [{"id": "ouRoot00001"}, {"id": "ouChild0001"}],
     "categoryCombo": {"id": "ccAgeSex001"},
     "expiryDays": 5.0, "openFuturePeriods": 2, "openPeriodsAfterCoEndDate": 1,
     "dataInputPeriods": [
       {"period": {"id": "202001"}, "openingDate": "2020-01-01T00:00:00.000", "closingDate": "2020-02-10T12:30:00.000+0000"},
       {"period": {"id": "202002"}}
     ],
     "noValueRequiresComment": true, "workflow": {"id": "wfApprove01"},
     "sharing": {"public": "rwrw----", "userGroups": {"ugClerks001": {"id": "ugClerks001", "access": "rwrw----"}}}}
  ],
  "optionSets": [
    {"id": "osColor0001", "name": "Colour", "code": "COLOR", "valueType": "TEXT",
     "options": [{"id": "opBlue00001"}, {"id": "opRed000001"}]},
    {"id": "osComment01", "name": "Comment", "valueType": "TEXT",
     "options": [{"id": "opOk0000001", "code": "OK", "name": "Fine"}]}
  ],
  "options": [
    {"id": "opRed000001", "code": "RED", "name": "Red", "optionSet": {"id": "osColor0001"}, "sortOrder": 1},
    {"id": "opGreen0001", "code": "GREEN", "name": "Green", "optionSet": {"id": "osColor0001"}},
    {"id": "opBlue00001", "code": "BLUE", "name": "Blue", "optionSet": {"id": "osColor0001"}, "sortOrder": 0}
  ],
  "dataElementGroups": [
    {"id": "degAll00001", "name": "All", "dataElements": [{"id": "deFull00001"}, {"id": "deMinimal01"}]}
  ],
  "organisationUnitGroups": [
    {"id": "ougAll00001", "name": "All units", "code": "ALL", "organisationUnits": [{"id": "ouChild0001"}]}
  ],
  "users": [
    {"id": "usClerk0001", "firstName": "Data", "surname": "Clerk",
     "userCredentials": {"username": "clerk", "userRoles": [{"id": "urEntry0001"}]},
     "organisationUnits": [{"id": "ouChild0001"}], "dataViewOrganisationUnits": [{"id": "ouRoot00001"}],
     "userGroups": [{"id": "ugClerks001"}]},
    {"id": "usAdmin0001", "name": "The Admin", "username": "admin", "userRoles": [{"id": "urSuper0001"}, {"id": "urEntry0001"}],
     "authorities": ["F_EXTRA", "ALL"], "organisationUnits": [{"id": "ouRoot00001"}]}
  ],
  "userRoles": [
    {"id": "urEntry0001", "name": "Entry", "authorities": ["F_DATAVALUE_ADD", "M_dhis-web-aggregate-data-entry"]},
    {"id": "urSuper0001", "name": "Super", "authorities": ["ALL"]}
  ]
}"#;

#[test]
fn full_document_loads_exactly() {
    let m = read_metadata(FULL.as_bytes()).unwrap();
    let ext = uid("uh6H2ff562G");
    let note = uid("pl4inAttr01");

    assert_eq!(
        m.attributes(),
        vec![
            Attribute {
                id: ident("uh6H2ff562G", Some("EXT"), Some("External id")),
                value_type: value_type("TEXT"),
                unique: true
            },
            Attribute {
                id: ident("pl4inAttr01", None, Some("Note")),
                value_type: value_type("LONG_TEXT"),
                unique: false
            },
        ]
    );
    assert_eq!(
        m.org_units(),
        vec![
            OrganisationUnit {
                id: Identity {
                    attribute_values: vec![(ext, "ext-child".into())],
                    ..ident("ouChild0001", Some("OU_CHILD"), Some("Child"))
                },
                parent: Some(uid("ouRoot00001")),
                opening_date: Some(date(2020, 1, 1)),
                // Date-only: the date part as written, whatever the offset.
                closed_date: Some(date(2021, 6, 30)),
            },
            OrganisationUnit {
                id: ident("ouRoot00001", None, Some("Root")),
                parent: None,
                opening_date: Some(date(1970, 1, 1)),
                closed_date: None,
            },
        ]
    );
    assert_eq!(
        m.data_elements(),
        vec![
            DataElement {
                id: Identity {
                    attribute_values: vec![(ext, "ext-de".into()), (note, "7".into())],
                    ..ident("deFull00001", Some("DE_FULL"), Some("Full"))
                },
                value_type: value_type("INTEGER"),
                aggregation_type: "AVERAGE".into(),
                domain_type: "AGGREGATE".into(),
                zero_is_significant: true,
                category_combo: uid("ccAgeSex001"),
                option_set: Some(uid("osColor0001")),
                comment_option_set: Some(uid("osComment01")),
                sharing: Sharing {
                    public: Some("rw------".into()),
                    users: vec![(uid("usClerk0001"), "rwrw----".into())],
                    user_groups: vec![(uid("ugClerks001"), "r-r-----".into())],
                },
            },
            DataElement {
                id: ident("deMinimal01", None, None),
                value_type: value_type("TEXT"),
                aggregation_type: "SUM".into(),
                domain_type: "AGGREGATE".into(),
                zero_is_significant: false,
                category_combo: uid(DEFAULT_CATEGORY_COMBO_UID),
                option_set: None,
                comment_option_set: None,
                sharing: Sharing::default(),
            },
        ]
    );
    assert_eq!(
        m.category_options()[..2],
        [
            CategoryOption {
                id: ident("coFemale001", Some("F"), Some("Female")),
                start_date: Some(date(2020, 1, 1)),
                end_date: Some(date(2030, 12, 31)),
                org_units: uids(&["ouRoot00001"]),
                sharing: Sharing {
                    public: Some("rwrw----".into()),
                    ..Sharing::default()
                },
            },
            CategoryOption {
                id: ident("coMale00001", Some("M"), Some("Male")),
                start_date: None,
                end_date: None,
                org_units: vec![],
                sharing: Sharing::default(),
            },
        ]
    );
    assert_eq!(
        m.categories()[0],
        Category {
            id: ident("caSex000001", None, Some("Sex")),
            data_dimension_type: "DISAGGREGATION".into(),
            options: uids(&["coFemale001", "coMale00001"]),
        }
    );
    assert_eq!(
        m.category_combos()[0],
        CategoryCombo {
            id: ident("ccAgeSex001", None, Some("Sex")),
            data_dimension_type: "ATTRIBUTE".into(),
            categories: uids(&["caSex000001"]),
        }
    );
    assert_eq!(
        m.category_option_combos()[..2],
        [
            CategoryOptionCombo {
                id: ident("cocFemale01", None, Some("Female")),
                category_combo: uid("ccAgeSex001"),
                options: uids(&["coFemale001"]),
                ignore_approval: true,
            },
            CategoryOptionCombo {
                id: ident("cocMale0001", None, None),
                category_combo: uid(DEFAULT_CATEGORY_COMBO_UID),
                options: uids(&["coMale00001"]),
                ignore_approval: false,
            },
        ]
    );
    // Defaults were added after the document's objects.
    assert_eq!(m.category_options().len(), 3);
    assert_eq!(m.category_option_combos().len(), 3);
    assert_eq!(
        m.default_category_option_combo().map(|c| c.id.uid.as_str()),
        Some(DEFAULT_CATEGORY_OPTION_COMBO_UID)
    );

    assert_eq!(
        m.data_sets(),
        vec![DataSet {
            id: ident("dsFull00001", Some("DS_FULL"), Some("Full set")),
            period_type: PeriodType::Monthly,
            elements: vec![
                DataSetElement {
                    data_element: uid("deFull00001"),
                    category_combo: None
                },
                DataSetElement {
                    data_element: uid("deMinimal01"),
                    category_combo: Some(uid("ccAgeSex001"))
                },
            ],
            org_units: uids(&["ouRoot00001", "ouChild0001"]),
            category_combo: uid("ccAgeSex001"),
            expiry_days: 5,
            open_future_periods: 2,
            open_periods_after_co_end_date: 1,
            data_input_periods: vec![
                DataInputPeriod {
                    period: Period::parse("202001").unwrap(),
                    opening_date: Some(date_time(2020, 1, 1, 0, 0, 0)),
                    closing_date: Some(date_time(2020, 2, 10, 12, 30, 0)),
                },
                DataInputPeriod {
                    period: Period::parse("202002").unwrap(),
                    opening_date: None,
                    closing_date: None
                },
            ],
            no_value_requires_comment: true,
            workflow: Some(uid("wfApprove01")),
            sharing: Sharing {
                public: Some("rwrw----".into()),
                users: vec![],
                user_groups: vec![(uid("ugClerks001"), "rwrw----".into())],
            },
        }]
    );
    let option = |id: &str, code: &str, name: &str| OptionItem {
        id: ident(id, Some(code), Some(name)),
    };
    assert_eq!(
        m.option_sets(),
        vec![
            OptionSet {
                id: ident("osColor0001", Some("COLOR"), Some("Colour")),
                value_type: value_type("TEXT"),
                // The set's order, then the unlisted option of the set.
                options: vec![
                    option("opBlue00001", "BLUE", "Blue"),
                    option("opRed000001", "RED", "Red"),
                    option("opGreen0001", "GREEN", "Green"),
                ],
            },
            OptionSet {
                id: ident("osComment01", None, Some("Comment")),
                value_type: value_type("TEXT"),
                options: vec![option("opOk0000001", "OK", "Fine")],
            },
        ]
    );
    assert_eq!(
        m.data_element_groups(),
        vec![DataElementGroup {
            id: ident("degAll00001", None, Some("All")),
            data_elements: uids(&["deFull00001", "deMinimal01"]),
        }]
    );
    assert_eq!(
        m.org_unit_groups(),
        vec![OrganisationUnitGroup {
            id: ident("ougAll00001", Some("ALL"), Some("All units")),
            org_units: uids(&["ouChild0001"]),
        }]
    );
    assert_eq!(
        m.users(),
        vec![
            User {
                id: ident("usClerk0001", None, Some("Data Clerk")),
                username: "clerk".into(),
                org_units: uids(&["ouChild0001"]),
                data_view_org_units: uids(&["ouRoot00001"]),
                authorities: vec![
                    "F_DATAVALUE_ADD".into(),
                    "M_dhis-web-aggregate-data-entry".into()
                ],
                user_groups: uids(&["ugClerks001"]),
            },
            User {
                id: ident("usAdmin0001", None, Some("The Admin")),
                username: "admin".into(),
                org_units: uids(&["ouRoot00001"]),
                data_view_org_units: vec![],
                authorities: vec![
                    "F_EXTRA".into(),
                    "ALL".into(),
                    "F_DATAVALUE_ADD".into(),
                    "M_dhis-web-aggregate-data-entry".into(),
                ],
                user_groups: vec![],
            },
        ]
    );
    assert!(m.user_by_username("admin").unwrap().is_superuser());
    assert!(!m.user_by_username("clerk").unwrap().is_superuser());
}

#[test]
fn documents_merge_and_later_objects_replace() {
    let mut m = Metadata::new();
    read_metadata_into(FULL.as_bytes(), &mut m).unwrap();
    let update = r#"{
      "dataElements": [{"id": "deMinimal01", "name": "Renamed", "valueType": "NUMBER"},
                       {"id": "deNew000001", "valueType": "TEXT"}],
      "organisationUnits": [{"id": "ouGrandChld", "name": "Grandchild", "parent": {"id": "ouChild0001"}}],
      "optionSets": [{"id": "osReuse0001", "valueType": "TEXT", "options": [{"id": "opRed000001"}]}]
    }"#;
    read_metadata_into(update.as_bytes(), &mut m).unwrap();
    assert_eq!(m.data_elements().len(), 3);
    let renamed = m.data_element(&uid("deMinimal01")).unwrap();
    assert_eq!(
        (renamed.id.name.as_deref(), renamed.value_type),
        (Some("Renamed"), value_type("NUMBER"))
    );
    assert_eq!(
        m.org_unit_path(&uid("ouGrandChld")).unwrap().to_string(),
        "/ouRoot00001/ouChild0001/ouGrandChld"
    );
    assert_eq!(m.org_unit_level(&uid("ouGrandChld")), Some(3));
    assert!(m.is_org_unit_within(&uid("ouGrandChld"), &uid("ouRoot00001")));
    // An option of an option set read earlier can be listed by a later document.
    assert_eq!(
        m.option_set(&uid("osReuse0001")).unwrap().options[0]
            .id
            .code
            .as_deref(),
        Some("RED")
    );
    // Defaults are not duplicated.
    assert_eq!(
        m.category_option_combos()
            .iter()
            .filter(|c| c.id.name.as_deref() == Some("default"))
            .count(),
        1
    );

    // A failing document changes nothing.
    let before = m.data_elements().to_vec();
    let bad = r#"{"dataElements": [{"id": "deMinimal01", "valueType": "TEXT"}, {"id": "deBad000001", "valueType": "NOPE"}]}"#;
    assert!(read_metadata_into(bad.as_bytes(), &mut m).is_err());
    assert_eq!(m.data_elements(), before);
}

/// `(document, top-level key, index, id, field)` of documents that must be refused.
const REFUSED: &[(&str, &str, usize, Option<&str>, &str)] = &[
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "NUMBR"}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "valueType",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1"}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "valueType",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "TEXT", "aggregationType": "TOTAL"}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "aggregationType",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "TEXT", "domainType": "EVENT"}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "domainType",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "TEXT", "categoryCombo": {"code": "X"}}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "categoryCombo.id",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "TEXT", "attributeValues": [{"value": "x"}]}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "attributeValues[0].attribute.id",
    ),
    (
        r#"{"dataElements": [{"id": "deAAAAAAAA1", "valueType": "TEXT", "sharing": {"users": {"bad": {"access": "rw------"}}}}]}"#,
        "dataElements",
        0,
        Some("deAAAAAAAA1"),
        "sharing.users.bad",
    ),
    (
        r#"{"dataSets": [{"id": "dsAAAAAAAA1", "periodType": "Monthy"}]}"#,
        "dataSets",
        0,
        Some("dsAAAAAAAA1"),
        "periodType",
    ),
    (
        r#"{"dataSets": [{"id": "dsAAAAAAAA1"}]}"#,
        "dataSets",
        0,
        Some("dsAAAAAAAA1"),
        "periodType",
    ),
    (
        r#"{"dataSets": [{"id": "dsAAAAAAAA1", "periodType": "Monthly", "dataSetElements": [{"dataElement": {"id": "deAAAAAAAA1"}}, {"categoryCombo": {"id": "ccAAAAAAAA1"}}]}]}"#,
        "dataSets",
        0,
        Some("dsAAAAAAAA1"),
        "dataSetElements[1].dataElement",
    ),
    (
        r#"{"dataSets": [{"id": "dsAAAAAAAA1", "periodType": "Monthly", "dataInputPeriods": [{"period": {"id": "2020M13"}}]}]}"#,
        "dataSets",
        0,
        Some("dsAAAAAAAA1"),
        "dataInputPeriods[0].period",
    ),
    (
        r#"{"dataSets": [{"id": "dsAAAAAAAA1", "periodType": "Monthly", "dataInputPeriods": [{"period": {"id": "202001"}, "closingDate": "next week"}]}]}"#,
        "dataSets",
        0,
        Some("dsAAAAAAAA1"),
        "dataInputPeriods[0].closingDate",
    ),
    (
        r#"{"organisationUnits": [{"id": "ouAAAAAAAA1"}, {"name": "no id"}]}"#,
        "organisationUnits",
        1,
        None,
        "id",
    ),
    (
        r#"{"organisationUnits": [{"id": "ouAAAAAAAA1", "openingDate": "2020-02-30"}]}"#,
        "organisationUnits",
        0,
        Some("ouAAAAAAAA1"),
        "openingDate",
    ),
    (
        r#"{"organisationUnits": [{"id": "not-a-uid"}]}"#,
        "organisationUnits",
        0,
        Some("not-a-uid"),
        "id",
    ),
    (
        r#"{"organisationUnits": [{"id": "ouAAAAAAAA1", "parent": {"id": "short"}}]}"#,
        "organisationUnits",
        0,
        Some("ouAAAAAAAA1"),
        "parent.id",
    ),
    (
        r#"{"categoryOptions": [{"id": "coAAAAAAAA1", "endDate": "31.12.2020"}]}"#,
        "categoryOptions",
        0,
        Some("coAAAAAAAA1"),
        "endDate",
    ),
    (
        r#"{"categories": [{"id": "caAAAAAAAA1", "categoryOptions": [{"id": "coAAAAAAAA1"}, {}]}]}"#,
        "categories",
        0,
        Some("caAAAAAAAA1"),
        "categoryOptions[1].id",
    ),
    (
        r#"{"categoryCombos": [{"id": "ccAAAAAAAA1", "dataDimensionType": "BOTH"}]}"#,
        "categoryCombos",
        0,
        Some("ccAAAAAAAA1"),
        "dataDimensionType",
    ),
    (
        r#"{"attributes": [{"id": "atAAAAAAAA1", "unique": true}]}"#,
        "attributes",
        0,
        Some("atAAAAAAAA1"),
        "valueType",
    ),
    (
        r#"{"optionSets": [{"id": "osAAAAAAAA1", "valueType": "TEXT", "options": [{"id": "opMissing01"}]}]}"#,
        "optionSets",
        0,
        Some("osAAAAAAAA1"),
        "options[0]",
    ),
    (
        r#"{"optionSets": [{"id": "osAAAAAAAA1", "valueType": "TEXT", "options": [{"id": "opAAAAAAAA1", "name": "no code"}]}]}"#,
        "optionSets",
        0,
        Some("osAAAAAAAA1"),
        "options[0].code",
    ),
    (
        r#"{"options": [{"id": "opAAAAAAAA1", "name": "no code"}]}"#,
        "options",
        0,
        Some("opAAAAAAAA1"),
        "code",
    ),
    (
        r#"{"users": [{"id": "usAAAAAAAA1", "firstName": "No", "surname": "Username"}]}"#,
        "users",
        0,
        Some("usAAAAAAAA1"),
        "username",
    ),
    (
        r#"{"users": [{"id": "usAAAAAAAA1", "username": "x", "userRoles": [{"id": "urMissing01"}]}]}"#,
        "users",
        0,
        Some("usAAAAAAAA1"),
        "userRoles[0]",
    ),
];

#[test]
fn malformed_documents_name_object_and_field() {
    for (json, kind, index, id, field) in REFUSED {
        let err = read_metadata(json.as_bytes()).expect_err(json);
        let expected = ObjectRef {
            kind,
            index: *index,
            id: id.map(str::to_owned),
        };
        assert_eq!(err.object(), Some(&expected), "{json}: {err}");
        assert_eq!(err.field(), Some(*field), "{json}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("{kind}[{index}]")) && message.contains(field),
            "{message}"
        );
    }
}

#[test]
fn malformed_json_gives_line_and_column() {
    let json = "{\n  \"dataElements\": [\n    {\"id\": \"deAAAAAAAA1\", \"valueType\": \"TEXT\"},\n    {\"id\": \"deBBBBBBBB1\" \"valueType\": \"TEXT\"}\n  ]\n}";
    match read_metadata(json.as_bytes()).unwrap_err() {
        MetadataError::Json {
            object,
            line,
            column,
            message,
        } => {
            assert_eq!(
                object.as_deref(),
                Some(&ObjectRef {
                    kind: "dataElements",
                    index: 1,
                    id: None
                })
            );
            assert_eq!((line, column), (4, 26));
            assert!(message.contains("expected `,` or `}`"), "{message}");
        }
        other => panic!("unexpected {other}"),
    }
    // A wrong JSON type inside an object.
    let err = read_metadata(
        r#"{"dataSets": [{"id": "dsAAAAAAAA1", "organisationUnits": {"id": "x"}}]}"#.as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, MetadataError::Json { object: Some(o), .. } if o.kind == "dataSets" && o.index == 0),
        "{err}"
    );
    assert!(err.position().is_some());
    // Truncated input and trailing garbage.
    assert!(matches!(
        read_metadata(r#"{"dataElements": [{"id": "#.as_bytes()),
        Err(MetadataError::Json { .. })
    ));
    assert!(matches!(
        read_metadata(r#"{} {}"#.as_bytes()),
        Err(MetadataError::Json { object: None, .. })
    ));
    assert!(matches!(
        read_metadata(&b""[..]),
        Err(MetadataError::Json { .. })
    ));
}

#[test]
fn unknown_keys_nulls_and_empty_strings() {
    let m = read_metadata(
        r#"{"programs": [{"id": 1, "whatever": [null]}], "dataElements": null,
            "organisationUnits": [null, {"id": "ouAAAAAAAA1", "name": "", "code": "", "parent": null,
              "openingDate": "", "geometry": {"type": "Point", "coordinates": [1, 2]}}]}"#
            .as_bytes(),
    )
    .unwrap();
    assert!(m.data_elements().is_empty());
    assert_eq!(
        m.org_units(),
        vec![OrganisationUnit {
            id: Identity::new(uid("ouAAAAAAAA1")),
            parent: None,
            opening_date: None,
            closed_date: None,
        }]
    );
}
