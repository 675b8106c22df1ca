//! Each metadata CSV class: defaults, truncation, quirks and errors, as DHIS2's
//! `DefaultCsvImportService` has them (`metadata-spec.md` §5). The files of DHIS2's
//! `CsvImportServiceTest` (`dhis-test-integration/src/test/resources/csv/`, scenarios G13–G20),
//! which are not in the corpus, are reproduced inline where they are used.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use dxf2_metadata::csv::{
    read_csv, ClassKey, CsvError, CsvOptions, Lookup, NoLookup, UidGenerator,
};
use dxf2_metadata::{Document, Object};
use dxf2_model::Uid;
use serde_json::{json, Value};

fn read_as(options: &CsvOptions, lookup: &dyn Lookup, text: &str) -> Result<Document, CsvError> {
    read_csv(
        text.as_bytes(),
        options,
        lookup,
        &mut UidGenerator::seeded(42),
    )
}

/// `text` as `class`, with a header row, for DHIS2 2.42, against an empty catalogue.
fn read(class: ClassKey, text: &str) -> Result<Document, CsvError> {
    read_as(&CsvOptions::new(class), &NoLookup, text)
}

/// The objects of the class's first collection.
fn objects(class: ClassKey, text: &str) -> Vec<Object> {
    let doc = read(class, text).unwrap();
    doc.objects(class.collection_keys()[0]).to_vec()
}

/// A catalogue holding `objects` (a JSON object of collections).
fn stored(objects: Value) -> Document {
    let mut doc = Document::new();
    for (key, list) in objects.as_object().unwrap() {
        for o in list.as_array().unwrap() {
            doc.push(key, o.as_object().unwrap().clone());
        }
    }
    doc
}

fn member_ids(object: &Object, key: &str) -> Vec<String> {
    object[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

const HEADER: &str = "header\n";

// ---------------------------------------------------------------------------------------------
// DHIS2's CsvImportServiceTest files
// ---------------------------------------------------------------------------------------------

/// G13/G14: `csv/basic_objects.csv` and `csv/basic_objects_no_header.csv` as CATEGORY_OPTION:
/// 3 options, each with a uid, name and short name.
#[test]
fn category_options_with_and_without_header() {
    let rows = "\"Banana\",,\"BANANA\",\"Ban\"\n\"Apple\",,\"APPLE\",\"App\"\n\"Orange\",,\"ORANGE\",\"Ora\"";
    let with_header = format!("name,uid,code,shortname\n{rows}");
    let a = objects(ClassKey::CategoryOption, &with_header);
    let options = CsvOptions::new(ClassKey::CategoryOption).first_row_is_header(false);
    let b = read_as(&options, &NoLookup, rows).unwrap();
    assert_eq!(a.as_slice(), b.objects("categoryOptions"));
    assert_eq!(a.len(), 3);
    for o in &a {
        assert!(Uid::is_valid(o["id"].as_str().unwrap()));
    }
    assert_eq!(a[0]["name"], "Banana");
    assert_eq!(a[0]["code"], "BANANA");
    assert_eq!(a[0]["shortName"], "Ban");
}

/// G15: `csv/org_unit_group_memberships.csv` has no header row but is read with one: its first
/// row is skipped; the row of an unknown group is dropped; an unknown member is kept.
#[test]
fn org_unit_group_memberships_first_row_is_consumed_as_header() {
    let text = "abcdefghijA,ouabcdefghA\nabcdefghijA,ouabcdefghB\nabcdefghijB,ouabcdefghC\n\
                abcdefghijB,invalid\ninvalid,ouabcdefghD\n";
    let catalogue = stored(json!({"organisationUnitGroups": [
        {"id": "abcdefghijA", "name": "Group A", "shortName": "A", "code": "GA"},
        {"id": "abcdefghijB", "name": "Group B", "shortName": "B"}
    ]}));
    let options = CsvOptions::new(ClassKey::OrganisationUnitGroupMembership);
    let doc = read_as(&options, &catalogue, text).unwrap();
    let groups = doc.objects("organisationUnitGroups");
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups[0],
        json!({"id": "abcdefghijA", "name": "Group A", "shortName": "A",
               "organisationUnits": [{"id": "ouabcdefghB"}]})
        .as_object()
        .unwrap()
        .clone()
    );
    assert_eq!(
        member_ids(&groups[1], "organisationUnits"),
        ["ouabcdefghC", "invalid"]
    );
    // Before 2.39 the group carried no short name.
    let old = read_as(&options.clone().dhis2_minor_version(38), &catalogue, text).unwrap();
    assert!(old.objects("organisationUnitGroups")[0]
        .get("shortName")
        .is_none());
}

/// G16: `csv/categories.csv`.
#[test]
fn categories() {
    let text = "Name,UID,Code,Description,DataDimensionType,DataDimension\n\
                Gender,,GENDER,Gender,DISAGGREGATION,true\n\
                \"Age group\",,AGEGROUP,Age group,,\n\
                Partner,,PARTNER,,ATTRIBUTE,true\n";
    let c = objects(ClassKey::Category, text);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0]["name"], "Gender");
    assert_eq!(c[0]["dataDimensionType"], "DISAGGREGATION");
    assert_eq!(c[0]["dataDimension"], true);
    assert_eq!(c[0]["description"], "Gender");
    assert_eq!(c[1]["code"], "AGEGROUP");
    assert_eq!(c[1]["dataDimensionType"], "DISAGGREGATION");
    assert_eq!(c[1]["dataDimension"], false);
    assert_eq!(c[2]["dataDimensionType"], "ATTRIBUTE");
    // No short name column: the importer answers E4000 on shortName, as DHIS2 does.
    assert!(c.iter().all(|o| o.get("shortName").is_none()));
}

/// G17: `csv/category_combos.csv`.
#[test]
fn category_combos() {
    let text = "Name,UID,Code,DataDimensionType,SkipTotal\n\
                Gender and Age,,GENDER,DISAGGREGATION,true\nPartner,,PARTNER,ATTRIBUTE,true\n";
    let c = objects(ClassKey::CategoryCombo, text);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["name"], "Gender and Age");
    assert_eq!(c[0]["dataDimensionType"], "DISAGGREGATION");
    assert_eq!(c[0]["skipTotal"], true);
    assert_eq!(c[1]["dataDimensionType"], "ATTRIBUTE");
    let defaults = objects(ClassKey::CategoryCombo, "h\nCombo\n");
    assert_eq!(defaults[0]["dataDimensionType"], "DISAGGREGATION");
    assert_eq!(defaults[0]["skipTotal"], false);
}

/// G18: `csv/indicators.csv`, with indicator type `sqGRzCziswD` stored.
#[test]
fn indicators() {
    let text = "Name,UID,Code,Description,shortName,denominator,denominatorDescription,numerator,numeratorDescription,annualized,decimals,indicatorType\n\
Indicator A,yiAKjiZVoOU,CodeA,Indicator A description,Indicator A shortname,#{fbfJHSPpUQD.pq2XI5kz2BY}+#{fbfJHSPpUQD.PT59n8BQbqM},denominatorDescription,#{fbfJHSPpUQD.pq2XI5kz2BY}+#{fbfJHSPpUQD.PT59n8BQbqM}-#{Jtf34kNZhzP.pq2XI5kz2BY}-#{Jtf34kNZhzP.PT59n8BQbqM},numeratorDescription,false,2,sqGRzCziswD\n\
Indicator B,Uvn6LCg7dVU,CodeB,Indicator B description,Indicator B shortname,#{fbfJHSPpUQD},denominatorDescription,#{h0xKKjijTdI},numeratorDescription,false,2,sqGRzCziswD";
    let catalogue = stored(json!({"indicatorTypes": [{"id": "sqGRzCziswD", "name": "Per cent"}]}));
    let doc = read_as(&CsvOptions::new(ClassKey::Indicator), &catalogue, text).unwrap();
    let i = doc.objects("indicators");
    assert_eq!(i.len(), 2);
    assert_eq!(i[0]["id"], "yiAKjiZVoOU");
    assert_eq!(i[0]["name"], "Indicator A");
    assert_eq!(i[0]["code"], "CodeA");
    assert_eq!(i[0]["description"], "Indicator A description");
    assert_eq!(i[0]["shortName"], "Indicator A shortname");
    assert_eq!(
        i[0]["denominator"],
        "#{fbfJHSPpUQD.pq2XI5kz2BY}+#{fbfJHSPpUQD.PT59n8BQbqM}"
    );
    assert_eq!(
        i[0]["numerator"],
        "#{fbfJHSPpUQD.pq2XI5kz2BY}+#{fbfJHSPpUQD.PT59n8BQbqM}-#{Jtf34kNZhzP.pq2XI5kz2BY}-#{Jtf34kNZhzP.PT59n8BQbqM}"
    );
    assert_eq!(i[0]["indicatorType"], json!({"id": "sqGRzCziswD"}));
    assert_eq!(i[0]["decimals"], 2);
    assert_eq!(i[0]["annualized"], false);
    assert_eq!(i[1]["name"], "Indicator B");
    assert_eq!(i[1]["code"], "CodeB");
    assert_eq!(i[1]["denominator"], "#{fbfJHSPpUQD}");
    assert_eq!(i[1]["numerator"], "#{h0xKKjijTdI}");
    // Without the stored type the indicator has none (the importer's E4000).
    let alone = objects(ClassKey::Indicator, text);
    assert!(alone[0].get("indicatorType").is_none());
    // Decimals that are no int are 0; the class is new in 2.40.
    let odd = objects(ClassKey::Indicator, "h\nI,,,,,,,,,,2.5\n");
    assert_eq!(odd[0]["decimals"], 0);
    assert_eq!(odd[0]["shortName"], "I");
    let old = read_as(
        &CsvOptions::new(ClassKey::Indicator).dhis2_minor_version(39),
        &NoLookup,
        text,
    );
    assert!(matches!(
        old,
        Err(CsvError::ClassNotInVersion { since: 40, .. })
    ));
}

/// G19: `csv/category_option_group.csv`: a blank type is DISAGGREGATION; the lenient lookup
/// takes any case; an unknown type is left out (E4000 at import). Before 2.41 column 4 is not
/// read.
#[test]
fn category_option_groups() {
    let text = "name,uid,code,shortname,datadimensiontype\nGroupA,,GroupA,,\n\
                GroupB,,GroupB,,disaggregation\nGroupC,,GroupC,,attribute\nGroupD,,,,other";
    let g = objects(ClassKey::CategoryOptionGroup, text);
    let types: Vec<Option<&Value>> = g.iter().map(|o| o.get("dataDimensionType")).collect();
    let (dis, att) = (json!("DISAGGREGATION"), json!("ATTRIBUTE"));
    assert_eq!(types[..3], [Some(&dis), Some(&dis), Some(&att)]);
    assert!(g[3].get("dataDimensionType").is_none());
    assert_eq!(g[0]["shortName"], "GroupA");
    let options = CsvOptions::new(ClassKey::CategoryOptionGroup).dhis2_minor_version(40);
    let old = read_as(&options, &NoLookup, text).unwrap();
    assert!(old.objects("categoryOptionGroups")[2]
        .get("dataDimensionType")
        .is_none());
}

/// G20: a body of `,` with a header row reads to nothing (DHIS2 answers OK).
#[test]
fn a_lone_comma_is_an_empty_document() {
    assert!(read(ClassKey::OrganisationUnit, ",").unwrap().is_empty());
    assert!(read(ClassKey::OrganisationUnit, "").unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// One-object classes: defaults, truncation, errors
// ---------------------------------------------------------------------------------------------

#[test]
fn data_element_columns_and_defaults() {
    let text = format!(
        "{HEADER}Name,Abcdefghij1,CODE,Short,Desc,Form,tracker,NUMBER,AVERAGE,CatCombo123,\
         http://x,TRUE,OptSet12345,ComSet12345\n"
    );
    let de = &objects(ClassKey::DataElement, &text)[0];
    let want = json!({
        "name": "Name", "id": "Abcdefghij1", "code": "CODE", "shortName": "Short",
        "description": "Desc", "formName": "Form", "domainType": "TRACKER",
        "valueType": "NUMBER", "aggregationType": "AVERAGE",
        "categoryCombo": {"id": "CatCombo123"}, "url": "http://x", "zeroIsSignificant": true,
        "optionSet": {"id": "OptSet12345"}, "commentOptionSet": {"id": "ComSet12345"}
    });
    assert_eq!(Value::Object(de.clone()), want);
    // An unknown domain type is left out (E4000 at import).
    let odd = objects(ClassKey::DataElement, "h\nN,,,,,,both\n");
    assert!(odd[0].get("domainType").is_none());
    // A row of blanks: a name-less element with a new uid and every default.
    let blank = objects(ClassKey::DataElement, "h\n   \n");
    assert!(blank[0].get("name").is_none() && blank[0].get("shortName").is_none());
    assert_eq!(blank[0]["valueType"], "INTEGER");
    assert!(Uid::is_valid(blank[0]["id"].as_str().unwrap()));
}

#[test]
fn values_are_cut_to_dhis2s_lengths() {
    let name = "n".repeat(300);
    let text = format!(
        "{HEADER}{name},Abcdefghij12345,{},,,{},,,,CatCombo1234567\n",
        "c".repeat(60),
        "f".repeat(231)
    );
    let de = &objects(ClassKey::DataElement, &text)[0];
    assert_eq!(de["name"].as_str().unwrap().len(), 230);
    assert_eq!(de["id"], "Abcdefghij1");
    assert_eq!(de["code"].as_str().unwrap().len(), 50);
    assert_eq!(de["shortName"].as_str().unwrap(), "n".repeat(50));
    assert_eq!(de["formName"].as_str().unwrap().len(), 230);
    assert_eq!(de["categoryCombo"], json!({"id": "CatCombo123"}));
    // Lengths count UTF-16 units, as Java does.
    let emoji = format!("{HEADER}x,,,{}\n", "😀".repeat(30));
    let de = &objects(ClassKey::DataElement, &emoji)[0];
    assert_eq!(de["shortName"].as_str().unwrap().chars().count(), 25);
}

#[test]
fn invalid_enum_text_fails_the_read_naming_line_column_and_class() {
    let err = read(ClassKey::DataElement, "h\nok\nbad,,,,,,,integer\n").unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(3), Some(8)));
    let text = err.to_string();
    assert!(
        text.starts_with("DATA_ELEMENT: line 3, column 8 (valueType): `integer`"),
        "{text}"
    );
    assert!(text.contains("No enum constant org.hisp.dhis.common.ValueType.integer"));
    let err = read(ClassKey::DataElement, "h\nx,,,,,,,,MEAN\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "aggregationType",
            column: 9,
            ..
        }
    ));
    let err = read(ClassKey::Category, "h\nx,,,,attribute\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "dataDimensionType",
            column: 5,
            ..
        }
    ));
    let err = read(ClassKey::CategoryCombo, "h\nx,,,Attribute\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "dataDimensionType",
            column: 4,
            ..
        }
    ));
}

#[test]
fn enum_constants_follow_the_dhis2_version() {
    let tracker = "h\nx,,,,,,,TRACKER_ASSOCIATE\n";
    assert!(read(ClassKey::DataElement, tracker).is_ok());
    let v43 = CsvOptions::new(ClassKey::DataElement).dhis2_minor_version(43);
    assert!(read_as(&v43, &NoLookup, tracker).is_err());
    let multi = "h\nx,,,,,,,MULTI_TEXT,MIN_SUM_ORG_UNIT\n";
    assert!(read_as(&v43, &NoLookup, multi).is_ok());
    let v38 = CsvOptions::new(ClassKey::DataElement).dhis2_minor_version(38);
    assert!(matches!(
        read_as(&v38, &NoLookup, multi),
        Err(CsvError::InvalidEnum {
            field: "valueType",
            ..
        })
    ));
}

#[test]
fn organisation_unit_columns_dates_and_geometry() {
    let text = format!(
        "{HEADER}Clinic,Abcdefghij1,CL,Parent12345,Cl,Desc,2020-1-5,2024-12-31,Note,POINT,\
         \"[-11.4, 8.1]\",http://c,Ann,Main road,a@b.c,+1 555\n"
    );
    let ou = &objects(ClassKey::OrganisationUnit, &text)[0];
    let want = json!({
        "name": "Clinic", "id": "Abcdefghij1", "code": "CL", "parent": {"id": "Parent12345"},
        "shortName": "Cl", "description": "Desc", "openingDate": "2020-01-05T00:00:00.000",
        "closedDate": "2024-12-31T00:00:00.000", "comment": "Note",
        "geometry": {"type": "Point", "coordinates": [-11.4, 8.1]}, "url": "http://c",
        "contactPerson": "Ann", "address": "Main road", "email": "a@b.c", "phoneNumber": "+1 555"
    });
    assert_eq!(Value::Object(ou.clone()), want);
    // Defaults: opening date 1970-01-01, short name = name, no geometry for NONE.
    let ou = &objects(ClassKey::OrganisationUnit, "h\nClinic,,,,,,,,,NONE,[1,2]\n")[0];
    assert_eq!(ou["openingDate"], "1970-01-01T00:00:00.000");
    assert_eq!(ou["shortName"], "Clinic");
    assert!(ou.get("geometry").is_none() && ou.get("closedDate").is_none());
    // A feature type without coordinates: no geometry.
    let ou = &objects(ClassKey::OrganisationUnit, "h\nClinic,,,,,,,,,POLYGON,\n")[0];
    assert!(ou.get("geometry").is_none());
    // 2.36 had no short name column.
    let v36 = CsvOptions::new(ClassKey::OrganisationUnit).dhis2_minor_version(36);
    let old = read_as(&v36, &NoLookup, "h\nClinic,,,,Cl\n").unwrap();
    assert!(old.objects("organisationUnits")[0]
        .get("shortName")
        .is_none());
}

#[test]
fn organisation_unit_errors() {
    let err = read(ClassKey::OrganisationUnit, "h\nA,,,,,,01/02/2020\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidDate {
            line: 2,
            column: 7,
            field: "openingDate",
            ..
        }
    ));
    let err = read(ClassKey::OrganisationUnit, "h\nA,,,,,,,2020-13-01\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidDate {
            column: 8,
            field: "closedDate",
            ..
        }
    ));
    let err = read(ClassKey::OrganisationUnit, "h\nA,,,,,,,,,Point,[1,2]\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "featureType",
            column: 10,
            ..
        }
    ));
    let err = read(ClassKey::OrganisationUnit, "h\nA,,,,,,,,,POINT,\"[1,\"\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidGeometry {
            line: 2,
            column: 11,
            ..
        }
    ));
    let err = read(
        ClassKey::OrganisationUnit,
        "h\nA,,,,,,,,,SYMBOL,\"[1,2]\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("SYMBOL"), "{err}");
}

#[test]
fn validation_rule_columns_and_defaults() {
    let rule = &objects(ClassKey::ValidationRule, "h\nRule\n")[0];
    let side = json!({"missingValueStrategy": "NEVER_SKIP"});
    assert_eq!(rule["importance"], "MEDIUM");
    assert_eq!(rule["operator"], "equal_to");
    assert_eq!(rule["periodType"], "Monthly");
    assert_eq!(rule["leftSide"], side);
    assert_eq!(rule["rightSide"], side);
    let text = "h\nRule,Abcdefghij1,R,Desc,Do it,HIGH,ignored,less_than,quarterly,\
                #{a},Left,SKIP_IF_ANY_VALUE_MISSING,#{b},Right,\n";
    let rule = &objects(ClassKey::ValidationRule, text)[0];
    assert_eq!(rule["description"], "Desc");
    assert_eq!(rule["instruction"], "Do it");
    assert_eq!(rule["importance"], "HIGH");
    assert_eq!(rule["operator"], "less_than");
    assert_eq!(rule["periodType"], "Quarterly");
    assert_eq!(
        rule["leftSide"],
        json!({"expression": "#{a}", "description": "Left",
               "missingValueStrategy": "SKIP_IF_ANY_VALUE_MISSING"})
    );
    assert_eq!(rule["rightSide"]["missingValueStrategy"], "NEVER_SKIP");
    // An unknown period type is left out; importance and operator must be exact constants.
    let rule = &objects(ClassKey::ValidationRule, "h\nR,,,,,,,,Fortnightly\n")[0];
    assert!(rule.get("periodType").is_none());
    let err = read(ClassKey::ValidationRule, "h\nR,,,,,high\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "importance",
            column: 6,
            ..
        }
    ));
    let err = read(ClassKey::ValidationRule, "h\nR,,,,,,,==\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "operator",
            column: 8,
            ..
        }
    ));
    let err = read(ClassKey::ValidationRule, "h\nR,,,,,,,,,,,NEVER\n").unwrap_err();
    assert!(matches!(
        err,
        CsvError::InvalidEnum {
            field: "missingValueStrategy",
            column: 12,
            ..
        }
    ));
}

#[test]
fn groups_and_options_get_short_names() {
    for class in [
        ClassKey::DataElementGroup,
        ClassKey::CategoryOption,
        ClassKey::OrganisationUnitGroup,
    ] {
        let o = &objects(class, "h\nA long name,,,\nB,,,Bee\n");
        assert_eq!(o[0]["shortName"], "A long name", "{class}");
        assert_eq!(o[1]["shortName"], "Bee", "{class}");
    }
}

// ---------------------------------------------------------------------------------------------
// OPTION_SET, OPTION_GROUP, OPTION_GROUP_SET
// ---------------------------------------------------------------------------------------------

#[test]
fn option_sets_group_by_name_with_the_last_rows_uid_and_code() {
    let text = "h\nColor,SetUid00001,OLD,Red,OptUid00001,RED\n\
                ,SetUid00009,X,Orphan,,ORPHAN\n\
                Color,SetUid00002,NEW,Nameless code,,\n\
                Color,SetUid00003,COLOR,Blue,,BLUE\n";
    let doc = read(ClassKey::OptionSet, text).unwrap();
    let sets = doc.objects("optionSets");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["id"], "SetUid00003");
    assert_eq!(sets[0]["code"], "COLOR");
    assert_eq!(sets[0]["valueType"], "TEXT");
    let options = doc.objects("options");
    assert_eq!(options.len(), 2);
    assert_eq!(options[0]["id"], "OptUid00001");
    assert_eq!(
        member_ids(&sets[0], "options"),
        [
            "OptUid00001".to_owned(),
            options[1]["id"].as_str().unwrap().to_owned()
        ]
    );
    // The last kept row's blank uid gives the set a new UID.
    let fresh = read(ClassKey::OptionSet, "h\nS,SetUid00001,,A,,A\nS,,,B,,B\n").unwrap();
    let id = fresh.objects("optionSets")[0]["id"].as_str().unwrap();
    assert_ne!(id, "SetUid00001");
    assert!(Uid::is_valid(id));
}

fn option_catalogue() -> Document {
    stored(json!({
        "optionSets": [{"id": "SetUid00001", "code": "SET", "name": "Set",
                        "options": [{"id": "OptUid00001"}, {"id": "OptUid00002"}]}],
        "options": [{"id": "OptUid00001", "code": "A", "name": "a"},
                    {"id": "OptUid00002", "code": "B", "name": "b"}],
        "optionGroupSets": [{"id": "GrpSet00001", "name": "Group set", "code": "GS"}]
    }))
}

#[test]
fn option_groups_need_the_stored_set_and_option() {
    let text = "h\n\
        G,GrpUid00001,,Gee,SetUid00001,,A\n\
        G,GrpUid00002,GC,Gee2,SetUid00001,OptUid00002,\n\
        G,GrpUid00003,,Gee3,SetUid00001,,A\n\
        G,GrpUid00004,,,SetUid00001,,B\n\
        G,GrpUid00005,,Gee,NoSuchSet00,,A\n\
        G,GrpUid00006,,Gee,,,A\n\
        G,GrpUid00007,,Gee,SetUid00001,,C\n\
        G,GrpUid00008,,Gee,SetUid00001,,\n\
        H,GrpUid00009,,Aitch,SetUid00001,OptUid00001,B\n";
    let options = CsvOptions::new(ClassKey::OptionGroup);
    let doc = read_as(&options, &option_catalogue(), text).unwrap();
    let groups = doc.objects("optionGroups");
    assert_eq!(groups.len(), 2);
    // The last kept row of G gives its uid, short name and set; each option once.
    assert_eq!(groups[0]["id"], "GrpUid00003");
    assert_eq!(groups[0]["shortName"], "Gee3");
    assert!(groups[0].get("code").is_none());
    assert_eq!(groups[0]["optionSet"], json!({"id": "SetUid00001"}));
    assert_eq!(
        member_ids(&groups[0], "options"),
        ["OptUid00001", "OptUid00002"]
    );
    // A uid, when given, decides over the code.
    assert_eq!(member_ids(&groups[1], "options"), ["OptUid00001"]);
}

#[test]
fn option_group_sets_read_column_3_as_data_dimension() {
    let text = "h\n\
        By uid,Abcdefghij1,,TRUE,A description,SetUid00001,\n\
        By code,Abcdefghij2,,,,,SET\n\
        Missing,Abcdefghij3,,true,,NoSuchSet00,\n\
        Neither,Abcdefghij4,,true,,,\n";
    let options = CsvOptions::new(ClassKey::OptionGroupSet);
    let doc = read_as(&options, &option_catalogue(), text).unwrap();
    let sets = doc.objects("optionGroupSets");
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0]["dataDimension"], true);
    assert_eq!(sets[0]["description"], "A description");
    assert_eq!(sets[0]["optionSet"], json!({"id": "SetUid00001"}));
    assert_eq!(sets[1]["dataDimension"], false);
    assert_eq!(sets[1]["optionSet"], json!({"code": "SET"}));
}

// ---------------------------------------------------------------------------------------------
// Memberships
// ---------------------------------------------------------------------------------------------

#[test]
fn data_element_and_indicator_group_memberships() {
    let catalogue = stored(json!({
        "dataElementGroups": [{"id": "DeGroup0001", "name": "DE group", "shortName": "DEG",
                               "dataElements": [{"id": "Old00000001"}]}],
        "indicatorGroups": [{"id": "InGroup0001", "name": "Ind group"}]
    }));
    let text = "h\nDeGroup0001,DataElem001\nDeGroup0001,DataElem001\nDeGroup0001,\nNope,X\n";
    let options = CsvOptions::new(ClassKey::DataElementGroupMembership);
    let doc = read_as(&options, &catalogue, text).unwrap();
    let groups = doc.objects("dataElementGroups");
    // Only uid and name: importing it replaces the members (and clears the rest).
    assert_eq!(
        Value::Object(groups[0].clone()),
        json!({"id": "DeGroup0001", "name": "DE group",
               "dataElements": [{"id": "DataElem001"}, {"id": ""}]})
    );
    let options = CsvOptions::new(ClassKey::IndicatorGroupMembership);
    let doc = read_as(&options, &catalogue, "h\nInGroup0001,Indicator01\n").unwrap();
    assert_eq!(
        member_ids(&doc.objects("indicatorGroups")[0], "indicators"),
        ["Indicator01"]
    );
}

#[test]
fn a_membership_row_of_one_column_fails_the_read() {
    for class in [
        ClassKey::DataElementGroupMembership,
        ClassKey::IndicatorGroupMembership,
        ClassKey::OrganisationUnitGroupMembership,
    ] {
        let err = read(class, "h\nGroup,Member\nGroupOnly\n").unwrap_err();
        assert!(
            matches!(
                err,
                CsvError::MissingColumn {
                    line: 3,
                    column: 2,
                    ..
                }
            ),
            "{class}: {err:?}"
        );
    }
    // OPTION_GROUP_SET_MEMBERSHIP reads both columns safely: the row is skipped.
    let doc = read(ClassKey::OptionGroupSetMembership, "h\nGrpSet00001\n").unwrap();
    assert!(doc.is_empty());
}

#[test]
fn option_group_set_memberships_keep_repeated_members() {
    let text = "h\nGrpSet00001,GrpUid00001\nGrpSet00001,GrpUid00001\nGrpSet00001,\nNoSuchSet01,GrpUid00002\n";
    let options = CsvOptions::new(ClassKey::OptionGroupSetMembership);
    let doc = read_as(&options, &option_catalogue(), text).unwrap();
    let sets = doc.objects("optionGroupSets");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["name"], "Group set");
    assert!(sets[0].get("code").is_none());
    assert_eq!(
        member_ids(&sets[0], "optionGroups"),
        ["GrpUid00001", "GrpUid00001"]
    );
}

// ---------------------------------------------------------------------------------------------
// UIDs, class keys
// ---------------------------------------------------------------------------------------------

#[test]
fn a_seed_fixes_the_uids_and_a_shared_generator_never_repeats_them() {
    let text = "h\nA\nB\n";
    let options = CsvOptions::new(ClassKey::CategoryOption);
    let mut one = UidGenerator::seeded(5);
    let mut two = UidGenerator::seeded(5);
    let a = read_csv(text.as_bytes(), &options, &NoLookup, &mut one).unwrap();
    let b = read_csv(text.as_bytes(), &options, &NoLookup, &mut two).unwrap();
    assert_eq!(a, b);
    let c = read_csv(text.as_bytes(), &options, &NoLookup, &mut one).unwrap();
    assert_ne!(
        a.objects("categoryOptions")[0]["id"],
        c.objects("categoryOptions")[0]["id"]
    );
}

#[test]
fn class_keys_parse_as_the_cli_takes_them() {
    assert_eq!(
        "organisation_unit".parse::<ClassKey>().unwrap(),
        ClassKey::OrganisationUnit
    );
    let err = "ORGUNIT".parse::<ClassKey>().unwrap_err();
    assert!(err
        .to_string()
        .starts_with("Cannot find Csv import class:  ORGUNIT"));
}
