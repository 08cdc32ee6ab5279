/*
 * plugins/iptype/iptype.c -- the `iptype` enricher: the class of an IPv4 or
 * IPv6 address (global, private, loopback, link_local, multicast, cgnat,
 * documentation, reserved, unspecified, broadcast) from IANA's
 * special-purpose address registries.  The classifier itself is the
 * host's (hk_host.ip_classify), shared with every other plugin, so this
 * plugin only turns its answer into an enrichment record; the host adds
 * the fields as columns (<column>_class, <column>_is_global, ...).
 */
#include <huntkit/huntkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hk_host *iptype_host;

enum { F_CLASS, F_IS_GLOBAL, F_REGISTRY, F_FAMILY, F_COUNT };

/* Per-call outputs live here until the next lookup on the same state. */
typedef struct iptype_state {
  hk_value fields[F_COUNT];
  char summary[160];
} iptype_state;

static int
iptype_create(const hk_instance *inst, const hk_config *cfg, void **state,
              hk_error *err)
{
  (void)inst;
  (void)cfg;
  if (!HK_HAS(iptype_host, ip_classify) || !HK_HAS(iptype_host, ip_class_name))
    return hk_error_set(err, HK_E_NOTSUP,
                        "iptype: this huntkit has no IP classifier "
                        "(hk_host.ip_classify is missing); upgrade huntkit");
  iptype_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "iptype: out of memory");
  *state = s;
  return HK_OK;
}

static void
iptype_destroy(void *state)
{
  free(state);
}

static void
set_str(hk_value *v, const char *s)
{
  memset(v, 0, sizeof *v);
  v->is_set = s != NULL;
  v->str = s;
  v->str_len = s ? strlen(s) : 0;
}

static void
set_int(hk_value *v, int64_t i)
{
  memset(v, 0, sizeof *v);
  v->is_set = 1;
  v->i64 = i;
}

static int
iptype_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
              hk_enrichment *out, hk_error *err)
{
  (void)options;
  (void)err;
  iptype_state *s = state;
  hk_ip_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  out->severity = HK_SEV_INFORMATION;
  out->reference = NULL;
  out->raw = NULL;
  int rc = iptype_host->ip_classify(ioc->value, ioc->len, &info);
  if (rc != HK_OK || info.ip_class == HK_IP_INVALID || info.family == 0) {
    /* Not an address: a record with every field null, never a failure of
     * the lookup itself. */
    size_t shown = ioc->len > 64 ? 64 : ioc->len;
    snprintf(s->summary, sizeof s->summary,
             "'%.*s%s' is not an IPv4 or IPv6 address", (int)shown, ioc->value,
             ioc->len > shown ? "..." : "");
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    out->fields = NULL;
    return HK_OK;
  }
  const char *cls = iptype_host->ip_class_name(info.ip_class);
  const char *registry = info.registry_name ? info.registry_name : "";
  set_str(&s->fields[F_CLASS], cls);
  set_int(&s->fields[F_IS_GLOBAL], info.is_global != 0);
  set_str(&s->fields[F_REGISTRY], registry);
  set_int(&s->fields[F_FAMILY], info.family);
  snprintf(s->summary, sizeof s->summary, "%s (%s)%s", cls, registry,
           info.embedded_v4 ? ", embedded IPv4 address" : "");
  out->status = HK_LK_OK;
  out->summary = s->summary;
  out->fields = s->fields;
  out->reference =
      info.family == 4
          ? "https://www.iana.org/assignments/iana-ipv4-special-registry/"
          : "https://www.iana.org/assignments/iana-ipv6-special-registry/";
  return HK_OK;
}

static const char *const iptype_entity_types[] = {HK_IOC_IPV4, HK_IOC_IPV6,
                                                  NULL};

static const hk_field_desc iptype_fields[] = {
    {"class", HK_COL_UTF8,
     "global, private, loopback, link_local, multicast, cgnat, "
     "documentation, reserved, unspecified or broadcast"},
    {"is_global", HK_COL_BOOL,
     "globally reachable according to IANA's special-purpose registries"},
    {"registry", HK_COL_UTF8,
     "name of the IANA registry entry, e.g. Private-Use"},
    {"family", HK_COL_INT64, "4 or 6"},
    {NULL, 0, NULL}};

static const hk_enricher_vt iptype_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = iptype_create,
    .destroy = iptype_destroy,
    .fields = iptype_fields,
    .lookup = iptype_lookup,
};

static const hk_plugin_desc iptype_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "iptype",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = 0,
    .summary = "class of IPv4/IPv6 addresses (private, loopback, cgnat, ...) "
               "from IANA's special-purpose registries",
    .entity_types = iptype_entity_types,
    .params = NULL,
    .vtable = &iptype_vt,
};

static const hk_plugin_desc *const iptype_descriptors[] = {&iptype_desc, NULL};

static const hk_plugin_desc *const *
iptype_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "iptype: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  iptype_host = host;
  return iptype_descriptors;
}

HK_PLUGIN_DEFINE(iptype, iptype_entry)
