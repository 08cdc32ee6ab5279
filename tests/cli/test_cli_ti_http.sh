#!/bin/sh
# tests/cli/test_cli_ti_http.sh -- the host's HTTP service and lookup cache
# end to end: `huntkit ti lookup` with the httpfix enricher against
# tests/servers/httpd_script.py.  Limits are checked against the server's
# own request log, never against the client's word or a clock in the test.
#
# Expected scores: the server answers {"score": sum(bytes(value)) % 10}
# (python3 -c 'print(sum(b"198.51.100.23") % 10)' -> 8):
#   198.51.100.23 8 (high), 203.0.113.7 9 (high), example.com 3 (low),
#   evil.example 6 (medium), ra.example 5, date.example 8
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/cli/ti_lib.sh"
ti_setup

OK='{"status": 200, "body": "{\"score\": {score}, \"verdict\": \"v{n}\"}"}'

# ---------------------------------------------------------------- basics
start_server "{\"default\": $OK,
 \"routes\": [{\"prefix\": \"/lookup/dns/nf.\", \"replies\": [{\"status\": 404, \"body\": \"{}\"}]},
              {\"prefix\": \"/lookup/dns/auth.\", \"replies\": [{\"status\": 401, \"body\": \"{}\"}]},
              {\"prefix\": \"/lookup/dns/junk.\", \"replies\": [{\"status\": 200, \"body\": \"<html>oops\"}]}]}"
instance fx "plugin: httpfix
instance: fx
retries: 0
config:
  base_url: $BASE
  api_key: \${env:HK_TEST_KEY}"
HK_TEST_KEY=k3y-Sup3rS3cret
export HK_TEST_KEY
hk ti lookup -o csv 198.51.100.23 example.com nf.example auth.example junk.example bad-format.example
is "$rc" 0 "ti lookup: exit 0 although two lookups failed"
is "$(printf '%s\n' "$out" | head -1)" "Ioc,IocType,QuerySubtype,Provider,Result,Severity,Details,Reference,Status,RawResult" "MSTICPy's TI result columns"
is "$(csvq Ioc,IocType,Provider,Result,Severity,Status,Details)" "198.51.100.23,ipv4,fx,true,high,ok,score 8: v1
example.com,dns,fx,true,low,ok,score 3: v1
nf.example,dns,fx,false,information,no_data,not found
auth.example,dns,fx,false,unknown,query_failed,httpfix: the server refused the API key (HTTP 401)
junk.example,dns,fx,false,unknown,query_failed,httpfix: malformed reply (10 bytes, not the expected JSON)
bad-format.example,dns,fx,false,unknown,bad_format,rejected before any request" "one row per IoC: hits, no data, failures, an answer without a request"
is "$(csvq Reference,RawResult | head -2)" "https://example.test/198.51.100.23,{\"score\": 8, \"verdict\": \"v1\"}
https://example.test/example.com,{\"score\": 3, \"verdict\": \"v1\"}" "Reference and RawResult from the plugin"
is "$err" "huntkit: 2 lookups failed (Status query_failed; see Details)" "failures counted on stderr"
is "$(logq 'len(reqs)')" 5 "five requests: bad-format.example needed none"
is "$(logq 'sorted(set(e["headers"].get("x-api-key") for e in reqs))')" "['k3y-Sup3rS3cret']" "the API key went in its header"
is "$(logq 'reqs[0]["headers"]["user-agent"]')" "huntkit/0.1.0" "huntkit's User-Agent"

hk ti lookup --strict 198.51.100.23 auth.example
is "$rc" 1 "--strict: a failed lookup exits 1"

# ----------------------------------------------------------------- cache
# The five answers above are cached (401 and malformed ones are not: parse
# failed).  A re-run asks only for what failed before.
: >"$LOG"
hk ti lookup -o csv 198.51.100.23 example.com nf.example auth.example
is "$(csvq Ioc,Status,Details)" "198.51.100.23,ok,score 8: v1 (cached)
example.com,ok,score 3: v1 (cached)
nf.example,no_data,not found
auth.example,query_failed,httpfix: the server refused the API key (HTTP 401)" "answers from the cache; the failure asked again"
is "$(logq 'paths')" "['/lookup/dns/auth.example']" "a cache hit costs no request"

: >"$LOG"
hk --refresh ti lookup -o csv 198.51.100.23
is "$(csvq Details)" "score 8: v2" "--refresh asks again (the server's 2nd answer)"
is "$(logq 'len(reqs)')" 1 "--refresh: one request"
hk ti lookup -o csv 198.51.100.23
is "$(csvq Details)" "score 8: v2 (cached)" "...and cached what it got"

: >"$LOG"
hk ti lookup --no-cache -o csv 203.0.113.7
is "$(csvq Details)" "score 9: v1" "--no-cache asks"
hk ti lookup -o csv 203.0.113.7
is "$(csvq Details)" "score 9: v2" "--no-cache stored nothing: asked again"
is "$(logq 'len(reqs)')" 2 "two requests"
hk ti lookup --refresh --no-cache 203.0.113.7
is "$rc" 2 "--refresh with --no-cache: usage error"
is "$err" "huntkit ti: --no-cache and --refresh exclude each other
Try 'huntkit help ti'." "says why"

# The API key is a secret: not in the cache file, nor in any output.
is "$(cat "$T/cache/httpfix/fx.sqlite"* | grep -ac 'k3y-Sup3rS3cret')" 0 "the API key is not in the cache files"
is "$(cat "$T/cache/httpfix/fx.sqlite"* | grep -ac '/lookup/ipv4/198.51.100.23' | sed 's/^[1-9][0-9]*$/some/')" some "(the request it keys is)"
stop_server

# ------------------------------------------------ failures, retries, timeout
start_server "{\"default\": $OK,
 \"routes\": [{\"prefix\": \"/lookup/dns/ra.\", \"replies\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, $OK]},
              {\"prefix\": \"/lookup/dns/date.\", \"replies\": [{\"status\": 503, \"headers\": {\"Retry-After\": \"@+2\"}}, $OK]},
              {\"prefix\": \"/lookup/dns/e500.\", \"replies\": [{\"status\": 500, \"body\": \"boom\"}]},
              {\"prefix\": \"/lookup/dns/e429.\", \"replies\": [{\"status\": 429, \"body\": \"slow down\"}]},
              {\"prefix\": \"/lookup/dns/cut.\", \"replies\": [{\"status\": 200, \"body\": \"{\\\"score\\\": 1\", \"truncate\": 20}]},
              {\"prefix\": \"/lookup/dns/slow.\", \"replies\": [{\"delay\": 4, \"status\": 200, \"body\": \"{\\\"score\\\": 1}\"}]},
              {\"prefix\": \"/lookup/dns/hangup.\", \"replies\": [{\"close\": true}]},
              {\"prefix\": \"/lookup/dns/later.\", \"replies\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"3600\"}}, $OK]}]}"
instance fx "plugin: httpfix
instance: fx
retries: 2
backoff: 50ms
timeout: 1s
cache_ttl: 0
config:
  base_url: $BASE
  api_key: qu3ryK3y
  key_in_query: true"
hk ti lookup -o csv ra.example date.example e500.example e429.example cut.example slow.example hangup.example evil.example later.example
is "$rc" 0 "fail open: exit 0"
is "$(csvq Ioc,Status,Details)" "ra.example,ok,score 5: v2
date.example,ok,score 8: v2
e500.example,query_failed,httpfix: HTTP 500
e429.example,query_failed,httpfix: rate limited (HTTP 429)
cut.example,query_failed,127.0.0.1:$PORT: Transferred a partial file (after 3 attempts)
slow.example,query_failed,127.0.0.1:$PORT: no complete reply within 1000 ms (timeout)
hangup.example,query_failed,127.0.0.1:$PORT: Server returned nothing (no headers, no data) (after 3 attempts)
evil.example,ok,score 6: v1
later.example,query_failed,httpfix: rate limited (HTTP 429)" "each failure is a row; the others are kept"
is "$(logq 'gap("/lookup/dns/ra.example") >= 1.0')" True "Retry-After: 1 honoured (server saw >= 1 s between the attempts)"
is "$(logq 'gap("/lookup/dns/date.example") >= 1.0')" True "Retry-After as an HTTP-date honoured"
is "$(logq 'paths.count("/lookup/dns/e500.example")')" 3 "500: tried 1 + retries 2 times"
is "$(logq 'paths.count("/lookup/dns/e429.example")')" 3 "429 without Retry-After: 3 attempts"
is "$(logq 'paths.count("/lookup/dns/cut.example")')" 3 "truncated reply: 3 attempts"
is "$(logq 'paths.count("/lookup/dns/slow.example")')" 1 "a timeout is not retried"
is "$(logq 'paths.count("/lookup/dns/evil.example")')" 1 "a good lookup: one request"
is "$(logq 'paths.count("/lookup/dns/later.example")')" 1 "Retry-After: 3600 is not waited for: the 429 goes to the plugin"
is "$(logq 'all(e["query"] == "key=qu3ryK3y" for e in reqs)')" True "the key went in the query string"
unlike "$out$err" "qu3ryK3y" "but never into the output or a message"
unlike "$out$err" "/lookup/" "messages name the host, not the URL"
is "$(logq 'gap("/lookup/dns/e500.example") >= 0.025')" True "backoff: the first retry waited (50 ms, jitter down to half)"
stop_server

# ------------------------------------------------- concurrency, connections
start_server "{\"default\": {\"delay\": 0.3, \"status\": 200, \"body\": \"{\\\"score\\\": 2}\"}}"
instance fx "plugin: httpfix
instance: fx
concurrency: 5
config:
  base_url: $BASE"
seq 1 20 | sed 's/^/192.0.2./' >"$T/ips.txt"
hk ti lookup --file "$T/ips.txt" -o csv
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l | tr -d ' ')" 20 "20 rows"
is "$(logq 'len(reqs)')" 20 "20 requests"
is "$(logq 'max_in_flight()')" 5 "5 in flight at once (concurrency: 5), never more"
is "$(logq 'len(set(e["peer"] for e in reqs)) <= 5')" True "connections reused: at most 5 for 20 requests"
stop_server

# ------------------------------------------------------------ rate limit
start_server "{\"default\": $OK}"
instance fx "plugin: httpfix
instance: fx
rate: 5/s
config:
  base_url: $BASE"
seq 21 40 | sed 's/^/192.0.2./' >"$T/ips.txt"
hk ti lookup --file "$T/ips.txt" -o csv
is "$(printf '%s\n' "$out" | tail -n +2 | wc -l | tr -d ' ')" 20 "20 rows"
is "$(logq 'len(reqs)')" 20 "20 requests"
is "$(logq 'max_in_window([e["t"] for e in reqs]) <= 6')" True "rate 5/s, burst 1: no 1-s window of the server's log holds more than 6"
stop_server

# ------------------------------------------------------------------ quota
start_server "{\"default\": $OK}"
instance fx "plugin: httpfix
instance: fx
quota: 3/day
config:
  base_url: $BASE"
hk ti lookup -o csv 192.0.2.101 192.0.2.102 192.0.2.103 192.0.2.104 192.0.2.105
is "$(csvq Ioc,Status)" "192.0.2.101,ok
192.0.2.102,ok
192.0.2.103,ok
192.0.2.104,query_failed
192.0.2.105,query_failed" "quota 3/day: three lookups, then failed rows"
like "$(csvq Details | tail -1)" "httpfix:fx: the daily quota of 3 requests is spent (3 made today, UTC); it resets at 00:00 UTC (quota: in $CONF/conf.d/fx.yaml)" "the row says why"
hk ti lookup -o csv 192.0.2.101 192.0.2.106
is "$(csvq Ioc,Status)" "192.0.2.101,ok
192.0.2.106,query_failed" "next run: cached answers are free, new ones still refused (quota persisted)"
is "$(logq 'len(reqs)')" 3 "three requests in all"

# A spent quota fails at once: the lookups do not queue for a token (at
# 1/min the two failures would take two minutes otherwise).
instance fx "plugin: httpfix
instance: fx2
quota: 1/day
rate: 1/min
config:
  base_url: $BASE"
hk ti lookup -o csv 192.0.2.111 192.0.2.112 192.0.2.113
is "$(csvq Ioc,Status)" "192.0.2.111,ok
192.0.2.112,query_failed
192.0.2.113,query_failed" "quota 1/day at rate 1/min: one lookup, two failed rows"
is "$(logq 'len(reqs)')" 4 "one more request"
stop_server

# ------------------------------------------------------------------ proxy
start_server "{\"default\": $OK}"
instance fx "plugin: httpfix
instance: fx
proxy: $BASE
cache_ttl: 0
config:
  base_url: http://ti.example.invalid:8080"
hk ti lookup -o csv 203.0.113.7
is "$(csvq Ioc,Status,Details)" "203.0.113.7,ok,score 9: v1" "proxy: the request went through the configured proxy"
is "$(logq 'reqs[-1]["target"]')" "http://ti.example.invalid:8080/lookup/ipv4/203.0.113.7" "the proxy got the absolute URL"
instance fx "plugin: httpfix
instance: fx
proxy: none
cache_ttl: 0
config:
  base_url: $BASE"
http_proxy=http://127.0.0.1:1 hk ti lookup -o csv 203.0.113.7
is "$(csvq Status,Details)" "ok,score 9: v2" "proxy: none ignores http_proxy from the environment"
stop_server

# --------------------------------------------------- http_fetch (lookup())
start_server "{\"default\": $OK,
 \"routes\": [{\"prefix\": \"/lookup/dns/ra.\", \"replies\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, $OK]}]}"
instance fx "plugin: httpfix_sync
instance: fxs
config:
  base_url: $BASE"
hk ti lookup -o csv 198.51.100.23 ra.example
is "$(csvq Ioc,Provider,Status,Details)" "198.51.100.23,fxs,ok,score 8: v1
ra.example,fxs,ok,score 5: v2" "an enricher without prepare/parse goes through http_fetch"
is "$(logq 'gap("/lookup/dns/ra.example") >= 1.0')" True "http_fetch honours Retry-After too"
stop_server

# ----------------------------------------------------------------- Ctrl-C
start_server "{\"default\": {\"delay\": 0.4, \"status\": 200, \"body\": \"{\\\"score\\\": 4}\"}}"
instance fx "plugin: httpfix
instance: fx
concurrency: 2
cache_ttl: 0
config:
  base_url: $BASE"
seq 1 30 | sed 's/^/198.51.100./' >"$T/ips.txt"
"$HUNTKIT" ti lookup --file "$T/ips.txt" -o csv >"$T/out" 2>"$T/err" </dev/null &
HK_PID=$!
i=0
while [ "$(logq 'len(dones)')" -lt 4 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $HK_PID
wait $HK_PID
rc=$?
out=$(cat "$T/out")
is "$rc" 130 "Ctrl-C: exit 130"
like "$(cat "$T/err")" "canceled (Ctrl-C) after " "says it was canceled"
rows=$(printf '%s\n' "$out" | tail -n +2 | grep -c .)
ok "$([ "$rows" -ge 4 ] && [ "$rows" -lt 30 ]; echo $?)" "kept the lookups that finished ($rows of 30)"
is "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f1 | "$PYTHON3" -c '
import json, sys
done = {e["path"].rsplit("/", 1)[1] for e in map(json.loads, open(sys.argv[1])) if e["event"] == "done"}
print(all(l.strip() in done for l in sys.stdin))' "$LOG")" True "every row printed was answered by the server"
stop_server

done_testing
