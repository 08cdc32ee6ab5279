/*
 * plugins/ti_feed/ti_feed_misp.c -- MISP feeds for `ti_feed`.
 *
 * A MISP feed (the layout MISP's "feed" export and the CIRCL/Botvrij OSINT
 * feeds use) is a directory with manifest.json -- an object whose keys are
 * event UUIDs, each with the event's info, threat_level_id, Orgc, date --
 * and one <uuid>.json per event: {"Event": {"uuid", "info",
 * "threat_level_id", "Attribute": [...], "Object": [{"Attribute": [...]}]}}.
 * hashes.csv, when present, is not needed.
 *
 * Each attribute becomes an indicator: type (ip-src, ip-dst, domain,
 * hostname, url, md5, sha1, sha256, email-src, ...; compound types such as
 * domain|ip or filename|sha256 give one indicator per looked-up part),
 * value, severity from the event's threat_level_id (1 high, 2 medium,
 * 3 low, 4 undefined: default_severity), description from the event info
 * and the attribute comment.  Attributes with to_ids false are left out
 * unless misp_to_ids_only is false; deleted ones always.  Types that
 * huntkit never looks up (text, comment, link, regkey, mutex, ...) are
 * counted, not stored.
 */
#include "ti_feed_internal.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *
parse_file(const char *path, hk_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                 "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  hk_buf b = HK_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (hk_buf_append(&b, chunk, n) != HK_OK) {
      fclose(f);
      hk_buf_free(&b);
      hk_error_set(err, HK_E_NOMEM, "out of memory reading %s", path);
      return NULL;
    }
  fclose(f);
  json_tokener *tok = json_tokener_new();
  json_object *obj = NULL;
  if (tok) {
    obj = json_tokener_parse_ex(tok, b.data ? b.data : "", (int)b.len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    if (!obj && je == json_tokener_continue)
      je = json_tokener_error_parse_eof;
    if (je != json_tokener_success) {
      json_object_put(obj);
      obj = NULL;
      hk_error_set(err, HK_E_INVAL, "%s: malformed JSON: %s", path,
                   json_tokener_error_desc(je));
    }
    json_tokener_free(tok);
  } else
    hk_error_set(err, HK_E_NOMEM, "out of memory");
  hk_buf_free(&b);
  return obj;
}

static const char *
str_member(json_object *o, const char *key)
{
  json_object *m;
  if (!o || !json_object_object_get_ex(o, key, &m) || !m ||
      json_object_is_type(m, json_type_null) ||
      json_object_is_type(m, json_type_object) ||
      json_object_is_type(m, json_type_array))
    return NULL;
  return json_object_get_string(m);
}

static int
bool_member(json_object *o, const char *key, int dflt)
{
  json_object *m;
  if (!o || !json_object_object_get_ex(o, key, &m) || !m)
    return dflt;
  if (json_object_is_type(m, json_type_string)) {
    const char *s = json_object_get_string(m);
    return !strcmp(s, "1") || !strcmp(s, "true");
  }
  return json_object_get_boolean(m);
}

static int
is_uuid(const char *s)
{
  size_t n = 0;
  for (; s[n]; n++)
    if (!isxdigit((unsigned char)s[n]) && s[n] != '-')
      return 0;
  return n >= 32 && n <= 36;
}

/* MISP attribute types (or parts of compound ones) looked up, and those
 * that are only context. */
static int
misp_part_class(const char *t, size_t n)
{
  static const char *const context[] = {
      "port",          "filename",     "text",         "comment",
      "link",          "other",        "regkey",       "mutex",
      "yara",          "snort",        "AS",           "datetime",
      "campaign-name", "threat-actor", "malware-type", "size-in-bytes"};
  for (size_t i = 0; i < sizeof context / sizeof context[0]; i++)
    if (strlen(context[i]) == n && !strncmp(t, context[i], n))
      return 0;
  int cls = hk_tf_class_of_type(t, n);
  return cls == TF_C_OTHER ? 0 : cls;
}

/* Store one attribute's looked-up parts. */
static int
add_attribute(hk_tf_reader *r, json_object *attr, const char *info,
              const char *event_uuid, const char *org, const char *date,
              int severity, hk_error *err)
{
  const char *type = str_member(attr, "type");
  const char *value = str_member(attr, "value");
  const char *auuid = str_member(attr, "uuid");
  const char *comment = str_member(attr, "comment");
  const char *category = str_member(attr, "category");
  char why[400];
  if (bool_member(attr, "deleted", 0))
    return HK_OK;
  if (r->opts->misp_to_ids_only && !bool_member(attr, "to_ids", 0))
    return HK_OK;
  if (!type || !value) {
    snprintf(why, sizeof why, "event %s: attribute %s has no %s", event_uuid,
             auuid ? auuid : "(no uuid)", type ? "value" : "type");
    return hk_tf_reader_bad(r, 0, why, err);
  }

  hk_buf desc = HK_BUF_INIT, extra = HK_BUF_INIT;
  hk_buf_append_str(&desc, info ? info : "");
  if (comment && *comment)
    hk_buf_appendf(&desc, "%s(%s)", desc.len ? " " : "", comment);
  if (strchr(type, '|')) {
    /* The stored type and value are the part; keep the whole too. */
    hk_buf_append_str(&extra, "\"misp_type\":");
    hk_buf_append_json_string(&extra, type, strlen(type));
    hk_buf_append_str(&extra, ",\"misp_value\":");
    hk_buf_append_json_string(&extra, value, strlen(value));
    hk_buf_append_char(&extra, ',');
  }
  hk_buf_append_str(&extra, "\"event\":");
  hk_buf_append_json_string(&extra, event_uuid, strlen(event_uuid));
  struct {
    const char *k, *v;
  } members[] = {{"attribute", auuid},
                 {"category", category},
                 {"org", org},
                 {"date", date}};
  for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
    if (members[i].v) {
      hk_buf_appendf(&extra, ",\"%s\":", members[i].k);
      hk_buf_append_json_string(&extra, members[i].v, strlen(members[i].v));
    }

  /* Compound types: "domain|ip" with value "example.com|192.0.2.1". */
  int rc = HK_OK, any = 0;
  const char *tp = type, *vp = value;
  for (;;) {
    const char *tbar = strchr(tp, '|'), *vbar = strchr(vp, '|');
    size_t tl = tbar ? (size_t)(tbar - tp) : strlen(tp);
    size_t vl = vbar && tbar ? (size_t)(vbar - vp) : strlen(vp);
    if (misp_part_class(tp, tl)) {
      any = 1;
      rc = hk_tf_store_add(r, 0, tp, tl, vp, vl, desc.data, desc.len, severity,
                           extra.data, why, sizeof why);
      if (rc == HK_E_INVAL) {
        char msg[600];
        snprintf(msg, sizeof msg, "event %s: attribute %s (%s): %s", event_uuid,
                 auuid ? auuid : "(no uuid)", type, why);
        rc = hk_tf_reader_bad(r, 0, msg, err);
      } else if (rc != HK_OK)
        rc = hk_error_set(err, rc, "%s: out of memory", r->path);
      if (rc != HK_OK)
        break;
    }
    if (!tbar || !vbar)
      break;
    tp = tbar + 1;
    vp = vbar + 1;
  }
  if (!any)
    r->n_ignored++;
  hk_buf_free(&desc);
  hk_buf_free(&extra);
  return rc;
}

static int
severity_of_level(json_object *event, json_object *manifest_entry, int dflt)
{
  const char *lvl = str_member(event, "threat_level_id");
  if (!lvl)
    lvl = str_member(manifest_entry, "threat_level_id");
  if (!lvl)
    return dflt;
  switch (atoi(lvl)) {
  case 1:
    return HK_SEV_HIGH;
  case 2:
    return HK_SEV_MEDIUM;
  case 3:
    return HK_SEV_LOW;
  default:
    return dflt;
  }
}

static int
load_event(hk_tf_store *st, const hk_tf_opts *opts, const char *dir,
           const char *feed_name, const char *uuid, json_object *mentry,
           hk_tf_reader *manifest_reader, hk_error *err)
{
  char path[4200], name[600], why[4800];
  snprintf(path, sizeof path, "%s/%s.json", dir, uuid);
  snprintf(name, sizeof name, "%s/%s.json", feed_name, uuid);
  hk_error perr;
  hk_error_clear(&perr);
  json_object *root = parse_file(path, &perr);
  if (!root) {
    if (perr.code == HK_E_NOMEM)
      return hk_error_set(err, HK_E_NOMEM, "%s", perr.msg);
    snprintf(why, sizeof why, "event %s: %s", uuid, perr.msg);
    return hk_tf_reader_bad(manifest_reader, 0, why, err);
  }
  json_object *event = NULL;
  if (!json_object_object_get_ex(root, "Event", &event) ||
      !json_object_is_type(event, json_type_object)) {
    json_object_put(root);
    snprintf(why, sizeof why, "event %s: %s has no \"Event\" object", uuid,
             path);
    return hk_tf_reader_bad(manifest_reader, 0, why, err);
  }
  uint32_t list;
  if (hk_tf_store_add_list(st, path, name, &list) != HK_OK) {
    json_object_put(root);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  hk_tf_reader r = {st, opts, list, path, 0, 0, 0};
  const char *info = str_member(event, "info");
  if (!info)
    info = str_member(mentry, "info");
  json_object *orgc = NULL;
  if (!json_object_object_get_ex(event, "Orgc", &orgc))
    json_object_object_get_ex(mentry, "Orgc", &orgc);
  const char *org = str_member(orgc, "name");
  const char *date = str_member(event, "date");
  int severity = severity_of_level(event, mentry, opts->default_severity);

  int rc = HK_OK;
  json_object *attrs, *objects;
  if (json_object_object_get_ex(event, "Attribute", &attrs) &&
      json_object_is_type(attrs, json_type_array))
    for (size_t i = 0; rc == HK_OK && i < json_object_array_length(attrs); i++)
      rc = add_attribute(&r, json_object_array_get_idx(attrs, i), info, uuid,
                         org, date, severity, err);
  if (json_object_object_get_ex(event, "Object", &objects) &&
      json_object_is_type(objects, json_type_array))
    for (size_t i = 0; rc == HK_OK && i < json_object_array_length(objects);
         i++) {
      json_object *obj = json_object_array_get_idx(objects, i), *oattrs;
      if (bool_member(obj, "deleted", 0))
        continue;
      if (json_object_object_get_ex(obj, "Attribute", &oattrs) &&
          json_object_is_type(oattrs, json_type_array))
        for (size_t k = 0; rc == HK_OK && k < json_object_array_length(oattrs);
             k++)
          rc = add_attribute(&r, json_object_array_get_idx(oattrs, k), info,
                             uuid, org, date, severity, err);
    }
  json_object_put(root);
  if (rc != HK_OK)
    return rc;
  manifest_reader->n_added += r.n_added;
  manifest_reader->n_bad += r.n_bad;
  manifest_reader->n_ignored += r.n_ignored;
  return HK_OK;
}

int
hk_tf_load_misp(hk_tf_store *st, const hk_tf_opts *opts, const char *dir,
                hk_error *err)
{
  char manifest[4200];
  snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
  json_object *root = parse_file(manifest, err);
  if (!root)
    return err->code;
  if (!json_object_is_type(root, json_type_object)) {
    json_object_put(root);
    return hk_error_set(err, HK_E_INVAL,
                        "%s: a MISP feed manifest is an object keyed by event "
                        "UUID",
                        manifest);
  }
  const char *slash = strrchr(dir, '/');
  const char *feed_name = slash && slash[1] ? slash + 1 : dir;
  hk_tf_reader mr = {st, opts, TF_NONE, manifest, 0, 0, 0};
  int rc = HK_OK;
  json_object_object_foreach(root, uuid, entry)
  {
    if (!is_uuid(uuid)) {
      char why[200];
      snprintf(why, sizeof why, "key '%.60s' is not an event UUID", uuid);
      rc = hk_tf_reader_bad(&mr, 0, why, err);
    } else
      rc = load_event(st, opts, dir, feed_name, uuid, entry, &mr, err);
    if (rc != HK_OK)
      break;
  }
  json_object_put(root);
  if (rc == HK_OK)
    hk_tf_reader_finish(&mr);
  return rc;
}
