#!/bin/sh
# tests/cli/test_cli_views.sh -- `huntkit proctree` and `huntkit timeline`
# end to end on the real fixtures.  Tree counts come from
# plugins/proctree/derive_expected.py (an independent brute-force
# derivation); the ancestor chain and the timeline counts from python3's
# csv module over the fixture (numbers written here, see the comments).
. "$HK_SRCDIR/tests/lib.sh"
M="$DATA/msticpy"
O="$DATA/otrf"
PY=${PYTHON3:-python3}
HEAD="Processes,RootProcesses,LeafProcesses,BranchProcesses,IsolatedProcesses,LargestTreeDepth,SyntheticProcesses,Hosts,DuplicateEvents,SkippedEvents"

# ------------------------------------------------------------ summaries
summary() { # FILE OPTIONS EXPECTED-ROW DESCRIPTION
  hk proctree "$1" $2 --summary -o csv
  is "$rc" 0 "$4: exit status"
  is "$out" "$HEAD
$3" "$4: summary"
}
summary "$M/processes_on_host.csv" "" "369,6,279,84,0,5,6,1,0,0" "4688 (processes_on_host)"
summary "$M/process_tree_docs.csv" "" "119,2,116,1,0,3,2,1,0,0" "4688 (process_tree_docs)"
summary "$M/mde_proc_cs1.csv" "" "1642,9,1177,456,0,16,78,1,0,0" "Defender (mde_proc_cs1)"
summary "$M/winproctree-minimal.csv" "" "126,10,97,19,0,7,10,1,0,0" "Volatility pslist (winproctree-minimal)"
summary "$M/Windows.System.Pslist.json" "" "13,3,7,3,0,4,3,1,0,0" "Velociraptor pslist"
# the OTRF file mixes 1,041 events of many kinds: the verb samples a JSON
# file whole, so the Sysmon columns that first appear late are found
summary "$O/schtask_create_2020-12-1907003032.json" "--schema sysmon" \
  "15,5,6,4,0,3,5,2,0,1031" "OTRF Sysmon event 1 (GUIDs)"
summary "$O/schtask_create_2020-12-1907003032.json" "--schema=win4688" \
  "15,5,6,4,0,3,5,2,0,1031" "OTRF Security 4688"

hk proctree "$M/processes_on_host.csv" --summary
is "$rc" 0 "summary defaults to a table"
like "$out" "Processes  RootProcesses" "table header"

# ------------------------------------------------------------ queries
# net1.exe (row 178, pid 0x16fc at 05:15:18.230): python brute force over
# the CSV (latest earlier-or-equal process with the parent's pid and name)
# gives net1 <- cscript 0x1704 <- wuauclt 0x16c0 <- cmd 0xbc8 <- svchost
# 0x440 (not in the data: synthesized)
NET1='c:\windows\system32\net1.exe|0x16fc|2019-01-15 05:15:18.230000|MSTICAlertsWin1'
hk proctree "$M/processes_on_host.csv" --ancestors "$NET1"
is "$rc" 0 "ancestors: exit status"
is "$out" 'svchost.exe [0x440] (inferred)
`-- cmd.exe [0xbc8]  cmd.exe /c c:\Diagnostics\WindowsSimulateDetections.bat c:\Diagnostics\UserTmp
    `-- wuauclt.exe [0x16c0]  .\wuauclt.exe  /C "c:\windows\softwaredistribution\cscript.exe"
        `-- cscript.exe [0x1704]  c:\windows\softwaredistribution\cscript.exe
            `-- net1.exe [0x16fc]  C:\Windows\system32\net1' "ancestors of net1.exe, root first"

hk proctree "$M/processes_on_host.csv" --ancestors="$NET1" -o csv
n=$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print([r["source_index"] or "S" for r in csv.DictReader(sys.stdin)])')
is "$n" "['S', '75', '176', '177', '178']" "ancestors as rows: synthesized root, then rows 75 176 177 178"

hk proctree "$M/processes_on_host.csv" --children 0x1610 -o csv
n=$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(sys.stdin)))')
is "$n" 2 "children of ASMHost (0x1610): itself and conhost"
hk proctree "$M/processes_on_host.csv" --roots -o csv
n=$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(sys.stdin)))')
is "$n" 6 "6 roots"
hk proctree "$M/processes_on_host.csv" --descendants 0x16fc
is "$rc" 1 "an ambiguous pid fails"
like "$err" "process=0x16fc matches 2 processes" "error says the pid is reused"

# ------------------------------------------------------------ HTML
# node count = process count, straight from the page's data blob
nodes() { # FILE OPTIONS
  hk proctree "$1" $2 -o html
  printf '%s\n' "$out" >"$T/page.html"
  "$PY" - "$T/page.html" <<'EOF'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'id="hk-data">(.*?)</script>', page, re.S).group(1))
print(d["n"], len(d["parent"]), sum(1 for p in d["parent"] if p < 0))
EOF
}
is "$(nodes "$M/processes_on_host.csv")" "369 369 6" "tree_html: 369 nodes, 6 roots"
is "$(nodes "$M/mde_proc_cs1.csv")" "1642 1642 9" "tree_html: Defender 1642 nodes, 9 roots"
is "$(nodes "$M/Windows.System.Pslist.json")" "13 13 3" "tree_html: Velociraptor 13 nodes, 3 roots"
is "$(nodes "$O/schtask_create_2020-12-1907003032.json" "--schema sysmon")" "15 15 5" \
  "tree_html: OTRF Sysmon 15 nodes, 5 roots"

hk proctree "$M/processes_on_host.csv" -o dot
is "$(printf '%s\n' "$out" | grep -c ' -> ')" 363 "-o dot: one edge per non-root"

# ------------------------------------------------------------ input
cp "$M/process_tree_docs.csv" "$T/it's a \$file.csv"
hk proctree "$T/it's a \$file.csv" --summary -o csv
is "$rc" 0 "a path with a quote, a space and a dollar sign"
is "$(printf '%s\n' "$out" | tail -1)" "119,2,116,1,0,3,2,1,0,0" "... is read as it is"
hk_in "$M/process_tree_docs.csv" proctree --summary -o csv
is "$(printf '%s\n' "$out" | tail -1)" "119,2,116,1,0,3,2,1,0,0" "no FILE: standard input"
hk_in "$M/process_tree_docs.csv" proctree - --summary -o csv
is "$(printf '%s\n' "$out" | tail -1)" "119,2,116,1,0,3,2,1,0,0" "FILE -: standard input"
hk proctree "$M/processes_on_host.csv" --summary -o csv -v
like "$err" "huntkit: running: huntkit run 'file path='\\''$M/processes_on_host.csv'\\'' | proctree query='\\''summary'\\'' | csv'" \
  "-v shows the pipeline as a command to rerun"
hk proctree "$M/processes_on_host.csv" -o tree_text width=30
is "$(printf '%s\n' "$out" | LC_ALL=C awk 'length($0) > 30' | wc -l | tr -d ' ')" 0 \
  "key=value words go to the renderer (width=30)"
hk proctree "$M/processes_on_host.csv" --summary -o csv host_column=none
is "$(printf '%s\n' "$out" | tail -1)" "369,6,279,84,0,5,6,1,0,0" \
  "proctree's own options as key=value (host_column=none)"

# ------------------------------------------------------------ errors
hk proctree "$M/processes_on_host.csv" --roots --summary
is "$rc" 2 "two queries: usage error"
like "$err" "one query at a time" "error says why"
hk proctree "$M/processes_on_host.csv" --children
is "$rc" 2 "--children without a process: usage error"
like "$err" "option --children needs a value" "error names the option"
hk proctree "$M/processes_on_host.csv" "$M/process_tree_docs.csv"
is "$rc" 2 "two files: usage error"
hk proctree "$T/missing.csv"
is "$rc" 1 "a missing file fails"
like "$err" "missing.csv" "error names the file"
hk proctree "$M/processes_on_host.csv" --bogus
is "$rc" 2 "unknown option: usage error"
hk proctree --help
is "$rc" 0 "--help"
like "$out" "huntkit proctree events.csv --descendants 0x1610 -o csv" "help has examples"
hk help timeline
like "$out" "Usage: huntkit timeline" "huntkit help timeline"

# ------------------------------------------------------------ timeline
# python csv: SubjectUserName MSTICAlertsWin1$ 203 rows, MSTICAdmin 160;
# 2-minute buckets from 04:14: 36, peaks 16 and 160
hk timeline "$M/processes_on_host.csv" --group-by SubjectUserName width=80
is "$rc" 0 "timeline: exit status"
is "$(printf '%s\n' "$out" | head -1)" \
  "TimeGenerated: 363 events in 2 groups, 2019-01-15 04:15:26 – 2019-01-15 05:24:26 UTC, bucket 2m (36 buckets)" \
  "timeline_text by default"
is "$(printf '%s\n' "$out" | awk 'NR > 2 { print $1, $(NF-1), $NF }')" "MSTICAlertsWin1\$ 203 16
MSTICAdmin 160 160" "events and peak per group"
hk timeline "$M/processes_on_host.csv" --time-column TimeCreatedUtc --bucket 1h ascii=true
is "$(printf '%s\n' "$out" | head -1)" \
  "TimeCreatedUtc: 363 events in 1 group, 2019-01-15 04:15:26 to 2019-01-15 05:24:26 UTC, bucket 1h (2 buckets)" \
  "--time-column and --bucket"

hk timeline "$M/processes_on_host.csv" --group-by SubjectUserName -o html \
  --ref 2019-01-15T05:15:16Z:alert --ref "2019-01-15 05:20:00:second look" details=CommandLine
is "$rc" 0 "timeline -o html: exit status"
printf '%s\n' "$out" >"$T/tl.html"
got=$("$PY" - "$T/tl.html" <<'EOF'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'id="hk-data">(.*?)</script>', page, re.S).group(1))
print(d["groups"], [d["g"].count(k) for k in range(len(d["groups"]))],
      [r["label"] for r in d["refs"]], d["details"]["columns"])
EOF
)
is "$got" "['MSTICAlertsWin1\$', 'MSTICAdmin'] [203, 160] ['alert', 'second look'] ['CommandLine']" \
  "timeline_html: events per group, two markers, hover column"
hk timeline "$M/az_net_flows.csv" --value TotalAllowedFlows
is "$rc" 2 "--value without -o html: usage error"
like "$err" "add -o html" "error says how to fix it"
hk timeline "$M/processes_on_host.csv" --ref 2019-01-15T05:15:16Z
is "$rc" 2 "--ref without -o html: usage error"
hk timeline "$M/ip_locs.csv"
is "$rc" 1 "a table without a time column fails"
like "$err" "no time column found" "error says so"

done_testing
