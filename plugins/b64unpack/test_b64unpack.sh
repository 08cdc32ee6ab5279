#!/bin/sh
# plugins/b64unpack/test_b64unpack.sh -- b64unpack end to end through the
# CLI, on MSTICPy's fixtures, OTRF command lines with real encoded
# PowerShell, and hostile archives built here with python3.  Expected
# hashes and sizes were computed with python3 (base64, zipfile, tarfile,
# gzip, hashlib) and are hard-coded.
. "$HK_SRCDIR/tests/lib.sh"
[ -n "$PYTHON3" ] || skip_all "python3 is needed to build the inputs"

# pick FILE COL...: the named CSV columns of every row (the first $N rows
# when N is set), '|'-joined.
pick() {
  f="$1"; shift
  "$PYTHON3" -c 'import csv,os,sys
csv.field_size_limit(1 << 30)
r=list(csv.DictReader(open(sys.argv[1], newline="")))
n=int(os.environ.get("N") or len(r))
print("\n".join("|".join(x[c] for c in sys.argv[2:]) for x in r[:n]))' "$f" "$@"
}

# wrap TEXTFILE CSV: a one-column CSV (Text) holding the file's text twice,
# like MSTICPy's test of a DataFrame with two identical rows.
wrap() {
  "$PYTHON3" -c 'import csv,sys
t=open(sys.argv[1], newline="").read()
w=csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(["Text"]); w.writerow([t]); w.writerow([t])' "$1" "$2"
}

wrap "$DATA/msticpy/base64msg.txt" "$T/msg.csv"
hk run "file path=$T/msg.csv | b64unpack Text | csv"
is "$rc" 0 "base64msg.txt: exit status"
printf '%s\n' "$out" >"$T/out.csv"
is "$(head -1 "$T/out.csv")" "reference,original_string,file_name,file_type,decoded_string,encoding_type,file_hashes,md5,sha1,sha256,printable_bytes,src_index,Text,full_decoded_string,depth,size,note" "columns"
is "$(N=10 pick "$T/out.csv" src_index reference file_name file_type encoding_type md5 size)" \
"0|1.1|dllenc.txt|tar|utf-8|9fd687fb66a85f89cc413728a179fb0d|246
0|1.2|txtenc.txt|tar|utf-8|87adcc213a88d165d4da4ad89827c438|94
0|1.3|txtenc.txt.gz|tar|binary|709ca834c405231a89d0c7c9d732fc98|109
0|1.3.1|gzip_file|gz|utf-8|87adcc213a88d165d4da4ad89827c438|94
0|2.1|dllenc.txt|zip|utf-8|9fd687fb66a85f89cc413728a179fb0d|246
0|2.2|txtenc.txt|zip|utf-8|87adcc213a88d165d4da4ad89827c438|94
0|2.3|txtenc.txt.gz|zip|binary|709ca834c405231a89d0c7c9d732fc98|109
0|2.3.1|gzip_file|gz|utf-8|87adcc213a88d165d4da4ad89827c438|94
0|2.1|unknown||binary|69fbfeacd07be73e29b7786f663aba07|138
0|2.2|unknown||utf-16|3414109cd3c337be290997995549fa96|26" "items of the first row"
is "$(pick "$T/out.csv" src_index | sort | uniq -c | tr -s ' ')" " 10 0
 10 1" "two identical rows give 10 items each"

wrap "$DATA/msticpy/b64text_inzip.txt" "$T/inzip.csv"
hk run "file path=$T/inzip.csv | b64unpack column=Text | csv"
is "$rc" 0 "b64text_inzip.txt decodes"
printf '%s\n' "$out" >"$T/out.csv"
is "$(pick "$T/out.csv" src_index reference file_name encoding_type md5)" \
"0|1|txtenc.txt|utf-8|87adcc213a88d165d4da4ad89827c438
0|1.1|unknown|utf-16|3414109cd3c337be290997995549fa96
1|1|txtenc.txt|utf-8|87adcc213a88d165d4da4ad89827c438
1|1.1|unknown|utf-16|3414109cd3c337be290997995549fa96" "zip member, then the UTF-16 text inside it"

# OTRF: Empire's launcher, powershell.exe -noP -sta -w 1 -enc <5056 chars>
hk run "file path=$DATA/otrf/empire_launcher_enc.ndjson format=ndjson | b64unpack CommandLine | csv"
is "$rc" 0 "OTRF encoded PowerShell"
printf '%s\n' "$out" >"$T/out.csv"
is "$(N=1 pick "$T/out.csv" src_index reference encoding_type md5 size)" \
  "0|1|utf-16|e7c93911bca2954d1a70fdc4dc84c773|3790" "the -enc script, UTF-16LE"
like "$(N=1 pick "$T/out.csv" decoded_string)" \
  'If($PSVERSiOnTaBlE.PSVErSIOn.MajOR -gE 3)' "decoded to readable text"

# Hostile inputs, built now.
"$PYTHON3" - "$T" <<'PY'
import base64, csv, io, sys, zipfile
t = sys.argv[1]
def b64(b): return base64.b64encode(b).decode()
# zip bomb: 64 MiB of zeros, deflated
bio = io.BytesIO()
with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros.bin", b"\0" * (64 << 20))
bomb = bio.getvalue()
# 25 nested zips around a text
inner = b"hello from the bottom"
for i in range(25):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("level%d.bin" % i, inner)
    inner = bio.getvalue()
with open(t + "/hostile.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Data"])
    w.writerow(["bomb", "x " + b64(bomb) + " y"])
    w.writerow(["nest", b64(inner)])
PY
hk run "file path=$T/hostile.csv | b64unpack Data | csv"
is "$rc" 0 "hostile inputs do not fail the run"
printf '%s\n' "$out" >"$T/out.csv"
like "$err" "b64unpack: row 0: stopped: zip member 'zeros.bin' expands more than 100 times (max_ratio), a decompression bomb?" \
  "zip bomb stopped with a clear message"
like "$err" "b64unpack: row 1: stopped at depth 20 (max_depth)" \
  "deep nest stopped at max_depth"
is "$(pick "$T/out.csv" src_index | sort | uniq -c | tr -s ' ')" " 1 0
 20 1" "what was decoded before each stop is kept"

hk run "file path=$T/hostile.csv | b64unpack column=Data max_depth=30 max_ratio=100000 max_total_bytes=1048576 | csv"
like "$err" "stopped after 1048576 decoded bytes (max_total_bytes)" "max_total_bytes"
printf '%s\n' "$out" >"$T/out.csv"
is "$(pick "$T/out.csv" src_index decoded_string | tail -1)" \
  "1|hello from the bottom" "max_depth=30 reaches the bottom"

hk run "file path=$T/msg.csv | b64unpack Nope | csv"
is "$rc" 1 "unknown column fails"
like "$err" "no column 'Nope' (columns: Text)" "error names the columns"

done_testing
