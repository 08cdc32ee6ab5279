#!/bin/sh
# bench/queries/run.sh -- time `huntkit queries list` (and `queries show`,
# `query --print`) over a generated query library of QUERIES definitions in
# MSTICPy's schema, next to PyYAML (with libyaml, as MSTICPy loads them)
# reading the same files in the same run.  Builds nothing: point HUNTKIT at
# a built binary; workloads go to bench/out/queries (ignored by git).
#
#   HUNTKIT=/path/to/build/huntkit sh bench/queries/run.sh
#   QUERIES=1000 RUNS=20 sh bench/queries/run.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
out="${BENCH_OUT:-$here/../out}/queries"
n="${QUERIES:-320}"
runs="${RUNS:-30}"
bench_huntkit
bench_plugin_path

lib="$out/lib_$n"
if [ ! -d "$lib" ]; then
  python3 "$here/gen_queries.py" --out "$lib" --queries "$n" || exit 1
fi
# A configuration whose query_dirs is the generated library; the built-in
# queries of the binary's data directory (or source tree) load too.
bench_config "$out/config_$n"
printf 'query_dirs:\n  - %s\n' "$lib" >"$HUNTKIT_CONFIG/huntkit.yaml"

total=$("$HUNTKIT" queries list -o csv | sed 1d | wc -l)
echo "library: $n generated definitions + built-in = $total query names"
"$HUNTKIT" -q queries list -o csv >/dev/null 2>"$out/err" || {
  cat "$out/err" >&2
  exit 1
}
[ -s "$out/err" ] && { echo "bench: problems loading:" >&2; cat "$out/err" >&2; }

row=$("$HUNTKIT" queries list --provider loganalytics -o csv | sed -n 2p)
name=$(echo "$row" | cut -d, -f1)
param=$(echo "$row" | cut -d, -f5)
pyload="import glob, sys, yaml
for f in sorted(glob.glob(sys.argv[1] + '/**/*.yaml', recursive=True)):
    yaml.load(open(f), Loader=yaml.CSafeLoader)"

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs "$runs" --style basic \
    "$HUNTKIT queries list" \
    "$HUNTKIT queries list -o json" \
    "$HUNTKIT queries show $name" \
    "$HUNTKIT query $name --param $param=x --print" \
    "python3 -c \"$pyload\" $lib"
else
  for cmd in "queries list" "queries list -o json"; do
    best=
    i=0
    while [ "$i" -lt "$runs" ]; do
      s=$(date +%s%N)
      "$HUNTKIT" $cmd >/dev/null
      e=$(date +%s%N)
      t=$(((e - s) / 1000))
      if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
      i=$((i + 1))
    done
    echo "huntkit $cmd: best of $runs: $((best / 1000)).$((best % 1000 / 100)) ms"
  done
fi
