/*
 * plugins/b64unpack/b64_text.c -- one text: decode its base64 runs pass by
 * pass, replacing each by a <decoded> element, until nothing new decodes
 * or a limit is reached.  Included after b64_core.c.
 */

static int
b64_is_undecodable(const b64_ctx *c, const char *s, size_t len)
{
  for (size_t i = 0; i < c->nundec; i++)
    if (strlen(c->undecodable[i]) == len &&
        memcmp(c->undecodable[i], s, len) == 0)
      return 1;
  return 0;
}

static void
b64_add_undecodable(b64_ctx *c, const char *s, size_t len)
{
  if (c->nundec == c->capundec) {
    size_t cap = c->capundec ? c->capundec * 2 : 16;
    char **n = realloc(c->undecodable, cap * sizeof *n);
    if (!n)
      return; /* only costs a second decode attempt */
    c->undecodable = n;
    c->capundec = cap;
  }
  if ((c->undecodable[c->nundec] = strndup(s, len)) != NULL)
    c->nundec++;
}

/* Decode the run cand[0..clen) into an element in *xml.  Returns 1 when it
 * decoded, 0 when it is not base64 (or a limit refused it). */
static int
b64_decode_fragment(b64_ctx *c, const char *cand, size_t clen,
                    const char *index, int64_t depth, hk_buf *xml)
{
  unsigned char *bytes = NULL;
  ssize_t n = b64_decode(cand, clen, &bytes);
  const char *ptype;

  if (n == -2) {
    b64_stop(c, HK_E_NOMEM, "out of memory");
    return 0;
  }
  if (n <= 0) {
    free(bytes);
    return 0;
  }
  if (c->total_bytes + n > c->lim.max_total_bytes) {
    free(bytes);
    b64_stop(c, HK_E_LIMIT,
             "stopped after %lld decoded bytes (max_total_bytes): a %zd-byte "
             "fragment at index %s was not decoded",
             (long long)c->total_bytes, n, index);
    return 0;
  }
  c->total_bytes += n;
  ptype = b64_prefix_type(cand, clen);
  if (b64_archive_magic(bytes, (size_t)n)) {
    b64_member *m = NULL;
    size_t nm = 0;
    char type[48];
    if (b64_nest_push(c, bytes, (size_t)n) == 0) {
      int is_archive =
          b64_read_archive(c, bytes, (size_t)n, &m, &nm, type, sizeof type);
      c->nest--;
      if (is_archive && nm > 0) {
        if (nm == 1) {
          b64_emit_members(c, m, nm, type, index, depth, cand, clen, xml, 1);
        } else {
          hk_buf_appendf(xml,
                         "<decoded value='multiple binary' type='multiple' "
                         "index='%s' depth='%lld'>",
                         index, (long long)depth);
          b64_emit_members(c, m, nm, type, index, depth + 1, cand, clen, xml,
                           0);
          hk_buf_append_str(xml, "</decoded>");
        }
        b64_members_free(m, nm);
        free(bytes);
        return 1;
      }
      b64_members_free(m, nm);
    }
  }
  {
    hk_buf key = HK_BUF_INIT;
    b64_item *it;
    hk_buf_appendf(&key, "[%s]", ptype ? ptype : "None");
    it = b64_add_item(c, bytes, (size_t)n, index, depth, cand, clen, "unknown",
                      ptype);
    if (it)
      b64_format_item(xml, it, key.data);
    hk_buf_free(&key);
    return it != NULL;
  }
}

/* One decoded run of a pass and its <decoded> element. */
typedef struct b64_sub {
  char *run;
  size_t run_len;
  char *rep;
  size_t rep_len;
} b64_sub;

/* A candidate run of the text, [st, en), and what the pass did with it. */
enum { B64_SPAN_KEEP = 0, B64_SPAN_DROP = 1, B64_SPAN_REPLACED = 2 };
typedef struct b64_span {
  size_t st, en;
  int what;   /* B64_SPAN_* */
  size_t sub; /* B64_SPAN_REPLACED: the decoded run put in its place */
} b64_span;

typedef struct b64_spans {
  b64_span *v;
  size_t n, cap;
} b64_spans;

static int
b64_spans_push(b64_spans *l, size_t st, size_t en)
{
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 64;
    b64_span *g = realloc(l->v, nc * sizeof *g);
    if (!g)
      return HK_E_NOMEM;
    l->v = g;
    l->cap = nc;
  }
  l->v[l->n++] = (b64_span){st, en, B64_SPAN_KEEP, 0};
  return HK_OK;
}

/* Every candidate run in s[from, to). */
static int
b64_spans_scan(b64_spans *l, const char *s, size_t from, size_t to)
{
  size_t st, en;
  while (b64_next_run(s, to, from, &st, &en)) {
    if (b64_spans_push(l, st, en) != HK_OK)
      return HK_E_NOMEM;
    from = en;
  }
  return HK_OK;
}

/* End of a pass: rebuild *work with each replaced span's element in its
 * place, in one sweep, and make *next the spans of the new text: the kept
 * ones moved by what was inserted before them, plus the runs inside the
 * inserted elements.  The text outside the replaced runs is unchanged and
 * an element begins with '<' and ends with '>', so no run can change at
 * its edges: the next pass need not scan the whole text again. */
static int
b64_rebuild(hk_buf *work, hk_buf *spare, const b64_spans *spans,
            const b64_sub *subs, b64_spans *next)
{
  /* The previous pass's buffer is reused: a fresh one per pass costs a
   * page fault every 4 KiB of a large text. */
  hk_buf out = *spare;
  size_t p = 0;
  hk_buf_reset(&out);
  next->n = 0;
  if (hk_buf_reserve(&out, work->len + 64) != HK_OK)
    goto nomem;
  for (size_t i = 0; i < spans->n; i++) {
    const b64_span *sp = &spans->v[i];
    if (sp->what == B64_SPAN_DROP)
      continue;
    if (hk_buf_append(&out, work->data + p, sp->st - p) != HK_OK)
      goto nomem;
    p = sp->st;
    if (sp->what == B64_SPAN_KEEP) {
      if (b64_spans_push(next, out.len, out.len + (sp->en - sp->st)) != HK_OK)
        goto nomem;
      continue; /* its text is copied with what follows */
    }
    const b64_sub *sb = &subs[sp->sub];
    size_t at = out.len;
    if (hk_buf_append(&out, sb->rep, sb->rep_len) != HK_OK ||
        b64_spans_scan(next, out.data, at, out.len) != HK_OK)
      goto nomem;
    p = sp->en;
  }
  if (hk_buf_append(&out, work->data + p, work->len - p) != HK_OK)
    goto nomem;
  *spare = *work;
  *work = out;
  return HK_OK;
nomem:
  *spare = out; /* freed by the caller */
  return HK_E_NOMEM;
}

static void
b64_subs_clear(b64_sub *subs, size_t *nsubs)
{
  for (size_t k = 0; k < *nsubs; k++) {
    free(subs[k].run);
    free(subs[k].rep);
  }
  *nsubs = 0;
}

/* Decode text[0..len): items go to c->items, the fully decoded text to
 * *out.  Returns HK_OK; a limit sets c->stopped with the reason and keeps
 * what was decoded before it. */
static int
b64_unpack_text(b64_ctx *c, const char *text, size_t len, hk_buf *out)
{
  hk_buf work = HK_BUF_INIT, spare = HK_BUF_INIT, prefix = HK_BUF_INIT,
         xml = HK_BUF_INIT, index = HK_BUF_INIT;
  int64_t depth;
  b64_sub subs[B64_MAX_FRAGMENTS + 2];
  size_t nsubs = 0;
  b64_spans spans = {0}, next = {0};

  b64_ctx_reset(c);
  if (hk_buf_append(&work, text, len) != HK_OK ||
      b64_spans_scan(&spans, work.data, 0, work.len) != HK_OK) {
    hk_buf_free(&work);
    free(spans.v);
    return HK_E_NOMEM;
  }
  hk_buf_append(&prefix, "", 0);
  for (depth = 1;; depth++) {
    int frag = 0, any = 0, full = 0;
    /* The text stays as it is during a pass; decoded runs are put in at
     * its end, at every place the same run occurs (MSTICPy's str.replace),
     * so the walk goes on to the end even after the per-pass limit, only
     * to find those places. */
    for (size_t i = 0; i < spans.n && !c->stopped; i++) {
      b64_span *sp = &spans.v[i];
      size_t st = sp->st, en = sp->en, k;
      int done;
      for (k = 0; k < nsubs; k++)
        if (subs[k].run_len == en - st &&
            memcmp(subs[k].run, work.data + st, en - st) == 0)
          break;
      if (k < nsubs) {
        sp->what = B64_SPAN_REPLACED;
        sp->sub = k;
        continue;
      }
      if (full)
        continue;
      if (b64_is_undecodable(c, work.data + st, en - st)) {
        sp->what = B64_SPAN_DROP; /* the same text never decodes later */
        continue;
      }
      frag++;
      hk_buf_reset(&xml);
      hk_buf_reset(&index);
      hk_buf_appendf(&index, "%s%d", prefix.data, frag);
      done = b64_decode_fragment(c, work.data + st, en - st, index.data, depth,
                                 &xml);
      if (done) {
        b64_sub *sub = &subs[nsubs];
        sub->run = strndup(work.data + st, en - st);
        sub->run_len = en - st;
        sub->rep_len = xml.len;
        sub->rep = malloc(xml.len + 1);
        if (!sub->run || !sub->rep) {
          free(sub->run);
          free(sub->rep);
          b64_stop(c, HK_E_NOMEM, "out of memory");
          break;
        }
        memcpy(sub->rep, xml.data ? xml.data : "", xml.len);
        sp->what = B64_SPAN_REPLACED;
        sp->sub = nsubs++;
        any = 1;
      } else {
        b64_add_undecodable(c, work.data + st, en - st);
        sp->what = B64_SPAN_DROP;
      }
      if (frag > B64_MAX_FRAGMENTS)
        full = 1;
    }
    if (c->stop_code != HK_E_NOMEM) {
      if (b64_rebuild(&work, &spare, &spans, subs, &next) != HK_OK)
        b64_stop(c, HK_E_NOMEM, "out of memory");
      else {
        b64_spans t = spans;
        spans = next;
        next = t;
      }
    }
    b64_subs_clear(subs, &nsubs);
    if (!any || c->stopped)
      break;
    if (depth >= c->lim.max_depth) {
      /* stop only if another pass had something to decode */
      for (size_t i = 0; i < spans.n; i++) {
        size_t st = spans.v[i].st, en = spans.v[i].en;
        if (!b64_is_undecodable(c, work.data + st, en - st)) {
          unsigned char *probe = NULL;
          ssize_t pn = b64_decode(work.data + st, en - st, &probe);
          free(probe);
          if (pn > 0) {
            b64_stop(c, HK_E_LIMIT,
                     "stopped at depth %lld (max_depth): more encoded "
                     "content is left undecoded",
                     (long long)c->lim.max_depth);
            break;
          }
        }
      }
      break;
    }
    hk_buf_appendf(&prefix, "%d.", frag);
  }
  b64_subs_clear(subs, &nsubs);
  free(spans.v);
  free(next.v);
  hk_buf_free(&spare);
  hk_buf_free(&prefix);
  hk_buf_free(&xml);
  hk_buf_free(&index);
  *out = work;
  return c->stop_code == HK_E_NOMEM ? HK_E_NOMEM : HK_OK;
}
