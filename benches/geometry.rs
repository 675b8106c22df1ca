//! Geometry import (issue 13): a generated GeoJSON file of many detailed polygons — one
//! `MultiPolygon` per district, each of two polygons whose outer rings have
//! `DXF2_BENCH_GEOMETRY_POINTS` positions (default 2,000) — imported into an in-memory catalogue
//! of those districts with DHIS2's rules (`geometry_import::import_geojson`), beside the raw
//! parser over the same bytes:
//!
//! * `geometry/serde-json-raw` — `serde_json` tokenising the file into `IgnoredAny`;
//! * `geometry/geojson-import` — the import by UID (every feature read one at a time, its
//!   geometry checked as GeoTools and JTS check it, the org units' new geometry built);
//! * `geometry/geojson-import-3d` — the same with 3-D positions (cut to x,y as DHIS2 does);
//! * `geometry/geojson-dry-run` — the import of the 2-D file as a dry run (no changes kept);
//! * `geometry/export` — the catalogue's geometry written back as GeoJSON.
//!
//! Throughput is in bytes of GeoJSON. Size: `DXF2_BENCH_GEOMETRY_FEATURES` districts (default
//! 1,000: about 60 MB of GeoJSON in 2-D).
//! Run: `cargo bench --bench geometry`; smoke test:
//! `DXF2_BENCH_GEOMETRY_FEATURES=20 cargo bench --bench geometry -- --test`.
// Benchmark harness code: a broken set-up should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use dxf2_metadata::catalogue::MemoryCatalogue;
use dxf2_metadata::import::Timestamps;
use geometry_import::{export_geojson, import_geojson, GeoJsonImportParams};
use serde::de::{Deserialize, IgnoredAny};
use serde_json::json;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A UID of DHIS2's alphabet made from `n`.
fn uid(n: usize) -> String {
    format!("d{n:010}")
}

/// The districts, without geometry.
fn catalogue(features: usize) -> MemoryCatalogue {
    let mut c = MemoryCatalogue::new();
    for n in 0..features {
        c.insert(
            "organisationUnits",
            json!({"id": uid(n), "code": format!("D{n}"), "name": format!("District {n}"),
                   "shortName": format!("District {n}"), "openingDate": "1990-01-01T00:00:00.000",
                   "path": format!("/{}", uid(n)), "level": 1})
            .as_object()
            .expect("an object")
            .clone(),
        );
    }
    c
}

/// A ring of `points` positions around (`cx`, `cy`), closed, with wobbly radii (9 decimals, as
/// boundary files are written).
fn ring(out: &mut String, cx: f64, cy: f64, r: f64, points: usize, z: bool) {
    out.push('[');
    for i in 0..=points {
        let k = i % points;
        let angle = std::f64::consts::TAU * k as f64 / points as f64;
        let radius = r * (1.0 + 0.1 * ((k * 7919) % 13) as f64 / 13.0);
        if i > 0 {
            out.push(',');
        }
        let (x, y) = (cx + radius * angle.cos(), cy + radius * angle.sin());
        if z {
            write!(out, "[{x:.9},{y:.9},0]").expect("to a string");
        } else {
            write!(out, "[{x:.9},{y:.9}]").expect("to a string");
        }
    }
    out.push(']');
}

/// The FeatureCollection: per district a MultiPolygon of two polygons.
fn file(features: usize, points: usize, z: bool) -> Vec<u8> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for n in 0..features {
        if n > 0 {
            out.push_str(",\n");
        }
        let (cx, cy) = (-13.0 + (n % 40) as f64 * 0.1, 7.0 + (n / 40) as f64 * 0.1);
        write!(
            out,
            "{{\"type\":\"Feature\",\"id\":\"{}\",\"properties\":{{\"name\":\"District {n}\"}},\
             \"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[[",
            uid(n)
        )
        .expect("to a string");
        ring(&mut out, cx, cy, 0.04, points, z);
        out.push_str("],[");
        ring(&mut out, cx + 0.05, cy, 0.01, points / 4 + 3, z);
        out.push_str("]]}}");
    }
    out.push_str("\n]}\n");
    out.into_bytes()
}

fn geometry(c: &mut Criterion) {
    let features = env("DXF2_BENCH_GEOMETRY_FEATURES", 1_000);
    let points = env("DXF2_BENCH_GEOMETRY_POINTS", 2_000);
    let flat = file(features, points, false);
    let with_z = file(features, points, true);
    let target = catalogue(features);
    let params = GeoJsonImportParams {
        timestamps: Timestamps::Keep,
        ..GeoJsonImportParams::default()
    };
    let dry_run = GeoJsonImportParams {
        dry_run: true,
        ..params.clone()
    };
    // The files import whole.
    let first = import_geojson(&target, &flat[..], &params).expect("import");
    assert_eq!(first.report.count().imported, features as u64);
    let mut imported = target.clone();
    imported.apply(&first.changes);
    let mut exported = Vec::new();
    export_geojson(&imported, None, &mut exported).expect("export");
    let result = import_geojson(&target, &with_z[..], &params).expect("import");
    assert_eq!(result.report.count().imported, features as u64);

    let mut group = c.benchmark_group("geometry");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(flat.len() as u64));
    group.bench_function("serde-json-raw", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(&flat);
            black_box(IgnoredAny::deserialize(&mut de).expect("JSON"))
        })
    });
    group.bench_function("geojson-import", |b| {
        b.iter(|| {
            import_geojson(&target, &flat[..], &params)
                .expect("import")
                .report
                .count()
                .imported
        })
    });
    group.bench_function("geojson-dry-run", |b| {
        b.iter(|| {
            import_geojson(&target, &flat[..], &dry_run)
                .expect("import")
                .report
                .count()
                .imported
        })
    });
    group.throughput(Throughput::Bytes(with_z.len() as u64));
    group.bench_function("geojson-import-3d", |b| {
        b.iter(|| {
            import_geojson(&target, &with_z[..], &params)
                .expect("import")
                .report
                .count()
                .imported
        })
    });
    group.throughput(Throughput::Bytes(exported.len() as u64));
    group.bench_function("export", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(exported.len());
            export_geojson(&imported, None, &mut out)
                .expect("export")
                .features
        })
    });
    group.finish();
}

criterion_group!(benches, geometry);
criterion_main!(benches);
