#!/bin/sh
# plugins/file/test_file.sh -- the `file` provider through the CLI: fixtures
# from tests/data and edge cases written into $T.  Expected values were
# derived with Python's csv and json modules (see the comments) and are
# written here as numbers and strings.
. "$HK_SRCDIR/tests/lib.sh"

MS="$DATA/msticpy"
OTRF="$DATA/otrf/psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json"

# --- fixtures ---------------------------------------------------------------

# len(list(csv.reader(f))) - 1 == 363; the header starts with ',' (index)
hk run "file path=$MS/processes_on_host.csv | count | csv"
is "$rc" 0 "processes_on_host.csv reads"
is "$out" "count
363" "363 rows"

hk run "file path=$MS/processes_on_host.csv | head n=1 | select TenantId, EventID, TimeGenerated, NewProcessId, CommandLine | ndjson"
is "$out" '{"TenantId":"802d39e1-9d70-404d-832c-2de5e2478eda","EventID":4688,"TimeGenerated":"2019-01-15T05:24:24.010Z","NewProcessId":"0x1610","CommandLine":"\"C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\Health Service State\\CT_602681692\\NativeDSC\\DesiredStateConfiguration\\ASMHost.exe\" GetInventory \"C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\Health Service State\\CT_602681692\\work\\ServiceState\\ServiceState.mof\" \"C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\Health Service State\\CT_602681692\\work\\ServiceState\""}' \
  "pandas index dropped; int, timestamp, hex text and quoted CommandLine"

hk run "file path=$MS/processes_on_host.csv index_column=keep | head n=1 | select Unnamed*, EventID | csv"
is "$out" "Unnamed: 0,EventID
0,4688" "index_column=keep keeps it as pandas names it"

# sudo_events.csv starts with EF BB BF, then the index column
hk run "file path=$MS/sudo_events.csv | select TenantId, Sudoer | csv"
is "$rc" 0 "sudo_events.csv reads"
is "$out" "TenantId,Sudoer
b1315f05-4a7a-45b4-811f-73e715f7c122,
b1315f05-4a7a-45b4-811f-73e715f7c122,
b1315f05-4a7a-45b4-811f-73e715f7c122,peteb
b1315f05-4a7a-45b4-811f-73e715f7c122," "BOM stripped: the first column is TenantId"

# Counter(LogonType) == {'5': 11, '4': 2, '3': 1}
hk run "file path=$MS/host_logons.csv | count by LogonType | csv"
is "$out" "LogonType,count
5,11
4,2
3,1" "host_logons.csv: LogonType counts"
hk run "file path=$MS/host_logons.csv types=LogonType:string add_source=true | head n=1 | select LogonType, _source | ndjson"
is "$out" "{\"LogonType\":\"4\",\"_source\":\"$MS/host_logons.csv:2\"}" \
  "types= override and add_source"

# syslog_data.csv: TimeGenerated like 7/8/2019 16:08 (month first)
hk run "file path=$MS/syslog_data.csv | head n=1 | select TimeGenerated | csv"
is "$out" "TimeGenerated
2019-07-08T16:08:00Z" "US date-times become timestamps"

# 184 JSON lines: Counter(Channel) Sysmon 148, Security 36; 88 distinct keys
hk run "file path=$OTRF | count by Channel | csv"
is "$rc" 0 "OTRF JSON lines read"
is "$out" "Channel,count
Microsoft-Windows-Sysmon/Operational,148
Security,36" "OTRF: events per channel"
hk run "file path=$OTRF | head n=1 | select EventID, TimeCreated, ProcessId | ndjson"
is "$out" '{"EventID":4689,"TimeCreated":"2020-10-18T07:50:06.220Z","ProcessId":"0x12d8"}' \
  "OTRF: EventID int, TimeCreated timestamp, ProcessId text"

# --- CSV edge cases ---------------------------------------------------------

printf 'id,text,n\r\n1,"a, b",2.5\r\n2,"say ""hi""",\r\n3,"two\r\nlines",-1\r\n' >"$T/edge.csv"
hk run "file path=$T/edge.csv | ndjson"
is "$out" '{"id":1,"text":"a, b","n":2.5}
{"id":2,"text":"say \"hi\"","n":null}
{"id":3,"text":"two\r\nlines","n":-1.0}' "quoted comma, doubled quotes, CRLF inside quotes, empty = null"

: >"$T/empty.csv"
hk run "file path=$T/empty.csv | csv"
is "$rc" 0 "empty file is no error"
is "$out" "" "and gives no rows"

printf 'a,b\r\n' >"$T/header.csv"
hk run "file path=$T/header.csv | csv"
is "$out" "a,b" "header only: columns, no rows"

printf 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n' >"$T/ragged.csv"
hk run "file path=$T/ragged.csv | csv"
is "$rc" 1 "a ragged row fails the run by default"
is "$out" "a,b,c
1,2,3" "rows before it are written"
like "$err" "$T/ragged.csv:3: 2 fields, expected 3 (as in the header on line 1); on_error=skip skips malformed records" \
  "the error names file, line and what was expected"

hk run "file path=$T/ragged.csv on_error=skip | csv"
is "$rc" 0 "on_error=skip goes on"
is "$out" "a,b,c
1,2,3
10,11,12" "the bad rows are left out"
like "$err" "$T/ragged.csv:3: 2 fields, expected 3 (as in the header on line 1); record skipped (on_error=skip)" "first skip reported"
like "$err" "$T/ragged.csv:4: 4 fields, expected 3 (as in the header on line 1); record skipped (on_error=skip)" "second skip reported"
like "$err" "skipped 2 malformed records (on_error=skip)" "total reported"

printf 'n,x\n1,a\n2,b\nthree,c\n' >"$T/late.csv"
hk run "file path=$T/late.csv infer_rows=2 | csv"
is "$out" "n,x
1,a
2,b
,c" "a value that does not fit the inferred type becomes empty"
like "$err" "$T/late.csv:4: column 'n': value 'three' is not int64 (inferred from the first rows); the cell is left empty (types=n:string keeps such values)" \
  "and is reported with the fix"
hk run "file path=$T/late.csv infer_rows=0 | csv"
is "$out" "n,x
1,a
2,b
three,c" "infer_rows=0 looks at every row first"

mkdir "$T/multi"
printf 'a,b\n1,x\n' >"$T/multi/1.csv"
printf 'b,c,a\ny,z,2\n' >"$T/multi/2.csv"
hk run "file path=$T/multi/*.csv | csv"
is "$out" "a,b,c
1,x,
2,y,z" "a glob reads files in order, columns matched by name"

# --- JSON -------------------------------------------------------------------

printf '[\n  {"a": 1, "o": {"k": [1, 2]}},\n  {"a": 2, "s": "x,]}"}\n]\n' >"$T/arr.json"
hk run "file path=$T/arr.json | ndjson"
is "$out" '{"a":1,"o":"{\"k\":[1,2]}","s":null}
{"a":2,"o":null,"s":"x,]}"}' "a JSON array; nested values as JSON text"

printf '{"a":1}\n{"a":2,}\n{"a":3}\n' >"$T/bad.ndjson"
hk run "file path=$T/bad.ndjson | csv"
is "$rc" 1 "malformed JSON line fails by default"
like "$err" "$T/bad.ndjson:2: malformed JSON at column 8: unexpected character (expected one JSON object per line)" \
  "malformed JSON names file, line and column"
hk run "file path=$T/bad.ndjson on_error=skip | csv"
is "$out" "a
1
3" "on_error=skip keeps the other lines"

printf '{"a":1,"b":"x"}\n{"b":"y","a":2}\n' >"$T/in.ndjson"
hk_in "$T/in.ndjson" run "file path=- | csv"
is "$rc" 0 "standard input"
is "$out" "a,b
1,x
2,y" "stdin sniffed as NDJSON"
hk_in "$T/edge.csv" run "file path=- format=csv | select id | csv"
is "$out" "id
1
2
3" "stdin as CSV"

# --- archives ---------------------------------------------------------------

ZIP="$DATA/otrf/cache/datasets/atomic/windows/credential_access/host/psh_lsass_memory_dump_comsvcs.zip"
MEMBER=psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json
hk run "file path=$ZIP | count by Channel | csv"
is "$rc" 0 "a zip is read in place"
is "$out" "Channel,count
Microsoft-Windows-Sysmon/Operational,148
Security,36" "its JSON member: 184 events"
hk run "file path=$ZIP#*.json add_source=true | head n=1 | select _source | csv"
is "$out" "_source
$ZIP#$MEMBER:1" "ARCHIVE#PATTERN picks members; _source is ARCHIVE#MEMBER:LINE"
hk run "file path=$ZIP#nosuch.csv | csv"
is "$rc" 1 "a selector that matches nothing"
like "$err" "file: $ZIP: no member matches 'nosuch.csv' (members: $MEMBER)" "lists the members"
hk run "file path=$T/edge.csv#x | csv"
like "$err" "file: '$T/edge.csv' is not a zip or tar archive, so '#x' selects nothing" \
  "'#' on a plain file"
printf 'not a zip\n' >"$T/fake.zip"
hk run "file path=$T/fake.zip | csv"
is "$rc" 1 "a .zip that is no zip"
like "$err" "file: $T/fake.zip: cannot read it as a zip or tar archive: " "is reported"

if [ -n "$PYTHON3" ]; then
  # Archives made with Python's zipfile and tarfile: table members by
  # extension; other files and macOS resource forks are left out.
  "$PYTHON3" "$HK_SRCDIR/plugins/file/make_archives.py" "$T"
  hk run "file path=$T/multi.zip | csv"
  is "$out" "n,k,late
1,a,
2,a,
3,b,true
4,b,
5,b," "members one after another, columns matched by name"
  hk run "file path=$T/multi.zip#*b.json | count | csv"
  is "$out" "count
3" "a glob selector against the member's base name"
  hk run "file path=$T/multi.zip infer_rows=1 | csv"
  like "$err" "$T/multi.zip#logs/b.json:1: key 'late' first appears after the 1 rows" \
    "a key of a later member is reported with ARCHIVE#MEMBER:LINE"
  hk run "file path=$T/multi.zip infer_rows=0 | where late == true | select n, late | csv"
  is "$out" "n,late
3,true" "infer_rows=0 reads every member twice"
  hk run "file path=$T/multi.tar.gz add_source=true | csv"
  is "$out" "id,v,_source
1,a,$T/multi.tar.gz#x/one.csv:2
2,b,$T/multi.tar.gz#x/one.csv:3
3,c,$T/multi.tar.gz#x/two.csv:2" "tar.gz members, each with its own header"
  hk run "file path=$T/multi.tar.gz#x/two.csv | csv"
  is "$out" "id,v
3,c" "one tar member by name"
  gzip -c "$T/in.ndjson" >"$T/in.ndjson.gz"
  hk run "file path=$T/in.ndjson.gz add_source=true | csv"
  is "$out" "a,b,_source
1,x,$T/in.ndjson.gz:1
2,y,$T/in.ndjson.gz:2" "a single gzip file: format from the name inside"

  # truncated archives: the rows before the break, then the error
  head -c 8978 "$ZIP" >"$T/half.zip"
  hk run "file path=$T/half.zip | select EventID | csv"
  is "$rc" 1 "a truncated zip fails"
  # Python: the first 8978 bytes inflate to 124756 bytes, 83 whole lines
  is "$(printf '%s\n' "$out" | sed 1d | wc -l | tr -d ' ')" 83 "after the 83 events before the break"
  like "$err" "file: $T/half.zip#$MEMBER: the archive is truncated or corrupt after 124756 bytes of the member: " \
    "naming archive, member and how far it got"
  like "$err" "; the 83 rows before it were returned (partial result)" "and what was kept"
  head -c 100 "$T/multi.tar.gz" >"$T/half.tar.gz"
  hk run "file path=$T/half.tar.gz | csv"
  is "$rc" 1 "a truncated tar.gz fails"
  like "$err" "file: $T/half.tar.gz" "and is named"

  # zip bombs stop early with the limit that caught them
  hk run "file path=$T/bomb.zip | count"
  is "$rc" 1 "a member past max_ratio stops the run"
  like "$err" "file: $T/bomb.zip#bomb.ndjson: " "naming it"
  like "$err" "compressed, a ratio above max_ratio=200; stopped reading: a zip bomb? (raise max_ratio= if the member is genuine)" \
    "and the limit"
  hk run "file path=$T/bomb.zip max_member_size=1 | count"
  like "$err" "file: $T/bomb.zip#bomb.ndjson: the member says it holds 67108872 bytes, more than max_member_size=1 (MiB)" \
    "a declared size past max_member_size is refused before reading"
  hk run "file path=$T/nocd.zip max_member_size=1 | count"
  like "$err" "file: $T/nocd.zip#big.ndjson: more than 1 MiB uncompressed (max_member_size=1)" \
    "without a declared size the bytes are counted"
  hk run "file path=$T/encrypted.zip | count"
  like "$err" "file: $T/encrypted.zip#secret.json: the member is encrypted; encrypted members are not read (decrypt the archive first)" \
    "an encrypted member is refused"
  hk run "file path=$T/stream.zip | count | csv"
  is "$out" "count
40000" "the same zip within the limits"
fi

# --- errors -----------------------------------------------------------------

hk run "file path=$T/nope.csv | csv"
is "$rc" 1 "missing file fails"
like "$err" "file: no such file '$T/nope.csv' (path=$T/nope.csv)" "and says which"
hk run "file $T/edge.csv | select id | csv"
is "$out" "id
1
2
3" "a bare path"
hk run "file $T/edge.csv on_error=skip | select id | csv"
is "$out" "id
1
2
3" "options after a bare path are options (the host takes trailing key=value words)"
hk run "file path=$T/zz*.csv | csv"
like "$err" "file: no file matches '$T/zz*.csv'" "empty glob"
hk run "file path=$T/edge.csv types=id | csv"
like "$err" "file: types: 'id' is not COLUMN:TYPE" "types= syntax"
hk run "file path=$T/edge.csv types=nosuch:int | csv"
like "$err" "file: types: no column 'nosuch' in $T/edge.csv (columns: id, text, n)" "types= with an unknown column"

done_testing
