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

/* What a path names, decided when the paths are expanded. */
enum hk_file_container {
  HK_FILE_PLAIN = 0, /* a file read as it is */
  HK_FILE_ARCHIVE,   /* zip or tar (any compression): its members */
  HK_FILE_COMPRESSED /* one compressed file (.gz, .bz2, .xz, .zst) */
};

typedef struct hk_file_input {
  /* What messages and _source show: the file, or ARCHIVE#MEMBER once an
   * archive member is open. */
  char *path;
  int container;    /* enum hk_file_container */
  char *archive;    /* the archive file, for HK_FILE_ARCHIVE/COMPRESSED */
  char *member_sel; /* member pattern after '#', NULL: every table member */
  char *member;     /* the member this input reads, once known */
  int extra;        /* inserted for a later member of the same archive */
  int format;       /* enum hk_file_format as chosen by option/extension */
  int is_json;      /* resolved on open */
  int32_t *map;     /* CSV: file column -> schema column, -1 = not kept */
  size_t n_map;     /* CSV: fields a record must have */
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

/* How a run reads its inputs: the `file` provider fills it from its
 * options, the `otrf` provider from its own (both link these sources).
 * Everything is borrowed for the duration of hk_file_open_stream. */
typedef struct hk_file_settings {
  const char *const *paths; /* files, globs, "-", ARCHIVE#MEMBER */
  size_t n_paths;
  const char *const *types; /* COLUMN:TYPE overrides */
  size_t n_types;
  const char *format; /* auto|csv|tsv|ndjson|json, NULL = auto */
  int skip_bad;       /* on_error=skip */
  int keep_index;     /* index_column=keep */
  int add_source;     /* _source column */
  int header;         /* CSV header row */
  int64_t infer_rows; /* 0: two passes */
  int64_t batch_rows; /* when batch_rows_set; else the query's hint */
  int batch_rows_set;
  const char *delimiter;    /* NULL: by format */
  const char *time_column;  /* NULL: the first known one */
  int64_t max_member_mb;    /* archive member size cap, MiB */
  int64_t max_ratio;        /* archive member compression ratio cap */
  const char *archive_hint; /* appended to "archive truncated" errors */
} hk_file_settings;

#define HK_FILE_DEFAULT_MAX_MEMBER_MB 4096
#define HK_FILE_DEFAULT_MAX_RATIO 200

/* Start a run over `set` for query `q` (window, row limit, batch hint):
 * inputs are expanded and checked, the first rows read to infer the
 * columns, and the stream returned in *out (transfer).  Errors name the
 * path and the option to change; `who` prefixes them ("file", "otrf"). */
int hk_file_open_stream(const hk_host *host, const hk_instance *inst,
                        const char *who, const hk_file_settings *set,
                        const hk_query *q, struct ArrowArrayStream *out,
                        hk_error *err);

typedef struct hk_file_archive hk_file_archive;

typedef struct hk_file_run {
  const hk_host *host;
  const hk_instance *inst;
  const char *who; /* message prefix: the provider's name (static) */

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
  hk_file_archive *arc; /* the archive being read, or NULL */
  int broken; /* an archive broke off or hit a limit: the run ends there */
  int64_t max_member_bytes, max_ratio;
  const char *archive_hint; /* static, from the settings, or NULL */
  hk_file_csv csv;
  hk_file_json json;
  int csv_header_as_row; /* header=false: the first record is data */
  int family;            /* 0 unknown, 1 CSV, 2 JSON */
  int quiet;             /* inference pass of infer_rows=0: no warnings */
  /* infer_rows=0 over a large input: the second pass stays quiet about
   * records up to where the first pass stopped reporting */
  int quiet_until;
  size_t quiet_input;
  int64_t quiet_offset;
  int64_t sampled; /* rows the column types were inferred from */

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

/* archive.c: members of zip and tar archives read in place (libarchive).
 * hk_file_archive_kind: the container a path names, by its extension,
 * else by its first bytes (enum hk_file_container).
 * hk_file_archive_open_member: open r->src over the member of the archive
 *   input r->inputs[r->cur], opening the archive and finding its first
 *   member first when needed.  1 when open, 0 when the input has no
 *   member to read, or a negative hk_status (err names archive and
 *   member).
 * hk_file_archive_next_member: after a member, find the next one; when
 *   there is one, insert its input after r->cur, advance r->cur and return
 *   1; return 0 (archive closed) when there is none.
 * hk_file_archive_rewind: close the archive and drop the inserted member
 *   inputs, so that a second pass finds the same members again. */
int hk_file_archive_kind(const char *path);
int hk_file_archive_supported(void);
int hk_file_archive_open_member(hk_file_run *r, hk_error *err);
int hk_file_archive_next_member(hk_file_run *r, hk_error *err);
void hk_file_archive_close(hk_file_run *r);
void hk_file_archive_rewind(hk_file_run *r);
/* Is `path` of a format the file provider reads (by extension)? */
int hk_file_format_from_extension(const char *path);

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
