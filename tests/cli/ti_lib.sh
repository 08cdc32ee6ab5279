# tests/cli/ti_lib.sh -- helpers of the ti / HTTP service tests.  Source
# after tests/lib.sh.
#
#   ti_setup                 private plugin dir with httpfix.so, config dir
#                            $CONF (conf.d, cache_dir $T/cache); skips the
#                            test when python3 or the fixture is missing
#   start_server SCRIPT      run tests/servers/httpd_script.py with the
#                            JSON script text; sets $PORT, $BASE, $LOG
#   stop_server
#   instance NAME YAML       write $CONF/conf.d/NAME.yaml
#   logq PYTHON-EXPR         evaluate an expression over the server log:
#                            `reqs` (request events), `dones` (done
#                            events), `paths` (request paths in order)
#   csvq 'COL,COL' [FILTER]  print those columns of the CSV in $out

ti_setup() {
  [ -n "$PYTHON3" ] || skip_all "python3 not found"
  grep -q '^#define HK_WITH_HTTP 1' "$HK_BUILDDIR/config.h" ||
    skip_all "built without libcurl: no HTTP service"
  grep -q '^#define HK_WITH_CACHE 1' "$HK_BUILDDIR/config.h" ||
    skip_all "built without SQLite: no lookup cache"
  FIX="$HK_BUILDDIR/tests/host/.libs/httpfix.so"
  [ -f "$FIX" ] || skip_all "tests/host/httpfix.la not built"
  mkdir -p "$T/plugins" "$T/conf/conf.d"
  chmod 755 "$T/plugins"
  cp "$FIX" "$T/plugins/httpfix.so" && chmod 755 "$T/plugins/httpfix.so"
  HUNTKIT_PLUGIN_PATH="$T/plugins:$HUNTKIT_PLUGIN_PATH"
  CONF="$T/conf"
  HUNTKIT_CONFIG="$CONF"
  export HUNTKIT_PLUGIN_PATH HUNTKIT_CONFIG
  printf 'cache_dir: %s\n' "$T/cache" >"$CONF/huntkit.yaml"
  # loopback only: no proxy from the environment
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
  SERVER_PID=
  trap 'stop_server; rm -rf "$T"' EXIT
}

start_server() {
  printf '%s\n' "$1" >"$T/script.json"
  LOG="$T/log.$$.$(date +%s%N)"
  rm -f "$T/port"
  "$PYTHON3" "$HK_SRCDIR/tests/servers/httpd_script.py" \
    --script "$T/script.json" --log "$LOG" --port-file "$T/port" &
  SERVER_PID=$!
  i=0
  while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  [ -s "$T/port" ] || { echo "Bail out! test server did not start"; exit 1; }
  PORT=$(cat "$T/port")
  BASE="http://127.0.0.1:$PORT"
  : >>"$LOG"
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}

instance() {
  printf '%s\n' "$2" >"$CONF/conf.d/$1.yaml"
}

logq() {
  "$PYTHON3" - "$LOG" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reqs = [e for e in ev if e["event"] == "request"]
dones = [e for e in ev if e["event"] == "done"]
paths = [e["path"] for e in reqs]

def max_in_window(times, width=1.0):
    """Most arrivals in any closed window of `width` seconds."""
    times = sorted(times)
    best, j = 0, 0
    for i in range(len(times)):
        while times[i] - times[j] > width:
            j += 1
        best = max(best, i - j + 1)
    return best

def max_in_flight():
    """Most requests that had arrived and not been answered at once."""
    marks = sorted([(e["t"], 1) for e in reqs] + [(e["t"], -1) for e in dones],
                   key=lambda m: (m[0], m[1]))
    cur = best = 0
    for _, d in marks:
        cur += d
        best = max(best, cur)
    return best

def gap(path):
    """Seconds between the first two arrivals for `path`."""
    ts = [e["t"] for e in reqs if e["path"] == path]
    return ts[1] - ts[0]

r = eval(sys.argv[2])
print(r if not isinstance(r, float) else "%.3f" % r)
PY
}

csvq() {
  printf '%s\n' "$out" | "$PYTHON3" -c '
import csv, sys
cols = sys.argv[1].split(",")
rows = list(csv.DictReader(sys.stdin))
for r in rows:
    print(",".join(r[c] for c in cols))
' "$1"
}
