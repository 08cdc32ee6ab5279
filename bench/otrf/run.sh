#!/bin/sh
# bench/otrf/run.sh -- an OTRF dataset zip on disk to a table: the `otrf`
# provider and the `file` provider on the zip, with `unzip -p | jq -c . |
# wc -l` and Python (zipfile + json) on the same zip in the same run.
# Builds nothing of huntkit: point HUNTKIT at a built binary and
# HUNTKIT_PLUGIN_PATH at its plugins (default tests/plugindir next to it).
#
#   HUNTKIT=/path/to/build/huntkit sh bench/otrf/run.sh
#   OTRF_ZIP=path/to/dataset.zip RUNS=20 sh bench/otrf/run.sh
#
# The zip: OTRF_ZIP, else the 5.6 MB Empire VBS dataset
# (datasets/atomic/windows/execution/host/empire_launcher_vbs.zip of
# OTRF/Security-Datasets, 313 KB zipped) from shared/fixtures when it is
# beside the repository, else a zip of 6 MB of OTRF-shaped events made by
# bench/gen_events.py (fixed seed).  Output goes to BENCH_OUT (bench/out/otrf).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
out="${BENCH_OUT:-$top/bench/out}/otrf"
runs="${RUNS:-10}"
bench_huntkit
bench_plugin_path
bench_need_time
mkdir -p "$out"

# --- the dataset, laid out as the otrf cache expects it -----------------------

rel=datasets/atomic/windows/execution/host/empire_launcher_vbs.zip
meta="$top/tests/data/otrf/cache/datasets/atomic/_metadata/SDWIN-190518182022.yaml"
zip="${OTRF_ZIP:-}"
fixture="$top/../shared/fixtures/otrf-security-datasets/zipped/${rel#datasets/}"
if [ -z "$zip" ] && [ -f "$fixture" ]; then
  zip="$fixture"
fi
if [ -z "$zip" ]; then
  zip="$out/generated_events.zip"
  if [ ! -f "$zip" ]; then
    python3 "$top/bench/gen_events.py" --size-mb 6 --out "$out/generated_events.json" &&
      python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2], "generated_events.json")' "$zip" "$out/generated_events.json" || exit 1
  fi
fi
cache="$out/cache"
rm -rf "$cache"
mkdir -p "$cache/$(dirname "$rel")" "$cache/datasets/atomic/_metadata"
cp "$zip" "$cache/$rel"
cp "$meta" "$cache/datasets/atomic/_metadata/"
mkdir -p "$out/config/conf.d"
cat >"$out/config/conf.d/otrf.yaml" <<EOF
plugin: otrf
config:
  cache_dir: $cache
  offline: true
EOF
bench_config "$out/config"
unzip -p "$zip" >"$out/member.json"
zbytes=$(wc -c <"$zip")
bytes=$(wc -c <"$out/member.json")

# --- measuring ------------------------------------------------------------------

# report_ms LABEL ROWS "WALL USER SYS RSS" [REFERENCE_WALL REFNAME]: times
# in ms, for a workload this small (lib.sh's report is for large ones)
report_ms() {
  echo "$3" | awk -v label="$1" -v rows="$2" -v bytes="$bytes" -v ref="${4:-}" -v refname="${5:-}" '{
    wall = $1; cpu = $2 + $3
    if (wall <= 0) wall = 0.001
    printf "%-52s %6s rows %7.0f ms  cpu %5.0f ms  %6.1f MB/s  rss %5.1f MB",
      label, rows, wall * 1000, cpu * 1000, bytes / 1e6 / wall, $4 / 1024
    if (ref != "") printf "  %.2fx %s", wall / (ref > 0 ? ref : 0.001), refname
    printf "\n"
  }'
}

rows() { sh -c "$1" 2>/dev/null | tail -n 1 | tr -d ' '; }

echo "huntkit: $(bench_version)   best of $runs   $(bench_machine)"
echo "zip: $zip ($zbytes bytes; member $bytes bytes)"
echo

ref_cmd="unzip -p '$zip' | jq -c . | wc -l"
t=$(measure sh -c "$ref_cmd") || exit 1
ref_wall=$(echo "$t" | cut -d' ' -f1)
report_ms "unzip -p | jq -c . | wc -l" "$(rows "$ref_cmd")" "$t"
py_cmd="python3 -c 'import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(sum(1 for n in z.namelist() for l in z.open(n) if l.strip() and json.loads(l)))' '$zip'"
t=$(measure sh -c "$py_cmd") || exit 1
report_ms "python3 zipfile + json.loads" "$(rows "$py_cmd")" "$t" "$ref_wall" "jq"

n_rows=$(rows "$HUNTKIT run 'file path=$zip | count | csv'")
bench() { # LABEL COMMAND
  t=$(measure sh -c "$2") && report_ms "$1" "$n_rows" "$t" "$ref_wall" "jq"
}
bench "otrf SDWIN-190518182022 | count" \
  "$HUNTKIT run 'otrf SDWIN-190518182022 | count | csv'"
bench "otrf SDWIN-190518182022 infer_rows=1000 | count" \
  "$HUNTKIT run 'otrf SDWIN-190518182022 infer_rows=1000 | count | csv'"
bench "file path=ZIP | count" "$HUNTKIT run 'file path=$zip | count | csv'"
bench "file path=ZIP infer_rows=0 | count" \
  "$HUNTKIT run 'file path=$zip infer_rows=0 | count | csv'"
bench "file path=MEMBER.json | count (unzipped)" \
  "$HUNTKIT run 'file path=$out/member.json | count | csv'"
bench "otrf SDWIN-190518182022 | ndjson > /dev/null" \
  "$HUNTKIT run 'otrf SDWIN-190518182022 | ndjson'"
if command -v hyperfine >/dev/null 2>&1; then
  echo
  echo "== hyperfine (finer than /usr/bin/time's 10 ms): min and mean wall, mean user+sys"
  hyperfine --warmup 3 --runs "$((runs * 3))" --export-json "$out/hyperfine.json" \
    -n "unzip -p | jq -c . | wc -l" "$ref_cmd" \
    -n "otrf SDWIN-190518182022 | count" "$HUNTKIT run 'otrf SDWIN-190518182022 | count'" \
    -n "otrf ... infer_rows=1000 | count" "$HUNTKIT run 'otrf SDWIN-190518182022 infer_rows=1000 | count'" \
    -n "file path=ZIP | count" "$HUNTKIT run 'file path=$zip | count'" >/dev/null 2>&1 &&
    python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%-52s min %6.1f ms  mean %6.1f ms  cpu %6.1f ms" % (r["command"],
          r["min"] * 1e3, r["mean"] * 1e3, (r["user"] + r["system"]) * 1e3))' "$out/hyperfine.json"
fi
echo
echo "start-up, for scale: $(measure sh -c "$HUNTKIT --version" | awk '{ printf "huntkit --version %.0f ms", $1 * 1000 }')"
rm -f "$out/time.txt" "$out/stderr.txt"
