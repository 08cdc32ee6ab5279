#!/bin/sh
# tests/browser/test_browser_views.sh -- the HTML views in a real browser:
# headless Chromium opens each page from file:// (driven over the DevTools
# protocol by hkbrowser.py), and the DOM is checked after clicks, a search,
# wheel zoom and a drag.  Every check also fails on any console error,
# uncaught exception or network request.  Screenshots go to
# $HK_BUILDDIR/tests/browser/.  Counts: plugins/proctree/derive_expected.py
# and python3's csv module over the fixtures (see the comments).
. "$HK_SRCDIR/tests/lib.sh"
M="$DATA/msticpy"
O="$DATA/otrf"
PY=${PYTHON3:-python3}
B="$HK_SRCDIR/tests/browser/hkbrowser.py"
SHOTS="$HK_BUILDDIR/tests/browser"

command -v "$PY" >/dev/null 2>&1 || skip_all "python3 not installed"
[ -n "$("$PY" "$B" probe | sed -n 's/^chromium=//p')" ] || skip_all "chromium not installed"
mkdir -p "$SHOTS"

# browse CHECK HTML ARGS...: run a check; its key=value lines in $res
browse() {
  res=$("$PY" "$B" "$@" 2>"$T/browser.err")
  brc=$?
  [ "$brc" -eq 0 ] || sed 's/^/# /' "$T/browser.err"
}
val() { printf '%s\n' "$res" | sed -n "s/^$1=//p"; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# ------------------------------------------------------------ tree_html
hk proctree "$M/processes_on_host.csv" -o html color=SubjectUserName
printf '%s\n' "$out" >"$T/tree.html"
# python csv: 11 rows hold "net1" in the label, command line or a hover
# column (NewProcessName, CommandLine, ParentProcessName, ...)
browse tree "$T/tree.html" --search net1 --shot "$SHOTS/tree_html.png"
is "$brc" 0 "tree: the browser ran"
is "$(val nodes)" 369 "tree: one node per process (369)"
is "$(val roots)" 6 "tree: 6 roots"
is "$(val visible)" 369 "tree: everything open at first (under 2,000 nodes)"
# MonitoringHost.exe (synthesized, the first root) has 143 descendants
is "$(val visible_after_toggle)" 226 "tree: collapsing the first root hides 143 (369 - 143)"
is "$(val visible_after_toggle_back)" 369 "tree: expanding it shows them again"
is "$(val visible_collapsed_all)" 6 "tree: collapse all leaves the roots"
is "$(val hits)" 11 "tree: search 'net1': 11 matches"
is "$(val hits_visible)" 11 "tree: the matches' ancestors were opened"
is "$(val hit_note)" "1 of 11 matches" "tree: match counter"
is "$(val tip_visible)" True "tree: hovering a node shows its details"
is "$(val visible_after_expand_all)" 369 "tree: expand all"
is "$(val problems)" 0 "tree: no console error, exception or request"

# expand=1: only the roots at first; the rest is built when opened
hk proctree "$M/processes_on_host.csv" -o html expand=1
printf '%s\n' "$out" >"$T/tree1.html"
browse tree "$T/tree1.html" --search net1
is "$(val nodes) $(val visible)" "6 6" "tree expand=1: only the 6 roots built"
# MonitoringHost.exe has 107 children
is "$(val visible_after_toggle)" 113 "tree expand=1: opening the first root shows its 107 children"
is "$(val visible_after_toggle_back)" 6 "tree expand=1: closing it again"
is "$(val hits) $(val hits_visible)" "11 11" "tree expand=1: search builds and opens the way to all 11 matches"
is "$(val nodes_after_expand_all) $(val visible_after_expand_all)" "369 369" "tree expand=1: expand all builds the rest"
is "$(val problems)" 0 "tree expand=1: no console error, exception or request"

for f in "mde_proc_cs1.csv:1642" "Windows.System.Pslist.json:13"; do
  hk proctree "$M/${f%%:*}" -o html
  printf '%s\n' "$out" >"$T/t2.html"
  browse tree "$T/t2.html"
  is "$(val nodes) $(val problems)" "${f##*:} 0" "tree: ${f%%:*}: ${f##*:} nodes, no problem"
done
hk proctree "$O/schtask_create_2020-12-1907003032.json" --schema sysmon -o html
printf '%s\n' "$out" >"$T/t3.html"
browse tree "$T/t3.html"
is "$(val nodes) $(val roots) $(val problems)" "15 5 0" "tree: OTRF Sysmon: 15 nodes, 5 roots"

# ------------------------------------------------------------ timeline_html
hk timeline "$M/processes_on_host.csv" --group-by SubjectUserName -o html \
  --ref 2019-01-15T05:15:16Z:alert details=CommandLine
printf '%s\n' "$out" >"$T/tl.html"
browse timeline "$T/tl.html" --shot "$SHOTS/timeline_html.png"
is "$brc" 0 "timeline: the browser ran"
# python csv: 203 MSTICAlertsWin1$, 160 MSTICAdmin
is "$(val 'points\[MSTICAlertsWin1\$\]')" 203 "timeline: 203 points for MSTICAlertsWin1\$"
is "$(val 'points\[MSTICAdmin\]')" 160 "timeline: 160 points for MSTICAdmin"
lt "$(val span_after_wheel)" "$(val span0)"
ok $? "timeline: the wheel zooms in (visible span shrinks)"
[ "$(val range_after_wheel)" != "$(val range0)" ]
ok $? "timeline: the range shown changes"
lt "$(val points_after_wheel)" 363
ok $? "timeline: fewer points in view after zooming"
is "$(val t0_moved_by_drag)" True "timeline: dragging right pans to earlier times"
is "$(val span_after_reset)" "$(val span0)" "timeline: reset shows everything again"
is "$(awk -v a="$(val span_after_button)" -v b="$(val span0)" 'BEGIN { print (a * 2 == b) }')" 1 \
  "timeline: the + button halves the span"
is "$(val tip_rows)" 3 "timeline: hover shows time, group and the command line"
is "$(val refs)" 1 "timeline: the reference marker is drawn"
is "$(val problems)" 0 "timeline: no console error, exception or request"

# values (display_timeline_values): python csv: https 372, http 41,
# ms-wbt-server 4, microsoft-ds 4, ntp 34, ftp 1, ssh 4
hk timeline "$M/az_net_flows.csv" --group-by L7Protocol --value TotalAllowedFlows -o html kind=bar
printf '%s\n' "$out" >"$T/values.html"
browse timeline "$T/values.html" --shot "$SHOTS/timeline_values.png"
is "$(val 'points\[https\]') $(val 'points\[http\]') $(val 'points\[ntp\]') $(val 'points\[ftp\]')" \
  "372 41 34 1" "values: bars per group"
is "$(val problems)" 0 "values: no console error, exception or request"

# ------------------------------------------------------------ hostile data
# command lines and user names that try to end the data's <script>, add
# elements or run code; quotes, a NUL, U+2028, a 100,000-byte line
"$PY" - "$T/hostile.ndjson" <<'EOF'
import json, sys
bad = ['</script><img src=x onerror="window.__pwned=1">',
       '<script>window.__pwned=2</script>',
       'quote \' and "double" and \\back\\slash',
       'nul\u0000byte, \u2028line separator, <!-- comment',
       'A' * 100000 + '<img src=y onerror="window.__pwned=4">']
with open(sys.argv[1], "w") as f:
    for i, h in enumerate(bad):
        f.write(json.dumps({
            "EventID": 4688, "Computer": "WS1",
            "TimeGenerated": "2024-03-04T05:06:%02dZ" % i,
            "NewProcessName": "C:\\Windows\\cmd%d.exe" % i,
            "NewProcessId": "0x%x" % (100 + i),
            "ProcessId": "0x%x" % (99 + i) if i else "0x4",
            "ParentProcessName": "C:\\Windows\\cmd%d.exe" % (i - 1) if i else "C:\\Windows\\explorer.exe",
            "CommandLine": h, "SubjectUserName": h[:60]}) + "\n")
EOF
hk proctree "$T/hostile.ndjson" -o html color=SubjectUserName \
  "title=</title><script>window.__pwned=3</script>"
printf '%s\n' "$out" >"$T/hostile.html"
browse hostile "$T/hostile.html" --expect-text '</script><img src=x onerror="window.__pwned=1">' \
  --shot "$SHOTS/hostile_tree.png"
is "$brc" 0 "hostile tree: the browser ran"
is "$(val pwned) $(val pwned_after_hover)" "False False" "hostile tree: no script from the data ran"
is "$(val images) $(val images_after_hover) $(val iframes)" "0 0 0" "hostile tree: no element from the data"
is "$(val scripts)" 2 "hostile tree: only the page's two scripts"
is "$(val title)" "</title><script>window.__pwned=3</script>" "hostile tree: the title is text"
is "$(val text_shown) $(val tip_text_shown)" "True True" "hostile tree: shown as text, also on hover"
is "$(val problems)" 0 "hostile tree: no console error, exception or request"

hk timeline "$T/hostile.ndjson" -o html --group-by CommandLine label=CommandLine \
  details=CommandLine,SubjectUserName
printf '%s\n' "$out" >"$T/hostile_tl.html"
browse hostile "$T/hostile_tl.html" --expect-text '<script>window.__pwned=2</script>' \
  --shot "$SHOTS/hostile_timeline.png"
is "$(val pwned) $(val pwned_after_hover)" "False False" "hostile timeline: no script from the data ran"
is "$(val images) $(val images_after_hover) $(val scripts)" "0 0 2" "hostile timeline: no element from the data"
is "$(val text_shown) $(val tip_text_shown)" "True True" "hostile timeline: shown as text, also on hover"
is "$(val problems)" 0 "hostile timeline: no console error, exception or request"

done_testing
