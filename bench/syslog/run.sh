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
out="${BENCH_OUT:-$here/../out}"
size_mb="${SIZE_MB:-200}"
runs="${RUNS:-3}"
HUNTKIT="${HUNTKIT:-./huntkit}"
case "$HUNTKIT" in /*) ;; *) HUNTKIT="$(pwd)/$HUNTKIT" ;; esac
if [ ! -x "$HUNTKIT" ]; then
  echo "bench: no huntkit at $HUNTKIT (set HUNTKIT=path/to/huntkit)" >&2
  exit 2
fi
if [ -z "${HUNTKIT_PLUGIN_PATH:-}" ] &&
  [ -d "$(dirname "$HUNTKIT")/tests/plugindir" ]; then
  HUNTKIT_PLUGIN_PATH="$(dirname "$HUNTKIT")/tests/plugindir"
fi
export HUNTKIT_PLUGIN_PATH
mkdir -p "$out/config"
HUNTKIT_CONFIG="$out/config"
export HUNTKIT_CONFIG
TIME=/usr/bin/time
if ! [ -x "$TIME" ]; then
  echo "bench: $TIME is missing (Debian: apt-get install time)" >&2
  exit 2
fi

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

# best "WALL USER SYS MAXRSS_KB" of $runs runs of "$@" (stdout discarded)
measure() {
  best=
  i=0
  while [ "$i" -lt "$runs" ]; do
    "$TIME" -f '%e %U %S %M' -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt"
    st=$?
    if [ "$st" -ne 0 ]; then
      echo "bench: failed ($st): $*" >&2
      cat "$out/stderr.txt" >&2
      return 1
    fi
    t=$(tail -n 1 "$out/time.txt")
    best=$(printf '%s\n%s\n' "$best" "$t" | awk 'NF { if (!b || $1 < b) { b = $1; l = $0 } } END { print l }')
    i=$((i + 1))
  done
  echo "$best"
}

# report LABEL BYTES LINES "WALL USER SYS RSS" [REFERENCE_WALL REFNAME]
report() {
  echo "$4" | awk -v label="$1" -v bytes="$2" -v lines="$3" -v ref="${5:-}" -v refname="${6:-}" '{
    wall = $1; cpu = $2 + $3; mb = bytes / 1048576
    printf "%-34s %7.0f MB %6.2f s %6.0f MB/s %9.0f lines/s  cpu %5.2f s (%4.0f MB/s)  rss %4.0f MB",
      label, mb, wall, (wall > 0 ? mb / wall : 0), (wall > 0 ? lines / wall : 0),
      cpu, (cpu > 0 ? mb / cpu : 0), $4 / 1024
    if (ref != "" && ref > 0) printf "  %.1fx %s", wall / ref, refname
    printf "\n"
  }'
}

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
