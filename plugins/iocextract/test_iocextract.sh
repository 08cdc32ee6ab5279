#!/bin/sh
# plugins/iocextract/test_iocextract.sh -- iocextract end to end through
# the CLI.  Expected rows were derived by hand from MSTICPy's patterns and
# checked with python3's re; they are hard-coded here.
. "$HK_SRCDIR/tests/lib.sh"
[ -n "$PYTHON3" ] || skip_all "python3 is needed to build the inputs"

# cols FILE: the first three CSV columns (IoCType|Observable|SourceIndex)
# of every row after the header, one per line.
cols() {
  "$PYTHON3" -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1], newline="")))
print("\n".join("|".join(x[:3]) for x in r[1:]))' "$1"
}

"$PYTHON3" - "$T/in.csv" <<'PY'
import csv, sys
rows = [
    ("a", "connect 1.2.3.4 then 10:22:33 then 300.1.1.1"),
    ("b", "see hxxps://evil[.]com/x and news.ycombinator.com"),
    ("c", "nothing here"),
    ("d", "hash d41d8cd98f00b204e9800998ecf8427e,da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("e", "v6 fe80::1\r\nmail joe@example.org 00000000000000000000000000000000"),
]
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Message"])
    w.writerows(rows)
PY

hk run "file path=$T/in.csv | iocextract Message | csv"
is "$rc" 0 "exit status"
printf '%s\n' "$out" >"$T/out.csv"
is "$(head -1 "$T/out.csv")" "IoCType,Observable,SourceIndex,Input,Column" "header"
is "$(cols "$T/out.csv")" "ipv4|1.2.3.4|0
dns|evil.com|1
dns|news.ycombinator.com|1
url|https://evil.com/x|1
md5_hash|d41d8cd98f00b204e9800998ecf8427e|3
sha1_hash|da39a3ee5e6b4b0d3255bfef95601890afd80709|3
ipv6|fe80::1|4
dns|example.org|4
email|joe@example.org|4" "rows: refanged, no time as IPv6, no repeated-char hash"
like "$out" ',0,connect 1.2.3.4 then 10:22:33 then 300.1.1.1,Message' \
  "Input holds the scanned text, Column the column name"

hk run "file path=$T/in.csv | iocextract columns=Message types=ipv4 input=false | ndjson"
is "$rc" 0 "input=false: exit status"
is "$out" '{"IoCType":"ipv4","Observable":"1.2.3.4","SourceIndex":0,"Input":null,"Column":"Message"}' \
  "input=false: Input is null in every row"

hk run "file path=$T/in.csv | iocextract columns=Message types=ipv4,url refang=false | csv"
is "$rc" 0 "types and refang=false"
printf '%s\n' "$out" >"$T/out.csv"
is "$(cols "$T/out.csv")" "ipv4|1.2.3.4|0
url|hxxps://evil[.]com/x|1" "only the asked types, defanged spelling kept"

hk run "file path=$T/in.csv | iocextract Nope | csv"
is "$rc" 1 "unknown column fails"
like "$err" "no column 'Nope' (columns: Id, Message)" "error names the columns"

hk run "file path=$T/in.csv | iocextract columns=Message types=ipv5 | csv"
like "$err" "unknown IoC type 'ipv5'" "unknown type refused"

# ioc_df.csv: MSTICPy's own extraction result (130 rows).  Rescanning its
# Observable column for ipv4 finds its two ipv4 rows and the url
# http://127.0.0.1/ (row numbers checked with python3's re).
hk run "file path=$DATA/msticpy/ioc_df.csv | iocextract columns=Observable types=ipv4 | csv"
is "$rc" 0 "ioc_df.csv"
printf '%s\n' "$out" >"$T/out.csv"
is "$(cols "$T/out.csv")" "ipv4|1.2.3.4|92
ipv4|127.0.0.1|108
ipv4|127.0.0.1|109" "ipv4 in ioc_df.csv observables"

done_testing
