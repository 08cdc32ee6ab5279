/*
 * plugins/mask/mask_core.c -- keyed pseudonyms for one value of each kind.
 *
 * Everything comes from HMAC-SHA256 (OpenSSL EVP_MAC) under the run's key,
 * so a value masks the same way in every file masked with the same key and
 * differently under another key; nothing is random per run (MSTICPy's
 * permutation tables were, §17.4).
 *
 *  - names (host labels, user names, e-mail local parts, other strings):
 *    same shape -- each letter becomes a letter (case kept), each digit a
 *    digit, other characters stay -- from the HMAC of the lower-cased
 *    name, so "WS01" and "ws01" give "QX73" and "qx73";
 *  - numbers that must stay in a range (IPv4 subnets and host octets, SID
 *    sub-authorities, RIDs, IPv6 prefixes and interface ids): a keyed
 *    permutation (a four-round Feistel network whose round function is
 *    HMAC-SHA256), with cycle walking to stay inside a sub-range, so
 *    distinct inputs never collide;
 *  - GUIDs: the HMAC's first 16 bytes with the input's version and variant
 *    kept.
 *
 * Included by mask.c and by the white-box test; everything is static.
 */
#include <huntkit/buf.h>
#include <huntkit/host.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <libpsl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*mask_classify_fn)(const char *s, size_t len, hk_ip_info *out);

/* A memo of finished pseudonyms: (kind, input) -> output.  Values repeat a
 * lot in logs (hosts, accounts), and an HMAC costs about a microsecond. */
typedef struct mask_memo_entry {
  struct mask_memo_entry *next;
  uint64_t hash;
  uint32_t in_len, out_len;
  char kind;
  char data[]; /* input then output */
} mask_memo_entry;

/* The memo is emptied when it holds this many bytes, so memory stays
 * flat however many distinct values a table has. */
#define MASK_MEMO_MAX_BYTES (16u << 20)

typedef struct mask_ctx {
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac; /* keyed once; re-initialised with the same key */
  mask_classify_fn classify;
  const psl_ctx_t *psl;
  /* IPv4 permutation round tables, built on first use: subnet /24 of
   * global space (24 bits), 10/8 (16), 172.16/12 (12), CGNAT 100.64/10
   * (14), 192.168/16 and 169.254/16 (8 each) */
  uint16_t *v4_round[6];
  /* host-octet round keys of recently seen masked /24s (direct-mapped) */
  struct {
    uint32_t net24; /* + 1, so 0 is empty */
    unsigned char key[32];
  } v4_host_cache[16384];
  /* global /24 -> masked global /24, recently seen (direct-mapped); the
   * walk to a global /24 asks the host's classifier each step */
  struct {
    uint32_t in; /* + 1, so 0 is empty */
    uint32_t out;
  } v4_net_cache[4096];
  /* the domain parts of recent SIDs: a log holds few domains and many
   * RIDs, and each domain number costs four HMACs */
  struct {
    int used, n;
    uint32_t in[4], out[4];
  } sid_cache[8];
  unsigned sid_next;
  mask_memo_entry **memo;
  size_t memo_buckets, memo_entries, memo_bytes;
  hk_buf tmp;
} mask_ctx;

enum { V4_GLOBAL, V4_TEN, V4_172, V4_CGNAT, V4_192, V4_LINK };
static const int mask_v4_bits[6] = {24, 16, 12, 14, 8, 8};

static void
mask_ctx_free(mask_ctx *m)
{
  if (m->hmac)
    EVP_MAC_CTX_free(m->hmac);
  if (m->mac)
    EVP_MAC_free(m->mac);
  for (int i = 0; i < 6; i++)
    free(m->v4_round[i]);
  for (size_t b = 0; b < m->memo_buckets; b++) {
    mask_memo_entry *e = m->memo[b], *next;
    for (; e; e = next) {
      next = e->next;
      free(e);
    }
  }
  free(m->memo);
  hk_buf_free(&m->tmp);
  memset(m, 0, sizeof *m);
}

static int
mask_ctx_init(mask_ctx *m, const char *key, size_t key_len,
              mask_classify_fn classify, const psl_ctx_t *psl)
{
  OSSL_PARAM params[2];
  memset(m, 0, sizeof *m);
  m->classify = classify;
  m->psl = psl;
  m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  m->hmac = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
  if (!m->hmac) {
    mask_ctx_free(m);
    return HK_E_NOMEM;
  }
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                               (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (!EVP_MAC_init(m->hmac, (const unsigned char *)key, key_len, params)) {
    mask_ctx_free(m);
    return HK_E_FAIL;
  }
  return HK_OK;
}

/* HMAC-SHA256(key, tag || 0 || data) into out[32]. */
static void
mask_hmac(mask_ctx *m, const char *tag, const void *data, size_t len,
          unsigned char out[32])
{
  size_t outl = 0;
  EVP_MAC_init(m->hmac, NULL, 0, NULL);
  EVP_MAC_update(m->hmac, (const unsigned char *)tag, strlen(tag) + 1);
  EVP_MAC_update(m->hmac, data, len);
  EVP_MAC_final(m->hmac, out, &outl, 32);
}

/* ---- memo --------------------------------------------------------------- */

static uint64_t
mask_fnv(char kind, const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL ^ (unsigned char)kind;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static const char *
mask_memo_get(mask_ctx *m, char kind, const char *s, size_t n, size_t *out_len)
{
  uint64_t h;
  if (!m->memo_buckets)
    return NULL;
  h = mask_fnv(kind, s, n);
  for (mask_memo_entry *e = m->memo[h & (m->memo_buckets - 1)]; e; e = e->next)
    if (e->hash == h && e->kind == kind && e->in_len == n &&
        memcmp(e->data, s, n) == 0) {
      *out_len = e->out_len;
      return e->data + n;
    }
  return NULL;
}

static void
mask_memo_clear(mask_ctx *m)
{
  for (size_t b = 0; b < m->memo_buckets; b++) {
    mask_memo_entry *e = m->memo[b], *next;
    for (; e; e = next) {
      next = e->next;
      free(e);
    }
    m->memo[b] = NULL;
  }
  m->memo_entries = 0;
  m->memo_bytes = 0;
}

/* Remember a result; silently skipped when memory is short (the memo is
 * only a cache). */
static void
mask_memo_put(mask_ctx *m, char kind, const char *s, size_t n, const char *o,
              size_t on)
{
  mask_memo_entry *e;
  uint64_t h;
  if (n > 256 || on > 1024)
    return;
  if (m->memo_bytes >= MASK_MEMO_MAX_BYTES)
    mask_memo_clear(m);
  if (m->memo_entries >= m->memo_buckets) {
    size_t nb = m->memo_buckets ? m->memo_buckets * 2 : 4096;
    mask_memo_entry **b = calloc(nb, sizeof *b);
    if (!b)
      return;
    for (size_t i = 0; i < m->memo_buckets; i++) {
      mask_memo_entry *x = m->memo[i], *next;
      for (; x; x = next) {
        next = x->next;
        x->next = b[x->hash & (nb - 1)];
        b[x->hash & (nb - 1)] = x;
      }
    }
    free(m->memo);
    m->memo = b;
    m->memo_buckets = nb;
  }
  e = malloc(sizeof *e + n + on);
  if (!e)
    return;
  h = mask_fnv(kind, s, n);
  e->hash = h;
  e->kind = kind;
  e->in_len = (uint32_t)n;
  e->out_len = (uint32_t)on;
  memcpy(e->data, s, n);
  memcpy(e->data + n, o, on);
  e->next = m->memo[h & (m->memo_buckets - 1)];
  m->memo[h & (m->memo_buckets - 1)] = e;
  m->memo_entries++;
  m->memo_bytes += sizeof *e + n + on + sizeof(void *);
}

/* ---- keyed permutations ------------------------------------------------- */

/* Round tables for a small domain (bits <= 24): 4 rounds x 2^(bits/2)
 * entries of bits/2 bits, from HMAC blocks (tag, block number). */
static uint16_t *
mask_round_table(mask_ctx *m, const char *tag, int bits)
{
  size_t half = (size_t)1 << (bits / 2), n = 4 * half;
  uint16_t *t = malloc(n * sizeof *t);
  unsigned char block[32];
  if (!t)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (i % 16 == 0) {
      uint32_t k = (uint32_t)(i / 16);
      mask_hmac(m, tag, &k, sizeof k, block);
    }
    t[i] = (uint16_t)((block[(i % 16) * 2] << 8 | block[(i % 16) * 2 + 1]) &
                      (half - 1));
  }
  return t;
}

/* Four-round Feistel permutation of [0, 2^bits) (bits even, <= 24) with
 * round tables `t`. */
static uint32_t
mask_feistel_small(const uint16_t *t, int bits, uint32_t x)
{
  uint32_t hb = (uint32_t)bits / 2, mask = (1u << hb) - 1;
  uint32_t l = x >> hb, r = x & mask;
  for (int round = 0; round < 4; round++) {
    uint32_t f = t[((size_t)round << hb) + r];
    uint32_t nl = r;
    r = (l ^ f) & mask;
    l = nl;
  }
  return l << hb | r;
}

/* Four-round Feistel permutation of [0, 2^bits) (bits even, <= 64) whose
 * round function is HMAC(tag || tweak || round || half). */
static uint64_t
mask_feistel_hmac(mask_ctx *m, const char *tag, uint64_t tweak, int bits,
                  uint64_t x)
{
  int hb = bits / 2;
  uint64_t mask = hb == 64 ? ~0ULL : (((uint64_t)1 << hb) - 1);
  uint64_t l = x >> hb, r = x & mask;
  for (uint8_t round = 0; round < 4; round++) {
    unsigned char in[17], out[32];
    uint64_t f = 0;
    memcpy(in, &tweak, 8);
    in[8] = round;
    memcpy(in + 9, &r, 8);
    mask_hmac(m, tag, in, sizeof in, out);
    for (int i = 0; i < 8; i++)
      f = f << 8 | out[i];
    uint64_t nl = r;
    r = (l ^ f) & mask;
    l = nl;
  }
  return l << hb | r;
}

/* ---- shape-preserving names --------------------------------------------- */

static int
mask_utf8_len(unsigned char c)
{
  return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Append the pseudonym of s[0..n) to `out`: letters to letters (case of
 * each kept), digits to digits, other ASCII kept, each non-ASCII character
 * to one lower-case letter.  Keyed by the lower-cased text. */
static int
mask_name(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  unsigned char stream[32];
  size_t used = 32;
  uint32_t block = 0;
  hk_buf *low = &m->tmp;

  hk_buf_reset(low);
  if (hk_buf_reserve(low, n + 8) != HK_OK)
    return HK_E_NOMEM;
  for (size_t i = 0; i < n; i++)
    low->data[i] = (char)tolower((unsigned char)s[i]);
  low->len = n;
  if (hk_buf_reserve(out, n) != HK_OK)
    return HK_E_NOMEM;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    unsigned char b;
    if (!isalnum(c) && c < 0x80) {
      hk_buf_append_char(out, (char)c);
      i++;
      continue;
    }
    if (used == 32) {
      /* stream block k: HMAC("name", k || lower-cased text) */
      memcpy(low->data + n, &block, 4);
      mask_hmac(m, "name", low->data, n + 4, stream);
      block++;
      used = 0;
    }
    b = stream[used++];
    if (c >= 0x80) {
      hk_buf_append_char(out, (char)('a' + b % 26));
      i += (size_t)mask_utf8_len(c);
    } else if (isdigit(c)) {
      hk_buf_append_char(out, (char)('0' + b % 10));
      i++;
    } else {
      hk_buf_append_char(out, (char)((isupper(c) ? 'A' : 'a') + b % 26));
      i++;
    }
  }
  return HK_OK;
}

static int
mask_ieq(const char *s, size_t n, const char *word)
{
  size_t k = strlen(word);
  if (k != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (tolower((unsigned char)s[i]) != word[i])
      return 0;
  return 1;
}

static int
mask_in_list(const char *s, size_t n, const char *const *list)
{
  for (; *list; list++)
    if (mask_ieq(s, n, *list))
      return 1;
  return 0;
}

/* Built-in account and domain names: not personal, and masking them would
 * hide what an analyst needs to see (SYSTEM did it, not a user). */
static const char *const mask_wk_users[] = {"administrator",
                                            "guest",
                                            "system",
                                            "local service",
                                            "localservice",
                                            "network service",
                                            "networkservice",
                                            "root",
                                            "crontab",
                                            "nt authority",
                                            "krbtgt",
                                            "defaultaccount",
                                            "wdagutilityaccount",
                                            "anonymous logon",
                                            "anonymous",
                                            "nobody",
                                            "daemon",
                                            "www-data",
                                            "iusr",
                                            "-",
                                            NULL};
static const char *const mask_wk_domains[] = {"nt authority",
                                              "builtin",
                                              "nt service",
                                              "workgroup",
                                              "window manager",
                                              "font driver host",
                                              "iis apppool",
                                              "nt virtual machine",
                                              "-",
                                              NULL};
/* Top-level names of private networks, kept like a public suffix. */
static const char *const mask_internal_tlds[] = {
    "local", "localdomain", "lan",       "internal", "intranet",
    "corp",  "home",        "localhost", NULL};

static int
mask_wk_user(const char *s, size_t n)
{
  /* virtual accounts of the window manager and font driver: DWM-1, UMFD-0 */
  if ((n > 4 && mask_ieq(s, 4, "dwm-")) || (n > 5 && mask_ieq(s, 5, "umfd-")))
    return 1;
  return mask_in_list(s, n, mask_wk_users);
}

/* Labels at the end of `s` (a dotted name) that are a public suffix (ICANN
 * section) or an internal top-level name: their byte length, 0 if none. */
static size_t
mask_suffix_len(mask_ctx *m, const char *s, size_t n)
{
  char buf[256];
  size_t best = 0;
  if (n >= sizeof buf)
    return 0;
  for (size_t i = 0; i < n; i++)
    buf[i] = (char)tolower((unsigned char)s[i]);
  buf[n] = '\0';
  {
    /* last label: internal names first */
    size_t st = n;
    while (st > 0 && buf[st - 1] != '.')
      st--;
    if (st > 0 && mask_in_list(buf + st, n - st, mask_internal_tlds))
      return n - st;
  }
  if (!m->psl)
    return 0;
  /* the longest suffix that is public, scanning labels from the left */
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && buf[i - 1] != '.')
      continue;
    if (i == 0)
      continue; /* the whole name is never kept */
    if (psl_is_public_suffix2(m->psl, buf + i,
                              PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) {
      best = n - i;
      break;
    }
  }
  return best;
}

/* ---- kinds -------------------------------------------------------------- */

static int mask_ip(mask_ctx *m, const char *s, size_t n, hk_buf *out,
                   int *changed);

/* A host name: every label masked, the public suffix (co.uk, com) or an
 * internal top-level name (local, corp) kept; an IP address masked as one. */
static int
mask_host(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  size_t keep, start = 0;
  hk_ip_info info;
  int rc, changed;

  if (n == 0 || mask_ieq(s, n, "localhost") || mask_ieq(s, n, "-"))
    return hk_buf_append(out, s, n);
  info.struct_size = sizeof info;
  if (m->classify && m->classify(s, n, &info) == HK_OK)
    return mask_ip(m, s, n, out, &changed);
  keep = memchr(s, '.', n) ? mask_suffix_len(m, s, n) : 0;
  while (start < n - keep) {
    size_t e = start;
    while (e < n - keep && s[e] != '.')
      e++;
    if ((rc = mask_name(m, s + start, e - start, out)) != HK_OK)
      return rc;
    if (e < n - keep)
      hk_buf_append_char(out, '.');
    start = e + 1;
  }
  return hk_buf_append(out, s + (n - keep), keep);
}

/* A user name: kept when built in; a machine account (NAME$) masks like
 * the host NAME. */
static int
mask_user(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  if (n == 0 || mask_wk_user(s, n))
    return hk_buf_append(out, s, n);
  if (s[n - 1] == '$') {
    int rc = mask_host(m, s, n - 1, out);
    return rc ? rc : hk_buf_append_char(out, '$');
  }
  return mask_name(m, s, n, out);
}

static int
mask_domain_part(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  if (mask_in_list(s, n, mask_wk_domains))
    return hk_buf_append(out, s, n);
  return mask_host(m, s, n, out);
}

/* DOMAIN\user, user@domain (UPN), domain/user (MSTICPy's NT form) or
 * user. */
static int
mask_account(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  const char *sep;
  int rc;
  if ((sep = memchr(s, '\\', n)) || (sep = memchr(s, '/', n))) {
    size_t dl = (size_t)(sep - s);
    if ((rc = mask_domain_part(m, s, dl, out)) != HK_OK)
      return rc;
    hk_buf_append_char(out, *sep);
    return mask_user(m, sep + 1, n - dl - 1, out);
  }
  if ((sep = memchr(s, '@', n))) {
    size_t ul = (size_t)(sep - s);
    if ((rc = mask_user(m, s, ul, out)) != HK_OK)
      return rc;
    hk_buf_append_char(out, '@');
    return mask_domain_part(m, sep + 1, n - ul - 1, out);
  }
  return mask_user(m, s, n, out);
}

/* local@domain; a value without '@' masks as a name. */
static int
mask_email(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  const char *at = memchr(s, '@', n);
  int rc;
  if (!at)
    return mask_name(m, s, n, out);
  if ((rc = mask_name(m, s, (size_t)(at - s), out)) != HK_OK)
    return rc;
  hk_buf_append_char(out, '@');
  return mask_host(m, at + 1, n - (size_t)(at - s) - 1, out);
}

static int
mask_hexval(int c)
{
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* A GUID in any of its spellings ({...}, with or without dashes, any
 * case): 16 bytes of HMAC in the same spelling, version nibble and variant
 * bits kept; the nil GUID stays.  Returns 0 when `s` is not a GUID. */
static int
mask_guid(mask_ctx *m, const char *s, size_t n, hk_buf *out, int *is_guid)
{
  unsigned char in[16] = {0}, mac[32];
  int digits = 0, upper = 0, nil = 1;
  size_t o = 0;

  *is_guid = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isxdigit(c)) {
      if (digits >= 32)
        return HK_OK;
      in[digits / 2] = (unsigned char)(in[digits / 2] << 4 | mask_hexval(c));
      upper |= isupper(c) != 0;
      digits++;
    } else if (!(c == '-' || (c == '{' && i == 0) ||
                 (c == '}' && i == n - 1))) {
      return HK_OK;
    }
  }
  if (digits != 32)
    return HK_OK;
  *is_guid = 1;
  for (int i = 0; i < 16; i++)
    nil &= in[i] == 0;
  if (nil)
    return hk_buf_append(out, s, n);
  mask_hmac(m, "guid", in, 16, mac);
  mac[6] = (unsigned char)((mac[6] & 0x0f) | (in[6] & 0xf0));
  mac[8] = (unsigned char)((mac[8] & 0x3f) | (in[8] & 0xc0));
  if (hk_buf_reserve(out, n) != HK_OK)
    return HK_E_NOMEM;
  digits = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isxdigit(c)) {
      unsigned v = digits % 2 ? mac[digits / 2] & 15u : mac[digits / 2] >> 4;
      char ch = "0123456789abcdef"[v];
      out->data[out->len + o++] = upper ? (char)toupper(ch) : ch;
      digits++;
    } else {
      out->data[out->len + o++] = (char)c;
    }
  }
  out->len += o;
  out->data[out->len] = '\0';
  return HK_OK;
}

/* Parse "S-1-a-b-c..." into sub-authorities; 0 when it is not a SID. */
static int
mask_sid_parse(const char *s, size_t n, uint64_t *auth, uint32_t *sub,
               int *nsub)
{
  size_t i = 4;
  *nsub = 0;
  if (n < 5 || (s[0] != 'S' && s[0] != 's') || s[1] != '-' || s[2] != '1' ||
      s[3] != '-')
    return 0;
  for (int part = 0;; part++) {
    uint64_t v = 0;
    size_t st = i;
    while (i < n && isdigit((unsigned char)s[i])) {
      v = v * 10 + (uint64_t)(s[i] - '0');
      if (v > 0xffffffffffffULL)
        return 0;
      i++;
    }
    if (i == st)
      return 0;
    if (part == 0) {
      *auth = v;
    } else {
      if (v > 0xffffffffULL || *nsub >= 15)
        return 0;
      sub[(*nsub)++] = (uint32_t)v;
    }
    if (i == n)
      return 1;
    if (s[i] != '-')
      return 0;
    i++;
  }
}

/* A 32-bit number through the keyed permutation, cycle-walked to stay at
 * or above `lo`. */
static uint32_t
mask_u32(mask_ctx *m, const char *tag, uint64_t tweak, uint32_t v, uint32_t lo)
{
  uint64_t x = v;
  do
    x = mask_feistel_hmac(m, tag, tweak, 32, x);
  while (x < lo);
  return (uint32_t)x;
}

/* Windows SIDs: the domain part of S-1-5-21-a-b-c[-RID] and of Azure AD's
 * S-1-12-1-a-b-c-d masked number by number (so they stay 32-bit numbers);
 * RIDs below 1000 (built-in accounts and groups) kept, others masked to
 * numbers >= 1000; every other SID (S-1-5-18, S-1-5-32-544, service SIDs)
 * is well known and kept. */
static int
mask_sid(mask_ctx *m, const char *s, size_t n, hk_buf *out)
{
  uint64_t auth;
  uint32_t sub[15];
  int nsub, first, ndom;
  uint64_t tweak = 0;

  if (!mask_sid_parse(s, n, &auth, sub, &nsub))
    return hk_buf_append(out, s, n);
  if (auth == 5 && nsub >= 4 && sub[0] == 21) {
    first = 1;
    ndom = 3;
  } else if (auth == 12 && nsub == 5 && sub[0] == 1) {
    first = 1;
    ndom = 4;
  } else {
    return hk_buf_append(out, s, n);
  }
  for (int i = first; i < first + ndom; i++)
    tweak = tweak * 1000003u + sub[i];
  {
    int hit = -1;
    for (int c = 0; c < 8 && hit < 0; c++)
      if (m->sid_cache[c].used && m->sid_cache[c].n == ndom &&
          memcmp(m->sid_cache[c].in, sub + first,
                 (size_t)ndom * sizeof(uint32_t)) == 0)
        hit = c;
    if (hit < 0) {
      hit = (int)(m->sid_next++ % 8);
      m->sid_cache[hit].used = 1;
      m->sid_cache[hit].n = ndom;
      memcpy(m->sid_cache[hit].in, sub + first,
             (size_t)ndom * sizeof(uint32_t));
      for (int i = 0; i < ndom; i++)
        m->sid_cache[hit].out[i] =
            mask_u32(m, "sid-domain", (uint64_t)(first + i), sub[first + i], 0);
    }
    memcpy(sub + first, m->sid_cache[hit].out, (size_t)ndom * sizeof(uint32_t));
  }
  for (int i = first + ndom; i < nsub; i++)
    if (sub[i] >= 1000)
      sub[i] = mask_u32(m, "sid-rid", tweak, sub[i], 1000);
  hk_buf_appendf(out, "S-1-%llu", (unsigned long long)auth);
  for (int i = 0; i < nsub; i++)
    hk_buf_appendf(out, "-%lu", (unsigned long)sub[i]);
  return HK_OK;
}

/* ---- IP addresses ------------------------------------------------------- */

static const char *const mask_v4_tags[6] = {"v4-global", "v4-10",  "v4-172",
                                            "v4-cgnat",  "v4-192", "v4-link"};

static uint32_t
mask_v4_perm(mask_ctx *m, int which, uint32_t x)
{
  if (!m->v4_round[which]) {
    m->v4_round[which] =
        mask_round_table(m, mask_v4_tags[which], mask_v4_bits[which]);
    if (!m->v4_round[which])
      return x; /* out of memory: caller checks with the table pointer */
  }
  return mask_feistel_small(m->v4_round[which], mask_v4_bits[which], x);
}

static int
mask_v4_is_global_net(mask_ctx *m, uint32_t net24)
{
  char buf[20];
  hk_ip_info info;
  int n = snprintf(buf, sizeof buf, "%u.%u.%u.1", net24 >> 16,
                   (net24 >> 8) & 255, net24 & 255);
  info.struct_size = sizeof info;
  return m->classify(buf, (size_t)n, &info) == HK_OK &&
         info.ip_class == HK_IP_GLOBAL;
}

/* Host octet within a masked /24: 0 and 255 stay, 1..254 are permuted by
 * a table keyed on the masked network. */
static uint32_t
mask_v4_host(mask_ctx *m, uint32_t net24, uint32_t host)
{
  unsigned char *t;
  uint16_t round[64];
  uint32_t x = host, slot = (net24 * 2654435761u) >> 18;
  if (host == 0 || host == 255)
    return host;
  t = m->v4_host_cache[slot].key;
  if (m->v4_host_cache[slot].net24 != net24 + 1) {
    mask_hmac(m, "v4-host", &net24, sizeof net24, t);
    m->v4_host_cache[slot].net24 = net24 + 1;
  }
  for (int i = 0; i < 64; i++)
    round[i] = (uint16_t)((t[i / 2] >> (i % 2 ? 0 : 4)) & 15);
  do
    x = mask_feistel_small(round, 8, x);
  while (x == 0 || x == 255);
  return x;
}

/* An IPv4 address (a[0..3]) in place; returns 0 when it is kept. */
static int
mask_v4(mask_ctx *m, uint8_t *a, int ip_class)
{
  uint32_t ip =
      (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
  uint32_t net = ip >> 8, which, bits;

  switch (ip_class) {
  case HK_IP_GLOBAL: {
    uint32_t slot = (net * 2654435761u) >> 20;
    if (m->v4_net_cache[slot].in == net + 1) {
      net = m->v4_net_cache[slot].out;
    } else {
      uint32_t in = net;
      if (!mask_v4_is_global_net(m, net))
        return 0; /* a global address in a special /24 (192.0.0.9) */
      do
        net = mask_v4_perm(m, V4_GLOBAL, net);
      while (!mask_v4_is_global_net(m, net));
      if (!m->v4_round[V4_GLOBAL])
        return -1;
      m->v4_net_cache[slot].in = in + 1;
      m->v4_net_cache[slot].out = net;
    }
    ip = net << 8 | mask_v4_host(m, net, ip & 255);
    break;
  }
  case HK_IP_PRIVATE:
  case HK_IP_CGNAT:
  case HK_IP_LINK_LOCAL:
    if (a[0] == 10)
      which = V4_TEN;
    else if (a[0] == 172)
      which = V4_172;
    else if (a[0] == 192)
      which = V4_192;
    else if (a[0] == 100)
      which = V4_CGNAT;
    else if (a[0] == 169)
      which = V4_LINK;
    else
      return 0;
    bits = (uint32_t)mask_v4_bits[which];
    net = (net >> bits << bits) |
          mask_v4_perm(m, (int)which, net & ((1u << bits) - 1));
    if (!m->v4_round[which])
      return -1;
    ip = net << 8 | mask_v4_host(m, net, ip & 255);
    break;
  default:
    return 0;
  }
  a[0] = (uint8_t)(ip >> 24);
  a[1] = (uint8_t)(ip >> 16);
  a[2] = (uint8_t)(ip >> 8);
  a[3] = (uint8_t)ip;
  return 1;
}

static uint64_t
mask_be64(const uint8_t *p)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

static void
mask_put_be64(uint8_t *p, uint64_t v)
{
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

static int
mask_v6_is_global_net(mask_ctx *m, uint64_t prefix)
{
  uint8_t a[16] = {0};
  char buf[64];
  hk_ip_info info;
  mask_put_be64(a, prefix);
  a[15] = 1;
  inet_ntop(AF_INET6, a, buf, sizeof buf);
  info.struct_size = sizeof info;
  return m->classify(buf, strlen(buf), &info) == HK_OK &&
         info.ip_class == HK_IP_GLOBAL && !info.embedded_v4;
}

/* The low `bits` bits of `v` permuted (bits odd allowed: the permutation
 * runs on bits+1 and cycle-walks back). */
static uint64_t
mask_low_bits(mask_ctx *m, const char *tag, int bits, uint64_t v)
{
  int fb = bits + (bits & 1);
  uint64_t lim = (uint64_t)1 << bits, x = v & (lim - 1);
  do
    x = mask_feistel_hmac(m, tag, 0, fb, x);
  while (x >= lim);
  return (v & ~(lim - 1)) | x;
}

/* An IPv6 address (a[0..15]) in place: the /64 prefix maps as a unit
 * (global stays global in 2000::/3, unique-local in fc00::/7, link-local
 * keeps fe80::/64), the interface id by a permutation keyed on the masked
 * prefix; embedded IPv4 (::ffff:a.b.c.d, 64:ff9b::/96) masks as IPv4.
 * Returns 0 when kept. */
static int
mask_v6(mask_ctx *m, uint8_t *a, const hk_ip_info *info)
{
  uint64_t prefix = mask_be64(a), iid = mask_be64(a + 8);

  if (info->embedded_v4)
    return mask_v4(m, a + 12, info->ip_class);
  switch (info->ip_class) {
  case HK_IP_GLOBAL:
    if ((a[0] & 0xe0) != 0x20 || !mask_v6_is_global_net(m, prefix))
      return 0;
    do
      prefix = mask_low_bits(m, "v6-global", 61, prefix);
    while (!mask_v6_is_global_net(m, prefix));
    break;
  case HK_IP_PRIVATE:
    if ((a[0] & 0xfe) != 0xfc)
      return 0;
    prefix = mask_low_bits(m, "v6-ula", 57, prefix);
    break;
  case HK_IP_LINK_LOCAL:
    break;
  default:
    return 0;
  }
  if (iid != 0)
    do
      iid = mask_feistel_hmac(m, "v6-iid", prefix, 64, iid);
    while (iid == 0);
  mask_put_be64(a, prefix);
  mask_put_be64(a + 8, iid);
  return 1;
}

/* An IP address: masked in the same family and class, written in
 * canonical form; a value that is not an address masks as a name. */
static int
mask_ip_known(mask_ctx *m, const char *s, size_t n, hk_ip_info info,
              hk_buf *out, int *changed)
{
  char buf[64];
  int rc;

  *changed = 0;
  rc = info.family == 4 ? mask_v4(m, info.addr, info.ip_class)
                        : mask_v6(m, info.addr, &info);
  if (rc < 0)
    return HK_E_NOMEM;
  if (rc == 0)
    return hk_buf_append(out, s, n);
  *changed = 1;
  if (info.family == 4)
    inet_ntop(AF_INET, info.addr, buf, sizeof buf);
  else
    inet_ntop(AF_INET6, info.addr, buf, sizeof buf);
  return hk_buf_append_str(out, buf);
}

static int
mask_ip(mask_ctx *m, const char *s, size_t n, hk_buf *out, int *changed)
{
  hk_ip_info info;
  *changed = 0;
  info.struct_size = sizeof info;
  if (!m->classify || m->classify(s, n, &info) != HK_OK)
    return mask_name(m, s, n, out);
  return mask_ip_known(m, s, n, info, out, changed);
}
