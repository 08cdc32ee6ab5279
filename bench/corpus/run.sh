#!/bin/sh
# bench/corpus/run.sh -- `huntkit ioc extract` and `huntkit unpack` on the
# mixed log corpus of issue #4 (../shared/bench/gen_workloads.py --only
# corpus writes the same 1, 10 and 100 MB logs MSTICPy was measured on),
# with ripgrep over the same file and an equivalent pattern set
# (ioc_patterns.txt, PCRE2) as the reference line, in the same run.
#
#   HUNTKIT=/path/to/build/huntkit sh bench/corpus/run.sh
#   GEN=/path/to/gen_workloads.py CORPUS=/tmp/wl sh bench/corpus/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_huntkit
bench_plugin_path
corpus="${CORPUS:-$here/../out/corpus}"
out="$corpus" # measure's scratch files
gen="${GEN:-$here/../../../shared/bench/gen_workloads.py}"
bench_config "$corpus/config"
bench_need_time
if [ ! -f "$corpus/corpus_100mb.log" ]; then
  [ -f "$gen" ] || { echo "bench: set GEN=path/to/gen_workloads.py" >&2; exit 2; }
  python3 "$gen" --only corpus --out "$corpus" >&2 || exit 1
fi

# one run per measurement (lib.sh's measure, runs unset)
report_cpu() { # report_cpu LABEL BYTES "wall user sys rss"
  echo "$3" | awk -v l="$1" -v b="$2" '{cpu=$2+$3; printf "%-44s %7.2fs wall %7.2fs cpu %7.1f MB/s(cpu) %6.1f MB peak\n", l, $1, cpu, (cpu>0? b/1e6/cpu : 0), $4/1024}'
}
cpu_of() { echo "$1" | awk '{print $2+$3}'; }

big="$corpus/corpus_100mb.log"
mid="$corpus/corpus_10mb.log"
bytes=$(wc -c <"$big")
echo "ioc extract over $(basename "$big") ($bytes bytes)"
if command -v rg >/dev/null; then
  t=$(measure rg -P -i -o -c -f "$here/ioc_patterns.txt" "$big") && {
    report_cpu "reference: rg -P -o (same pattern set)" "$bytes" "$t"; rg_cpu=$(cpu_of "$t"); }
else
  echo "reference: rg not installed (apt-get install ripgrep)"; rg_cpu=0
fi
t=$(measure "$HUNTKIT" ioc extract "$big" -o csv) && {
  report_cpu "huntkit ioc extract -o csv" "$bytes" "$t"
  awk -v a="$(cpu_of "$t")" -v r="$rg_cpu" 'BEGIN{ if (r>0) printf "  ratio huntkit/rg cpu: %.2f\n", a/r }'; }
t=$(measure "$HUNTKIT" ioc extract "$big" -o json) && report_cpu "huntkit ioc extract -o json (grouped)" "$bytes" "$t"
echo "  MSTICPy (issue figures): extract_df 299 s / 4.8 GB peak; extract on the whole text 94 s"

bytes=$(wc -c <"$mid")
echo "unpack over $(basename "$mid") ($bytes bytes)"
t=$(measure "$HUNTKIT" unpack "$mid" -o csv) && {
  report_cpu "huntkit unpack (whole text)" "$bytes" "$t"
  awk -v a="$(cpu_of "$t")" 'BEGIN{ printf "  vs MSTICPy unpack on the whole text (0.6 s): %.1fx\n", 0.6/a }'; }
t=$(measure "$HUNTKIT" unpack --lines "$mid" -o csv) && {
  report_cpu "huntkit unpack --lines (table of lines)" "$bytes" "$t"
  awk -v a="$(cpu_of "$t")" 'BEGIN{ printf "  vs MSTICPy unpack_df (28 s per 10 MB): %.0fx\n", 28/a }'; }
