/*
 * plugins/file/file_internal.h -- what the parts of the `file` provider
 * share: the buffered byte source, the CSV and JSON record readers and the
 * value parsers used for type inference.
 *
 * Every symbol declared here is hidden (the plugin is built with
 * -fvisibility=hidden and exports only its entry point); the hk_file_
 * prefix keeps them apart from libhuntkit-sdk's names.
 */
#ifndef HK_FILE_INTERNAL_H
#define HK_FILE_INTERNAL_H

#include <huntkit/abi.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- source */

/* Reads are this large; a record longer than the buffer grows it, up to
 * HK_FILE_MAX_RECORD, so memory follows the longest record, not the file. */
#define HK_FILE_READ_SIZE (1u << 20)
#define HK_FILE_MAX_RECORD (256u << 20)
/* infer_rows=0 holds the rows of an input up to this size and reads it
 * once; a larger one is read twice.  Tests make it smaller. */
#ifndef HK_FILE_KEEP_BYTES
#define HK_FILE_KEEP_BYTES (8 << 20)
#endif

/* A file (or stdin) read through one growable buffer.  The readers consume
 * bytes from buf[pos..len) and call hk_file_src_fill when a record runs past
 * `len`; fill moves the unread tail to the front and reads more, so
 * pointers into the buffer are valid only until the next fill. */
/* Where the bytes come from when not from a file descriptor (an archive
 * member): fill up to `cap` bytes at `buf`, set *got (0 at the end) and
 * return HK_OK, or fail with `err` filled. */
typedef int (*hk_file_read_fn)(void *ctx, char *buf, size_t cap, size_t *got,
                               hk_error *err);

typedef struct hk_file_src {
  const char *path; /* display name (borrowed), "-" for stdin */
  int fd;
  int eof;
  int read_failed; /* the input broke off (truncated archive, read error):
                      nothing after this point can be read */
  hk_file_read_fn read_fn; /* NULL: read(2) on fd */
  void *read_ctx;
  char *buf;
  size_t cap, pos, len;
  int64_t line;    /* physical line number (1-based) of buf[pos] */
  int64_t dropped; /* bytes discarded before buf[0]: offset = dropped+pos */
} hk_file_src;

/* Open `path` ("-" reads standard input, which is not closed). */
int hk_file_src_open(hk_file_src *s, const char *path, hk_error *err);
/* A source over a reader callback; `path` is only shown in messages. */
int hk_file_src_open_reader(hk_file_src *s, const char *path,
                            hk_file_read_fn fn, void *ctx, hk_error *err);
void hk_file_src_close(hk_file_src *s);
/* Make room and read more.  Returns the number of bytes added, 0 at the end
 * of the input (s->eof set), or a negative hk_status with `err` filled
 * (read error, record longer than HK_FILE_MAX_RECORD). */
int hk_file_src_fill(hk_file_src *s, hk_error *err);
/* Skip a UTF-8 byte order mark at the very start of the input. */
int hk_file_src_skip_bom(hk_file_src *s, hk_error *err);
/* The first byte that is not white space (reading as needed), or -1 for an
 * input that is empty or only white space.  Consumes nothing. */
int hk_file_src_peek_nonspace(hk_file_src *s, hk_error *err);
static inline int64_t
hk_file_src_offset(const hk_file_src *s)
{
  return s->dropped + (int64_t)s->pos;
}

/* ------------------------------------------------------------------- CSV */

typedef struct hk_file_field {
  char *p; /* field text, quotes removed; not NUL-terminated */
  size_t len;
} hk_file_field;

/* RFC 4180 records, read the way Python's csv module (and pandas) read
 * them: quotes are special only at the start of a field, "" inside a quoted
 * field is one quote, CR, LF and CRLF end a record, text after a closing
 * quote is kept, blank lines are skipped. */
typedef struct hk_file_csv {
  hk_file_src *src;
  char delim;
  hk_file_field *fields; /* the last record; valid until the next call */
  size_t n_fields, cap_fields;
  unsigned char *quoted; /* per field: it was quoted (needs unescaping) */
  int64_t line;          /* line on which the last record started */
} hk_file_csv;

void hk_file_csv_init(hk_file_csv *c, hk_file_src *src, char delim);
void hk_file_csv_free(hk_file_csv *c);
/* 1: a record is in c->fields; 0: end of input; negative: the input cannot
 * be read further (unterminated quote, read error), `err` says where. */
int hk_file_csv_next(hk_file_csv *c, hk_error *err);

/* ------------------------------------------------------------------ JSON */

struct json_object;
struct json_tokener;

enum hk_file_json_mode {
  HK_FILE_JSON_LINES = 1, /* NDJSON: one object per line */
  HK_FILE_JSON_ARRAY = 2, /* [ {...}, {...} ] */
  HK_FILE_JSON_SEQ = 3    /* objects one after another, any layout */
};

typedef struct hk_file_json {
  hk_file_src *src;
  struct json_tokener *tok;
  int mode;
  int state;    /* array mode: where in the array the reader is */
  int64_t line; /* line on which the last record (or error) started */
} hk_file_json;

/* hk_file_json_next results besides HK_OK-like 1/0. */
#define HK_FILE_REC 1 /* a record: *out holds it (transfer) */
#define HK_FILE_END 0 /* end of input */
#define HK_FILE_BAD 2 /* one malformed record was skipped over; err says */

int hk_file_json_init(hk_file_json *j, hk_file_src *src, int mode,
                      hk_error *err);
void hk_file_json_free(hk_file_json *j);
/* HK_FILE_REC, HK_FILE_END, HK_FILE_BAD (reader is past the bad record, the
 * caller may go on), or a negative hk_status: the rest of the input cannot
 * be read. */
int hk_file_json_next(hk_file_json *j, struct json_object **out, hk_error *err);
/* Does the first line of `s` hold one complete JSON value? (sniffing) */
int hk_file_json_first_line_complete(hk_file_src *s, hk_error *err);

/* ---------------------------------------------------------------- values */

/* Kinds a value can have during inference (bit set). */
enum hk_file_kind {
  HK_FILE_K_INT = 1u << 0,
  HK_FILE_K_FLOAT = 1u << 1,
  HK_FILE_K_BOOL = 1u << 2,
  HK_FILE_K_TS = 1u << 3,
  HK_FILE_K_TEXT = 1u << 4,
  HK_FILE_K_NESTED = 1u << 5
};

/* Each returns 1 and sets *out when all of s[0..n) is such a value. */
int hk_file_parse_int(const char *s, size_t n, int64_t *out);
int hk_file_parse_float(const char *s, size_t n, double *out);
int hk_file_parse_bool(const char *s, size_t n, int *out);
/* ISO-8601 / RFC 3339 date-times and M/D/YYYY US dates, see README.md. */
int hk_file_parse_timestamp(const char *s, size_t n, int64_t *us);
/* Epoch numbers: the unit follows the magnitude (s, ms, us or ns). */
int hk_file_epoch_int_to_us(int64_t v, int64_t *us);
int hk_file_epoch_float_to_us(double v, int64_t *us);
/* Any text a timestamp column accepts: date-time text or epoch number. */
int hk_file_parse_timestamp_any(const char *s, size_t n, int64_t *us);

/* 1 when a JSON integer does not fit int64 (json-c keeps those as uint64;
 * reading them as int64 would silently saturate). */
int hk_file_json_int_overflows(struct json_object *v);

/* Inference state of one column. */
typedef struct hk_file_infer {
  unsigned kinds; /* HK_FILE_K_* seen */
  int64_t values; /* non-null values seen */
  int epoch_ok;   /* every number so far is a plausible epoch time */
} hk_file_infer;

void hk_file_infer_init(hk_file_infer *inf);
void hk_file_infer_text(hk_file_infer *inf, const char *s, size_t n);
void hk_file_infer_json(hk_file_infer *inf, struct json_object *v);
/* The column type (enum hk_column_type) the values seen call for. */
int hk_file_infer_type(const hk_file_infer *inf, const char *column_name);
/* "int", "float", ... (types= option) -> hk_column_type, or -1. */
int hk_file_type_from_name(const char *s, size_t n);

#endif /* HK_FILE_INTERNAL_H */
