/*
 * plugins/syslog_sessions/sessions_pair.c -- from recognised messages to
 * sessions: sort by time, pair each close with the latest open of its host,
 * service and user (and process, when both name one), attach sudo commands
 * and sshd logons, find bursts of sudo commands and of failed logons, and
 * order the output rows.  README.md states the rules.
 */
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_event(const void *pa, const void *pb)
{
  const sess_event *a = pa, *b = pb;
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
excluded_service(const sess_run *r, sess_str svc)
{
  for (size_t i = 0; i < r->n_excluded; i++)
    if (str_is(r, svc, r->excluded[i]))
      return 1;
  return 0;
}

/* Groups of indices under a key of several strings (host, service, user):
 * open addressing over the key bytes, one growable index list per group. */
typedef struct idx_list {
  size_t *v;
  size_t n, cap;
} idx_list;

typedef struct groups {
  hk_buf keys;
  size_t (*key)[2];
  idx_list *lists;
  size_t n, cap;
  int64_t *slots;
  size_t n_slots;
  hk_buf scratch;
} groups;

static uint64_t
hash_bytes(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

/* The group of the key made of `n` strings; added when `add`.  -1 when
 * absent, HK_E_NOMEM. */
static int64_t
group_of(groups *g, const sess_run *r, const sess_str *parts, int n, int add)
{
  hk_buf *k = &g->scratch;
  hk_buf_reset(k);
  for (int i = 0; i < n; i++) {
    uint32_t len = parts[i].set ? parts[i].len : UINT32_MAX;
    if (hk_buf_append(k, &len, sizeof len) != HK_OK ||
        (parts[i].len &&
         hk_buf_append(k, S(r, parts[i]), parts[i].len) != HK_OK))
      return HK_E_NOMEM;
  }
  if (add && (g->n + 1) * 2 > g->n_slots) {
    size_t ns = g->n_slots ? g->n_slots * 2 : 256;
    int64_t *slots = malloc(ns * sizeof *slots);
    if (!slots)
      return HK_E_NOMEM;
    for (size_t i = 0; i < ns; i++)
      slots[i] = -1;
    for (size_t q = 0; q < g->n; q++) {
      size_t i = (size_t)hash_bytes(g->keys.data + g->key[q][0], g->key[q][1]) &
                 (ns - 1);
      while (slots[i] >= 0)
        i = (i + 1) & (ns - 1);
      slots[i] = (int64_t)q;
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = ns;
  }
  if (!g->n_slots)
    return -1;
  size_t i = (size_t)hash_bytes(k->data, k->len) & (g->n_slots - 1);
  for (; g->slots[i] >= 0; i = (i + 1) & (g->n_slots - 1)) {
    size_t q = (size_t)g->slots[i];
    if (g->key[q][1] == k->len &&
        !memcmp(g->keys.data + g->key[q][0], k->data, k->len))
      return (int64_t)q;
  }
  if (!add)
    return -1;
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    size_t(*key)[2] = realloc(g->key, cap * sizeof *key);
    if (!key)
      return HK_E_NOMEM;
    g->key = key;
    idx_list *lists = realloc(g->lists, cap * sizeof *lists);
    if (!lists)
      return HK_E_NOMEM;
    g->lists = lists;
    g->cap = cap;
  }
  g->key[g->n][0] = g->keys.len;
  g->key[g->n][1] = k->len;
  memset(&g->lists[g->n], 0, sizeof g->lists[g->n]);
  if (hk_buf_append(&g->keys, k->data, k->len) != HK_OK)
    return HK_E_NOMEM;
  g->slots[i] = (int64_t)g->n;
  return (int64_t)g->n++;
}

static int
list_push(idx_list *l, size_t v)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    size_t *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv)
      return HK_E_NOMEM;
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n++] = v;
  return HK_OK;
}

static void
groups_free(groups *g)
{
  for (size_t i = 0; i < g->n; i++)
    free(g->lists[i].v);
  free(g->lists);
  free(g->key);
  free(g->slots);
  hk_buf_free(&g->keys);
  hk_buf_free(&g->scratch);
}

static int
pair_sessions(sess_run *r)
{
  /* open sessions per (host, service, user); sshd Accepted lines per
   * (host, user), in time order */
  groups open = {0}, accepts = {0};
  unsigned char *used = calloc(r->n_ev + 1, 1);
  int64_t accept_us = r->attach_us * 12;
  int rc = used ? HK_OK : HK_E_NOMEM;
  for (size_t i = 0; rc == HK_OK && i < r->n_ev; i++) {
    sess_event *e = &r->ev[i];
    if (e->kind == EV_ACCEPT) {
      sess_str k[2] = {e->host, e->user};
      int64_t g = group_of(&accepts, r, k, 2, 1);
      rc = g < 0 ? HK_E_NOMEM : list_push(&accepts.lists[g], i);
      continue;
    }
    if ((e->kind != EV_OPEN && e->kind != EV_CLOSE) ||
        excluded_service(r, e->service))
      continue;
    sess_str key[3] = {e->host, e->service, e->user};
    if (e->kind == EV_OPEN) {
      if (r->n_ss == r->cap_ss) {
        size_t cap = r->cap_ss ? r->cap_ss * 2 : 64;
        session *ns = realloc(r->ss, cap * sizeof *ns);
        if (!ns) {
          rc = HK_E_NOMEM;
          break;
        }
        r->ss = ns;
        r->cap_ss = cap;
      }
      session *s = &r->ss[r->n_ss];
      memset(s, 0, sizeof *s);
      s->start = e->t;
      s->pid = e->pid;
      s->port = -1;
      s->host = e->host;
      s->service = e->service;
      s->user = e->user;
      s->by = e->by;
      s->method = e->service;
      /* the sshd Accepted line of this logon: same host and user (and
       * process), shortly before, the latest not yet used */
      sess_str ak[2] = {e->host, e->user};
      int64_t ag = group_of(&accepts, r, ak, 2, 0);
      for (size_t j = ag >= 0 ? accepts.lists[ag].n : 0; j-- > 0;) {
        size_t x = accepts.lists[ag].v[j];
        sess_event *a = &r->ev[x];
        if (e->t - a->t > accept_us)
          break;
        if (used[x] || (a->pid >= 0 && e->pid >= 0 && a->pid != e->pid))
          continue;
        s->ip = a->ip;
        s->port = a->port;
        s->method = a->method;
        used[x] = 1;
        break;
      }
      int64_t g = group_of(&open, r, key, 3, 1);
      rc = g < 0 ? HK_E_NOMEM : list_push(&open.lists[g], r->n_ss++);
    } else {
      /* a close ends the latest open session of its key (and process) */
      int64_t g = group_of(&open, r, key, 3, 0);
      if (g == HK_E_NOMEM) {
        rc = HK_E_NOMEM;
        break;
      }
      idx_list *l = g >= 0 ? &open.lists[g] : NULL;
      size_t k = l ? l->n : 0;
      while (k-- > 0) {
        const session *s = &r->ss[l->v[k]];
        if (!(s->pid >= 0 && e->pid >= 0 && s->pid != e->pid))
          break;
      }
      if (!l || k == (size_t)-1) {
        r->orphan_closes++;
        continue;
      }
      session *s = &r->ss[l->v[k]];
      s->end = e->t;
      s->closed = 1;
      memmove(l->v + k, l->v + k + 1, (l->n - k - 1) * sizeof *l->v);
      l->n--;
    }
  }
  groups_free(&open);
  groups_free(&accepts);
  free(used);
  return rc;
}

/* How many of a (host, user)'s latest sudo sessions a command looks at. */
#define ATTACH_SCAN 64

/* A sudo command goes to a sudo session on its host for its target user
 * (and its sudoer, when the session names one) that was open at the
 * command's time or opened within attach_window after it: among those,
 * the latest-starting one that has no command yet, else the
 * latest-starting one. */
static int
attach_commands(sess_run *r)
{
  groups sudo = {0};
  size_t n_cmd = 0;
  int rc = HK_OK;
  for (size_t k = 0; rc == HK_OK && k < r->n_ss; k++) {
    session *s = &r->ss[k];
    if (!str_is(r, s->service, "sudo"))
      continue;
    sess_str key[2] = {s->host, s->user};
    int64_t g = group_of(&sudo, r, key, 2, 1);
    rc = g < 0 ? HK_E_NOMEM : list_push(&sudo.lists[g], k);
  }
  for (size_t i = 0; rc == HK_OK && i < r->n_ev; i++) {
    sess_event *e = &r->ev[i];
    r->cmd_session[i] = -1;
    if (e->kind != EV_CMD)
      continue;
    n_cmd++;
    sess_str key[2] = {e->host, e->user};
    int64_t g = group_of(&sudo, r, key, 2, 0);
    if (g < 0) {
      if (g == HK_E_NOMEM)
        rc = HK_E_NOMEM;
      continue;
    }
    /* sessions are in start order: find the last one starting by
     * t + attach_window, then look back */
    const idx_list *l = &sudo.lists[g];
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (r->ss[l->v[mid]].start - r->attach_us <= e->t)
        lo = mid + 1;
      else
        hi = mid;
    }
    int64_t best = -1, best_free = -1;
    for (size_t j = lo, seen = 0; j-- > 0 && seen < ATTACH_SCAN; seen++) {
      size_t k = l->v[j];
      session *s = &r->ss[k];
      if ((s->closed && s->end < e->t) ||
          (s->by.set && !str_eq(r, s->by, e->by)))
        continue;
      if (best < 0)
        best = (int64_t)k;
      if (!s->n_cmds) {
        best_free = (int64_t)k;
        break;
      }
    }
    int64_t k = best_free >= 0 ? best_free : best;
    if (k >= 0) {
      r->cmd_session[i] = k;
      r->ss[k].n_cmds++;
      if (!r->ss[k].by.set)
        r->ss[k].by = e->by; /* "by (uid=0)": the command names the sudoer */
    }
  }
  groups_free(&sudo);
  if (rc != HK_OK)
    return rc;
  /* commands grouped by session, in time order */
  r->attached = malloc((n_cmd + 1) * sizeof *r->attached);
  if (!r->attached)
    return HK_E_NOMEM;
  size_t pos = 0;
  for (size_t k = 0; k < r->n_ss; k++) {
    r->ss[k].first_cmd = pos;
    pos += r->ss[k].n_cmds;
    r->ss[k].n_cmds = 0;
  }
  for (size_t i = 0; i < r->n_ev; i++)
    if (r->cmd_session[i] >= 0) {
      session *s = &r->ss[r->cmd_session[i]];
      r->attached[s->first_cmd + s->n_cmds++] = i;
    }
  return HK_OK;
}

/* Bursts of sudo commands (MSTICPy's cmd_speed): burst_commands commands
 * of one sudoer on one host within burst_seconds mark every one of them. */
static sess_run *sort_run; /* qsort has no context argument */

static int
cmp_cmd(const void *pa, const void *pb)
{
  const sess_event *a = &sort_run->ev[*(const size_t *)pa];
  const sess_event *b = &sort_run->ev[*(const size_t *)pb];
  int c;
  if (a->host.len != b->host.len)
    return a->host.len < b->host.len ? -1 : 1;
  if ((c = memcmp(S(sort_run, a->host), S(sort_run, b->host), a->host.len)))
    return c;
  if (a->by.len != b->by.len)
    return a->by.len < b->by.len ? -1 : 1;
  if ((c = memcmp(S(sort_run, a->by), S(sort_run, b->by), a->by.len)))
    return c;
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
find_command_bursts(sess_run *r)
{
  r->cmd_burst = calloc(r->n_ev + 1, 1);
  size_t *cmds = malloc((r->n_ev + 1) * sizeof *cmds), n = 0;
  if (!r->cmd_burst || !cmds) {
    free(cmds);
    return HK_E_NOMEM;
  }
  for (size_t i = 0; i < r->n_ev; i++)
    if (r->ev[i].kind == EV_CMD)
      cmds[n++] = i;
  sort_run = r;
  qsort(cmds, n, sizeof *cmds, cmp_cmd);
  size_t k = r->burst_n > 0 ? (size_t)r->burst_n : 0;
  for (size_t i = 0; k && i + k <= n; i++) {
    const sess_event *a = &r->ev[cmds[i]], *z = &r->ev[cmds[i + k - 1]];
    if (!str_eq(r, a->host, z->host) || !str_eq(r, a->by, z->by) ||
        z->t - a->t >= r->burst_us)
      continue;
    for (size_t j = i; j < i + k; j++)
      r->cmd_burst[cmds[j]] = 1;
  }
  free(cmds);
  return HK_OK;
}

/* ------------------------------------------------------------ failures */

/* Failures are keyed by host and source: the IP when known, else the
 * user. */
static sess_str
fail_source(const sess_event *e)
{
  return e->ip.set && e->ip.len ? e->ip : e->user;
}

static int
cmp_str(const sess_run *r, sess_str a, sess_str b)
{
  if (a.len != b.len)
    return a.len < b.len ? -1 : 1;
  return a.len ? memcmp(S(r, a), S(r, b), a.len) : 0;
}

/* A failure against (host, source, time), in cmp_fail's order. */
static int
cmp_fail_key(const sess_run *r, const sess_event *f, sess_str host,
             sess_str src, int64_t t)
{
  int c = cmp_str(r, f->host, host);
  if (!c)
    c = cmp_str(r, fail_source(f), src);
  if (!c && f->t != t)
    c = f->t < t ? -1 : 1;
  return c;
}

static int
cmp_fail(const void *pa, const void *pb)
{
  const sess_event *a = &sort_run->ev[*(const size_t *)pa];
  const sess_event *b = &sort_run->ev[*(const size_t *)pb];
  int c = cmp_fail_key(sort_run, a, b->host, fail_source(b), b->t);
  if (c)
    return c;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
same_source(const sess_run *r, const sess_event *a, const sess_event *b)
{
  return !cmp_str(r, a->host, b->host) &&
         !cmp_str(r, fail_source(a), fail_source(b));
}

static int
find_failures(sess_run *r)
{
  for (size_t i = 0; i < r->n_ev; i++)
    if (r->ev[i].kind == EV_FAIL)
      r->n_fails++;
  r->fails = malloc((r->n_fails + 1) * sizeof *r->fails);
  r->bursts = malloc((r->n_fails + 1) * sizeof *r->bursts);
  if (!r->fails || !r->bursts)
    return HK_E_NOMEM;
  size_t k = 0;
  for (size_t i = 0; i < r->n_ev; i++)
    if (r->ev[i].kind == EV_FAIL)
      r->fails[k++] = i;
  sort_run = r;
  qsort(r->fails, r->n_fails, sizeof *r->fails, cmp_fail);
  /* bursts: runs of one source's failures each at most failed_window
   * after the one before */
  for (size_t i = 0; i < r->n_fails;) {
    size_t j = i + 1;
    while (j < r->n_fails &&
           same_source(r, &r->ev[r->fails[j]], &r->ev[r->fails[i]]) &&
           r->ev[r->fails[j]].t - r->ev[r->fails[j - 1]].t <= r->failed_us)
      j++;
    if ((int64_t)(j - i) >= r->failed_n)
      r->bursts[r->n_bursts++] = (burst){
          r->ev[r->fails[i]].t, r->ev[r->fails[j - 1]].t, (int64_t)(j - i), i};
    i = j;
  }
  /* failures from a session's source in the failed_window before it:
   * binary search in the (host, source, time) order */
  for (size_t k2 = 0; k2 < r->n_ss; k2++) {
    session *s = &r->ss[k2];
    /* an sshd logon's source is its IP; su's and sudo's the user who
     * asked (by), whose password failures pam logs as ruser */
    sess_str src = s->ip.set ? s->ip : s->by.set ? s->by : s->user;
    int64_t from = s->start - r->failed_us;
    size_t lo = 0, hi = r->n_fails;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (cmp_fail_key(r, &r->ev[r->fails[mid]], s->host, src, from) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (size_t i = lo; i < r->n_fails; i++) {
      const sess_event *f = &r->ev[r->fails[i]];
      if (cmp_fail_key(r, f, s->host, src, s->start) >= 0)
        break;
      s->failed_before++;
    }
  }
  return HK_OK;
}

static int
cmp_row(const void *pa, const void *pb)
{
  const out_row *a = pa, *b = pb;
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static int
build_rows(sess_run *r)
{
  size_t n = r->n_ss + r->n_bursts;
  for (size_t i = 0; i < r->n_ev; i++)
    n += (r->ev[i].kind == EV_CMD && r->cmd_session[i] < 0) ||
         r->ev[i].kind == EV_REFUSED;
  r->rows = malloc((n + 1) * sizeof *r->rows);
  if (!r->rows)
    return HK_E_NOMEM;
  for (size_t k = 0; k < r->n_ss; k++)
    r->rows[r->n_rows++] = (out_row){r->ss[k].start, ROW_SESSION, k};
  for (size_t i = 0; i < r->n_ev; i++) {
    if (r->ev[i].kind == EV_CMD && r->cmd_session[i] < 0)
      r->rows[r->n_rows++] = (out_row){r->ev[i].t, ROW_COMMAND, i};
    if (r->ev[i].kind == EV_REFUSED)
      r->rows[r->n_rows++] = (out_row){r->ev[i].t, ROW_REFUSED, i};
  }
  for (size_t k = 0; k < r->n_bursts; k++)
    r->rows[r->n_rows++] = (out_row){r->bursts[k].start, ROW_FAILURES, k};
  qsort(r->rows, r->n_rows, sizeof *r->rows, cmp_row);
  return HK_OK;
}

int
hk_sess_analyse(sess_run *r)
{
  if (r->n_ev)
    qsort(r->ev, r->n_ev, sizeof *r->ev, cmp_event);
  r->cmd_session = malloc((r->n_ev + 1) * sizeof *r->cmd_session);
  if (!r->cmd_session || pair_sessions(r) != HK_OK ||
      attach_commands(r) != HK_OK || find_command_bursts(r) != HK_OK ||
      find_failures(r) != HK_OK || build_rows(r) != HK_OK)
    return HK_E_NOMEM;
  return HK_OK;
}
