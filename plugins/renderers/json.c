/*
 * plugins/renderers/json.c -- the `json` renderer (one array of objects)
 * and the `ndjson` renderer (one object per line), both streamed batch by
 * batch with typed values.  See README.md for the exact format.
 */
#include "renderers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const hk_param json_options[] = {
    {"pretty", HK_PT_BOOL, 0, "false", NULL,
     "indent objects and fields by two spaces, one field per line"},
    {NULL, 0, 0, NULL, NULL, NULL}};

typedef struct json_render {
  int array;  /* json: wrap the objects in [ ] */
  int pretty; /* json only */
  int64_t rows;
  int64_t columns;
  hk_buf keys;     /* every column's `"name":` text, escaped once */
  size_t *key_end; /* end offset of column i's key in `keys` */
  int *types;      /* column types of the current batch */
} json_render;

static int
json_begin(void *ud, const struct ArrowSchema *schema, hk_rnd_out *out,
           hk_error *err)
{
  json_render *jr = ud;
  int64_t c;

  jr->columns = schema->n_children;
  jr->key_end = calloc((size_t)jr->columns + 1, sizeof *jr->key_end);
  jr->types = calloc((size_t)jr->columns + 1, sizeof *jr->types);
  if (jr->key_end == NULL || jr->types == NULL)
    return hk_rnd_nomem(err, "json keys");
  for (c = 0; c < jr->columns; c++) {
    const char *name =
        schema->children[c]->name ? schema->children[c]->name : "";
    if ((jr->pretty && hk_buf_append(&jr->keys, "    ", 4) != HK_OK) ||
        hk_buf_append_json_string(&jr->keys, name, strlen(name)) != HK_OK ||
        hk_buf_append(&jr->keys, ": ", jr->pretty ? 2 : 1) != HK_OK)
      return hk_rnd_nomem(err, "json keys");
    jr->key_end[c] = jr->keys.len;
  }
  if (jr->array && hk_buf_append_char(&out->buf, '[') != HK_OK)
    return hk_rnd_nomem(err, "json");
  return HK_OK;
}

/* Float text as a JSON number that reads back as a float: "3" gets ".0"
 * so typed readers (Python, DuckDB, polars) keep the column's type. */
static int
json_float(hk_buf *b, const hk_batch_view *v, int64_t col, int64_t row)
{
  size_t start = b->len, i;
  if (!isfinite(hk_batch_view_float64(v, col, row)))
    return hk_buf_append(b, "null", 4);
  if (hk_rnd_append_formatted(b, v, col, row) != HK_OK)
    return HK_E_NOMEM;
  for (i = start; i < b->len; i++)
    if (b->data[i] != '-' && (b->data[i] < '0' || b->data[i] > '9'))
      return HK_OK;
  return hk_buf_append(b, ".0", 2);
}

static int
json_value(hk_buf *b, const hk_batch_view *v, int type, int64_t col,
           int64_t row)
{
  size_t len;
  const char *s;

  if (type == HK_COL_NULL || hk_batch_view_is_null(v, col, row))
    return hk_buf_append(b, "null", 4);
  switch (type) {
  case HK_COL_INT64:
    return hk_rnd_append_formatted(b, v, col, row);
  case HK_COL_FLOAT64:
    return json_float(b, v, col, row);
  case HK_COL_BOOL:
    return hk_batch_view_bool(v, col, row) ? hk_buf_append(b, "true", 4)
                                           : hk_buf_append(b, "false", 5);
  case HK_COL_TIMESTAMP:
    /* ISO-8601 text is plain ASCII: quoting is all it needs. */
    if (hk_buf_append_char(b, '"') != HK_OK ||
        hk_rnd_append_formatted(b, v, col, row) != HK_OK)
      return HK_E_NOMEM;
    return hk_buf_append_char(b, '"');
  case HK_COL_UTF8:
    s = hk_batch_view_utf8(v, col, row, &len);
    return hk_buf_append_json_string(b, s, len);
  default:
    return hk_buf_append(b, "null", 4);
  }
}

static int
json_row(json_render *jr, hk_buf *b, const hk_batch_view *v, int64_t row)
{
  int64_t c;
  size_t key_start = 0;

  if (jr->array && (jr->rows > 0 ? hk_buf_append(b, ",\n", 2)
                                 : hk_buf_append_char(b, '\n')) != HK_OK)
    return HK_E_NOMEM;
  if (jr->pretty && hk_buf_append(b, "  ", 2) != HK_OK)
    return HK_E_NOMEM;
  if (hk_buf_append_char(b, '{') != HK_OK)
    return HK_E_NOMEM;
  for (c = 0; c < jr->columns; c++) {
    if (c > 0 && hk_buf_append_char(b, ',') != HK_OK)
      return HK_E_NOMEM;
    if (jr->pretty && hk_buf_append_char(b, '\n') != HK_OK)
      return HK_E_NOMEM;
    if (hk_buf_append(b, jr->keys.data + key_start,
                      jr->key_end[c] - key_start) != HK_OK ||
        json_value(b, v, jr->types[c], c, row) != HK_OK)
      return HK_E_NOMEM;
    key_start = jr->key_end[c];
  }
  if (jr->pretty && jr->columns > 0 && hk_buf_append(b, "\n  ", 3) != HK_OK)
    return HK_E_NOMEM;
  if (hk_buf_append_char(b, '}') != HK_OK)
    return HK_E_NOMEM;
  if (!jr->array && hk_buf_append_char(b, '\n') != HK_OK)
    return HK_E_NOMEM;
  jr->rows++;
  return HK_OK;
}

static int
json_batch(void *ud, const hk_batch_view *v, hk_rnd_out *out, hk_error *err)
{
  json_render *jr = ud;
  int64_t row, c;
  int rc;

  for (c = 0; c < jr->columns && c < v->columns; c++)
    jr->types[c] = hk_batch_view_column_type(v, c);
  for (row = 0; row < v->rows; row++) {
    if (json_row(jr, &out->buf, v, row) != HK_OK)
      return hk_rnd_nomem(err, "json row");
    rc = hk_rnd_out_maybe_flush(out, err);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}

static int
json_end(void *ud, hk_rnd_out *out, hk_error *err)
{
  json_render *jr = ud;
  int rc = HK_OK;
  if (jr->array)
    rc = jr->rows > 0 ? hk_buf_append(&out->buf, "\n]\n", 3)
                      : hk_buf_append(&out->buf, "]\n", 2);
  return rc == HK_OK ? HK_OK : hk_rnd_nomem(err, "json");
}

static const hk_rnd_driver json_driver = {json_begin, json_batch, json_end};

static int
json_render_common(void *state, const hk_config *options, int array,
                   struct ArrowArrayStream *input, const hk_sink *sink,
                   hk_error *err)
{
  json_render jr;
  hk_buf empty = HK_BUF_INIT;
  int rc;

  memset(&jr, 0, sizeof jr);
  jr.keys = empty;
  jr.array = array;
  jr.pretty = array && hk_rnd_opt_bool(options, "pretty", 0);
  rc = hk_rnd_drive(state, input, sink, &json_driver, &jr, err);
  hk_buf_free(&jr.keys);
  free(jr.key_end);
  free(jr.types);
  return rc;
}

static int
json_render_array(void *state, const hk_config *options,
                  struct ArrowArrayStream *input, const hk_sink *sink,
                  hk_error *err)
{
  return json_render_common(state, options, 1, input, sink, err);
}

static int
json_render_lines(void *state, const hk_config *options,
                  struct ArrowArrayStream *input, const hk_sink *sink,
                  hk_error *err)
{
  return json_render_common(state, options, 0, input, sink, err);
}

static const hk_renderer_vt json_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = json_options,
    .create = hk_rnd_create,
    .destroy = hk_rnd_destroy,
    .media_type = "application/json",
    .render = json_render_array,
};

static const hk_renderer_vt ndjson_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = NULL,
    .create = hk_rnd_create,
    .destroy = hk_rnd_destroy,
    .media_type = "application/x-ndjson",
    .render = json_render_lines,
};

const hk_plugin_desc hk_rnd_json_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "json",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .flags = HK_PF_THREADSAFE,
    .summary = "one JSON array of row objects with typed values, streamed",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &json_vt,
};

const hk_plugin_desc hk_rnd_ndjson_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "ndjson",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .flags = HK_PF_THREADSAFE,
    .summary = "one JSON object per line (NDJSON) with typed values",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &ndjson_vt,
};
