/*
 * host/stream_check.c -- the streams the runner puts between stages.
 *
 * check: every schema and batch a plugin returns is validated before any
 *   other code reads it, and errors are pinned on the stage they started
 *   in.  It also ends the provider's stream on Ctrl-C so that the rest of
 *   the pipeline finishes with what was read.
 * The enriching stream of enricher stages is in enrich.c.
 */
#define _GNU_SOURCE
#include "config.h"

#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- check */

typedef struct check_priv {
  struct ArrowArrayStream inner;
  char *plugin;
  int stage;
  int stop_on_cancel;
  hk_stream_hooks hooks;
  struct ArrowSchema schema; /* validated; for batch validation */
  int have_schema;
  int ended;
  int failed; /* errno of the sticky error, 0 when none */
  char msg[HK_ERROR_MSG_MAX];
} check_priv;

static int
check_fail(check_priv *cp, int errnum, int report)
{
  cp->failed = errnum ? errnum : EIO;
  if (report && cp->hooks.on_error)
    cp->hooks.on_error(cp->hooks.ud, cp->stage, cp->msg);
  return cp->failed;
}

/* The plugin's stream failed: keep its message. */
static int
check_inner_failed(check_priv *cp, int errnum)
{
  const char *m =
      cp->inner.get_last_error ? cp->inner.get_last_error(&cp->inner) : NULL;
  if (m && *m)
    snprintf(cp->msg, sizeof cp->msg, "%s", m);
  else
    snprintf(cp->msg, sizeof cp->msg, "plugin '%s' failed: %s", cp->plugin,
             strerror(errnum ? errnum : EIO));
  return check_fail(cp, errnum, 1);
}

static int
check_malformed(check_priv *cp, const hk_error *e)
{
  snprintf(cp->msg, sizeof cp->msg,
           "plugin '%s' returned a malformed table: %s", cp->plugin, e->msg);
  return check_fail(cp, EINVAL, 1);
}

static int
check_fetch_schema(check_priv *cp, struct ArrowSchema *out)
{
  hk_error e;
  int rc;
  memset(out, 0, sizeof *out);
  rc = cp->inner.get_schema(&cp->inner, out);
  if (rc != 0)
    return check_inner_failed(cp, rc);
  if (!out->release) {
    hk_error_set(&e, HK_E_INVAL, "get_schema returned a released schema");
    return check_malformed(cp, &e);
  }
  hk_error_clear(&e);
  if (hk_table_validate_schema(out, &e) != HK_OK) {
    hk_schema_release(out);
    return check_malformed(cp, &e);
  }
  return 0;
}

static int
check_ensure_schema(check_priv *cp)
{
  int rc;
  if (cp->have_schema)
    return 0;
  rc = check_fetch_schema(cp, &cp->schema);
  if (rc == 0)
    cp->have_schema = 1;
  return rc;
}

static int
check_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
  check_priv *cp = s->private_data;
  if (cp->failed)
    return cp->failed;
  return check_fetch_schema(cp, out);
}

static int
check_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
  check_priv *cp = s->private_data;
  hk_error e;
  int rc;

  memset(out, 0, sizeof *out);
  if (cp->failed)
    return cp->failed;
  if (cp->ended || (cp->stop_on_cancel && hk_services_canceled())) {
    cp->ended = 1;
    return 0;
  }
  if ((rc = check_ensure_schema(cp)) != 0)
    return rc;
  rc = cp->inner.get_next(&cp->inner, out);
  if (rc != 0) {
    memset(out, 0, sizeof *out);
    return check_inner_failed(cp, rc);
  }
  if (!out->release) {
    cp->ended = 1;
    return 0;
  }
  hk_error_clear(&e);
  if (hk_table_validate_batch(&cp->schema, out, &e) != HK_OK) {
    hk_array_release(out);
    return check_malformed(cp, &e);
  }
  if (cp->hooks.on_rows)
    cp->hooks.on_rows(cp->hooks.ud, cp->stage, out->length);
  return 0;
}

static const char *
check_get_last_error(struct ArrowArrayStream *s)
{
  check_priv *cp = s->private_data;
  return cp->failed ? cp->msg : NULL;
}

static void
check_release(struct ArrowArrayStream *s)
{
  check_priv *cp = s->private_data;
  if (!s->release)
    return;
  hk_stream_release(&cp->inner);
  if (cp->have_schema)
    hk_schema_release(&cp->schema);
  free(cp->plugin);
  free(cp);
  s->release = NULL;
}

int
hk_stream_check_wrap(struct ArrowArrayStream *inner, const char *plugin,
                     int stage, int stop_on_cancel,
                     const hk_stream_hooks *hooks, struct ArrowArrayStream *out,
                     hk_error *err)
{
  check_priv *cp = calloc(1, sizeof *cp);
  memset(out, 0, sizeof *out);
  if (cp)
    cp->plugin = strdup(plugin);
  if (!cp || !cp->plugin) {
    free(cp);
    hk_stream_release(inner);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  if (!inner->get_schema || !inner->get_next) {
    free(cp->plugin);
    free(cp);
    hk_stream_release(inner);
    return hk_error_set(err, HK_E_INVAL,
                        "plugin '%s' returned a malformed stream: "
                        "get_schema or get_next is NULL",
                        plugin);
  }
  cp->inner = *inner;
  inner->release = NULL;
  cp->stage = stage;
  cp->stop_on_cancel = stop_on_cancel;
  if (hooks)
    cp->hooks = *hooks;
  out->get_schema = check_get_schema;
  out->get_next = check_get_next;
  out->get_last_error = check_get_last_error;
  out->release = check_release;
  out->private_data = cp;
  return HK_OK;
}
