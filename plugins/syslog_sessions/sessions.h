/*
 * plugins/syslog_sessions/sessions.h -- what the parts of the analyzer
 * share: the message classifier (sessions_classify.c), the pairing and
 * bursts (sessions_pair.c), the rules and output rows (sessions_output.c)
 * and the plugin (syslog_sessions.c).
 * Not installed; every symbol is hidden (-fvisibility=hidden).
 */
#ifndef HK_SESSIONS_H
#define HK_SESSIONS_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/table.h>
#include <pcre2.h>
#include <stdint.h>
#include <string.h>

/* Event kinds, in the order they sort at one timestamp: a session's
 * authentication and sudo's command line come before its open, the open
 * before the close (minute-resolution exports lose the real order). */
enum {
  EV_ACCEPT = 0,  /* sshd: Accepted METHOD for USER from IP port N */
  EV_FAIL = 1,    /* sshd: Failed ...; pam_unix(SERVICE:auth) failure */
  EV_REFUSED = 2, /* sudo: USER : REASON ; TTY=... ; COMMAND=... */
  EV_CMD = 3,     /* sudo: USER : TTY=... ; USER=... ; COMMAND=... */
  EV_OPEN = 4,    /* pam_unix(SERVICE:session): session opened for user ... */
  EV_CLOSE = 5    /* pam_unix(SERVICE:session): session closed for user ... */
};

/* A piece of text in the run's arena; len 0 with set 0 is absent. */
typedef struct sess_str {
  size_t off;
  uint32_t len;
  int set;
} sess_str;

typedef struct sess_event {
  int64_t t;         /* µs */
  int64_t seq;       /* input order */
  int64_t pid, port; /* -1 when unknown */
  int kind;
  sess_str host, service, user, by, ip, method, text, reason;
} sess_event;

typedef struct sess_classifier {
  pcre2_code *open, *close, *accept, *failed, *pam_fail, *sudo;
  pcre2_match_data *md;
} sess_classifier;

/* Compile the patterns (JIT when available).  HK_OK or HK_E_NOMEM. */
int hk_sess_classifier_init(sess_classifier *c);
void hk_sess_classifier_free(sess_classifier *c);

/*
 * Recognise one message.  Returns 1 and fills ev->kind and the parts it
 * names (strings appended to `arena`), 0 when the message is none of the
 * kinds, HK_E_NOMEM.  `process` (may be NULL) is the ProcessName column:
 * sshd lines are recognised by their text, so it only names the service
 * of sshd events.
 */
int hk_sess_classify(sess_classifier *c, const char *msg, size_t len,
                     const char *process, size_t process_len, hk_buf *arena,
                     sess_event *ev);

/* ------------------------------------------------------------ the run */

/* Output columns. */
enum {
  O_KIND,
  O_COMPUTER,
  O_SERVICE,
  O_USER,
  O_BYUSER,
  O_SOURCEIP,
  O_SOURCEPORT,
  O_METHOD,
  O_START,
  O_END,
  O_DURATION,
  O_PID,
  O_COMMANDS,
  O_COMMANDLIST,
  O_FAILED,
  O_RISKY,
  O_REASONS,
  N_OUT
};
typedef struct sess_column {
  const char *name;
  int type;
} sess_column;
extern const sess_column sess_out_columns[N_OUT];

typedef struct session {
  int64_t start, end;
  int closed;
  int64_t pid, port;
  sess_str host, service, user, by, ip, method;
  size_t first_cmd, n_cmds; /* into the run's attached-command order */
  int64_t failed_before;
} session;

typedef struct burst {
  int64_t start, end, count;
  size_t first; /* failure event index of the first */
} burst;

/* One output row. */
enum { ROW_SESSION, ROW_COMMAND, ROW_REFUSED, ROW_FAILURES };
typedef struct out_row {
  int64_t t;
  int kind; /* ROW_* */
  size_t index;
} out_row;

typedef struct sess_run {
  const hk_instance *inst;
  int64_t burst_n, burst_us, failed_n, failed_us, attach_us;
  const char *const *excluded;
  size_t n_excluded;
  pcre2_code **risky;
  char **risky_text;
  size_t n_risky;
  pcre2_match_data *md;

  hk_buf arena;
  sess_event *ev;
  size_t n_ev, cap_ev;
  session *ss;
  size_t n_ss, cap_ss;
  int64_t *cmd_session;     /* per event: session of a command, -1 none */
  unsigned char *cmd_burst; /* per event: the command is part of a burst */
  size_t *attached;         /* command events by session */
  size_t *fails;            /* failure events sorted by (source key, time) */
  size_t n_fails;
  burst *bursts;
  size_t n_bursts;
  out_row *rows;
  size_t n_rows, next_row;
  int64_t orphan_closes;

  hk_table_builder *b;
  hk_buf json, reasons;
} sess_run;

static inline const char *
S(const sess_run *r, sess_str s)
{
  return r->arena.data + s.off;
}

static inline int
str_eq(const sess_run *r, sess_str a, sess_str b)
{
  return a.set == b.set && a.len == b.len &&
         (!a.len || !memcmp(S(r, a), S(r, b), a.len));
}

static inline int
str_is(const sess_run *r, sess_str a, const char *lit)
{
  size_t n = strlen(lit);
  return a.set && a.len == n && !memcmp(S(r, a), lit, n);
}

/* sessions_pair.c: sort the events, pair opens and closes, attach sudo
 * commands, find bursts of commands and of failures, and order the output
 * rows.  HK_OK or HK_E_NOMEM. */
int hk_sess_analyse(sess_run *r);

/* sessions_output.c: risky-command rules and the output rows. */
int hk_sess_add_rule(sess_run *r, const char *re, size_t len, const char *where,
                     hk_error *err);
int hk_sess_load_rules_file(sess_run *r, const char *path, hk_error *err);
int hk_sess_emit_row(sess_run *r, const out_row *o);

#endif /* HK_SESSIONS_H */
