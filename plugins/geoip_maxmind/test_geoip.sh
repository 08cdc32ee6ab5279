#!/bin/sh
# plugins/geoip_maxmind/test_geoip.sh -- the geoip_maxmind enricher through
# a pipeline over MaxMind's test databases (tests/data/maxmind).  Expected
# values were taken from MaxMind's source JSON (MaxMind-DB
# source-data/GeoLite2-City-Test.json, GeoLite2-ASN-Test.json) by a
# longest-prefix match in python3, independently of libmaxminddb.
. "$HK_SRCDIR/tests/lib.sh"
MM="$DATA/maxmind"

conf() { # conf DIR YAML-CONFIG-LINES: a config dir with conf.d/geoip_maxmind.yaml
  mkdir -p "$1/conf.d"
  printf 'plugin: geoip_maxmind\nconfig:\n%s\n' "$2" >"$1/conf.d/geoip_maxmind.yaml"
}

cat >"$T/ips.csv" <<'EOF'
ip
81.2.69.142
2.125.160.216
175.16.199.5
1.0.0.1
89.160.20.128
89.160.20.115
216.160.83.57
2a02:cf40::1
2001:480::5
8.8.8.8
10.0.0.1
::1
not-an-ip
EOF

conf "$T/good" "  city_db: $MM/GeoLite2-City-Test.mmdb
  asn_db: $MM/GeoLite2-ASN-Test.mmdb
  max_age_days: 0"
HUNTKIT_CONFIG="$T/good"; export HUNTKIT_CONFIG
hk run "file path=$T/ips.csv | geoip_maxmind column=ip prefix= | csv"
is "$out" "ip,country_code,country_name,city,subdivision,postal_code,latitude,longitude,timezone,asn,as_org,network,status,summary
81.2.69.142,GB,United Kingdom,London,England,,51.5142,-0.0931,Europe/London,,,81.2.69.142/31,ok,\"GB, London\"
2.125.160.216,GB,United Kingdom,Boxford,England,OX1,51.75,-1.25,Europe/London,,,2.125.160.216/29,ok,\"GB, Boxford\"
175.16.199.5,CN,China,Changchun,Jilin Sheng,,43.88,125.3228,Asia/Harbin,,,175.16.199.0/24,ok,\"CN, Changchun\"
1.0.0.1,,,,,,,,,15169,Google Inc.,1.0.0.0/24,ok,-; AS15169 Google Inc.
89.160.20.128,SE,Sweden,Linköping,Östergötland County,,58.4167,15.6167,Europe/Stockholm,29518,Bredband2 AB,89.160.20.128/25,ok,\"SE, Linköping; AS29518 Bredband2 AB\"
89.160.20.115,SE,Sweden,Linköping,Östergötland County,,58.4167,15.6167,Europe/Stockholm,29518,Bredband2 AB,89.160.20.112/28,ok,\"SE, Linköping; AS29518 Bredband2 AB\"
216.160.83.57,US,United States,Milton,Washington,98354,47.2513,-122.3149,America/Los_Angeles,209,,216.160.83.56/29,ok,\"US, Milton; AS209\"
2a02:cf40::1,NO,Norway,,,,62,10,Europe/Oslo,,,2a02:cf40::/29,ok,NO
2001:480::5,US,United States,San Diego,California,92101,32.7203,-117.1552,America/Los_Angeles,,,2001:480::/43,ok,\"US, San Diego\"
8.8.8.8,,,,,,,,,,,,no_data,not in database
10.0.0.1,,,,,,,,,,,,no_data,private address (not geolocated)
::1,,,,,,,,,,,,no_data,loopback address (not geolocated)
not-an-ip,,,,,,,,,,,,not_supported,not a recognised IoC" "city + asn fields from the test databases (the host adds status and summary)"
is "$rc" 0 "exit status 0"
is "$err" "" "no warnings with max_age_days: 0"

# Typed columns.
hk run "file path=$T/ips.csv | geoip_maxmind column=ip prefix=g_ | select g_latitude, g_asn | head 4 | ndjson"
is "$out" '{"g_latitude":51.5142,"g_asn":null}
{"g_latitude":51.75,"g_asn":null}
{"g_latitude":43.88,"g_asn":null}
{"g_latitude":null,"g_asn":15169}' "latitude is float64, asn int64"

hk plugins inspect geoip_maxmind
like "$out" "entity types:  ipv4, ipv6" "accepts ipv4 and ipv6"

# Country database alone; language with fallback to English.
conf "$T/country" "  country_db: $MM/GeoLite2-Country-Test.mmdb
  city_db: $MM/GeoLite2-City-Test.mmdb
  language: de
  max_age_days: 0"
HUNTKIT_CONFIG="$T/country"
hk run "file path=$T/ips.csv | geoip_maxmind column=ip prefix=g_ | select ip, g_country_name, g_city | head 3 | csv"
is "$out" "ip,g_country_name,g_city
81.2.69.142,Vereinigtes Königreich,London
2.125.160.216,Vereinigtes Königreich,Boxford
175.16.199.5,China,Chángchūn" "language de, falling back to en (Boxford has only en)"

conf "$T/countryonly" "  country_db: $MM/GeoLite2-Country-Test.mmdb
  max_age_days: 0"
HUNTKIT_CONFIG="$T/countryonly"
hk run "file path=$T/ips.csv | geoip_maxmind column=ip prefix=g_ | select ip, g_country_code, g_city | head 2 | csv"
is "$out" "ip,g_country_code,g_city
81.2.69.142,GB,
2.125.160.216,GB," "country_db alone gives the country"

# Age warning: the test databases are years old.
conf "$T/old" "  city_db: $MM/GeoLite2-City-Test.mmdb
  max_age_days: 1"
HUNTKIT_CONFIG="$T/old"
hk run "file path=$T/ips.csv | geoip_maxmind column=ip | head 1 | csv"
like "$err" "GeoLite2-City-Test.mmdb was built" "stale database warned about"
like "$err" "(max_age is 1d); download a fresh copy from MaxMind, or set license_key (and account_id) in conf.d/geoip_maxmind.yaml to let huntkit fetch it" "warning names the limit and the way to fix it"

# No database at all.
conf "$T/none" "  language: en"
HUNTKIT_CONFIG="$T/none"
hk run "file path=$T/ips.csv | geoip_maxmind column=ip | csv"
is "$rc" 1 "no database: exit 1"
like "$err" "geoip_maxmind: no database configured: set city_db (a GeoLite2-City.mmdb) in conf.d/geoip_maxmind.yaml" "no database: error says what to set"

conf "$T/missing" "  city_db: $T/nope.mmdb"
HUNTKIT_CONFIG="$T/missing"
hk run "file path=$T/ips.csv | geoip_maxmind column=ip | csv"
is "$rc" 2 "missing file: exit 2"
like "$err" "cannot open city_db $T/nope.mmdb: Error opening the specified MaxMind DB file" "missing file named with libmaxminddb's reason"

# Broken databases: refused at start, or rows answered QUERY_FAILED (null
# fields and a warning); never a crash.
printf 'ip\n81.2.69.142\n1.1.1.1\n1.1.1.3\n1.1.1.32\n2001:480::5\n' >"$T/b.csv"
broken() { # broken DB WANT-RC WANT-STDERR
  conf "$T/b-$1" "  city_db: $MM/$1.mmdb
  max_age_days: 0"
  HUNTKIT_CONFIG="$T/b-$1"
  hk run "file path=$T/b.csv | geoip_maxmind column=ip prefix=g_ | select ip, g_country_code | csv"
  is "$rc" "$2" "$1: exit status $2"
  like "$err" "$3" "$1: error message"
}
broken GeoIP2-City-Test-Invalid-Node-Count 1 "cannot open city_db $MM/GeoIP2-City-Test-Invalid-Node-Count.mmdb: The MaxMind DB file contains invalid metadata"
broken libmaxminddb-metadata-marker-only 1 "cannot open city_db $MM/libmaxminddb-metadata-marker-only.mmdb: "
broken libmaxminddb-offset-integer-overflow 1 "cannot open city_db $MM/libmaxminddb-offset-integer-overflow.mmdb: The MaxMind DB file's data section contains bad data"
broken GeoIP2-City-Test-Broken-Double-Format 0 "GeoIP2-City-Test-Broken-Double-Format.mmdb: reading the record failed: The MaxMind DB file's data section contains bad data"
is "$out" "ip,g_country_code
81.2.69.142,
1.1.1.1,
1.1.1.3,
1.1.1.32,
2001:480::5," "broken double: rows kept, fields null"
broken MaxMind-DB-test-broken-pointers-24 0 "MaxMind-DB-test-broken-pointers-24.mmdb: lookup failed: The MaxMind DB file's search tree is corrupt"
broken libmaxminddb-oversized-map 0 "reading the record failed: The MaxMind DB file's data section contains bad data"
# These two are not detected as broken by libmaxminddb: the rows come back
# (with no country: they are not GeoIP databases) and nothing crashes.
broken MaxMind-DB-test-broken-search-tree-24 0 "is a 'Test' database, not a City database"
broken libmaxminddb-corrupt-search-tree 0 "is a 'Test' database, not a City database"
broken libmaxminddb-deep-nesting 0 "is a 'Test' database, not a City database"

# Download with a licence key from test_server.py on 127.0.0.1 (archives
# built from the test databases), through the host's HTTP service.
PY="${PYTHON3:-python3}"
if command -v "$PY" >/dev/null 2>&1; then
  "$PY" "$HK_SRCDIR/plugins/geoip_maxmind/test_server.py" "$MM" "$T/requests.log" >"$T/port" &
  srv=$!
  trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
  i=0
  while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  port=$(cat "$T/port")
  MAXMIND_TEST_KEY=goodkey; export MAXMIND_TEST_KEY
  conf "$T/dl" "  city_db: $T/dl/db/GeoLite2-City.mmdb
  license_key: \${env:MAXMIND_TEST_KEY}
  account_id: 42
  download_url: http://127.0.0.1:$port
  max_age: 0"
  HUNTKIT_CONFIG="$T/dl"
  hk run "file path=$T/ips.csv | geoip_maxmind column=ip prefix=g_ | select ip, g_city | head 1 | csv"
  case "$err" in
    *"no HTTP service"*)
      like "$err" "downloading GeoLite2-City failed: this huntkit has no HTTP service" "without HTTP: a clear error"
      for t in "download: exit 0" "download: lookups" "download: the server was asked once" \
               "bad key: exit 1" "bad key: message" "bad key: no key in the message"; do
        ok 0 "$t # SKIP the host has no HTTP service"
      done ;;
    *)
      is "$rc" 0 "download: exit 0"
      is "$out" "ip,g_city
81.2.69.142,London" "download: lookups"
      like "$(cat "$T/requests.log")" "GET /geoip/databases/GeoLite2-City/download?suffix=tar.gz auth=42" "download: the server was asked once"
      MAXMIND_TEST_KEY=badkey
      conf "$T/bad" "  city_db: $T/bad/GeoLite2-City.mmdb
  license_key: \${env:MAXMIND_TEST_KEY}
  account_id: 42
  download_url: http://127.0.0.1:$port"
      HUNTKIT_CONFIG="$T/bad"
      hk run "file path=$T/ips.csv | geoip_maxmind column=ip | csv"
      is "$rc" 1 "bad key: exit 1"
      like "$err" "downloading GeoLite2-City failed: MaxMind refused the licence key (HTTP 401) for GeoLite2-City: check license_key and account_id" "bad key: message"
      unlike "$err" "badkey" "bad key: no key in the message" ;;
  esac
fi

done_testing
