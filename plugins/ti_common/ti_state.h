/*
 * plugins/ti_common/ti_state.h -- the part of a TI enricher's state that
 * every one of them has (virustotal, otx, xforce, greynoise, abuseipdb):
 * the service's base URL and secret header, and the per-call outputs that
 * a lookup's answer points into.
 *
 * Not installed and not part of the SDK, like ti_json.h: each plugin
 * compiles ti_state.c into its own module (TI_COMMON_SOURCES), and every
 * symbol stays hidden inside it.
 *
 * A plugin embeds a ti_state as the member `ti` of its own state, checks
 * its own options, calls ti_state_init in create and ti_state_free in
 * destroy, begins each prepare with ti_state_start_call and answers with
 * ti_state_answer.  One call at a time on a state, as for the enricher
 * it belongs to.
 */
#ifndef HK_TI_STATE_H
#define HK_TI_STATE_H

#include <huntkit/huntkit.h>

#include <json-c/json.h>
#include <stddef.h>

typedef struct ti_state {
  const hk_instance *inst; /* borrowed */
  const char *plugin;      /* the plugin's name, for messages (static) */
  char *base_url;          /* without a trailing '/' (owned) */
  char *auth_header;       /* "Name: secret", or NULL (owned; wiped) */
  const char *secret;      /* the secret inside auth_header, or NULL */
  const char *headers[3];  /* auth_header (if any), the extra header (if
                            * any), NULL: for hk_http_request.headers */
  /* Per-call outputs: valid until the next call on this state. */
  char *ioc;          /* the IoC, trimmed and NUL-terminated (owned) */
  hk_buf url;         /* the request URL */
  hk_buf raw;         /* a copy of the reply body */
  hk_buf summary;     /* out->summary */
  hk_buf reference;   /* out->reference */
  json_object *reply; /* the parsed reply; field strings point into it */
} ti_state;

/*
 * ti_state_init -- fill *t (zeroed by the caller, e.g. by calloc of the
 * plugin's state) for `plugin` (static string) and instance `inst`
 * (borrowed).
 *
 * base_url must start with https:// or http://, else HK_E_CONFIG
 * "<plugin>: base_url must start with https:// or http://, got '<url>'";
 * it is kept without trailing slashes.  With a `secret`, the header
 * header_name + secret ("x-apikey: " and the key) is kept, to be wiped by
 * ti_state_free; without one there is none.  `extra_header` (static, or
 * NULL) follows it in t->headers.  HK_E_NOMEM "<plugin>: out of memory".
 * On failure nothing is left to free.  All arguments are borrowed.
 */
int ti_state_init(ti_state *t, const char *plugin, const hk_instance *inst,
                  const char *base_url, const char *header_name,
                  const char *secret, const char *extra_header, hk_error *err);

/* Free what *t owns, wiping the secret header first.  *t may be zeroed
 * or partly filled. */
void ti_state_free(ti_state *t);

/*
 * ti_state_start_call -- forget the previous call's outputs (the reply,
 * url, raw, summary, reference, and the plugin's `nfields` fields), keep a
 * trimmed copy of ioc's value in t->ioc, and preset *out to a failed query
 * with no summary, fields, reference or raw reply.  HK_OK, or HK_E_NOMEM
 * "<plugin>: out of memory".
 */
int ti_state_start_call(ti_state *t, const hk_ioc *ioc, hk_value *fields,
                        size_t nfields, hk_enrichment *out, hk_error *err);

/*
 * ti_state_take_reply -- the start of a parse: ti_state_start_call, then a
 * copy of the reply body in t->raw (and out->raw, NULL when empty) and its
 * JSON value in t->reply: NULL with `why` (cap bytes) saying why and
 * *truncated set as by ti_json_parse.  HK_OK, or HK_E_NOMEM.
 */
int ti_state_take_reply(ti_state *t, const hk_ioc *ioc, hk_value *fields,
                        size_t nfields, const hk_http_response *resp,
                        hk_enrichment *out, char *why, size_t cap,
                        int *truncated, hk_error *err);

/* Set out's status, severity and summary (copied into t->summary).
 * Returns HK_OK. */
int ti_state_answer(ti_state *t, hk_enrichment *out, int status, int severity,
                    const char *summary);

/* The service's own words about an error, as dst holds them (a short
 * copy): emptied when they repeat `secret` or `secret2` (either may be
 * NULL or empty), else with control characters turned into spaces, so
 * that they may go into a message. */
void ti_service_words(char *dst, const char *secret, const char *secret2);

/* The answer to HTTP 401 or 403 when the service refused the API key:
 * HK_E_AUTH "<plugin>: the service refused the API key (HTTP <status><said>);
 * check api_key in the instance's conf.d file", marked for the operator.
 * `said`: the service's cleaned words (", ..." or ""). */
int ti_key_refused(const ti_state *t, int status, const char *said,
                   hk_error *err);

/* Mark a failure that a later try may cure when `yes`; returns `rc`. */
int ti_retryable(hk_error *err, int rc, int yes);

/* Mark a failure only the operator can cure (the credentials); returns
 * `rc`. */
int ti_operator_must_fix(hk_error *err, int rc);

#endif
