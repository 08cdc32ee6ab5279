#!/bin/sh
# plugins/virustotal/test_virustotal.sh -- the virustotal enricher end to
# end: `huntkit ti lookup` and an enricher stage against the loopback
# simulator tests/servers/ti_services.py, which serves VirusTotal's v3
# paths with MSTICPy's vt3_file_1.json / vt3_url_0.json (wrapped in
# {"data": ...}) and tests/data/ti/virustotal.json, checks the x-apikey
# header and misbehaves on demand (/_mode/MODE/ in the base URL).
#
# Expected counts: python3 over the same files, e.g.
#   d["ip_addresses"]["1.2.3.4"]["data"]["attributes"]["last_analysis_stats"]
#   -> malicious 6, suspicious 1, sum 92; vt3_file_1.json malicious 40 of 74.
# URL ids: base64.urlsafe_b64encode(url).rstrip(b"=").
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/ti_lib.sh"
ti_begin virustotal

ti_instance vt virustotal /api/v3 "" "  api_key: \${env:TI_KEY}"
hk ti lookup -o csv --providers vt 1.2.3.4 1.2.3.5 8.8.8.8 \
  2001:4860:4860::8888 bad.example.com http://www.example.com/ \
  http://218.54.47.77/ b61a4b8883ba9b9d4d85bdaecab71722 1.2.3.6 10.0.0.1
is "$rc" 0 "ti lookup: exit 0"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details)" \
"1.2.3.4,ipv4,vt,true,high,ok,6 of 92 engines flag it malicious, 1 suspicious
1.2.3.5,ipv4,vt,true,medium,ok,1 of 92 engines flag it malicious
8.8.8.8,ipv4,vt,true,information,ok,0 of 92 engines flag it malicious
2001:4860:4860::8888,ipv6,vt,true,information,ok,0 of 92 engines flag it malicious
bad.example.com,dns,vt,true,high,ok,5 of 91 engines flag it malicious, 2 suspicious
http://www.example.com/,url,vt,true,information,ok,0 of 90 engines flag it malicious
http://218.54.47.77/,url,vt,true,information,ok,0 of 66 engines flag it malicious
b61a4b8883ba9b9d4d85bdaecab71722,md5_hash,vt,true,high,ok,40 of 74 engines flag it malicious (trojan.msil/tasker)
1.2.3.6,ipv4,vt,false,information,no_data,Not found.
10.0.0.1,ipv4,vt,false,unknown,bad_format,IP address is not global" \
  "one row per IoC with MSTICPy's severities"
is "$(csvq Reference | sed -n '6,8p')" \
"https://www.virustotal.com/gui/url/14b570acce51451285fa2340e01f97344efe518c8770f5bbc0a794d9bcd55f01
https://www.virustotal.com/gui/url/380269259e1f607fb07769fee779f0dc3144924f865e76a3c05c8898295d02f8
https://www.virustotal.com/gui/file/b61a4b8883ba9b9d4d85bdaecab71722" \
  "references: the objects' web pages"
is "$(csvq RawResult | sed -n 1p)" \
  "$(py_data virustotal.json 'json.dumps(d["ip_addresses"]["1.2.3.4"])')" \
  "RawResult: the reply as the service sent it"
is "$(logq '"\n".join(sorted(r["path"] for r in reqs))')" \
"/api/v3/domains/bad.example.com
/api/v3/files/b61a4b8883ba9b9d4d85bdaecab71722
/api/v3/ip_addresses/1.2.3.4
/api/v3/ip_addresses/1.2.3.5
/api/v3/ip_addresses/1.2.3.6
/api/v3/ip_addresses/2001:4860:4860::8888
/api/v3/ip_addresses/8.8.8.8
/api/v3/urls/aHR0cDovL3d3dy5leGFtcGxlLmNvbS8
/api/v3/urls/aHR0cDovLzIxOC41NC40Ny43Ny8" \
  "the server saw v3 paths, unpadded URL-safe base64 URL ids, nothing for 10.0.0.1"
is "$(logq 'sorted(set(r["auth"] for r in reqs))')" "['ok']" \
  "every request carried the right x-apikey"

# A repeated lookup is answered from the host's cache: no request.
: >"$LOG"
hk ti lookup -o csv --providers vt 1.2.3.4
is "$(csvq Severity,Status)" "high,ok" "cached answer"
is "$(logq 'len(reqs)')" 0 "a cached lookup costs no request"

# --------------------------------------------------------- misbehaviour
ti_instance wrongkey virustotal /api/v3 "" "  api_key: not-the-key"
for m in 401 403 404 400 429 429-retry 500 503 truncated cut malformed \
  html empty wrongshape; do
  ti_instance "m_$(echo "$m" | tr - _)" virustotal "/_mode/$m/api/v3" "" \
    "  api_key: \${env:TI_KEY}"
done
ti_instance m_slow virustotal /_mode/slow/api/v3 "timeout: 1s" \
  "  api_key: \${env:TI_KEY}"
half=$(py_data virustotal.json 'len(json.dumps(d["ip_addresses"]["1.2.3.4"])) // 2')
: >"$LOG"
hk ti lookup -o csv --no-cache \
  --providers wrongkey,m_401,m_403,m_404,m_400,m_429,m_429_retry,m_500,m_503,m_truncated,m_cut,m_malformed,m_html,m_empty,m_wrongshape,m_slow \
  1.2.3.4
is "$rc" 0 "failures are rows, not an exit status"
is "$(csvq Provider,Severity,Status,Details)" \
"wrongkey,unknown,query_failed,virustotal: the service refused the API key (HTTP 401, WrongCredentialsError: Wrong API key); check api_key in the instance's conf.d file
m_401,unknown,query_failed,virustotal: the service refused the API key (HTTP 401, WrongCredentialsError: Wrong API key); check api_key in the instance's conf.d file
m_403,unknown,query_failed,virustotal: the service refused the API key (HTTP 403, ForbiddenError: You are not allowed to perform the requested operation); check api_key in the instance's conf.d file
m_404,information,no_data,Not found.
m_400,unknown,bad_format,VirusTotal refused the value (HTTP 400, InvalidArgumentError: Invalid IP address: 1.2.3.4)
m_429,unknown,query_failed,virustotal: request rate or quota exceeded (HTTP 429, QuotaExceededError: Quota exceeded); try again later or lower the instance's rate (a public API key allows 4 lookups a minute, 500 a day)
m_429_retry,unknown,query_failed,virustotal: request rate or quota exceeded (HTTP 429, QuotaExceededError: Quota exceeded); try again later or lower the instance's rate (a public API key allows 4 lookups a minute, 500 a day)
m_500,unknown,query_failed,virustotal: unexpected reply HTTP 500, InternalError: Internal error (expected 200, or 404 for an unknown object)
m_503,unknown,query_failed,virustotal: unexpected reply HTTP 503, TransientError: Transient error, please try again later (expected 200, or 404 for an unknown object)
m_truncated,unknown,query_failed,virustotal: the reply is truncated: its JSON ends after $half bytes; expected a VirusTotal v3 object {\"data\": {\"attributes\": ...}}
m_cut,unknown,query_failed,127.0.0.1:$PORT: Transferred a partial file (after 1 attempt)
m_malformed,unknown,query_failed,virustotal: the reply is not valid JSON (quoted object property name expected at byte offset 75); expected a VirusTotal v3 object {\"data\": {\"attributes\": ...}}
m_html,unknown,query_failed,virustotal: the reply is not valid JSON (unexpected character at byte offset 0); expected a VirusTotal v3 object {\"data\": {\"attributes\": ...}}
m_empty,unknown,query_failed,virustotal: the reply is empty; expected a VirusTotal v3 object {\"data\": {\"attributes\": ...}}
m_wrongshape,unknown,query_failed,virustotal: the reply has no data.attributes object; expected a VirusTotal v3 object {\"data\": {\"attributes\": ...}}
m_slow,unknown,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)" \
  "each misbehaviour: its status and a message naming the provider"
is "$err" "huntkit: 14 lookups failed (Status query_failed; see Details)" \
  "failures counted"
unlike "$out$err" "$TI_KEY" "the API key is never printed"
is "$(logq 'sorted(r["auth"] for r in reqs if r["ioc"] == "1.2.3.4")[0:2]')" \
  "['ok', 'ok']" "the server logged each request's auth"
is "$(logq 'len([r for r in reqs if r["auth"] == "wrong"])')" 1 \
  "the wrong key reached the server once (retries: 0)"

# With a retry allowed, the host waits out Retry-After and asks again; the
# plugin reads the last 429.
ti_instance r429 virustotal /_mode/429-retry/api/v3 "retries: 1" \
  "  api_key: \${env:TI_KEY}"
: >"$LOG"
hk ti lookup -o csv --providers r429 8.8.8.8
is "$(csvq Status)" "query_failed" "429 twice: failed"
is "$(logq 'len([r for r in reqs if r["ioc"] == "8.8.8.8"])')" 2 \
  "the server saw the retry"

# ------------------------------------------------------------- pipeline
printf 'ioc\n1.2.3.4\nbad.example.com\n03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b\n1.2.3.6\n192.168.0.1\n' >"$T/iocs.csv"
hk run -o csv "file path=$T/iocs.csv | virustotal:vt column=ioc prefix=vt_ | select ioc, vt_positives, vt_total, vt_reputation, vt_registrar, vt_size, vt_status"
is "$rc" 0 "enricher stage: exit 0"
is "$out" "ioc,vt_positives,vt_total,vt_reputation,vt_registrar,vt_size,vt_status
1.2.3.4,6,92,-12,,,ok
bad.example.com,5,91,-31,\"Example Registrar, Inc.\",,ok
03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b,40,74,0,,44032,ok
1.2.3.6,,,,,,no_data
192.168.0.1,,,,,,bad_format" "typed columns next to the looked-up column"

hk plugins inspect virustotal
like "$out" "entity types:  ipv4, ipv6, dns, hostname, url, md5_hash, sha1_hash, sha256_hash" \
  "inspect lists the IoC types"
done_testing
