//! Behaviour tests of `idscheme-resolver` over a real DHIS2 catalogue
//! (`metadata/e2e_aggregate_metadata.json`, read with `dxf2_json::metadata`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs::File;

use dxf2_json::metadata::read_metadata;
use dxf2_model::{IdScheme, Metadata, ObjectKind, Uid, DEFAULT_CATEGORY_OPTION_COMBO_UID};
use idscheme_resolver::{MetadataResolver, ResolveError, Resolver};

fn catalogue() -> Option<Metadata> {
    let path = common::corpus_file("metadata/e2e_aggregate_metadata.json")?;
    Some(read_metadata(File::open(path).unwrap()).unwrap())
}

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

/// A cold resolver and one with every scheme used here preheated: both must answer alike.
fn resolvers(m: &Metadata) -> [MetadataResolver<'_>; 2] {
    let mut hot = MetadataResolver::new(m);
    for kind in [
        ObjectKind::DataElement,
        ObjectKind::CategoryOptionCombo,
        ObjectKind::DataSet,
    ] {
        for scheme in [IdScheme::Uid, IdScheme::Code, IdScheme::Name] {
            hot.preheat(kind, &scheme).unwrap();
            hot.preheat_reverse(kind, &scheme).unwrap();
        }
    }
    [MetadataResolver::new(m), hot]
}

#[test]
fn data_elements_by_uid_code_and_name() {
    let Some(m) = catalogue() else { return };
    const DE: ObjectKind = ObjectKind::DataElement;
    for r in resolvers(&m) {
        let de = uid("tpz77FcntKx");
        assert_eq!(
            r.resolve(DE, &IdScheme::Uid, "tpz77FcntKx").unwrap(),
            Some(de)
        );
        assert_eq!(
            r.resolve(DE, &IdScheme::Code, "TA_GEN_EXT_FUND").unwrap(),
            Some(de)
        );
        assert_eq!(
            r.resolve(DE, &IdScheme::Name, "TA External funding")
                .unwrap(),
            Some(de)
        );
        // Exact, case-sensitive, untrimmed.
        assert_eq!(r.resolve(DE, &IdScheme::Uid, "TPZ77FCNTKX").unwrap(), None);
        assert_eq!(
            r.resolve(DE, &IdScheme::Code, "ta_gen_ext_fund").unwrap(),
            None
        );
        assert_eq!(
            r.resolve(DE, &IdScheme::Name, " TA External funding")
                .unwrap(),
            None
        );
        // A UID is not a code, a code is not a UID, and kinds do not mix.
        assert_eq!(r.resolve(DE, &IdScheme::Code, "tpz77FcntKx").unwrap(), None);
        assert_eq!(
            r.resolve(DE, &IdScheme::Uid, "TA_GEN_EXT_FUND").unwrap(),
            None
        );
        assert_eq!(
            r.resolve(ObjectKind::DataSet, &IdScheme::Uid, "tpz77FcntKx")
                .unwrap(),
            None
        );

        // Every data element resolves back to itself under every scheme.
        for d in m.data_elements() {
            for scheme in [IdScheme::Uid, IdScheme::Code, IdScheme::Name] {
                let key = r.identifier(DE, &scheme, &d.id.uid).unwrap();
                assert_eq!(
                    r.resolve(DE, &scheme, key).unwrap(),
                    Some(d.id.uid),
                    "{scheme} {key}"
                );
            }
        }
        assert_eq!(
            r.identifier(DE, &IdScheme::Code, &de),
            Some("TA_GEN_EXT_FUND")
        );
        assert_eq!(
            r.identifier(DE, &IdScheme::Name, &de),
            Some("TA External funding")
        );
        let all: Vec<Uid> = m.data_elements().iter().map(|d| d.id.uid).collect();
        assert!(r.missing_identifiers(DE, &IdScheme::Code, &all).is_empty());
    }
}

#[test]
fn category_option_combos() {
    let Some(m) = catalogue() else { return };
    const COC: ObjectKind = ObjectKind::CategoryOptionCombo;
    for r in resolvers(&m) {
        let female = uid("t5FrQ0GTvGf");
        assert_eq!(
            r.resolve(COC, &IdScheme::Uid, "t5FrQ0GTvGf").unwrap(),
            Some(female)
        );
        assert_eq!(
            r.resolve(COC, &IdScheme::Name, "TA 0-4 years, Female")
                .unwrap(),
            Some(female)
        );
        assert_eq!(
            r.resolve(COC, &IdScheme::Name, "TA 0-4 years,Female")
                .unwrap(),
            None
        );
        // The default combo (added by the reader) by UID, name and code.
        let default = uid(DEFAULT_CATEGORY_OPTION_COMBO_UID);
        assert_eq!(
            r.resolve(COC, &IdScheme::Uid, DEFAULT_CATEGORY_OPTION_COMBO_UID)
                .unwrap(),
            Some(default)
        );
        assert_eq!(
            r.resolve(COC, &IdScheme::Name, "default").unwrap(),
            Some(default)
        );
        assert_eq!(
            r.resolve(COC, &IdScheme::Code, "default").unwrap(),
            Some(default)
        );

        // The file's combos have no codes: nothing is found by code, and an export by code
        // cannot name them (E8200-style), except the default.
        assert_eq!(
            r.resolve(COC, &IdScheme::Code, "TA 0-4 years, Female")
                .unwrap(),
            None
        );
        assert_eq!(r.identifier(COC, &IdScheme::Code, &female), None);
        let all: Vec<Uid> = m
            .category_option_combos()
            .iter()
            .map(|c| c.id.uid)
            .collect();
        let missing = r.missing_identifiers(COC, &IdScheme::Code, &all);
        assert_eq!(missing.len(), 12);
        assert!(!missing.contains(&default));
        for c in m.category_option_combos() {
            let name = r.identifier(COC, &IdScheme::Name, &c.id.uid).unwrap();
            assert_eq!(
                r.resolve(COC, &IdScheme::Name, name).unwrap(),
                Some(c.id.uid)
            );
        }
    }
}

#[test]
fn scheme_failures_fail_the_import() {
    let Some(m) = catalogue() else { return };
    let r = MetadataResolver::new(&m);
    const DE: ObjectKind = ObjectKind::DataElement;
    assert!(matches!(
        r.resolve(DE, &"ATTRIBUTE:uh6H2ff562G".parse().unwrap(), "x"),
        Err(ResolveError::AttributeNotFound { .. })
    ));
    assert!(matches!(
        r.resolve(DE, &IdScheme::Id, "tpz77FcntKx"),
        Err(ResolveError::InvalidNumericId { .. })
    ));
    assert_eq!(r.resolve(DE, &IdScheme::Id, "42").unwrap(), None);
    assert!(matches!(
        r.resolve(DE, &IdScheme::Uuid, "tpz77FcntKx"),
        Err(ResolveError::UnsupportedScheme { .. })
    ));
    assert_eq!(r.resolve(DE, &IdScheme::Name, "").unwrap(), None);
}
