# bench/lib.sh -- what the benchmark scripts share.  Sourced, not run:
#
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/../lib.sh"            # from bench/<topic>/run.sh
#
# Safe under `set -eu`.  Provides:
#
#   bench_huntkit          HUNTKIT (default ./huntkit) made absolute; exits 2
#                          when it is not an executable.
#   bench_plugin_path      HUNTKIT_PLUGIN_PATH, when not set, is
#                          tests/plugindir next to the binary (where `make
#                          check` stages the plugins) if that exists;
#                          exported either way.
#   bench_config DIR       HUNTKIT_CONFIG=DIR (created), exported: a
#                          configuration of the benchmark's own, not the
#                          user's.
#   bench_need_time        TIME=/usr/bin/time, or exit 2 naming the package.
#   bench_machine          prints "N CPUs, load L1 L5 L15".
#   bench_version          prints the first line of `huntkit --version`.
#   measure CMD...         best "WALL USER SYS MAXRSS_KB" of $runs runs (1
#                          when unset) of CMD, by wall time; stdout is
#                          discarded, stderr kept in $out/stderr.txt and shown
#                          when CMD fails (then measure returns 1).  Scratch
#                          files go to $out.  For a shell command line:
#                          measure sh -c "..."
#   report LABEL BYTES ROWS "WALL USER SYS RSS" [REF_WALL REF_NAME]
#                          one line: size, wall, MB/s, rows/s, CPU time and
#                          its MB/s, peak RSS, and with REF_WALL the ratio to
#                          that reference.  The layout is set by, before
#                          the call:
#                            report_mb      bytes per MB (1e6; 1048576: MiB)
#                            report_format  printf format of label, MB,
#                                           wall, MB/s, rows/s, cpu, cpu
#                                           MB/s, RSS MB
#                            report_ratio   printf format of ratio and
#                                           REF_NAME
#                            report_zero    the seconds a time of 0 (below
#                                           /usr/bin/time's 10 ms) counts
#                                           as (0.001); empty: its rates
#                                           print as 0 and a ratio to it is
#                                           left out

bench_huntkit() {
  HUNTKIT="${HUNTKIT:-./huntkit}"
  case "$HUNTKIT" in /*) ;; *) HUNTKIT="$(pwd)/$HUNTKIT" ;; esac
  if [ ! -x "$HUNTKIT" ]; then
    echo "bench: no huntkit at $HUNTKIT (set HUNTKIT=path/to/huntkit)" >&2
    exit 2
  fi
}

bench_plugin_path() {
  if [ -z "${HUNTKIT_PLUGIN_PATH:-}" ] &&
    [ -d "$(dirname "$HUNTKIT")/tests/plugindir" ]; then
    HUNTKIT_PLUGIN_PATH="$(dirname "$HUNTKIT")/tests/plugindir"
  fi
  export HUNTKIT_PLUGIN_PATH
}

bench_config() {
  mkdir -p "$1"
  HUNTKIT_CONFIG="$1"
  export HUNTKIT_CONFIG
}

bench_need_time() {
  TIME=/usr/bin/time
  if ! [ -x "$TIME" ]; then
    echo "bench: $TIME is missing (Debian: apt-get install time)" >&2
    exit 2
  fi
}

bench_machine() {
  echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_version() {
  "$HUNTKIT" --version 2>&1 | head -n 1
}

# shellcheck disable=SC2154 # $out is set by the sourcing script
measure() {
  best=
  i=0
  while [ "$i" -lt "${runs:-1}" ]; do
    st=0
    "${TIME:-/usr/bin/time}" -f '%e %U %S %M' -o "$out/time.txt" "$@" \
      >/dev/null 2>"$out/stderr.txt" || st=$?
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

report_mb=1e6
report_format='%-34s %8.1f MB %7.2f s %8.1f MB/s %10.0f rows/s  cpu %6.2f s (%6.1f MB/s)  rss %6.1f MB'
report_ratio='  %.2fx %s'
report_zero=0.001

report() {
  echo "$4" | awk -v label="$1" -v bytes="$2" -v rows="$3" -v ref="${5:-}" \
    -v refname="${6:-}" -v per_mb="$report_mb" -v fmt="$report_format" \
    -v ratio="$report_ratio" -v zero="$report_zero" '
  function per_s(n, secs) { return secs > 0 ? n / secs : 0 }
  {
    wall = $1; cpu = $2 + $3; mb = bytes / per_mb
    if (zero != "" && wall <= 0) wall = zero
    if (zero != "" && cpu <= 0) cpu = zero
    printf fmt, label, mb, wall, per_s(mb, wall), per_s(rows, wall), cpu,
      per_s(mb, cpu), $4 / 1024
    if (ref != "" && (ref > 0 || zero != ""))
      printf ratio, wall / (ref > 0 ? ref : zero), refname
    printf "\n"
  }'
}
