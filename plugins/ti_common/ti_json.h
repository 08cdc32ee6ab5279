/*
 * plugins/ti_common/ti_json.h -- json-c helpers shared by the TI enricher
 * plugins (virustotal, otx, xforce, greynoise, abuseipdb).
 *
 * Not installed and not part of the SDK: each plugin compiles ti_json.c
 * into its own module (TI_JSON_SOURCES in plugins/ti_common/Makefile.inc).
 * Every symbol is hidden (-fvisibility=hidden and the entry-point export
 * regex), so the ti_json_ names never leave the .so.
 */
#ifndef HK_TI_JSON_H
#define HK_TI_JSON_H

#include <huntkit/huntkit.h>

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* The member at a dotted path ("data.attributes.size"), or NULL. */
json_object *ti_json_path(json_object *o, const char *path);
/* The string at `path`, or NULL when it is missing or not a string. */
const char *ti_json_str(json_object *o, const char *path);
/* An integer member (JSON integer, or a double with an integral value):
 * 1 with *out set, else 0. */
int ti_json_int(json_object *o, const char *path, int64_t *out);

/* Field setters: the field is left unset when the value is missing, empty
 * (strings) or of another JSON type.  A string field points at `s`. */
void ti_json_set_str(hk_value *v, const char *s);
void ti_json_set_int(hk_value *v, json_object *o, const char *path);
void ti_json_set_bool(hk_value *v, json_object *o, const char *path);

/* Append `s` to the ", "-separated list in `b` unless `seen` (the n
 * strings appended so far, at most `cap` remembered) has it already. */
void ti_json_add_unique(hk_buf *b, const char **seen, size_t *n, size_t cap,
                        const char *s);
/* The strings of a JSON array (or the string values of an object, e.g.
 * VirusTotal's categories map vendor -> label) joined into `b` by ", ",
 * duplicates dropped; NULL when there are none. */
const char *ti_json_join_strings(hk_buf *b, json_object *list);

/* Parse a reply body; NULL with `why` (a sentence about "the reply") set
 * when it is not one JSON value or is JSON null.  *truncated is set when
 * the body ends inside a value, so the caller can call it retryable. */
json_object *ti_json_parse(const char *body, size_t len, char *why, size_t cap,
                           int *truncated);

#endif
