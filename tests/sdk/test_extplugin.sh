#!/bin/sh
# Build sdk/examples/hello the way a third party would -- a copy outside
# the tree, nothing but `pkg-config huntkit-plugin` (the uninstalled .pc
# in $HK_BUILDDIR/sdk) -- then check its exports, run it through a tiny
# dlopen driver and through `huntkit plugins check`.
. "$HK_SRCDIR/tests/lib.sh"

command -v pkg-config >/dev/null 2>&1 || skip_all "pkg-config is not installed"
command -v nm >/dev/null 2>&1 || skip_all "nm is not installed"

mkdir "$T/hello"
cp "$HK_SRCDIR/sdk/examples/hello/hello.c" \
   "$HK_SRCDIR/sdk/examples/hello/hello.map" \
   "$HK_SRCDIR/sdk/examples/hello/Makefile" "$T/hello/"

# A sanitizer build's libhuntkit-sdk.a calls into the ASan/UBSan runtimes:
# the plugin must link them too (and is loaded by a sanitized binary).
sdk_syms=$(nm "$HK_BUILDDIR/.libs/libhuntkit-sdk.a" 2>/dev/null)
sanitizers=
case "$sdk_syms" in *__asan_*) sanitizers=address ;; esac
case "$sdk_syms" in *__ubsan_*) sanitizers="${sanitizers:+$sanitizers,}undefined" ;; esac
san=${sanitizers:+-fsanitize=$sanitizers}

PKG_CONFIG_PATH="$HK_BUILDDIR/sdk" MAKEFLAGS= MFLAGS= \
  make -C "$T/hello" CC="${CC:-cc}" LDFLAGS="$san" >"$T/build.log" 2>&1
rc=$?
is "$rc" 0 "hello builds with pkg-config --cflags --libs huntkit-plugin"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/build.log"
chmod 755 "$T/hello/hello.so" 2>/dev/null

like "$(cat "$T/build.log")" "$HK_BUILDDIR/.libs/libhuntkit-sdk.a" \
  "pkg-config chose the uninstalled .pc (build-tree archive)"

exports=$(nm -D --defined-only "$T/hello/hello.so" 2>&1 | awk '{print $NF}')
is "$exports" "hello_LTX_hk_plugin_entry" "the only exported symbol is the entry"

driver="$HK_BUILDDIR/tests/sdk/extplugin_driver"
if [ "${HK_VALGRIND:-0}" = 1 ]; then
  set -- valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite \
    --suppressions="$HK_SRCDIR/tests/valgrind.supp" "$driver"
else
  set -- "$driver"
fi
out=$("$@" "$T/hello/hello.so" hello 8.8.8.8 ipv4 2>"$T/driver.err")
is "$?" 0 "the dlopen driver runs a lookup"
is "$out" "name=hello kind=2
status=0
greeting=hi 8.8.8.8
length=7" "lookup answer uses the configured salutation"
like "$(cat "$T/driver.err")" "salutation is 'hi'" "the plugin logs through the host table"

# The build used the source tree's headers; `make install` copies only those
# listed in sdk/Makefile.inc, so every public header must be listed there.
missing=
for h in "$HK_SRCDIR"/sdk/include/huntkit/*.h; do
  grep -q "sdk/include/huntkit/${h##*/}" "$HK_SRCDIR/sdk/Makefile.inc" ||
    missing="$missing ${h##*/}"
done
is "$missing" "" "every public header is installed (huntkit_include_HEADERS)"

# The CLI loads it like any installed plugin.
hk plugins check "$T/hello/hello.so"
is "$rc" 0 "huntkit plugins check accepts hello.so"
like "$out$err" "hello" "and names the plugin"

done_testing
