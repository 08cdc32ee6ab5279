/*
 * plugins/mask/mask.c -- the mask analyzer: keyed, structure-preserving
 * pseudonyms for host names, accounts, domains, IP addresses, e-mail
 * addresses, GUIDs, SIDs, free text and other strings (MSTICPy's
 * data_obfus, reference §17.4).  The output has the input's columns in the
 * input's order; masked columns are rebuilt, the others are the input's
 * own arrays, shared rather than copied.
 */
#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/plugin.h>
#include <huntkit/table.h>

#include <openssl/rand.h>
#include <strings.h>

#include "mask_core.c"
/* after mask_core.c, whose functions it uses */
#include "mask_text.c"

static const hk_host *mask_host_api;

enum mask_kind {
  K_HOST,
  K_DOMAIN,
  K_ACCOUNT,
  K_IP,
  K_EMAIL,
  K_GUID,
  K_SID,
  K_STRING,
  K_TEXT, /* after the structured kinds: free text uses the names they saw */
  K_NULL,
  K_NKINDS
};
static const char *const mask_kind_names[K_NKINDS] = {
    "host", "domain", "account", "ip",   "email",
    "guid", "sid",    "string",  "text", "null"};

/* Column names masked when no column is named (or with defaults=true),
 * compared without regard to case. */
static const char *const mask_default_cols[K_NKINDS][24] = {
    [K_HOST] = {"Computer", "Host", "HostName", "DeviceName", "ComputerName",
                "WorkstationName", "SourceComputer", "MachineName", "VMName",
                "ClientName", "SrcHost", "DstHost", "DestinationHost",
                "SourceHost", "Hostname", NULL},
    [K_DOMAIN] = {"SubjectDomainName", "TargetDomainName", "AccountDomain",
                  "Domain", "DomainName", NULL},
    [K_ACCOUNT] = {"Account", "AccountName", "TargetUserName",
                   "SubjectUserName", "UserName", "User", "TargetAccount",
                   "SubjectAccount", "AccountUpn", "UserPrincipalName", "Upn",
                   "InitiatingProcessAccountName", "Sudoer", "SudoTo", NULL},
    [K_IP] = {"IpAddress", "IPAddress", "ClientIP", "SourceIp", "SrcIp",
              "SourceIP", "DestIp", "DstIp", "DestinationIp", "DestinationIP",
              "RemoteIP", "LocalIP", "HostIP", "SourceAddress",
              "DestinationAddress", "SrcIpAddr", "DstIpAddr", "IP", NULL},
    [K_EMAIL] = {"Email", "EmailAddress", "SenderFromAddress",
                 "SenderMailFromAddress", "RecipientEmailAddress", NULL},
    [K_GUID] = {"TenantId", "SourceComputerId", "ProcessGuid",
                "ParentProcessGuid", "LogonGuid", "AzureADObjectId",
                "AadUserId", NULL},
    [K_SID] = {"SubjectUserSid", "TargetUserSid", "TargetSid", "UserSid",
               "AccountSid", "Sid", NULL},
    [K_TEXT] = {"CommandLine", "ParentCommandLine", "ProcessCommandLine",
                "InitiatingProcessCommandLine", "Message", "SyslogMessage",
                "Command", NULL},
};

#define MASK_KEY_BYTES 32

typedef struct mask_state {
  const hk_instance *inst;
  char *key;       /* instance config key, or NULL (secret: never logged) */
  char *generated; /* hex of a random key made on first need */
} mask_state;

typedef struct mask_col {
  int64_t in_index;
  int kind;
  int type; /* input column type */
  const char *name;
} mask_col;

typedef struct mask_run {
  const hk_instance *inst;
  mask_ctx m;
  mask_text text;
  psl_ctx_t *psl;
  struct ArrowArrayStream input;
  int64_t n_in;   /* input columns */
  mask_col *cols; /* masked columns, in kind order */
  size_t ncols;
  int64_t *map; /* output child -> input child or builder column */
  hk_table_builder *out;
  hk_buf cell, pad;
  char *genkey; /* a generated key when there is no instance state */
} mask_run;

static void
mask_destroy(void *state)
{
  mask_state *st = state;
  if (!st)
    return;
  if (st->key) {
    OPENSSL_cleanse(st->key, strlen(st->key));
    free(st->key);
  }
  free(st->generated);
  free(st);
}

static int
mask_create(const hk_instance *inst, const hk_config *cfg, void **state,
            hk_error *err)
{
  mask_state *st = calloc(1, sizeof *st);
  const char *key = cfg ? mask_host_api->config_get_string(cfg, "key") : NULL;
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
  st->inst = inst;
  if (key && !*key) {
    free(st);
    return hk_error_set(err, HK_E_CONFIG,
                        "mask: key is empty; give a secret (e.g. key: "
                        "${env:HK_MASK_KEY}) or leave it out to have one "
                        "generated");
  }
  if (key && !(st->key = strdup(key))) {
    free(st);
    return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
  }
  *state = st;
  return HK_OK;
}

static void
mask_run_free(void *ud)
{
  mask_run *r = ud;
  if (!r)
    return;
  hk_stream_release(&r->input);
  mask_ctx_free(&r->m);
  mask_text_free(&r->text);
  if (r->psl)
    psl_free(r->psl);
  hk_table_builder_free(r->out);
  free(r->cols);
  free(r->map);
  hk_buf_free(&r->cell);
  hk_buf_free(&r->pad);
  free(r->genkey);
  free(r);
}

static int
mask_out_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  mask_run *r = ud;
  struct ArrowSchema in, add;
  int rc = hk_stream_schema(&r->input, &in, err);
  if (rc != HK_OK)
    return rc;
  if ((rc = hk_table_builder_export_schema(r->out, &add, err)) != HK_OK) {
    hk_schema_release(&in);
    return rc;
  }
  return hk_splice_schema(&in, &add, r->map, r->n_in, out, err);
}

/* Names seen in structured columns, for masking them inside free text. */
static int
mask_learn(mask_run *r, int kind, const char *s, size_t n)
{
  mask_names *k = &r->text.known;
  const char *sep;
  hk_ip_info info;
  info.struct_size = sizeof info;
  switch (kind) {
  case K_HOST:
    if (mask_host_api->ip_classify(s, n, &info) == HK_OK)
      return HK_OK;
    sep = memchr(s, '.', n);
    return mask_names_add(k, s, sep ? (size_t)(sep - s) : n);
  case K_DOMAIN:
    if (mask_in_list(s, n, mask_wk_domains))
      return HK_OK;
    sep = memchr(s, '.', n);
    return mask_names_add(k, s, sep ? (size_t)(sep - s) : n);
  case K_ACCOUNT:
    if ((sep = memchr(s, '\\', n)) || (sep = memchr(s, '/', n))) {
      int rc = mask_learn(r, K_DOMAIN, s, (size_t)(sep - s));
      if (rc != HK_OK)
        return rc;
      n -= (size_t)(sep - s) + 1;
      s = sep + 1;
    } else if ((sep = memchr(s, '@', n))) {
      n = (size_t)(sep - s);
    }
    if (n && s[n - 1] == '$')
      n--;
    return mask_wk_user(s, n) ? HK_OK : mask_names_add(k, s, n);
  case K_EMAIL:
    sep = memchr(s, '@', n);
    return sep ? mask_names_add(k, s, (size_t)(sep - s)) : HK_OK;
  default:
    return HK_OK;
  }
}

/* Free text s[0..n) into r->cell, from a padded copy: PCRE2's JIT may
 * read a few bytes past the subject's end. */
static int
mask_text_cell(mask_run *r, const char *s, size_t n)
{
  hk_buf_reset(&r->pad);
  if (hk_buf_reserve(&r->pad, n + 32) != HK_OK)
    return HK_E_NOMEM;
  memcpy(r->pad.data, s, n);
  memset(r->pad.data + n, 0, 32);
  hk_buf_reset(&r->cell);
  return mask_text_run(&r->m, &r->text, r->pad.data, n, &r->cell);
}

/* Mask one value of a structured kind into r->cell. */
static int
mask_value(mask_run *r, int kind, const char *s, size_t n)
{
  int changed, is_guid, rc;
  const char *memo;
  size_t mlen;

  hk_buf_reset(&r->cell);
  if ((memo = mask_memo_get(&r->m, (char)kind, s, n, &mlen)))
    return hk_buf_append(&r->cell, memo, mlen);
  switch (kind) {
  case K_HOST:
    rc = mask_host(&r->m, s, n, &r->cell);
    break;
  case K_DOMAIN:
    rc = mask_domain_part(&r->m, s, n, &r->cell);
    break;
  case K_ACCOUNT:
    rc = mask_account(&r->m, s, n, &r->cell);
    break;
  case K_IP: {
    hk_ip_info info;
    info.struct_size = sizeof info;
    if (mask_host_api->ip_classify(s, n, &info) == HK_OK)
      rc = mask_ip_known(&r->m, s, n, info, &r->cell, &changed);
    else /* "1.2.3.4:443", "1.2.3.4, 5.6.7.8": mask what is inside */
      rc = mask_text_cell(r, s, n);
    break;
  }
  case K_EMAIL:
    rc = mask_email(&r->m, s, n, &r->cell);
    break;
  case K_GUID:
    rc = mask_guid(&r->m, s, n, &r->cell, &is_guid);
    if (rc == HK_OK && !is_guid)
      rc = mask_name(&r->m, s, n, &r->cell);
    break;
  case K_SID:
    rc = mask_sid(&r->m, s, n, &r->cell);
    break;
  default:
    rc = mask_name(&r->m, s, n, &r->cell);
  }
  if (rc != HK_OK)
    return rc;
  if ((rc = mask_learn(r, kind, s, n)) != HK_OK)
    return rc;
  mask_memo_put(&r->m, (char)kind, s, n, r->cell.data ? r->cell.data : "",
                r->cell.len);
  return HK_OK;
}

/* Build the masked column `c` (builder column `bc`) for the rows of `v`. */
static int
mask_column(mask_run *r, const hk_batch_view *v, const mask_col *c, size_t bc,
            hk_error *err)
{
  for (int64_t row = 0; row < v->rows; row++) {
    const char *s;
    size_t n;
    int rc;
    if (c->kind == K_NULL || hk_batch_view_is_null(v, c->in_index, row)) {
      if (hk_table_builder_append_null(r->out, bc) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
      continue;
    }
    s = hk_batch_view_utf8(v, c->in_index, row, &n);
    if (c->kind == K_TEXT) {
      rc = mask_text_cell(r, s, n);
    } else {
      rc = mask_value(r, c->kind, s, n);
    }
    if (rc != HK_OK ||
        hk_table_builder_append_utf8(
            r->out, bc, r->cell.data ? r->cell.data : "", r->cell.len) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
  }
  return HK_OK;
}

static int
mask_out_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  mask_run *r = ud;
  struct ArrowSchema schema;
  struct ArrowArray in, add;
  hk_batch_view v;
  int rc;

  out->release = NULL;
  if ((rc = hk_stream_next(&r->input, &in, err)) != HK_OK) {
    hk_error_prefix(err, "mask: ");
    return rc;
  }
  if (!in.release)
    return HK_OK;
  if ((rc = hk_stream_schema(&r->input, &schema, err)) != HK_OK) {
    hk_array_release(&in);
    return rc;
  }
  rc = hk_batch_view_init(&v, &schema, &in, err);
  if (rc == HK_OK) {
    if (hk_splice_pad(r->out, in.offset) != HK_OK)
      rc = hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
    /* cols are sorted by kind: structured first, then text */
    for (size_t i = 0; rc == HK_OK && i < r->ncols; i++)
      rc = mask_column(r, &v, &r->cols[i], i, err);
    hk_batch_view_release(&v);
  }
  hk_schema_release(&schema);
  if (rc == HK_OK && mask_host_api->is_canceled(r->inst))
    rc = hk_error_set(err, HK_E_CANCELED, "mask: canceled");
  if (rc == HK_OK)
    rc = hk_table_builder_finish_batch(r->out, &add, err);
  if (rc != HK_OK) {
    hk_array_release(&in);
    return rc;
  }
  return hk_splice_batch(&in, &add, r->map, r->n_in, out, err);
}

static int
mask_col_cmp(const void *a, const void *b)
{
  const mask_col *x = a, *y = b;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return x->in_index < y->in_index ? -1 : x->in_index > y->in_index;
}

static int
mask_add_col(mask_run *r, const struct ArrowSchema *schema, int64_t k, int kind,
             hk_error *err)
{
  const struct ArrowSchema *ch = schema->children[k];
  int type = hk_column_type_from_format(ch->format);
  for (size_t i = 0; i < r->ncols; i++)
    if (r->cols[i].in_index == k)
      return hk_error_set(
          err, HK_E_INVAL, "mask: column '%s' is given as both %s and %s",
          ch->name, mask_kind_names[r->cols[i].kind], mask_kind_names[kind]);
  if (kind != K_NULL && type != HK_COL_UTF8)
    return hk_error_set(err, HK_E_INVAL,
                        "mask: column '%s' is %s, not text: only null=%s "
                        "applies to it",
                        ch->name, hk_column_type_name(type), ch->name);
  r->cols[r->ncols++] = (mask_col){k, kind, type, ch->name};
  return HK_OK;
}

/* The columns to mask: the kind options, plus (or, when none is given,
 * only) the default names found in the input. */
static int
mask_pick_columns(mask_run *r, const hk_config *options,
                  const struct ArrowSchema *schema, hk_error *err)
{
  int named = 0, defaults = 0, rc;

  r->cols = calloc((size_t)(schema->n_children ? schema->n_children : 1),
                   sizeof *r->cols);
  if (!r->cols)
    return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
  for (int kind = 0; kind < K_NKINDS; kind++) {
    const char *const *names = NULL;
    size_t n =
        mask_host_api->config_get_list(options, mask_kind_names[kind], &names);
    for (size_t i = 0; i < n; i++) {
      int64_t k = -1;
      named = 1;
      for (int64_t j = 0; j < schema->n_children; j++)
        if (schema->children[j]->name &&
            strcmp(schema->children[j]->name, names[i]) == 0)
          k = j;
      if (k < 0) {
        hk_buf cols = HK_BUF_INIT;
        for (int64_t j = 0; j < schema->n_children; j++)
          hk_buf_appendf(&cols, "%s%s", j ? ", " : "",
                         schema->children[j]->name ? schema->children[j]->name
                                                   : "");
        hk_error_set(
            err, HK_E_NOTFOUND, "mask: %s: no column '%s' (columns: %s)",
            mask_kind_names[kind], names[i], cols.data ? cols.data : "none");
        hk_buf_free(&cols);
        return HK_E_NOTFOUND;
      }
      if ((rc = mask_add_col(r, schema, k, kind, err)) != HK_OK)
        return rc;
    }
  }
  mask_host_api->config_get_bool(options, "defaults", &defaults);
  if (!named || defaults) {
    for (int64_t j = 0; j < schema->n_children; j++) {
      const char *nm = schema->children[j]->name;
      int taken = 0;
      for (size_t i = 0; i < r->ncols; i++)
        taken |= r->cols[i].in_index == j;
      if (!nm || taken ||
          hk_column_type_from_format(schema->children[j]->format) !=
              HK_COL_UTF8)
        continue;
      for (int kind = 0; kind < K_NKINDS; kind++)
        for (int i = 0; mask_default_cols[kind][i]; i++)
          if (strcasecmp(nm, mask_default_cols[kind][i]) == 0 && !taken) {
            if ((rc = mask_add_col(r, schema, j, kind, err)) != HK_OK)
              return rc;
            taken = 1;
          }
    }
  }
  if (!r->ncols)
    return hk_error_set(err, HK_E_INVAL,
                        "mask: nothing to mask: no column has a known name "
                        "(Computer, Account, IpAddress, CommandLine, ...); "
                        "name the columns by kind, e.g. 'mask host=Computer "
                        "ip=SrcIP account=User text=CommandLine'");
  qsort(r->cols, r->ncols, sizeof *r->cols, mask_col_cmp);
  return HK_OK;
}

/* The key: the run's, the instance's, or one generated for this instance
 * and reported once (the only key ever printed, so the analyst can reuse
 * it). */
static int
mask_pick_key(mask_run *r, mask_state *st, const hk_config *options,
              const char **key, hk_error *err)
{
  const char *k = mask_host_api->config_get_string(options, "key");
  if (k && !*k)
    return hk_error_set(err, HK_E_INVAL,
                        "mask: key is empty; give a secret (e.g. "
                        "key=${env:HK_MASK_KEY}) or leave it out to have one "
                        "generated");
  if (!k && st)
    k = st->key ? st->key : st->generated;
  if (!k) {
    unsigned char raw[MASK_KEY_BYTES];
    char *hex = malloc(2 * MASK_KEY_BYTES + 1);
    if (!hex || RAND_bytes(raw, sizeof raw) != 1) {
      free(hex);
      return hk_error_set(err, HK_E_FAIL,
                          "mask: no key given and no random key could be "
                          "made (OpenSSL RAND_bytes failed); give key=...");
    }
    for (int i = 0; i < MASK_KEY_BYTES; i++)
      snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    mask_host_api->log(r->inst, HK_LOG_WARN,
                       "mask: no key given: generated key %s; pass key=%s "
                       "(or key: in conf.d/mask.yaml, e.g. key: "
                       "${env:HK_MASK_KEY}) to mask other files the same way",
                       hex, hex);
    /* kept by the instance, so later runs in this process match */
    if (st)
      st->generated = hex;
    else
      r->genkey = hex;
    k = hex;
  }
  *key = k;
  return HK_OK;
}

static int
mask_run_analyzer(void *state, const hk_config *options,
                  struct ArrowArrayStream *input,
                  struct ArrowArrayStream *output, hk_error *err)
{
  mask_state *st = state;
  mask_run *r = calloc(1, sizeof *r);
  struct ArrowSchema schema = {0};
  const char *key = NULL;
  int rc;
  static const hk_stream_callbacks cb = {sizeof cb, mask_out_schema,
                                         mask_out_next, mask_run_free};

  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
  }
  r->input = *input;
  input->release = NULL;
  r->inst = st ? st->inst : NULL;
  if ((rc = hk_stream_schema(&r->input, &schema, err)) != HK_OK) {
    hk_error_prefix(err, "mask: input: ");
    goto fail;
  }
  r->n_in = schema.n_children;
  if ((rc = mask_pick_columns(r, options, &schema, err)) != HK_OK)
    goto fail;
  if ((rc = mask_pick_key(r, st, options, &key, err)) != HK_OK)
    goto fail;
  r->psl = psl_latest(NULL);
  if ((rc = mask_ctx_init(&r->m, key, strlen(key), mask_host_api->ip_classify,
                          r->psl)) != HK_OK ||
      (rc = mask_text_init(&r->text)) != HK_OK) {
    rc = hk_error_set(err, rc,
                      "mask: cannot set up HMAC-SHA256 or the text "
                      "pattern (OpenSSL or PCRE2 failed)");
    goto fail;
  }
  r->out = hk_table_builder_new();
  r->map = calloc((size_t)(r->n_in ? r->n_in : 1), sizeof *r->map);
  if (!r->out || !r->map) {
    rc = hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
    goto fail;
  }
  for (int64_t j = 0; j < r->n_in; j++)
    r->map[j] = j;
  for (size_t i = 0; i < r->ncols; i++) {
    const mask_col *c = &r->cols[i];
    if (hk_table_builder_add_column(
            r->out, c->name, c->kind == K_NULL ? c->type : HK_COL_UTF8) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "mask: out of memory");
      goto fail;
    }
    r->map[c->in_index] = -(int64_t)i - 1;
  }
  hk_schema_release(&schema);
  rc = hk_stream_init_callbacks(output, &cb, r, err);
  if (rc != HK_OK)
    goto fail;
  return HK_OK;
fail:
  hk_schema_release(&schema);
  mask_run_free(r);
  return rc;
}

static const hk_param mask_options[] = {
    {"host", HK_PT_LIST, 0, NULL, NULL,
     "columns of host names (FQDN or NetBIOS; IP addresses in them mask as "
     "IPs)"},
    {"domain", HK_PT_LIST, 0, NULL, NULL,
     "columns of domain names (CONTOSO, contoso.com; NT AUTHORITY and other "
     "built-in ones kept)"},
    {"account", HK_PT_LIST, 0, NULL, NULL,
     "columns of accounts: DOMAIN\\user, user@domain, domain/user or user"},
    {"ip", HK_PT_LIST, 0, NULL, NULL,
     "columns of IP addresses (same /24 or /64 -> same masked subnet; "
     "private stays private, global stays global)"},
    {"email", HK_PT_LIST, 0, NULL, NULL, "columns of e-mail addresses"},
    {"guid", HK_PT_LIST, 0, NULL, NULL, "columns of GUIDs"},
    {"sid", HK_PT_LIST, 0, NULL, NULL,
     "columns of Windows SIDs (well-known SIDs and RIDs < 1000 kept)"},
    {"text", HK_PT_LIST, 0, NULL, NULL,
     "columns of free text: IPs, e-mails, host and user names inside are "
     "masked"},
    {"string", HK_PT_LIST, 0, NULL, NULL,
     "other text columns, masked as a whole (same shape)"},
    {"null", HK_PT_LIST, 0, NULL, NULL, "columns emptied (every cell null)"},
    {"defaults", HK_PT_BOOL, 0, "false", NULL,
     "also mask columns with well-known names (Computer, Account, IpAddress, "
     "CommandLine, ...); on when no column is named"},
    {"key", HK_PT_STRING, HK_P_SECRET, NULL, NULL,
     "HMAC key (use ${env:NAME}); default: the instance's key, else a random "
     "one reported once"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param mask_params[] = {
    {"key", HK_PT_STRING, HK_P_SECRET, NULL, NULL,
     "HMAC key for every run of this instance, e.g. ${env:HK_MASK_KEY}"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt mask_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = mask_options,
    .create = mask_create,
    .destroy = mask_destroy,
    .run = mask_run_analyzer,
};

static const hk_plugin_desc mask_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "mask",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING | HK_PF_SECRETS,
    .summary = "keyed, structure-preserving masking of hosts, accounts, IPs, "
               "e-mails, GUIDs, SIDs and free text (HMAC-SHA256)",
    .entity_types = NULL,
    .params = mask_params,
    .vtable = &mask_vt,
};

static const hk_plugin_desc *const mask_descs[] = {&mask_desc, NULL};

static const hk_plugin_desc *const *
mask_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->ip_classify) {
    hk_error_set(err, HK_E_ABI,
                 "mask: the host offers no IP classifier (ip_classify)");
    return NULL;
  }
  mask_host_api = host;
  return mask_descs;
}

HK_PLUGIN_DEFINE(mask, mask_entry)
