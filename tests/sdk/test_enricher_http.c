/*
 * tests/sdk/test_enricher_http.c -- hk_enricher_lookup_http(_named): the
 * order prepare -> http_fetch -> parse, what each step receives, answers
 * given without a request, a host without the HTTP service (NULL member
 * and an ABI 1.0-sized table), transport and plugin failures with their
 * codes, flags and messages, and a vtable without prepare/parse.  A fake
 * enricher and a fake host stand in for a plugin and huntkit.
 */
#include <huntkit/enricher_http.h>
#include <huntkit/ioc.h>

#include <stdio.h>

#include "../tap.h"

/* ------------------------------------------------------ the fake host */

static char calls[256]; /* "prepare,fetch,parse" */
static char seen_url[256], seen_method[16], seen_header[64];
static uint32_t seen_req_size, seen_resp_size;
static const hk_instance *seen_inst;
static int fetch_rc;                       /* what the fake fetch returns */
static char fetch_body[64] = "{\"ok\":1}"; /* the host's reply buffer */

static void
note(const char *step)
{
  size_t n = strlen(calls);
  snprintf(calls + n, sizeof calls - n, "%s%s", n ? "," : "", step);
}

static void HK_PRINTF(3, 4)
    fake_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  (void)inst;
  (void)level;
  (void)fmt;
}

static int
fake_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  (void)level;
  return 0;
}

static int
fake_fetch(const hk_instance *inst, const hk_http_request *req,
           hk_http_response *resp, hk_error *err)
{
  note("fetch");
  seen_inst = inst;
  seen_req_size = req->struct_size;
  seen_resp_size = resp->struct_size;
  snprintf(seen_url, sizeof seen_url, "%s", req->url);
  snprintf(seen_method, sizeof seen_method, "%s",
           req->method ? req->method : "(null)");
  snprintf(seen_header, sizeof seen_header, "%s",
           req->headers && req->headers[0] ? req->headers[0] : "(none)");
  if (fetch_rc != HK_OK) {
    hk_error_set(err, fetch_rc, "could not connect to 127.0.0.1 port 9");
    err->flags |= HK_EF_RETRYABLE;
    return fetch_rc;
  }
  resp->status = 200;
  resp->attempts = 1;
  resp->body = fetch_body;
  resp->body_len = strlen(fetch_body);
  resp->content_type = "application/json";
  return HK_OK;
}

static hk_host host;

static void
reset_host(void)
{
  memset(&host, 0, sizeof host);
  host.struct_size = sizeof host;
  host.abi_major = HK_ABI_MAJOR;
  host.abi_minor = HK_ABI_MINOR;
  host.version = "test";
  host.log = fake_log;
  host.log_enabled = fake_log_enabled;
  host.http_fetch = fake_fetch;
  calls[0] = seen_url[0] = seen_method[0] = seen_header[0] = '\0';
  seen_inst = NULL;
  fetch_rc = HK_OK;
}

/* --------------------------------------------------- the fake plugin */

typedef struct fake_state {
  char url[128]; /* the request URL: the plugin's, until next call */
  const char *headers[2];
  char body_copy[64]; /* what parse kept of the reply */
  char summary[128];
  int parse_status;
  int parse_rc;
} fake_state;

static int
fake_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
             hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  fake_state *s = state;
  (void)options;
  note("prepare");
  req->url = NULL;
  if (!strcmp(ioc->value, "answer-now")) {
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = "Not a value this service takes";
    return HK_OK;
  }
  if (!strcmp(ioc->value, "no-key"))
    return hk_error_set(err, HK_E_AUTH, "fake: api_key is not set");
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:9/check/%s", ioc->value);
  s->headers[0] = "Key: k";
  s->headers[1] = NULL;
  req->method = "GET";
  req->url = s->url;
  req->headers = s->headers;
  return HK_OK;
}

static int
fake_parse(void *state, const hk_config *options, const hk_ioc *ioc,
           const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  fake_state *s = state;
  (void)options;
  (void)ioc;
  note("parse");
  s->parse_status = resp->status;
  snprintf(s->body_copy, sizeof s->body_copy, "%.*s", (int)resp->body_len,
           resp->body);
  if (s->parse_rc != HK_OK)
    return hk_error_set(err, s->parse_rc, "fake: the reply has no data");
  snprintf(s->summary, sizeof s->summary, "HTTP %d: %s", resp->status,
           s->body_copy);
  out->status = HK_LK_OK;
  out->severity = HK_SEV_LOW;
  out->summary = s->summary;
  return HK_OK;
}

static int fake_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
                       hk_enrichment *out, hk_error *err);

static const hk_field_desc fake_fields[] = {{NULL, 0, NULL}};

static const hk_enricher_vt fake_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .fields = fake_fields,
    .lookup = fake_lookup,
    .prepare = fake_prepare,
    .parse = fake_parse,
};

/* An instance handle is opaque: any address the fetch can compare. */
static char fake_inst_token;
#define fake_inst ((const hk_instance *)&fake_inst_token)

static int
fake_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
            hk_enrichment *out, hk_error *err)
{
  return hk_enricher_lookup_http_named("fake", "Fake", &host, fake_inst,
                                       &fake_vt, state, options, ioc, out, err);
}

/* ----------------------------------------------------------- helpers */

typedef struct result {
  int rc;
  hk_error err;
  hk_enrichment e;
} result;

static result
run(int named, const hk_enricher_vt *vt, fake_state *s, const char *value)
{
  result r;
  hk_ioc ioc = {sizeof(hk_ioc), value, strlen(value), HK_IOC_IPV4};
  memset(&r, 0, sizeof r);
  r.e.struct_size = sizeof r.e;
  hk_error_clear(&r.err);
  r.rc = named ? hk_enricher_lookup_http_named("fake", "Fake", &host, fake_inst,
                                               vt, s, NULL, &ioc, &r.e, &r.err)
               : hk_enricher_lookup_http(&host, fake_inst, vt, s, NULL, &ioc,
                                         &r.e, &r.err);
  return r;
}

/* ------------------------------------------------------------- tests */

static void
test_round_trip(void)
{
  fake_state s;
  result r;
  memset(&s, 0, sizeof s);
  reset_host();
  r = run(0, &fake_vt, &s, "8.8.8.8");
  is_int(r.rc, HK_OK, "lookup: OK");
  is_str(calls, "prepare,fetch,parse", "prepare, then fetch, then parse");
  is_str(seen_url, "http://127.0.0.1:9/check/8.8.8.8",
         "fetch reads prepare's URL");
  is_str(seen_method, "GET", "and method");
  is_str(seen_header, "Key: k", "and headers");
  is_int(seen_req_size, sizeof(hk_http_request), "request struct_size set");
  is_int(seen_resp_size, sizeof(hk_http_response), "response struct_size set");
  ok(seen_inst == fake_inst, "fetch is made for the given instance");
  is_int(s.parse_status, 200, "parse sees the reply's status");
  is_str(s.body_copy, "{\"ok\":1}", "and its body");
  is_int(r.e.status, HK_LK_OK, "parse's answer is returned");
  is_str(r.e.summary, "HTTP 200: {\"ok\":1}", "with parse's summary");
  /* The reply is the host's until its next fetch: what the plugin
   * answered must not point into it. */
  strcpy(fetch_body, "overwritten");
  is_str(r.e.summary, "HTTP 200: {\"ok\":1}",
         "the answer is the plugin's own copy");
  strcpy(fetch_body, "{\"ok\":1}");

  reset_host();
  r.rc = fake_vt.lookup(&s, NULL,
                        &(hk_ioc){sizeof(hk_ioc), "1.1.1.1", 7, HK_IOC_IPV4},
                        &r.e, &r.err);
  is_int(r.rc, HK_OK, "as a plugin's lookup member: OK");
  is_str(calls, "prepare,fetch,parse", "as a plugin's lookup member");
}

static void
test_answer_without_request(void)
{
  fake_state s;
  result r;
  memset(&s, 0, sizeof s);
  reset_host();
  r = run(1, &fake_vt, &s, "answer-now");
  is_int(r.rc, HK_OK, "prepare's own answer: OK");
  is_str(calls, "prepare", "no fetch, no parse");
  is_int(r.e.status, HK_LK_BAD_FORMAT, "prepare's status is returned");
  is_str(r.e.summary, "Not a value this service takes", "and summary");

  reset_host();
  host.http_fetch = NULL;
  r = run(1, &fake_vt, &s, "answer-now");
  is_int(r.rc, HK_OK, "no HTTP service is no matter without a request");
  is_int(r.e.status, HK_LK_BAD_FORMAT, "the answer stands");

  reset_host();
  r = run(1, &fake_vt, &s, "no-key");
  is_int(r.rc, HK_E_AUTH, "prepare's failure is returned");
  is_str(r.err.msg, "fake: api_key is not set", "unchanged");
  is_str(calls, "prepare", "and nothing else is called");
}

static void
test_no_http_service(void)
{
  fake_state s;
  result r;
  memset(&s, 0, sizeof s);
  reset_host();
  host.http_fetch = NULL;
  r = run(0, &fake_vt, &s, "8.8.8.8");
  is_int(r.rc, HK_E_NOTSUP, "no http_fetch: HK_E_NOTSUP");
  is_str(r.err.msg,
         "this huntkit has no HTTP service (hk_host.http_fetch is missing: "
         "built without libcurl?); this lookup needs it",
         "no http_fetch: message");
  is_str(calls, "prepare", "prepared, nothing fetched or parsed");

  r = run(1, &fake_vt, &s, "8.8.8.8");
  is_str(r.err.msg,
         "fake: this huntkit has no HTTP service (hk_host.http_fetch is "
         "missing: built without libcurl?); Fake lookups need it",
         "no http_fetch, named: message");

  reset_host();
  host.struct_size = (uint32_t)offsetof(hk_host, http_fetch);
  r = run(1, &fake_vt, &s, "8.8.8.8");
  is_int(r.rc, HK_E_NOTSUP, "ABI 1.0 host (no http_fetch member): NOTSUP");
  is_str(calls, "prepare", "its stale member is never called");
}

static void
test_failures(void)
{
  fake_state s;
  result r;
  memset(&s, 0, sizeof s);
  reset_host();
  fetch_rc = HK_E_NETWORK;
  r = run(0, &fake_vt, &s, "8.8.8.8");
  is_int(r.rc, HK_E_NETWORK, "transport failure: the host's code");
  ok(r.err.flags & HK_EF_RETRYABLE, "and flags");
  is_str(r.err.msg, "could not connect to 127.0.0.1 port 9",
         "and message, unprefixed");
  is_str(calls, "prepare,fetch", "no parse after a failed fetch");

  r = run(1, &fake_vt, &s, "8.8.8.8");
  is_str(r.err.msg, "fake: could not connect to 127.0.0.1 port 9",
         "named: prefixed with the plugin");
  ok(r.err.flags & HK_EF_RETRYABLE, "named: flags kept");

  reset_host();
  s.parse_rc = HK_E_FAIL;
  r = run(1, &fake_vt, &s, "8.8.8.8");
  is_int(r.rc, HK_E_FAIL, "parse's failure is returned");
  is_str(r.err.msg, "fake: the reply has no data", "unchanged, no prefix");
  s.parse_rc = HK_OK;
}

static void
test_vtable_without_http(void)
{
  hk_enricher_vt old = fake_vt;
  fake_state s;
  result r;
  memset(&s, 0, sizeof s);
  reset_host();
  old.struct_size = (uint32_t)offsetof(hk_enricher_vt, prepare);
  r = run(1, &old, &s, "8.8.8.8");
  is_int(r.rc, HK_E_NOTSUP, "ABI 1.0 vtable: NOTSUP");
  is_str(r.err.msg,
         "fake: the enricher has no prepare and parse (ABI 1.1) for an HTTP "
         "lookup",
         "ABI 1.0 vtable: message");
  is_str(calls, "", "nothing called");
  old = fake_vt;
  old.parse = NULL;
  r = run(0, &old, &s, "8.8.8.8");
  is_int(r.rc, HK_E_NOTSUP, "prepare without parse: NOTSUP");
  is_str(calls, "", "nothing called");
}

int
main(void)
{
  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();
  test_round_trip();
  test_answer_without_request();
  test_no_http_service();
  test_failures();
  test_vtable_without_http();
  return done_testing();
}
