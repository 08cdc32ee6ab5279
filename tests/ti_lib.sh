# tests/ti_lib.sh -- shared by the end-to-end tests of the HTTP
# threat-intel plugins (virustotal, otx, xforce, greynoise, abuseipdb).
# Source after tests/lib.sh.
#
#   ti_begin PLUGIN         skip unless python3, the plugin and the host's
#                           HTTP service are there; config dir $CONF with a
#                           private cache; start tests/servers/ti_services.py
#                           (sets $PORT, $BASE = http://127.0.0.1:$PORT,
#                           $LOG = its request log); the service accepts
#                           the key $TI_KEY (and X-Force the password
#                           $TI_PASSWORD), both exported for ${env:...}
#   ti_instance NAME PLUGIN PATH [HOST-KEYS] [CONFIG-LINES]
#                           write conf.d/NAME.yaml: instance NAME of PLUGIN
#                           with base_url $BASE$PATH, retries: 0 unless
#                           HOST-KEYS sets it, and the extra top-level and
#                           config: lines given
#   csvq 'COL,COL'          those columns of the CSV in $out
#   logq PYTHON-EXPR        an expression over the server's request log
#                           (`reqs`: the JSON lines, in arrival order)
#   py_data FILE EXPR       an expression over tests/data/ti/FILE (`d`)

ti_begin() {
  [ -n "$PYTHON3" ] || skip_all "python3 not found"
  [ -f "$HUNTKIT_PLUGIN_PATH/$1.so" ] || skip_all "$1 plugin not built"
  hk ti lookup --help
  case "$err" in
    *"not available in this build"*) skip_all "host HTTP service not built yet" ;;
  esac
  CONF="$T/conf"
  mkdir -p "$CONF/conf.d"
  printf 'cache_dir: %s\n' "$T/cache" >"$CONF/huntkit.yaml"
  HUNTKIT_CONFIG="$CONF"
  export HUNTKIT_CONFIG
  # loopback only: no proxy from the environment
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
  TI_KEY=hk-ti-Secr3t-K3y
  TI_PASSWORD=hk-ti-Passw0rd
  export TI_KEY TI_PASSWORD
  LOG="$T/requests.log"
  : >"$LOG"
  "$PYTHON3" "$HK_SRCDIR/tests/servers/ti_services.py" --log "$LOG" \
    --key "$TI_KEY" --password "$TI_PASSWORD" --slow 5 >"$T/port" &
  SERVER_PID=$!
  trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; rm -rf "$T"' EXIT
  i=0
  while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  [ -s "$T/port" ] || { echo "Bail out! tests/servers/ti_services.py did not start"; exit 1; }
  PORT=$(cat "$T/port")
  BASE="http://127.0.0.1:$PORT"
}

ti_instance() {
  {
    printf 'plugin: %s\ninstance: %s\n' "$2" "$1"
    case "$4" in *retries:*) ;; *) printf 'retries: 0\n' ;; esac
    [ -n "$4" ] && printf '%s\n' "$4"
    printf 'config:\n  base_url: %s%s\n' "$BASE" "$3"
    [ -n "$5" ] && printf '%s\n' "$5"
  } >"$CONF/conf.d/$1.yaml"
}

csvq() {
  printf '%s\n' "$out" | "$PYTHON3" -c '
import csv, sys
cols = sys.argv[1].split(",")
for r in csv.DictReader(sys.stdin):
    print(",".join(r[c] for c in cols))
' "$1"
}

logq() {
  "$PYTHON3" - "$LOG" "$1" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))
PY
}

py_data() {
  "$PYTHON3" - "$HK_SRCDIR/tests/data/ti/$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
PY
}
