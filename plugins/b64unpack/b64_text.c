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

static const char *
b64_find(const char *h, size_t hlen, const char *p, size_t plen)
{
  while (hlen >= plen) {
    const char *f = memchr(h, p[0], hlen - plen + 1);
    if (!f)
      return NULL;
    if (memcmp(f, p, plen) == 0)
      return f;
    hlen -= (size_t)(f - h) + 1;
    h = f + 1;
  }
  return NULL;
}

/* Replace every occurrence of pat in *work by rep (like Python's
 * str.replace). */
static int
b64_replace_all(hk_buf *work, const char *pat, size_t plen, const char *rep,
                size_t rlen)
{
  hk_buf out = HK_BUF_INIT;
  size_t i = 0;
  if (hk_buf_reserve(&out, work->len + rlen) != HK_OK)
    return HK_E_NOMEM;
  while (i < work->len) {
    const char *hit = plen && work->len - i >= plen
                          ? b64_find(work->data + i, work->len - i, pat, plen)
                          : NULL;
    if (!hit) {
      hk_buf_append(&out, work->data + i, work->len - i);
      break;
    }
    hk_buf_append(&out, work->data + i, (size_t)(hit - (work->data + i)));
    hk_buf_append(&out, rep, rlen);
    i = (size_t)(hit - work->data) + plen;
  }
  if (!out.data && hk_buf_append(&out, "", 0) != HK_OK)
    return HK_E_NOMEM;
  hk_buf_free(work);
  *work = out;
  return HK_OK;
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

  b64_ctx_reset(c);
  if (hk_buf_append(&work, text, len) != HK_OK)
    return HK_E_NOMEM;
  hk_buf_append(&prefix, "", 0);
  for (depth = 1;; depth++) {
    size_t pos = 0, st, en;
    int frag = 0, any = 0;
    while (!c->stopped && b64_next_run(work.data, work.len, pos, &st, &en)) {
      char *cand;
      int done;
      if (b64_is_undecodable(c, work.data + st, en - st)) {
        pos = en;
        continue;
      }
      frag++;
      hk_buf_reset(&xml);
      hk_buf_reset(&index);
      hk_buf_appendf(&index, "%s%d", prefix.data, frag);
      done = b64_decode_fragment(c, work.data + st, en - st, index.data, depth,
                                 &xml);
      if (done) {
        cand = strndup(work.data + st, en - st);
        if (!cand ||
            b64_replace_all(&work, cand, en - st, xml.data ? xml.data : "",
                            xml.len) != HK_OK) {
          free(cand);
          b64_stop(c, HK_E_NOMEM, "out of memory");
          break;
        }
        free(cand);
        pos = st + xml.len;
        any = 1;
      } else {
        b64_add_undecodable(c, work.data + st, en - st);
        pos = en;
      }
      if (frag > B64_MAX_FRAGMENTS)
        break;
    }
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
  hk_buf_free(&prefix);
  hk_buf_free(&xml);
  hk_buf_free(&index);
  *out = work;
  return c->stop_code == HK_E_NOMEM ? HK_E_NOMEM : HK_OK;
}
