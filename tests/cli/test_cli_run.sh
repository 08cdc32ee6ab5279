#!/bin/sh
# tests/cli/test_cli_run.sh -- `huntkit run` end to end over tests/data.
# Expected values were derived independently with Python's csv/json
# modules (see the comments) and written in here.
. "$HK_SRCDIR/tests/lib.sh"
PY=${PYTHON3:-python3}
PROCS="$DATA/msticpy/processes_on_host.csv"
LOGONS="$DATA/msticpy/host_logons.csv"
OTRF="$DATA/otrf/psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json"

# 363 rows, all EventID 4688 on MSTICAlertsWin1.
hk run "file path=$PROCS | where EventID == 4688 | count by Computer | table"
is "$rc" 0 "where | count | table"
is "$out" "Computer         count
---------------  -----
MSTICAlertsWin1    363
(1 row)" "4688 per computer"
is "$err" "" "nothing on stderr"

# The default renderer is table; -o picks another.
hk run "file path=$PROCS | where EventID == 4688 | count by Computer"
is "$out" "Computer         count
---------------  -----
MSTICAlertsWin1    363
(1 row)" "table is the default renderer"

# LogonType: 5 x11, 4 x2, 3 x1.
hk run -o csv "file path=$LOGONS | count by LogonType | sort -count"
is "$rc" 0 "-o csv"
is "$out" "LogonType,count
5,11
4,2
3,1" "logon types as csv"

# -o after the pipeline works too, and a renderer stage wins over -o.
hk run "file path=$LOGONS | count by LogonType | sort -count" -o csv
is "$out" "LogonType,count
5,11
4,2
3,1" "-o after the pipeline"
hk run -o json "file path=$LOGONS | count by LogonType | sort -count | csv"
is "$out" "LogonType,count
5,11
4,2
3,1" "the pipeline's renderer wins over -o"

# The first three rows, in file order.
hk run -o csv "file path=$LOGONS | select TimeGenerated, Account, LogonType | head 3"
is "$out" 'TimeGenerated,Account,LogonType
2019-01-15T05:15:02.980Z,MSTICAlertsWin1\MSTICAdmin,4
2019-01-15T05:15:04.503Z,NT AUTHORITY\SYSTEM,5
2019-01-15T05:15:06.363Z,MSTICAlertsWin1\adm1nistrator,3' "select | head as csv"

# Accounts: NT AUTHORITY\SYSTEM 11, MSTICAlertsWin1\MSTICAdmin 2,
# MSTICAlertsWin1\adm1nistrator 1.
if command -v "$PY" >/dev/null 2>&1; then
  hk run -o json "file path=$LOGONS | count by Account"
  printf '%s\n' "$out" >"$T/acc.json"
  got=$("$PY" -c 'import json,sys; print(sorted((r["Account"], r["count"]) for r in json.load(open(sys.argv[1]))))' "$T/acc.json")
  is "$got" "[('MSTICAlertsWin1\\\\MSTICAdmin', 2), ('MSTICAlertsWin1\\\\adm1nistrator', 1), ('NT AUTHORITY\\\\SYSTEM', 11)]" "-o json parses, with the counts"
  hk run -o ndjson "file path=$LOGONS"
  printf '%s\n' "$out" >"$T/all.ndjson"
  got=$("$PY" -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; print(len(rows), len(rows[0]))' "$T/all.ndjson")
  is "$got" "14 19" "-o ndjson: 14 objects of 19 columns (the index column dropped)"
fi

# `||` in an expression is not a stage separator: LogonType 3 or 4 = 3 rows.
hk run "file path=$LOGONS | where LogonType == 3 || LogonType == 4 | count"
is "$out" "count
-----
    3
(1 row)" "|| stays in the where expression"

# The OTRF recording: 68 Sysmon event 10 rows.
hk run -o csv "file path=$OTRF | where EventID == 10 | count"
is "$out" "count
68" "JSON lines through where | count"

# Time range: TimeGenerated in [03:00:00, 05:15:05) is 7 rows.
hk run -o csv --from 2019-01-15T03:00:00Z --to 2019-01-15T05:15:05Z "file path=$LOGONS | count"
is "$rc" 0 "--from/--to"
is "$out" "count
7" "rows inside the time range"
hk run -o csv --from 1547521200 --to 2019-01-15T07:15:05+02:00 "file path=$LOGONS | count"
is "$out" "count
7" "epoch seconds and an offset give the same range"

# Several words instead of one quoted pipeline.
cp "$LOGONS" "$T/my logons.csv"
hk run file "path=$T/my logons.csv" '|' where 'LogonType == 3 || LogonType == 4' '|' count
is "$rc" 0 "pipeline given as several words"
is "$out" "count
-----
    3
(1 row)" "words joined, the key=value with a blank kept whole"

# Pipe into head: the reader closes early, huntkit ends quietly with 0.
if command -v "$PY" >/dev/null 2>&1; then
  "$PY" -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write("{\"i\": %d, \"s\": \"%s\"}\n" % (i, "x" * 40))
' "$T/big.ndjson"
  { "$HUNTKIT" run -o csv "file path=$T/big.ndjson" 2>"$T/err"; echo $? >"$T/rc"; } | head -1 >"$T/out"
  is "$(cat "$T/out")" "i,s" "head -1 got the header"
  is "$(cat "$T/rc")" 0 "huntkit exits 0 when the reader goes away"
  is "$(cat "$T/err")" "" "and says nothing"
fi

# A full disk is a failure, unlike a closed pipe.
if [ -w /dev/full ]; then
  "$HUNTKIT" run "file path=$LOGONS" >/dev/full 2>"$T/err"
  is "$?" 1 "writing to a full device: exit 1"
  like "$(cat "$T/err")" "huntkit: cannot write to standard output: " "write error reported"
fi

# Partial results: a skipped record is a warning; --strict makes it fail.
printf '{"a":1}\n{bad\n{"a":2}\n' >"$T/bad.ndjson"
hk run -o csv "file path=$T/bad.ndjson on_error=skip"
is "$rc" 0 "partial result exits 0"
is "$out" "a
1
2" "good rows kept"
like "$err" "huntkit: partial result: 2 warnings (see above)" "partial result reported"
hk run --strict -o csv "file path=$T/bad.ndjson on_error=skip"
is "$rc" 1 "--strict: partial result exits 1"
hk run -o csv "file path=$T/bad.ndjson"
is "$rc" 1 "a malformed record fails the run"
like "$err" "huntkit: stage 1 (file): $T/bad.ndjson:2: malformed JSON" "the error names stage, file and line"

# An instance from conf.d (the shipped example) is named plugin:instance.
mkdir -p "$T/cfg/conf.d"
cp "$HK_SRCDIR/conf/conf.d/file.yaml.example" "$T/cfg/conf.d/logs.yaml"
hk --config "$T/cfg" run -o csv "file:logs path=$LOGONS | count"
is "$rc" 0 "a configured instance runs"
is "$out" "count
14" "file:logs reads the file"
hk --config "$T/cfg" run "file:other path=$LOGONS"
is "$rc" 2 "an instance that is not configured: exit 2"
like "$err" "huntkit: stage 1 (file:other): " "the stage names the instance"

# --- stage errors: exact messages ------------------------------------
hk run "file path=$T/nope.csv | count"
is "$rc" 1 "missing file: exit 1"
like "$err" "huntkit: stage 1 (file): " "missing file names the stage"
like "$err" "no such file '$T/nope.csv'" "and the file"

hk run "file path=$LOGONS | nosuch x=1"
is "$rc" 2 "unknown plugin: exit 2"
like "$err" "huntkit: stage 2 (nosuch): no plugin named 'nosuch' (loaded: " "unknown plugin message"

hk run "where EventID == 1 | table"
is "$rc" 2 "analyzer first: exit 2"
is "$err" "huntkit: stage 1 (where) is an analyzer: a pipeline starts with a provider, e.g. \`file path=events.json | ...\`" "analyzer first message"
hk run "file path=$LOGONS | table | count"
is "$rc" 2 "renderer in the middle: exit 2"
is "$err" "huntkit: stage 2 (table) is a renderer: only the last stage can be a renderer" "renderer in the middle message"
hk run "file path=$LOGONS | file path=$LOGONS"
is "$rc" 2 "second provider: exit 2"
is "$err" "huntkit: stage 2 (file) is a provider: only the first stage can be a provider" "second provider message"

hk run "file path=$LOGONS | table colour=red"
is "$rc" 2 "unknown option: exit 2"
is "$err" "huntkit: stage 2 (table): unknown option 'colour' (options: max_rows, width)" "unknown option message"
hk run "file path=$LOGONS | iptype column=IpAddress bogus=1"
is "$rc" 2 "unknown enricher option: exit 2"
is "$err" "huntkit: stage 2 (iptype): unknown option 'bogus' (options: column, prefix)" "unknown enricher option message"
hk run "file path=$LOGONS | iptype prefix=x_"
is "$rc" 2 "missing required option: exit 2"
is "$err" "huntkit: stage 2 (iptype): missing required option 'column=' (column whose values are looked up)" "missing required option message"
hk run "file path=$LOGONS | select"
is "$rc" 2 "missing free text: exit 2"
like "$err" "huntkit: stage 2 (select): missing the text after 'select' (" "missing free text message"
hk run "file path=$LOGONS | table max_rows=lots"
is "$rc" 2 "badly typed option: exit 2"
like "$err" "huntkit: stage 2 (table): " "badly typed option names the stage"
like "$err" "'max_rows'" "and the option"
hk run "file path=$LOGONS | table max_rows=1 max_rows=2"
is "$err" "huntkit: stage 2 (table): option 'max_rows' is given twice" "option given twice"
hk run "file path=$LOGONS | | count"
is "$rc" 2 "empty stage: exit 2"
is "$err" "huntkit: stage 2 is empty: nothing between two '|'" "empty stage message"
hk run "file path=\"$LOGONS | count"
is "$rc" 2 "unterminated quote: exit 2"
like "$err" "huntkit: unterminated \" quote starting at character 11" "unterminated quote message"
hk run -o where "file path=$LOGONS"
is "$rc" 2 "-o with an analyzer: exit 2"
is "$err" "huntkit: output format 'where' is an analyzer, not a renderer (renderers show tables: table, csv, json, ndjson)" "-o with an analyzer message"
hk run "file path=$LOGONS | count by Nope"
is "$rc" 1 "run-time error: exit 1"
like "$err" "huntkit: stage 2 (count): " "run-time error names the stage"
like "$err" "no column 'Nope'" "and the column"

# Options may follow a stage's free text; quoted key=value words stay text.
hk -o csv run "file path=$DATA/msticpy/ioc_df.csv | iocextract Observable types=ipv4 | count"
is "$rc" 0 "trailing option after free text: exit 0"
is "$out" "count
3" "trailing types=ipv4 is an option, not part of the column list (3 IPv4s, by regex in python3)"
hk -o csv run "file path=$DATA/msticpy/host_logons.csv | where TargetUserName == 'types=x' | count"
is "$out" "count
0" "a quoted key=value word stays in the expression"

done_testing
