/*
 * hello.c -- a complete third-party huntkit plugin: an enricher that
 * greets every observable it is given.
 *
 *   ioc 8.8.8.8 (ipv4)  ->  greeting = "hello 8.8.8.8", length = 7
 *
 * It is built outside the huntkit tree with nothing but
 * `pkg-config --cflags --libs huntkit-plugin` (see Makefile and README.md)
 * and shows the whole contract: one exported entry, a descriptor, a
 * parameter schema read through the host's config service, per-instance
 * state, and output that stays valid until the next call.
 */
#include <huntkit/huntkit.h>

#include <stdlib.h>
#include <string.h>

/* The host's services table, kept from the entry call (it lives until the
 * process exits). */
static const hk_host *host_services;

/* One instance's state: its salutation and the memory behind the last
 * answer, which must stay valid until the next lookup on this state. */
struct hello {
  char *salutation;
  hk_buf greeting;
  hk_value fields[2];
};

static const hk_param hello_params[] = {
    {"salutation", HK_PT_STRING, 0, "hello", NULL,
     "word put in front of the value"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const hk_field_desc hello_fields[] = {
    {"greeting", HK_COL_UTF8, "the salutation followed by the value"},
    {"length", HK_COL_INT64, "length of the value in bytes"},
    {NULL, 0, NULL},
};

static const char *const hello_types[] = {
    HK_IOC_IPV4,     HK_IOC_IPV6, HK_IOC_DNS,  HK_IOC_URL,    HK_IOC_EMAIL,
    HK_IOC_HOSTNAME, HK_IOC_MD5,  HK_IOC_SHA1, HK_IOC_SHA256, NULL,
};

static int
hello_create(const hk_instance *inst, const hk_config *cfg, void **state,
             hk_error *err)
{
  struct hello *h = calloc(1, sizeof *h);
  const char *word = host_services->config_get_string(cfg, "salutation");

  if (!h || !(h->salutation = strdup(word ? word : "hello"))) {
    free(h);
    return hk_error_set(err, HK_E_NOMEM, "hello: out of memory");
  }
  HK_LOG_DEBUG(host_services, inst, "salutation is '%s'", h->salutation);
  *state = h;
  return HK_OK;
}

static void
hello_destroy(void *state)
{
  struct hello *h = state;

  hk_buf_free(&h->greeting);
  free(h->salutation);
  free(h);
}

static int
hello_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
             hk_enrichment *out, hk_error *err)
{
  struct hello *h = state;

  (void)options; /* hello has no per-run options */
  hk_buf_reset(&h->greeting);
  if (hk_buf_appendf(&h->greeting, "%s ", h->salutation) != HK_OK ||
      hk_buf_append(&h->greeting, ioc->value, ioc->len) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM, "hello: out of memory");

  memset(h->fields, 0, sizeof h->fields);
  h->fields[0].is_set = 1;
  h->fields[0].str = h->greeting.data;
  h->fields[0].str_len = h->greeting.len;
  h->fields[1].is_set = 1;
  h->fields[1].i64 = (int64_t)ioc->len;

  out->status = HK_LK_OK;
  out->severity = HK_SEV_INFORMATION;
  out->summary = h->greeting.data;
  out->fields = h->fields;
  out->reference = NULL;
  out->raw = NULL;
  return HK_OK;
}

static const hk_enricher_vt hello_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = hello_create,
    .destroy = hello_destroy,
    .fields = hello_fields,
    .lookup = hello_lookup,
};

static const hk_plugin_desc hello_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "hello",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = 0,
    .summary = "greets every observable (an example of an out-of-tree plugin)",
    .entity_types = hello_types,
    .params = hello_params,
    .vtable = &hello_vt,
};

static const hk_plugin_desc *const hello_plugins[] = {&hello_desc, NULL};

/* The entry does no work beyond checking the host: plugins load lazily
 * and start-up must stay fast. */
static const hk_plugin_desc *const *
hello_entry(const hk_host *h, hk_error *err)
{
  if (!h || h->abi_major != HK_ABI_MAJOR || !h->config_get_string) {
    hk_error_set(err, HK_E_ABI, "hello: needs a huntkit host with ABI %d.x",
                 HK_ABI_MAJOR);
    return NULL;
  }
  host_services = h;
  return hello_plugins;
}

HK_PLUGIN_DEFINE(hello, hello_entry)
