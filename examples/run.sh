#!/usr/bin/env bash
# The main job on the bundled example data: load the metadata into an embedded SQLite store,
# import a facility's monthly report exactly as a DHIS2 2.42 server would, check and convert it, and
# export the imported data again as DHIS2 would (CSV).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${DXF2_OUT:-target/example}"
mkdir -p "$out"
rm -f "$out/store.sqlite" "$out/store.sqlite-wal" "$out/store.sqlite-shm"
echo "== building dxf2 (release; the first build compiles SQLite and takes a few minutes)"
cargo build --release -p dxf2-cli
dxf2() { cargo run --quiet --release -p dxf2-cli -- "$@"; }

echo "== metadata import"
dxf2 metadata import examples/data/malaria-metadata.json --store "$out/store.sqlite"
echo "== import (classic DHIS2 2.42 rules)"
# The file has one bad value on purpose: the summary shows DHIS2's conflict for it (status WARNING, exit 0).
dxf2 import examples/data/malaria-2024-09.xml --store "$out/store.sqlite" --user kasungu.clerk
echo "== the same import again: nothing changes"
dxf2 import examples/data/malaria-2024-09.xml --store "$out/store.sqlite" --user kasungu.clerk --summary json
echo
echo "== convert to CSV (zip) and back to JSON"
dxf2 convert examples/data/malaria-2024-09.xml -o "$out/malaria-2024-09.csv.zip"
dxf2 convert "$out/malaria-2024-09.csv.zip" --from csv -o "$out/malaria-2024-09.json"
echo "== validate the converted file (a dry run against the store)"
dxf2 validate "$out/malaria-2024-09.json" --store "$out/store.sqlite" --id-scheme CODE
echo "== export the district's September data from the store to CSV (DHIS2's GET /api/dataValueSets)"
dxf2 export --store "$out/store.sqlite" --data-set MAL_MONTHLY --period 202409 --org-unit KA --children \
  --input-id-scheme CODE --id-scheme CODE --user kasungu.clerk -o "$out/kasungu-2024-09.csv"
head -n 4 "$out/kasungu-2024-09.csv"
