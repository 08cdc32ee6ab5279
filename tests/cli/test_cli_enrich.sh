#!/bin/sh
# tests/cli/test_cli_enrich.sh -- enricher stages: the host looks up a
# column and adds one column per enricher field, then <prefix>status and
# <prefix>summary (the lookup status and the enricher's summary).  Expected values from
# Python's ipaddress module over tests/data/msticpy/az_net_flows.csv:
# AllExtIPs 454 global + 6 private (10.0.3.4 x3, 10.0.3.5 x3);
# VMIPAddress 452 x 10.0.3.5 and 8 empty; DestIP 8 non-empty values.
. "$HK_SRCDIR/tests/lib.sh"
FLOWS="$DATA/msticpy/az_net_flows.csv"
[ -f "$HUNTKIT_PLUGIN_PATH/iptype.so" ] || skip_all "iptype plugin not built"

hk run -o csv "file path=$FLOWS | iptype column=AllExtIPs | count by iptype_class, iptype_registry | sort -count"
is "$rc" 0 "enrich then count"
is "$out" "iptype_class,iptype_registry,count
global,Global Unicast,454
private,Private-Use,6" "classes of AllExtIPs"

hk run -o csv "file path=$FLOWS | iptype column=VMIPAddress prefix=vm_ | count by vm_class | sort -count"
is "$out" "vm_class,count
private,452
,8" "prefix= names the columns; empty cells stay null"

hk run -o csv "file path=$FLOWS | where DestIP != \"\" | select DestIP | iptype column=DestIP"
is "$out" "DestIP,iptype_class,iptype_is_global,iptype_registry,iptype_family,iptype_status,iptype_summary
10.0.3.5,private,false,Private-Use,4,ok,private (Private-Use)
10.0.3.5,private,false,Private-Use,4,ok,private (Private-Use)
104.211.30.1,global,true,Global Unicast,4,ok,global (Global Unicast)
10.0.3.4,private,false,Private-Use,4,ok,private (Private-Use)
10.0.3.4,private,false,Private-Use,4,ok,private (Private-Use)
104.211.30.1,global,true,Global Unicast,4,ok,global (Global Unicast)
10.0.3.5,private,false,Private-Use,4,ok,private (Private-Use)
10.0.3.5,private,false,Private-Use,4,ok,private (Private-Use)" "typed columns, then status and summary, appended after the input's"

# Values of other IoC types are not looked up: their fields are null and
# their status says why.
printf 'v\n10.1.2.3\nexample.com\n::1\nhello world\n100.64.0.1\n' >"$T/mixed.csv"
hk run -o csv "file path=$T/mixed.csv | iptype column=v"
is "$out" "v,iptype_class,iptype_is_global,iptype_registry,iptype_family,iptype_status,iptype_summary
10.1.2.3,private,false,Private-Use,4,ok,private (Private-Use)
example.com,,,,,not_supported,type dns not supported
::1,loopback,false,Loopback Address,6,ok,loopback (Loopback Address)
hello world,,,,,not_supported,not a recognised IoC
100.64.0.1,cgnat,false,Shared Address Space,4,ok,cgnat (Shared Address Space)" "only ipv4/ipv6 values are looked up; the others say not_supported"

# An empty cell has no status at all.
hk run -o csv "file path=$FLOWS | iptype column=VMIPAddress prefix=vm_ | count by vm_status | sort -count"
is "$out" "vm_status,count
ok,452
,8" "status is null for empty cells"

# A column named like the host's status column needs another prefix.
printf 'v,iptype_status\n10.1.2.3,x\n' >"$T/clash.csv"
hk run "file path=$T/clash.csv | iptype column=v"
is "$rc" 1 "input already has <prefix>status: exit 1"
is "$err" "huntkit: stage 2 (iptype): column 'iptype_status' already exists; choose another prefix=" "status column clash message"

# Two enrichments of one column need different prefixes.
hk run "file path=$T/mixed.csv | iptype column=v | iptype column=v"
is "$rc" 1 "clashing column names: exit 1"
is "$err" "huntkit: stage 3 (iptype): column 'iptype_class' already exists; choose another prefix=" "clash message"
hk run -o csv "file path=$T/mixed.csv | head 1 | iptype column=v | iptype column=v prefix=again_ | select v, again_class"
is "$out" "v,again_class
10.1.2.3,private" "a second prefix avoids the clash"

hk run "file path=$T/mixed.csv | iptype column=nope"
is "$rc" 1 "unknown column: exit 1"
is "$err" "huntkit: stage 2 (iptype): no column 'nope' (columns: v)" "unknown column message"

done_testing
