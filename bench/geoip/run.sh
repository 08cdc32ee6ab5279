#!/bin/sh
# bench/geoip/run.sh -- lookups/s of the built geoip_maxmind plugin on one
# core, next to libmaxminddb alone on the same addresses (see
# bench/README.md, "geoip_maxmind").
#
#   BUILD=/path/to/build sh bench/geoip/run.sh
#
# BUILD is a configured and built huntkit tree (config.h, the plugin's
# .libs/geoip_maxmind.so).  The synthetic GeoLite2-City-shaped database and
# the address list are generated once into BENCH_OUT (default
# bench/out/geoip, ignored by git).  SECONDS_PER: CPU seconds per
# measurement (default 3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
BUILD="${BUILD:-$(pwd)}"
out="${BENCH_OUT:-$src/bench/out/geoip}"
so="$BUILD/plugins/geoip_maxmind/.libs/geoip_maxmind.so"
[ -f "$so" ] || { echo "bench: no $so (set BUILD=path/to/build)" >&2; exit 2; }
[ -f "$BUILD/config.h" ] || { echo "bench: no $BUILD/config.h" >&2; exit 2; }
mkdir -p "$out"
[ -f "$out/city.mmdb" ] && [ -f "$out/addrs.txt" ] ||
  python3 "$here/gen_mmdb.py" "$out/city.mmdb" --addresses "$out/addrs.txt" \
    --count 1000000
bin="$out/bench_geoip"
if [ ! -x "$bin" ] || [ "$here/bench_geoip.c" -nt "$bin" ]; then
  ${CC:-cc} -O2 -std=gnu11 -o "$bin" -I"$src" -I"$src/sdk/include" -I"$BUILD" \
    "$here/bench_geoip.c" "$src/host/ioc.c" \
    $(pkg-config --cflags --libs libmaxminddb libpcre2-8) -ldl -lpthread
fi
"$bin" "$so" "$out/city.mmdb" "$out/addrs.txt" "${SECONDS_PER:-3}"
