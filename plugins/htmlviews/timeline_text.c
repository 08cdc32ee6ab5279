/*
 * plugins/htmlviews/timeline_text.c -- the timeline_text renderer: events
 * per time bucket per group, as one sparkline per group (or, style=bars,
 * one bar per bucket), for the terminal.  Included by htmlviews.c.
 */

/* Bucket sizes tried, in µs, smallest first. */
static const int64_t hv_nice_buckets[] = {
    1000LL,          2000LL,          5000LL,          10000LL,
    20000LL,         50000LL,         100000LL,        200000LL,
    500000LL,        1000000LL,       2000000LL,       5000000LL,
    10000000LL,      15000000LL,      30000000LL,      60000000LL,
    120000000LL,     300000000LL,     600000000LL,     900000000LL,
    1800000000LL,    3600000000LL,    7200000000LL,    10800000000LL,
    21600000000LL,   43200000000LL,   86400000000LL,   172800000000LL,
    604800000000LL,  1209600000000LL, 2592000000000LL, 7776000000000LL,
    31536000000000LL};

static int64_t
hv_floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* "1h", "15m", "30s", "500ms", "2d" */
static void
hv_format_bucket(int64_t us, char *out, size_t cap)
{
  static const struct {
    int64_t us;
    const char *unit;
  } units[] = {{86400000000LL, "d"}, {3600000000LL, "h"}, {60000000LL, "m"},
               {1000000LL, "s"},     {1000LL, "ms"},      {1LL, "us"}};
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
    if (us % units[k].us == 0) {
      snprintf(out, cap, "%lld%s", (long long)(us / units[k].us),
               units[k].unit);
      return;
    }
  snprintf(out, cap, "%lldus", (long long)us);
}

/* Short axis label of a bucket start, precise enough for the bucket. */
static void
hv_axis_label(int64_t us, int64_t bucket, char *out, size_t cap)
{
  char full[40];
  hv_format_time(us, 1, full, sizeof full); /* YYYY-MM-DD HH:MM:SS.ffffff */
  if (bucket >= 86400000000LL)
    snprintf(out, cap, "%.10s", full);
  else if (bucket >= 60000000LL)
    snprintf(out, cap, "%.5s %.5s", full + 5, full + 11);
  else if (bucket >= 1000000LL)
    snprintf(out, cap, "%.8s", full + 11);
  else
    snprintf(out, cap, "%.12s", full + 11);
}

/* Code points of UTF-8 text (terminal columns, near enough). */
static size_t
hv_cps(const char *s, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

/* `s` cut or padded to exactly `w` columns; control characters as spaces. */
static void
hv_append_padded(hk_buf *b, const char *s, size_t w, int ascii)
{
  size_t n = strlen(s), cps = hv_cps(s, n), keep = cps;
  if (cps > w)
    keep = w > 1 ? w - 1 : 0;
  size_t cp = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80 && cp++ == keep)
      break;
    hk_buf_append_char(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
  if (cps > w && w > 0)
    hk_buf_append_str(b, ascii ? "~" : "\xe2\x80\xa6");
  for (size_t k = cps > w ? w : cps; k < w; k++)
    hk_buf_append_char(b, ' ');
}

static int
hv_render_timeline_text(void *state, const hk_config *opt,
                        struct ArrowArrayStream *input, const hk_sink *sink,
                        hk_error *err)
{
  hv_table t;
  hv_events e;
  memset(&e, 0, sizeof e);
  int64_t *counts = NULL, *shown = NULL;
  hv_out o = {sink, HK_BUF_INIT, HK_OK};
  /* streamed: only each event's time and group are kept */
  char tname[128] = "", gname_head[128] = "";
  int begun = 0;
  int rc = hv_table_open(&t, state, "timeline_text", input, err);
  while (rc == HK_OK && (rc = hv_table_next(&t, input, err)) == HK_OK &&
         t.n_rows > 0) {
    if (!begun) {
      begun = 1;
      if ((rc = hv_events_begin(&t, opt, &e, err)) != HK_OK)
        break;
      snprintf(tname, sizeof tname, "%s", hv_column_name(&t, e.time_col));
      if (e.group_col >= 0)
        snprintf(gname_head, sizeof gname_head, "%s",
                 hv_column_name(&t, e.group_col));
    }
    rc = hv_events_add(&t, &e, e.rows, err);
    if (hv_host->is_canceled(t.inst))
      break; /* show what was read */
  }
  hk_stream_release(input);
  if (rc != HK_OK)
    goto done;
  if (!begun) {
    hk_buf_append_str(&o.buf, "timeline: no rows\n");
    goto write;
  }
  hv_events_end(&t, &e, tname);
  if (e.n == 0) {
    hk_buf_appendf(&o.buf, "%s: no event has a readable time (%lld rows)\n",
                   tname, (long long)e.rows);
    goto write;
  }
  int ascii = hv_opt_bool(opt, "ascii", 0);
  int bars =
      strcmp(hv_opt_str(opt, "style") ? hv_opt_str(opt, "style") : "spark",
             "bars") == 0;
  int per_group =
      strcmp(hv_opt_str(opt, "scale") ? hv_opt_str(opt, "scale") : "group",
             "all") != 0;
  int64_t width = hv_opt_int(opt, "width", 0);
  if (width <= 0)
    width = sink->is_tty && sink->width > 0 ? sink->width : 80;
  int64_t max_groups = hv_opt_int(opt, "max_groups", 20);
  if (max_groups < 1)
    max_groups = 1;

  int64_t tmin = e.us[0], tmax = e.us[0];
  for (int64_t i = 1; i < e.n; i++) {
    if (e.us[i] < tmin)
      tmin = e.us[i];
    if (e.us[i] > tmax)
      tmax = e.us[i];
  }

  /* groups shown: all, or the biggest max_groups - 1 and "other" */
  int64_t n_show = e.n_groups, other = -1;
  shown = malloc(((size_t)e.n_groups + 1) * sizeof *shown);
  if (!shown) {
    rc = hk_error_set(err, HK_E_NOMEM, "timeline_text: out of memory");
    goto done;
  }
  for (int64_t g = 0; g < e.n_groups; g++)
    shown[g] = g;
  if (e.n_groups > max_groups) {
    /* rank by count (ties: first seen), keep the top in first-seen order */
    int64_t *rank = malloc((size_t)e.n_groups * sizeof *rank);
    if (!rank) {
      rc = hk_error_set(err, HK_E_NOMEM, "timeline_text: out of memory");
      goto done;
    }
    for (int64_t g = 0; g < e.n_groups; g++)
      rank[g] = g;
    for (int64_t a = 1; a < e.n_groups; a++) /* insertion sort: few groups */
      for (int64_t b = a; b > 0 && e.gcount[rank[b]] > e.gcount[rank[b - 1]];
           b--) {
        int64_t x = rank[b];
        rank[b] = rank[b - 1];
        rank[b - 1] = x;
      }
    for (int64_t g = 0; g < e.n_groups; g++)
      shown[g] = -1;
    for (int64_t k = 0; k < max_groups - 1; k++)
      shown[rank[k]] = k; /* slot, fixed below */
    int64_t slot = 0;
    for (int64_t g = 0; g < e.n_groups; g++)
      if (shown[g] >= 0)
        shown[g] = slot++;
    other = slot;
    for (int64_t g = 0; g < e.n_groups; g++)
      if (shown[g] < 0)
        shown[g] = other;
    n_show = slot + 1;
    free(rank);
  }
  char **names = calloc((size_t)n_show, sizeof *names);
  int64_t *totals = calloc((size_t)n_show, sizeof *totals);
  if (!names || !totals) {
    free(names);
    free(totals);
    rc = hk_error_set(err, HK_E_NOMEM, "timeline_text: out of memory");
    goto done;
  }
  char other_name[64];
  snprintf(other_name, sizeof other_name, "(%lld other groups)",
           (long long)(e.n_groups - (n_show - 1)));
  for (int64_t g = 0; g < e.n_groups; g++) {
    names[shown[g]] = shown[g] == other ? other_name : e.gname[g];
    totals[shown[g]] += e.gcount[g];
  }

  /* layout: label, sparkline, events, peak */
  const char *label_head = e.group_col >= 0 ? gname_head : "events";
  size_t lw = hv_cps(label_head, strlen(label_head));
  for (int64_t s = 0; s < n_show; s++) {
    size_t w = hv_cps(names[s], strlen(names[s]));
    if (w > lw)
      lw = w;
  }
  if (lw > 24)
    lw = 24;
  int64_t bucket = hv_opt_int(opt, "bucket", 0) * 1000; /* ms -> µs */
  int64_t avail = width - (int64_t)lw - 2 - 2 - 8 - 2 - 6;
  if (bars)
    avail = 200; /* rows, not columns */
  if (avail < 10)
    avail = 10;
  if (bucket <= 0) {
    bucket =
        hv_nice_buckets[sizeof hv_nice_buckets / sizeof *hv_nice_buckets - 1];
    for (size_t k = 0; k < sizeof hv_nice_buckets / sizeof *hv_nice_buckets;
         k++) {
      int64_t b = hv_nice_buckets[k];
      if (hv_floor_div(tmax, b) - hv_floor_div(tmin, b) + 1 <= avail) {
        bucket = b;
        break;
      }
    }
  }
  int64_t first = hv_floor_div(tmin, bucket);
  int64_t n_buckets = hv_floor_div(tmax, bucket) - first + 1;
  if (n_buckets > 100000) {
    char bs[32];
    hv_format_bucket(bucket, bs, sizeof bs);
    rc = hk_error_set(err, HK_E_LIMIT,
                      "timeline_text: bucket=%s makes %lld buckets; choose a "
                      "larger bucket (or leave bucket= out to fit the width)",
                      bs, (long long)n_buckets);
    free(names);
    free(totals);
    goto done;
  }
  counts = calloc((size_t)(n_show * n_buckets), sizeof *counts);
  if (!counts) {
    free(names);
    free(totals);
    rc = hk_error_set(err, HK_E_NOMEM, "timeline_text: out of memory");
    goto done;
  }
  for (int64_t i = 0; i < e.n; i++)
    counts[shown[e.group[i]] * n_buckets +
           (hv_floor_div(e.us[i], bucket) - first)]++;
  int64_t global_peak = 0;
  for (int64_t k = 0; k < n_show * n_buckets; k++)
    if (counts[k] > global_peak)
      global_peak = counts[k];

  char a[40], b[40], bs[32];
  hv_format_time(tmin, 0, a, sizeof a);
  hv_format_time(tmax, 0, b, sizeof b);
  hv_format_bucket(bucket, bs, sizeof bs);
  hk_buf_appendf(&o.buf,
                 "%s: %lld events in %lld group%s, %s %s %s UTC, bucket %s "
                 "(%lld buckets)\n",
                 tname, (long long)e.n, (long long)e.n_groups,
                 e.n_groups == 1 ? "" : "s", a, ascii ? "to" : "\xe2\x80\x93",
                 b, bs, (long long)n_buckets);
  if (e.skipped)
    hk_buf_appendf(&o.buf, "(%lld row%s without a readable time left out)\n",
                   (long long)e.skipped, e.skipped == 1 ? "" : "s");

  static const char *const blocks[] = {
      "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
      "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
  static const char ramp[] = ".:-=+*#@";
  if (!bars) {
    /* axis: first bucket's start at the left, last's at the right */
    char l0[32], l1[32];
    hv_axis_label(first * bucket, bucket, l0, sizeof l0);
    hv_axis_label((first + n_buckets - 1) * bucket, bucket, l1, sizeof l1);
    /* the sparkline column is wide enough for both axis labels */
    size_t w0 = strlen(l0), w1 = strlen(l1);
    int64_t col_w = n_buckets;
    if ((int64_t)(w0 + 1 + w1) > col_w)
      col_w = (int64_t)(w0 + 1 + w1);
    hv_append_padded(&o.buf, label_head, lw, ascii);
    hk_buf_append_str(&o.buf, "  ");
    hk_buf_append_str(&o.buf, l0);
    for (int64_t k = (int64_t)(w0 + w1); k < col_w; k++)
      hk_buf_append_char(&o.buf, ' ');
    hk_buf_append_str(&o.buf, l1);
    hk_buf_append_str(&o.buf, "  events    peak\n");
    for (int64_t s = 0; s < n_show; s++) {
      int64_t peak = 0;
      for (int64_t k = 0; k < n_buckets; k++)
        if (counts[s * n_buckets + k] > peak)
          peak = counts[s * n_buckets + k];
      int64_t scale = per_group ? peak : global_peak;
      hv_append_padded(&o.buf, names[s], lw, ascii);
      hk_buf_append_str(&o.buf, "  ");
      for (int64_t k = 0; k < n_buckets; k++) {
        int64_t c = counts[s * n_buckets + k];
        if (c == 0) {
          hk_buf_append_char(&o.buf, ' ');
          continue;
        }
        int64_t lvl = (c * 8 + scale - 1) / scale; /* 1..8 */
        if (lvl < 1)
          lvl = 1;
        if (lvl > 8)
          lvl = 8;
        if (ascii)
          hk_buf_append_char(&o.buf, ramp[lvl - 1]);
        else
          hk_buf_append_str(&o.buf, blocks[lvl - 1]);
      }
      for (int64_t k = n_buckets; k < col_w; k++)
        hk_buf_append_char(&o.buf, ' ');
      hk_buf_appendf(&o.buf, "  %6lld  %6lld\n", (long long)totals[s],
                     (long long)peak);
      hv_flush(&o, 0);
    }
  } else {
    /* one row per bucket: start, bar of the total (1/8 steps), count */
    static const char *const eighths[] = {"",
                                          "\xe2\x96\x8f",
                                          "\xe2\x96\x8e",
                                          "\xe2\x96\x8d",
                                          "\xe2\x96\x8c",
                                          "\xe2\x96\x8b",
                                          "\xe2\x96\x8a",
                                          "\xe2\x96\x89"};
    int64_t bar_w = width - 20 - 2 - 8;
    if (bar_w < 10)
      bar_w = 10;
    int64_t peak = 0;
    for (int64_t k = 0; k < n_buckets; k++) {
      int64_t c = 0;
      for (int64_t s = 0; s < n_show; s++)
        c += counts[s * n_buckets + k];
      if (c > peak)
        peak = c;
    }
    for (int64_t k = 0; k < n_buckets; k++) {
      int64_t c = 0;
      for (int64_t s = 0; s < n_show; s++)
        c += counts[s * n_buckets + k];
      char when[40];
      hv_format_time((first + k) * bucket, bucket < 1000000, when, sizeof when);
      if (bucket >= 1000000)
        when[bucket >= 86400000000LL ? 10
             : bucket >= 60000000LL  ? 16
                                     : 19] = '\0';
      else
        when[23] = '\0';
      hk_buf_appendf(&o.buf, "%-23s ", when);
      int64_t units = peak ? c * bar_w * 8 / peak : 0;
      if (c > 0 && units == 0)
        units = 1;
      for (int64_t u = 0; u < units / 8; u++)
        hk_buf_append_str(&o.buf, ascii ? "#" : blocks[7]);
      if (units % 8)
        hk_buf_append_str(&o.buf, ascii ? "+" : eighths[units % 8]);
      hk_buf_appendf(&o.buf, " %lld", (long long)c);
      if (n_show > 1 && c > 0) {
        hk_buf_append_str(&o.buf, "  (");
        int sep = 0;
        for (int64_t s = 0; s < n_show; s++) {
          int64_t cs = counts[s * n_buckets + k];
          if (!cs)
            continue;
          hk_buf_appendf(&o.buf, "%s%s %lld", sep++ ? ", " : "", names[s],
                         (long long)cs);
        }
        hk_buf_append_char(&o.buf, ')');
      }
      hk_buf_append_char(&o.buf, '\n');
      hv_flush(&o, 0);
    }
  }
  free(names);
  free(totals);
write:
  hv_flush(&o, 1);
  if (o.rc != HK_OK && o.rc != HK_E_IO)
    rc = hk_error_set(err, o.rc, "timeline_text: writing the output failed");
done:
  hk_buf_free(&o.buf);
  free(counts);
  free(shown);
  hv_events_free(&e);
  hv_table_free(&t);
  return rc;
}
