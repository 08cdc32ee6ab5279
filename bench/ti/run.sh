#!/bin/sh
# bench/ti/run.sh -- the HTTP service's targets (issue 6): `huntkit ti
# lookup` of N distinct IoCs with the httpfix test enricher against
# tests/servers/httpd_script.py answering every request after DELAY s.
#
#   1. rate 100/s, 20 in flight: the server's log must never show more than
#      100 requests in any 1-s window; the run takes about N/100 s
#   2. no rate limit, 20 in flight: lookups/s (target >= 300)
#   3. the same IoCs again, all cached: lookups/s (target >= 50,000), and
#      the server must see no request
#
# Builds nothing: HUNTKIT is a built binary (default ./huntkit) and the
# fixture is tests/host/.libs/httpfix.so next to it (`make check` builds
# it).  Output goes to BENCH_OUT (default bench/out/ti, ignored by git).
#
#   HUNTKIT=/path/to/build/huntkit sh bench/ti/run.sh
#   N=2000 SKIP_RATE=1 sh bench/ti/run.sh        # quick
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
out="${BENCH_OUT:-$here/../out/ti}"
n="${N:-10000}"
delay="${DELAY:-0.05}"
rate="${RATE:-100/s}"
runs="${RUNS:-3}"
PYTHON3="${PYTHON3:-python3}"
bench_huntkit
fix="${HTTPFIX:-$(dirname "$HUNTKIT")/tests/host/.libs/httpfix.so}"
if [ ! -f "$fix" ]; then
  echo "bench: need the httpfix fixture ($fix): run make check first" >&2
  exit 2
fi
plugindir="$(dirname "$HUNTKIT")/tests/plugindir"

rm -rf "$out"
mkdir -p "$out/plugins" "$out/conf/conf.d"
chmod 755 "$out/plugins"
cp "$fix" "$out/plugins/httpfix.so" && chmod 755 "$out/plugins/httpfix.so"
HUNTKIT_PLUGIN_PATH="$out/plugins:$plugindir"
export HUNTKIT_PLUGIN_PATH
bench_config "$out/conf"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
printf 'cache_dir: %s\n' "$out/cache" >"$out/conf/huntkit.yaml"

# N distinct global-looking IPv4 addresses (fixed: the same every run)
"$PYTHON3" -c "
for i in range($n):
    print('198.%d.%d.%d' % (18 + (i >> 16) % 2, (i >> 8) & 255, i & 255))
" >"$out/iocs.txt"

printf '{"default": {"delay": %s, "status": 200, "body": "{\\"score\\": {score}, \\"verdict\\": \\"bench\\"}"}}\n' \
  "$delay" >"$out/script.json"
"$PYTHON3" "$src/tests/servers/httpd_script.py" --script "$out/script.json" \
  --log "$out/server.log" --port-file "$out/port" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
i=0
while [ ! -s "$out/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$out/port")

instance() { # RATE-KEY-LINE
  printf 'plugin: httpfix\ninstance: bench\nconcurrency: 20\n%s\nconfig:\n  base_url: http://127.0.0.1:%s\n' \
    "$1" "$port" >"$out/conf/conf.d/bench.yaml"
}

bench_need_time

# run LABEL ARGS...: one `ti lookup` over the IoCs; prints wall seconds
# and CPU seconds (user + system: the figure to trust on a busy machine)
run() {
  label=$1
  shift
  "$TIME" -f '%e %U %S' -o "$out/$label.time" \
    "$HUNTKIT" "$@" ti lookup --file "$out/iocs.txt" -o csv >"$out/$label.csv" \
    2>"$out/$label.err"
  rc=$?
  rows=$(($(wc -l <"$out/$label.csv") - 1))
  if [ $rc -ne 0 ] || [ "$rows" -ne "$n" ]; then
    echo "bench: $label: exit $rc, $rows rows of $n; see $out/$label.err" >&2
  fi
  failed=$(grep -c ',query_failed,' "$out/$label.csv")
  [ "$failed" -eq 0 ] || echo "bench: $label: $failed failed lookups" >&2
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$out/$label.time"
}

# window LOG-OFFSET: requests in the log after byte OFFSET: count, most in
# any closed 1-s window, most in any calendar second, first-to-last span
window() {
  "$PYTHON3" - "$out/server.log" "$1" <<'PY'
import json, math, sys
f = open(sys.argv[1]); f.seek(int(sys.argv[2]))
t = sorted(e["t"] for e in map(json.loads, f) if e["event"] == "request")
best = j = 0
for i in range(len(t)):
    while t[i] - t[j] > 1.0:
        j += 1
    best = max(best, i - j + 1)
per_sec = {}
for x in t:
    per_sec[math.floor(x)] = per_sec.get(math.floor(x), 0) + 1
print(len(t), best, max(per_sec.values()) if per_sec else 0,
      "%.2f" % (t[-1] - t[0] if t else 0))
PY
}

echo "huntkit ti lookup, $n IoCs, server delay ${delay}s, $(bench_machine)"

if [ -z "${SKIP_RATE:-}" ]; then
  instance "rate: $rate"
  off=$(stat -c %s "$out/server.log")
  set -- $(run rate --no-cache)
  wall=$1 cpu=$2
  set -- $(window "$off")
  echo "1. rate $rate: ${wall} s wall (${cpu} s CPU), server saw $1 requests over $4 s;" \
    "most in any 1-s window $2, in any calendar second $3"
fi

instance "rate: none"
rm -rf "$out/cache"
off=$(stat -c %s "$out/server.log")
set -- $(run free)
wall=$1 cpu=$2
set -- $(window "$off")
echo "2. no limit, 20 in flight: ${wall} s wall (${cpu} s CPU)," \
  "$("$PYTHON3" -c "print('%.0f' % ($n / $wall))") lookups/s (server saw $1 requests)"

off=$(stat -c %s "$out/server.log")
best= bestcpu=
for r in $(seq 1 "$runs"); do
  set -- $(run cached)
  best=$("$PYTHON3" -c "print(min(float('$1'), float('${best:-1e9}')))")
  bestcpu=$("$PYTHON3" -c "print(min(float('$2'), float('${bestcpu:-1e9}')))")
done
# one lookup, cached: the fixed cost of a run (start, plugins, renderer)
head -1 "$out/iocs.txt" >"$out/one.txt"
"$TIME" -f '%e' -o "$out/one.time" "$HUNTKIT" ti lookup --file "$out/one.txt" \
  -o csv >/dev/null 2>&1
one=$(cat "$out/one.time")
set -- $(window "$off")
echo "3. cached re-run (best of $runs): ${best} s wall, ${bestcpu} s CPU:" \
  "$("$PYTHON3" -c "print('%.0f' % ($n / $best))") lookups/s wall," \
  "$("$PYTHON3" -c "print('%.0f' % ($n / max($bestcpu, 0.01)))") per CPU second;" \
  "a 1-IoC run takes ${one} s (server saw $1 requests)"
