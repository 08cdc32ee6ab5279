#!/bin/sh
# tests/cli/test_cli_demo.sh -- `huntkit demo` over the bundled OTRF data.
# Expected values from Python over demo/lsass_dump.json: 16 (Channel,
# EventID) groups, Sysmon 10 x68 the largest; 2 events with "MiniDump" in
# the command line (4688 and Sysmon 1); 2 Sysmon 10 accesses to lsass.exe
# from rundll32 (0x1410, 0x1fffff); 1 .dmp file; 3 firewall connections
# 192.168.2.5 -> 168.63.129.16:80.
. "$HK_SRCDIR/tests/lib.sh"
DEMO="$HK_SRCDIR/demo/lsass_dump.json"

HUNTKIT_DATADIR="$HK_SRCDIR" hk demo
is "$rc" 0 "demo exits 0"
is "$err" "" "nothing on stderr"
is "$(printf '%s\n' "$out" | head -3)" "huntkit demo: hunting an LSASS memory dump (comsvcs.dll MiniDump)
Data: OTRF Security-Datasets, atomic/windows/credential_access/host/psh_lsass_memory_dump_comsvcs (MIT licence)
      $DEMO" "header names the data"
like "$out" "
1. What the recording holds: events per log and event ID
   Sysmon (1 process, 10 process access, 11 file) and Security events.
   \$ huntkit run 'file path=\"$DEMO\" | count by Channel, EventID | sort -count, EventID'

Channel                               EventID  count
------------------------------------  -------  -----
Microsoft-Windows-Sysmon/Operational       10     68
Microsoft-Windows-Sysmon/Operational        7     30
" "section 1 with its command and table"
like "$out" "Security                                 4688      1
(16 rows)" "section 1 has 16 groups"
like "$out" "
2. The command that ran" "section 2"
like "$out" "2020-10-18T07:50:05.910Z     4688  \"C:\\Windows\\System32\\rundll32.exe\" C:\\windows\\System32\\comsvcs.dll MiniDump 756 C:\\Users\\wardog\\AppData\\Local\\Temp\\lsass-comsvcs.dmp full" "the MiniDump command line"
like "$out" "C:\\Windows\\System32\\rundll32.exe  0x1fffff           1" "rundll32 opened lsass with all access"
like "$out" "C:\\Users\\wardog\\AppData\\Local\\Temp\\lsass-comsvcs.dmp
(1 row)" "the dump file"
like "$out" "192.168.2.5    168.63.129.16  80            3  global" "connections classified by iptype"
like "$out" "
Next: " "closing hint"

# The printed commands rerun as they are.
cmd=$(printf '%s\n' "$out" | sed -n "s/^   \$ huntkit run '\(.*count by SourceImage.*\)'\$/\1/p")
hk run -o csv "$cmd"
is "$out" 'SourceImage,GrantedAccess,count
C:\Windows\System32\rundll32.exe,0x1410,1
C:\Windows\System32\rundll32.exe,0x1fffff,1' "a printed command reruns"

# Without HUNTKIT_DATADIR the source tree is found (uninstalled build).
HUNTKIT_DATADIR="$T" hk demo
is "$rc" 0 "falls back past an empty HUNTKIT_DATADIR"

# A reader that goes away ends the demo quietly.
{ HUNTKIT_DATADIR="$HK_SRCDIR" "$HUNTKIT" demo 2>"$T/err"; echo $? >"$T/rc"; } | head -2 >/dev/null
is "$(cat "$T/rc")" 0 "demo | head exits 0"

done_testing
