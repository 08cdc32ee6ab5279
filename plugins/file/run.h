/*
 * plugins/file/run.h -- one run of the `file` provider: the inputs, the
 * columns, the inference sample and the table builder.  file.c sets a run
 * up from the options and hands it out as a stream; rows.c reads records,
 * infers the column types and appends rows.
 */
#ifndef HK_FILE_RUN_H
#define HK_FILE_RUN_H

#include "file_internal.h"

#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/provider.h>
#include <huntkit/table.h>

enum hk_file_format {
  HK_FILE_FMT_AUTO = 0, /* by extension, else by the first byte */
  HK_FILE_FMT_CSV,
  HK_FILE_FMT_TSV,
  HK_FILE_FMT_NDJSON,
  HK_FILE_FMT_JSON /* array, NDJSON or a sequence of objects: sniffed */
};

/* Names -> small integers, by open addressing (column names, JSON keys). */
typedef struct hk_file_names {
  char **names;
  size_t n, cap;
  int32_t *slots; /* index + 1, 0 = empty */
  size_t n_slots;
} hk_file_names;

/* Index of `s` or -1. */
int hk_file_names_find(const hk_file_names *t, const char *s, size_t len);
/* Index of the added copy of `s`, or a negative hk_status. */
int hk_file_names_add(hk_file_names *t, const char *s, size_t len);
void hk_file_names_free(hk_file_names *t);

typedef struct hk_file_input {
  char *path;
  int format;   /* enum hk_file_format as chosen by option/extension */
  int is_json;  /* resolved on open */
  int32_t *map; /* CSV: file column -> schema column, -1 = not kept */
  size_t n_map; /* CSV: fields a record must have */
  int64_t header_line;
} hk_file_input;

typedef struct hk_file_column {
  int type;   /* hk_column_type, decided when the schema is fixed */
  int forced; /* the type came from types= */
  hk_file_infer inf;
  int64_t bad;     /* values that did not fit the type */
  char *bad_where; /* "PATH:LINE" of the first */
} hk_file_column;

typedef struct hk_file_sample_row {
  size_t input;
  int64_t line;
  size_t first, n;         /* CSV: fields sample_fields[first..first+n) */
  struct json_object *obj; /* JSON */
} hk_file_sample_row;

typedef struct hk_file_run {
  const hk_host *host;
  const hk_instance *inst;

  /* options */
  int skip_bad;   /* on_error=skip */
  int keep_index; /* index_column=keep */
  int add_source;
  int header;
  int64_t infer_rows; /* 0: read everything once to infer, then again */
  int64_t batch_rows;
  int format;
  char delim; /* 0: by format */
  int64_t start_us, end_us, row_limit;
  char *time_column_opt;
  char *path_text; /* the path option as given, for messages */

  /* inputs */
  hk_file_input *inputs;
  size_t n_inputs, cur;
  int src_open;
  hk_file_src src;
  hk_file_csv csv;
  hk_file_json json;
  int csv_header_as_row; /* header=false: the first record is data */
  int family;            /* 0 unknown, 1 CSV, 2 JSON */
  int quiet;             /* inference pass of infer_rows=0: no warnings */
  int64_t sampled;       /* rows the column types were inferred from */

  /* columns */
  hk_file_names names;
  hk_file_column *cols;
  size_t cap_cols;
  int schema_fixed;
  int source_col; /* -1 when add_source is off */
  int time_col;   /* -1 when no time window applies */

  /* inference sample, replayed before reading on */
  hk_file_sample_row *rows;
  size_t n_rows, cap_rows, replay;
  size_t (*fields)[2]; /* offset and length in `arena` */
  size_t n_fields, cap_fields;
  hk_buf arena;

  /* emission */
  hk_table_builder *b;
  int64_t *seen; /* per column: the row stamp it last got a value */
  int64_t stamp;
  int64_t emitted;
  int64_t bytes; /* input bytes consumed, for the batch size cap */
  int done;
  int pending; /* an error to report after the rows before it */
  hk_error pending_err;
  int64_t skipped;       /* malformed records skipped */
  int reported;          /* the totals were logged */
  hk_file_names unknown; /* JSON keys seen after the schema was fixed */
  int64_t *unknown_count;
  size_t cap_unknown;
  int64_t unknown_other; /* values of keys past UNKNOWN_KEYS_MAX */
  int32_t *next_key;     /* JSON: next_key[c + 1] is the column whose key came
                            after column c's last time (c = -1: first key);
                            records of one kind repeat their key order */
  hk_file_field *tmp_fields; /* a sample row being replayed */
  size_t cap_tmp;
  hk_buf scratch;
} hk_file_run;

/* rows.c: reading and sampling */
int hk_file_add_column(hk_file_run *r, const char *name, size_t len);
/* The next record of the inputs: 1 with it in r->csv.fields (CSV) or *obj
 * (JSON, transfer), 0 when every input is read, or a negative hk_status
 * that stops the run (err filled).  Malformed records are skipped (with a
 * warning) or reported here according to on_error. */
int hk_file_read_record(hk_file_run *r, struct json_object **obj,
                        hk_error *err);
void hk_file_close_input(hk_file_run *r);
/* Read the first infer_rows rows (keeping them for replay), or with
 * infer_rows=0 every row, then rewind. */
int hk_file_collect_sample(hk_file_run *r, hk_error *err);

/* emit.c: the schema and the rows */
int hk_file_fix_schema(hk_file_run *r, const char *const *types, size_t n_types,
                       hk_error *err);
int hk_file_next_batch(hk_file_run *r, struct ArrowArray *out, hk_error *err);
void hk_file_report_totals(hk_file_run *r);

#endif /* HK_FILE_RUN_H */
