//! `dxf2::sync::Bundle::read` on damaged bundles (issue 16): a real bundle made by the library
//! (values, a soft deletion, a completion, the whole metadata package) with bytes flipped,
//! overwritten, inserted, removed, or cut off, and with its manifest edited and the zip written
//! again with valid CRCs. 2,000 cases from a fixed seed (the same cases every run).
//!
//! Reading must never panic, and it may only succeed with exactly the entries the facility
//! wrote: a changed byte of an entry is refused (the zip's CRC, then the manifest's size and
//! SHA-256), and whatever the reader accepts is what the manifest names. The fuzz target
//! `fuzz/fuzz_targets/sync_bundle.rs` does the same on arbitrary bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Cursor, Read, Write};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dxf2::metadata::import::{ImportParams, Session, Status};
use dxf2::metadata_store::StoredCatalogue;
use dxf2::model::Uid;
use dxf2::store::{
    Completion, DataValueKey, DataValueStore, DataValueStoreExt, MemoryStore, StoredValue,
};
use dxf2::sync::{
    self, Bundle, Error, ExportOptions, Manifest, COMPLETIONS_ENTRY, DATA_ENTRY, MANIFEST_ENTRY,
    METADATA_ENTRY,
};
use sha2::{Digest, Sha256};

/// The example's malaria metadata (data set MalariaMth1, Kasungu's health centres).
const MALARIA: &str = include_str!("../examples/data/malaria-metadata.json");

/// Mutated cases in all.
const CASES: usize = 2_000;

fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap()
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 2, hour, 0, 0).unwrap()
}

fn key(de: &str, coc: &str) -> DataValueKey {
    DataValueKey {
        data_element: uid(de),
        period: "202404".parse().unwrap(),
        org_unit: uid("KaHealthC01"),
        category_option_combo: uid(coc),
        attribute_option_combo: uid("HllvX50cXC0"),
    }
}

/// A facility's first bundle: the malaria metadata, three values (one soft-deleted) and a
/// completion, as `dxf2 sync export` writes it.
fn real_bundle() -> Vec<u8> {
    let mut store = MemoryStore::new();
    let doc = dxf2::metadata::read_json_str(MALARIA).unwrap().document;
    let mut stored = StoredCatalogue::load(&mut store).unwrap();
    let result = {
        let view = stored.view(&mut store);
        let mut session = Session::new(&view, ImportParams::default());
        session.import(&doc).unwrap();
        session.finish()
    };
    assert_eq!(result.report.status, Status::Ok, "{:?}", result.report);
    stored.apply(&mut store, result.changes).unwrap();

    store.begin().unwrap();
    for (de, coc, value, deleted) in [
        ("MalConfCase", "FemaleCoc01", "14", false),
        ("MalConfCase", "MaleCoc0001", "11", true),
        ("MalRdtTest1", "HllvX50cXC0", "61", false),
    ] {
        let mut row = StoredValue::empty(key(de, coc), at(8));
        row.value = Some(value.to_owned());
        row.deleted = deleted;
        row.stored_by = Some("nurse".to_owned());
        row.comment = Some("entered offline".to_owned());
        store.insert(&row).unwrap();
    }
    store
        .set_completion(&Completion {
            data_set: uid("MalariaMth1"),
            period: "202404".parse().unwrap(),
            org_unit: uid("KaHealthC01"),
            attribute_option_combo: uid("HllvX50cXC0"),
            date: NaiveDate::from_ymd_opt(2024, 5, 2).unwrap(),
            stored_by: "nurse".to_owned(),
            last_updated: at(8),
            completed: true,
        })
        .unwrap();
    store.commit().unwrap();
    sync::export(&mut store, &ExportOptions::new("district", at(9)))
        .unwrap()
        .bytes()
        .to_vec()
}

/// The entries of a zip, in order, read without any check of ours (the test's reference).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

/// A zip of `entries`, deflated, as the library writes bundles (valid CRCs).
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A small deterministic generator (SplitMix64): the same cases every run, no dependency.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// One damaged copy of `bytes`: bits flipped, bytes overwritten, inserted or removed, a range
/// repeated, or the file cut off.
fn mutate(bytes: &[u8], cases: &mut Cases) -> (String, Vec<u8>) {
    let mut out = bytes.to_vec();
    let i = cases.below(out.len());
    let what = match cases.below(7) {
        0 => {
            let bit = cases.below(8);
            out[i] ^= 1 << bit;
            format!("bit {bit} of byte {i} flipped")
        }
        1 => {
            let n = 1 + cases.below(8);
            for _ in 0..n {
                let j = cases.below(out.len());
                out[j] = cases.byte();
            }
            format!("{n} bytes overwritten")
        }
        2 => {
            out[i] = if cases.below(2) == 0 { 0x00 } else { 0xff };
            format!("byte {i} set to {:#04x}", out[i])
        }
        3 => {
            let b = cases.byte();
            out.insert(i, b);
            format!("{b:#04x} inserted at {i}")
        }
        4 => {
            out.remove(i);
            format!("byte {i} removed")
        }
        5 => {
            let len = 1 + cases.below(64).min(out.len() - i - 1);
            let range = out[i..i + len].to_vec();
            let j = cases.below(out.len());
            out.splice(j..j, range);
            format!("{len} bytes from {i} repeated at {j}")
        }
        _ => {
            out.truncate(i);
            format!("cut after {i} bytes")
        }
    };
    (what, out)
}

/// The manifest's JSON with a change that keeps it a manifest (a number, a name, an entry
/// added, changed or removed), or one that breaks it.
fn mutate_manifest(manifest: &Manifest, json: &[u8], cases: &mut Cases) -> (String, Vec<u8>) {
    let mut m = manifest.clone();
    let n = m.entries.len();
    let what = match cases.below(9) {
        0 => {
            let mut bytes = json.to_vec();
            let i = cases.below(bytes.len());
            bytes[i] = cases.byte();
            return (format!("manifest byte {i} overwritten"), bytes);
        }
        1 => {
            let cut = cases.below(json.len());
            return (format!("manifest cut at {cut}"), json[..cut].to_vec());
        }
        2 => {
            let e = &mut m.entries[cases.below(n)];
            e.size = match cases.below(3) {
                0 => e.size.saturating_sub(1),
                1 => e.size + 1,
                _ => u64::MAX,
            };
            format!("{}'s size changed", e.name)
        }
        3 => {
            let e = &mut m.entries[cases.below(n)];
            e.sha256 = sha256_hex(e.sha256.as_bytes());
            format!("{}'s SHA-256 changed", e.name)
        }
        4 => {
            let gone = m.entries.remove(cases.below(n));
            format!("{} no longer named", gone.name)
        }
        5 => {
            let copy = m.entries[cases.below(n)].clone();
            m.entries.push(copy);
            "an entry named twice".to_owned()
        }
        6 => {
            let e = &mut m.entries[cases.below(n)];
            e.name = if cases.below(2) == 0 {
                MANIFEST_ENTRY.to_owned()
            } else {
                "other.json".to_owned()
            };
            "an entry renamed".to_owned()
        }
        7 => {
            m.format = "dxf2-sync-bundle/2".to_owned();
            "another format".to_owned()
        }
        _ => {
            m.sequence = cases.next();
            m.changes.after = u64::MAX;
            m.changes.through = 0;
            m.counts.data_values = u64::MAX;
            "numbers out of range".to_owned()
        }
    };
    (what, serde_json::to_vec_pretty(&m).unwrap())
}

/// What a successful read must hold: the manifest's entries, each with its size and SHA-256,
/// the bytes the facility wrote, and the SHA-256 and size of the file read.
fn check_accepted(bundle: &Bundle, file: &[u8], original: &[(String, Vec<u8>)], what: &str) {
    assert_eq!(bundle.size(), file.len() as u64, "{what}");
    assert_eq!(bundle.sha256(), sha256_hex(file), "{what}");
    for entry in &bundle.manifest().entries {
        let bytes = bundle
            .entry(&entry.name)
            .unwrap_or_else(|| panic!("{what}: {} accepted but missing", entry.name));
        assert_eq!(bytes.len() as u64, entry.size, "{what}: {}", entry.name);
        assert_eq!(sha256_hex(bytes), entry.sha256, "{what}: {}", entry.name);
        let written = original
            .iter()
            .find(|(name, _)| *name == entry.name)
            .unwrap_or_else(|| panic!("{what}: accepted an entry never written: {}", entry.name));
        assert_eq!(bytes, written.1.as_slice(), "{what}: {}", entry.name);
    }
}

#[test]
fn the_real_bundle_reads_back_whole() {
    let file = real_bundle();
    let original = unzip(&file);
    let names: Vec<&str> = original.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            DATA_ENTRY,
            COMPLETIONS_ENTRY,
            METADATA_ENTRY,
            MANIFEST_ENTRY
        ]
    );
    let bundle = Bundle::read(&file).unwrap();
    assert_eq!(bundle.manifest().entries.len(), 3);
    assert_eq!(bundle.manifest().counts.data_values, 3);
    assert_eq!(bundle.manifest().counts.deleted_data_values, 1);
    assert_eq!(bundle.manifest().counts.completions, 1);
    check_accepted(&bundle, &file, &original, "the bundle as written");
}

/// Damaged bytes of the file: never a panic; accepted only when every entry is still exactly
/// what was written (a change the checks cannot see: a file name's byte in the central
/// directory, a time stamp, bytes after the end).
#[test]
fn damaged_files_are_refused_or_read_exactly() {
    let file = real_bundle();
    let original = unzip(&file);
    let mut cases = Cases(0x5eed_0016);
    let mut refused = 0;
    let runs = CASES * 3 / 4;
    for case in 0..runs {
        let (what, damaged) = mutate(&file, &mut cases);
        let what = format!("case {case}: {what}");
        match Bundle::read(&damaged) {
            Ok(bundle) => check_accepted(&bundle, &damaged, &original, &what),
            Err(Error::NotABundle(_) | Error::Damaged(_)) => refused += 1,
            Err(e) => panic!("{what}: an error of another kind: {e}"),
        }
    }
    // Most damage is seen: a random change rarely falls where nothing is read.
    assert!(refused > runs / 2, "only {refused} of {runs} refused");
}

/// A changed byte inside any entry's compressed data is always refused, as damaged.
#[test]
fn a_changed_byte_of_an_entry_is_always_damage() {
    let file = real_bundle();
    let mut zip = zip::ZipArchive::new(Cursor::new(file.as_slice())).unwrap();
    let mut cases = Cases(0x0016_da7a);
    for index in 0..zip.len() {
        let (name, start, len) = {
            let f = zip.by_index(index).unwrap();
            (
                f.name().unwrap().into_owned(),
                f.data_start().unwrap() as usize,
                f.compressed_size() as usize,
            )
        };
        for _ in 0..25 {
            let i = start + cases.below(len);
            let mut damaged = file.clone();
            damaged[i] ^= 1 << cases.below(8);
            match Bundle::read(&damaged) {
                Err(Error::Damaged(_)) => {}
                // The manifest's own bytes: its CRC fails, or what it then says is no manifest.
                Err(Error::NotABundle(_)) if name == MANIFEST_ENTRY => {}
                Err(e) => panic!("{name}, byte {i}: {e}"),
                Ok(bundle) => {
                    // Deflate can ignore a bit (padding of the last block): then every byte
                    // read must still be the one written.
                    check_accepted(&bundle, &damaged, &unzip(&file), &format!("{name} {i}"));
                }
            }
        }
    }
}

/// Manifests edited and the zip written again with valid CRCs (what a careless tool or a
/// changed byte before zipping gives): refused as not a bundle or damaged, never a panic, and
/// read only when the entries still match what it names.
#[test]
fn edited_manifests_are_checked_against_the_entries() {
    let file = real_bundle();
    let original = unzip(&file);
    let manifest = Bundle::read(&file).unwrap().manifest().clone();
    let json = &original.last().unwrap().1;
    let mut cases = Cases(0x0016_3a41);
    let runs = CASES / 4;
    for case in 0..runs {
        let (what, edited) = mutate_manifest(&manifest, json, &mut cases);
        let what = format!("case {case}: {what}");
        let mut entries = original.clone();
        entries.last_mut().unwrap().1 = edited;
        if cases.below(8) == 0 {
            // A stray entry too.
            entries.insert(1, ("stray.json".to_owned(), b"{}".to_vec()));
        }
        let rezipped = zip_of(&entries);
        match Bundle::read(&rezipped) {
            Ok(bundle) => check_accepted(&bundle, &rezipped, &original, &what),
            Err(Error::NotABundle(_) | Error::Damaged(_)) => {}
            Err(e) => panic!("{what}: an error of another kind: {e}"),
        }
    }
}

/// The refusals name what is wrong.
#[test]
fn refusals_say_what_is_wrong() {
    let file = real_bundle();
    let original = unzip(&file);
    let manifest = Bundle::read(&file).unwrap().manifest().clone();
    let read_with = |m: &Manifest, extra: Option<(&str, &[u8])>| {
        let mut entries = original.clone();
        entries.last_mut().unwrap().1 = serde_json::to_vec(m).unwrap();
        if let Some((name, bytes)) = extra {
            entries.insert(0, (name.to_owned(), bytes.to_vec()));
        }
        Bundle::read(&zip_of(&entries)).unwrap_err().to_string()
    };

    let mut m = manifest.clone();
    m.entries[0].size += 1;
    let e = read_with(&m, None);
    assert!(
        e.contains("dataValues.json is") && e.contains("the manifest says"),
        "{e}"
    );
    let mut m = manifest.clone();
    m.entries[0].size = u64::MAX;
    let e = read_with(&m, None);
    assert!(e.contains("damaged"), "{e}");
    let mut m = manifest.clone();
    m.entries[1].sha256 = "0".repeat(64);
    let e = read_with(&m, None);
    assert!(e.contains("SHA-256"), "{e}");
    let mut m = manifest.clone();
    m.entries.remove(2);
    let e = read_with(&m, None);
    assert!(e.contains("\"metadata.json\""), "not named: {e}");
    let e = read_with(&manifest, Some(("extra.csv", b"a,b\n")));
    assert!(e.contains("\"extra.csv\""), "{e}");
    let mut m = manifest.clone();
    m.entries[0].name = "gone.json".to_owned();
    let e = read_with(&m, None);
    assert!(e.contains("\"dataValues.json\""), "{e}");
    let mut m = manifest.clone();
    m.format = "dxf2-sync-bundle/9".to_owned();
    let e = read_with(&m, None);
    assert!(
        e.starts_with("not a sync bundle") && e.contains("/9"),
        "{e}"
    );

    // Numbers no facility writes.
    let mut m = manifest.clone();
    m.sequence = 0;
    let e = read_with(&m, None);
    assert!(e.contains("sequence 0"), "{e}");
    let mut m = manifest.clone();
    m.changes.after = u64::MAX;
    let e = read_with(&m, None);
    assert!(e.contains("backwards"), "{e}");

    // No manifest, or not a zip.
    let e = Bundle::read(&zip_of(&original[..3]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds no manifest.json"), "{e}");
    let e = Bundle::read(MALARIA.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("not a readable zip file"), "{e}");
    let e = Bundle::read(&[]).unwrap_err().to_string();
    assert!(e.starts_with("not a sync bundle"), "{e}");
}

/// A forged sequence number far ahead is refused even when gaps are allowed (listing the
/// missing bundles once took memory in proportion to the gap: 1,099,511,627,776 aborted).
#[test]
fn a_huge_gap_is_refused_even_when_allowed() {
    let file = real_bundle();
    let mut entries = unzip(&file);
    let mut manifest = Bundle::read(&file).unwrap().manifest().clone();
    manifest.sequence = 1 << 40;
    entries.last_mut().unwrap().1 = serde_json::to_vec(&manifest).unwrap();
    let forged = Bundle::read(&zip_of(&entries)).unwrap();
    let mut district = MemoryStore::new();
    let mut options = sync::ImportOptions::new(at(10));
    options.allow_gap = true;
    let e = sync::import(
        &mut district,
        &forged,
        &options,
        &dxf2::engine::Superuser::default(),
        &mut |_| None,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("is not a sequence a facility makes"),
        "{e}"
    );
}
