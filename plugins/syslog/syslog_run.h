/*
 * plugins/syslog/syslog_run.h -- one run of the `syslog` provider: the
 * input, the output columns, host records and the Sentinel reader state.
 */
#ifndef HK_SYSLOG_RUN_H
#define HK_SYSLOG_RUN_H

#include "syslog_internal.h"

#include <huntkit/host.h>
#include <huntkit/table.h>

/* A batch also ends after this much input, so a batch of very long lines
 * stays bounded. */
#ifndef SYSLOG_BATCH_BYTES
#define SYSLOG_BATCH_BYTES (16 << 20)
#endif

/* Message columns, in schema order. */
enum {
  C_TIME,
  C_COMPUTER,
  C_FACILITY,
  C_SEVERITY,
  C_PRIORITY,
  C_PROCESS,
  C_PID,
  C_MSGID,
  C_SD,
  C_MESSAGE,
  C_HOSTIP,
  C_FORMAT,
  N_SYS_COLS
};
#define N_HOST_COLS 6

typedef struct syslog_column {
  const char *name;
  int type;
} syslog_column;
extern const syslog_column syslog_columns[N_SYS_COLS];

/* A set of byte strings (open addressing); index = order of insertion. */
typedef struct syslog_strset {
  hk_buf arena;
  size_t (*keys)[2]; /* offset, length in arena */
  size_t n, cap;
  int64_t *slots; /* key index, -1 empty */
  size_t n_slots;
} syslog_strset;

typedef struct syslog_host {
  int64_t first_us, last_us, events;
  int has_ts, null_name;
  hk_buf ip;   /* first HostIP seen */
  hk_buf apps; /* JSON array being built: ["sshd","nginx" */
} syslog_host;

typedef struct syslog_run {
  const hk_host *host;
  const hk_instance *inst;
  char **paths; /* the inputs, read one after another */
  size_t n_paths, cap_paths, cur;
  const char *shown_path;
  int format_opt; /* format= */
  int format;     /* the current input's: AUTO reads lines */
  int skip_bad, hosts, windowed;
  int64_t batch_rows, row_limit, start_us, end_us;
  hk_syslog_clock clock;
  const char *const *excluded; /* exclude_apps (borrowed from options) */
  size_t n_excluded;

  hk_file_src src;
  int src_open;
  int64_t line_no, bytes;

  /* Sentinel export */
  hk_file_csv csv;
  hk_file_json json;
  int csv_open, json_open;
  size_t n_header;
  int col[16]; /* export column per SENT_* field, -1 when absent */

  hk_table_builder *b;
  hk_buf sd;        /* the current message's structured data (JSON) */
  hk_buf line_copy; /* a line with NUL bytes replaced */
  hk_buf cell;      /* scratch */
  int64_t emitted, skipped;
  int done, pending, reported;
  hk_error pending_err;

  /* hosts=true */
  syslog_strset host_names, host_apps;
  syslog_host *host_rows;
  size_t n_hosts, cap_hosts, host_cursor;
} syslog_run;

/* syslog.c: a parsed message into the current batch (or its host record);
 * messages outside the time window are dropped here.  HK_OK or NOMEM. */
int hk_syslog_take(syslog_run *r, const hk_syslog_msg *m);
int hk_syslog_host_add(syslog_run *r, const hk_syslog_msg *m);
/* A malformed line or row under on_error; 1 when the run stops. */
int hk_syslog_bad_input(syslog_run *r, hk_error *bad);

/* syslog_sentinel.c: the export's header (CSV) or reader (JSON). */
int hk_syslog_sentinel_open(syslog_run *r, hk_error *err);
void hk_syslog_sentinel_close(syslog_run *r);
/* The next row: 1 taken, 0 end, 2 malformed (err says), <0 fatal. */
int hk_syslog_sentinel_next(syslog_run *r, hk_error *err);

#endif /* HK_SYSLOG_RUN_H */
