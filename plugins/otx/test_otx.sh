#!/bin/sh
# plugins/otx/test_otx.sh -- the otx enricher end to end: `huntkit ti
# lookup` and an enricher stage against the loopback simulator
# tests/servers/ti_services.py (OTX's /api/v1/indicators/TYPE/VALUE/general
# paths, payloads from tests/data/ti/otx.json, X-OTX-API-KEY checked,
# misbehaviour on demand with /_mode/MODE/ in the base URL).
#
# Expected pulse counts and names: python3 over tests/data/ti/otx.json
# (pulse_info.count, [p["name"] for p in pulse_info.pulses]).
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/ti_lib.sh"
ti_begin otx
EXPECTED='expected an OTX indicator record {"indicator": ..., "pulse_info": {...}}'

ti_instance otx otx /api/v1 "" "  api_key: \${env:TI_KEY}"
hk ti lookup -o csv --providers otx 1.2.3.4 1.2.3.5 8.8.8.8 \
  2001:4860:4860::8888 bad.example.com www.example.com \
  http://bad.example.com/login.php b61a4b8883ba9b9d4d85bdaecab71722 9.9.9.9 \
  127.0.0.1
is "$rc" 0 "ti lookup: exit 0"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details)" \
"1.2.3.4,ipv4,otx,true,high,ok,in 7 OTX pulses: SSH brute force sources; Mass scanners, week 17; ...
1.2.3.5,ipv4,otx,true,medium,ok,in 1 OTX pulse: Mass scanners, week 17
8.8.8.8,ipv4,otx,true,information,ok,in no OTX pulses
2001:4860:4860::8888,ipv6,otx,true,information,ok,in no OTX pulses
bad.example.com,dns,otx,true,high,ok,in 2 OTX pulses: Phishing kit hosts; SSH brute force sources
www.example.com,dns,otx,true,information,ok,in no OTX pulses
http://bad.example.com/login.php,url,otx,true,medium,ok,in 1 OTX pulse: Phishing kit hosts
b61a4b8883ba9b9d4d85bdaecab71722,md5_hash,otx,true,medium,ok,in 1 OTX pulse: AgentTesla loaders
9.9.9.9,ipv4,otx,true,information,ok,in no OTX pulses
127.0.0.1,ipv4,otx,false,unknown,bad_format,IP address is not global" \
  "one row per IoC with MSTICPy's severities"
is "$(csvq Reference | sed -n '1p;7p')" \
"https://otx.alienvault.com/indicator/ip/1.2.3.4
https://otx.alienvault.com/indicator/url/http%3A%2F%2Fbad.example.com%2Flogin.php" \
  "references: OTX's indicator pages"
is "$(logq '"\n".join(sorted(r["path"] for r in reqs))')" \
"/api/v1/indicators/IPv4/1.2.3.4/general
/api/v1/indicators/IPv4/1.2.3.5/general
/api/v1/indicators/IPv4/8.8.8.8/general
/api/v1/indicators/IPv4/9.9.9.9/general
/api/v1/indicators/IPv6/2001:4860:4860::8888/general
/api/v1/indicators/domain/bad.example.com/general
/api/v1/indicators/domain/www.example.com/general
/api/v1/indicators/file/b61a4b8883ba9b9d4d85bdaecab71722/general
/api/v1/indicators/url/http%3A%2F%2Fbad.example.com%2Flogin.php/general" \
  "the server saw OTX's paths; nothing for 127.0.0.1"
is "$(logq 'sorted(set(r["auth"] for r in reqs))')" "['ok']" \
  "every request carried X-OTX-API-KEY"

hk ti lookup -o csv --providers otx --type hostname www.example.com
is "$(csvq IocType,Status,Details)" "hostname,ok,in no OTX pulses" \
  "--type hostname asks the hostname section"
is "$(logq 'reqs[-1]["path"]')" \
  "/api/v1/indicators/hostname/www.example.com/general" "  path"

# --------------------------------------------------------- misbehaviour
ti_instance wrongkey otx /api/v1 "" "  api_key: not-the-key"
for m in 401 403 404 400 429 500 truncated malformed html empty wrongshape; do
  ti_instance "m_$m" otx "/_mode/$m/api/v1" "" "  api_key: \${env:TI_KEY}"
done
ti_instance m_slow otx /_mode/slow/api/v1 "timeout: 1s" \
  "  api_key: \${env:TI_KEY}"
half=$(py_data otx.json 'len(json.dumps(d["IPv4"]["1.2.3.4"])) // 2')
hk ti lookup -o csv --no-cache \
  --providers wrongkey,m_401,m_403,m_404,m_400,m_429,m_500,m_truncated,m_malformed,m_html,m_empty,m_wrongshape,m_slow \
  1.2.3.4
is "$(csvq Provider,Severity,Status,Details)" \
"wrongkey,unknown,query_failed,otx: the service refused the API key (HTTP 403, Authentication credentials were not provided.); check api_key in the instance's conf.d file
m_401,unknown,query_failed,otx: the service refused the API key (HTTP 401, Authentication required); check api_key in the instance's conf.d file
m_403,unknown,query_failed,otx: the service refused the API key (HTTP 403, Authentication credentials were not provided.); check api_key in the instance's conf.d file
m_404,information,no_data,Not found.
m_400,unknown,bad_format,OTX refused the value (HTTP 400, Invalid indicator)
m_429,unknown,query_failed,otx: request rate exceeded (HTTP 429, Request was throttled.); try again later or lower the instance's rate
m_500,unknown,query_failed,otx: unexpected reply HTTP 500 (expected 200, or 404 for an unknown indicator)
m_truncated,unknown,query_failed,otx: the reply is truncated: its JSON ends after $half bytes; $EXPECTED
m_malformed,unknown,query_failed,otx: the reply is not valid JSON (quoted object property name expected at byte offset 75); $EXPECTED
m_html,unknown,query_failed,otx: the reply is not valid JSON (unexpected character at byte offset 0); $EXPECTED
m_empty,unknown,query_failed,otx: the reply is empty; $EXPECTED
m_wrongshape,unknown,query_failed,otx: the reply has neither indicator nor pulse_info; $EXPECTED
m_slow,unknown,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)" \
  "each misbehaviour: its status and a message naming the provider"
unlike "$out$err" "$TI_KEY" "the API key is never printed"

# ------------------------------------------------------------- pipeline
printf 'ioc\n1.2.3.4\nbad.example.com\n127.0.0.1\n' >"$T/iocs.csv"
hk run -o csv "file path=$T/iocs.csv | otx:otx column=ioc prefix=o_ | select ioc, o_pulse_count, o_tags, o_asn, o_status"
is "$rc" 0 "enricher stage: exit 0"
is "$out" "ioc,o_pulse_count,o_tags,o_asn,o_status
1.2.3.4,7,\"ssh, bruteforce, scanner\",AS64501 example isp,ok
bad.example.com,2,\"phishing, ssh, bruteforce\",,ok
127.0.0.1,,,,bad_format" "typed columns next to the looked-up column"
done_testing
