#!/bin/sh
# plugins/ipstack/test_ipstack.sh -- the ipstack enricher through pipelines
# against test_server.py on 127.0.0.1 (ipstack's documented JSON).  The
# lookups need the host's HTTP service: without it the plugin must refuse
# clearly, and the lookup tests are skipped.
. "$HK_SRCDIR/tests/lib.sh"
SRC="$HK_SRCDIR/plugins/ipstack"
[ -f "$HUNTKIT_PLUGIN_PATH/ipstack.so" ] || skip_all "ipstack plugin not built"
PY="${PYTHON3:-python3}"
command -v "$PY" >/dev/null 2>&1 || skip_all "python3 not available"

"$PY" "$SRC/test_server.py" "$T/requests.log" >"$T/port" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$T/port")

conf() { # conf DIR CONFIG-LINES
  mkdir -p "$1/conf.d"
  printf 'plugin: ipstack\nconfig:\n%s\n' "$2" >"$1/conf.d/ipstack.yaml"
}
cat >"$T/ips.csv" <<'EOF2'
ip
134.201.250.155
89.160.20.128
10.0.0.1
9.9.9.8
not-an-ip
EOF2

IPSTACK_TEST_KEY=good; export IPSTACK_TEST_KEY
conf "$T/good" "  api_key: \${env:IPSTACK_TEST_KEY}
  base_url: http://127.0.0.1:$port"
HUNTKIT_CONFIG="$T/good"; export HUNTKIT_CONFIG

hk plugins inspect ipstack
like "$out" "entity types:  ipv4, ipv6" "accepts ipv4 and ipv6"

hk run "file path=$T/ips.csv | ipstack column=ip prefix=geo_ | select ip, geo_country_code, geo_city, geo_latitude, geo_asn | csv"
case "$err" in
  *"no HTTP service"*)
    like "$err" "ipstack: this huntkit has no HTTP service" "without HTTP: a clear error"
    is "$rc" 1 "without HTTP: exit 1"
    for t in "lookups: exit 0" "lookups: values" "private address never sent" \
             "key never in the log" "bad key: error" "bad key: the run goes on"; do
      ok 0 "$t # SKIP the host has no HTTP service"
    done
    done_testing; exit $? ;;
esac
is "$rc" 0 "lookups: exit 0"
is "$out" "ip,geo_country_code,geo_city,geo_latitude,geo_asn
134.201.250.155,US,Los Angeles,34.0655,25876
89.160.20.128,SE,Linköping,58.4167,
10.0.0.1,,,,
9.9.9.8,,,,
not-an-ip,,,," "lookups: values (the columns geoip_maxmind names the same)"
unlike "$(cat "$T/requests.log")" "10.0.0.1" "private address never sent"
unlike "$err" "good" "key never in the log"

IPSTACK_TEST_KEY=k101
hk run "file path=$T/ips.csv | ipstack column=ip | csv"
like "$err" "ipstack refused the access key (101 invalid_access_key" "bad key: error"
is "$rc" 0 "bad key: the run goes on (failed lookups are warnings, rows kept)"

done_testing
