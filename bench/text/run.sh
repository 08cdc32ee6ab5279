#!/bin/sh
# bench/text/run.sh -- throughput and peak memory of the cmdline, domain and
# mask analyzers on a generated table (gen_table.py, ~100 MB, 8 columns).
# Each analyzer is timed in `file ... | ANALYZER | count` next to the bare
# `file ... | count`, so the analyzer's own cost is the difference.
#
#   HUNTKIT=/path/to/build/huntkit sh bench/text/run.sh
#   SIZE_MB=20 RUNS=1 sh bench/text/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
out="${BENCH_OUT:-$here/../out/text}"
size_mb="${SIZE_MB:-100}"
runs="${RUNS:-3}"
bench_huntkit
bench_plugin_path
bench_config "$out/config"
bench_need_time

table="$out/table_${size_mb}mb.csv"
[ -f "$table" ] || python3 "$here/gen_table.py" --size-mb "$size_mb" --out "$table" || exit 1
bytes=$(wc -c <"$table")
rows=$("$HUNTKIT" run "file path=$table | count | csv" | tail -n 1)

# line LABEL "WALL USER SYS RSS" [BASE_CPU]
line() {
  echo "$2" | awk -v label="$1" -v bytes="$bytes" -v rows="$rows" -v base="${3:-}" '{
    wall = $1 > 0 ? $1 : 0.001; cpu = $2 + $3; mb = bytes / 1e6
    printf "%-22s %7.2f s %7.1f MB/s  cpu %6.2f s %7.1f MB/s  rss %6.1f MB", label, wall, mb / wall, cpu, mb / (cpu > 0 ? cpu : 0.001), $4 / 1024
    if (base != "" && cpu - base > 0) printf "  analyzer alone: cpu %6.2f s = %7.1f MB/s, %9.0f rows/s", cpu - base, mb / (cpu - base), rows / (cpu - base)
    printf "\n"
  }'
}

echo "table: $table ($(echo "$bytes" | awk '{ printf "%.1f MB", $1 / 1e6 }'), $rows rows)   best of $runs   $(bench_machine)"
t=$(measure "$HUNTKIT" run "file path=$table | count") || exit 1
line "file | count" "$t"
base=$(echo "$t" | awk '{ print $2 + $3 }')
t=$(measure "$HUNTKIT" run "file path=$table | cmdline CommandLine | count") && line "cmdline" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | cmdline CommandLine decode=false | count") && line "cmdline decode=false" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | domain QueryName | count") && line "domain" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | mask key=bench | count") && line "mask (defaults)" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | mask key=bench ip=IpAddress | count") && line "mask ip only" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | mask key=bench text=CommandLine | count") && line "mask text only" "$t" "$base"
t=$(measure "$HUNTKIT" run "file path=$table | mask key=bench | csv") && line "mask | csv" "$t"
