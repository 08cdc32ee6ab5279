#!/bin/sh
# tests/cli/test_cli_plugins.sh -- plugins list, inspect and check.
. "$HK_SRCDIR/tests/lib.sh"
PY=${PYTHON3:-python3}
command -v "$PY" >/dev/null 2>&1 || skip_all "python3 is needed to read the JSON output"
PD=$HUNTKIT_PLUGIN_PATH
FIXTURES="$HK_BUILDDIR/tests/cli/.libs"

# --- list -------------------------------------------------------------
hk plugins list -o json
is "$rc" 0 "plugins list -o json exits 0"
printf '%s\n' "$out" >"$T/list.json"
got=$("$PY" - "$T/list.json" "$PD" <<'PYEOF'
import json, os, sys
rows = json.load(open(sys.argv[1]))
sos = sorted(os.path.join(sys.argv[2], f) for f in os.listdir(sys.argv[2]) if f.endswith(".so"))
loaded = sorted({r["path"] for r in rows if r["status"] == "loaded"})
problems = [f"not loaded: {p}" for p in sos if p not in loaded]
problems += [f"refused: {r['path']}: {r['reason']}" for r in rows if r["status"] != "loaded"]
problems += [f"bad row: {r}" for r in rows if set(r) != {"name", "kind", "version", "abi", "status", "reason", "path"}]
print("\n".join(problems) or "ok")
PYEOF
)
is "$got" "ok" "every built plugin is listed as loaded, with every column"
for name in file where select sort head count iptype table csv json ndjson; do
  if [ -f "$PD/file.so" ] || [ "$name" != file ]; then
    like "$out" "\"name\":\"$name\"" "$name is listed"
  fi
done

hk plugins list
is "$rc" 0 "plugins list exits 0"
is "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "name kind version abi status reason path" "table header"
sq=$(printf '%s\n' "$out" | tr -s ' ')
like "$sq" "
file provider 1.0.0 1.1 loaded $PD/file.so
" "file row"

hk plugins list -o csv
is "$(printf '%s\n' "$out" | head -1)" "name,kind,version,abi,status,reason,path" "csv header"
like "$out" "
iptype,enricher,1.0.0,1.1,loaded,,$PD/iptype.so" "csv row"

hk plugins list -o nosuch
is "$rc" 2 "-o with an unknown renderer: exit 2"
like "$err" "no plugin named 'nosuch'" "unknown renderer named"

# A directory with one good and one refused plugin: both are shown.
mkdir "$T/pd"
chmod 755 "$T/pd"
cp "$PD/renderers.so" "$FIXTURES/fixture_badabi.so" "$T/pd/"
chmod 755 "$T/pd"/*.so
HUNTKIT_PLUGIN_PATH="$T/pd" hk plugins list -o csv
is "$rc" 0 "a refused plugin does not fail the list"
like "$out" "table,renderer,0.1.0,1.1,loaded,,$T/pd/renderers.so" "good plugin loaded"
like "$out" ",refused," "refused plugin listed"
like "$out" "built for ABI 2.0, this huntkit speaks ABI 1.1" "with the reason"
like "$out" "$T/pd/fixture_badabi.so" "and the path"

# --- inspect ----------------------------------------------------------
hk plugins inspect file
is "$rc" 0 "inspect file exits 0"
is "$(printf '%s\n' "$out" | head -1)" "file 1.0.0 (provider)" "inspect: name, version, kind"
like "$out" "  file:          $PD/file.so" "inspect: path"
like "$out" "  ABI:           1.1" "inspect: ABI"
like "$out" "Run options (key=value in a pipeline stage):" "inspect: run options"
sq=$(printf '%s\n' "$out" | tr -s ' ')
like "$sq" "
path list required, text after the name files to read" "inspect: path option with type and flags"
like "$sq" "
format string auto auto|csv|tsv|ndjson|json input format" "inspect: default and choices"
like "$out" "Instance config (the config: mapping of a conf.d file):
  none" "inspect: no instance config"

hk plugins inspect file -o json
is "$rc" 0 "inspect -o json exits 0"
printf '%s\n' "$out" >"$T/file.json"
got=$("$PY" - "$T/file.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
p = {o["name"]: o for o in d["options"]}
print(d["name"], d["kind"], d["abi"], p["path"]["type"], p["path"]["required"],
      p["path"]["rest"], p["format"]["default"], p["format"]["choices"], d["config"])
PYEOF
)
is "$got" "file provider 1.1 list True True auto auto|csv|tsv|ndjson|json []" "inspect -o json fields"

hk plugins inspect iptype
is "$rc" 0 "inspect an enricher"
like "$out" "entity types:  ipv4, ipv6" "entity types"
sq=$(printf '%s\n' "$out" | tr -s ' ')
like "$sq" "
column string required column whose values are looked up (added by the host)" "host option column="
like "$out" "Columns added (PREFIX + name):" "fields section"
like "$sq" "
family int64 4 or 6" "a field with its type"

hk plugins inspect table
like "$out" "media type:    text/plain" "renderer media type"

hk plugins inspect nosuch
is "$rc" 2 "inspect an unknown plugin: exit 2"
like "$err" "huntkit: no plugin named 'nosuch'" "unknown plugin message"
hk plugins inspect file -o csv
is "$rc" 2 "inspect -o csv: exit 2"

# --- check ------------------------------------------------------------
hk plugins check "$PD/file.so"
is "$rc" 0 "check a good plugin"
is "$out" "ok: $PD/file.so: file (provider) 1.0.0" "check output"
hk plugins check "$PD/renderers.so"
is "$out" "ok: $PD/renderers.so: table (renderer) 0.1.0
ok: $PD/renderers.so: csv (renderer) 0.1.0
ok: $PD/renderers.so: json (renderer) 0.1.0
ok: $PD/renderers.so: ndjson (renderer) 0.1.0" "one line per descriptor"
(cd "$PD" && "$HUNTKIT" plugins check ./iptype.so >"$T/out" 2>&1)
is "$?" 0 "check a relative path"
is "$(cat "$T/out")" "ok: ./iptype.so: iptype (enricher) 1.0.0" "relative path kept in the output"

hk plugins check "$FIXTURES/fixture_badabi.so"
is "$rc" 1 "check a refused plugin: exit 1"
is "$out" "refused: $FIXTURES/fixture_badabi.so: plugin 'badabi': built for ABI 2.0, this huntkit speaks ABI 1.1: rebuild the plugin against huntkit 0.1" "refusal reason"

hk plugins check "$FIXTURES/fixture_crash.so"
is "$rc" 1 "check a plugin that crashes in its entry: exit 1"
like "$out" "refused: $FIXTURES/fixture_crash.so: crashed" "the crash is reported, huntkit survives"

hk plugins check "$T/nothing.so"
is "$rc" 1 "check a missing file: exit 1"
like "$out" "refused: $T/nothing.so: " "missing file refused"

done_testing
