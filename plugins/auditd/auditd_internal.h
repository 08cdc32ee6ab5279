/*
 * plugins/auditd/auditd_internal.h -- what the reader (auditd.c), the
 * carriers of pre-parsed and syslog-borne records (auditd_carrier.c) and
 * the event builder (auditd_event.c) share: the output columns, the
 * open-event FIFO and the run state.  Not installed; hidden by
 * -fvisibility=hidden.
 */
#ifndef HK_AUDITD_INTERNAL_H
#define HK_AUDITD_INTERNAL_H

/* the file provider's byte source and CSV / JSON readers, compiled in */
#include "../file/file_internal.h"

#include <huntkit/buf.h>
#include <huntkit/provider.h>

#include <stdio.h>

/* For the few small helpers of the per-record and per-field paths that GCC
 * stops inlining once they have a second caller. */
#if defined(__GNUC__)
#define AUDITD_HOT static inline __attribute__((always_inline))
#else
#define AUDITD_HOT static inline
#endif

/* Input forms (format= option). */
enum auditd_format {
  FMT_AUTO = 0,
  FMT_RAW,          /* audit.log lines */
  FMT_LOGANALYTICS, /* mssg_id + AuditdMessage rows (CSV or JSON) */
  FMT_AUOMS         /* AUOMS records inside syslog lines or Syslog rows */
};

/* What carries the records of a non-raw input. */
enum auditd_carrier {
  CARRY_LINES = 0, /* text lines (raw audit.log, syslog files) */
  CARRY_CSV,       /* a CSV export with a header */
  CARRY_JSON       /* NDJSON, a JSON array or a sequence of objects */
};

/* A record's type length carries this bit when its fields are written in
 * AUOMS's syntax (unquoted values with spaces, [..] lists), not auditd's. */
#define REC_AUOMS 0x80000000u

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
  int skip_bad;
  int format, carrier;
  int64_t batch_rows, row_limit, start_us, end_us;

  hk_file_src src; /* the input, read in 1 MiB blocks */
  int src_open;
  int64_t line_no, record_no;

  /* CSV and JSON carriers */
  hk_file_csv csv;
  hk_file_json jsonr;
  int csv_open, json_open;
  int col_message, col_id, col_computer; /* CSV column indices, -1: none */
  size_t n_header;
  hk_buf row_text, row_aux; /* a row's decoded message; literal scratch */

  open_event ring[OPEN_WINDOW];
  size_t head, n_open;

  hk_table_builder *b;
  int64_t emitted, skipped;
  int64_t not_audit; /* auoms: lines or rows of other programs */
  int done, pending, reported;
  hk_error pending_err;

  /* per-event scratch */
  field *fields;
  size_t n_fields, cap_fields;
  hk_buf scratch, json, cmd;
  /* per record of the event being emitted: type, its length, AUOMS syntax */
  const char **rec_types;
  size_t *rec_lens;
  unsigned char *rec_auoms;
  size_t cap_rec;
} auditd_run;

/* Add one record to its event (found among the open ones by timestamp and
 * serial, or started).  `node` may be NULL; `complete` marks the event done
 * (a carrier row holds whole events).  HK_OK or HK_E_NOMEM. */
int auditd_add_record(auditd_run *r, int64_t ts_us, int64_t serial,
                      const char *node, size_t node_len, const char *type,
                      size_t type_len, uint32_t flags, const char *body,
                      size_t body_len, int complete);
/* Parse `[node=N ]type=T msg=audit(S.F:SERIAL): body` at s[0..n) (and,
 * with `embedded`, also `type=T audit(...)` anywhere in the text, as AUOMS
 * and audisp write into syslog) and add it.  1 when it was a record, 0
 * when not, <0 on allocation failure.  `node` (may be NULL) is the node
 * when the text names none. */
int auditd_take_record(auditd_run *r, const char *s, size_t n, int embedded,
                       const char *node, size_t node_len);
/* 1 when the text holds `type=` and `audit(`: a record, well formed or
 * not, as opposed to another program's syslog message. */
int auditd_looks_like_record(const char *s, size_t n);
/* Read the next carrier row (CSV or JSON) and add its records.  1: a row
 * was used; 0: the end; 2: the row was malformed, `err` says where and
 * why (the caller applies on_error); 3: a Syslog row without an audit
 * record (format=auoms), passed over; <0: the input cannot be read on. */
int auditd_carrier_next(auditd_run *r, hk_error *err);
/* Set up the CSV or JSON carrier (header, columns).  HK_OK or an error
 * naming the file and the missing column. */
int auditd_carrier_open(auditd_run *r, hk_error *err);
void auditd_carrier_close(auditd_run *r);

/* Emit the oldest open event as a row and drop it from the FIFO. */
int auditd_emit_head(auditd_run *r);
/* Emit, in order of first record, the events that are done (all of them
 * when `all`).  HK_OK or HK_E_NOMEM. */
int auditd_flush_done(auditd_run *r, int all);

#endif /* HK_AUDITD_INTERNAL_H */
