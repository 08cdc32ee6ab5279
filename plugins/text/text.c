/*
 * plugins/text/text.c -- the `text` provider: plain text (logs, mail, notes,
 * a string given on the command line) as a table, one row per line or one
 * row for the whole input, so text analyzers (iocextract, b64unpack,
 * cmdline) work on unstructured data as they do on columns.
 *
 * Lines are cut at '\n' (a trailing '\r' is dropped), found with memchr
 * over 1 MiB reads, so the cost is close to the copy into the batch.
 */
#include <huntkit/huntkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Config schema (run options). */
static const hk_param text_options[] = {
    {"path", HK_PT_PATH, HK_P_REST, NULL, NULL,
     "text file to read, or - for standard input (one of path or text)"},
    {"text", HK_PT_STRING, 0, NULL, NULL,
     "the input itself, instead of a file (one of path or text)"},
    {"mode", HK_PT_STRING, 0, "lines", "lines|whole",
     "lines: one row per line; whole: one row holding the whole input"},
    {"max_line", HK_PT_INT, 0, "16777216", NULL,
     "longest row in bytes; a longer line is cut into pieces of this size "
     "with a warning, a longer whole input is an error"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define DEFAULT_BATCH_ROWS 8192
#define BATCH_BYTES (8u << 20)
#define READ_CHUNK (1u << 20)

static const hk_host *host_services;

typedef struct text_run {
  const hk_host *host;
  const hk_instance *inst;
  FILE *fp;
  int own_fp;
  char *shown_path;
  const char *literal; /* text= input (borrowed copy kept in `lit_copy`) */
  char *lit_copy;
  size_t lit_len, lit_pos;
  int whole;
  int64_t max_line;
  char *buf;
  size_t buf_len, buf_pos, buf_cap;
  int eof, done;
  int64_t line_no;  /* lines started so far */
  int64_t cut_line; /* line being cut into pieces, or 0 */
  int64_t batch_rows, row_limit, emitted, cut_lines;
  hk_table_builder *b;
} text_run;

/* Fill the buffer so that it holds at least one line or the rest of the
 * input.  Returns HK_OK or an error. */
static int
refill(text_run *r, hk_error *err)
{
  if (r->buf_pos > 0) {
    memmove(r->buf, r->buf + r->buf_pos, r->buf_len - r->buf_pos);
    r->buf_len -= r->buf_pos;
    r->buf_pos = 0;
  }
  if (r->buf_cap - r->buf_len < READ_CHUNK) {
    size_t cap = r->buf_cap ? r->buf_cap * 2 : 2 * READ_CHUNK;
    char *nb = realloc(r->buf, cap);
    if (!nb)
      return hk_error_set(err, HK_E_NOMEM, "text: out of memory");
    r->buf = nb;
    r->buf_cap = cap;
  }
  size_t got = fread(r->buf + r->buf_len, 1, r->buf_cap - r->buf_len, r->fp);
  if (got == 0) {
    if (ferror(r->fp))
      return hk_error_set(
          err, HK_E_IO, "text: %s: read failed after line %lld: %s",
          r->shown_path, (long long)r->line_no, strerror(errno));
    r->eof = 1;
  }
  r->buf_len += got;
  return HK_OK;
}

static int
append_row(text_run *r, int64_t line_no, const char *s, size_t n, hk_error *err)
{
  if (hk_table_builder_append_int64(r->b, 0, line_no) != HK_OK ||
      hk_table_builder_append_utf8(r->b, 1, s, n) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM, "text: out of memory");
  r->emitted++;
  return HK_OK;
}

/* The next line of the literal text= input. */
static const char *
literal_line(text_run *r, size_t *len)
{
  if (r->lit_pos >= r->lit_len && !(r->lit_len == 0 && r->line_no == 0))
    return NULL;
  const char *s = r->literal + r->lit_pos;
  const char *nl = memchr(s, '\n', r->lit_len - r->lit_pos);
  size_t n = nl ? (size_t)(nl - s) : r->lit_len - r->lit_pos;
  r->lit_pos += n + (nl ? 1 : 0);
  if (r->lit_len == 0)
    r->lit_pos = 1; /* an empty text is one empty line, once */
  *len = n;
  return s;
}

/* Emit the lines of the file input until the batch is full. */
static int
read_lines(text_run *r, hk_error *err)
{
  size_t batch_bytes = 0;
  while (hk_table_builder_row_count(r->b) < r->batch_rows &&
         batch_bytes < BATCH_BYTES) {
    if (r->row_limit > 0 && r->emitted >= r->row_limit) {
      r->done = 1;
      return HK_OK;
    }
    if (r->buf_pos == r->buf_len && !r->eof) {
      int rc = refill(r, err); /* also the first read: buf is NULL before */
      if (rc != HK_OK)
        return rc;
      continue;
    }
    if (r->buf_pos == r->buf_len) {
      r->done = 1;
      return HK_OK;
    }
    char *start = r->buf + r->buf_pos;
    size_t avail = r->buf_len - r->buf_pos;
    char *nl = memchr(start, '\n', avail);
    size_t n;
    int cut = 0;
    if (nl)
      n = (size_t)(nl - start);
    else if (avail >= (size_t)r->max_line)
      n = (size_t)r->max_line, cut = 1;
    else if (!r->eof) {
      int rc = refill(r, err);
      if (rc != HK_OK)
        return rc;
      continue;
    } else if (avail > 0)
      n = avail;
    else {
      r->done = 1;
      return HK_OK;
    }
    if (!cut && n > (size_t)r->max_line)
      n = (size_t)r->max_line, cut = 1;
    size_t consumed = n + (!cut && nl ? 1 : 0);
    if (!cut && n && start[n - 1] == '\r')
      n--;
    if (r->cut_line == 0)
      r->line_no++;
    if (cut && r->cut_line == 0) {
      r->cut_line = r->line_no;
      r->cut_lines++;
      HK_LOG_WARN(r->host, r->inst,
                  "%s:%lld: line longer than max_line (%lld bytes): cut into "
                  "pieces, each its own row with the same line number",
                  r->shown_path, (long long)r->line_no, (long long)r->max_line);
    }
    int rc = append_row(r, r->line_no, start, n, err);
    if (rc != HK_OK)
      return rc;
    if (!cut)
      r->cut_line = 0;
    r->buf_pos += consumed;
    batch_bytes += n;
  }
  return HK_OK;
}

static int
read_whole(text_run *r, hk_error *err)
{
  while (!r->eof) {
    int rc = refill(r, err);
    if (rc != HK_OK)
      return rc;
    if (r->buf_len > (size_t)r->max_line)
      return hk_error_set(err, HK_E_LIMIT,
                          "text: %s is larger than max_line (%lld bytes) for "
                          "mode=whole; raise max_line or use mode=lines",
                          r->shown_path, (long long)r->max_line);
  }
  r->done = 1;
  r->line_no = 1;
  return append_row(r, 1, r->buf, r->buf_len, err);
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  text_run *r = ud;
  int rc = HK_OK;
  out->release = NULL;
  if (r->done)
    return HK_OK;
  if (r->host->is_canceled && r->host->is_canceled(r->inst)) {
    r->done = 1;
    return hk_error_set(err, HK_E_CANCELED, "text: canceled after %lld rows",
                        (long long)r->emitted);
  }
  if (r->literal) {
    if (r->whole) {
      rc = append_row(r, 1, r->literal, r->lit_len, err);
      r->done = 1;
    } else {
      size_t n;
      const char *s;
      while (hk_table_builder_row_count(r->b) < r->batch_rows &&
             (s = literal_line(r, &n))) {
        if (n && s[n - 1] == '\r')
          n--;
        if ((rc = append_row(r, ++r->line_no, s, n, err)) != HK_OK)
          break;
      }
      if (!s)
        r->done = 1;
    }
  } else if (r->whole)
    rc = read_whole(r, err);
  else
    rc = read_lines(r, err);
  if (rc != HK_OK) {
    r->done = 1;
    if (r->emitted)
      err->flags |= HK_EF_PARTIAL;
    return rc;
  }
  if (r->done && r->cut_lines > 1)
    HK_LOG_WARN(r->host, r->inst, "%s: %lld lines were cut (max_line)",
                r->shown_path, (long long)r->cut_lines);
  if (hk_table_builder_row_count(r->b) > 0)
    return hk_table_builder_finish_batch(r->b, out, err);
  return HK_OK;
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  text_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static void
run_free(void *ud)
{
  text_run *r = ud;
  if (!r)
    return;
  if (r->fp && r->own_fp)
    fclose(r->fp);
  if (r->b)
    hk_table_builder_free(r->b);
  free(r->buf);
  free(r->shown_path);
  free(r->lit_copy);
  free(r);
}

static int
text_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
               hk_error *err)
{
  const hk_host *h = host_services;
  text_run *r = calloc(1, sizeof *r);
  int rc;
  if (!r)
    return hk_error_set(err, HK_E_NOMEM, "text: out of memory");
  r->host = h;
  r->inst = state;
  const char *path = h->config_get_string(q->options, "path");
  const char *literal = h->config_get_string(q->options, "text");
  const char *mode = h->config_get_string(q->options, "mode");
  r->whole = mode && !strcmp(mode, "whole");
  if (h->config_get_int(q->options, "max_line", &r->max_line) != HK_OK ||
      r->max_line < 1) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "text: max_line must be a positive number of bytes");
    err->flags |= HK_EF_USER;
    goto fail;
  }
  r->batch_rows = q->batch_rows > 0 ? q->batch_rows : DEFAULT_BATCH_ROWS;
  r->row_limit = q->row_limit;
  while (path && *path == ' ')
    path++;
  if ((!path || !*path) == !literal) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      literal ? "text: give either path or text, not both"
                              : "text: path is required (a file, or - for "
                                "standard input), or text=STRING");
    err->flags |= HK_EF_USER;
    goto fail;
  }
  if (literal) {
    r->lit_len = strlen(literal);
    if (r->whole && r->lit_len > (size_t)r->max_line) {
      rc = hk_error_set(err, HK_E_LIMIT,
                        "text: the text is larger than max_line (%lld bytes)",
                        (long long)r->max_line);
      err->flags |= HK_EF_USER;
      goto fail;
    }
    /* The options live only as long as the stream: copy to be safe. */
    if (!(r->lit_copy = strdup(literal))) {
      rc = hk_error_set(err, HK_E_NOMEM, "text: out of memory");
      goto fail;
    }
    r->literal = r->lit_copy;
    r->shown_path = strdup("<text>");
  } else if (!strcmp(path, "-")) {
    r->fp = stdin;
    r->shown_path = strdup("<stdin>");
  } else {
    r->fp = fopen(path, "rb");
    r->own_fp = 1;
    if (!r->fp) {
      rc = hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "text: cannot open '%s': %s", path, strerror(errno));
      err->flags |= HK_EF_USER;
      goto fail;
    }
    r->shown_path = strdup(path);
  }
  if (!r->shown_path || !(r->b = hk_table_builder_new()) ||
      hk_table_builder_add_column(r->b, "line_no", HK_COL_INT64) < 0 ||
      hk_table_builder_add_column(r->b, "text", HK_COL_UTF8) < 0) {
    rc = hk_error_set(err, HK_E_NOMEM, "text: out of memory");
    goto fail;
  }
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(out, &cb, r, err);
fail:
  run_free(r);
  return rc;
}

static int
text_create(const hk_instance *inst, const hk_config *cfg, void **state,
            hk_error *err)
{
  (void)cfg;
  (void)err;
  *state = (void *)inst;
  return HK_OK;
}

static const hk_provider_vt text_vtable = {
    .struct_size = sizeof(hk_provider_vt),
    .options = text_options,
    .create = text_create,
    .destroy = NULL,
    .run_query = text_run_query,
};

static const hk_plugin_desc text_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "text",
    .version = "1.0.0",
    .kind = HK_KIND_PROVIDER,
    .flags = 0,
    .summary = "plain text as rows: one per line (line_no, text) or the "
               "whole input as one row",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &text_vtable,
};

static const hk_plugin_desc *const text_descs[] = {&text_desc, NULL};

static const hk_plugin_desc *const *
text_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_string ||
      !host->config_get_int) {
    hk_error_set(err, HK_E_ABI,
                 "text: the host lacks logging or config "
                 "services");
    return NULL;
  }
  host_services = host;
  return text_descs;
}

HK_PLUGIN_DEFINE(text, text_entry)
