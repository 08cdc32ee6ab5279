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

/* Where a decoded run occurs in the text of the pass. */
typedef struct b64_occ {
  size_t at;
  size_t sub;
} b64_occ;

/* Rebuild *work with each recorded occurrence replaced by its element, in
 * one sweep (occurrences are in text order and do not overlap: they are
 * whole runs). */
static int
b64_replace_pass(hk_buf *work, const b64_sub *subs, const b64_occ *occ,
                 size_t nocc)
{
  hk_buf out = HK_BUF_INIT;
  size_t p = 0;
  if (hk_buf_reserve(&out, work->len + 64) != HK_OK)
    return HK_E_NOMEM;
  for (size_t i = 0; i < nocc; i++) {
    const b64_sub *sb = &subs[occ[i].sub];
    if (hk_buf_append(&out, work->data + p, occ[i].at - p) != HK_OK ||
        hk_buf_append(&out, sb->rep, sb->rep_len) != HK_OK) {
      hk_buf_free(&out);
      return HK_E_NOMEM;
    }
    p = occ[i].at + sb->run_len;
  }
  if (hk_buf_append(&out, work->data + p, work->len - p) != HK_OK) {
    hk_buf_free(&out);
    return HK_E_NOMEM;
  }
  hk_buf_free(work);
  *work = out;
  return HK_OK;
}

static int
b64_occ_push(b64_occ **occ, size_t *n, size_t *cap, size_t at, size_t sub)
{
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    b64_occ *g = realloc(*occ, nc * sizeof *g);
    if (!g)
      return HK_E_NOMEM;
    *occ = g;
    *cap = nc;
  }
  (*occ)[*n].at = at;
  (*occ)[(*n)++].sub = sub;
  return HK_OK;
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
  hk_buf work = HK_BUF_INIT, prefix = HK_BUF_INIT, xml = HK_BUF_INIT,
         index = HK_BUF_INIT;
  int64_t depth;
  b64_sub subs[B64_MAX_FRAGMENTS + 2];
  size_t nsubs = 0;
  b64_occ *occ = NULL;
  size_t nocc = 0, capocc = 0;

  b64_ctx_reset(c);
  if (hk_buf_append(&work, text, len) != HK_OK)
    return HK_E_NOMEM;
  hk_buf_append(&prefix, "", 0);
  for (depth = 1;; depth++) {
    size_t pos = 0, st, en;
    int frag = 0, any = 0, full = 0;
    /* The text stays as it is during a pass; decoded runs are put in at
     * its end, at every place the same run occurs (MSTICPy's str.replace),
     * so the scan goes on to the end even after the per-pass limit, only
     * to find those places. */
    nocc = 0;
    while (!c->stopped && b64_next_run(work.data, work.len, pos, &st, &en)) {
      size_t k;
      int done;
      pos = en;
      for (k = 0; k < nsubs; k++)
        if (subs[k].run_len == en - st &&
            memcmp(subs[k].run, work.data + st, en - st) == 0)
          break;
      if (k < nsubs) {
        if (b64_occ_push(&occ, &nocc, &capocc, st, k) != HK_OK)
          b64_stop(c, HK_E_NOMEM, "out of memory");
        continue;
      }
      if (full || b64_is_undecodable(c, work.data + st, en - st))
        continue;
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
        if (!sub->run || !sub->rep ||
            b64_occ_push(&occ, &nocc, &capocc, st, nsubs) != HK_OK) {
          free(sub->run);
          free(sub->rep);
          b64_stop(c, HK_E_NOMEM, "out of memory");
          break;
        }
        memcpy(sub->rep, xml.data ? xml.data : "", xml.len);
        nsubs++;
        any = 1;
      } else {
        b64_add_undecodable(c, work.data + st, en - st);
      }
      if (frag > B64_MAX_FRAGMENTS)
        full = 1;
    }
    if (nocc && b64_replace_pass(&work, subs, occ, nocc) != HK_OK)
      b64_stop(c, HK_E_NOMEM, "out of memory");
    b64_subs_clear(subs, &nsubs);
    if (!any || c->stopped)
      break;
    if (depth >= c->lim.max_depth) {
      /* stop only if another pass had something to decode */
      size_t p2 = 0;
      while (b64_next_run(work.data, work.len, p2, &st, &en)) {
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
        p2 = en;
      }
      break;
    }
    hk_buf_appendf(&prefix, "%d.", frag);
  }
  b64_subs_clear(subs, &nsubs);
  free(occ);
  hk_buf_free(&prefix);
  hk_buf_free(&xml);
  hk_buf_free(&index);
  *out = work;
  return c->stop_code == HK_E_NOMEM ? HK_E_NOMEM : HK_OK;
}
