/*
 * plugins/ti_feed/test_ti_feed_unit.c -- white-box tests of the `ti_feed`
 * enricher through its descriptor with a fake host (tests/plugin_test_host.h):
 * every list format on the lists in tests/data/ti_feed/ (CSV, text, JSON,
 * NDJSON, TSV and a MISP feed), normalisation (case, defanging, IPv6 spellings,
 * CIDR, parent domains), duplicates across lines, malformed lines with
 * on_error fail and skip, and configuration mistakes.  Expected values
 * were read off the lists by hand (line numbers counted with `grep -n`).
 */
#define HK_TEST_CLASSIFIERS /* host/ioc.c is compiled in */
#include "plugin_test_host.h"

const hk_plugin_desc *const *ti_feed_LTX_hk_plugin_entry(const struct hk_host *,
                                                         hk_error *);

static const hk_plugin_desc *desc;
static const hk_enricher_vt *vt;
static char data[512];

static hk_enrichment last;

/* "STATUS SEV | summary | listed severity description list line ioc_type
 * matched matches" for one lookup; null fields as ~. */
static const char *
look(th_instance *i, const char *type, const char *value)
{
  static char text[4096];
  hk_ioc ioc = {sizeof ioc, value, strlen(value), type};
  hk_error err;
  memset(&last, 0, sizeof last);
  last.struct_size = sizeof last;
  hk_error_clear(&err);
  if (vt->lookup(i->state, NULL, &ioc, &last, &err) != HK_OK) {
    snprintf(text, sizeof text, "FAILED %s", err.msg);
    return text;
  }
  hk_buf b = HK_BUF_INIT;
  hk_buf_appendf(&b, "%d %d | %s |", last.status, last.severity,
                 last.summary ? last.summary : "~");
  for (int f = 0; last.fields && desc && f < 8; f++) {
    const hk_value *v = &last.fields[f];
    if (!v->is_set)
      hk_buf_append_str(&b, " ~");
    else if (f == 0)
      hk_buf_append_str(&b, v->i64 ? " true" : " false");
    else if (f == 4 || f == 7)
      hk_buf_appendf(&b, " %lld", (long long)v->i64);
    else
      hk_buf_appendf(&b, " [%.*s]", (int)v->str_len, v->str);
  }
  if (!last.fields)
    hk_buf_append_str(&b, " (no fields)");
  snprintf(text, sizeof text, "%s", b.data);
  hk_buf_free(&b);
  return text;
}

static void
test_csv(void)
{
  char want[4000];
  th_instance i = th_open(desc, "paths=%s/indicators.csv", data);
  is_int(i.rc, HK_OK, "CSV list loads");
  snprintf(want, sizeof want,
           "INFO: loaded 14 indicators from %s/indicators.csv\n"
           "INFO: 14 indicators from 1 list file\n",
           data);
  is_str(th_log.data, want, "14 rows, comments and header skipped");

  is_str(look(&i, "ipv4", "203.0.113.7"),
         "0 3 | listed in indicators.csv:4 (high): C2 server from report A; "
         "1 more match | true [high] [C2 server from report A] "
         "[indicators.csv] 4 [ipv4] [203.0.113.7] 2",
         "IP listed twice: the more severe line leads, both counted");
  snprintf(want, sizeof want,
           "[{\"list\":\"%s/indicators.csv\",\"line\":4,\"type\":\"ipv4\","
           "\"value\":\"203.0.113.7\",\"severity\":\"high\",\"description\":"
           "\"C2 server from report A\"},{\"list\":\"%s/indicators.csv\","
           "\"line\":18,\"type\":\"ipv4\",\"value\":\"203.0.113.7\","
           "\"severity\":\"medium\",\"description\":\"Also seen in report "
           "B\"}]",
           data, data);
  is_str(last.raw, want, "raw answer lists every matching line");
  snprintf(want, sizeof want, "%s/indicators.csv:4", data);
  is_str(last.reference, want, "reference is file:line");

  is_str(look(&i, "ipv4", "198.51.100.77"),
         "0 2 | listed in indicators.csv:5 (medium): scanner range, all of it "
         "| true [medium] [scanner range, all of it] [indicators.csv] 5 "
         "[ipv4] [198.51.100.0/24] 1",
         "address inside a listed CIDR range");
  is_str(look(&i, "ipv6", "2001:db8::DEAD:BEEF"),
         "0 3 | listed in indicators.csv:6 (high): IPv6 beacon | true [high] "
         "[IPv6 beacon] [indicators.csv] 6 [ipv6] [2001:DB8:0:0::dead:beef] 1",
         "IPv6 written differently in the list");
  like(look(&i, "dns", "EVIL-UPDATES.example"),
       "0 3 | listed in indicators.csv:7 (high): Phishing domain",
       "defanged list domain, upper-case lookup");
  like(look(&i, "dns", "evil-updates[.]example"), "0 3 | listed",
       "defanged lookup");
  like(look(&i, "dns", "login.bad-example.com"),
       "0 1 | listed in indicators.csv:8 (low): Typosquat",
       "hostname type, trailing dot in the list");
  like(look(&i, "hostname", "LOGIN.BAD-EXAMPLE.COM"), "0 1 | listed",
       "dns and hostname are one class");
  like(look(&i, "url", "http://MALWARE.example/drop/Payload.exe?id=1"),
       "0 3 | listed in indicators.csv:9 (high): Dropper URL",
       "hxxp refanged; scheme and host case-insensitive");
  like(look(&i, "url", "http://malware.example/drop/payload.exe?id=1"),
       "4 0 | not in the indicator lists", "URL path stays case-sensitive");
  like(look(&i, "md5_hash", "44d88612fea8a8f36de82e1278abb02f"),
       "0 0 | listed in indicators.csv:10 (information): EICAR test file",
       "MD5 in upper case in the list");
  like(look(&i, "sha1_hash", "3395856CE81F2B7382DEE72602F798B642F14140"),
       "0 0 | listed in indicators.csv:11", "SHA-1");
  is_str(
      look(&i, "sha256_hash",
           "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"),
      "0 0 | listed in indicators.csv:12 (information): EICAR test file "
      "(type detected) | true [information] [EICAR test file (type "
      "detected)] [indicators.csv] 12 [sha256_hash] "
      "[275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f] 1",
      "empty type: detected as sha256_hash");
  like(look(&i, "email", "Phish@Bad-Example.com"),
       "0 2 | listed in indicators.csv:13 (medium): Sender of \"invoice\" "
       "mails",
       "e-mail, quotes doubled in CSV");
  like(look(&i, "windows_path", "c:\\users\\public\\SVCH0ST.EXE"),
       "0 3 | listed in indicators.csv:14", "Windows path ignores case");
  like(look(&i, "linux_path", "/tmp/.x/kworker"),
       "0 2 | listed in indicators.csv:15", "Linux path");
  like(look(&i, "linux_path", "/tmp/.X/kworker"), "4 0 |",
       "Linux path is case-sensitive");
  is_str(look(&i, "account", "svc_backup"),
         "0 2 | listed in indicators.csv:16 (medium): Abused service account\n"
         "(note spans two lines) | true [medium] [Abused service account\n"
         "(note spans two lines)] [indicators.csv] 16 [account] [svc_backup] 1",
         "other types by name; a quoted field spanning two lines");
  is_str(look(&i, "ipv4", "8.8.8.8"),
         "4 0 | not in the indicator lists (14 indicators) | false ~ ~ ~ ~ ~ "
         "~ ~",
         "unlisted: NO_DATA, listed false");
  is_str(look(&i, "ipv4", "1.2.3"),
         "2 -1 | '1.2.3' is not an IP address | (no fields)",
         "not an address: BAD_FORMAT");
  is_str(look(&i, "md5_hash", "44d88612"),
         "2 -1 | '44d88612' is not a md5_hash hash (32 hex digits) | (no "
         "fields)",
         "short hash: BAD_FORMAT");
  th_close(&i);

  /* Subdomains only on request. */
  i = th_open(desc, "paths=%s/indicators.csv", data);
  like(look(&i, "dns", "cdn.evil-updates.example"), "4 0 |",
       "subdomain not matched by default");
  th_close(&i);
  i = th_open(desc, "paths=%s/indicators.csv;match_subdomains=true", data);
  is_str(look(&i, "dns", "a.cdn.evil-updates.example"),
         "0 3 | listed in indicators.csv:7 (high): Phishing domain (defanged) "
         "| true [high] [Phishing domain (defanged)] [indicators.csv] 7 [dns] "
         "[evil-updates[.]example] 1",
         "match_subdomains: a parent domain matches");
  like(look(&i, "dns", "example"), "4 0 |", "but not the other way round");
  th_close(&i);

  /* refang=false compares the text as written. */
  i = th_open(desc, "paths=%s/indicators.csv;refang=false", data);
  is_int(i.rc, HK_OK, "refang=false loads");
  like(look(&i, "dns", "evil-updates.example"), "4 0 |",
       "refang=false: the defanged entry does not match the plain name");
  like(look(&i, "dns", "evil-updates[.]example"), "0 3 | listed",
       "only its own text");
  like(look(&i, "url", "http://malware.example/drop/Payload.exe?id=1"), "4 0 |",
       "hxxp stays hxxp");
  th_close(&i);
}

static void
test_other_formats(void)
{
  char want[4000];
  th_instance i = th_open(desc, "paths=%s/plain.txt", data);
  is_int(i.rc, HK_OK, "text list loads");
  snprintf(want, sizeof want, "INFO: loaded 5 indicators from %s/plain.txt\n",
           data);
  like(th_log.data, want, "5 indicators, comment and blank lines skipped");
  is_str(look(&i, "ipv4", "192.0.2.200"),
         "0 3 | listed in plain.txt:2 (high) | true [high] ~ [plain.txt] 2 "
         "[ipv4] [192.0.2.200] 1",
         "text: type detected, default severity high, no description");
  like(look(&i, "dns", "bad-domain.example"),
       "0 3 | listed in plain.txt:3 (high) | true [high] ~ [plain.txt] 3 "
       "[dns] [bad-domain[.]example] 1",
       "text: trailing comment cut, defanged value detected as dns");
  like(look(&i, "url", "http://plain.example/path#frag"),
       "0 3 | listed in plain.txt:4", "text: '#' inside a URL is kept");
  like(look(&i, "ipv6", "2001:db8:0:0:0:0:1:2"), "0 3 | listed in plain.txt:5",
       "text: IPv6");
  like(look(&i, "sha256_hash",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
       "0 3 | listed in plain.txt:6", "text: SHA-256");
  th_close(&i);

  i = th_open(desc, "paths=%s/plain.txt;default_severity=low", data);
  like(look(&i, "ipv4", "192.0.2.200"), "0 1 | listed in plain.txt:2 (low)",
       "default_severity applies to entries without one");
  th_close(&i);

  i = th_open(desc, "paths=%s/indicators.json", data);
  is_int(i.rc, HK_OK, "JSON array loads");
  is_str(look(&i, "ipv4", "192.0.2.10"),
         "0 2 | listed in indicators.json:2 (medium): JSON array entry | true "
         "[medium] [JSON array entry] [indicators.json] 2 [ipv4] "
         "[192.0.2.10] 1",
         "JSON: object with value/type/description/severity, line of the "
         "element");
  like(look(&i, "dns", "json.bad.example"),
       "0 3 | listed in indicators.json:3 (high) | true [high] ~ "
       "[indicators.json] 3 [domain]",
       "JSON: type 'domain'");
  like(look(&i, "ipv4", "192.0.2.11"),
       "0 3 | listed in indicators.json:4 (high) | true [high] ~ "
       "[indicators.json] 4 [ipv4]",
       "JSON: a bare string element, type detected");
  like(look(&i, "account", "12345"), "0 3 | listed in indicators.json:5",
       "JSON: a number as the value");
  th_close(&i);

  i = th_open(desc,
              "paths=%s/indicators.ndjson;value_column=ioc;type_column=kind;"
              "description_column=note;severity_column=level",
              data);
  is_int(i.rc, HK_OK, "NDJSON with renamed members loads");
  is_str(look(&i, "ipv4", "192.0.2.20"),
         "0 1 | listed in indicators.ndjson:1 (low): NDJSON entry | true "
         "[low] [NDJSON entry] [indicators.ndjson] 1 [ip-dst] [192.0.2.20] 1",
         "NDJSON line 1, MISP-style type name ip-dst");
  like(look(&i, "dns", "ndjson.bad.example"),
       "0 3 | listed in indicators.ndjson:3 (high): second line",
       "NDJSON: blank line counted, severity defaulted");
  th_close(&i);

  i = th_open(desc,
              "paths=%s/indicators.tsv;value_column=ip_address;"
              "description_column=threat",
              data);
  is_int(i.rc, HK_OK, "TSV by extension");
  like(look(&i, "ipv4", "192.0.2.50"),
       "0 3 | listed in indicators.tsv:2 (high): TSV entry",
       "TSV: tab delimiter, renamed columns");
  th_close(&i);

  /* Column numbers without a header. */
  i = th_open(desc,
              "paths=%s/indicators.tsv;header=false;value_column=1;"
              "description_column=2;on_error=skip",
              data);
  is_int(i.rc, HK_OK, "header=false with column numbers");
  like(th_log.data,
       "indicators.tsv:1: cannot tell the indicator type of 'ip_address': "
       "give it a type (type column, or default_type); skipped",
       "the header read as data is reported and skipped");
  like(look(&i, "ipv4", "192.0.2.50"), "0 3 | listed in indicators.tsv:2",
       "data row found");
  th_close(&i);

  /* Several lists, by glob and by name; the same IoC in two of them. */
  i = th_open(desc, "paths=%s/ind*.json,%s/p*.t?t,%s/misp", data, data, data);
  is_int(i.rc, HK_OK, "globs and a MISP feed together");
  snprintf(want, sizeof want,
           "INFO: loaded 4 indicators from %s/indicators.json\n"
           "INFO: loaded 5 indicators from %s/plain.txt\n"
           "INFO: loaded 9 indicators from %s/misp/manifest.json (some "
           "entries were of types not looked up)\n"
           "INFO: 18 indicators from 4 list files\n",
           data, data, data);
  is_str(th_log.data, want, "each list reported; event files count as lists");
  th_close(&i);
}

static void
test_misp(void)
{
  char want[4000];
  th_instance i = th_open(desc, "paths=%s/misp", data);
  is_int(i.rc, HK_OK, "MISP feed directory loads");
  snprintf(want, sizeof want,
           "INFO: loaded 9 indicators from %s/misp/manifest.json (some "
           "entries were of types not looked up)\n",
           data);
  like(th_log.data, want,
       "9 attributes indexed; link and filename are context only");
  is_str(look(&i, "ipv4", "192.0.2.100"),
         "0 3 | listed in misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json "
         "(high): Made-up ransomware campaign (C2) | true [high] [Made-up "
         "ransomware campaign (C2)] "
         "[misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json] ~ [ip-dst] "
         "[192.0.2.100] 1",
         "ip-dst: threat_level_id 1 is high; info and comment describe it");
  snprintf(want, sizeof want,
           "[{\"list\":\"%s/misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json\","
           "\"type\":\"ip-dst\",\"value\":\"192.0.2.100\",\"severity\":"
           "\"high\",\"description\":\"Made-up ransomware campaign (C2)\","
           "\"event\":\"5f0c1e2a-1111-4abc-8def-0123456789ab\",\"attribute\":"
           "\"5f0c1e2a-1111-4001-8def-0123456789ab\",\"category\":\"Network "
           "activity\",\"org\":\"huntkit tests\",\"date\":\"2024-05-01\"}]",
           data);
  is_str(last.raw, want, "raw names the event and attribute");
  like(look(&i, "dns", "misp-c2.example"),
       "0 3 | listed in misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json (high)",
       "domain|ip: the domain part");
  like(look(&i, "ipv4", "192.0.2.101"), "[ip] [192.0.2.101] 1",
       "domain|ip: the address part");
  like(last.raw,
       "\"type\":\"ip\",\"value\":\"192.0.2.101\",\"severity\":\"high\","
       "\"description\":\"Made-up ransomware campaign\",\"misp_type\":"
       "\"domain|ip\",\"misp_value\":\"misp-c2.example|192.0.2.101\",",
       "the raw answer keeps the compound attribute");
  like(look(&i, "url", "https://misp-c2.example/gate.php"), "0 3 | listed",
       "url");
  like(look(&i, "sha256_hash",
            "4f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211"),
       "[sha256] "
       "[4F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00998877665544332211] 1",
       "filename|sha256: the hash part");
  like(look(&i, "sha1_hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
       "0 3 | listed", "attribute of a MISP object");
  like(look(&i, "email", "lure@phish.example"),
       "0 1 | listed in misp/5f0c1e2a-2222-4abc-8def-0123456789ab.json "
       "(low): Made-up phishing wave",
       "threat_level_id 3 is low");
  like(look(&i, "hostname", "login.phish.example"), "0 1 | listed", "hostname");
  like(look(&i, "ipv4", "192.0.2.103"), "[ip-dst] [192.0.2.103] 1",
       "ip-dst|port: the address part");
  like(look(&i, "ipv4", "192.0.2.102"), "4 0 |",
       "to_ids false left out by default");
  like(look(&i, "md5_hash", "0123456789abcdef0123456789abcdef"), "4 0 |",
       "deleted attribute left out");
  th_close(&i);

  i = th_open(desc, "paths=%s/misp/manifest.json;misp_to_ids_only=false", data);
  is_int(i.rc, HK_OK, "the manifest's path works too");
  like(look(&i, "ipv4", "192.0.2.102"),
       "0 3 | listed in misp/5f0c1e2a-1111-4abc-8def-0123456789ab.json "
       "(high): Made-up ransomware campaign (seen, not for detection)",
       "misp_to_ids_only=false includes to_ids false");
  th_close(&i);
}

static void
test_errors(const char *dir)
{
  char want[4000], path[1200];
  th_instance i = th_open(desc, "paths=%s/malformed.csv", data);
  is_int(i.rc, HK_E_INVAL, "malformed line: fails by default");
  snprintf(want, sizeof want,
           "ti_feed: %s/malformed.csv:3: severity 'urgent' is not one of "
           "unknown, information, low, medium, high (fix the list, or set "
           "on_error: skip to skip such lines)",
           data);
  is_str(i.err.msg, want, "file:line, what is wrong, how to go on");
  th_close(&i);

  i = th_open(desc, "paths=%s/malformed.csv;on_error=skip", data);
  is_int(i.rc, HK_OK, "on_error=skip loads the good lines");
  snprintf(want, sizeof want,
           "WARN: %s/malformed.csv:3: severity 'urgent' is not one of "
           "unknown, information, low, medium, high; skipped\n"
           "WARN: %s/malformed.csv:4: 'abcd' is not a md5 hash (32 hex "
           "digits); skipped\n"
           "WARN: %s/malformed.csv:5: empty indicator value; skipped\n"
           "WARN: %s/malformed.csv:6: cannot tell the indicator type of 'just "
           "some words': give it a type (type column, or default_type); "
           "skipped\n"
           "WARN: %s/malformed.csv:8: '999.1.1.1' is not an IP address; "
           "skipped\n"
           "INFO: loaded 3 indicators from %s/malformed.csv\n"
           "INFO: 3 indicators from 1 list file\n",
           data, data, data, data, data, data);
  is_str(th_log.data, want, "each bad line named; the short line 7 is fine");
  like(look(&i, "ipv4", "192.0.2.33"), "0 1 | listed in malformed.csv:9",
       "lines after bad ones are read");
  like(look(&i, "ipv4", "192.0.2.32"), "0 3 | listed in malformed.csv:7",
       "a row with only the value column");
  th_close(&i);

  i = th_open(desc, "paths=%s/broken.json", data);
  is_int(i.rc, HK_E_INVAL, "truncated JSON array: fails");
  snprintf(want, sizeof want,
           "ti_feed: %s/broken.json:3: malformed JSON: unexpected end of data "
           "(the rest of the file was not read) (fix the list, or set "
           "on_error: skip to skip such lines)",
           data);
  is_str(i.err.msg, want, "the element that broke is named");
  th_close(&i);
  i = th_open(desc, "paths=%s/broken.json;on_error=skip", data);
  is_int(i.rc, HK_OK, "on_error=skip keeps what came before");
  like(look(&i, "ipv4", "192.0.2.40"), "0 3 | listed in broken.json:2",
       "the first element is there");
  th_close(&i);

  i = th_open(desc, "paths=%s/nope.csv", dir);
  is_int(i.rc, HK_E_CONFIG, "missing file: config error");
  snprintf(want, sizeof want,
           "ti_feed: cannot open %s/nope.csv: No such file or directory", dir);
  is_str(i.err.msg, want, "missing file named");
  th_close(&i);

  i = th_open(desc, "paths=%s/*.nothing", dir);
  is_int(i.rc, HK_E_CONFIG, "glob matching nothing: config error");
  snprintf(want, sizeof want, "ti_feed: '%s/*.nothing' matches no file", dir);
  is_str(i.err.msg, want, "the pattern is named");
  th_close(&i);

  i = th_open(desc, "paths=%s", dir);
  is_int(i.rc, HK_E_CONFIG, "plain directory refused");
  snprintf(want, sizeof want,
           "ti_feed: %s is a directory without a MISP feed manifest.json; "
           "name the list files (globs are fine: %s/*.csv)",
           dir, dir);
  is_str(i.err.msg, want, "and what to write instead");
  th_close(&i);

  i = th_open(desc, "paths=%s/indicators.csv;value_column=ioc", data);
  is_int(i.rc, HK_E_CONFIG, "unknown value column");
  snprintf(want, sizeof want,
           "ti_feed: %s/indicators.csv: no column 'ioc' in the header "
           "(columns: value, type, description, severity); set value_column",
           data);
  is_str(i.err.msg, want, "the header's columns are listed");
  th_close(&i);

  i = th_open(desc, "paths=%s/indicators.csv;severity_column=level", data);
  is_int(i.rc, HK_E_CONFIG, "a column set explicitly must exist");
  like(i.err.msg, "no column 'level' (severity_column) in the header",
       "message names the option");
  th_close(&i);

  i = th_open(desc, "paths=%s/indicators.csv;delimiter=ab", data);
  is_int(i.rc, HK_E_CONFIG, "bad delimiter");
  is_str(i.err.msg, "ti_feed: delimiter 'ab' must be one character (or 'tab')",
         "delimiter message");
  th_close(&i);

  /* A broken MISP feed: a missing event file and a key that is not a
   * UUID. */
  snprintf(path, sizeof path, "%s/feed", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/feed/manifest.json", dir);
  static const char manifest[] =
      "{\"5f0c1e2a-3333-4abc-8def-0123456789ab\": {\"info\": \"gone\"},"
      " \"../../etc/passwd\": {}}";
  th_write(path, manifest, sizeof manifest - 1);
  i = th_open(desc, "paths=%s/feed", dir);
  is_int(i.rc, HK_E_INVAL, "missing event file: fails");
  snprintf(want, sizeof want,
           "ti_feed: %s/feed/manifest.json: event "
           "5f0c1e2a-3333-4abc-8def-0123456789ab: cannot open "
           "%s/feed/5f0c1e2a-3333-4abc-8def-0123456789ab.json: No such file "
           "or directory (fix the list, or set on_error: skip to skip such "
           "entries)",
           dir, dir);
  is_str(i.err.msg, want, "the event and its file are named");
  th_close(&i);
  i = th_open(desc, "paths=%s/feed;on_error=skip", dir);
  is_int(i.rc, HK_OK, "on_error=skip: the feed loads without them");
  like(th_log.data, "key '../../etc/passwd' is not an event UUID; skipped",
       "a key that could escape the directory is refused");
  th_close(&i);

  snprintf(path, sizeof path, "%s/empty.txt", dir);
  th_write(path, "# nothing yet\n", 14);
  i = th_open(desc, "paths=%s", path);
  is_int(i.rc, HK_OK, "an empty list is not an error");
  snprintf(want, sizeof want, "WARN: %s holds no indicator\n", path);
  like(th_log.data, want, "but it is warned about");
  like(look(&i, "ipv4", "192.0.2.1"),
       "4 0 | not in the indicator lists (0 indicators)", "lookups: NO_DATA");
  th_close(&i);
}

int
main(void)
{
  const char *src = getenv("HK_SRCDIR");
  hk_error err;
  snprintf(data, sizeof data, "%.400s/tests/data/ti_feed", src ? src : ".");
  const hk_plugin_desc *const *d = ti_feed_LTX_hk_plugin_entry(&th_host, &err);
  desc = d[0];
  vt = desc->vtable;
  char dir[512];
  th_tempdir(dir, sizeof dir);
  test_csv();
  test_other_formats();
  test_misp();
  test_errors(dir);
  th_rm_rf(dir);
  th_host_cleanup();
  return done_testing();
}
