/*
 * plugins/syslog_sessions/sessions_classify.c -- which syslog messages
 * start, end or authenticate a logon session: pam_unix session lines
 * (sshd, su, sudo, login, ...), sshd's Accepted / Failed lines, pam
 * authentication failures and sudo's command lines.  Each
 * pattern is compiled once (PCRE2, JIT) and anchored at the start of the
 * message; a cheap test of the first bytes skips the rest.
 */
#include "sessions.h"

#include <huntkit/abi.h>
#include <string.h>

static const char open_re[] =
    "pam_unix\\(([^:()]+):session\\): session opened for user ([^\\s(]+)"
    "(?:\\(uid=\\d+\\))?(?: by ([^\\s(]*)(?:\\(uid=\\d+\\))?)?";
static const char close_re[] =
    "pam_unix\\(([^:()]+):session\\): session closed for user ([^\\s(]+)";
static const char accept_re[] =
    "Accepted (\\S+) for (\\S+) from (\\S+) port (\\d+)";
static const char failed_re[] =
    "Failed (\\S+) for (?:invalid user )?(\\S+) from (\\S+) port (\\d+)";
static const char pam_fail_re[] =
    "pam_unix\\(([^:()]+):auth\\): authentication failure;(.*)";
/* "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls";
 * Sentinel exports show the " ; " separators as runs of spaces; a reason
 * before TTY= ("3 incorrect password attempts") is a refusal */
static const char sudo_re[] =
    "(\\S+) : (?:(.*?)\\s*;?\\s+)?TTY=(\\S+)\\s*;?\\s+PWD=(.*?)\\s*;?\\s+"
    "USER=(\\S+)\\s*;?\\s+(?:[A-Z]+=\\S*\\s*;?\\s+)*?COMMAND=(.*)";

static pcre2_code *
compile(const char *re)
{
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                   PCRE2_ANCHORED | PCRE2_UTF |
                                       PCRE2_NO_UTF_CHECK | PCRE2_DOTALL,
                                   &errcode, &erroff, NULL);
  if (code)
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return code;
}

int
hk_sess_classifier_init(sess_classifier *c)
{
  memset(c, 0, sizeof *c);
  if (!(c->open = compile(open_re)) || !(c->close = compile(close_re)) ||
      !(c->accept = compile(accept_re)) || !(c->failed = compile(failed_re)) ||
      !(c->pam_fail = compile(pam_fail_re)) || !(c->sudo = compile(sudo_re)) ||
      !(c->md = pcre2_match_data_create(16, NULL))) {
    hk_sess_classifier_free(c);
    return HK_E_NOMEM;
  }
  return HK_OK;
}

void
hk_sess_classifier_free(sess_classifier *c)
{
  pcre2_code_free(c->open);
  pcre2_code_free(c->close);
  pcre2_code_free(c->accept);
  pcre2_code_free(c->failed);
  pcre2_code_free(c->pam_fail);
  pcre2_code_free(c->sudo);
  pcre2_match_data_free(c->md);
  memset(c, 0, sizeof *c);
}

static int
match(sess_classifier *c, pcre2_code *code, const char *s, size_t n)
{
  return pcre2_match(code, (PCRE2_SPTR)s, n, 0, 0, c->md, NULL) > 0;
}

static int
put(hk_buf *arena, sess_str *out, const char *s, size_t n)
{
  out->off = arena->len;
  out->len = (uint32_t)n;
  out->set = 1;
  return hk_buf_append(arena, s, n);
}

/* Capture group `g` of the last match into `out` (absent when unset). */
static int
group(sess_classifier *c, const char *s, int g, hk_buf *arena, sess_str *out)
{
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
  if ((uint32_t)g >= pcre2_get_ovector_count(c->md) || ov[2 * g] == PCRE2_UNSET)
    return HK_OK;
  return put(arena, out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

static int64_t
group_int(sess_classifier *c, const char *s, int g)
{
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
  if (ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] - ov[2 * g] > 18)
    return -1;
  int64_t v = 0;
  for (PCRE2_SIZE i = ov[2 * g]; i < ov[2 * g + 1]; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

/* `key=value` in the tail of a pam authentication failure line. */
static int
tail_value(const char *s, size_t n, const char *key, hk_buf *arena,
           sess_str *out)
{
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl < n; i++) {
    if ((i == 0 || s[i - 1] == ' ') && !memcmp(s + i, key, kl) &&
        s[i + kl] == '=') {
      size_t v = i + kl + 1, e = v;
      while (e < n && s[e] != ' ')
        e++;
      if (e > v)
        return put(arena, out, s + v, e - v);
      return HK_OK;
    }
  }
  return HK_OK;
}

static int
starts(const char *s, size_t n, const char *prefix)
{
  size_t pl = strlen(prefix);
  return n >= pl && !memcmp(s, prefix, pl);
}

int
hk_sess_classify(sess_classifier *c, const char *s, size_t n,
                 const char *process, size_t process_len, hk_buf *arena,
                 sess_event *ev)
{
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  int rc = HK_OK;
  if (starts(s, n, "pam_unix(")) {
    if (match(c, c->open, s, n)) {
      ev->kind = EV_OPEN;
      rc |= group(c, s, 1, arena, &ev->service);
      rc |= group(c, s, 2, arena, &ev->user);
      rc |= group(c, s, 3, arena, &ev->by);
      if (ev->by.set && !ev->by.len)
        ev->by.set = 0; /* "by (uid=0)": nobody named */
    } else if (match(c, c->close, s, n)) {
      ev->kind = EV_CLOSE;
      rc |= group(c, s, 1, arena, &ev->service);
      rc |= group(c, s, 2, arena, &ev->user);
    } else if (match(c, c->pam_fail, s, n)) {
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
      const char *svc = s + ov[2];
      size_t svc_len = ov[3] - ov[2];
      if (svc_len == 4 && !memcmp(svc, "sshd", 4))
        return 0; /* sshd's own "Failed ..." line counts the attempt */
      ev->kind = EV_FAIL;
      rc |= put(arena, &ev->service, svc, svc_len);
      const char *tail = s + ov[4];
      size_t tail_len = ov[5] - ov[4];
      /* who tried: ruser (su, sudo) when set, else user (login) */
      rc |= tail_value(tail, tail_len, "ruser", arena, &ev->user);
      if (!ev->user.set)
        rc |= tail_value(tail, tail_len, "user", arena, &ev->user);
      rc |= tail_value(tail, tail_len, "rhost", arena, &ev->ip);
      rc |= put(arena, &ev->method, "pam", 3);
    } else
      return 0;
  } else if (starts(s, n, "Accepted ")) {
    if (!match(c, c->accept, s, n))
      return 0;
    ev->kind = EV_ACCEPT;
    rc |= group(c, s, 1, arena, &ev->method);
    rc |= group(c, s, 2, arena, &ev->user);
    rc |= group(c, s, 3, arena, &ev->ip);
    ev->port = group_int(c, s, 4);
    rc |= process ? put(arena, &ev->service, process, process_len)
                  : put(arena, &ev->service, "sshd", 4);
  } else if (starts(s, n, "Failed ")) {
    if (!match(c, c->failed, s, n))
      return 0;
    ev->kind = EV_FAIL;
    rc |= group(c, s, 1, arena, &ev->method);
    rc |= group(c, s, 2, arena, &ev->user);
    rc |= group(c, s, 3, arena, &ev->ip);
    ev->port = group_int(c, s, 4);
    rc |= process ? put(arena, &ev->service, process, process_len)
                  : put(arena, &ev->service, "sshd", 4);
  } else if (memchr(s, ':', n) && match(c, c->sudo, s, n)) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
    int refused = ov[4] != PCRE2_UNSET && ov[5] > ov[4];
    ev->kind = refused ? EV_REFUSED : EV_CMD;
    rc |= put(arena, &ev->service, "sudo", 4);
    rc |= put(arena, &ev->method, "sudo", 4);
    rc |= group(c, s, 1, arena, &ev->by);   /* the sudoer */
    rc |= group(c, s, 5, arena, &ev->user); /* USER= */
    rc |= group(c, s, 6, arena, &ev->text); /* COMMAND= */
    if (refused)
      rc |= group(c, s, 2, arena, &ev->reason);
  } else
    return 0;
  return rc == HK_OK ? 1 : HK_E_NOMEM;
}
