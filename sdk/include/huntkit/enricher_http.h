/*
 * huntkit/enricher_http.h -- the synchronous lookup of an enricher that
 * looks IoCs up over HTTP with the host's service (ABI 1.1), built from
 * the plugin's own prepare and parse.
 *
 * In libhuntkit-sdk; it reaches the host only through the hk_host pointer
 * it is given, never by linking it.
 */
#ifndef HUNTKIT_ENRICHER_HTTP_H
#define HUNTKIT_ENRICHER_HTTP_H

#include <huntkit/enricher.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * hk_enricher_lookup_http -- an enricher's lookup() for a plugin that has
 * prepare and parse: what the host does for one IoC, without cache or
 * concurrency.
 *
 *   1. vt->prepare(state, options, ioc, &req, out, err).  A failure is
 *      returned as is.  When it leaves req.url NULL, the answer is already
 *      in *out (e.g. BAD_FORMAT) and HK_OK is returned without a request.
 *   2. HK_HAS(host, http_fetch), else HK_E_NOTSUP: "this huntkit has no
 *      HTTP service (hk_host.http_fetch is missing: built without
 *      libcurl?); this lookup needs it".
 *   3. host->http_fetch(inst, &req, &resp, err).  A failure (HK_E_TIMEOUT,
 *      HK_E_NETWORK, ...) is returned with the host's message and flags.
 *   4. vt->parse(state, options, ioc, &resp, out, err), whose result is
 *      returned: a reply of any HTTP status is the plugin's to judge.
 *
 * host, inst: the plugin's saved services table and the instance its
 *   state was created for (borrowed).
 * vt: the plugin's own enricher vtable (borrowed); without prepare and
 *   parse the call fails with HK_E_NOTSUP.
 * state, options, ioc, out, err: as for lookup (enricher.h); *out is
 *   filled by prepare or parse, so its pointers are the plugin's, valid
 *   until the next call on `state`.
 *
 * Lifetimes: the request's strings belong to the plugin and are valid
 * until the next call on `state`; http_fetch, which reads them, comes
 * before any such call.  The reply belongs to the host and is valid until
 * the next http_fetch on `inst`; parse is called at once and must copy
 * what it keeps, as for a host-run parse.  Nothing is kept after the call.
 *
 * Concurrency: the same as lookup: one call at a time on a state, and,
 * since http_fetch is not concurrent on one instance, on an instance.
 */
int hk_enricher_lookup_http(const hk_host *host, const hk_instance *inst,
                            const hk_enricher_vt *vt, void *state,
                            const hk_config *options, const hk_ioc *ioc,
                            hk_enrichment *out, hk_error *err);

/*
 * hk_enricher_lookup_http_named -- hk_enricher_lookup_http whose own
 * errors name the plugin and the service: with plugin "otx" and service
 * "OTX", a missing HTTP service reads "otx: this huntkit has no HTTP
 * service (hk_host.http_fetch is missing: built without libcurl?); OTX
 * lookups need it" and a failed fetch "otx: " before the host's message.
 * Errors from prepare and parse are the plugin's and pass unchanged.
 * `plugin` and `service` are borrowed; either may be NULL (no prefix;
 * "this lookup needs it").  Lifetimes and concurrency as above.
 */
int hk_enricher_lookup_http_named(const char *plugin, const char *service,
                                  const hk_host *host, const hk_instance *inst,
                                  const hk_enricher_vt *vt, void *state,
                                  const hk_config *options, const hk_ioc *ioc,
                                  hk_enrichment *out, hk_error *err);

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_ENRICHER_HTTP_H */
