/*
 * plugins/ti_feed/ti_feed_store.c -- the indicator store of `ti_feed`: an
 * arena of strings, an array of entries and an open-addressing hash table
 * from key to the first entry with that key (duplicates are chained), and
 * the normalisation that turns a (type, value) into a key.  See
 * ti_feed_internal.h for the key scheme.
 */
#include "ti_feed_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
hk_tf_store_free(hk_tf_store *st)
{
  for (size_t i = 0; i < st->n_lists; i++) {
    free(st->lists[i].path);
    free(st->lists[i].name);
  }
  free(st->lists);
  free(st->arena);
  free(st->entries);
  free(st->slots);
  memset(st, 0, sizeof *st);
}

int
hk_tf_store_add_list(hk_tf_store *st, const char *path, const char *name,
                     uint32_t *index)
{
  hk_tf_list *l = realloc(st->lists, (st->n_lists + 1) * sizeof *l);
  if (!l)
    return HK_E_NOMEM;
  st->lists = l;
  l[st->n_lists].path = strdup(path);
  l[st->n_lists].name = strdup(name);
  if (!l[st->n_lists].path || !l[st->n_lists].name) {
    free(l[st->n_lists].path);
    free(l[st->n_lists].name);
    return HK_E_NOMEM;
  }
  *index = (uint32_t)st->n_lists++;
  return HK_OK;
}

/* Copy `len` bytes and a NUL into the arena; TF_NONE when out of memory. */
size_t
hk_tf_store_intern(hk_tf_store *st, const char *s, size_t len)
{
  if (st->arena_len + len + 1 > st->arena_cap) {
    size_t cap = st->arena_cap ? st->arena_cap : 65536;
    while (cap < st->arena_len + len + 1)
      cap *= 2;
    char *a = realloc(st->arena, cap);
    if (!a)
      return TF_NONE;
    st->arena = a;
    st->arena_cap = cap;
  }
  size_t off = st->arena_len;
  if (len)
    memcpy(st->arena + off, s, len);
  st->arena[off + len] = '\0';
  st->arena_len += len + 1;
  return off;
}

static uint64_t
key_hash(const char *k, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 31);
}

uint32_t
hk_tf_store_find(const hk_tf_store *st, const char *key, size_t len)
{
  if (!st->n_slots)
    return TF_NONE;
  size_t mask = st->n_slots - 1;
  for (size_t i = key_hash(key, len) & mask;; i = (i + 1) & mask) {
    uint32_t v = st->slots[i];
    if (!v)
      return TF_NONE;
    const hk_tf_entry *e = &st->entries[v - 1];
    if (e->key_len == len && memcmp(st->arena + e->key, key, len) == 0)
      return v - 1;
  }
}

static int
rehash(hk_tf_store *st, size_t n_slots)
{
  uint32_t *slots = calloc(n_slots, sizeof *slots);
  if (!slots)
    return HK_E_NOMEM;
  /* Only the head of each chain has a slot; entries are appended, so a
   * key's head is its earliest entry. */
  for (size_t k = 0; k < st->n_entries; k++) {
    const hk_tf_entry *e = &st->entries[k];
    size_t i = key_hash(st->arena + e->key, e->key_len) & (n_slots - 1);
    int dup = 0;
    while (slots[i]) {
      const hk_tf_entry *o = &st->entries[slots[i] - 1];
      if (o->key_len == e->key_len &&
          memcmp(st->arena + o->key, st->arena + e->key, e->key_len) == 0) {
        dup = 1;
        break;
      }
      i = (i + 1) & (n_slots - 1);
    }
    if (!dup)
      slots[i] = (uint32_t)k + 1;
  }
  free(st->slots);
  st->slots = slots;
  st->n_slots = n_slots;
  return HK_OK;
}

/* ------------------------------------------------------- normalising */

/* Undo the usual defanging in place: returns the new length. */
static size_t
refang(char *s, size_t len)
{
  static const struct {
    const char *from, *to;
  } subs[] = {{"[.]", "."},   {"(.)", "."},     {"{.}", "."}, {"[dot]", "."},
              {"(dot)", "."}, {"[@]", "@"},     {"(@)", "@"}, {"[at]", "@"},
              {"(at)", "@"},  {"[://]", "://"}, {"[:]", ":"}};
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    int done = 0;
    if (s[i] == '[' || s[i] == '(' || s[i] == '{')
      for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++) {
        size_t fl = strlen(subs[k].from), tl = strlen(subs[k].to);
        if (i + fl <= len && strncasecmp(s + i, subs[k].from, fl) == 0) {
          memcpy(s + o, subs[k].to, tl);
          o += tl;
          i += fl;
          done = 1;
          break;
        }
      }
    if (!done)
      s[o++] = s[i++];
  }
  /* hxxp(s):// and fxp:// at the start. */
  if (o >= 4 && strncasecmp(s, "hxxp", 4) == 0) {
    s[1] = 't';
    s[2] = 't';
  } else if (o >= 3 && strncasecmp(s, "fxp", 3) == 0)
    s[1] = 't';
  return o;
}

static void
lower_ascii(char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] >= 'A' && s[i] <= 'Z')
      s[i] = (char)(s[i] - 'A' + 'a');
}

static int
eq_word(const char *s, size_t len, const char *word)
{
  return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

int
hk_tf_class_of_type(const char *t, size_t n)
{
  static const struct {
    const char *name;
    int cls;
  } names[] = {{"ipv4", TF_C_IP},
               {"ipv6", TF_C_IP},
               {"ip", TF_C_IP},
               {"ip-src", TF_C_IP},
               {"ip-dst", TF_C_IP},
               {"ip_address", TF_C_IP},
               {"ipaddress", TF_C_IP},
               {"ipv4-addr", TF_C_IP},
               {"ipv6-addr", TF_C_IP},
               {"cidr", TF_C_IP},
               {"dns", TF_C_DNS},
               {"domain", TF_C_DNS},
               {"hostname", TF_C_DNS},
               {"fqdn", TF_C_DNS},
               {"domain-name", TF_C_DNS},
               {"host", TF_C_DNS},
               {"url", TF_C_URL},
               {"md5", TF_C_HASH},
               {"sha1", TF_C_HASH},
               {"sha256", TF_C_HASH},
               {"md5_hash", TF_C_HASH},
               {"sha1_hash", TF_C_HASH},
               {"sha256_hash", TF_C_HASH},
               {"hash", TF_C_HASH},
               {"file_hash", TF_C_HASH},
               {"filehash", TF_C_HASH},
               {"sha-1", TF_C_HASH},
               {"sha-256", TF_C_HASH},
               {"email", TF_C_EMAIL},
               {"email-src", TF_C_EMAIL},
               {"email-dst", TF_C_EMAIL},
               {"e-mail", TF_C_EMAIL},
               {"email-addr", TF_C_EMAIL},
               {"windows_path", TF_C_WINPATH},
               {"linux_path", TF_C_LINPATH},
               {"path", 0},
               {"filepath", 0},
               {"file_path", 0}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (eq_word(t, n, names[i].name))
      return names[i].cls;
  return TF_C_OTHER;
}

/* Hex length a hash type requires; 0 for any of 32, 40, 64. */
static size_t
hash_len_of_type(const char *t, size_t n)
{
  if (eq_word(t, n, "md5") || eq_word(t, n, "md5_hash"))
    return 32;
  if (eq_word(t, n, "sha1") || eq_word(t, n, "sha1_hash") ||
      eq_word(t, n, "sha-1"))
    return 40;
  if (eq_word(t, n, "sha256") || eq_word(t, n, "sha256_hash") ||
      eq_word(t, n, "sha-256"))
    return 64;
  return 0;
}

static int
ip_key(const char *v, size_t len, hk_buf *key, char *why, size_t why_cap)
{
  const char *slash = memchr(v, '/', len);
  size_t alen = slash ? (size_t)(slash - v) : len;
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  if (hk_tf_host->ip_classify(v, alen, &ip) != HK_OK || ip.family == 0) {
    snprintf(why, why_cap, "'%.*s' is not an IP address",
             (int)(alen > 80 ? 80 : alen), v);
    return HK_E_INVAL;
  }
  int family = ip.family;
  const uint8_t *bytes = ip.addr;
  unsigned bits = family == 4 ? 32 : 128, prefix = bits;
  if (ip.embedded_v4 && family == 6) {
    family = 4;
    bytes = ip.addr + 12;
  }
  if (slash) {
    char *end;
    char digits[8];
    size_t dl = len - alen - 1;
    if (dl == 0 || dl >= sizeof digits) {
      snprintf(why, why_cap, "bad prefix length in '%.*s'",
               (int)(len > 80 ? 80 : len), v);
      return HK_E_INVAL;
    }
    memcpy(digits, slash + 1, dl);
    digits[dl] = '\0';
    unsigned long p = strtoul(digits, &end, 10);
    if (*end || p > bits) {
      snprintf(why, why_cap, "bad prefix length in '%.*s' (0-%u)",
               (int)(len > 80 ? 80 : len), v, bits);
      return HK_E_INVAL;
    }
    prefix = (unsigned)p;
    if (ip.embedded_v4 && ip.family == 6)
      prefix = prefix >= 96 ? prefix - 96 : 0;
  }
  uint8_t masked[16];
  unsigned nbytes = family == 4 ? 4 : 16;
  memcpy(masked, bytes, nbytes);
  for (unsigned i = 0; i < nbytes; i++) {
    unsigned keep = prefix > i * 8 ? prefix - i * 8 : 0;
    if (keep < 8)
      masked[i] &= (uint8_t)(0xff00u >> keep);
  }
  hk_buf_append_char(key, TF_C_IP);
  hk_buf_append_char(key, (char)family);
  hk_buf_append_char(key, (char)prefix);
  return hk_buf_append(key, masked, nbytes);
}

int
hk_tf_make_key(int cls, const char *type, size_t type_len, const char *value,
               size_t len, int do_refang, hk_buf *key, char *why,
               size_t why_cap)
{
  char stack[512], *v = len < sizeof stack ? stack : malloc(len + 1);
  int rc = HK_OK;
  if (!v)
    return HK_E_NOMEM;
  memcpy(v, value, len);
  v[len] = '\0';
  /* Trim: lists and cells often carry stray spaces. */
  size_t start = 0;
  while (start < len && isspace((unsigned char)v[start]))
    start++;
  while (len > start && isspace((unsigned char)v[len - 1]))
    len--;
  memmove(v, v + start, len - start);
  len -= start;
  if (len == 0) {
    snprintf(why, why_cap, "empty value");
    rc = HK_E_INVAL;
    goto out;
  }
  if (do_refang && (cls == TF_C_IP || cls == TF_C_DNS || cls == TF_C_URL ||
                    cls == TF_C_EMAIL))
    len = refang(v, len);
  hk_buf_reset(key);
  switch (cls) {
  case TF_C_IP:
    rc = ip_key(v, len, key, why, why_cap);
    break;
  case TF_C_DNS:
    while (len && v[len - 1] == '.')
      len--;
    if (len == 0 || memchr(v, ' ', len) || memchr(v, '/', len)) {
      snprintf(why, why_cap, "'%.*s' is not a domain name",
               (int)(len > 80 ? 80 : len), v);
      rc = HK_E_INVAL;
      break;
    }
    lower_ascii(v, len);
    hk_buf_append_char(key, TF_C_DNS);
    rc = hk_buf_append(key, v, len);
    break;
  case TF_C_URL: {
    const char *sep = strstr(v, "://");
    if (!sep || sep == v) {
      snprintf(why, why_cap, "'%.*s' is not a URL (no scheme://)",
               (int)(len > 80 ? 80 : len), v);
      rc = HK_E_INVAL;
      break;
    }
    size_t host_start = (size_t)(sep - v) + 3, host_end = host_start;
    while (host_end < len && v[host_end] != '/' && v[host_end] != '?' &&
           v[host_end] != '#')
      host_end++;
    if (host_end == host_start) {
      snprintf(why, why_cap, "'%.*s' has no host", (int)(len > 80 ? 80 : len),
               v);
      rc = HK_E_INVAL;
      break;
    }
    lower_ascii(v, host_end);
    hk_buf_append_char(key, TF_C_URL);
    hk_buf_append(key, v, host_end);
    if (host_end == len || v[host_end] != '/')
      hk_buf_append_char(key, '/');
    rc = hk_buf_append(key, v + host_end, len - host_end);
    break;
  }
  case TF_C_HASH: {
    size_t want = hash_len_of_type(type, type_len);
    int hex = 1;
    for (size_t i = 0; i < len && hex; i++)
      hex = isxdigit((unsigned char)v[i]) != 0;
    if (!hex || (want ? len != want : len != 32 && len != 40 && len != 64)) {
      if (want)
        snprintf(why, why_cap, "'%.*s' is not a %.*s hash (%zu hex digits)",
                 (int)(len > 80 ? 80 : len), v, (int)type_len, type, want);
      else
        snprintf(why, why_cap,
                 "'%.*s' is not an MD5, SHA-1 or SHA-256 hash (32, 40 or 64 "
                 "hex digits)",
                 (int)(len > 80 ? 80 : len), v);
      rc = HK_E_INVAL;
      break;
    }
    lower_ascii(v, len);
    hk_buf_append_char(key, TF_C_HASH);
    rc = hk_buf_append(key, v, len);
    break;
  }
  case TF_C_EMAIL:
  case TF_C_WINPATH:
    if (cls == TF_C_EMAIL && !memchr(v, '@', len)) {
      snprintf(why, why_cap, "'%.*s' is not an e-mail address",
               (int)(len > 80 ? 80 : len), v);
      rc = HK_E_INVAL;
      break;
    }
    lower_ascii(v, len);
    hk_buf_append_char(key, (char)cls);
    rc = hk_buf_append(key, v, len);
    break;
  case TF_C_LINPATH:
    hk_buf_append_char(key, TF_C_LINPATH);
    rc = hk_buf_append(key, v, len);
    break;
  default: {
    hk_buf_append_char(key, TF_C_OTHER);
    size_t at = key->len;
    hk_buf_append(key, type, type_len);
    lower_ascii(key->data + at, type_len);
    hk_buf_append_char(key, '\0');
    rc = hk_buf_append(key, v, len);
  }
  }
out:
  if (v != stack)
    free(v);
  return rc;
}

int
hk_tf_parse_severity(const char *s, size_t len, int *out)
{
  static const struct {
    const char *name;
    int sev;
  } names[] = {
      {"unknown", HK_SEV_UNKNOWN},  {"information", HK_SEV_INFORMATION},
      {"info", HK_SEV_INFORMATION}, {"informational", HK_SEV_INFORMATION},
      {"none", HK_SEV_INFORMATION}, {"low", HK_SEV_LOW},
      {"medium", HK_SEV_MEDIUM},    {"warning", HK_SEV_MEDIUM},
      {"moderate", HK_SEV_MEDIUM},  {"high", HK_SEV_HIGH},
      {"critical", HK_SEV_HIGH}};
  while (len && isspace((unsigned char)*s)) {
    s++;
    len--;
  }
  while (len && isspace((unsigned char)s[len - 1]))
    len--;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (eq_word(s, len, names[i].name)) {
      *out = names[i].sev;
      return 1;
    }
  return 0;
}

const char *
hk_tf_severity_name(int severity)
{
  switch (severity) {
  case HK_SEV_INFORMATION:
    return "information";
  case HK_SEV_LOW:
    return "low";
  case HK_SEV_MEDIUM:
    return "medium";
  case HK_SEV_HIGH:
    return "high";
  default:
    return "unknown";
  }
}

/* A path's class from its text: backslash or drive letter: Windows. */
static int
path_class(const char *v, size_t len)
{
  if (memchr(v, '\\', len) ||
      (len >= 2 && isalpha((unsigned char)v[0]) && v[1] == ':'))
    return TF_C_WINPATH;
  return TF_C_LINPATH;
}

int
hk_tf_store_add(hk_tf_reader *r, uint32_t line, const char *type_name,
                size_t type_len, const char *value, size_t value_len,
                const char *desc, size_t desc_len, int severity,
                const char *extra_json, char *why, size_t why_cap)
{
  hk_tf_store *st = r->store;
  const hk_tf_opts *o = r->opts;
  hk_buf key = HK_BUF_INIT;
  char inferred[32];
  int rc;

  while (type_len && isspace((unsigned char)*type_name)) {
    type_name++;
    type_len--;
  }
  while (type_len && isspace((unsigned char)type_name[type_len - 1]))
    type_len--;
  if (!type_len && o->default_type) {
    type_name = o->default_type;
    type_len = strlen(type_name);
  }
  if (!type_len) {
    /* Classify the value the way a lookup's value is classified. */
    char buf[512];
    size_t n = value_len < sizeof buf - 1 ? value_len : sizeof buf - 1;
    size_t s = 0;
    while (s < n && isspace((unsigned char)value[s]))
      s++;
    while (n > s && isspace((unsigned char)value[n - 1]))
      n--;
    memcpy(buf, value + s, n - s);
    n -= s;
    if (o->refang)
      n = refang(buf, n);
    const char *t = HK_HAS(hk_tf_host, ioc_classify) && n
                        ? hk_tf_host->ioc_classify(buf, n)
                        : NULL;
    if (!t) {
      snprintf(why, why_cap,
               "cannot tell the indicator type of '%.*s': give it a type "
               "(type column, or default_type)",
               (int)(n > 80 ? 80 : n), buf);
      return HK_E_INVAL;
    }
    snprintf(inferred, sizeof inferred, "%s", t);
    type_name = inferred;
    type_len = strlen(inferred);
  }
  int cls = hk_tf_class_of_type(type_name, type_len);
  if (cls == 0)
    cls = path_class(value, value_len);
  rc = hk_tf_make_key(cls, type_name, type_len, value, value_len, o->refang,
                      &key, why, why_cap);
  if (rc != HK_OK) {
    hk_buf_free(&key);
    return rc;
  }
  if (st->n_entries >= UINT32_MAX - 1) {
    hk_buf_free(&key);
    snprintf(why, why_cap, "more than 4 billion indicators");
    return HK_E_LIMIT;
  }
  if (st->n_entries == st->cap_entries) {
    size_t cap = st->cap_entries ? st->cap_entries * 2 : 1024;
    hk_tf_entry *e = realloc(st->entries, cap * sizeof *e);
    if (!e) {
      hk_buf_free(&key);
      return HK_E_NOMEM;
    }
    st->entries = e;
    st->cap_entries = cap;
  }
  hk_tf_entry e;
  memset(&e, 0, sizeof e);
  e.list = r->list;
  e.line = line;
  e.severity = severity;
  e.key_len = (uint32_t)key.len;
  e.key = hk_tf_store_intern(st, key.data, key.len);
  e.type = hk_tf_store_intern(st, type_name, type_len);
  e.value = hk_tf_store_intern(st, value, value_len);
  e.desc = desc && desc_len ? hk_tf_store_intern(st, desc, desc_len) : TF_NONE;
  e.extra = extra_json ? hk_tf_store_intern(st, extra_json, strlen(extra_json))
                       : TF_NONE;
  e.next = TF_NONE;
  if (cls == TF_C_IP) {
    int family = key.data[1];
    unsigned prefix = (unsigned char)key.data[2];
    if (family == 4 && prefix < 32) {
      st->v4_prefixes[prefix] = 1;
      st->has_networks = 1;
    } else if (family == 6 && prefix < 128) {
      st->v6_prefixes[prefix] = 1;
      st->has_networks = 1;
    }
  }
  hk_buf_free(&key);
  if (e.key == TF_NONE || e.type == TF_NONE || e.value == TF_NONE)
    return HK_E_NOMEM;

  uint32_t idx = (uint32_t)st->n_entries;
  st->entries[st->n_entries++] = e;
  /* Chain a duplicate key behind the entries already there, in list
   * order, so the first list's line is reported first. */
  uint32_t head = hk_tf_store_find(st, st->arena + e.key, e.key_len);
  if (head != TF_NONE) {
    st->entries[st->entries[head].tail].next = idx;
    st->entries[head].tail = idx;
    r->n_added++;
    return HK_OK;
  }
  st->entries[idx].tail = idx;
  if ((st->n_entries + 1) * 2 > st->n_slots) {
    rc = rehash(st, st->n_slots ? st->n_slots * 2 : 4096);
    if (rc != HK_OK)
      return rc;
    r->n_added++;
    return HK_OK; /* rehash placed the new head */
  }
  size_t mask = st->n_slots - 1;
  size_t i = key_hash(st->arena + e.key, e.key_len) & mask;
  while (st->slots[i])
    i = (i + 1) & mask;
  st->slots[i] = idx + 1;
  r->n_added++;
  return HK_OK;
}
