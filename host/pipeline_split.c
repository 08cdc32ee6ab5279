/*
 * host/pipeline_split.c -- a pipeline's text into stages and words:
 * shell-like quoting, '|' outside quotes (but `||` is an expression's
 * "or").  Pure text work: no registry, no plugins.
 */
#define _GNU_SOURCE /* strndup */
#include "config.h"

#include "pipeline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- split */

typedef struct word_acc {
  char *buf;
  size_t len, cap;
  int active;
  size_t start;
} word_acc;

static int
acc_push(word_acc *w, char c)
{
  if (w->len + 2 > w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 32;
    char *nb = realloc(w->buf, cap);
    if (!nb)
      return HK_E_NOMEM;
    w->buf = nb;
    w->cap = cap;
  }
  w->buf[w->len++] = c;
  w->buf[w->len] = '\0';
  return HK_OK;
}

static int
stage_add_word(hk_stage_text *st, word_acc *w, size_t end)
{
  hk_stage_word *nw;
  if (!w->active)
    return HK_OK;
  nw = realloc(st->words, (st->n_words + 1) * sizeof *nw);
  if (!nw)
    return HK_E_NOMEM;
  st->words = nw;
  nw[st->n_words].text = strdup(w->buf ? w->buf : "");
  if (!nw[st->n_words].text)
    return HK_E_NOMEM;
  nw[st->n_words].start = w->start;
  nw[st->n_words].end = end;
  st->n_words++;
  w->len = 0;
  if (w->buf)
    w->buf[0] = '\0';
  w->active = 0;
  return HK_OK;
}

static void
stage_text_free(hk_stage_text *st)
{
  for (size_t i = 0; i < st->n_words; i++)
    free(st->words[i].text);
  free(st->words);
}

void
hk_pipeline_split_free(hk_stage_text *stages, size_t n_stages)
{
  for (size_t i = 0; i < n_stages; i++)
    stage_text_free(&stages[i]);
  free(stages);
}

static int
finish_stage(const char *src, size_t from, size_t to, hk_stage_text *cur,
             hk_stage_text **stages, size_t *n, int last, hk_error *err)
{
  hk_stage_text *ns;
  while (from < to && isspace((unsigned char)src[from]))
    from++;
  while (to > from && isspace((unsigned char)src[to - 1]))
    to--;
  if (cur->n_words == 0) {
    stage_text_free(cur);
    memset(cur, 0, sizeof *cur);
    if (*n == 0 && last)
      hk_error_set(err, HK_E_INVAL,
                   "empty pipeline: give at least a provider, e.g. `file "
                   "path=events.json`");
    else if (last)
      hk_error_set(err, HK_E_INVAL,
                   "stage %zu is empty: the pipeline ends with '|'", *n + 1);
    else
      hk_error_set(err, HK_E_INVAL,
                   "stage %zu is empty: nothing between two '|'", *n + 1);
    err->flags |= HK_EF_USER;
    return HK_E_INVAL;
  }
  ns = realloc(*stages, (*n + 1) * sizeof *ns);
  if (!ns)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  *stages = ns;
  cur->start = from;
  cur->end = to;
  ns[(*n)++] = *cur;
  memset(cur, 0, sizeof *cur);
  return HK_OK;
}

int
hk_pipeline_split(const char *src, hk_stage_text **stages, size_t *n_stages,
                  hk_error *err)
{
  enum { PLAIN, SINGLE, DOUBLE } state = PLAIN;
  hk_stage_text cur = {0};
  word_acc w = {0};
  size_t stage_start = 0, quote_at = 0, i;
  int rc = HK_OK;

  *stages = NULL;
  *n_stages = 0;
  for (i = 0; src[i] && rc == HK_OK; i++) {
    char c = src[i];
    if (state == SINGLE) {
      if (c == '\'')
        state = PLAIN;
      else
        rc = acc_push(&w, c);
      continue;
    }
    if (state == DOUBLE) {
      if (c == '"')
        state = PLAIN;
      else if (c == '\\' && src[i + 1] && strchr("\"\\$`", src[i + 1]))
        rc = acc_push(&w, src[++i]);
      else
        rc = acc_push(&w, c);
      continue;
    }
    if (c == '|' && src[i + 1] == '|') {
      /* `||` is never an empty stage: it is the `or` of an expression. */
      if (!w.active) {
        w.active = 1;
        w.start = i;
      }
      rc = acc_push(&w, c);
      if (rc == HK_OK)
        rc = acc_push(&w, src[++i]);
    } else if (c == '|') {
      rc = stage_add_word(&cur, &w, i);
      if (rc == HK_OK)
        rc = finish_stage(src, stage_start, i, &cur, stages, n_stages, 0, err);
      if (rc != HK_OK)
        goto fail;
      stage_start = i + 1;
    } else if (isspace((unsigned char)c)) {
      rc = stage_add_word(&cur, &w, i);
    } else {
      if (!w.active) {
        w.active = 1;
        w.start = i;
      }
      if (c == '\'' || c == '"') {
        state = c == '\'' ? SINGLE : DOUBLE;
        quote_at = i;
      } else {
        rc = acc_push(&w, c);
      }
    }
  }
  if (rc != HK_OK) {
    hk_error_set(err, rc, "out of memory");
    goto fail;
  }
  if (state != PLAIN) {
    hk_error_set(err, HK_E_INVAL,
                 "unterminated %s quote starting at character %zu: `%.40s`",
                 state == SINGLE ? "'" : "\"", quote_at + 1, src + quote_at);
    err->flags |= HK_EF_USER;
    rc = HK_E_INVAL;
    goto fail;
  }
  rc = stage_add_word(&cur, &w, i);
  if (rc != HK_OK) {
    hk_error_set(err, rc, "out of memory");
    goto fail;
  }
  rc = finish_stage(src, stage_start, i, &cur, stages, n_stages, 1, err);
  if (rc != HK_OK)
    goto fail;
  free(w.buf);
  return HK_OK;

fail:
  free(w.buf);
  stage_text_free(&cur);
  hk_pipeline_split_free(*stages, *n_stages);
  *stages = NULL;
  *n_stages = 0;
  return rc;
}
