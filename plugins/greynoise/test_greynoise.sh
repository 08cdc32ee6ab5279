#!/bin/sh
# plugins/greynoise/test_greynoise.sh -- the greynoise enricher end to end:
# `huntkit ti lookup` and an enricher stage against the loopback simulator
# tests/servers/ti_services.py (GreyNoise's /v3/community/IP path, payloads
# from tests/data/ti/greynoise.json, the key header checked when sent,
# 404 "not observed" for addresses it does not know, misbehaviour on
# demand with /_mode/MODE/ in the base URL).
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/ti_lib.sh"
ti_begin greynoise
EXPECTED='expected a GreyNoise community record {"ip": ..., "noise": ..., "riot": ...}'
NOT_OBSERVED='IP not observed scanning the internet or contained in RIOT data set.'

ti_instance gn greynoise "" "" "  api_key: \${env:TI_KEY}"
hk ti lookup -o csv --providers gn 1.2.3.4 1.2.3.5 8.8.8.8 9.9.9.9 10.1.1.1
is "$rc" 0 "ti lookup: exit 0"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details,Reference)" \
"1.2.3.4,ipv4,gn,true,high,ok,malicious: seen scanning the internet, last seen 2024-05-01,https://viz.greynoise.io/ip/1.2.3.4
1.2.3.5,ipv4,gn,true,information,ok,unknown: seen scanning the internet, last seen 2024-04-28,https://viz.greynoise.io/ip/1.2.3.5
8.8.8.8,ipv4,gn,true,information,ok,benign: a common business service (Google Public DNS), last seen 2024-05-01,https://viz.greynoise.io/riot/8.8.8.8
9.9.9.9,ipv4,gn,false,information,no_data,$NOT_OBSERVED,https://viz.greynoise.io/ip/9.9.9.9
10.1.1.1,ipv4,gn,false,unknown,bad_format,IP address is not global," \
  "one row per IoC; 404 is 'not observed', not a failure"
is "$err" "" "no failure reported"
is "$(logq '"\n".join(sorted(r["path"] + " " + r["auth"] for r in reqs))')" \
"/v3/community/1.2.3.4 ok
/v3/community/1.2.3.5 ok
/v3/community/8.8.8.8 ok
/v3/community/9.9.9.9 ok" "the server saw the key on every request; nothing for 10.1.1.1"

# The Community API also answers without a key.
ti_instance keyless greynoise "" "" ""
: >"$LOG"
hk ti lookup -o csv --providers keyless 1.2.3.4
is "$(csvq Severity,Status)" "high,ok" "keyless lookup"
is "$(logq '[r["auth"] for r in reqs]')" "['none']" "no key header sent"

# --------------------------------------------------------- misbehaviour
ti_instance wrongkey greynoise "" "" "  api_key: not-the-key"
for m in 401 403 404 400 429 500 truncated malformed html empty wrongshape; do
  ti_instance "m_$m" greynoise "/_mode/$m" "" "  api_key: \${env:TI_KEY}"
done
ti_instance m_slow greynoise /_mode/slow "timeout: 1s" "  api_key: \${env:TI_KEY}"
half=$(py_data greynoise.json 'len(json.dumps(d["community"]["1.2.3.4"])) // 2')
hk ti lookup -o csv --no-cache \
  --providers wrongkey,m_401,m_403,m_404,m_400,m_429,m_500,m_truncated,m_malformed,m_html,m_empty,m_wrongshape,m_slow \
  1.2.3.4
is "$(csvq Provider,Severity,Status,Details)" \
"wrongkey,unknown,query_failed,greynoise: the service refused the API key (HTTP 401, Authentication failed: invalid API key); check api_key in the instance's conf.d file
m_401,unknown,query_failed,greynoise: the service refused the API key (HTTP 401, Authentication failed: invalid API key); check api_key in the instance's conf.d file
m_403,unknown,query_failed,greynoise: the service refused the API key (HTTP 403, Forbidden); check api_key in the instance's conf.d file
m_404,information,no_data,$NOT_OBSERVED
m_400,unknown,bad_format,GreyNoise refused the value (HTTP 400, Request is not a valid routable IPv4 address)
m_429,unknown,query_failed,greynoise: request rate or daily quota exceeded (HTTP 429, You have hit your daily rate limit of 10 requests per day.); try again later or lower the instance's rate
m_500,unknown,query_failed,greynoise: unexpected reply HTTP 500, Internal server error (expected 200, or 404 for an address not observed)
m_truncated,unknown,query_failed,greynoise: the reply is truncated: its JSON ends after $half bytes; $EXPECTED
m_malformed,unknown,query_failed,greynoise: the reply is not valid JSON (quoted object property name expected at byte offset 75); $EXPECTED
m_html,unknown,query_failed,greynoise: the reply is not valid JSON (unexpected character at byte offset 0); $EXPECTED
m_empty,unknown,query_failed,greynoise: the reply is empty; $EXPECTED
m_wrongshape,unknown,query_failed,greynoise: the reply has neither noise nor riot; $EXPECTED
m_slow,unknown,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)" \
  "each misbehaviour: its status and a message naming the provider"
unlike "$out$err" "$TI_KEY" "the API key is never printed"

# ------------------------------------------------------------- pipeline
printf 'ip\n1.2.3.4\n8.8.8.8\n9.9.9.9\nexample.com\n' >"$T/ips.csv"
hk run -o csv "file path=$T/ips.csv | greynoise:gn column=ip prefix=g_ | select ip, g_noise, g_riot, g_classification, g_last_seen, g_status"
is "$rc" 0 "enricher stage: exit 0"
is "$out" "ip,g_noise,g_riot,g_classification,g_last_seen,g_status
1.2.3.4,true,false,malicious,2024-05-01T00:00:00Z,ok
8.8.8.8,false,true,benign,2024-05-01T00:00:00Z,ok
9.9.9.9,false,false,,,no_data
example.com,,,,,not_supported" "typed columns; not observed is noise=false riot=false"
done_testing
