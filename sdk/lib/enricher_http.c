/*
 * sdk/lib/enricher_http.c -- an enricher's synchronous lookup as prepare,
 * the host's http_fetch and parse.
 */
#include "sdk_internal.h"

#include <huntkit/enricher_http.h>
#include <string.h>

int
hk_enricher_lookup_http_named(const char *plugin, const char *service,
                              const hk_host *host, const hk_instance *inst,
                              const hk_enricher_vt *vt, void *state,
                              const hk_config *options, const hk_ioc *ioc,
                              hk_enrichment *out, hk_error *err)
{
  const char *sep = plugin ? ": " : "";
  hk_http_request req;
  hk_http_response resp;
  int rc;

  if (!HK_HAS(vt, prepare) || !HK_HAS(vt, parse))
    return hk_error_set(err, HK_E_NOTSUP,
                        "%s%sthe enricher has no prepare and parse (ABI "
                        "1.1) for an HTTP lookup",
                        plugin ? plugin : "", sep);
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  rc = vt->prepare(state, options, ioc, &req, out, err);
  if (rc != HK_OK || req.url == NULL)
    return rc;
  if (!HK_HAS(host, http_fetch)) {
    if (service)
      return hk_error_set(err, HK_E_NOTSUP,
                          "%s%sthis huntkit has no HTTP service "
                          "(hk_host.http_fetch is missing: built without "
                          "libcurl?); %s lookups need it",
                          plugin ? plugin : "", sep, service);
    return hk_error_set(err, HK_E_NOTSUP,
                        "%s%sthis huntkit has no HTTP service "
                        "(hk_host.http_fetch is missing: built without "
                        "libcurl?); this lookup needs it",
                        plugin ? plugin : "", sep);
  }
  memset(&resp, 0, sizeof resp);
  resp.struct_size = sizeof resp;
  rc = host->http_fetch(inst, &req, &resp, err);
  if (rc != HK_OK) {
    if (plugin)
      hk_error_prefix(err, "%s: ", plugin);
    return rc;
  }
  return vt->parse(state, options, ioc, &resp, out, err);
}

int
hk_enricher_lookup_http(const hk_host *host, const hk_instance *inst,
                        const hk_enricher_vt *vt, void *state,
                        const hk_config *options, const hk_ioc *ioc,
                        hk_enrichment *out, hk_error *err)
{
  return hk_enricher_lookup_http_named(NULL, NULL, host, inst, vt, state,
                                       options, ioc, out, err);
}
