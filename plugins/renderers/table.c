/*
 * plugins/renderers/table.c -- the `table` renderer: aligned columns for a
 * terminal.  It keeps the first `max_rows` rows (the widths depend on all
 * of them), counts the rest without keeping them, and fits the lines into
 * the terminal by shortening the widest columns.  See README.md.
 */
#include "renderers.h"

#include <stdlib.h>
#include <string.h>

static const hk_param table_options[] = {
    {"max_rows", HK_PT_INT, 0, "1000", NULL,
     "rows to show (0: all); the rest are counted in the footer"},
    {"width", HK_PT_INT, 0, "0", NULL,
     "fit lines into this many columns (0: the terminal's width when the "
     "output is a terminal, else no limit)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* Columns never shrink below this many display cells (or their natural
 * width when that is smaller). */
#define TABLE_MIN_WIDTH 6
#define TABLE_GAP "  "
#define TABLE_GAP_LEN 2

/* ------------------------------------------------------------------------
 * Display width.  Plugins must not call setlocale, so wcwidth() is out of
 * reach; this is the usual approximation: combining marks take no cell,
 * East Asian wide and fullwidth characters and emoji take two.
 * ---------------------------------------------------------------------- */
typedef struct cp_range {
  uint32_t lo, hi;
} cp_range;

static const cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},  {0x05BF, 0x05BF},
    {0x05C1, 0x05C2}, {0x05C4, 0x05C5}, {0x05C7, 0x05C7},  {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC},  {0x06DF, 0x06E4},
    {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0E31, 0x0E31},  {0x0E34, 0x0E3A},
    {0x0E47, 0x0E4E}, {0x1160, 0x11FF}, {0x1AB0, 0x1AFF},  {0x1DC0, 0x1DFF},
    {0x200B, 0x200D}, {0x2060, 0x2064}, {0x20D0, 0x20FF},  {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF}};

static const cp_range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},
    {0x23E9, 0x23EC},   {0x23F0, 0x23F0},   {0x23F3, 0x23F3},
    {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},
    {0x26F2, 0x26F3},   {0x26F5, 0x26F5},   {0x26FA, 0x26FA},
    {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},
    {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F2FF}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
    {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};

static int
in_ranges(uint32_t cp, const cp_range *r, size_t n)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < r[mid].lo)
      hi = mid;
    else if (cp > r[mid].hi)
      lo = mid + 1;
    else
      return 1;
  }
  return 0;
}

static int
cp_width(uint32_t cp)
{
  if (cp < 0x300)
    return 1;
  if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
    return 0;
  if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
    return 2;
  return 1;
}

/* Characters shown as an escape so that one row stays one line, nothing
 * reaches the terminal as a control sequence, and direction overrides
 * (used to disguise file names) are visible. */
static int
cp_is_hidden(uint32_t cp)
{
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
         cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* One display unit: a character shown as itself, an escape, or U+FFFD for
 * a byte that is not UTF-8. */
typedef struct unit {
  size_t bytes;     /* source bytes consumed */
  const char *text; /* what to print */
  size_t len;
  int width;
  char esc[8];
} unit;

static uint32_t
decode_utf8(const unsigned char *s, size_t len, size_t *used)
{
  uint32_t cp;
  size_t n, i;
  if (s[0] < 0x80) {
    *used = 1;
    return s[0];
  }
  if (s[0] >= 0xC2 && s[0] <= 0xDF) {
    n = 2;
    cp = s[0] & 0x1F;
  } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
    n = 3;
    cp = s[0] & 0x0F;
  } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
    n = 4;
    cp = s[0] & 0x07;
  } else {
    *used = 1;
    return UINT32_MAX;
  }
  if (len < n) {
    *used = 1;
    return UINT32_MAX;
  }
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *used = 1;
      return UINT32_MAX;
    }
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    *used = 1;
    return UINT32_MAX;
  }
  *used = n;
  return cp;
}

static void
next_unit(const char *s, size_t len, unit *u)
{
  static const char hex[] = "0123456789abcdef";
  uint32_t cp = decode_utf8((const unsigned char *)s, len, &u->bytes);

  u->text = s;
  u->len = u->bytes;
  if (cp == UINT32_MAX) {
    u->text = "\xEF\xBF\xBD";
    u->len = 3;
    u->width = 1;
  } else if (!cp_is_hidden(cp)) {
    u->width = cp_width(cp);
  } else if (cp == '\n' || cp == '\r' || cp == '\t') {
    u->esc[0] = '\\';
    u->esc[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
    u->text = u->esc;
    u->len = 2;
    u->width = 2;
  } else if (cp <= 0xFF && (cp < 0x20 || cp == 0x7F)) {
    memcpy(u->esc, "\\x", 2);
    u->esc[2] = hex[cp >> 4];
    u->esc[3] = hex[cp & 15];
    u->text = u->esc;
    u->len = 4;
    u->width = 4;
  } else {
    memcpy(u->esc, "\\u", 2);
    u->esc[2] = hex[(cp >> 12) & 15];
    u->esc[3] = hex[(cp >> 8) & 15];
    u->esc[4] = hex[(cp >> 4) & 15];
    u->esc[5] = hex[cp & 15];
    u->text = u->esc;
    u->len = 6;
    u->width = 6;
  }
}

static size_t
display_width(const char *s, size_t len)
{
  size_t w = 0, i = 0;
  unit u;
  while (i < len) {
    next_unit(s + i, len - i, &u);
    w += (size_t)u.width;
    i += u.bytes;
  }
  return w;
}

static int
append_spaces(hk_buf *b, size_t n)
{
  static const char spaces[] = "                                ";
  while (n > 0) {
    size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
    if (hk_buf_append(b, spaces, k) != HK_OK)
      return HK_E_NOMEM;
    n -= k;
  }
  return HK_OK;
}

/* Print `s` escaped in at most `width` cells (0: no limit), cutting it
 * with an ellipsis when it is wider.  *shown is the width printed. */
static int
append_fitted(hk_buf *b, const char *s, size_t len, size_t natural,
              size_t width, size_t *shown)
{
  size_t used = 0, i = 0, room;
  int cut = width > 0 && natural > width;
  unit u;

  room = cut ? width - 1 : natural;
  while (i < len) {
    next_unit(s + i, len - i, &u);
    if (cut && used + (size_t)u.width > room)
      break;
    if (hk_buf_append(b, u.text, u.len) != HK_OK)
      return HK_E_NOMEM;
    used += (size_t)u.width;
    i += u.bytes;
  }
  if (cut) {
    if (hk_buf_append(b, "\xE2\x80\xA6", 3) != HK_OK) /* U+2026 */
      return HK_E_NOMEM;
    used++;
  }
  *shown = used;
  return HK_OK;
}

/* ------------------------------------------------------------------------
 * Collecting the rows and laying them out.
 * ---------------------------------------------------------------------- */
typedef struct kept_batch {
  struct ArrowArray array;
  hk_batch_view view; /* borrows `array`, so the struct never moves */
  int64_t used;       /* rows of this batch that are shown */
} kept_batch;

typedef struct table_col {
  const char *name;
  int type;
  int right; /* numbers are right-aligned */
  size_t natural;
  size_t width;
} table_col;

typedef struct table_render {
  struct ArrowSchema schema;
  kept_batch **kept;
  size_t n_kept, cap_kept;
  table_col *cols;
  int64_t n_cols;
  int64_t shown, total;
} table_render;

/* The text of a cell before escaping: utf8 borrowed from the batch,
 * anything else formatted into `tmp`. */
static const char *
cell_text(const hk_batch_view *v, int type, int64_t col, int64_t row, char *tmp,
          size_t cap, size_t *len)
{
  size_t n;
  if (type == HK_COL_NULL || hk_batch_view_is_null(v, col, row)) {
    *len = 0;
    return "";
  }
  if (type == HK_COL_UTF8)
    return hk_batch_view_utf8(v, col, row, len);
  n = hk_batch_view_format_cell(v, col, row, tmp, cap);
  *len = n < cap ? n : cap - 1;
  return tmp;
}

static int
table_keep(table_render *tr, struct ArrowArray *array, int64_t used,
           hk_error *err)
{
  kept_batch *k;
  int rc;
  if (tr->n_kept == tr->cap_kept) {
    size_t cap = tr->cap_kept ? tr->cap_kept * 2 : 8;
    kept_batch **p = realloc(tr->kept, cap * sizeof *p);
    if (p == NULL)
      return hk_rnd_nomem(err, "table rows");
    tr->kept = p;
    tr->cap_kept = cap;
  }
  k = calloc(1, sizeof *k);
  if (k == NULL)
    return hk_rnd_nomem(err, "table rows");
  k->array = *array; /* moved: the caller's struct no longer owns it */
  memset(array, 0, sizeof *array);
  k->used = used;
  k->view.struct_size = sizeof k->view;
  rc = hk_batch_view_init(&k->view, &tr->schema, &k->array, err);
  if (rc != HK_OK) {
    hk_array_release(&k->array);
    free(k);
    return rc;
  }
  tr->kept[tr->n_kept++] = k;
  return HK_OK;
}

static void
table_free(table_render *tr)
{
  size_t i;
  for (i = 0; i < tr->n_kept; i++) {
    hk_batch_view_release(&tr->kept[i]->view);
    hk_array_release(&tr->kept[i]->array);
    free(tr->kept[i]);
  }
  free(tr->kept);
  free(tr->cols);
  hk_schema_release(&tr->schema);
}

static int
table_columns(table_render *tr, hk_error *err)
{
  int64_t c;
  int rc = hk_table_validate_schema(&tr->schema, err);
  if (rc != HK_OK)
    return rc;
  tr->n_cols = tr->schema.n_children;
  tr->cols = calloc((size_t)tr->n_cols + 1, sizeof *tr->cols);
  if (tr->cols == NULL)
    return hk_rnd_nomem(err, "table columns");
  for (c = 0; c < tr->n_cols; c++) {
    const struct ArrowSchema *child = tr->schema.children[c];
    table_col *col = &tr->cols[c];
    col->name = child->name ? child->name : "";
    col->type = hk_column_type_from_format(child->format);
    col->right = col->type == HK_COL_INT64 || col->type == HK_COL_FLOAT64;
    col->natural = display_width(col->name, strlen(col->name));
  }
  return HK_OK;
}

static void
table_measure(table_render *tr)
{
  char tmp[128];
  size_t b;
  int64_t c, r;
  for (b = 0; b < tr->n_kept; b++) {
    const hk_batch_view *v = &tr->kept[b]->view;
    for (c = 0; c < tr->n_cols; c++) {
      table_col *col = &tr->cols[c];
      for (r = 0; r < tr->kept[b]->used; r++) {
        size_t len, w;
        const char *s = cell_text(v, col->type, c, r, tmp, sizeof tmp, &len);
        w = display_width(s, len);
        if (w > col->natural)
          col->natural = w;
      }
    }
  }
}

static size_t
fitted_sum(const table_col *cols, int64_t n, size_t level)
{
  size_t sum = 0;
  int64_t c;
  for (c = 0; c < n; c++) {
    size_t lo =
        cols[c].natural < TABLE_MIN_WIDTH ? cols[c].natural : TABLE_MIN_WIDTH;
    size_t w = cols[c].natural < level ? cols[c].natural : level;
    sum += w > lo ? w : lo;
  }
  return sum;
}

/* Give every column its natural width, or, when the lines would be wider
 * than `limit`, cap the widest columns at one common level (the largest
 * that fits) and hand the cells left over to the first capped columns. */
static void
table_fit(table_render *tr, size_t limit)
{
  size_t gaps = tr->n_cols > 0 ? (size_t)(tr->n_cols - 1) * TABLE_GAP_LEN : 0;
  size_t budget, lo = 0, hi = 0, slack;
  int64_t c;

  for (c = 0; c < tr->n_cols; c++) {
    tr->cols[c].width = tr->cols[c].natural;
    if (tr->cols[c].natural > hi)
      hi = tr->cols[c].natural;
  }
  if (limit == 0 || fitted_sum(tr->cols, tr->n_cols, hi) + gaps <= limit)
    return;
  budget = limit > gaps ? limit - gaps : 0;
  while (lo < hi) { /* largest level whose total fits the budget */
    size_t mid = lo + (hi - lo + 1) / 2;
    if (fitted_sum(tr->cols, tr->n_cols, mid) <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  slack = budget > fitted_sum(tr->cols, tr->n_cols, lo)
              ? budget - fitted_sum(tr->cols, tr->n_cols, lo)
              : 0;
  for (c = 0; c < tr->n_cols; c++) {
    table_col *col = &tr->cols[c];
    size_t min =
        col->natural < TABLE_MIN_WIDTH ? col->natural : TABLE_MIN_WIDTH;
    size_t w = col->natural < lo ? col->natural : lo;
    col->width = w > min ? w : min;
    if (slack > 0 && col->natural > col->width) {
      col->width++;
      slack--;
    }
  }
}

/* Lines never end in padding. */
static int
end_line(hk_buf *b, size_t line_start)
{
  while (b->len > line_start && b->data[b->len - 1] == ' ')
    b->len--;
  if (b->data)
    b->data[b->len] = '\0';
  return hk_buf_append_char(b, '\n');
}

static int
append_cell(hk_buf *b, const table_col *col, int64_t c, int last, const char *s,
            size_t len)
{
  size_t natural = display_width(s, len), shown, pad;
  size_t fits = natural < col->width ? natural : col->width;
  if (c > 0 && hk_buf_append(b, TABLE_GAP, TABLE_GAP_LEN) != HK_OK)
    return HK_E_NOMEM;
  pad = col->width - fits;
  if (col->right && append_spaces(b, pad) != HK_OK)
    return HK_E_NOMEM;
  if (append_fitted(b, s, len, natural, col->width, &shown) != HK_OK)
    return HK_E_NOMEM;
  if (!col->right && !last && append_spaces(b, col->width - shown) != HK_OK)
    return HK_E_NOMEM;
  return HK_OK;
}

static int
table_write(table_render *tr, hk_rnd_out *out, hk_error *err)
{
  hk_buf *b = &out->buf;
  char tmp[128];
  size_t k, start;
  int64_t c, r;
  int rc;

  if (tr->n_cols > 0) {
    start = b->len;
    for (c = 0; c < tr->n_cols; c++)
      if (append_cell(b, &tr->cols[c], c, c == tr->n_cols - 1, tr->cols[c].name,
                      strlen(tr->cols[c].name)) != HK_OK)
        return hk_rnd_nomem(err, "table header");
    if (end_line(b, start) != HK_OK)
      return hk_rnd_nomem(err, "table header");
    start = b->len;
    for (c = 0; c < tr->n_cols; c++) {
      if (c > 0 && hk_buf_append(b, TABLE_GAP, TABLE_GAP_LEN) != HK_OK)
        return hk_rnd_nomem(err, "table header");
      if (hk_buf_reserve(b, tr->cols[c].width) != HK_OK)
        return hk_rnd_nomem(err, "table header");
      memset(b->data + b->len, '-', tr->cols[c].width);
      b->len += tr->cols[c].width;
    }
    if (end_line(b, start) != HK_OK)
      return hk_rnd_nomem(err, "table header");
  }
  for (k = 0; k < tr->n_kept && tr->n_cols > 0; k++) {
    const hk_batch_view *v = &tr->kept[k]->view;
    for (r = 0; r < tr->kept[k]->used; r++) {
      start = b->len;
      for (c = 0; c < tr->n_cols; c++) {
        size_t len;
        const char *s =
            cell_text(v, tr->cols[c].type, c, r, tmp, sizeof tmp, &len);
        if (append_cell(b, &tr->cols[c], c, c == tr->n_cols - 1, s, len) !=
            HK_OK)
          return hk_rnd_nomem(err, "table row");
      }
      if (end_line(b, start) != HK_OK)
        return hk_rnd_nomem(err, "table row");
      rc = hk_rnd_out_maybe_flush(out, err);
      if (rc != HK_OK)
        return rc;
    }
  }
  if (tr->shown < tr->total)
    rc = hk_buf_appendf(b, "(%lld more row%s; %lld rows in all)\n",
                        (long long)(tr->total - tr->shown),
                        tr->total - tr->shown == 1 ? "" : "s",
                        (long long)tr->total);
  else
    rc = hk_buf_appendf(b, "(%lld row%s)\n", (long long)tr->total,
                        tr->total == 1 ? "" : "s");
  if (rc != HK_OK)
    return hk_rnd_nomem(err, "table footer");
  return hk_rnd_out_flush(out, err);
}

/* The width lines must fit in: the option, else the terminal's. */
static size_t
table_limit(const hk_config *options, const hk_sink *sink)
{
  int64_t width = hk_rnd_opt_int(options, "width", 0);
  if (width > 0)
    return (size_t)width;
  if (sink->struct_size >= offsetof(hk_sink, width) + sizeof sink->width &&
      sink->is_tty && sink->width > 0)
    return (size_t)sink->width;
  return 0;
}

static int
table_render_stream(void *state, const hk_config *options,
                    struct ArrowArrayStream *input, const hk_sink *sink,
                    hk_error *err)
{
  table_render tr;
  hk_rnd_out out;
  int64_t max_rows = hk_rnd_opt_int(options, "max_rows", 1000);
  int rc;

  memset(&tr, 0, sizeof tr);
  hk_rnd_out_init(&out, sink);
  if (max_rows < 0 || hk_rnd_opt_int(options, "width", 0) < 0) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "table: options 'max_rows' and 'width' must be 0 or "
                      "more (0: no limit)");
    goto done;
  }
  rc = hk_stream_schema(input, &tr.schema, err);
  if (rc == HK_OK)
    rc = table_columns(&tr, err);
  while (rc == HK_OK) {
    struct ArrowArray array;
    int64_t room;
    if (hk_rnd_canceled(state)) {
      rc = hk_error_set(err, HK_E_CANCELED, "canceled after %lld rows",
                        (long long)tr.total);
      break;
    }
    memset(&array, 0, sizeof array);
    rc = hk_stream_next(input, &array, err);
    if (rc != HK_OK || array.release == NULL)
      break;
    tr.total += array.length;
    room = max_rows == 0 ? array.length : max_rows - tr.shown;
    if (room > array.length)
      room = array.length;
    if (room > 0) {
      tr.shown += room;
      rc = table_keep(&tr, &array, room, err);
    }
    hk_array_release(&array);
  }
  if (rc == HK_OK) {
    table_measure(&tr);
    table_fit(&tr, table_limit(options, sink));
    rc = table_write(&tr, &out, err);
  }
done:
  hk_rnd_out_free(&out);
  table_free(&tr);
  hk_stream_release(input);
  return rc;
}

static const hk_renderer_vt table_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = table_options,
    .create = hk_rnd_create,
    .destroy = hk_rnd_destroy,
    .media_type = "text/plain",
    .render = table_render_stream,
};

const hk_plugin_desc hk_rnd_table_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "table",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .flags = HK_PF_THREADSAFE,
    .summary = "aligned columns that fit the terminal width",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &table_vt,
};
