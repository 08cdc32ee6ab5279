#!/bin/sh
# tests/cli/test_cli_ti.sh -- `huntkit ti lookup`: choosing providers, IoC
# types, fail-open rows, --summary, --file, usage errors; and enricher
# stages over the HTTP service (`... | httpfix column=v`), whose status and
# summary columns show failed lookups.  Provider: the httpfix test enricher
# against tests/servers/httpd_script.py; scores are sum(bytes(value)) % 10
# (198.51.100.23 -> 8, 203.0.113.7 -> 9, example.com -> 3, evil.example
# -> 6, d41d8cd98f00b204e9800998ecf8427e -> 1; python3 -c 'print(sum(b"...")
# % 10)').
. "$HK_SRCDIR/tests/lib.sh"
. "$HK_SRCDIR/tests/cli/ti_lib.sh"
ti_setup

# ------------------------------------------------------------ usage errors
hk ti
is "$rc" 2 "ti without a sub-command: usage error"
is "$err" "huntkit ti: give a sub-command: ti lookup IOC...
Try 'huntkit help ti'." "says what to give"
hk ti lookup
is "$rc" 2 "no IoCs: usage error"
is "$err" "huntkit ti lookup: give IoCs, or --file FILE
Try 'huntkit help ti lookup'." "says what to give"
hk ti lookup --type colour red
is "$rc" 2 "unknown --type: usage error"
like "$err" "--type 'colour' is not an IoC type (ipv4, ipv6, dns," "lists the types"
hk ti lookup 198.51.100.23
is "$rc" 1 "no provider configured: exit 1"
is "$err" "huntkit: no threat-intelligence provider is configured: add a conf.d/NAME.yaml enabling one (virustotal, otx, xforce, greynoise, abuseipdb, tor, ti_feed; see \`huntkit plugins list\`), or name one with --providers" "says how to configure one"
hk ti lookup --providers nosuch 198.51.100.23
is "$rc" 2 "unknown provider: usage error"
like "$err" "huntkit ti lookup: --providers: no plugin named 'nosuch'" "names it"
hk ti lookup --providers file 198.51.100.23
is "$rc" 2 "a provider plugin is no TI provider"
like "$err" "--providers: 'file' is a data provider plugin, not an enricher" "says what it is"
hk help ti
like "$out" "huntkit ti lookup --file iocs.txt --providers otx,virustotal -o csv" "help ti has examples"
hk ti lookup --help
like "$out" "--summary          one row per IoC instead" "ti lookup --help documents --summary"
hk help geoip
like "$out" "huntkit geoip 81.2.69.142 10.0.0.1" "help geoip has examples"

# ------------------------------------------------------ providers, fail open
OK='{"status": 200, "body": "{\"score\": {score}, \"verdict\": \"v{n}\"}"}'
start_server "{\"default\": $OK}"
instance a-good "plugin: httpfix
instance: good
config:
  base_url: $BASE"
instance b-down "plugin: httpfix
instance: down
retries: 0
config:
  base_url: http://127.0.0.1:1"
instance c-nokey "plugin: httpfix
instance: broken
config:
  api_key: x"
instance d-off "plugin: httpfix
instance: off
enabled: false
config:
  base_url: $BASE"
instance e-iptype "plugin: iptype"

hk ti lookup -o csv 198.51.100.23 example.com
is "$rc" 0 "fail open: exit 0"
is "$(csvq Ioc,Provider,Status,Severity,Details)" "198.51.100.23,good,ok,high,score 8: v1
198.51.100.23,down,query_failed,unknown,127.0.0.1:1: Couldn't connect to server (after 1 attempt)
198.51.100.23,broken,query_failed,unknown,$CONF/conf.d/c-nokey.yaml:1 (httpfix): missing required key 'base_url'
example.com,good,ok,low,score 3: v1
example.com,down,query_failed,unknown,127.0.0.1:1: Couldn't connect to server (after 1 attempt)
example.com,broken,query_failed,unknown,$CONF/conf.d/c-nokey.yaml:1 (httpfix): missing required key 'base_url'" "every enabled TI instance answers or fails in its own rows; disabled and non-TI instances are not asked"
is "$err" "huntkit: 4 lookups failed (Status query_failed; see Details)" "failures counted"
hk ti lookup --strict 198.51.100.23
is "$rc" 1 "--strict: exit 1"

hk ti lookup --summary -o csv 198.51.100.23 example.com evil.example
is "$out" "Ioc,IocType,Severity,Providers,Flagged,Failed,Details
198.51.100.23,ipv4,high,3,1,2,\"good=high, down=query_failed, broken=query_failed\"
example.com,dns,low,3,1,2,\"good=low, down=query_failed, broken=query_failed\"
evil.example,dns,medium,3,1,2,\"good=medium, down=query_failed, broken=query_failed\"" "--summary: one row per IoC with the worst severity"

# --providers: names, plugin:instance; an explicit provider reports the types
# it does not take.
hk ti lookup --providers good,httpfix:off -o csv 198.51.100.23 user@example.com
is "$(csvq Ioc,IocType,Provider,Result,Status,Details)" "198.51.100.23,ipv4,good,true,ok,score 8: v1 (cached)
198.51.100.23,ipv4,off,false,query_failed,$CONF/conf.d/d-off.yaml:1: instance 'off' of plugin 'httpfix' is disabled (enabled: false)
user@example.com,email,good,false,not_supported,type not supported by this provider
user@example.com,email,off,false,not_supported,type not supported by this provider" "explicit providers: not_supported rows for other types; a disabled one fails with the reason"
hk ti lookup --providers good -o csv hello 198.51.100.23
is "$(csvq Ioc)" "198.51.100.23" "a value of no known type gets no row..."
is "$err" "huntkit: warning: cannot tell the IoC type of 'hello'; give --type" "...and a warning"
hk ti lookup --providers good --type dns -o csv hello.invalid
is "$(csvq Ioc,IocType,Status)" "hello.invalid,dns,ok" "--type gives the type"
hk ti lookup -o csv user@example.com 203.0.113.7 --providers good,down
is "$(csvq Ioc,Provider,Status)" "user@example.com,good,not_supported
user@example.com,down,not_supported
203.0.113.7,good,ok
203.0.113.7,down,query_failed" "options after the IoCs"
rm "$CONF/conf.d/b-down.yaml" "$CONF/conf.d/c-nokey.yaml"
hk ti lookup -o csv user@example.com 203.0.113.7
is "$(csvq Ioc,Provider,Status)" "203.0.113.7,good,ok" "default providers: an IoC nobody takes gets no row"
is "$err" "huntkit: warning: no provider takes 'user@example.com' (type email)" "and a warning"

# --file: comments, blanks, duplicates, standard input.
printf '# iocs\n\n198.51.100.23\n  example.com  \n198.51.100.23\nd41d8cd98f00b204e9800998ecf8427e\r\n' >"$T/iocs.txt"
hk ti lookup --file "$T/iocs.txt" -o csv
is "$(csvq Ioc,IocType,Severity)" "198.51.100.23,ipv4,high
example.com,dns,low
d41d8cd98f00b204e9800998ecf8427e,md5_hash,low" "--file: one IoC per line, duplicates once"
hk_in "$T/iocs.txt" ti lookup --file - -o csv
is "$(csvq Ioc | tr '\n' ' ')" "198.51.100.23 example.com d41d8cd98f00b204e9800998ecf8427e " "--file - reads standard input"
hk ti lookup --file "$T/nope.txt"
is "$rc" 1 "missing file: exit 1"
is "$err" "huntkit: ti lookup: --file $T/nope.txt: No such file or directory" "names it"
hk ti lookup -o json 203.0.113.7
like "$out" '"Ioc":"203.0.113.7","IocType":"ipv4","QuerySubtype":null,"Provider":"good","Result":true,"Severity":"high"' "-o json: typed Result, null QuerySubtype"

# ------------------------------------------------------ enricher stages
: >"$LOG"
printf 'v\n198.51.100.23\nexample.com\n198.51.100.23\nhello world\nbad-format.example\n' >"$T/col.csv"
hk run -o csv "file path=$T/col.csv | httpfix:good column=v prefix=ti_"
is "$rc" 0 "enricher stage over the HTTP service"
is "$out" "v,ti_score,ti_verdict,ti_status,ti_summary
198.51.100.23,8,v1,ok,score 8: v1 (cached)
example.com,3,v1,ok,score 3: v1 (cached)
198.51.100.23,8,v1,ok,score 8: v1 (cached)
hello world,,,not_supported,not a recognised IoC
bad-format.example,,,bad_format,rejected before any request" "fields, status and summary; cached answers reused"
is "$(logq 'paths')" "[]" "all from the cache: no request"
hk run -o csv --refresh "file path=$T/col.csv | httpfix:good column=v | select v, good_status"
is "$out" "v,good_status
198.51.100.23,ok
example.com,ok
198.51.100.23,ok
hello world,not_supported
bad-format.example,bad_format" "default prefix: the instance name"
is "$(logq 'sorted(paths)')" "['/lookup/dns/example.com', '/lookup/ipv4/198.51.100.23']" "--refresh: one request per distinct value"
stop_server

start_server "{\"default\": {\"delay\": 0.3, \"status\": 200, \"body\": \"{\\\"score\\\": 7}\"},
 \"routes\": [{\"prefix\": \"/lookup/ipv4/192.0.2.9\", \"replies\": [{\"status\": 403, \"body\": \"{}\"}]}]}"
instance a-good "plugin: httpfix
instance: good
concurrency: 4
retries: 0
config:
  base_url: $BASE"
{ echo ip; seq 1 12 | sed 's/^/192.0.2./'; seq 1 12 | sed 's/^/192.0.2./'; } >"$T/ips.csv"
hk run -o csv "file path=$T/ips.csv | httpfix column=ip prefix=httpfix_ | count by httpfix_status, httpfix_summary | sort httpfix_status"
is "$rc" 0 "a failed lookup does not fail the pipeline"
is "$out" "httpfix_status,httpfix_summary,count
ok,\"score 7: \",22
query_failed,httpfix: the server refused the API key (HTTP 403),2" "query_failed is visible in the table"
like "$err" "stage 2 (httpfix): lookup of ipv4 '192.0.2.9' failed: httpfix: the server refused the API key (HTTP 403)" "and logged as a warning"
like "$err" "partial result: 1 warning" "the run is partial"
is "$(logq 'len(reqs)')" 12 "one request per distinct value"
is "$(logq 'max_in_flight()')" 4 "a batch's lookups run 4 at a time (concurrency: 4)"
stop_server

done_testing
