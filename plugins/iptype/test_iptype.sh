#!/bin/sh
# plugins/iptype/test_iptype.sh -- the iptype enricher through a pipeline:
# one address per class.  Expected classes, reachability and registry
# entry names come from IANA's IPv4 and IPv6 Special-Purpose Address
# Registries (and the multicast and global unicast address spaces for the
# addresses those registries do not list), written in by hand.
. "$HK_SRCDIR/tests/lib.sh"

cat >"$T/ips.csv" <<'EOF'
IpAddress,Note
8.8.8.8,global v4
10.1.2.3,rfc1918 10/8
172.31.255.255,rfc1918 172.16/12
192.168.0.1,rfc1918 192.168/16
127.0.0.1,loopback
169.254.169.254,link local
224.0.0.251,multicast
100.64.0.1,shared address space
100.128.0.1,just past 100.64/10
192.0.2.1,TEST-NET-1
198.51.100.7,TEST-NET-2
203.0.113.9,TEST-NET-3
240.0.0.1,class E
198.18.0.1,benchmarking
0.0.0.0,this host
255.255.255.255,limited broadcast
192.0.0.9,PCP anycast
::1,v6 loopback
::,v6 unspecified
fe80::1,v6 link local
fd00::1,unique local
ff02::1,v6 multicast
2001:db8::1,v6 documentation
2606:4700:4700::1111,global v6
::ffff:192.168.1.1,v4-mapped private
not-an-ip,not an address
,empty
10.0.0.1:443,with a port
EOF

hk run "file path=$T/ips.csv | iptype column=IpAddress prefix=IpAddress_ | select IpAddress, IpAddress_class, IpAddress_is_global, IpAddress_family | csv"
is "$out" "IpAddress,IpAddress_class,IpAddress_is_global,IpAddress_family
8.8.8.8,global,true,4
10.1.2.3,private,false,4
172.31.255.255,private,false,4
192.168.0.1,private,false,4
127.0.0.1,loopback,false,4
169.254.169.254,link_local,false,4
224.0.0.251,multicast,false,4
100.64.0.1,cgnat,false,4
100.128.0.1,global,true,4
192.0.2.1,documentation,false,4
198.51.100.7,documentation,false,4
203.0.113.9,documentation,false,4
240.0.0.1,reserved,false,4
198.18.0.1,reserved,false,4
0.0.0.0,unspecified,false,4
255.255.255.255,broadcast,false,4
192.0.0.9,global,true,4
::1,loopback,false,6
::,unspecified,false,6
fe80::1,link_local,false,6
fd00::1,private,false,6
ff02::1,multicast,false,6
2001:db8::1,documentation,false,6
2606:4700:4700::1111,global,true,6
::ffff:192.168.1.1,private,false,6
not-an-ip,,,
,,,
10.0.0.1:443,,," "one address of each class; non-addresses get null fields"
is "$rc" 0 "exit status 0"

# The registry entry names, for the addresses IANA's special-purpose
# registries list.
hk run "file path=$T/ips.csv | iptype column=IpAddress prefix=ip_ | where Note !in (\"global v4\", \"global v6\", \"just past 100.64/10\", \"multicast\", \"v6 multicast\", \"v4-mapped private\") and ip_registry is not null | select IpAddress, ip_registry | csv"
is "$out" "IpAddress,ip_registry
10.1.2.3,Private-Use
172.31.255.255,Private-Use
192.168.0.1,Private-Use
127.0.0.1,Loopback
169.254.169.254,Link Local
100.64.0.1,Shared Address Space
192.0.2.1,Documentation (TEST-NET-1)
198.51.100.7,Documentation (TEST-NET-2)
203.0.113.9,Documentation (TEST-NET-3)
240.0.0.1,Reserved
198.18.0.1,Benchmarking
0.0.0.0,\"\"\"This host on this network\"\"\"
255.255.255.255,Limited Broadcast
192.0.0.9,Port Control Protocol Anycast
::1,Loopback Address
::,Unspecified Address
fe80::1,Link-Local Unicast
fd00::1,Unique-Local
2001:db8::1,Documentation" "registry names are IANA's"

# Typed columns: bool and int64, not text.
hk run "file path=$T/ips.csv | iptype column=IpAddress prefix=ip_ | head 1 | ndjson"
is "$out" '{"IpAddress":"8.8.8.8","Note":"global v4","ip_class":"global","ip_is_global":true,"ip_registry":"Global Unicast","ip_family":4,"ip_status":"ok","ip_summary":"global (Global Unicast)"}' \
  "column types: utf8, bool, utf8, int64; then status and summary"

# The descriptor: fields and entity types as `plugins inspect` shows them.
hk plugins inspect iptype
like "$out" "entity types:  ipv4, ipv6" "accepts ipv4 and ipv6"
like "$out" "is_global  bool" "declares is_global as bool"
like "$out" "family     int64" "declares family as int64"

# A missing column is the host's error, named.
hk run "file path=$T/ips.csv | iptype column=Nope | csv"
is "$rc" 1 "unknown column fails"
like "$err" "Nope" "the error names the column"

done_testing
