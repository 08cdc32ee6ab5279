#!/bin/sh
# plugins/renderers/test_renderers.sh -- the table, csv, json and ndjson
# renderers end to end: `huntkit run 'file path=X | RENDERER'` over
# tests/data fixtures and hand-made files with awkward cells, with exact
# expected text, and CSV / JSON output parsed back with Python (and jq when
# it is installed).
. "$HK_SRCDIR/tests/lib.sh"

[ -x "$HUNTKIT" ] || skip_all "huntkit is not built"
[ -f "$HUNTKIT_PLUGIN_PATH/file.so" ] || skip_all "the file plugin is not built"
[ -f "$HUNTKIT_PLUGIN_PATH/renderers.so" ] || skip_all "renderers not built"
PY=${PYTHON3:-}
[ -n "$PY" ] || PY=$(command -v python3 || true)

# ------------------------------------------------------------ fixtures
# Types the file provider infers: name utf8, count int64, ratio float64,
# flag bool, when timestamp, note utf8.  Every value is written in the
# form huntkit prints it, so CSV output must equal this file's records.
printf '%s\n' \
  'name,count,ratio,flag,when,note' \
  'plain,42,0.1,true,2023-11-14T22:13:20.123456Z,ok' \
  '"a,""b""",-9223372036854775808,1e+300,false,1969-07-20T20:17:40Z,"multi' \
  'line"' \
  'ü日本,9223372036854775807,-2.5,,1900-01-01T00:00:00Z," padded "' \
  ',0,3,true,,=1+2' >"$T/tricky.csv"

# NDJSON with explicit JSON types, control characters, a nested object
# (which must come out as a string holding JSON text) and a 10000-byte cell.
long=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "0123456789" }')
{
  printf '%s\n' '{"s":"tab\there","n":-1,"x":0.5,"ok":true,"obj":{"k":[1,2]}}'
  printf '%s\n' '{"s":"esc\u001b[31mred","n":null,"x":1e300,"ok":false,"obj":null}'
  printf '{"s":"%s","n":7,"x":null,"ok":null,"obj":{}}\n' "$long"
} >"$T/types.ndjson"

# ------------------------------------------------------------------ csv
hk run "file path=$T/tricky.csv | csv"
is "$rc" 0 "csv: exit status"
is "$err" "" "csv: nothing on stderr"
is "$out" 'name,count,ratio,flag,when,note
plain,42,0.1,true,2023-11-14T22:13:20.123456Z,ok
"a,""b""",-9223372036854775808,1e+300,false,1969-07-20T20:17:40Z,"multi
line"
ü日本,9223372036854775807,-2.5,,1900-01-01T00:00:00Z," padded "
,0,3,true,,=1+2' "csv: exact text"

hk run "file path=$T/tricky.csv | csv delimiter=tab header=false excel_safe=true"
is "$rc" 0 "csv tab: exit status"
is "$out" 'plain	42	0.1	true	2023-11-14T22:13:20.123456Z	ok
"a,""b"""	-9223372036854775808	1e+300	false	1969-07-20T20:17:40Z	"multi
line"
ü日本	9223372036854775807	-2.5		1900-01-01T00:00:00Z	" padded "
	0	3	true		'"'"'=1+2' "csv: tab, no header, excel_safe"

hk run "file path=$T/tricky.csv | csv crlf=true"
printf 'name,count,ratio,flag,when,note\r\n' >"$T/want"
is "$(head -n 1 "$T/out" | od -c | head -n 2)" "$(od -c <"$T/want" | head -n 2)" \
  "csv crlf=true ends lines with CR LF"

hk run "file path=$T/tricky.csv | csv delimiter=::"
ok "$([ "$rc" -ne 0 ]; echo $?)" "csv delimiter=:: fails"
like "$err" "'delimiter' must be one ASCII character" "csv: delimiter error says why"

if [ -n "$PY" ]; then
  hk run "file path=$T/tricky.csv | csv"
  "$PY" - "$T/tricky.csv" "$T/out" >"$T/py" 2>&1 <<'EOF'
import csv, sys
want = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
got = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
print("same" if got == want else "differ: %r\n  vs %r" % (got, want))
EOF
  is "$(cat "$T/py")" "same" "csv: Python's csv reads back the input's records"

  hk run "file path=$DATA/msticpy/processes_on_host.csv | csv"
  "$PY" - "$DATA/msticpy/processes_on_host.csv" "$T/out" >"$T/py" 2>&1 <<'EOF'
import csv, sys
src = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
out = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
cols = ["TenantId", "Account", "Computer", "NewProcessName", "CommandLine"]
print(len(out), all([r[c] for c in cols] == [s[c] for c in cols]
                    for r, s in zip(out, src)))
EOF
  is "$(cat "$T/py")" "363 True" "csv: 363 processes, text columns unchanged"
fi

# --------------------------------------------------------------- ndjson
hk run "file path=$T/tricky.csv | ndjson"
is "$rc" 0 "ndjson: exit status"
is "$out" '{"name":"plain","count":42,"ratio":0.1,"flag":true,"when":"2023-11-14T22:13:20.123456Z","note":"ok"}
{"name":"a,\"b\"","count":-9223372036854775808,"ratio":1e+300,"flag":false,"when":"1969-07-20T20:17:40Z","note":"multi\nline"}
{"name":"ü日本","count":9223372036854775807,"ratio":-2.5,"flag":null,"when":"1900-01-01T00:00:00Z","note":" padded "}
{"name":null,"count":0,"ratio":3.0,"flag":true,"when":null,"note":"=1+2"}' \
  "ndjson: exact text"

hk run "file path=$T/types.ndjson | ndjson"
is "$rc" 0 "ndjson from ndjson: exit status"
is "$(sed -n 1,2p "$T/out")" '{"s":"tab\there","n":-1,"x":0.5,"ok":true,"obj":"{\"k\":[1,2]}"}
{"s":"esc\u001b[31mred","n":null,"x":1e+300,"ok":false,"obj":null}' \
  "ndjson: escapes, nested JSON stays a string"

if [ -n "$PY" ]; then
  "$PY" - "$T/types.ndjson" "$T/out" >"$T/py" 2>&1 <<'EOF'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
out = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
ok = len(src) == len(out)
for s, o in zip(src, out):
    ok = ok and list(o) == list(s)
    for k in s:
        if k == "obj":
            ok = ok and (o[k] is None if s[k] is None else json.loads(o[k]) == s[k])
        else:
            ok = ok and o[k] == s[k] and type(o[k]) is type(s[k])
print(ok, len(out[2]["s"]))
EOF
  is "$(cat "$T/py")" "True 10000" "ndjson: Python reads the same typed values back"

  hk run "file path=$T/tricky.csv | ndjson"
  "$PY" - "$T/out" >"$T/py" 2>&1 <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(" ".join(type(v).__name__ for v in rows[0].values()), rows[3]["ratio"])
EOF
  is "$(cat "$T/py")" "str int float bool str str 3.0" "ndjson: value types"
fi

if command -v jq >/dev/null 2>&1; then
  hk run "file path=$T/tricky.csv | ndjson"
  is "$(jq -r '[.[]|type]|join(",")' "$T/out" | head -n 1)" \
    "string,number,number,boolean,string,string" "ndjson: jq sees the types"
  is "$(jq -r .note "$T/out" | tail -n 1)" "=1+2" "ndjson: jq reads every line"
fi

# ----------------------------------------------------------------- json
hk run "file path=$T/tricky.csv | json"
is "$rc" 0 "json: exit status"
is "$(head -n 2 "$T/out")" '[
{"name":"plain","count":42,"ratio":0.1,"flag":true,"when":"2023-11-14T22:13:20.123456Z","note":"ok"},' \
  "json: array opens, objects end with a comma"
is "$(tail -n 2 "$T/out")" '{"name":null,"count":0,"ratio":3.0,"flag":true,"when":null,"note":"=1+2"}
]' "json: last object, array closes"

printf 'a,b\n' >"$T/empty.csv"
hk run "file path=$T/empty.csv | json"
is "$out" "[]" "json: an empty table is []"
hk run "file path=$T/empty.csv | ndjson"
is "$out" "" "ndjson: an empty table is nothing"
hk run "file path=$T/empty.csv | csv"
is "$out" "a,b" "csv: an empty table is its header"

if [ -n "$PY" ]; then
  hk run "file path=$T/tricky.csv | json"
  cp "$T/out" "$T/compact.json"
  hk run "file path=$T/tricky.csv | json pretty=true"
  is "$(sed -n 1,4p "$T/out")" '[
  {
    "name": "plain",
    "count": 42,' "json pretty: layout"
  hk run "file path=$T/tricky.csv | ndjson"
  "$PY" - "$T/compact.json" "$T/out" >"$T/py" 2>&1 <<'EOF'
import json, sys
arr = json.load(open(sys.argv[1], encoding="utf-8"))
lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
print(len(arr), arr == lines)
EOF
  is "$(cat "$T/py")" "4 True" "json: same objects as ndjson"
  hk run "file path=$T/tricky.csv | json pretty=true"
  "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a==b)' \
    "$T/compact.json" "$T/out" >"$T/py" 2>&1
  is "$(cat "$T/py")" "True" "json pretty: same document"

  hk run "file path=$DATA/otrf/psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json | json"
  "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); print(len(a))' \
    "$T/out" >"$T/py" 2>&1
  is "$(cat "$T/py")" "184" "json: 184 OTRF events parse as one array"
fi

# ---------------------------------------------------------------- table
hk run "file path=$T/tricky.csv | table width=60"
is "$rc" 0 "table: exit status"
is "$out" 'name          count   ratio  flag   when         note
-----  ------------  ------  -----  -----------  -----------
plain            42     0.1  true   2023-11-14…  ok
a,"b"  -9223372036…  1e+300  false  1969-07-20…  multi\nline
ü日本  92233720368…    -2.5         1900-01-01…   padded
                  0       3  true                =1+2
(4 rows)' "table width=60: exact text"

hk run "file path=$T/types.ndjson | table"
is "$(grep -c -- "$long" "$T/out")" 1 \
  "table, not a terminal: the 10000-byte cell is not cut"
like "$out" 'tab\there' "table: tab shown as \\t"
like "$out" 'esc\x1b[31mred' "table: ESC shown as \\x1b"

hk run "file path=$DATA/msticpy/processes_on_host.csv | table"
is "$(tail -n 1 "$T/out")" "(363 rows)" "table: row count on the last line"
is "$(wc -l <"$T/out" | tr -d ' ')" 366 "table: header, rule, 363 rows, count"
hk run "file path=$DATA/msticpy/processes_on_host.csv | table max_rows=10"
is "$(tail -n 1 "$T/out")" "(353 more rows; 363 rows in all)" \
  "table max_rows=10: the footer counts the rest"
is "$(wc -l <"$T/out" | tr -d ' ')" 13 "table max_rows=10: 10 rows shown"
# 19 columns cut to fit 200 cells: the rule line fills them exactly.
hk run "file path=$DATA/msticpy/processes_on_host.csv | table width=200"
is "$(sed 's/…/./g' "$T/out" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" \
  200 "table width=200: the widest line is 200 cells"
hk run "file path=$T/empty.csv | table"
is "$out" 'a  b
-  -
(0 rows)' "table: empty table"

# ------------------------------------------------------- closed pipes
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{\"n\":%d,\"s\":\"row %d\"}\n", i, i }' \
  >"$T/big.ndjson"
for r in csv ndjson json table; do
  { "$HUNTKIT" run "file path=$T/big.ndjson | $r" 2>"$T/err"; echo $? >"$T/rc"; } |
    head -n 1 >"$T/head"
  is "$(cat "$T/rc")" 0 "$r | head: exit status 0"
  is "$(cat "$T/err")" "" "$r | head: nothing on stderr"
done

done_testing
