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
