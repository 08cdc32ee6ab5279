#!/bin/sh
# plugins/htmlviews/test_htmlviews.sh -- tree_html, timeline_html and
# timeline_text through `huntkit run`, without a browser: the page's data
# blob (parsed with python3), escaping, errors, and the exact text view.
# The pages in a real browser: tests/browser/test_browser_views.sh.
# Counts come from the fixtures with python3's csv module (see the
# comments) and from plugins/proctree/derive_expected.py.
. "$HK_SRCDIR/tests/lib.sh"
M="$DATA/msticpy"
PY=${PYTHON3:-python3}

# data KEY-EXPRESSION FILE: evaluate a python expression over the page's
# data blob `d` (and the page text `page`)
data() {
  "$PY" - "$2" "$1" <<'EOF'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="hk-data">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
print(eval(sys.argv[2]))
EOF
}

# ------------------------------------------------------------ tree_html
hk run "file path=$M/processes_on_host.csv | proctree | tree_html color=SubjectUserName"
is "$rc" 0 "tree_html: exit status"
printf '%s\n' "$out" >"$T/tree.html"
is "$(head -1 "$T/tree.html")" "<!DOCTYPE html>" "an HTML page"
is "$(data 'd["n"], len(d["parent"]), len(d["label"])' "$T/tree.html")" "(369, 369, 369)" \
  "one node per process (369)"
is "$(data 'sum(1 for p in d["parent"] if p < 0), len(d["synthetic"])' "$T/tree.html")" "(6, 6)" \
  "6 roots, 6 synthesized parents"
is "$(data 'd["label"][d["parent"].index(-1)]' "$T/tree.html")" "MonitoringHost.exe [0x888]" \
  "label: file name and pid"
# SubjectUserName: 203 MSTICAlertsWin1$, 160 MSTICAdmin, 6 synthesized rows without one
is "$(data 'd["color"]["keys"], [d["color"]["of"].count(k) for k in (-1, 0, 1)]' "$T/tree.html")" \
  "(['MSTICAlertsWin1\$', 'MSTICAdmin'], [6, 203, 160])" "colour keys and counts"
is "$(data 'd["details"]["columns"]' "$T/tree.html")" \
  "['NewProcessName', 'NewProcessId', 'ProcessId', 'CommandLine', 'TimeGenerated', 'SubjectUserName', 'Computer', 'ParentProcessName', 'proc_key']" \
  "default hover details: the process columns present"
is "$(printf '%s\n' "$out" | grep -Eic '(src|href|url)[=(]["'"'"']?(https?:|//)')" 0 \
  "nothing in the page points to the network"
like "$out" "Content-Security-Policy\" content=\"default-src 'none'" \
  "the page forbids fetching anything"

# hostile values stay inside the JSON string
printf '%s\n' 'EventID,Computer,TimeGenerated,NewProcessName,NewProcessId,ProcessId,ParentProcessName,CommandLine' \
  '4688,WS1,2024-03-04T05:06:07Z,C:\a.exe,0x10,0x4,C:\p.exe,"</script><img src=x onerror=""alert(1)""><!--"' \
  >"$T/hostile.csv"
hk run "file path=$T/hostile.csv | proctree | tree_html title='</title><script>alert(2)</script>'"
is "$rc" 0 "hostile: exit status"
is "$(printf '%s\n' "$out" | grep -o '</script>' | wc -l | tr -d ' ')" 2 \
  "only the page's own two </script> (data cannot close its element)"
like "$out" '\u003c/script\u003e\u003cimg src=x onerror=\"alert(1)\"\u003e\u003c!--' \
  "< and > escaped as \\u003c \\u003e inside the data"
like "$out" "<title>&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>" \
  "title HTML-escaped"

hk run "file path=$M/ip_locs.csv | tree_html"
is "$rc" 1 "tree_html: a table without id/parent fails"
like "$err" "tree_html: id=proc_key: no such column" "error names the id column"
like "$err" "build the tree with proctree first" "error says how to fix it"
hk run "file path=$M/processes_on_host.csv | proctree | tree_html color=Nope"
is "$rc" 1 "tree_html: unknown colour column fails"
like "$err" "color=Nope: no such column (columns: " "error lists the columns"
hk run "file path=$M/processes_on_host.csv | proctree | tree_html max_rows=100"
is "$rc" 1 "tree_html: more than max_rows fails"
like "$err" "more than max_rows=100 rows" "error names the limit and how to narrow"

# a parent cycle is cut, not looped on
printf '%s\n' 'id,parent,name' 'a,c,A' 'b,a,B' 'c,b,C' 'd,,D' >"$T/cycle.csv"
hk run "file path=$T/cycle.csv | tree_html id=id parent=parent label=name"
is "$rc" 0 "tree_html: a cycle renders"
printf '%s\n' "$out" >"$T/cycle.html"
# walking up from a (a -> c -> b -> a), the link that closes the loop
# (b -> a) is cut: b becomes a root, a keeps its parents c and b
is "$(data 'd["parent"], d["label"]' "$T/cycle.html")" "([2, -1, 1, -1], ['A', 'B', 'C', 'D'])" \
  "the cycle a->c->b->a is cut once"
like "$err" "1 parent cycles cut" "and the cut is reported"

# ------------------------------------------------------------ timeline_html
hk run "file path=$M/processes_on_host.csv | timeline_html group_by=SubjectUserName ref=2019-01-15T05:15:16Z:first,2019-01-15T05:20:00"
is "$rc" 0 "timeline_html: exit status"
printf '%s\n' "$out" >"$T/tl.html"
# python csv: 203 MSTICAlertsWin1$ and 160 MSTICAdmin rows
is "$(data 'd["groups"], [d["g"].count(k) for k in range(len(d["groups"]))], len(d["t"])' "$T/tl.html")" \
  "(['MSTICAlertsWin1\$', 'MSTICAdmin'], [203, 160], 363)" "events per group"
is "$(data 'd["time_column"], d["group_by"], min(d["t"]), max(d["t"])' "$T/tl.html")" \
  "('TimeGenerated', 'SubjectUserName', 1547525726000.0, 1547529866010.0)" \
  "time column found; times in ms (2019-01-15 04:15:26 .. 05:24:26.010)"
is "$(data 'd["refs"]' "$T/tl.html")" \
  "[{'t': 1547529316000.0, 'label': 'first'}, {'t': 1547529600000.0, 'label': 'ref'}]" \
  "reference markers (label optional)"

# values: az_net_flows, TotalAllowedFlows by L7Protocol (python csv: https
# 372, http 41, ms-wbt-server 4, microsoft-ds 4, ntp 34, ftp 1, ssh 4)
hk run "file path=$M/az_net_flows.csv | timeline_html group_by=L7Protocol value_column=TotalAllowedFlows kind=line details=SrcIP,DestIP"
is "$rc" 0 "timeline_html values: exit status"
printf '%s\n' "$out" >"$T/values.html"
is "$(data '[d["g"].count(k) for k in range(len(d["groups"]))], d["kind"], d["value_column"]' "$T/values.html")" \
  "([372, 41, 4, 4, 34, 1, 4], 'line', 'TotalAllowedFlows')" "values per group"
is "$(data 'd["details"]["columns"], sum(1 for v in d["v"] if v is None)' "$T/values.html")" \
  "(['SrcIP', 'DestIP'], 0)" "hover columns; every value is a number"

hk run "file path=$M/processes_on_host.csv | timeline_html ref=yesterday"
is "$rc" 1 "timeline_html: a bad ref fails"
like "$err" "ref=yesterday: expected TIME or TIME:label" "error shows the form"
hk run "file path=$M/processes_on_host.csv | timeline_html time_column=EventID"
is "$rc" 1 "timeline_html: a numeric time column fails"
like "$err" "time_column=EventID is int64, not a timestamp or text" "error names the type"
hk run "file path=$M/ip_locs.csv | timeline_html"
is "$rc" 1 "timeline_html: no time column fails"
like "$err" "no time column found" "error says so"
like "$err" "name it with time_column=" "error says how to fix it"

# ------------------------------------------------------------ timeline_text
printf '%s\n' 'TimeGenerated,Host,Value' '2024-03-04T00:00:10Z,a,1' \
  '2024-03-04T00:00:20Z,a,2' '2024-03-04T00:01:30Z,b,3' \
  '2024-03-04T00:03:59Z,a,4' '2024-03-04T00:03:00Z,b,5' 'bad-time,a,6' \
  >"$T/small.csv"
# per minute: a = 2 0 0 1 (peak 2), b = 0 1 0 1 (peak 1); levels are
# ceil(8 * count / peak): 8 -> '@', 4 -> '='
hk run "file path=$T/small.csv | timeline_text group_by=Host bucket=1m ascii=true"
is "$rc" 0 "timeline_text: exit status (partial)"
is "$out" "TimeGenerated: 5 events in 2 groups, 2024-03-04 00:00:10 to 2024-03-04 00:03:59 UTC, bucket 1m (4 buckets)
(1 row without a readable time left out)
Host  03-04 00:00 03-04 00:03  events    peak
a     @  =                          3       2
b      @ @                          2       1" "sparklines per group (ASCII)"
like "$err" "1 of 6 rows have no readable time in TimeGenerated and are left out (first: data row 6, 'bad-time'" \
  "rows without a time are reported"
hk run "file path=$T/small.csv | timeline_text bucket=1m style=bars width=40"
is "$out" "TimeGenerated: 5 events in 1 group, 2024-03-04 00:00:10 – 2024-03-04 00:03:59 UTC, bucket 1m (4 buckets)
(1 row without a readable time left out)
2024-03-04 00:00        ██████████ 2
2024-03-04 00:01        █████ 1
2024-03-04 00:02         0
2024-03-04 00:03        ██████████ 2" "bars: one per bucket, 10 columns for the peak"
hk run "file path=$T/small.csv | timeline_text group_by=Host bucket=1m max_groups=1 ascii=true"
like "$out" "(2 other groups)" "max_groups folds the rest into one line"

# processes_on_host by user: 2-minute buckets from 04:14 (python: 36
# buckets; peaks 16 and 160)
hk run "file path=$M/processes_on_host.csv | timeline_text group_by=SubjectUserName width=80"
is "$(printf '%s\n' "$out" | head -1)" \
  "TimeGenerated: 363 events in 2 groups, 2019-01-15 04:15:26 – 2019-01-15 05:24:26 UTC, bucket 2m (36 buckets)" \
  "auto bucket: the smallest that fits the width"
is "$(printf '%s\n' "$out" | awk 'NR > 2 { print $1, $(NF-1), $NF }')" "MSTICAlertsWin1\$ 203 16
MSTICAdmin 160 160" "events and peak per group"
hk run "file path=$M/processes_on_host.csv | timeline_text bucket=1ms"
is "$rc" 1 "timeline_text: too many buckets fails"
like "$err" "bucket=1ms makes 4140011 buckets" "error gives the count"

done_testing
