/*
 * plugins/mask/mask_text.c -- masking inside free text (command lines,
 * messages): e-mail addresses, UNC host names (\\host\share), the user
 * name in profile paths (C:\Users\NAME\, /home/NAME/), SIDs, GUIDs, IPv4
 * and IPv6 addresses and domain names are found with one PCRE2 pattern
 * and replaced by the same pseudonyms as in their own columns.  Between
 * them, words equal to a host or user name already masked in a structured
 * column of this run (e.g. "WS01" in "logon from WS01") are replaced too.
 *
 * Included by mask.c and by the white-box test; everything is static.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Known names, lower-cased, in an open-addressing set. */
typedef struct mask_names {
  char **slot;
  size_t cap, n;
} mask_names;

static void
mask_names_free(mask_names *k)
{
  for (size_t i = 0; i < k->cap; i++)
    free(k->slot[i]);
  free(k->slot);
  memset(k, 0, sizeof *k);
}

static size_t
mask_names_find(const mask_names *k, const char *s, size_t n, int *found)
{
  uint64_t h = mask_fnv('n', "", 0);
  size_t i;
  for (size_t j = 0; j < n; j++) {
    h ^= (unsigned char)tolower((unsigned char)s[j]);
    h *= 1099511628211ULL;
  }
  i = (size_t)h & (k->cap - 1);
  for (;;) {
    const char *e = k->slot[i];
    if (!e) {
      *found = 0;
      return i;
    }
    if (strlen(e) == n) {
      size_t j = 0;
      while (j < n && e[j] == tolower((unsigned char)s[j]))
        j++;
      if (j == n) {
        *found = 1;
        return i;
      }
    }
    i = (i + 1) & (k->cap - 1);
  }
}

static int
mask_names_has(const mask_names *k, const char *s, size_t n)
{
  int found = 0;
  if (!k->cap)
    return 0;
  mask_names_find(k, s, n, &found);
  return found;
}

/* Remember a name of 3+ characters that is not only digits. */
static int
mask_names_add(mask_names *k, const char *s, size_t n)
{
  int found, digits = 1;
  size_t i;
  char *copy;
  if (n < 3 || n > 255)
    return HK_OK;
  for (i = 0; i < n; i++)
    digits &= isdigit((unsigned char)s[i]) != 0;
  if (digits)
    return HK_OK;
  if ((k->n + 1) * 2 > k->cap) {
    mask_names grown = {0};
    grown.cap = k->cap ? k->cap * 2 : 256;
    grown.slot = calloc(grown.cap, sizeof *grown.slot);
    if (!grown.slot)
      return HK_E_NOMEM;
    for (i = 0; i < k->cap; i++)
      if (k->slot[i]) {
        size_t at =
            mask_names_find(&grown, k->slot[i], strlen(k->slot[i]), &found);
        grown.slot[at] = k->slot[i];
      }
    grown.n = k->n;
    free(k->slot);
    *k = grown;
  }
  i = mask_names_find(k, s, n, &found);
  if (found)
    return HK_OK;
  if (!(copy = malloc(n + 1)))
    return HK_E_NOMEM;
  for (size_t j = 0; j < n; j++)
    copy[j] = (char)tolower((unsigned char)s[j]);
  copy[n] = '\0';
  k->slot[i] = copy;
  k->n++;
  return HK_OK;
}

/* ---- the pattern -------------------------------------------------------- */

#define MT_LABEL "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
static const char mask_text_regex[] =
    "(?<email>[a-z0-9._%+-]{1,64}@(?:" MT_LABEL "\\.){1,126}[a-z]{2,63})"
    "(?![a-z0-9-])"
    "|\\\\\\\\(?<unc>[a-z0-9][a-z0-9._$-]{0,253})(?=[\\\\/])"
    "|(?<=\\\\users\\\\|\\\\documents and settings\\\\|/home/|/users/)"
    "(?<prof>[^\\\\/:*?\"<>|\\r\\n]{1,64})(?=[\\\\/])"
    "|(?<sid>\\bS-1-[0-9]{1,14}(?:-[0-9]{1,10}){1,14}\\b)"
    "|(?<guid>\\{?\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
    "[0-9a-f]{12}\\b\\}?)"
    "|(?<ip4>(?<![0-9.])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![0-9]|\\.[0-9]))"
    "|(?<ip6>(?<![:.\\w])(?:[0-9a-f]{0,4}:){2,7}"
    "(?:(?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9a-f]{0,4})(?![:.\\w]))"
    "|(?<fqdn>(?<![\\w.-])(?:" MT_LABEL "\\.){1,126}[a-z]{2,63}(?![\\w-]))";

enum {
  MT_EMAIL,
  MT_UNC,
  MT_PROF,
  MT_SID,
  MT_GUID,
  MT_IP4,
  MT_IP6,
  MT_FQDN,
  MT_NKIND
};
static const char *const mask_text_groups[MT_NKIND] = {
    "email", "unc", "prof", "sid", "guid", "ip4", "ip6", "fqdn"};

/* Two-label names whose last label is a top-level domain but which are far
 * more often file names (setup.py, run.sh): left alone in free text. */
static const char *const mask_file_exts[] = {
    "py", "sh",   "pl",  "ps",  "zip", "mov", "rs",  "md",
    "cc", "so",   "ai",  "app", "bat", "cab", "dll", "exe",
    "js", "json", "log", "msi", "txt", NULL};
/* Profile directories that are not people. */
static const char *const mask_wk_profiles[] = {
    "public",     "default", "default user", "all users", "defaultapppool",
    "%username%", NULL};

typedef struct mask_text {
  pcre2_code *re;
  pcre2_match_data *md;
  uint32_t group[MT_NKIND];
  mask_names known;
  hk_buf piece;
} mask_text;

static void
mask_text_free(mask_text *t)
{
  if (t->re)
    pcre2_code_free(t->re);
  if (t->md)
    pcre2_match_data_free(t->md);
  mask_names_free(&t->known);
  hk_buf_free(&t->piece);
  memset(t, 0, sizeof *t);
}

static int
mask_text_init(mask_text *t)
{
  int errcode;
  PCRE2_SIZE erroff;
  memset(t, 0, sizeof *t);
  t->re = pcre2_compile((PCRE2_SPTR)mask_text_regex, PCRE2_ZERO_TERMINATED,
                        PCRE2_CASELESS, &errcode, &erroff, NULL);
  if (!t->re)
    return HK_E_FAIL;
  (void)pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE);
  t->md = pcre2_match_data_create_from_pattern(t->re, NULL);
  if (!t->md) {
    mask_text_free(t);
    return HK_E_NOMEM;
  }
  for (int i = 0; i < MT_NKIND; i++)
    t->group[i] = (uint32_t)pcre2_substring_number_from_name(
        t->re, (PCRE2_SPTR)mask_text_groups[i]);
  return HK_OK;
}

static int
mask_word_char(unsigned char c)
{
  return isalnum(c) || c == '_' || c == '$' || c == '-' || c >= 0x80;
}

/* Copy s[0..n) to `out`, replacing words that are known names. */
static int
mask_text_words(mask_ctx *m, mask_text *t, const char *s, size_t n, hk_buf *out)
{
  size_t i = 0;
  int rc;
  if (!t->known.n)
    return hk_buf_append(out, s, n);
  while (i < n) {
    size_t st = i;
    if (!mask_word_char((unsigned char)s[i])) {
      while (i < n && !mask_word_char((unsigned char)s[i]))
        i++;
      if ((rc = hk_buf_append(out, s + st, i - st)) != HK_OK)
        return rc;
      continue;
    }
    while (i < n && mask_word_char((unsigned char)s[i]))
      i++;
    {
      size_t wl = i - st;
      int dollar = wl > 1 && s[i - 1] == '$';
      if (mask_names_has(&t->known, s + st, wl - (size_t)dollar))
        rc = mask_user(m, s + st, wl, out);
      else
        rc = hk_buf_append(out, s + st, wl);
      if (rc != HK_OK)
        return rc;
    }
  }
  return HK_OK;
}

/* A domain name found in text is one when its top-level label is a public
 * suffix or an internal name, and it is not a file name like setup.py. */
static int
mask_text_is_domain(mask_ctx *m, const char *s, size_t n)
{
  size_t st = n, dots = 0;
  while (st > 0 && s[st - 1] != '.')
    st--;
  for (size_t i = 0; i < n; i++)
    dots += s[i] == '.';
  if (dots == 1 && mask_in_list(s + st, n - st, mask_file_exts))
    return 0;
  return mask_suffix_len(m, s, n) > 0;
}

static int
mask_text_piece(mask_ctx *m, mask_text *t, int kind, const char *s, size_t n,
                hk_buf *out)
{
  int changed, is_guid, rc;
  switch (kind) {
  case MT_EMAIL:
    return mask_email(m, s, n, out);
  case MT_UNC:
    return mask_host(m, s, n, out);
  case MT_PROF:
    if (mask_in_list(s, n, mask_wk_profiles))
      return hk_buf_append(out, s, n);
    return mask_user(m, s, n, out);
  case MT_SID:
    return mask_sid(m, s, n, out);
  case MT_GUID:
    rc = mask_guid(m, s, n, out, &is_guid);
    return rc != HK_OK || is_guid ? rc : hk_buf_append(out, s, n);
  case MT_IP4:
  case MT_IP6: {
    hk_ip_info info;
    info.struct_size = sizeof info;
    if (!m->classify || m->classify(s, n, &info) != HK_OK)
      return mask_text_words(m, t, s, n, out);
    return mask_ip_known(m, s, n, info, out, &changed);
  }
  case MT_FQDN:
    if (!mask_text_is_domain(m, s, n))
      return mask_text_words(m, t, s, n, out);
    return mask_host(m, s, n, out);
  default:
    return hk_buf_append(out, s, n);
  }
}

/* Mask s[0..n) (followed by readable padding: PCRE2's JIT may look a few
 * bytes past the end) into `out`. */
static int
mask_text_run(mask_ctx *m, mask_text *t, const char *s, size_t n, hk_buf *out)
{
  PCRE2_SIZE pos = 0;
  int rc;
  while (pos < n) {
    PCRE2_SIZE *ov;
    int kind = -1;
    rc = pcre2_match(t->re, (PCRE2_SPTR)s, n, pos, 0, t->md, NULL);
    if (rc < 0)
      break;
    ov = pcre2_get_ovector_pointer(t->md);
    for (int k = 0; k < MT_NKIND; k++) {
      uint32_t g = t->group[k];
      if (g && (uint32_t)rc > g && ov[2 * g] != PCRE2_UNSET) {
        kind = k;
        break;
      }
    }
    if (ov[1] == ov[0]) {
      /* cannot happen with this pattern; never loop */
      break;
    }
    {
      /* the named group is the part to mask; the rest of the match (the
       * \\ before a UNC host) is copied */
      size_t gs = kind >= 0 ? ov[2 * t->group[kind]] : ov[0];
      size_t ge = kind >= 0 ? ov[2 * t->group[kind] + 1] : ov[1];
      if ((rc = mask_text_words(m, t, s + pos, ov[0] - pos, out)) != HK_OK ||
          (rc = hk_buf_append(out, s + ov[0], gs - ov[0])) != HK_OK ||
          (rc = mask_text_piece(m, t, kind, s + gs, ge - gs, out)) != HK_OK ||
          (rc = hk_buf_append(out, s + ge, ov[1] - ge)) != HK_OK)
        return rc;
    }
    pos = ov[1];
  }
  return mask_text_words(m, t, s + pos, n - pos, out);
}
