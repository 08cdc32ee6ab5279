#!/bin/sh
# plugins/syslog/test_syslog.sh -- the `syslog` provider through the CLI.
# Expected numbers for the fixtures were derived independently with python3
# (csv.DictReader, datetime.strptime('%m/%d/%Y %H:%M'), json.loads per line,
# collections.Counter) and are written here as literals.
. "$HK_SRCDIR/tests/lib.sh"

SYS="$DATA/msticpy/syslog_data.csv"
L4J="$DATA/auditd/syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json"

# --- Sentinel exports ---------------------------------------------------------

hk run "syslog path=$SYS | count | csv"
is "$rc" 0 "syslog_data.csv reads"
is "$out" "count
100" "100 rows"
is "$err" "" "no warnings"

hk run "syslog path=$SYS | head n=1 | ndjson"
is "$out" '{"TimeGenerated":"2019-07-08T16:08:00Z","Computer":"squid-uk-02","Facility":"authpriv","SeverityLevel":"info","Priority":86,"ProcessName":"sudo","ProcessID":null,"MsgId":null,"StructuredData":null,"SyslogMessage":"pam_unix(sudo:session): session opened for user root by (uid=0)","HostIP":"10.0.6.5","Format":"sentinel"}' \
  "Sentinel CSV: columns mapped, M/D/YYYY H:MM time, Priority from the names"

hk run "syslog path=$SYS format=sentinel | count by SeverityLevel, Priority | csv"
is "$out" "SeverityLevel,Priority,count
info,86,66
notice,85,34" "Sentinel CSV: severities"

hk run --from 2019-07-08T15:00:00Z --to 2019-07-08T16:00:00Z "syslog path=$SYS | count | csv"
is "$out" "count
72" "time window applied to TimeGenerated"

# host records (MSTICPy's create_host_record: sudo is left out of
# Applications by default)
hk run "syslog path=$SYS hosts=true | ndjson"
is "$out" '{"Computer":"squid-uk-02","HostIP":"10.0.6.5","FirstSeen":"2019-07-08T14:41:00Z","LastSeen":"2019-07-08T16:21:00Z","Events":100,"Applications":"[]"}' \
  "hosts=true: one row per host, first/last seen, noise apps excluded"
hk run "syslog path=$SYS hosts=true exclude_apps=CRON | select Applications | csv header=false"
is "$out" '"[""sudo""]"' "hosts=true: exclude_apps replaces the list"

# the OTRF Log4Shell dataset is a Sentinel Syslog export in JSON lines
hk run "syslog path=$L4J | count by Computer, Facility, SeverityLevel, Priority, ProcessName, HostIP | csv"
is "$out" "Computer,Facility,SeverityLevel,Priority,ProcessName,HostIP,count
UBUNTU5,user,info,14,auoms,192.168.2.5,50" "Sentinel JSON lines"
hk run "syslog path=$L4J hosts=true | csv"
is "$out" 'Computer,HostIP,FirstSeen,LastSeen,Events,Applications
UBUNTU5,192.168.2.5,2022-05-11T18:10:21.997Z,2022-05-11T18:10:33.253Z,50,"[""auoms""]"' \
  "hosts=true on JSON rows"

printf 'TimeGenerated,Computer,SyslogMessage\n2024-01-01T00:00:00Z,h1,ok\nyesterday,h1,bad time\n2024-01-01T00:00:01Z,h1\n' >"$T/sent.csv"
hk run "syslog path=$T/sent.csv on_error=skip | select TimeGenerated, Computer, SyslogMessage, Format | csv"
is "$out" "TimeGenerated,Computer,SyslogMessage,Format
2024-01-01T00:00:00Z,h1,ok,sentinel" "Sentinel: good rows kept"
like "$err" "syslog: $T/sent.csv:3: TimeGenerated 'yesterday' is not a date-time (expected ISO-8601 such as 2019-07-08T16:08:00Z, M/D/YYYY H:MM or epoch seconds); row skipped (on_error=skip)" \
  "Sentinel: a bad time is named with file and line"
like "$err" "syslog: $T/sent.csv:4: 2 fields, expected 3 (as in the header); row skipped (on_error=skip)" \
  "Sentinel: a short row"
like "$err" "skipped 2 malformed rows (on_error=skip)" "Sentinel: total"

printf 'a,b\n1,2\n' >"$T/nomsg.csv"
hk run "syslog path=$T/nomsg.csv format=sentinel | csv"
[ "$rc" -ne 0 ]; ok $? "Sentinel: no SyslogMessage column fails"
like "$err" "no SyslogMessage column in the header" "Sentinel: the column is named"

# --- RFC 3164 and RFC 5424 lines ----------------------------------------------

# CRLF, blank lines, a PRI, a 5424 line in the same file
printf '<38>Mar  2 00:10:01 host1 sshd[1234]: Accepted password for alice from 10.1.2.3 port 22 ssh2\r\n\r\n   \n\nMar  2 00:10:02 host1 CRON[99]: (root) CMD (true)\r\n<165>1 2024-03-02T00:10:03.5+01:00 host2 app 42 ID7 - hello\n' >"$T/mixed.log"
touch -d '2024-06-01 00:00:00 UTC' "$T/mixed.log"
hk run "syslog path=$T/mixed.log | ndjson"
is "$out" '{"TimeGenerated":"2024-03-02T00:10:01Z","Computer":"host1","Facility":"auth","SeverityLevel":"info","Priority":38,"ProcessName":"sshd","ProcessID":1234,"MsgId":null,"StructuredData":null,"SyslogMessage":"Accepted password for alice from 10.1.2.3 port 22 ssh2","HostIP":null,"Format":"rfc3164"}
{"TimeGenerated":"2024-03-02T00:10:02Z","Computer":"host1","Facility":null,"SeverityLevel":null,"Priority":null,"ProcessName":"CRON","ProcessID":99,"MsgId":null,"StructuredData":null,"SyslogMessage":"(root) CMD (true)","HostIP":null,"Format":"rfc3164"}
{"TimeGenerated":"2024-03-01T23:10:03.500Z","Computer":"host2","Facility":"local4","SeverityLevel":"notice","Priority":165,"ProcessName":"app","ProcessID":42,"MsgId":"ID7","StructuredData":null,"SyslogMessage":"hello","HostIP":null,"Format":"rfc5424"}' \
  "3164 and 5424 lines, CRLF and blank lines"
is "$err" "" "mixed: no warnings"

# a 3164 file without years across the new year: the year comes from the
# file's modification time, or from year= (the first line's year)
printf 'Dec 31 23:59:58 h a: before\nJan  1 00:00:02 h a: after\n' >"$T/newyear.log"
touch -d '2024-01-01 00:05:00 UTC' "$T/newyear.log"
hk run "syslog path=$T/newyear.log | select TimeGenerated, SyslogMessage | csv"
is "$out" "TimeGenerated,SyslogMessage
2023-12-31T23:59:58Z,before
2024-01-01T00:00:02Z,after" "no year: December before a January mtime is the year before"
hk run "syslog path=$T/newyear.log year=2019 | select TimeGenerated | csv header=false"
is "$out" "2019-12-31T23:59:58Z
2020-01-01T00:00:02Z" "year=2019: the first line's year, rolled at the new year"
hk run "syslog path=$T/newyear.log year=2019 timezone=-05:00 | select TimeGenerated | csv header=false"
is "$out" "2020-01-01T04:59:58Z
2020-01-01T05:00:02Z" "timezone=-05:00 applied to BSD times"
hk run "syslog path=$T/newyear.log timezone=CET | csv"
[ "$rc" -ne 0 ]; ok $? "a zone name is refused"
like "$err" "syslog: timezone 'CET' is not UTC or an offset such as +02:00 or -0500" \
  "timezone: what is accepted"

# RFC 5424 structured data with escapes and repeated names
printf '%s\n' '<13>1 2024-01-02T03:04:05Z h app - - [origin@1 ip="10.0.0.1" ip="10.0.0.2" q="say \"hi\"" p="C:\\tmp" r="[x\]"][meta@2 n="1"] the message' >"$T/sd.log"
hk run "syslog path=$T/sd.log | select StructuredData, SyslogMessage | ndjson"
is "$out" '{"StructuredData":"{\"origin@1\":{\"ip\":[\"10.0.0.1\",\"10.0.0.2\"],\"q\":\"say \\\"hi\\\"\",\"p\":\"C:\\\\tmp\",\"r\":\"[x]\"},\"meta@2\":{\"n\":\"1\"}}","SyslogMessage":"the message"}' \
  "5424: structured data as JSON, escapes undone, repeats as arrays"

# NUL bytes: leading ones dropped (a crash's padding), others become U+FFFD
printf '\000\000\000Mar  2 00:10:01 h a: x\000y\n\000\000\000\000\n' >"$T/nul.log"
hk run "syslog path=$T/nul.log | select SyslogMessage | csv header=false"
is "$out" "x$(printf '\357\277\275')y" "NUL bytes: padding dropped, inner NUL replaced"
is "$err" "" "NUL bytes: a line of NULs is blank"

# a line over 64 KiB is read whole
long=$(awk 'BEGIN { s = "0123456789"; while (length(s) < 100000) s = s s; print substr(s, 1, 100000) }')
printf 'Mar  2 00:10:01 h a: %sEND\nMar  2 00:10:02 h a: short\n' "$long" >"$T/long.log"
hk run "syslog path=$T/long.log | select SyslogMessage | csv header=false"
is "$out" "${long}END
short" "a 100,000-byte message is read whole"

# standard input: the reference time is now, so give the year
hk_in "$T/newyear.log" run "syslog path=- year=2020 | count | csv"
is "$out" "count
2" "standard input"

# several inputs: a glob (sorted) and comma-separated items, each with its
# own modification time for the year and its own format
mkdir -p "$T/rot"
printf 'Dec 31 23:59:58 h a: old\n' >"$T/rot/auth.log.1"
touch -d '2023-01-01 00:00:00 UTC' "$T/rot/auth.log.1"
printf 'Dec 31 23:59:59 h a: new\n' >"$T/rot/auth.log"
touch -d '2024-01-01 00:00:00 UTC' "$T/rot/auth.log"
hk run "syslog path=$T/rot/auth.log* | select TimeGenerated, SyslogMessage | csv"
is "$out" "TimeGenerated,SyslogMessage
2023-12-31T23:59:59Z,new
2022-12-31T23:59:58Z,old" "a glob: each file dated by its own mtime"
hk run "syslog path=$T/rot/auth.log.1,$SYS | count by Format | csv"
is "$out" "Format,count
sentinel,100
rfc3164,1" "comma-separated: a syslog file and a Sentinel export"
hk run "syslog path=$T/rot/*.gz | csv"
like "$err" "syslog: no file matches '$T/rot/*.gz'" "a glob without a match"
hk run "syslog path=-,$T/rot/auth.log | csv"
like "$err" "syslog: '-' (standard input) cannot be read with other files" "stdin alone"
printf 'Dec 31 23:59:58 h a: ok\nnot syslog\n' >"$T/rot/bad.log"
hk run "syslog path=$T/rot/auth.log,$T/rot/bad.log year=2020 on_error=skip | select TimeGenerated | csv header=false"
is "$out" "2020-12-31T23:59:59Z
2020-12-31T23:59:58Z" "year= is each file's first line's year"
like "$err" "syslog: $T/rot/bad.log:2: not a syslog line" "lines are counted per file"

# malformed lines
printf 'Mar  2 00:10:01 h a: good\nthis is not syslog\n<200>Mar  2 00:10:01 h a: bad pri\n<13>1 2024-01-02T03:04:05Z h app - - [x a="1" b] m\nMar  2 00:10:02 h a: good too\n' >"$T/bad.log"
hk run "syslog path=$T/bad.log year=2024 on_error=skip | select SyslogMessage | csv"
is "$rc" 0 "on_error=skip: the run goes on"
is "$out" "SyslogMessage
good
good too" "on_error=skip: good lines kept"
like "$err" "syslog: $T/bad.log:2: not a syslog line (expected a timestamp such as 'Mar  2 00:10:01' or '2024-03-02T00:10:01Z' (RFC 3164)); line skipped (on_error=skip)" \
  "skip: file, line and what was expected"
like "$err" "syslog: $T/bad.log:3: not a syslog line (expected a priority '<0>' to '<191>' at the start)" \
  "skip: PRI out of range"
like "$err" "syslog: $T/bad.log:4: not a syslog line (expected PARAM-NAME=\"value\" in structured data (RFC 5424))" \
  "skip: broken structured data"
like "$err" "skipped 3 malformed lines (on_error=skip)" "skip: total"
like "$err" "partial result" "skip: the run is partial"

hk run "syslog path=$T/bad.log year=2024 | select SyslogMessage | csv"
[ "$rc" -ne 0 ]; ok $? "on_error=fail (default) fails the run"
like "$err" "syslog: $T/bad.log:2: not a syslog line" "fail: file and line"

hk run "syslog path=$T/mixed.log format=rfc5424 on_error=skip | count | csv"
is "$out" "count
1" "format=rfc5424 keeps only RFC 5424 lines"

hk run "syslog path=$T/none.log | csv"
[ "$rc" -ne 0 ]; ok $? "missing file fails"
like "$err" "syslog: cannot open '$T/none.log': No such file or directory" "missing file named"
hk run "syslog path=$T | csv"
like "$err" "syslog: '$T' is a directory (expected a syslog file)" "a directory is refused"

done_testing
