/*
 * plugins/tor/tor.c -- the `tor` enricher: is an IP address a Tor exit
 * node?  The huntkit counterpart of MSTICPy's `Tor` TI provider.
 *
 * The exit list is loaded once, when the instance is created, from (in
 * this order) the operator's `list_path`, a fresh copy in the instance's
 * cache directory, or a download through the host's HTTP service (`url`,
 * then `fallback_url`) into that directory.  A list older than `max_age`
 * is refreshed; when the refresh fails the stale copy is used with a
 * warning.  Lookups are then offline: a hash table keyed by the address
 * bytes, so IPv4/IPv6 spellings (leading zeros, `::ffff:a.b.c.d`, upper
 * case hex) all meet the same entry.
 *
 * Two list formats are read: the Tor Project's exit-addresses blocks
 * (ExitNode / Published / LastStatus / ExitAddress lines) and a bulk list
 * of one address per line (check.torproject.org/torbulkexitlist, the
 * SecOps-Institute mirror MSTICPy falls back to), `#` comments allowed.
 */
#include <huntkit/huntkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOR_DEFAULT_URL "https://check.torproject.org/exit-addresses"
#define TOR_FALLBACK_URL                                                       \
  "https://raw.githubusercontent.com/SecOps-Institute/Tor-IP-Addresses/"       \
  "master/tor-exit-nodes.lst"
#define TOR_CACHE_NAME "exit-addresses"
#define TOR_LIST_MAX (256L * 1024 * 1024)
#define TOR_NO_NODE UINT32_MAX

static const hk_host *tor_host;

enum { F_IS_EXIT, F_NODE_ID, F_PUBLISHED, F_LAST_STATUS, F_EXIT_SEEN, F_COUNT };

typedef struct tor_node {
  char id[48];            /* relay fingerprint (40 hex digits) */
  int64_t published_us;   /* 0: not given */
  int64_t last_status_us; /* 0: not given */
} tor_node;

typedef struct tor_addr {
  uint8_t family; /* 4 or 6 */
  uint8_t addr[16];
  uint32_t node;   /* index in nodes, or TOR_NO_NODE (bulk lists) */
  int64_t seen_us; /* date on the ExitAddress line; 0: not given */
} tor_addr;

typedef struct tor_state {
  const hk_instance *inst;
  tor_node *nodes;
  size_t n_nodes, cap_nodes;
  tor_addr *addrs;
  size_t n_addrs, cap_addrs;
  uint32_t *slots; /* open addressing: index + 1, 0 empty */
  size_t n_slots;
  char reference[1200]; /* list URL or path */
  /* Per-call outputs, valid until the next lookup. */
  hk_value fields[F_COUNT];
  char summary[256];
  hk_buf raw;
} tor_state;

/* Why a list could not be read, and how many lines were skipped. */
typedef struct parse_report {
  size_t bad_lines;
  size_t first_bad_line;
  char first_bad[160];
} parse_report;

/* ------------------------------------------------------------ helpers */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no time zone is involved. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS" (UTC) at s[0..len) -> µs; -1 when malformed. */
static int64_t
parse_time(const char *s, size_t len)
{
  unsigned y, mo, d, h, mi, sec;
  char buf[32];
  int n = 0;
  if (len != 19)
    return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (sscanf(buf, "%4u-%2u-%2u %2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec,
             &n) != 6 ||
      n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return -1;
  int64_t days = days_from_civil(y, mo, d);
  return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000000;
}

static void
format_time(int64_t us, char *out, size_t cap)
{
  int64_t secs = us / 1000000, days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  /* civil_from_days */
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = (unsigned)(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  snprintf(out, cap, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)y, m, d,
           (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60),
           (unsigned)(rem % 60));
}

/* A duration in ms as the shortest exact "2d", "12h", "30m", "45s". */
static void
format_duration(int64_t ms, char *out, size_t cap)
{
  static const struct {
    int64_t ms;
    const char *unit;
  } units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (ms >= units[i].ms && ms % units[i].ms == 0) {
      snprintf(out, cap, "%lld%s", (long long)(ms / units[i].ms),
               units[i].unit);
      return;
    }
  snprintf(out, cap, "%lldms", (long long)ms);
}

/* An age in µs for messages: "3 days", "5 hours", "12 minutes". */
static void
format_age(int64_t us, char *out, size_t cap)
{
  int64_t s = us / 1000000;
  if (s >= 2 * 86400)
    snprintf(out, cap, "%lld days", (long long)(s / 86400));
  else if (s >= 2 * 3600)
    snprintf(out, cap, "%lld hours", (long long)(s / 3600));
  else
    snprintf(out, cap, "%lld minutes", (long long)(s / 60));
}

static int
read_file(const char *path, char **text, size_t *len, hk_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "cannot open %s: %s", path, strerror(errno));
  hk_buf b = HK_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + n > TOR_LIST_MAX) {
      fclose(f);
      hk_buf_free(&b);
      return hk_error_set(err, HK_E_LIMIT,
                          "%s is larger than %ld MiB: not an exit list", path,
                          TOR_LIST_MAX / (1024 * 1024));
    }
    if (hk_buf_append(&b, chunk, n) != HK_OK) {
      fclose(f);
      hk_buf_free(&b);
      return hk_error_set(err, HK_E_NOMEM, "out of memory reading %s", path);
    }
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    hk_buf_free(&b);
    return hk_error_set(err, HK_E_IO, "cannot read %s", path);
  }
  if (hk_buf_append(&b, "", 0) != HK_OK) { /* NUL-terminate empty files */
    hk_buf_free(&b);
    return hk_error_set(err, HK_E_NOMEM, "out of memory reading %s", path);
  }
  *text = hk_buf_detach(&b, len);
  return HK_OK;
}

/* ------------------------------------------------------------ the list */

static uint64_t
addr_hash(uint8_t family, const uint8_t *addr)
{
  uint64_t h = 1469598103934665603ULL ^ family;
  for (int i = 0; i < (family == 4 ? 4 : 16); i++) {
    h ^= addr[i];
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 29);
}

static int
addr_equal(const tor_addr *a, uint8_t family, const uint8_t *addr)
{
  return a->family == family &&
         memcmp(a->addr, addr, family == 4 ? 4 : 16) == 0;
}

/* Index of the address in s->addrs, or -1. */
static int64_t
find_addr(const tor_state *s, uint8_t family, const uint8_t *addr)
{
  if (!s->n_slots)
    return -1;
  size_t mask = s->n_slots - 1;
  for (size_t i = addr_hash(family, addr) & mask;; i = (i + 1) & mask) {
    uint32_t v = s->slots[i];
    if (!v)
      return -1;
    if (addr_equal(&s->addrs[v - 1], family, addr))
      return (int64_t)v - 1;
  }
}

static int
rehash(tor_state *s, size_t n_slots)
{
  uint32_t *slots = calloc(n_slots, sizeof *slots);
  if (!slots)
    return HK_E_NOMEM;
  for (size_t k = 0; k < s->n_addrs; k++) {
    size_t i = addr_hash(s->addrs[k].family, s->addrs[k].addr) & (n_slots - 1);
    while (slots[i])
      i = (i + 1) & (n_slots - 1);
    slots[i] = (uint32_t)k + 1;
  }
  free(s->slots);
  s->slots = slots;
  s->n_slots = n_slots;
  return HK_OK;
}

/* Add (or update) one exit address.  A repeated address keeps the most
 * recent sighting, as the list describes the latest state. */
static int
add_addr(tor_state *s, const hk_ip_info *ip, uint32_t node, int64_t seen_us)
{
  uint8_t family = ip->embedded_v4 ? 4 : (uint8_t)ip->family;
  const uint8_t *bytes = ip->addr;
  if (ip->embedded_v4 && ip->family == 6)
    bytes = ip->addr + 12;
  int64_t at = find_addr(s, family, bytes);
  if (at >= 0) {
    if (seen_us >= s->addrs[at].seen_us) {
      s->addrs[at].node = node;
      s->addrs[at].seen_us = seen_us;
    }
    return HK_OK;
  }
  if (s->n_addrs >= UINT32_MAX - 1)
    return HK_E_LIMIT;
  if (s->n_addrs == s->cap_addrs) {
    size_t cap = s->cap_addrs ? s->cap_addrs * 2 : 1024;
    tor_addr *a = realloc(s->addrs, cap * sizeof *a);
    if (!a)
      return HK_E_NOMEM;
    s->addrs = a;
    s->cap_addrs = cap;
  }
  tor_addr *a = &s->addrs[s->n_addrs++];
  memset(a, 0, sizeof *a);
  a->family = family;
  memcpy(a->addr, bytes, family == 4 ? 4 : 16);
  a->node = node;
  a->seen_us = seen_us;
  if ((s->n_addrs + 1) * 2 > s->n_slots)
    return rehash(s, s->n_slots ? s->n_slots * 2 : 2048);
  size_t mask = s->n_slots - 1;
  size_t i = addr_hash(family, a->addr) & mask;
  while (s->slots[i])
    i = (i + 1) & mask;
  s->slots[i] = (uint32_t)s->n_addrs;
  return HK_OK;
}

static void
clear_list(tor_state *s)
{
  free(s->nodes);
  free(s->addrs);
  free(s->slots);
  s->nodes = NULL;
  s->addrs = NULL;
  s->slots = NULL;
  s->n_nodes = s->cap_nodes = s->n_addrs = s->cap_addrs = s->n_slots = 0;
}

/* Count a bad line; the first is kept as "PREFIX'TEXT'SUFFIX". */
static void
note_bad(parse_report *rep, size_t line, const char *prefix, const char *text,
         size_t text_len, const char *suffix)
{
  if (rep->bad_lines++ == 0) {
    rep->first_bad_line = line;
    snprintf(rep->first_bad, sizeof rep->first_bad, "%s'%.*s'%s", prefix,
             text_len > 60 ? 60 : (int)text_len, text, suffix);
  }
}

/* The next whitespace-separated word of [*p, end): sets *w / *wlen and
 * returns 1, or 0 at the end. */
static int
next_word(const char **p, const char *end, const char **w, size_t *wlen)
{
  const char *c = *p;
  while (c < end && (*c == ' ' || *c == '\t'))
    c++;
  if (c == end)
    return 0;
  *w = c;
  while (c < end && *c != ' ' && *c != '\t')
    c++;
  *wlen = (size_t)(c - *w);
  *p = c;
  return 1;
}

static int
starts_with_word(const char *line, size_t len, const char *word)
{
  size_t n = strlen(word);
  return len >= n && memcmp(line, word, n) == 0 &&
         (len == n || line[n] == ' ' || line[n] == '\t');
}

/* Which format the text is in, from its first line that is not a comment:
 * 1 exit-addresses, 0 one address per line. */
static int
detect_exit_addresses(const char *text, size_t len)
{
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    const char *q = p;
    while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
      q++;
    if (q < eol && *q != '#') {
      size_t n = (size_t)(eol - q);
      return starts_with_word(q, n, "ExitNode") ||
             starts_with_word(q, n, "ExitAddress") ||
             starts_with_word(q, n, "Published") ||
             starts_with_word(q, n, "LastStatus");
    }
    p = eol + (eol < end);
  }
  return 0;
}

static int
parse_ip(const char *w, size_t wlen, hk_ip_info *ip)
{
  memset(ip, 0, sizeof *ip);
  ip->struct_size = sizeof *ip;
  return tor_host->ip_classify(w, wlen, ip) == HK_OK && ip->family != 0;
}

/* Parse an exit list into s (which must be empty).  Lines that do not
 * parse are counted in `rep` and skipped. */
static int
parse_list(tor_state *s, const char *text, size_t len, int exit_format,
           parse_report *rep, hk_error *err)
{
  const char *p = text, *end = text + len;
  size_t line_no = 0;
  uint32_t node = TOR_NO_NODE;
  int rc;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    const char *line = p, *lend = eol;
    p = eol + (eol < end);
    line_no++;
    while (line < lend && (*line == ' ' || *line == '\t'))
      line++;
    while (lend > line &&
           (lend[-1] == '\r' || lend[-1] == ' ' || lend[-1] == '\t'))
      lend--;
    if (line == lend || *line == '#')
      continue;
    size_t llen = (size_t)(lend - line);
    const char *cur = line, *w;
    size_t wlen;
    hk_ip_info ip;

    if (!exit_format) {
      next_word(&cur, lend, &w, &wlen);
      if (!parse_ip(w, wlen, &ip)) {
        note_bad(rep, line_no, "", w, wlen, " is not an IP address");
        continue;
      }
      if ((rc = add_addr(s, &ip, TOR_NO_NODE, 0)) != HK_OK)
        return hk_error_set(err, rc, "out of memory loading the exit list");
      continue;
    }

    if (starts_with_word(line, llen, "ExitNode")) {
      cur = line + 8;
      if (!next_word(&cur, lend, &w, &wlen) || wlen >= sizeof s->nodes->id) {
        note_bad(rep, line_no, "ExitNode without a fingerprint: ", line, llen,
                 "");
        node = TOR_NO_NODE;
        continue;
      }
      if (s->n_nodes == s->cap_nodes) {
        size_t cap = s->cap_nodes ? s->cap_nodes * 2 : 1024;
        tor_node *nn = realloc(s->nodes, cap * sizeof *nn);
        if (!nn)
          return hk_error_set(err, HK_E_NOMEM,
                              "out of memory loading the exit list");
        s->nodes = nn;
        s->cap_nodes = cap;
      }
      node = (uint32_t)s->n_nodes++;
      memset(&s->nodes[node], 0, sizeof s->nodes[node]);
      memcpy(s->nodes[node].id, w, wlen);
    } else if (starts_with_word(line, llen, "Published") ||
               starts_with_word(line, llen, "LastStatus")) {
      int published = line[0] == 'P';
      const char *t = line + (published ? 9 : 10);
      while (t < lend && (*t == ' ' || *t == '\t'))
        t++;
      int64_t us = parse_time(t, (size_t)(lend - t));
      if (node == TOR_NO_NODE || us < 0) {
        if (node == TOR_NO_NODE)
          note_bad(rep, line_no, "", line, llen, " before any ExitNode line");
        else
          note_bad(rep, line_no, "bad date in ", line, llen,
                   " (want YYYY-MM-DD HH:MM:SS)");
        continue;
      }
      if (published)
        s->nodes[node].published_us = us;
      else
        s->nodes[node].last_status_us = us;
    } else if (starts_with_word(line, llen, "ExitAddress")) {
      cur = line + 11;
      if (node == TOR_NO_NODE) {
        note_bad(rep, line_no, "", line, llen, " before any ExitNode line");
        continue;
      }
      if (!next_word(&cur, lend, &w, &wlen) || !parse_ip(w, wlen, &ip)) {
        note_bad(rep, line_no, "no IP address in ", line, llen, "");
        continue;
      }
      while (cur < lend && (*cur == ' ' || *cur == '\t'))
        cur++;
      int64_t seen = cur < lend ? parse_time(cur, (size_t)(lend - cur)) : 0;
      if (seen < 0) {
        note_bad(rep, line_no, "bad date in ", line, llen,
                 " (want YYYY-MM-DD HH:MM:SS)");
        continue;
      }
      if ((rc = add_addr(s, &ip, node, seen)) != HK_OK)
        return hk_error_set(err, rc, "out of memory loading the exit list");
    }
    /* Other keywords are ignored: the format may grow. */
  }
  return HK_OK;
}

/* Parse `len` bytes of `text` (NUL-terminated) into s; `origin` names
 * the list in messages.  `format` is "auto", "exit-addresses" or
 * "ip-list".  On failure s is left empty. */
static int
load_text(tor_state *s, const char *text, size_t len, const char *origin,
          const char *format, hk_error *err)
{
  int exit_format = strcmp(format, "exit-addresses") == 0 ? 1
                    : strcmp(format, "ip-list") == 0
                        ? 0
                        : detect_exit_addresses(text, len);
  parse_report rep;
  memset(&rep, 0, sizeof rep);
  clear_list(s);
  int rc = parse_list(s, text, len, exit_format, &rep, err);
  if (rc != HK_OK) {
    clear_list(s);
    return rc;
  }
  if (s->n_addrs == 0) {
    clear_list(s);
    if (rep.bad_lines)
      return hk_error_set(
          err, HK_E_INVAL,
          "%s holds no usable exit address (%zu malformed line%s; line %zu: "
          "%s): not a Tor exit list?",
          origin, rep.bad_lines, rep.bad_lines == 1 ? "" : "s",
          rep.first_bad_line, rep.first_bad);
    return hk_error_set(err, HK_E_INVAL,
                        "%s holds no exit address (empty list?)", origin);
  }
  if (rep.bad_lines)
    HK_LOG_WARN(tor_host, s->inst,
                "%s: skipped %zu malformed line%s (line %zu: %s)", origin,
                rep.bad_lines, rep.bad_lines == 1 ? "" : "s",
                rep.first_bad_line, rep.first_bad);
  HK_LOG_INFO(tor_host, s->inst,
              "loaded %zu exit address%s of %zu relay%s from %s", s->n_addrs,
              s->n_addrs == 1 ? "" : "es", s->n_nodes,
              s->n_nodes == 1 ? "" : "s", origin);
  return HK_OK;
}

static int
load_list(tor_state *s, const char *path, const char *format, hk_error *err)
{
  char *text;
  size_t len;
  int rc = read_file(path, &text, &len, err);
  if (rc != HK_OK)
    return rc;
  rc = load_text(s, text, len, path, format, err);
  free(text);
  return rc;
}

/* ------------------------------------------------------- getting a list */

/* Age of a file in µs by the host's clock, or -1 when it does not exist. */
static int64_t
file_age_us(const char *path)
{
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return -1;
  int64_t mtime_us =
      (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
  int64_t age = tor_host->now_us() - mtime_us;
  return age < 0 ? 0 : age;
}

/* Fetch `url` through the host: into `dest` when given (the host writes
 * DEST.part and renames it only after a complete 2xx reply), else into
 * memory (*body, valid until the next http_fetch on the instance). */
static int
download(tor_state *s, const char *url, const char *dest, const char **body,
         size_t *body_len, hk_error *err)
{
  hk_http_request req;
  hk_http_response resp;
  memset(&req, 0, sizeof req);
  memset(&resp, 0, sizeof resp);
  req.struct_size = sizeof req;
  req.method = "GET";
  req.url = url;
  req.download_path = dest;
  resp.struct_size = sizeof resp;
  hk_error_clear(err);
  int rc = tor_host->http_fetch(s->inst, &req, &resp, err);
  if (rc != HK_OK) {
    if (!err->msg[0])
      hk_error_set(err, rc, "downloading %s failed", url);
    return rc;
  }
  if (resp.status < 200 || resp.status > 299)
    return hk_error_set(err,
                        resp.status == 429 || resp.status >= 500 ? HK_E_NETWORK
                        : resp.status == 404                     ? HK_E_NOTFOUND
                                                                 : HK_E_FAIL,
                        "%s answered HTTP %d", url, resp.status);
  if (body) {
    *body = resp.body ? resp.body : "";
    *body_len = resp.body ? resp.body_len : 0;
  }
  return HK_OK;
}

/* Try each URL in turn; on success the parsed list is in s and, when
 * `cached` is given, the file is there.  `why` receives the last
 * failure. */
static int
refresh(tor_state *s, const char *const *urls, size_t n_urls,
        const char *cached, const char *format, hk_error *why)
{
  char tmp[1200];
  hk_error err;
  if (cached)
    snprintf(tmp, sizeof tmp, "%s.%ld.new", cached, (long)getpid());
  for (size_t i = 0; i < n_urls; i++) {
    if (!urls[i] || !*urls[i])
      continue;
    const char *body = NULL;
    size_t body_len = 0;
    hk_error_clear(&err);
    int rc = download(s, urls[i], cached ? tmp : NULL, &body, &body_len, &err);
    if (rc == HK_OK && cached) {
      rc = load_list(s, tmp, format, &err);
      if (rc == HK_OK && rename(tmp, cached) != 0) {
        rc = hk_error_set(&err, HK_E_IO, "cannot rename %s to %s: %s", tmp,
                          cached, strerror(errno));
        clear_list(s);
      }
    } else if (rc == HK_OK) {
      rc = load_text(s, body, body_len, "the downloaded list", format, &err);
    }
    if (rc != HK_OK && err.msg[0] && strncmp(err.msg, urls[i], strlen(urls[i])))
      hk_error_prefix(&err, "%s: ", urls[i]);
    if (cached)
      unlink(tmp);
    if (rc == HK_OK) {
      snprintf(s->reference, sizeof s->reference, "%s", urls[i]);
      HK_LOG_INFO(tor_host, s->inst, "downloaded the Tor exit list from %s%s",
                  urls[i], cached ? "" : " (not cached: no cache directory)");
      return HK_OK;
    }
    if (i + 1 < n_urls && urls[i + 1] && *urls[i + 1])
      HK_LOG_WARN(tor_host, s->inst, "%s; trying %s", err.msg, urls[i + 1]);
    *why = err;
  }
  return why->code ? why->code : HK_E_FAIL;
}

static void
tor_destroy(void *state)
{
  tor_state *s = state;
  if (!s)
    return;
  clear_list(s);
  hk_buf_free(&s->raw);
  free(s);
}

static int
tor_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  if (!HK_HAS(tor_host, ip_classify))
    return hk_error_set(err, HK_E_NOTSUP,
                        "tor: this huntkit has no IP classifier "
                        "(hk_host.ip_classify is missing); upgrade huntkit");
  tor_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "tor: out of memory");
  s->inst = inst;
  const char *format = tor_host->config_get_string(cfg, "format");
  const char *list_path = tor_host->config_get_string(cfg, "list_path");
  const char *urls[2] = {tor_host->config_get_string(cfg, "url"),
                         tor_host->config_get_string(cfg, "fallback_url")};
  int64_t max_age_ms = 86400000;
  if (tor_host->config_get_int(cfg, "max_age", &max_age_ms) != HK_OK)
    max_age_ms = 86400000;
  if (!format)
    format = "auto";
  char limit[32], age_text[32];
  format_duration(max_age_ms, limit, sizeof limit);

  /* The operator's own copy wins: no network at all. */
  if (list_path && *list_path) {
    int rc = load_list(s, list_path, format, err);
    if (rc != HK_OK) {
      hk_error_prefix(err, "tor: list_path: ");
      tor_destroy(s);
      return rc == HK_E_NOTFOUND ? HK_E_CONFIG : rc;
    }
    snprintf(s->reference, sizeof s->reference, "%s", list_path);
    int64_t age = file_age_us(list_path);
    if (max_age_ms > 0 && age > max_age_ms * 1000) {
      format_age(age, age_text, sizeof age_text);
      HK_LOG_WARN(tor_host, inst,
                  "list_path %s is %s old (max_age is %s); replace it with a "
                  "fresh copy of %s",
                  list_path, age_text, limit, TOR_DEFAULT_URL);
    }
    *state = s;
    return HK_OK;
  }

  const char *dir =
      HK_HAS(tor_host, cache_dir) ? tor_host->cache_dir(inst) : NULL;
  int can_fetch = HK_HAS(tor_host, http_fetch);
  char cached[1100];
  int64_t age = -1;
  if (dir) {
    snprintf(cached, sizeof cached, "%s/%s", dir, TOR_CACHE_NAME);
    age = file_age_us(cached);
  }
  /* A fresh cached copy needs no network. */
  if (age >= 0 && (max_age_ms <= 0 || age <= max_age_ms * 1000)) {
    hk_error cerr;
    hk_error_clear(&cerr);
    if (load_list(s, cached, format, &cerr) == HK_OK) {
      snprintf(s->reference, sizeof s->reference, "%s",
               urls[0] && *urls[0] ? urls[0] : cached);
      *state = s;
      return HK_OK;
    }
    HK_LOG_WARN(tor_host, inst, "cached list unusable, downloading again: %s",
                cerr.msg);
  }

  hk_error why;
  hk_error_clear(&why);
  if (!can_fetch)
    hk_error_set(&why, HK_E_NOTSUP,
                 "this huntkit has no HTTP service to download %s",
                 urls[0] && *urls[0] ? urls[0] : TOR_DEFAULT_URL);
  else if (refresh(s, urls, 2, dir ? cached : NULL, format, &why) == HK_OK) {
    *state = s;
    return HK_OK;
  }

  /* Refresh impossible or failed: a stale copy beats no answer. */
  if (age >= 0) {
    hk_error cerr;
    hk_error_clear(&cerr);
    if (load_list(s, cached, format, &cerr) == HK_OK) {
      format_age(age, age_text, sizeof age_text);
      HK_LOG_WARN(tor_host, inst,
                  "using the cached exit list, %s old (max_age is %s), "
                  "because refreshing it failed: %s",
                  age_text, limit, why.msg);
      snprintf(s->reference, sizeof s->reference, "%s",
               urls[0] && *urls[0] ? urls[0] : cached);
      *state = s;
      return HK_OK;
    }
  }
  tor_destroy(s);
  hk_error_set(err, why.code == HK_E_NOTSUP ? HK_E_CONFIG : why.code,
               "tor: no Tor exit list: %s; download %s yourself and set "
               "list_path to it in conf.d/tor.yaml",
               why.msg, TOR_DEFAULT_URL);
  err->flags = why.code == HK_E_NETWORK ? HK_EF_RETRYABLE : HK_EF_USER;
  return err->code;
}

/* ------------------------------------------------------------- lookup */

static void
raw_field(hk_buf *b, const char *name, const char *value, int *first)
{
  hk_buf_appendf(b, "%s\"%s\":", *first ? "" : ",", name);
  hk_buf_append_json_string(b, value, strlen(value));
  *first = 0;
}

static int
tor_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_enrichment *out, hk_error *err)
{
  (void)options;
  (void)err;
  tor_state *s = state;
  hk_ip_info ip;
  memset(s->fields, 0, sizeof s->fields);
  out->severity = HK_SEV_INFORMATION;
  out->reference = s->reference;
  out->raw = NULL;
  out->fields = NULL;
  if (!parse_ip(ioc->value, ioc->len, &ip)) {
    size_t shown = ioc->len > 64 ? 64 : ioc->len;
    snprintf(s->summary, sizeof s->summary,
             "'%.*s%s' is not an IPv4 or IPv6 address", (int)shown, ioc->value,
             ioc->len > shown ? "..." : "");
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    return HK_OK;
  }
  s->fields[F_IS_EXIT].is_set = 1;
  s->fields[F_IS_EXIT].i64 = 0;
  out->fields = s->fields;
  out->status = HK_LK_NO_DATA;
  out->summary = s->summary;
  if (!ip.is_global) {
    snprintf(s->summary, sizeof s->summary, "%s address: not a Tor exit node",
             tor_host->ip_class_name ? tor_host->ip_class_name(ip.ip_class)
                                     : "non-public");
    return HK_OK;
  }
  uint8_t family = ip.embedded_v4 ? 4 : (uint8_t)ip.family;
  const uint8_t *bytes =
      ip.embedded_v4 && ip.family == 6 ? ip.addr + 12 : ip.addr;
  int64_t at = find_addr(s, family, bytes);
  if (at < 0) {
    snprintf(s->summary, sizeof s->summary,
             "not in the Tor exit list (%zu address%s)", s->n_addrs,
             s->n_addrs == 1 ? "" : "es");
    return HK_OK;
  }

  const tor_addr *a = &s->addrs[at];
  const tor_node *n = a->node == TOR_NO_NODE ? NULL : &s->nodes[a->node];
  char when[32];
  int first = 1;
  s->fields[F_IS_EXIT].i64 = 1;
  hk_buf_reset(&s->raw);
  hk_buf_append_char(&s->raw, '{');
  if (n) {
    s->fields[F_NODE_ID].is_set = 1;
    s->fields[F_NODE_ID].str = n->id;
    s->fields[F_NODE_ID].str_len = strlen(n->id);
    raw_field(&s->raw, "ExitNode", n->id, &first);
    if (n->published_us) {
      s->fields[F_PUBLISHED].is_set = 1;
      s->fields[F_PUBLISHED].i64 = n->published_us;
      format_time(n->published_us, when, sizeof when);
      raw_field(&s->raw, "Published", when, &first);
    }
    if (n->last_status_us) {
      s->fields[F_LAST_STATUS].is_set = 1;
      s->fields[F_LAST_STATUS].i64 = n->last_status_us;
      format_time(n->last_status_us, when, sizeof when);
      raw_field(&s->raw, "LastStatus", when, &first);
    }
  }
  /* MSTICPy keeps "ExitAddress" as the line's text after the keyword. */
  hk_buf exit_text = HK_BUF_INIT;
  hk_buf_append(&exit_text, ioc->value, ioc->len);
  if (a->seen_us) {
    s->fields[F_EXIT_SEEN].is_set = 1;
    s->fields[F_EXIT_SEEN].i64 = a->seen_us;
    format_time(a->seen_us, when, sizeof when);
    hk_buf_appendf(&exit_text, " %s", when);
  }
  raw_field(&s->raw, "ExitAddress", exit_text.data ? exit_text.data : "",
            &first);
  hk_buf_free(&exit_text);
  hk_buf_append_char(&s->raw, '}');

  if (n && n->last_status_us) {
    format_time(n->last_status_us, when, sizeof when);
    snprintf(s->summary, sizeof s->summary,
             "Tor exit node %s (last status %s UTC)", n->id, when);
  } else if (n)
    snprintf(s->summary, sizeof s->summary, "Tor exit node %s", n->id);
  else
    snprintf(s->summary, sizeof s->summary, "listed as a Tor exit node");
  out->status = HK_LK_OK;
  /* MSTICPy's Tor provider reports a listed exit node as "warning". */
  out->severity = HK_SEV_MEDIUM;
  out->raw = s->raw.data;
  return HK_OK;
}

/* --------------------------------------------------------- descriptor */

static const char *const tor_entity_types[] = {HK_IOC_IPV4, HK_IOC_IPV6, NULL};

static const hk_field_desc tor_fields[] = {
    {"is_exit", HK_COL_BOOL,
     "true when the address is in the Tor exit list (null: not an address)"},
    {"node_id", HK_COL_UTF8, "fingerprint of the exit relay (exit-addresses)"},
    {"published", HK_COL_TIMESTAMP,
     "when the relay's descriptor was published (exit-addresses)"},
    {"last_status", HK_COL_TIMESTAMP,
     "when the relay was last seen in a consensus (exit-addresses)"},
    {"exit_seen", HK_COL_TIMESTAMP,
     "when the exit was last tested from this address (exit-addresses)"},
    {NULL, 0, NULL}};

static const hk_param tor_params[] = {
    {"url", HK_PT_STRING, 0, TOR_DEFAULT_URL, NULL,
     "where to download the exit list (exit-addresses or one IP per line)"},
    {"fallback_url", HK_PT_STRING, 0, TOR_FALLBACK_URL, NULL,
     "tried when url fails; empty: none"},
    {"list_path", HK_PT_PATH, 0, NULL, NULL,
     "a local exit list to use instead of downloading one"},
    {"max_age", HK_PT_DURATION, 0, "1d", NULL,
     "refresh the cached list when older; a stale list is used with a "
     "warning when the refresh fails (0: never refresh)"},
    {"format", HK_PT_STRING, 0, "auto", "auto|exit-addresses|ip-list",
     "list format; auto: exit-addresses when it has ExitNode lines"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_enricher_vt tor_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = tor_create,
    .destroy = tor_destroy,
    .fields = tor_fields,
    .lookup = tor_lookup,
};

static const hk_plugin_desc tor_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "tor",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_TI | HK_PF_NETWORK,
    .summary = "is an IP address a Tor exit node? (the Tor Project's exit "
               "list, downloaded, cached and looked up offline)",
    .entity_types = tor_entity_types,
    .params = tor_params,
    .vtable = &tor_vt,
};

static const hk_plugin_desc *const tor_descriptors[] = {&tor_desc, NULL};

static const hk_plugin_desc *const *
tor_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "tor: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  tor_host = host;
  return tor_descriptors;
}

HK_PLUGIN_DEFINE(tor, tor_entry)
