#!/bin/sh
# plugins/tor/test_tor.sh -- the tor enricher through pipelines: a local
# exit list (list_path), then downloads from test_server.py on 127.0.0.1
# through the host's HTTP service.  Expected values read off the fixtures
# test-exit-addresses and test-bulk-exit-list.
. "$HK_SRCDIR/tests/lib.sh"
SRC="$HK_SRCDIR/plugins/tor"
[ -f "$HUNTKIT_PLUGIN_PATH/tor.so" ] || skip_all "tor plugin not built"

conf() { # conf DIR CONFIG-LINES: huntkit.yaml with a cache dir + conf.d/tor.yaml
  mkdir -p "$1/conf.d"
  printf 'cache_dir: %s/cache\n' "$1" >"$1/huntkit.yaml"
  printf 'plugin: tor\nconfig:\n%s\n' "$2" >"$1/conf.d/tor.yaml"
}

cat >"$T/ips.csv" <<'EOF'
ip
162.247.74.201
185.220.101.34
8.8.8.8
10.0.0.1
::ffff:193.218.118.182
2a0b:f4c2::30
not-an-ip
EOF

conf "$T/local" "  list_path: $SRC/test-exit-addresses
  max_age: 0"
HUNTKIT_CONFIG="$T/local"; export HUNTKIT_CONFIG
hk run "file path=$T/ips.csv | tor column=ip | csv"
is "$rc" 0 "local list: exit 0"
is "$out" "ip,tor_is_exit,tor_node_id,tor_published,tor_last_status,tor_exit_seen,tor_status,tor_summary
162.247.74.201,true,0011BD2485AD45D984EC4159C88FC066E5E3300E,2024-05-01T09:11:02Z,2024-05-01T19:00:00Z,2024-05-01T19:28:04Z,ok,Tor exit node 0011BD2485AD45D984EC4159C88FC066E5E3300E (last status 2024-05-01 19:00:00 UTC)
185.220.101.34,true,00C3CC8A87D9E1D2B8A2AC1E6D5D1A1F53E1C6B8,2024-05-01T04:22:45Z,2024-05-01T20:00:00Z,2024-05-01T20:06:01Z,ok,Tor exit node 00C3CC8A87D9E1D2B8A2AC1E6D5D1A1F53E1C6B8 (last status 2024-05-01 20:00:00 UTC)
8.8.8.8,false,,,,,no_data,not in the Tor exit list (4 addresses)
10.0.0.1,false,,,,,no_data,private address: not a Tor exit node
::ffff:193.218.118.182,true,01A9258A46E97FF8B2CAC7910577862C14F2C524,2024-04-30T23:54:13Z,2024-05-01T18:00:00Z,2024-04-30T18:47:29Z,ok,Tor exit node 01A9258A46E97FF8B2CAC7910577862C14F2C524 (last status 2024-05-01 18:00:00 UTC)
2a0b:f4c2::30,false,,,,,no_data,not in the Tor exit list (4 addresses)
not-an-ip,,,,,,not_supported,not a recognised IoC" "exit-addresses: listed, unlisted, private, mapped, not an IP (the host adds status and summary)"
is "$err" "" "no warnings"

conf "$T/bulk" "  list_path: $SRC/test-bulk-exit-list
  max_age: 0"
HUNTKIT_CONFIG="$T/bulk"
hk run "file path=$T/ips.csv | tor column=ip prefix=t_ | select ip, t_is_exit, t_node_id | csv"
is "$out" "ip,t_is_exit,t_node_id
162.247.74.201,true,
185.220.101.34,false,
8.8.8.8,false,
10.0.0.1,false,
::ffff:193.218.118.182,false,
2a0b:f4c2::30,true,
not-an-ip,," "bulk list: IPv4 and IPv6, no relay details"

hk plugins inspect tor
like "$out" "entity types:  ipv4, ipv6" "accepts ipv4 and ipv6"

conf "$T/missing" "  list_path: $T/nope"
HUNTKIT_CONFIG="$T/missing"
hk run "file path=$T/ips.csv | tor column=ip | csv"
is "$rc" 1 "missing list_path: exit 1"
like "$err" "tor: list_path: cannot open $T/nope: No such file or directory" "missing list named"

# ---------------------------------------------------------------- network
PY="${PYTHON3:-python3}"
command -v "$PY" >/dev/null 2>&1 || { done_testing; exit $?; }
"$PY" "$SRC/test_server.py" "$SRC" "$T/requests.log" >"$T/port" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$T/port")

conf "$T/net" "  url: http://127.0.0.1:$port/exit-addresses
  fallback_url: http://127.0.0.1:$port/bulk"
HUNTKIT_CONFIG="$T/net"
hk run "file path=$T/ips.csv | tor column=ip | select ip, tor_is_exit | csv"
case "$err" in
  *"no HTTP service"*)
    # The host's HTTP service is compiled out or not written yet: the
    # plugin said so clearly; the download tests cannot run.
    like "$err" "tor: no Tor exit list: this huntkit has no HTTP service" "without HTTP: a clear error"
    for t in "download: exit 0" "download: lookups" "one request" "cached list reused" \
             "still one request" "fallback on 503" "stale list used when refresh fails"; do
      ok 0 "$t # SKIP the host has no HTTP service"
    done
    done_testing; exit $? ;;
esac
is "$rc" 0 "download: exit 0"
is "$out" "ip,tor_is_exit
162.247.74.201,true
185.220.101.34,true
8.8.8.8,false
10.0.0.1,false
::ffff:193.218.118.182,true
2a0b:f4c2::30,false
not-an-ip," "download: lookups"
is "$(grep -c . "$T/requests.log")" 1 "one request"
hk run "file path=$T/ips.csv | tor column=ip | select ip, tor_is_exit | head 1 | csv"
is "$out" "ip,tor_is_exit
162.247.74.201,true" "cached list reused"
is "$(grep -c . "$T/requests.log")" 1 "still one request"

# Stale cache, main URL failing: the fallback list replaces it.
find "$T/net/cache" -name exit-addresses -exec touch -d '3 days ago' {} +
conf "$T/net" "  url: http://127.0.0.1:$port/status/503
  fallback_url: http://127.0.0.1:$port/bulk"
hk run "file path=$T/ips.csv | tor column=ip | select ip, tor_is_exit | csv"
like "$out" "2a0b:f4c2::30,true" "fallback on 503"

find "$T/net/cache" -name exit-addresses -exec touch -d '3 days ago' {} +
conf "$T/net" "  url: http://127.0.0.1:$port/status/404
  fallback_url: ''"
hk run "file path=$T/ips.csv | tor column=ip | select ip, tor_is_exit | csv"
like "$err" "using the cached exit list, 3 days old (max_age is 1d), because refreshing it failed: http://127.0.0.1:$port/status/404 answered HTTP 404" "stale list used when refresh fails"

done_testing
