//! Imports through the engine into [`PostgresStore`] answer exactly as into `MemoryStore`, the
//! reference store of the engine's own scenario tests: every payload of DHIS2's corpus
//! (`datavalueset/`), with both importer generations (classic against fixture C and its
//! completion, as `classic_scenarios.rs` sets them up; 2.43+ against fixture M as the admin), is
//! imported into a memory store and a PostgreSQL store side by side, again and again with the
//! options the scenarios use (id schemes, strategies, dry run, audits off, preheating, atomic),
//! and after every import the summaries, the stored rows (soft-deleted ones included), their
//! audits, the completions and the change numbers must be the same.
//!
//! Needs the corpus (`DXF2_SKIP_CORPUS=1` skips) and the test server (`DXF2_TEST_POSTGRES`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default
)]

mod common;
mod support;

use std::fmt::Write as _;
use std::path::Path;

use common::import::{all_rows, fixture, import_source, open};
use common::scenarios::{add_classic_completion, set_schemes};
use dxf2_model::{ImportOptions, ImportStrategy, ImporterProfile, Metadata};
use dxf2_store::{DataValueStore, MemoryStore};
use support::TestSchema;

/// The options each payload is imported with, in this order, on the same two stores.
fn variants(profile: ImporterProfile) -> Vec<(&'static str, ImportOptions)> {
    let base = || {
        let mut o = ImportOptions::default();
        o.profile = profile;
        if profile == ImporterProfile::Pipeline {
            o.strategy = ImportStrategy::CreateAndUpdate;
        }
        o
    };
    let with = |f: &dyn Fn(&mut ImportOptions)| {
        let mut o = base();
        f(&mut o);
        o
    };
    let mut variants = vec![
        ("first import", base()),
        ("again", base()),
        ("codes", with(&|o| set_schemes(o, "CODE", "CODE", "CODE"))),
        ("updates", with(&|o| o.strategy = ImportStrategy::Updates)),
        (
            "dry run delete",
            with(&|o| {
                o.strategy = ImportStrategy::Delete;
                o.dry_run = true;
            }),
        ),
        ("delete", with(&|o| o.strategy = ImportStrategy::Delete)),
        ("revive", base()),
    ];
    match profile {
        ImporterProfile::Classic => {
            variants.push(("skip audit", with(&|o| o.skip_audit = true)));
            variants.push(("preheat", with(&|o| o.preheat_cache = Some(true))));
        }
        ImporterProfile::Pipeline => {
            variants.push(("atomic", with(&|o| o.atomic = true)));
        }
    }
    variants
}

/// Everything a store holds for the data elements of `md`, as text to compare.
fn state(store: &mut dyn DataValueStore, md: &Metadata) -> String {
    let mut out = String::new();
    for row in all_rows(store, md) {
        writeln!(out, "{row:?}").unwrap();
        for audit in store.audits(&row.key).unwrap() {
            writeln!(out, "  {audit:?}").unwrap();
        }
    }
    store
        .changed_completions(0, &mut |c| {
            writeln!(out, "{c:?}").unwrap();
            Ok(())
        })
        .unwrap();
    writeln!(out, "last change {}", store.last_change().unwrap()).unwrap();
    out
}

/// What the imports did, summed over payloads: proof that the comparison covered creates,
/// updates, deletes and audits.
#[derive(Debug, Default)]
struct Seen {
    imported: u64,
    updated: u64,
    deleted: u64,
    audits: usize,
}

impl Seen {
    fn assert_covers_every_kind_of_write(&self) {
        assert!(
            // (2.43+ counts a creation as an update, as DHIS2 2.43 does.)
            self.imported + self.updated > 0 && self.deleted > 0 && self.audits > 0,
            "the imports did not write every kind of change: {self:?}"
        );
    }
}

/// Imports `path` with every variant into a memory store and a PostgreSQL store set up alike,
/// comparing after each import.
fn compare(
    profile: ImporterProfile,
    md: &Metadata,
    user: Option<&str>,
    path: &Path,
    memory: &mut MemoryStore,
    schema: &TestSchema,
    seen: &mut Seen,
) {
    let mut pg = schema.open();
    let name = path.file_name().unwrap().to_string_lossy();
    for (variant, options) in variants(profile) {
        let what = format!("{profile:?} {name}, {variant}");
        let expected = import_source(md, user, &mut open(path, &options), &options, memory);
        let got = import_source(md, user, &mut open(path, &options), &options, &mut pg);
        assert!(got.failure.is_none(), "{what}: {:?}", got.failure);
        assert_eq!(
            format!("{:#?}", got.summary),
            format!("{:#?}", expected.summary),
            "{what}: the summaries differ"
        );
        let expected_state = state(memory, md);
        assert_eq!(
            state(&mut pg, md),
            expected_state,
            "{what}: the stores differ"
        );
        let count = &got.summary.import_count;
        seen.imported += count.imported;
        seen.updated += count.updated;
        seen.deleted += count.deleted;
        seen.audits += expected_state
            .lines()
            .filter(|l| l.starts_with("  "))
            .count();
    }
}

/// Every payload of the corpus's `datavalueset/` folder.
fn payloads() -> Option<Vec<std::path::PathBuf>> {
    let dir = common::corpus_file("datavalueset")?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "xml" || e == "json" || e == "csv")
        })
        .collect();
    paths.sort();
    assert!(paths.len() > 20, "too few payloads in {}", dir.display());
    Some(paths)
}

#[test]
fn classic_imports_answer_as_into_the_memory_store() {
    let Some(url) = support::server_url() else {
        return;
    };
    let Some(paths) = payloads() else {
        return;
    };
    let mut seen = Seen::default();
    for path in paths {
        // Fixture C's set-up: its completion of (dsA, 201201, ouA, default).
        let md = fixture("fixture_c.json");
        let mut memory = MemoryStore::new();
        add_classic_completion(&mut memory);
        let schema = TestSchema {
            url: url.clone(),
            name: support::fresh_schema_name("classic"),
        };
        let mut pg = schema.create();
        add_classic_completion(&mut pg);
        drop(pg);
        compare(
            ImporterProfile::Classic,
            &md,
            Some("userA"),
            &path,
            &mut memory,
            &schema,
            &mut seen,
        );
    }
    seen.assert_covers_every_kind_of_write();
}

#[test]
fn pipeline_imports_answer_as_into_the_memory_store() {
    let Some(url) = support::server_url() else {
        return;
    };
    let Some(paths) = payloads() else {
        return;
    };
    let md = fixture("fixture_m.json");
    let mut seen = Seen::default();
    for path in paths {
        let mut memory = MemoryStore::new();
        let schema = TestSchema {
            url: url.clone(),
            name: support::fresh_schema_name("pipeline"),
        };
        drop(schema.create());
        compare(
            ImporterProfile::Pipeline,
            &md,
            Some("admin"),
            &path,
            &mut memory,
            &schema,
            &mut seen,
        );
    }
    seen.assert_covers_every_kind_of_write();
}
