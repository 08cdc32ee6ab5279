#!/bin/sh
# plugins/xforce/test_xforce.sh -- the xforce enricher end to end: `huntkit
# ti lookup` and an enricher stage against the loopback simulator
# tests/servers/ti_services.py (X-Force's /ipr/, /url/ and /malware/
# paths, payloads from tests/data/ti/xforce.json, Basic auth checked,
# misbehaviour on demand with /_mode/MODE/ in the base URL).
#
# Expected scores and categories: python3 over tests/data/ti/xforce.json.
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/ti_lib.sh"
ti_begin xforce
EXPECTED='expected an X-Force IP report {"ip": ..., "score": ...}'
CREDS="  api_key: \${env:TI_KEY}
  api_password: \${env:TI_PASSWORD}"

ti_instance xf xforce "" "" "$CREDS"
hk ti lookup -o csv --providers xf 1.2.3.4 1.2.3.5 8.8.8.8 \
  2001:4860:4860::8888 bad.example.com www.example.com \
  http://bad.example.com/login.php b61a4b8883ba9b9d4d85bdaecab71722 \
  03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b 1.2.3.6 \
  192.0.2.1
is "$rc" 0 "ti lookup: exit 0"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details)" \
"1.2.3.4,ipv4,xf,true,high,ok,risk score 6.4 of 10: Content found on multiple lists (Scanning IPs, Botnet Command and Control Server)
1.2.3.5,ipv4,xf,true,medium,ok,risk score 3 of 10: Content found on multiple lists (Scanning IPs)
8.8.8.8,ipv4,xf,true,information,ok,risk score 1 of 10: Regional Internet Registry
2001:4860:4860::8888,ipv6,xf,true,information,ok,risk score 1 of 10: Regional Internet Registry
bad.example.com,dns,xf,true,high,ok,risk score 10 of 10 (Phishing URLs, Malware)
www.example.com,dns,xf,true,information,ok,risk score 1 of 10
http://bad.example.com/login.php,url,xf,true,medium,ok,risk score 4.3 of 10 (Phishing URLs)
b61a4b8883ba9b9d4d85bdaecab71722,md5_hash,xf,true,high,ok,malware, risk high: agenttesla, tasker
03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b,sha256_hash,xf,false,information,no_data,Not found.
1.2.3.6,ipv4,xf,false,information,no_data,Not found.
192.0.2.1,ipv4,xf,false,unknown,bad_format,IP address is not global" \
  "one row per IoC with MSTICPy's severities"
is "$(csvq Reference | sed -n '1p;7p;8p')" \
"https://exchange.xforce.ibmcloud.com/ip/1.2.3.4
https://exchange.xforce.ibmcloud.com/url/http%3A%2F%2Fbad.example.com%2Flogin.php
https://exchange.xforce.ibmcloud.com/malware/b61a4b8883ba9b9d4d85bdaecab71722" \
  "references: X-Force Exchange pages"
is "$(logq '"\n".join(sorted(r["path"] for r in reqs))')" \
"/ipr/1.2.3.4
/ipr/1.2.3.5
/ipr/1.2.3.6
/ipr/2001:4860:4860::8888
/ipr/8.8.8.8
/malware/03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b
/malware/b61a4b8883ba9b9d4d85bdaecab71722
/url/bad.example.com
/url/http%3A%2F%2Fbad.example.com%2Flogin.php
/url/www.example.com" "the server saw X-Force's paths; nothing for 192.0.2.1"
is "$(logq 'sorted(set((r["auth"], r["accept"]) for r in reqs))')" \
  "[('ok', 'application/json')]" "Basic credentials and Accept on every request"

# --------------------------------------------------------- misbehaviour
ti_instance wrongpass xforce "" "" "  api_key: \${env:TI_KEY}
  api_password: wrong"
for m in 401 402 403 404 400 429 500 truncated malformed html empty \
  wrongshape; do
  ti_instance "m_$m" xforce "/_mode/$m" "" "$CREDS"
done
ti_instance m_slow xforce /_mode/slow "timeout: 1s" "$CREDS"
half=$(py_data xforce.json 'len(json.dumps(d["ipr"]["1.2.3.4"])) // 2')
hk ti lookup -o csv --no-cache \
  --providers wrongpass,m_401,m_402,m_403,m_404,m_400,m_429,m_500,m_truncated,m_malformed,m_html,m_empty,m_wrongshape,m_slow \
  1.2.3.4
is "$(csvq Provider,Severity,Status,Details)" \
"wrongpass,unknown,query_failed,xforce: the service refused the API key and password (HTTP 401, Not authorized.); check api_key and api_password in the instance's conf.d file
m_401,unknown,query_failed,xforce: the service refused the API key and password (HTTP 401, Not authorized.); check api_key and api_password in the instance's conf.d file
m_402,unknown,query_failed,xforce: the API key's monthly quota is spent (HTTP 402, Payment Required: monthly quota exceeded); wait for the next month or use another key
m_403,unknown,query_failed,xforce: the service refused the API key and password (HTTP 403, Forbidden); check api_key and api_password in the instance's conf.d file
m_404,information,no_data,Not found.
m_400,unknown,bad_format,X-Force refused the value (HTTP 400, Bad parameter)
m_429,unknown,query_failed,xforce: request rate exceeded (HTTP 429, Too many requests); try again later or lower the instance's rate
m_500,unknown,query_failed,xforce: unexpected reply HTTP 500 (expected 200, or 404 for an unknown value)
m_truncated,unknown,query_failed,xforce: the reply is truncated: its JSON ends after $half bytes; $EXPECTED
m_malformed,unknown,query_failed,xforce: the reply is not valid JSON (quoted object property name expected at byte offset 75); $EXPECTED
m_html,unknown,query_failed,xforce: the reply is not valid JSON (unexpected character at byte offset 0); $EXPECTED
m_empty,unknown,query_failed,xforce: the reply is empty; $EXPECTED
m_wrongshape,unknown,query_failed,xforce: the reply has no ip or score; $EXPECTED
m_slow,unknown,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)" \
  "each misbehaviour: its status and a message naming the provider"
unlike "$out$err" "$TI_PASSWORD" "the password is never printed"
unlike "$out$err" "$TI_KEY" "nor the key"

# ------------------------------------------------------------- pipeline
printf 'ioc\n1.2.3.4\nb61a4b8883ba9b9d4d85bdaecab71722\n1.2.3.6\n' >"$T/iocs.csv"
hk run -o csv "file path=$T/iocs.csv | xforce:xf column=ioc prefix=x_ | select ioc, x_score, x_country_code, x_risk, x_family, x_status"
is "$rc" 0 "enricher stage: exit 0"
is "$out" "ioc,x_score,x_country_code,x_risk,x_family,x_status
1.2.3.4,6.4,ZZ,,,ok
b61a4b8883ba9b9d4d85bdaecab71722,,,high,\"agenttesla, tasker\",ok
1.2.3.6,,,,,no_data" "typed columns next to the looked-up column"
done_testing
