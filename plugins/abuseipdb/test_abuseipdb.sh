#!/bin/sh
# plugins/abuseipdb/test_abuseipdb.sh -- the abuseipdb enricher end to end:
# `huntkit ti lookup` and an enricher stage against the loopback simulator
# tests/servers/ti_services.py (AbuseIPDB's /api/v2/check endpoint,
# payloads from tests/data/ti/abuseipdb.json, the Key header checked,
# misbehaviour on demand with /_mode/MODE/ in the base URL).
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/ti_lib.sh"
ti_begin abuseipdb
EXPECTED='expected an AbuseIPDB check record {"data": {"abuseConfidenceScore": ...}}'

ti_instance ab abuseipdb /api/v2 "" "  api_key: \${env:TI_KEY}"
hk ti lookup -o csv --providers ab 1.2.3.4 1.2.3.5 8.8.8.8 \
  2001:4860:4860::8888 9.9.9.9 172.16.0.1
is "$rc" 0 "ti lookup: exit 0"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details,Reference)" \
"1.2.3.4,ipv4,ab,true,high,ok,abuse confidence 87%, 41 reports by 12 users in 30 days,https://www.abuseipdb.com/check/1.2.3.4
1.2.3.5,ipv4,ab,true,medium,ok,abuse confidence 25%, 3 reports by 2 users in 30 days, Tor exit node,https://www.abuseipdb.com/check/1.2.3.5
8.8.8.8,ipv4,ab,true,information,ok,abuse confidence 0%, 12 reports by 9 users in 30 days, allow-listed,https://www.abuseipdb.com/check/8.8.8.8
2001:4860:4860::8888,ipv6,ab,true,information,ok,abuse confidence 0%, 0 reports by 0 users in 30 days,https://www.abuseipdb.com/check/2001:4860:4860::8888
9.9.9.9,ipv4,ab,true,information,ok,abuse confidence 0%, 0 reports by 0 users in 30 days,https://www.abuseipdb.com/check/9.9.9.9
172.16.0.1,ipv4,ab,false,unknown,bad_format,IP address is not global," \
  "one row per IoC with MSTICPy's severities"
is "$(logq '"\n".join(sorted(r["path"] for r in reqs))')" \
"/api/v2/check?ipAddress=1.2.3.4&maxAgeInDays=30
/api/v2/check?ipAddress=1.2.3.5&maxAgeInDays=30
/api/v2/check?ipAddress=2001%3A4860%3A4860%3A%3A8888&maxAgeInDays=30
/api/v2/check?ipAddress=8.8.8.8&maxAgeInDays=30
/api/v2/check?ipAddress=9.9.9.9&maxAgeInDays=30" \
  "the server saw the check endpoint; nothing for 172.16.0.1"
is "$(logq 'sorted(set((r["auth"], r["accept"]) for r in reqs))')" \
  "[('ok', 'application/json')]" "Key and Accept on every request"

ti_instance ab90 abuseipdb /api/v2 "" "  api_key: \${env:TI_KEY}
  max_age_days: 90"
: >"$LOG"
hk ti lookup -o csv --providers ab90 1.2.3.4
is "$(csvq Details)" "abuse confidence 87%, 41 reports by 12 users in 90 days" \
  "max_age_days in the summary"
is "$(logq 'reqs[0]["path"]')" "/api/v2/check?ipAddress=1.2.3.4&maxAgeInDays=90" \
  "...and in the request"
ti_instance ab0 abuseipdb /api/v2 "" "  api_key: \${env:TI_KEY}
  max_age_days: 0"
hk ti lookup -o csv --providers ab0 1.2.3.4
is "$(csvq Status,Details)" \
  "query_failed,cannot start abuseipdb:ab0 ($CONF/conf.d/ab0.yaml): abuseipdb: max_age_days must be 1 to 365 (the API's limits), got 0" \
  "a bad max_age_days: the instance fails with the reason"

# --------------------------------------------------------- misbehaviour
ti_instance wrongkey abuseipdb /api/v2 "" "  api_key: not-the-key"
for m in 401 403 404 400 429 500 truncated malformed html empty wrongshape; do
  ti_instance "m_$m" abuseipdb "/_mode/$m/api/v2" "" "  api_key: \${env:TI_KEY}"
done
ti_instance m_slow abuseipdb /_mode/slow/api/v2 "timeout: 1s" \
  "  api_key: \${env:TI_KEY}"
half=$(py_data abuseipdb.json 'len(json.dumps(d["check"]["1.2.3.4"])) // 2')
hk ti lookup -o csv --no-cache \
  --providers wrongkey,m_401,m_403,m_404,m_400,m_429,m_500,m_truncated,m_malformed,m_html,m_empty,m_wrongshape,m_slow \
  1.2.3.4
AUTH_DETAIL='Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.'
is "$(csvq Provider,Severity,Status,Details)" \
"wrongkey,unknown,query_failed,abuseipdb: the service refused the API key (HTTP 401, $AUTH_DETAIL); check api_key in the instance's conf.d file
m_401,unknown,query_failed,abuseipdb: the service refused the API key (HTTP 401, $AUTH_DETAIL); check api_key in the instance's conf.d file
m_403,unknown,query_failed,abuseipdb: the service refused the API key (HTTP 403, Forbidden); check api_key in the instance's conf.d file
m_404,unknown,query_failed,abuseipdb: unexpected reply HTTP 404, Not Found (expected 200; is base_url right?)
m_400,unknown,bad_format,AbuseIPDB refused the value (HTTP 422, The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).)
m_429,unknown,query_failed,abuseipdb: request rate or daily quota exceeded (HTTP 429, Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.); try again later or lower the instance's rate (a free key allows 1,000 checks a day)
m_500,unknown,query_failed,abuseipdb: unexpected reply HTTP 500, Server Error (expected 200)
m_truncated,unknown,query_failed,abuseipdb: the reply is truncated: its JSON ends after $half bytes; $EXPECTED
m_malformed,unknown,query_failed,abuseipdb: the reply is not valid JSON (quoted object property name expected at byte offset 75); $EXPECTED
m_html,unknown,query_failed,abuseipdb: the reply is not valid JSON (unexpected character at byte offset 0); $EXPECTED
m_empty,unknown,query_failed,abuseipdb: the reply is empty; $EXPECTED
m_wrongshape,unknown,query_failed,abuseipdb: the reply has no data.abuseConfidenceScore; $EXPECTED
m_slow,unknown,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)" \
  "each misbehaviour: its status and a message naming the provider"
unlike "$out$err" "$TI_KEY" "the API key is never printed"

# ------------------------------------------------------------- pipeline
printf 'ip\n1.2.3.4\n1.2.3.5\n2001:4860:4860::8888\n' >"$T/ips.csv"
hk run -o csv "file path=$T/ips.csv | abuseipdb:ab column=ip prefix=a_ | select ip, a_score, a_total_reports, a_last_reported, a_is_tor, a_is_whitelisted, a_hostnames, a_status"
is "$rc" 0 "enricher stage: exit 0"
is "$out" "ip,a_score,a_total_reports,a_last_reported,a_is_tor,a_is_whitelisted,a_hostnames,a_status
1.2.3.4,87,41,2024-05-01T09:58:00Z,false,false,scan1.example.test,ok
1.2.3.5,25,3,2024-04-28T17:03:12Z,true,false,,ok
2001:4860:4860::8888,0,0,,false,,dns.google,ok" "typed columns next to the looked-up column"
done_testing
