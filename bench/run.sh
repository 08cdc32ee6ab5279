#!/bin/sh
# bench/run.sh -- throughput and peak memory of the `file` provider, with a
# reference tool on the same file in the same run.  Builds nothing of
# huntkit: point HUNTKIT at a built binary (default ./huntkit) and
# HUNTKIT_PLUGIN_PATH at its plugins (default: tests/plugindir next to the
# binary, as `make check` stages them).  Workloads are generated into
# bench/out/ when missing.  See bench/README.md.
#
#   HUNTKIT=/path/to/build/huntkit sh bench/run.sh
#   SIZE_MB=300 RUNS=1 sh bench/run.sh          # smaller, quicker
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
out="${BENCH_OUT:-$here/out}"
size_mb="${SIZE_MB:-1024}"
runs="${RUNS:-3}"
bench_huntkit
bench_plugin_path
# no configuration of the user's: the benchmark uses defaults
bench_config "$out/config"
bench_need_time

# --- workloads --------------------------------------------------------------

ndjson="$out/events_${size_mb}mb.ndjson"
csv="$out/events_${size_mb}mb.csv"
[ -f "$ndjson" ] || python3 "$here/gen_events.py" --size-mb "$size_mb" --out "$ndjson" || exit 1
[ -f "$csv" ] || python3 "$here/gen_events.py" --format csv --size-mb "$size_mb" --out "$csv" || exit 1
# The workload the issue's figures were measured on, when its generator is
# at hand (shared/bench/gen_workloads.py; GEN_WORKLOADS=path overrides).
gw="${GEN_WORKLOADS:-$here/../../shared/bench/gen_workloads.py}"
logons="$out/logons_1m.csv"
if [ ! -f "$logons" ] && [ -f "$gw" ]; then
  python3 "$gw" --out "$out" --only logons >/dev/null || rm -f "$logons"
fi

jsonc="$out/jsonc_parse"
if [ ! -x "$jsonc" ] || [ "$here/jsonc_parse.c" -nt "$jsonc" ]; then
  ${CC:-cc} -O2 -o "$jsonc" "$here/jsonc_parse.c" \
    $(pkg-config --cflags --libs json-c) || jsonc=
fi

rows_of() { # rows the file provider yields for FILE
  "$HUNTKIT" run "file path=$1 | count | csv" 2>/dev/null | tail -n 1
}

echo "huntkit: $(bench_version)   runs: best of $runs   $(bench_machine)"
echo

bench_file() { # LABEL FILE
  f="$2"
  bytes=$(wc -c <"$f")
  rows=$(rows_of "$f")
  [ -n "$rows" ] || rows=0
  wc_t=$(measure wc -l "$f") || return 1
  report "wc -l $(basename "$f")" "$bytes" "$rows" "$wc_t"
  wall_wc=$(echo "$wc_t" | cut -d' ' -f1)
  t=$(measure "$HUNTKIT" run "file path=$f | count") || return 1
  report "$1 | count" "$bytes" "$rows" "$t" "$wall_wc" "wc -l"
  last_wall=$(echo "$t" | cut -d' ' -f1)
}

echo "== CSV into Arrow batches (file ... | count; count only sums batch lengths)"
bench_file "file events.csv" "$csv"
if [ -f "$logons" ]; then
  bench_file "file logons_1m.csv" "$logons"
fi
echo
echo "== NDJSON of Windows events"
bench_file "file events.ndjson" "$ndjson"
if [ -n "$jsonc" ]; then
  t=$(measure "$jsonc" "$ndjson") && report "json-c alone (bench/jsonc_parse)" "$(wc -c <"$ndjson")" "$(rows_of "$ndjson")" "$t"
  jwall=$(echo "$t" | cut -d' ' -f1)
  echo "$last_wall $jwall" | awk '{ printf "%-34s %.2fx json-c alone (wall)\n", "file events.ndjson | count", $1 / ($2 > 0 ? $2 : 0.001) }'
fi
echo
echo "== peak memory of a whole pipeline: file ... | ndjson > /dev/null"
t=$(measure "$HUNTKIT" run "file path=$ndjson | ndjson") && report "file events.ndjson | ndjson" "$(wc -c <"$ndjson")" "$(rows_of "$ndjson")" "$t"
t=$(measure "$HUNTKIT" run "file path=$csv | ndjson") && report "file events.csv | ndjson" "$(wc -c <"$csv")" "$(rows_of "$csv")" "$t"
echo

echo "== start-up"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs 50 --style basic \
    "$HUNTKIT --version" "$HUNTKIT plugins list" 2>&1 | grep -E 'Benchmark|Time'
else
  for cmd in "--version" "plugins list"; do
    python3 - "$HUNTKIT" "$cmd" <<'EOF'
import subprocess, sys, time
cmd = [sys.argv[1]] + sys.argv[2].split()
best = 1e9
for _ in range(50):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - t)
print(f"huntkit {sys.argv[2]:<14} best of 50: {best * 1000:.2f} ms")
EOF
  done
fi
rm -f "$out/time.txt" "$out/stderr.txt"
