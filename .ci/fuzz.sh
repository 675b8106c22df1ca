#!/usr/bin/env bash
# Builds the cargo-fuzz targets on the stable toolchain (RUSTC_BOOTSTRAP lets cargo-fuzz pass its
# -Z flags) and runs each briefly, seeded with the DHIS2 corpus. Installs cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --quiet
fi
export RUSTC_BOOTSTRAP=1
seconds="${DXF2_FUZZ_SECONDS:-20}"
corpus="../shared/corpus/dhis2-core"
for target in xml_reader json_reader csv_reader; do
    seeds="fuzz/corpus/$target"
    mkdir -p "$seeds"
    case "$target" in
        xml_reader) ext=xml ;;
        json_reader) ext=json ;;
        csv_reader) ext=csv ;;
    esac
    if [ -d "$corpus" ]; then
        find "$corpus/datavalueset" "$corpus/datavalueset-e2e" -name "*.$ext" -exec cp {} "$seeds/" \;
    fi
    cargo fuzz build -O "$target"
    cargo fuzz run -O "$target" "$seeds" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
