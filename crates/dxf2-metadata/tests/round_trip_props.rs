//! Property: a generated catalogue, exported and imported into an empty target, gives the same
//! objects (JSON written and read back in between); and importing it again changes nothing but
//! counts every object as updated.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::export::{export, ExportParams};
use dxf2_metadata::import::{combinations, option_combo_name, Status};
use dxf2_metadata::{read_json, write_json};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn uid(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:0>width$}", width = 11 - prefix.len())
}

fn r(id: &str) -> Value {
    json!({"id": id})
}

/// A catalogue as an import stores it: references as `{"id"}`, complete option combos named as
/// DHIS2 names them, org unit paths and levels, option sort orders.
fn generate(seed: u64, n_ou: usize, n_de: usize, n_cat: usize, n_opt: usize) -> MemoryCatalogue {
    let mut rng = Rng(seed | 1);
    let mut cat = MemoryCatalogue::with_dhis2_defaults();
    let mut put = |key: &str, v: Value| {
        cat.insert(key, obj(v));
    };

    // Org units: each under an earlier one (or a root).
    let mut paths: Vec<String> = Vec::new();
    for i in 0..n_ou {
        let id = uid("OrgUnit", i);
        let parent = (i > 0 && rng.below(4) > 0).then(|| rng.below(i));
        let path = match parent {
            Some(p) => format!("{}/{id}", paths[p]),
            None => format!("/{id}"),
        };
        let mut ou = json!({"id": id, "name": format!("Unit {i}"), "shortName": format!("U{i}"),
            "openingDate": "2020-01-01", "level": path.matches('/').count(), "path": path});
        if let Some(p) = parent {
            ou["parent"] = r(&uid("OrgUnit", p));
        }
        if rng.below(3) == 0 {
            ou["code"] = json!(format!("OU_{i}"));
        }
        paths.push(path);
        put("organisationUnits", ou);
    }

    // Category options, categories, one combo and its option combos.
    let mut option_names = HashMap::new();
    let mut lists = Vec::new();
    for c in 0..n_cat {
        let mut options = Vec::new();
        for o in 0..(1 + rng.below(3)) {
            let id = uid(&format!("CatOpt{c}"), o);
            let name = format!("option {c}.{o}");
            option_names.insert(id.clone(), name.clone());
            put(
                "categoryOptions",
                json!({"id": id, "name": name, "shortName": format!("o{c}.{o}")}),
            );
            options.push(id);
        }
        put(
            "categories",
            json!({"id": uid("Category", c), "name": format!("category {c}"), "shortName": format!("c{c}"),
            "dataDimensionType": "DISAGGREGATION", "dataDimension": true,
            "categoryOptions": options.iter().map(|o| r(o)).collect::<Vec<_>>()}),
        );
        lists.push(options);
    }
    let combo = if n_cat > 0 {
        let id = uid("CatCombo", 0);
        put(
            "categoryCombos",
            json!({"id": id, "name": "combo", "dataDimensionType": "DISAGGREGATION", "skipTotal": false,
            "categories": (0..n_cat).map(|c| r(&uid("Category", c))).collect::<Vec<_>>()}),
        );
        for (k, combination) in combinations(&lists).iter().enumerate() {
            put(
                "categoryOptionCombos",
                json!({"id": uid("OptCombo", k), "name": option_combo_name(&lists, combination, &option_names),
                "ignoreApproval": false, "categoryCombo": r(&id),
                "categoryOptions": combination.iter().map(|o| r(o)).collect::<Vec<_>>()}),
            );
        }
        id
    } else {
        "bjDvmb4bfuf".to_owned()
    };

    // An option set.
    put(
        "optionSets",
        json!({"id": "OptionSet01", "name": "set", "valueType": "TEXT",
        "options": (0..n_opt).map(|o| r(&uid("Option", o))).collect::<Vec<_>>()}),
    );
    for o in 0..n_opt {
        put(
            "options",
            json!({"id": uid("Option", o), "name": format!("option {o}"), "code": format!("O{o}"),
            "sortOrder": o, "optionSet": r("OptionSet01")}),
        );
    }

    // Data elements, a group, a data set with a section, indicators.
    let mut des = Vec::new();
    for d in 0..n_de {
        let id = uid("DataElem", d);
        let mut de = json!({"id": id, "name": format!("element {d}"), "shortName": format!("e{d}"),
            "valueType": if rng.below(2) == 0 { "INTEGER" } else { "TEXT" }, "domainType": "AGGREGATE",
            "aggregationType": "SUM", "zeroIsSignificant": rng.below(2) == 0,
            "categoryCombo": r(if rng.below(2) == 0 { &combo } else { "bjDvmb4bfuf" })});
        if n_opt > 0 && rng.below(3) == 0 {
            de["optionSet"] = r("OptionSet01");
        }
        put("dataElements", de);
        des.push(id);
    }
    put(
        "dataElementGroups",
        json!({"id": "DeGroup0001", "name": "group", "shortName": "group",
        "dataElements": des.iter().filter(|_| rng.below(2) == 0).map(|d| r(d)).collect::<Vec<_>>()}),
    );
    put(
        "indicatorTypes",
        json!({"id": "IndType0001", "name": "Number", "factor": 1, "number": true}),
    );
    for (i, d) in des.iter().enumerate().take(3) {
        put(
            "indicators",
            json!({"id": uid("Indicator", i), "name": format!("indicator {i}"), "shortName": format!("i{i}"),
            "indicatorType": r("IndType0001"), "numerator": format!("#{{{d}}}"), "denominator": "1", "annualized": false}),
        );
    }
    let elements: Vec<Value> = des.iter().map(|d| json!({"dataElement": r(d)})).collect();
    put(
        "dataSets",
        json!({"id": "DataSet0001", "name": "data set", "shortName": "ds", "periodType": "Monthly",
        "categoryCombo": r("bjDvmb4bfuf"), "dataSetElements": elements,
        "organisationUnits": (0..n_ou).filter(|_| rng.below(2) == 0).map(|o| r(&uid("OrgUnit", o))).collect::<Vec<_>>()}),
    );
    put(
        "sections",
        json!({"id": "Section0001", "name": "section", "sortOrder": 1, "dataSet": r("DataSet0001"),
        "dataElements": des.iter().take(2).map(|d| r(d)).collect::<Vec<_>>()}),
    );
    cat
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_into_an_empty_target_gives_the_same_objects(
        seed in any::<u64>(), n_ou in 1usize..25, n_de in 1usize..8, n_cat in 0usize..4, n_opt in 0usize..5,
    ) {
        let generated = generate(seed, n_ou, n_de, n_cat, n_opt);
        let exported = export(&generated, &ExportParams::default()).unwrap();
        let mut text = Vec::new();
        write_json(&exported, &mut text).unwrap();
        let back = read_json(&text[..]).unwrap().document;

        let mut target = MemoryCatalogue::with_dhis2_defaults();
        let r = commit(&mut target, &back, &params_for("2.43"));
        prop_assert_eq!(r.report.status, Status::Ok, "{:?}", r.report.error_reports().take(3).collect::<Vec<_>>());
        prop_assert_eq!(&target, &generated);

        // Again: every object is updated (the defaults are not counted), nothing changes.
        let r = commit(&mut target, &back, &params_for("2.43"));
        prop_assert_eq!(r.report.stats.updated, back.len() - 4);
        prop_assert_eq!(&target, &generated);
    }
}
