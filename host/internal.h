/*
 * host/internal.h -- glue between the host core's own files (log.c,
 * config.c, settings.c, loader.c, registry.c, services.c).  Not for the
 * CLI or the pipeline: they use core.h.
 */
#ifndef HK_HOST_INTERNAL_H
#define HK_HOST_INTERNAL_H

#include "core.h"

/* Magic numbers checked on every service call (Varnish's CHECK_OBJ idea):
 * a plugin passing the wrong pointer gets a clear error, not corruption. */
#define HK_INSTANCE_MAGIC 0x484b494eu /* "HKIN" */
#define HK_CONFIG_MAGIC 0x484b4346u   /* "HKCF" */

/* ------------------------------------------------------------------ log */

/* Repeated-message state of one instance (or of the host itself); guarded
 * by log.c's output lock. */
typedef struct hk_log_state {
  uint64_t last_hash;
  int last_level;
  unsigned repeats;         /* identical messages in a row so far */
  unsigned long suppressed; /* of those, how many were not printed */
} hk_log_state;

#define HK_LOG_REPEAT_LIMIT 5

/* Print an already formatted message (redacted, prefixed, rate-limited). */
void hk_log_emit(const hk_instance *inst, int level, const char *text);
/* Say how many identical messages were suppressed, if any, before an
 * instance goes away. */
void hk_log_flush(const hk_instance *inst);
/* "error", "warning", "info", "debug". */
const char *hk_log_level_name(int level);

/* ------------------------------------------------------------- instance */

/* 1 when `inst` is a live instance handle (magic intact). */
bool hk_instance_valid(const hk_instance *inst);
/* The repeated-message state of a valid instance. */
hk_log_state *hk_instance_log_state(const hk_instance *inst);

/* --------------------------------------------------------------- config */

/* 1 when `cfg` is a live config handle (magic intact). */
bool hk_config_valid(const hk_config *cfg);

/* Check one textual value against a parameter's type and choices, as
 * hk_config_set_text would (without ${...} references).  The loader uses
 * it on schema defaults.  On failure `err` says why, without a prefix:
 * "must be an integer, got 'abc'". */
int hk_param_check_text(const hk_param *p, const char *text, hk_error *err);

/* Boolean words shared by config values and settings files:
 * yes/no/true/false/on/off/1/0, case-insensitive.  0 or -1 (not a word). */
int hk_parse_bool_word(const char *s, int *out);

/* Expand a leading "~" or "~/" with $HOME (or the password database).
 * Returns a malloc'd string, or NULL when out of memory. */
char *hk_expand_home(const char *path);

/* Schema helpers. */
size_t hk_param_count(const hk_param *schema); /* rows before the NULL name */
const char *hk_param_type_name(uint32_t type); /* "integer", "duration", ... */

/* ------------------------------------------------------------- settings */

/* Deep copy of one instance configuration; returns HK_OK or HK_E_NOMEM. */
int hk_instance_conf_copy(hk_instance_conf *dst, const hk_instance_conf *src);
void hk_instance_conf_clear(hk_instance_conf *c);

/* --------------------------------------------------------------- loader */

/* Open the shared object at absolute `path` after the path checks
 * (absolute, regular file, directory and file not group/world-writable,
 * owned by root or the current user), then find its entry symbol.  On
 * success *handle is the libltdl handle and *entry the entry function.
 * On failure the message names the file and says what to do. */
int hk_loader_open(const char *path, void **handle, hk_plugin_entry_fn **entry,
                   hk_error *err);
/* Forget a handle (modules stay resident). */
void hk_loader_close(void *handle);

/* The descriptor checks, in the documented order (size, ABI major, ABI
 * minor, name, kind, vtable, parameter schemas); `where` names the file
 * (or "static:<label>") and `index` the descriptor's position.  The
 * duplicate-name check needs the registry and lives there. */
int hk_loader_check_desc(const hk_plugin_desc *d, size_t index,
                         const char *where, hk_error *err);
/* A parameter schema's rows are sane: names, uniqueness, types, at most
 * one REST, defaults parse and fit the choices.  `what` is "parameter" or
 * "option". */
int hk_loader_check_params(const hk_param *schema, const char *what,
                           hk_error *err);
/* True when `name` is [a-z][a-z0-9_]* and at most 64 bytes long. */
bool hk_valid_plugin_name(const char *name);

/* ------------------------------------------------------------- services */

/* Tests replace the wall clock with a function of their own (NULL puts
 * the real one back). */
void hk_services_set_clock(int64_t (*now_us)(void));
/* hk_services_reset_cancel: see core.h. */

#endif /* HK_HOST_INTERNAL_H */
