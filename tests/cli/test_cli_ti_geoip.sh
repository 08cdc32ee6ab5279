#!/bin/sh
# tests/cli/test_cli_ti_geoip.sh -- `huntkit geoip` over MaxMind's test
# databases (tests/data/maxmind).  Expected values from MaxMind's
# source-data JSON (longest-prefix match in python3, independently of
# libmaxminddb): 81.2.69.142 is in 81.2.69.142/31, GB, London, England,
# 51.5142/-0.0931, Europe/London; 89.160.20.128 is in 89.160.20.128/25,
# SE, Linköping, Östergötland County, 58.4167/15.6167, Europe/Stockholm,
# AS29518 Bredband2 AB; 2a02:d300::1 is in 2a02:d300::/29, UA, 49/32.
. "$HK_SRCDIR/tests/lib.sh"
[ -f "$HUNTKIT_PLUGIN_PATH/geoip_maxmind.so" ] || skip_all "geoip_maxmind not built"
MM="$DATA/maxmind"
HEAD="ip,country_code,country_name,city,subdivision,postal_code,latitude,longitude,timezone,asn,as_org,network,status,summary"

hk geoip --db "$MM/GeoLite2-City-Test.mmdb" --db "$MM/GeoLite2-ASN-Test.mmdb" -o csv 81.2.69.142 89.160.20.128 10.0.0.1 example.com 2a02:d300::1 127.0.0.1
is "$rc" 0 "geoip with --db City and ASN"
is "$out" "$HEAD
81.2.69.142,GB,United Kingdom,London,England,,51.5142,-0.0931,Europe/London,,,81.2.69.142/31,ok,\"GB, London\"
89.160.20.128,SE,Sweden,Linköping,Östergötland County,,58.4167,15.6167,Europe/Stockholm,29518,Bredband2 AB,89.160.20.128/25,ok,\"SE, Linköping; AS29518 Bredband2 AB\"
10.0.0.1,,,,,,,,,,,,no_data,private address (not geolocated)
example.com,,,,,,,,,,,,bad_format,not an IPv4 or IPv6 address
2a02:d300::1,UA,Ukraine,,,,49,32,,,,2a02:d300::/29,ok,UA
127.0.0.1,,,,,,,,,,,,no_data,loopback address (not geolocated)" "one row per address; non-public ones answered as such"
like "$err" "city_db $MM/GeoLite2-City-Test.mmdb was built" "the test database's age is warned about"

printf '81.2.69.142\n\n# comment\n10.0.0.1\n81.2.69.142\n' >"$T/ips.txt"
hk geoip --db "$MM/GeoLite2-City-Test.mmdb" --file "$T/ips.txt" -o csv
is "$(printf '%s\n' "$out" | cut -d, -f1,2,4,13)" "ip,country_code,city,status
81.2.69.142,GB,London,ok
10.0.0.1,,,no_data" "--file, duplicates once"

# No database: the plugin's message and a hint.
hk geoip 81.2.69.142
is "$rc" 1 "no database configured: exit 1"
like "$err" "no database configured: set city_db (a GeoLite2-City.mmdb) in conf.d/geoip_maxmind.yaml (or give the database with --db PATH)" "says what to set, or --db"

# A configured instance is used without --db.
mkdir -p "$T/conf/conf.d"
printf 'plugin: geoip_maxmind\nconfig:\n  country_db: %s\n  max_age_days: 0\n' "$MM/GeoLite2-Country-Test.mmdb" >"$T/conf/conf.d/geo.yaml"
HUNTKIT_CONFIG="$T/conf" hk geoip -o csv 81.2.69.142
is "$(printf '%s\n' "$out" | cut -d, -f1,2,3,4,13)" "ip,country_code,country_name,city,status
81.2.69.142,GB,United Kingdom,,ok" "conf.d/geoip_maxmind.yaml: country only"
is "$err" "" "no warning with max_age_days: 0"

# Broken database: a clear error, no crash.
hk geoip --db "$MM/libmaxminddb-offset-integer-overflow.mmdb" 81.2.69.142
is "$rc" 1 "a corrupt database: exit 1"
like "$err" "cannot open city_db $MM/libmaxminddb-offset-integer-overflow.mmdb: The MaxMind DB file's data section contains bad data" "names the file and the reason"
hk geoip --db "$T/nope.mmdb" 81.2.69.142
is "$rc" 1 "a missing database: exit 1"
like "$err" "cannot open city_db $T/nope.mmdb" "names it"

hk geoip
is "$rc" 2 "no addresses: usage error"
is "$err" "huntkit geoip: give IP addresses, or --file FILE
Try 'huntkit help geoip'." "says what to give"

done_testing
