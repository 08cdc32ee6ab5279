#!/bin/sh
# plugins/treeviews/test_treeviews.sh -- tree_text and dot through the CLI
# on trees proctree builds from the MSTICPy fixtures.  Counts come from
# plugins/proctree/derive_expected.py (processes, roots).
. "$HK_SRCDIR/tests/lib.sh"
M="$DATA/msticpy"

hk run "file path=$M/process_tree_docs.csv | proctree | tree_text"
is "$rc" 0 "tree_text: exit status"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 119 "one line per process (119)"
is "$(printf '%s\n' "$out" | grep -c '^[^|` ]')" 2 "two roots start at column 0"
like "$out" "-- ftp.exe [0x1580]  .\\ftp  -s:C:\\****REDACTED-MALWARE-SIG****.exe" \
  "child line: file name, pid, command line"
like "$out" "svchost.exe [0x440] (inferred)" "synthesized parent is marked"

hk run "file path=$M/processes_on_host.csv | proctree | tree_text width=40"
is "$rc" 0 "tree_text width=40: exit status"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 369 "369 lines"
is "$(printf '%s\n' "$out" | LC_ALL=C awk 'length($0) > 40' | wc -l | tr -d ' ')" 0 \
  "no line longer than 40 characters"
like "$out" "|   |-- " "nested levels are indented"

hk run "file path=$M/processes_on_host.csv | proctree | dot"
is "$rc" 0 "dot: exit status"
is "$(printf '%s\n' "$out" | head -1)" "digraph proctree {" "digraph header"
is "$(printf '%s\n' "$out" | grep -c ' -> ')" 363 "one edge per non-root (369 - 6)"
is "$(printf '%s\n' "$out" | grep -c '^  n[0-9]* \[label=')" 369 "one node per process"
is "$(printf '%s\n' "$out" | grep -c 'style=dashed')" 6 "6 synthesized parents dashed"
like "$out" 'label="ASMHost.exe\n0x1610\n\"C:\\Program Files\\' \
  "backslashes and quotes escaped"
is "$(printf '%s\n' "$out" | tail -1)" "}" "closed"

# OTRF: Security and Sysmon events in one table; the Sysmon tree's rows
# fill Image/ProcessId while NewProcessName/NewProcessId are null there
hk run "file format=ndjson infer_rows=5000 path=$DATA/otrf/schtask_create_2020-12-1907003032.json | proctree schema=sysmon | tree_text"
is "$rc" 0 "tree_text on a mixed table: exit status"
is "$(printf '%s\n' "$out" | grep -c '\.exe|')" 0 "no row falls back to its proc_key"
like "$out" '`-- schtasks.exe [8920]  schtasks  /create' "labels from Image and ProcessId"

hk run "file path=$M/ip_locs.csv | tree_text"
is "$rc" 1 "a table without id/parent fails"
like "$err" "id=proc_key: no such column" "error names the id column"

hk run "file path=$M/ip_locs.csv | tree_text id=IpAddress parent=State label=City"
is "$rc" 0 "any table with id/parent columns renders"

done_testing
