/*
 * plugins/auditd/auditd_internal.h -- what the reader (auditd.c) and the
 * event builder (auditd_event.c) share: the output columns, the open-event
 * FIFO and the run state.  Not installed; hidden by -fvisibility=hidden.
 */
#ifndef HK_AUDITD_INTERNAL_H
#define HK_AUDITD_INTERNAL_H

#include <huntkit/buf.h>
#include <huntkit/provider.h>

#include <stdio.h>

/* An event is complete at its EOE record, or when this many records were
 * read since its last record, or when more events than this are open. */
#define OPEN_WINDOW 64

/* Output columns; the order here is the schema order. */
enum {
  C_TIME,
  C_SERIAL,
  C_EVENT_TYPE,
  C_NODE,
  C_PID,
  C_PPID,
  C_UID,
  C_AUID,
  C_EUID,
  C_GID,
  C_SES,
  C_SYSCALL,
  C_SUCCESS,
  C_EXIT,
  C_EXE,
  C_COMM,
  C_KEY,
  C_TTY,
  C_CWD,
  C_CMDLINE,
  C_PROCTITLE,
  C_PATHS,
  C_ACCT,
  C_HOSTNAME,
  C_ADDR,
  C_TERMINAL,
  C_RES,
  C_FIELDS,
  N_COLS
};

/* Name and type of each output column, indexed by C_*. */
typedef struct auditd_column {
  const char *name;
  int type;
} auditd_column;
extern const auditd_column auditd_columns[N_COLS];

typedef struct field {
  const char *key; /* into the event's record text */
  size_t klen;
  size_t voff; /* value (unquoted, decoded) in the run's scratch buffer */
  size_t vlen;
  int has_value;
  int record; /* index of the record in the event */
} field;

typedef struct open_event {
  int64_t ts_us;
  int64_t serial;
  int64_t last_record_no;
  int complete;
  /* records, each as: uint32 type length, uint32 body length, type, body;
   * node name (if any) kept in `node` */
  hk_buf text;
  size_t n_records;
  hk_buf node;
} open_event;

typedef struct auditd_run {
  const hk_host *host;
  const hk_instance *inst;
  char *path;
  const char *shown_path;
  FILE *fp;
  int own_fp;
  int skip_bad;
  int64_t batch_rows, row_limit, start_us, end_us;

  char *buf; /* read buffer */
  size_t buf_cap, buf_len, buf_pos;
  int eof;
  int64_t line_no, record_no;

  open_event ring[OPEN_WINDOW];
  size_t head, n_open;

  hk_table_builder *b;
  int64_t emitted, skipped;
  int done, pending;
  hk_error pending_err;

  /* per-event scratch */
  field *fields;
  size_t n_fields, cap_fields;
  hk_buf scratch, json, cmd;
  size_t *rec_types; /* offsets of record starts in the event text */
  size_t cap_rec;
} auditd_run;

/* Emit the oldest open event as a row and drop it from the FIFO. */
int auditd_emit_head(auditd_run *r);
/* Emit, in order of first record, the events that are done (all of them
 * when `all`).  HK_OK or HK_E_NOMEM. */
int auditd_flush_done(auditd_run *r, int all);

#endif /* HK_AUDITD_INTERNAL_H */
