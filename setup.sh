#!/usr/bin/env bash
# setup.sh -- the README's two commands.
#
#   sudo ./setup.sh demo   install build dependencies, build, run `huntkit demo`
#   sudo ./setup.sh test   install build dependencies, build, run the whole suite
#
# Options (after the verb):
#   --no-deps        skip apt-get (dependencies already installed)
#   --no-sanitizers  `test` only: skip the second run under ASan + UBSan
#   --valgrind       `test` only: also run the suite under valgrind (slow)
# Ends `test` with the line "N passed, N failed".
set -euo pipefail

verb="${1:-}"
shift || true
deps=1 sanitizers=1 valgrind=0
for a in "$@"; do
  case "$a" in
    --no-deps) deps=0 ;;
    --no-sanitizers) sanitizers=0 ;;
    --valgrind) valgrind=1 ;;
    *) echo "setup.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done
case "$verb" in
  demo|test) ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

top="$(cd "$(dirname "$0")" && pwd)"
cd "$top"
jobs="$(nproc 2>/dev/null || echo 2)"

# Debian 12 package names.  The build needs the -dev packages; the tests
# also use python3 (loopback servers, expected values) and valgrind.
packages=(
  build-essential autoconf automake libtool libltdl-dev pkg-config
  libcurl4-openssl-dev libjson-c-dev libyaml-dev libpcre2-dev
  libmaxminddb-dev libarchive-dev zlib1g-dev libssl-dev libpsl-dev
  libidn2-dev libsqlite3-dev python3
)
[ "$verb" = test ] && packages+=(valgrind chromium)

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() { # build DIR [configure args...]
  local dir="$1"; shift
  mkdir -p "$dir"
  (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs")
}

[ "$deps" = 1 ] && install_deps
[ -x configure ] || ./autogen.sh >/dev/null 2>&1

if [ "$verb" = demo ]; then
  build "$top/build"
  make -s -C "$top/build" tests/plugindir.stamp
  HUNTKIT_PLUGIN_PATH="$top/build/tests/plugindir" exec "$top/build/huntkit" demo
fi

# test: the plain build, then ASan + UBSan, optionally valgrind.
passed=0 failed=0
count() { # count BUILD-DIR: add the TAP totals of its test-suite.log
  local log="$1/test-suite.log" p f e x
  [ -f "$log" ] || { failed=$((failed + 1)); return; }
  p=$(awk '/^# PASS:/ {print $3}' "$log"); f=$(awk '/^# FAIL:/ {print $3}' "$log")
  e=$(awk '/^# ERROR:/ {print $3}' "$log"); x=$(awk '/^# XPASS:/ {print $3}' "$log")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${x:-0}))
}
suite() { # suite NAME DIR [make check env...]
  local name="$1" dir="$2"; shift 2
  echo "== $name" >&2
  if ! (cd "$dir" && env "$@" make -j"$jobs" check >"$dir/check.out" 2>&1); then
    # Show what failed and the tail of each failing test's log.
    grep -E '^(FAIL|ERROR|XPASS)' "$dir/check.out" >&2 || tail -30 "$dir/check.out" >&2
    grep -E '^(FAIL|ERROR):' "$dir/check.out" | awk '{print $2}' | sort -u |
      while read -r t; do
        t="${t%.sh}"; [ -f "$dir/$t.log" ] && { echo "--- $t.log" >&2; tail -40 "$dir/$t.log" >&2; }
      done
  fi
  grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR):' "$dir/test-suite.log" >&2 || true
  count "$dir"
}

build "$top/build"
suite "test suite" "$top/build"
if [ "$sanitizers" = 1 ]; then
  build "$top/build-asan" --enable-sanitizers
  suite "test suite under ASan + UBSan" "$top/build-asan"
fi
if [ "$valgrind" = 1 ]; then
  suite "test suite under valgrind" "$top/build" HK_VALGRIND=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
