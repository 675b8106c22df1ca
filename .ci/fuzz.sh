#!/usr/bin/env bash
# Builds every cargo-fuzz target on the stable toolchain (RUSTC_BOOTSTRAP lets cargo-fuzz pass its
# -Z flags) and runs each briefly, seeded from the DHIS2 corpus, our fixtures and example data, and
# from what our own binary makes of them (conversions to the other formats, import summaries,
# compressed copies). Installs cargo-fuzz when missing. fuzz/Cargo.lock is checked to be current
# (`--locked`) before anything is built.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --quiet
fi
export RUSTC_BOOTSTRAP=1
seconds="${DXF2_FUZZ_SECONDS:-20}"
corpus="../shared/corpus/dhis2-core"
seeds="fuzz/corpus"

# cargo fuzz has no --locked of its own: this fails when fuzz/Cargo.lock is stale.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null

echo "== seeds"
cargo build --quiet -p dxf2-cli
dxf2=target/debug/dxf2
for t in xml_reader json_reader csv_reader metadata_json summary_json summary_xml import_csv input_layer \
    metadata_csv metadata_document adx_reader geojson_reader gml_reader pdf_reader tracker_json tracker_csv sync_bundle; do
    mkdir -p "$seeds/$t"
done
copy_seeds() { # target, extension, folders...
    local target="$1" ext="$2"
    shift 2
    for dir in "$@"; do
        [ -d "$dir" ] && find "$dir" -name "*.$ext" -exec cp {} "$seeds/$target/" \;
    done
    return 0
}
data_dirs=()
[ -d "$corpus" ] && data_dirs=("$corpus/datavalueset" "$corpus/datavalueset-e2e")
copy_seeds xml_reader xml "${data_dirs[@]}" examples/data
copy_seeds json_reader json "${data_dirs[@]}" examples/data
copy_seeds csv_reader csv "${data_dirs[@]}" examples/data
copy_seeds import_csv csv "${data_dirs[@]}"
copy_seeds metadata_json json tests/fixtures examples/data
[ -d "$corpus" ] && copy_seeds metadata_json json "$corpus/metadata"
copy_seeds metadata_document json tests/fixtures examples/data
[ -d "$corpus" ] && copy_seeds metadata_document json "$corpus/metadata"
[ -d "$corpus" ] && copy_seeds metadata_csv csv "$corpus/metadata-csv"
[ -d "$corpus" ] && copy_seeds adx_reader xml "$corpus/adx"
copy_seeds adx_reader xml crates/adx/tests/fixtures
[ -d "$corpus" ] && copy_seeds geojson_reader geojson "$corpus/geojson"
copy_seeds geojson_reader geojson crates/geometry-import/tests/fixtures
[ -d "$corpus" ] && copy_seeds gml_reader gml "$corpus/gml"
copy_seeds gml_reader gml crates/geometry-import/tests/fixtures
[ -d "$corpus" ] && copy_seeds tracker_json json "$corpus/tracker"
[ -d "$corpus" ] && copy_seeds tracker_csv csv "$corpus/tracker"
# PDF forms: a blank and a filled one, made by the crate's example.
cargo run --quiet -p pdf-form-reader --example sample_form -- "$seeds/pdf_reader" >/dev/null 2>&1 || true
# Every XML data value set converted to JSON and CSV (both dialects), and imported against
# fixture C for summaries in both formats.
i=0
for xml in "$seeds"/xml_reader/*.xml; do
    i=$((i + 1))
    "$dxf2" convert "$xml" -o "$seeds/json_reader/conv-$i.json" 2>/dev/null || true
    "$dxf2" convert "$xml" -o "$seeds/csv_reader/conv-$i.csv" 2>/dev/null || true
    "$dxf2" convert "$xml" -o "$seeds/csv_reader/conv43-$i.csv" --dhis2-version 2.43 2>/dev/null || true
    cp "$seeds/csv_reader/conv-$i.csv" "$seeds/import_csv/" 2>/dev/null || true
    "$dxf2" validate "$xml" --metadata tests/fixtures/fixture_c.json --summary json \
        >"$seeds/summary_json/sum-$i.json" 2>/dev/null || true
    "$dxf2" validate "$xml" --metadata tests/fixtures/fixture_c.json --summary xml \
        >"$seeds/summary_xml/sum-$i.xml" 2>/dev/null || true
done
# The input layer: plain files of each format, and gzip and zip copies of a few.
cp "$seeds"/xml_reader/* "$seeds"/json_reader/* "$seeds"/csv_reader/* "$seeds/input_layer/" 2>/dev/null || true
for f in $(ls "$seeds"/xml_reader/* | head -n 5) $(ls "$seeds"/csv_reader/* | head -n 5); do
    base=$(basename "$f")
    gzip -c "$f" >"$seeds/input_layer/$base.gz"
    "$dxf2" convert "$f" -o "$seeds/input_layer/$base.zip" --to xml 2>/dev/null || true
done
# A sync bundle: the example's store exported for a district.
t=$(mktemp -d)
"$dxf2" metadata import examples/data/malaria-metadata.json --store "$t/f.sqlite" >/dev/null 2>&1 || true
"$dxf2" import examples/data/malaria-2024-09.xml --store "$t/f.sqlite" >/dev/null 2>&1 || true
"$dxf2" sync export --store "$t/f.sqlite" --to district -o "$seeds/sync_bundle/b1.zip" >/dev/null 2>&1 || true
rm -rf "$t"
find "$seeds" -type f -empty -delete
for t in "$seeds"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done

echo "== build"
cargo fuzz build -O
for target in xml_reader json_reader csv_reader metadata_json summary_json summary_xml import_csv input_layer \
    metadata_csv metadata_document adx_reader geojson_reader gml_reader pdf_reader tracker_json tracker_csv sync_bundle; do
    echo "== fuzz $target (${seconds}s)"
    cargo fuzz run -O "$target" "$seeds/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
