#!/bin/sh
# plugins/ti_feed/test_ti_feed.sh -- the ti_feed enricher through
# pipelines: lists from tests/data/ti_feed/ under a named instance, globs
# from a YAML list, a malformed list, and the demo list against the demo
# recording (demo/lsass_dump.json), whose hits `huntkit demo` relies on.
# Expected values read off the lists (line numbers with `grep -n`) and the
# recording (python3 json over demo/lsass_dump.json).
. "$HK_SRCDIR/tests/lib.sh"
[ -f "$HUNTKIT_PLUGIN_PATH/ti_feed.so" ] || skip_all "ti_feed plugin not built"
TI="$DATA/ti_feed"

conf() { # conf DIR YAML-BODY: conf.d/ti_feed.yaml for the instance "intel"
  mkdir -p "$1/conf.d"
  printf 'plugin: ti_feed\ninstance: intel\nconfig:\n%s\n' "$2" >"$1/conf.d/ti_feed.yaml"
}

cat >"$T/values.csv" <<'EOF'
v
203.0.113.7
198.51.100.200
EVIL-UPDATES.example
http://malware.example/drop/Payload.exe?id=1
44d88612fea8a8f36de82e1278abb02f
8.8.8.8
hello world
EOF

conf "$T/c1" "  paths: [$TI/indicators.csv]"
HUNTKIT_CONFIG="$T/c1"; export HUNTKIT_CONFIG
hk run "file path=$T/values.csv | ti_feed:intel column=v | csv"
is "$rc" 0 "exit 0"
is "$out" 'v,intel_listed,intel_severity,intel_description,intel_list,intel_line,intel_ioc_type,intel_matched,intel_matches,intel_status,intel_summary
203.0.113.7,true,high,C2 server from report A,indicators.csv,4,ipv4,203.0.113.7,2,ok,listed in indicators.csv:4 (high): C2 server from report A; 1 more match
198.51.100.200,true,medium,"scanner range, all of it",indicators.csv,5,ipv4,198.51.100.0/24,1,ok,"listed in indicators.csv:5 (medium): scanner range, all of it"
EVIL-UPDATES.example,true,high,Phishing domain (defanged),indicators.csv,7,dns,evil-updates[.]example,1,ok,listed in indicators.csv:7 (high): Phishing domain (defanged)
http://malware.example/drop/Payload.exe?id=1,true,high,Dropper URL,indicators.csv,9,url,hxxp://malware.example/drop/Payload.exe?id=1,1,ok,listed in indicators.csv:9 (high): Dropper URL
44d88612fea8a8f36de82e1278abb02f,true,information,EICAR test file,indicators.csv,10,md5_hash,44D88612FEA8A8F36DE82E1278ABB02F,1,ok,listed in indicators.csv:10 (information): EICAR test file
8.8.8.8,false,,,,,,,,no_data,not in the indicator lists (14 indicators)
hello world,,,,,,,,,not_supported,not a recognised IoC' "hits, CIDR, defanged, URL, hash, miss, not an IoC (the host adds status and summary)"
is "$err" "" "nothing on stderr"

hk run "file path=$T/values.csv | ti_feed:intel column=v prefix=ti_ | where ti_listed == true | count by ti_severity | sort ti_severity | csv"
is "$out" "ti_severity,count
high,3
information,1
medium,1" "severity counts"

# Globs in a YAML list (braces included) and a MISP feed directory.
conf "$T/c2" "  paths:
    - $TI/ind*.{json,ndjson}
    - $TI/misp
  value_column: value
  on_error: skip"
HUNTKIT_CONFIG="$T/c2"
printf 'v\n192.0.2.10\n192.0.2.101\nlure@phish.example\n' >"$T/v2.csv"
hk run "file path=$T/v2.csv | ti_feed:intel column=v prefix=ti_ | select v, ti_severity, ti_list, ti_description | csv"
is "$out" "v,ti_severity,ti_list,ti_description
192.0.2.10,medium,indicators.json,JSON array entry
192.0.2.101,high,misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json,Made-up ransomware campaign
lure@phish.example,low,misp/5f0c1e2a-2222-4abc-8def-0123456789ab.json,Made-up phishing wave" "JSON and MISP lists in one instance"
like "$err" "indicators.ndjson:1: no \"value\" member (value_column); skipped" "NDJSON read with the default members: its lines are skipped with a warning"

# Malformed list.
conf "$T/c3" "  paths: [$TI/malformed.csv]"
HUNTKIT_CONFIG="$T/c3"
hk run "file path=$T/values.csv | ti_feed:intel column=v | csv"
is "$rc" 1 "malformed list: exit 1"
like "$err" "ti_feed: $TI/malformed.csv:3: severity 'urgent' is not one of unknown, information, low, medium, high (fix the list, or set on_error: skip to skip such lines)" "file:line named"

conf "$T/c4" "  format: csv"
HUNTKIT_CONFIG="$T/c4"
hk run "file path=$T/values.csv | ti_feed:intel column=v | csv"
is "$rc" 1 "no paths: exit 1"
like "$err" "paths" "the missing key is named"

hk plugins inspect ti_feed
like "$out" "entity types:  ipv4, ipv6, dns, hostname, url, email, md5_hash, sha1_hash, sha256_hash, windows_path, linux_path, account, process" "entity types"

# ------------------------------------------------------------ the demo list
DEMO="$HK_SRCDIR/demo"
mkdir -p "$T/demo/conf.d"
sed "s|DEMO_DIR|$DEMO|" "$DEMO/ti_feed.yaml" >"$T/demo/conf.d/ti_feed.yaml"
HUNTKIT_CONFIG="$T/demo"
D="$DEMO/lsass_dump.json"
hk run "file path=$D | where EventID == 5156 | count by DestAddress | ti_feed:demo column=DestAddress | select DestAddress, count, demo_listed, demo_severity | csv"
is "$out" "DestAddress,count,demo_listed,demo_severity
168.63.129.16,3,true,information" "demo: the firewall destination"
hk run "file path=$D | where EventID == 11 | select TargetFilename | ti_feed:demo column=TargetFilename | select TargetFilename, demo_listed, demo_severity | csv"
is "$out" 'TargetFilename,demo_listed,demo_severity
C:\Windows\Prefetch\RUNDLL32.EXE-B1101E56.pf,false,
C:\Users\wardog\AppData\Local\Temp\lsass-comsvcs.dmp,true,high' "demo: the dump file"
if [ -f "$HUNTKIT_PLUGIN_PATH/iocextract.so" ]; then
  hk run "file path=$D | where EventID == 7 | iocextract Hashes | ti_feed:demo column=Observable | where demo_listed == true | select IoCType, Observable, demo_severity, demo_line | csv"
  is "$out" "IoCType,Observable,demo_severity,demo_line
md5_hash,4497582A91B3B284661143010AE35D57,medium,10
sha1_hash,36FEF94305510994A6D390CD54235E8146A4CB83,medium,9
sha256_hash,83C7AF7FF1B4AAFD983A8C3B0EAD10391C1A195CAD3CE59DA04747CDC931B066,medium,8
sha256_hash,11064E9EDC605BD5B0C0A505538A0D5FD7DE53883AF342F091687CAE8628ACD0,low,12" "demo: hashes of the loaded images"
  hk run "file path=$D | where EventID == 1 | iocextract CommandLine include_paths=true | ti_feed:demo column=Observable | select Observable, demo_listed, demo_severity | csv"
  is "$out" 'Observable,demo_listed,demo_severity
C:\Windows\System32\rundll32.exe,false,
C:\windows\System32\comsvcs.dll,true,medium
C:\Users\wardog\AppData\Local\Temp\lsass-comsvcs.dmp,true,high' "demo: paths in the command line"
else
  ok 0 "demo: hashes # SKIP iocextract not built"
  ok 0 "demo: command line # SKIP iocextract not built"
fi

done_testing
