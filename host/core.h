/*
 * host/core.h -- the host core's internal API: settings, parameter
 * configs, the plugin registry and instances, logging and the services
 * table.  Used by the CLI and the pipeline runner; never installed and
 * never seen by plugins (they see sdk/include/huntkit only).
 *
 * Files: log.c (logging), config.c (hk_config), settings.c (YAML files),
 * loader.c (libltdl; the only file that includes ltdl.h), registry.c
 * (modules, plugins, instances), services.c (the hk_host table), ioc.c
 * (IP and IoC classifiers).
 */
#ifndef HK_HOST_CORE_H
#define HK_HOST_CORE_H

#include <huntkit/huntkit.h>
#include <stdbool.h>

/* ------------------------------------------------------------------ log */

/* Current level (enum hk_log_level); -v raises it, -q lowers it to ERROR. */
void hk_log_set_level(int level);
int hk_log_get_level(void);
/* Register a secret value so that it is replaced by "***" in every log
 * line and error message the host prints.  The string is copied. */
void hk_log_add_secret(const char *value);
/* Replace every registered secret in `msg` (in place, same buffer). */
void hk_log_redact(char *msg, size_t cap);
/* Host-side logging: "huntkit: <level>: [kind:plugin:instance] msg" on
 * stderr.  `inst` may be NULL. */
void hk_log_msg(const hk_instance *inst, int level, const char *fmt, ...)
    HK_PRINTF(3, 4);
/* Number of WARN messages logged so far for instances: a run with any is
 * reported as partial by the CLI. */
unsigned long hk_log_warn_count(void);

/* --------------------------------------------------------------- config */

/*
 * hk_config: values for one parameter schema (hk_param[]).  Built from a
 * conf.d YAML mapping or from a stage's key=value words; each value is
 * validated on entry (type, choices) and `${env:NAME}` / `${file:PATH}`
 * references are resolved then (their values registered as secrets when
 * the parameter is HK_P_SECRET or the value came from a reference).
 * `origin` names where a value came from for messages: "conf.d/vt.yaml:7"
 * or "stage 2 (where)".
 */
hk_config *hk_config_new(const hk_param *schema); /* NULL schema: no keys */
void hk_config_free(hk_config *cfg);
/* Unknown key: HK_E_CONFIG "ORIGIN: unknown key 'x' for PLUGIN (known: a, b)".
 * Wrong type: HK_E_CONFIG "ORIGIN: key 'n' must be an integer, got 'abc'". */
int hk_config_set_text(hk_config *cfg, const char *key, const char *value,
                       const char *origin, hk_error *err);
int hk_config_set_list(hk_config *cfg, const char *key,
                       const char *const *items, size_t n, const char *origin,
                       hk_error *err);
/* Every HK_P_REQUIRED key set?  Else "ORIGIN: missing required key 'k'". */
int hk_config_check_required(const hk_config *cfg, const char *origin,
                             hk_error *err);
const hk_param *hk_config_schema(const hk_config *cfg);
/* Name of the schema's HK_P_REST parameter, or NULL. */
const char *hk_config_rest_param(const hk_config *cfg);

/* The typed getters behind hk_host.config_* (same contracts). */
int hk_config_is_set(const hk_config *cfg, const char *name);
const char *hk_config_get_string(const hk_config *cfg, const char *name);
int hk_config_get_int(const hk_config *cfg, const char *name, int64_t *out);
int hk_config_get_float(const hk_config *cfg, const char *name, double *out);
int hk_config_get_bool(const hk_config *cfg, const char *name, int *out);
size_t hk_config_get_list(const hk_config *cfg, const char *name,
                          const char *const **items);

/* Parse a duration ("250ms", "30s", "5m", "2h", "1d", bare number = ms). */
int hk_parse_duration_ms(const char *s, int64_t *out);

/* ------------------------------------------------------------- settings */

/* One raw key of an instance's `config:` mapping, kept as text until the
 * plugin's schema is known. */
typedef struct hk_setting_item {
  char *key;
  char *value;  /* scalar text, or NULL for a list */
  char **items; /* list items when value == NULL */
  size_t n_items;
  int line; /* 1-based line in `file` */
} hk_setting_item;

/* One conf.d/NAME.yaml file: an enabled plugin instance. */
typedef struct hk_instance_conf {
  char *file;     /* path of the YAML file */
  int line;       /* line of the `plugin:` key */
  char *plugin;   /* plugin name (required) */
  char *instance; /* instance name; defaults to the plugin name */
  bool enabled;   /* `enabled: false` keeps the file but skips it */
  hk_setting_item *items;
  size_t n_items;
} hk_instance_conf;

/*
 * Global settings.  Search order for the config directory or file:
 * explicit path (--config), $HUNTKIT_CONFIG, $XDG_CONFIG_HOME/huntkit/
 * (~/.config/huntkit/), SYSCONFDIR/huntkit/.  The first that exists is
 * used; none is fine (defaults).  A directory holds huntkit.yaml and
 * conf.d/NAME.yaml; a file is huntkit.yaml and its directory's conf.d/ is
 * read.  Keys of huntkit.yaml: plugin_dirs (list of paths), query_dirs
 * (list), cache_dir, log_level (error|warn|info|debug).  Unknown keys,
 * wrong types and malformed YAML are errors naming file, line and key.
 */
typedef struct hk_settings {
  char *config_dir;  /* directory used, or NULL when none was found */
  char *config_file; /* huntkit.yaml used, or NULL */
  char *
      *plugin_dirs; /* absolute; configured dirs, then HUNTKIT_PLUGIN_PATH
                       (colon-separated), then the built-in PKGLIBDIR/plugins */
  size_t n_plugin_dirs;
  char **query_dirs;
  size_t n_query_dirs;
  char *cache_dir;
  int log_level; /* -1 when not set in the file */
  hk_instance_conf *instances;
  size_t n_instances;
} hk_settings;

int hk_settings_load(const char *explicit_path, hk_settings *out,
                     hk_error *err);
void hk_settings_free(hk_settings *s);

/* ------------------------------------------------------------- registry */

/* One shared object (or static entry) and what came of loading it. */
typedef struct hk_module {
  char *path;  /* absolute path, or "static:<label>" */
  bool loaded; /* entry ran and at least one descriptor was accepted */
  char reason[HK_ERROR_MSG_MAX];      /* why it (or a descriptor) was refused */
  const hk_plugin_desc *const *descs; /* as returned by the entry */
  size_t n_descs;
  void *handle; /* lt_dlhandle; owned by loader.c */
} hk_module;

/* One accepted descriptor. */
typedef struct hk_plugin {
  const hk_plugin_desc *desc; /* borrowed from the module */
  hk_module *module;
} hk_plugin;

/* One refused descriptor or module (for `plugins list`). */
typedef struct hk_refusal {
  char *path;
  char *name; /* descriptor name when known, else NULL */
  char reason[HK_ERROR_MSG_MAX];
} hk_refusal;

typedef struct hk_registry hk_registry;

hk_registry *hk_registry_new(const hk_settings *settings);
void hk_registry_free(hk_registry *r); /* destroys instances first */

/* Add plugins from an entry function linked into the binary (tests,
 * embedders); the same checks as a loaded .so. */
int hk_registry_add_static(hk_registry *r, const char *label,
                           hk_plugin_entry_fn *entry, hk_error *err);

/* Load one .so by absolute path, applying every loader check.  Returns
 * HK_OK when at least one descriptor was accepted; refusals are recorded
 * and the first reason is in `err`. */
int hk_registry_load_path(hk_registry *r, const char *path, hk_error *err);

/* Load every .so in every plugin dir (for list/inspect).  Never fails as
 * a whole: refusals are recorded. */
void hk_registry_load_all(hk_registry *r);

/* Find a plugin by descriptor name; loads lazily: first
 * <dir>/<name>.so in each plugin dir, then every .so.  NULL with
 * "no plugin named 'x' (loaded: a, b, c; see `huntkit plugins list`)". */
const hk_plugin *hk_registry_find(hk_registry *r, const char *name,
                                  hk_error *err);

size_t hk_registry_plugin_count(const hk_registry *r);
const hk_plugin *hk_registry_plugin_at(const hk_registry *r, size_t i);
size_t hk_registry_refusal_count(const hk_registry *r);
const hk_refusal *hk_registry_refusal_at(const hk_registry *r, size_t i);

/*
 * Get an instance by "plugin" or "plugin:instance".  A configured instance
 * (conf.d) has its config validated against the plugin's schema (errors
 * name the YAML file, line and key); an unconfigured plugin gets an
 * instance with default config.  The instance is created (vtable create)
 * on first use and kept until hk_registry_free.  Borrowed result.
 */
hk_instance *hk_registry_instance(hk_registry *r, const char *spec,
                                  hk_error *err);

/* Accessors of an instance (plugin-opaque struct). */
const hk_plugin *hk_instance_plugin(const hk_instance *inst);
const char *hk_instance_name(const hk_instance *inst);
void *hk_instance_state(const hk_instance *inst);
const hk_config *hk_instance_config(const hk_instance *inst);

/* ------------------------------------------------------------- services */

/* The services table given to every plugin (static, process-wide). */
const hk_host *hk_services(void);
/* Ctrl-C: the CLI's SIGINT handler calls this; is_canceled then says 1. */
void hk_services_cancel(void);
bool hk_services_canceled(void);

/* The classifiers behind hk_host.ip_classify / ioc_classify (ioc.c). */
int hk_ip_classify(const char *s, size_t len, hk_ip_info *out);
const char *hk_ip_class_name(int ip_class);
const char *hk_ioc_classify(const char *s, size_t len);

/* Kind names: "provider", "enricher", "analyzer", "renderer", "unknown". */
const char *hk_kind_name(uint32_t kind);

/* ------------------------------------------- services: cache, lookups */

/* What the run does with the lookup cache (--no-cache, --refresh). */
enum hk_cache_mode {
  HK_CACHE_USE = 0,    /* read and write */
  HK_CACHE_OFF = 1,    /* --no-cache: neither read nor write */
  HK_CACHE_REFRESH = 2 /* --refresh: do not read, do write */
};
void hk_services_set_cache_mode(int mode);
/* Forget an earlier Ctrl-C: tests, and a verb that stopped its lookups on
 * Ctrl-C, so that the renderer shows the rows that finished instead of
 * stopping too. */
void hk_services_reset_cancel(void);

/*
 * One lookup of the bulk engine (host/lookup.c): an IoC for an enricher
 * instance, and what came of it.  The caller fills the inputs and zeroes
 * the rest; hk_lookup_clear frees the outputs.
 */
typedef struct hk_lookup {
  /* in (borrowed; must outlive hk_lookup_run) */
  hk_instance *inst;
  const hk_config *options;
  const char *value;
  size_t len;
  const char *type; /* huntkit/ioc.h name */
  /* out */
  int done;         /* 1 once answered or failed; 0 when canceled first */
  int rc;           /* HK_OK, or the failure's code (status QUERY_FAILED) */
  int32_t status;   /* enum hk_lookup_status */
  int32_t severity; /* enum hk_severity */
  char *summary;    /* owned; the error message for a failed lookup */
  char *reference;  /* owned or NULL */
  char *raw;        /* owned or NULL */
  hk_value *fields; /* one per enricher field; strings owned; or NULL */
  size_t n_fields;
  int from_cache; /* answered from the cache, no request made */
} hk_lookup;

typedef struct hk_lookup_opts {
  /* After every finished lookup: how many are done out of `total`. */
  void (*progress)(void *ud, size_t done, size_t total);
  void *progress_ud;
} hk_lookup_opts;

/*
 * Run every lookup: enrichers with prepare/parse (ABI 1.1) through the
 * HTTP service, many requests in flight within each instance's limits and
 * cached per the run's cache mode; the others through their lookup(), one
 * at a time.  A lookup that fails is recorded (rc < 0, status
 * QUERY_FAILED, the error in summary), never fatal to the others; an IoC
 * whose type the enricher does not accept gets NOT_SUPPORTED.  On Ctrl-C
 * the lookups not finished stay done == 0.  Returns HK_OK, HK_E_CANCELED,
 * or HK_E_NOMEM.
 */
int hk_lookup_run(hk_lookup *items, size_t n, const hk_lookup_opts *opts,
                  hk_error *err);
void hk_lookup_clear(hk_lookup *item);
/* "ok", "not_supported", "bad_format", "query_failed", "no_data" (MSTICPy's
 * LookupStatus names, lower case); "unknown" for other values. */
const char *hk_lookup_status_name(int status);
/* "unknown", "information", "low", "medium", "high". */
const char *hk_severity_name(int severity);
/* 1 when the enricher `desc` accepts IoC type `type`. */
int hk_enricher_accepts(const hk_plugin_desc *desc, const char *type);

#endif /* HK_HOST_CORE_H */
