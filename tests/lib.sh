# tests/lib.sh -- TAP helpers for shell tests.  Source it:
#   . "$HK_SRCDIR/tests/lib.sh"
#   hk run 'file path=x.csv | table'        # runs huntkit, sets $out $err $rc
#   is "$rc" 0 "exit status"
#   is "$out" "expected" "output"
#   like "$err" "no column" "error names the column"
#   done_testing
# Every test gets a private $T (temporary directory, removed at exit).
# With HK_VALGRIND=1, huntkit runs under valgrind (errors fail the test).

tap_n=0
tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/hk-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
DATA="$HK_SRCDIR/tests/data"

ok() { # ok COND-EXIT-STATUS DESCRIPTION
  tap_n=$((tap_n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else
    echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
  if [ "$1" = "$2" ]; then ok 0 "$3"; else
    ok 1 "$3"
    printf '%s\n' "--- got" "$1" "--- want" "$2" | sed 's/^/# /'
  fi
}
like() { # like GOT SUBSTRING DESCRIPTION
  case "$1" in
    *"$2"*) ok 0 "$3" ;;
    *) ok 1 "$3"; printf '# %s\n' "'$2' not in:" ; printf '%s\n' "$1" | sed 's/^/#   /' ;;
  esac
}
unlike() { # unlike GOT SUBSTRING DESCRIPTION
  case "$1" in
    *"$2"*) ok 1 "$3"; printf '# %s\n' "'$2' unexpectedly in output" ;;
    *) ok 0 "$3" ;;
  esac
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# hk ARGS...: run huntkit; stdout in $out, stderr in $err, status in $rc.
hk() {
  if [ "${HK_VALGRIND:-0}" = 1 ]; then
    "$HK_BUILDDIR/libtool" --mode=execute valgrind -q --error-exitcode=99 \
      --leak-check=full --errors-for-leak-kinds=definite \
      --suppressions="$HK_SRCDIR/tests/valgrind.supp" \
      "$HUNTKIT" "$@" >"$T/out" 2>"$T/err" </dev/null
  else
    "$HUNTKIT" "$@" >"$T/out" 2>"$T/err" </dev/null
  fi
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}
# hk_in FILE ARGS...: like hk with FILE on standard input.
hk_in() {
  f="$1"; shift
  "$HUNTKIT" "$@" >"$T/out" 2>"$T/err" <"$f"
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}
