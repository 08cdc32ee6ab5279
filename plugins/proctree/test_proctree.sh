#!/bin/sh
# plugins/proctree/test_proctree.sh -- proctree through the CLI on real
# data.  Every number below comes from plugins/proctree/derive_expected.py,
# an independent brute-force derivation (run it to re-check).
. "$HK_SRCDIR/tests/lib.sh"
M="$DATA/msticpy"
O="$DATA/otrf"
PY=${PYTHON3:-python3}
HEAD="Processes,RootProcesses,LeafProcesses,BranchProcesses,IsolatedProcesses,LargestTreeDepth,SyntheticProcesses,Hosts,DuplicateEvents,SkippedEvents"

# summary FILE-STAGE EXPECTED-ROW DESCRIPTION
summary() {
  hk run "$1 | proctree $2 query=summary | csv"
  is "$rc" 0 "$4: exit status"
  is "$out" "$HEAD
$3" "$4: processes, roots, leaves, branches, isolated, depth, synthetic"
}

summary "file path=$M/processes_on_host.csv" "" "369,6,279,84,0,5,6,1,0,0" \
  "4688 Sentinel export"
summary "file path=$M/process_tree_docs.csv" "" "119,2,116,1,0,3,2,1,0,0" \
  "4688 docs sample"
summary "file path=$M/winproctree-minimal.csv" "" "126,10,97,19,0,7,10,1,0,0" \
  "Volatility pslist (minimal)"
summary "file path=$M/mde_proc_cs1.csv" "" "1642,9,1177,456,0,16,78,1,0,0" \
  "Defender internal schema"
summary "file format=ndjson path=$M/Windows.System.Pslist.json" "" \
  "13,3,7,3,0,4,3,1,0,0" "Velociraptor pslist"
# OTRF: 1,041 mixed events on 2 hosts; 10 Sysmon 1 and 10 Security 4688
summary "file format=ndjson infer_rows=5000 path=$O/schtask_create_2020-12-1907003032.json" \
  "schema=sysmon" "15,5,6,4,0,3,5,2,0,1031" "OTRF Sysmon event 1 (GUIDs)"
summary "file format=ndjson infer_rows=5000 path=$O/schtask_create_2020-12-1907003032.json" \
  "schema=win4688" "15,5,6,4,0,3,5,2,0,1031" "OTRF Security 4688 (raw JSON)"

# Parent links, checked on the CSV output: child row -> parent row (by
# source_index), "S" for a synthesized parent.
links() { # FILE-STAGE OPTS PAIRS...
  stage="$1"; opts="$2"; shift 2
  hk run "$stage | proctree $opts | csv"
  printf '%s\n' "$out" >"$T/tree.csv"
  "$PY" - "$T/tree.csv" "$@" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
key = {r['source_index']: r['proc_key'] for r in rows if r['source_index']}
synth = {r['proc_key'] for r in rows if r['IsSynthetic'] == 'true'}
bysrc = {r['source_index']: r for r in rows if r['source_index']}
out = []
for pair in sys.argv[2:]:
    c, p = pair.split('>')
    pk = bysrc[c]['parent_key']
    out.append('%s>%s' % (c, 'S' if pk in synth else
                          next((s for s, k in key.items() if k == pk), '-')))
print(' '.join(out))
PYEOF
}
got=$(links "file path=$M/processes_on_host.csv" "" 1\>0 0\>S 15\>14 141\>140 178\>177)
is "$got" "1>0 0>S 15>14 141>140 178>177" \
  "4688: parent links (pid 0x1490 reused: rows 15 and 141)"
got=$(links "file path=$M/process_tree_docs.csv" "" 0\>115 5\>115)
is "$got" "0>115 5>115" "4688 docs: parent links"

# Keys: MSTICPy's name|pid|time (10 µs) plus the host.
hk run "file path=$M/processes_on_host.csv | proctree query=roots | csv"
is "$rc" 0 "roots: exit status"
like "$out" "c:\\program files\\microsoft monitoring agent\\agent\\monitoringhost.exe|0x888|1970-01-01 00:00:00.000000|MSTICAlertsWin1" \
  "synthesized root key has the epoch time"
n=$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(sys.stdin)))')
is "$n" 6 "6 roots"

hk run "file path=$M/processes_on_host.csv | proctree query=children process=0x1610 | csv"
is "$rc" 0 "children by pid: exit status"
n=$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(sys.stdin)))')
is "$n" 2 "ASMHost (0x1610) and its one child"

hk run "file path=$M/processes_on_host.csv | proctree query=ancestors process=0x16fc | csv"
is "$rc" 1 "ambiguous pid fails"
like "$err" "matches 2 processes" "error says the pid is reused"

hk run "file path=$M/ip_locs.csv | proctree | csv"
is "$rc" 1 "table without process columns fails"
like "$err" "looked for win4688 (NewProcessName, NewProcessId, ProcessId)" \
  "error names the columns it looked for"

hk run "file path=$M/processes_on_host.csv | proctree query=descendants | csv"
is "$rc" 1 "descendants without process= fails"
like "$err" "needs process=" "error names the missing option"

done_testing
