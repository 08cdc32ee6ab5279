#!/bin/sh
# bench/syslog/run.sh -- throughput of the `syslog` provider (and of the
# syslog_sessions analyzer behind it) on a generated RFC 3164/5424 log, with
# `wc -l` and an awk field count on the same file in the same run; also
# re-measures the `auditd` provider's raw path on copies of MSTICPy's
# auditd_log.txt.  Builds nothing: point HUNTKIT at a built binary and
# HUNTKIT_PLUGIN_PATH at its plugins (default tests/plugindir next to it).
#
#   HUNTKIT=/path/to/build/huntkit sh bench/syslog/run.sh
#   SIZE_MB=50 RUNS=1 sh bench/syslog/run.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
out="${BENCH_OUT:-$here/../out}"
size_mb="${SIZE_MB:-200}"
runs="${RUNS:-3}"
bench_huntkit
bench_plugin_path
bench_config "$out/config"
bench_need_time

log="$out/syslog_${size_mb}mb.log"
[ -f "$log" ] || python3 "$here/gen_syslog.py" --size-mb "$size_mb" --out "$log" || exit 1
audit="$out/audit_${size_mb}mb.log"
if [ ! -f "$audit" ]; then
  python3 - "$here/../../tests/data/msticpy/auditd_log.txt" "$audit" "$size_mb" <<'PY' || exit 1
import sys
d = open(sys.argv[1], 'rb').read()
n = int(sys.argv[3]) * 1024 * 1024 // len(d) + 1
with open(sys.argv[2], 'wb') as f:
    for _ in range(n):
        f.write(d)
PY
fi

# report's layout here: MiB, lines; times too short to measure are 0
report_mb=1048576
report_format='%-34s %7.0f MB %6.2f s %6.0f MB/s %9.0f lines/s  cpu %5.2f s (%4.0f MB/s)  rss %4.0f MB'
report_ratio='  %.1fx %s'
report_zero=

bytes=$(wc -c <"$log")
lines=$(wc -l <"$log")
echo "syslog workload: $log ($bytes bytes, $lines lines), best of $runs"
wc_t=$(measure wc -l "$log") || exit 1
report "wc -l" "$bytes" "$lines" "$wc_t"
wc_wall=${wc_t%% *}
awk_t=$(measure awk '{ n[$5]++ } END { for (k in n) c++; print c }' "$log") || exit 1
report "awk (split fields, count tags)" "$bytes" "$lines" "$awk_t"
awk_wall=${awk_t%% *}
t=$(measure "$HUNTKIT" run "syslog path=$log year=2024 | count") || exit 1
report "syslog | count" "$bytes" "$lines" "$t" "$wc_wall" "wc -l"
report "  (vs awk)" "$bytes" "$lines" "$t" "$awk_wall" "awk"
t=$(measure "$HUNTKIT" run "syslog path=$log year=2024 hosts=true | count") || exit 1
report "syslog hosts=true | count" "$bytes" "$lines" "$t" "$wc_wall" "wc -l"
t=$(measure "$HUNTKIT" run "syslog path=$log year=2024 | syslog_sessions | count") || exit 1
report "syslog | syslog_sessions | count" "$bytes" "$lines" "$t" "$wc_wall" "wc -l"

abytes=$(wc -c <"$audit")
alines=$(wc -l <"$audit")
echo "auditd workload: $audit ($abytes bytes, $alines lines)"
wc_t=$(measure wc -l "$audit") || exit 1
report "wc -l" "$abytes" "$alines" "$wc_t"
t=$(measure "$HUNTKIT" run "auditd path=$audit | count") || exit 1
report "auditd | count" "$abytes" "$alines" "$t" "${wc_t%% *}" "wc -l"
