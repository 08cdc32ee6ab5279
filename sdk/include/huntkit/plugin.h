/*
 * huntkit/plugin.h -- what a plugin is: its descriptor, its parameter
 * schema and its one exported entry point.
 *
 * A plugin `.so` exports exactly one symbol, made by HK_PLUGIN_DEFINE.  The
 * host calls it once, passing its services table; the entry returns a
 * NULL-terminated array of descriptors (one `.so` may carry several
 * plugins).  Everything else in the `.so` stays hidden
 * (-fvisibility=hidden); a plugin never links against the host.
 *
 * Ownership rules (they hold for every huntkit header):
 *  1. Whoever allocates, frees.  Objects that change owner carry their own
 *     release callback (Arrow streams and arrays); host-allocated results
 *     are freed through the host's functions.  Never free() the other
 *     side's memory: host and plugin may use different allocators.
 *  2. Arguments passed into a call are *borrowed* for the duration of the
 *     call; copy anything you keep.
 *  3. Descriptors, parameter tables, vtables and the strings they point to
 *     must be static or live until the plugin's last `destroy`.
 *  4. Per-call outputs marked *valid until the next call* live until the
 *     next call on the same state or `destroy`, whichever comes first.
 *  5. Config values (hk_config) belong to the host and live as long as the
 *     instance or the run they were given for.
 *  6. No json_object*, CURL*, yaml_*, pcre2_code* or FILE* ever crosses the
 *     boundary.
 *  7. Each function's comment says which of "borrowed", "transfer" (the
 *     receiver must release) or "valid until the next call" applies.
 *
 * Threading: the host never calls one plugin state from two threads at once
 * unless the descriptor sets HK_PF_THREADSAFE.  Parallelism comes from
 * several instances or from the host's asynchronous services.  Plugins must
 * not call process-global initialisers (curl_global_init, setlocale, signal
 * handlers): the host does that before loading plugins.
 */
#ifndef HUNTKIT_PLUGIN_H
#define HUNTKIT_PLUGIN_H

#include <huntkit/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hk_host;

/* The four kinds of plugin (DESIGN.md). */
enum hk_kind {
  HK_KIND_PROVIDER = 1, /* gets data: query + options -> table stream */
  HK_KIND_ENRICHER = 2, /* looks observables up: IoC -> enrichment record */
  HK_KIND_ANALYZER = 3, /* transforms or scores: table stream -> table stream */
  HK_KIND_RENDERER = 4  /* shows a table: table stream -> bytes on a sink */
};

/* hk_plugin_desc.flags */
#define HK_PF_THREADSAFE (1u << 0) /* one state may be called concurrently */
#define HK_PF_NETWORK (1u << 1)    /* makes network requests */
#define HK_PF_SECRETS (1u << 2)    /* its config holds credentials */
#define HK_PF_STREAMING (1u << 3)  /* analyzer emits batch by batch */
/* ABI 1.1: an enricher that is a threat-intelligence source (reputation,
 * verdicts), as opposed to context such as geolocation: `huntkit ti`
 * asks every configured instance with this flag by default. */
#define HK_PF_TI (1u << 4)

/* Parameter value types (hk_param.type). */
enum hk_param_type {
  HK_PT_STRING = 1,
  HK_PT_INT = 2,      /* signed 64-bit integer */
  HK_PT_FLOAT = 3,    /* double */
  HK_PT_BOOL = 4,     /* true/false, yes/no, on/off, 1/0 */
  HK_PT_DURATION = 5, /* "250ms", "30s", "5m", "2h", "1d"; read as int ms */
  HK_PT_LIST = 6,     /* YAML sequence or comma-separated text */
  HK_PT_PATH = 7      /* a file or directory path; "~/" is expanded */
};

/* hk_param.flags */
#define HK_P_REQUIRED (1u << 0) /* a value must be given */
#define HK_P_SECRET (1u << 1)   /* never logged or shown; use ${env:..} */
#define HK_P_REST (1u << 2)     /* receives a pipeline stage's free text */

/*
 * hk_param -- one row of a parameter schema.  Arrays of hk_param end with a
 * row whose `name` is NULL.  This struct is used in arrays, so it is frozen
 * for the whole ABI major (no struct_size).
 *
 * The host validates every configured value against the schema before the
 * plugin sees it: unknown names, wrong types, values outside `choices` and
 * missing required values are refused with the file, line and key named.
 * With HK_P_REST, a pipeline stage's text that is not `key=value` (e.g. the
 * expression after `where`) is given to this parameter verbatim; at most
 * one parameter per schema may carry it.
 */
typedef struct hk_param {
  const char *name; /* [a-z][a-z0-9_]*, unique in the schema */
  uint32_t type;    /* enum hk_param_type */
  uint32_t flags;   /* HK_P_* */
  const char
      *default_value;  /* textual default, parsed like user input; or NULL */
  const char *choices; /* "skip|fail": allowed values, or NULL for any */
  const char *help;    /* one line, shown by `huntkit plugins inspect` */
} hk_param;

/* Opaque host handles.  Both are valid for the life of the instance (or of
 * the run they were given for) and are checked by the host on every use. */
typedef struct hk_instance hk_instance; /* one configured plugin instance */
typedef struct hk_config hk_config;     /* validated parameter values */

/*
 * hk_plugin_desc -- declarative description of one plugin.  The host reads
 * it without instantiating the plugin, so `huntkit plugins inspect` works
 * even when the plugin's configuration is incomplete.
 */
typedef struct hk_plugin_desc {
  uint32_t struct_size; /* sizeof(hk_plugin_desc) at plugin build time */
  uint16_t abi_major;   /* HK_ABI_MAJOR at plugin build time */
  uint16_t abi_minor;   /* HK_ABI_MINOR at plugin build time */
  const char *name;     /* [a-z][a-z0-9_]*, unique among loaded plugins */
  const char *version;  /* the plugin's own version, e.g. "1.2.0" */
  uint32_t kind;        /* enum hk_kind */
  uint32_t flags;       /* HK_PF_* */
  const char *summary;  /* one line: what it does */
  /* Entity / IoC types the plugin accepts (huntkit/ioc.h names),
   * NULL-terminated; NULL means "not applicable" (renderers, most
   * analyzers).  Enrichers only ever receive these types. */
  const char *const *entity_types;
  /* Instance configuration schema (the `config:` section of a conf.d file), or
   * NULL for none. */
  const hk_param *params;
  /* The kind's vtable: hk_provider_vt, hk_enricher_vt, hk_analyzer_vt or
   * hk_renderer_vt, itself size-prefixed. */
  const void *vtable;
} hk_plugin_desc;

/*
 * HK_VT_HEADER -- the members every vtable starts with.
 *
 * struct_size: sizeof the vtable at plugin build time.  Required.
 * options: schema of per-run options (a pipeline stage's `key=value`
 *   words, or a verb's flags), NULL-name terminated; NULL for none.  The
 *   host validates the options against it and passes the result to the
 *   kind's main function as `options`.
 * create: optional.  Make a state for one instance.  `inst` (borrowed; valid
 *   until destroy) identifies the instance to the host's services; `cfg`
 *   (borrowed; valid until destroy) is the validated instance config.  On
 *   success store the state (owned by the plugin) in *state and return
 *   HK_OK; on failure fill `err` (HK_E_CONFIG for config problems) and
 *   return its code.  NULL means the plugin keeps no state (state = NULL).
 *   Called on one thread; never concurrently with other calls on the same
 *   instance.
 * destroy: optional.  Free the state.  Called once, after every other call
 *   on the state has returned, and after every stream the state returned
 *   has been released.
 */
#define HK_VT_HEADER                                                           \
  uint32_t struct_size;                                                        \
  const hk_param *options;                                                     \
  int (*create)(const hk_instance *inst, const hk_config *cfg, void **state,   \
                hk_error *err);                                                \
  void (*destroy)(void *state)

/* Smallest descriptor the host accepts (ABI 1.0 layout). */
#define HK_DESC_MIN_SIZE                                                       \
  (offsetof(hk_plugin_desc, vtable) + sizeof(const void *))

/*
 * The entry point.  Called once per `.so`, on the loading thread, before any
 * other call.
 *   host:  the services table (borrowed; valid until the process exits).
 *          Keep the pointer: every service is reached through it.
 *   err:   filled when the plugin refuses to load (e.g. host too old).
 * Returns a NULL-terminated array of descriptors (static, owned by the
 * plugin), or NULL with `err` set.  Do no expensive work here: plugins load
 * lazily and start-up must stay in milliseconds.
 */
typedef const hk_plugin_desc *const *
hk_plugin_entry_fn(const struct hk_host *host, hk_error *err);

/* Name of the exported entry symbol; libltdl also finds the
 * `<module>_LTX_hk_plugin_entry` form used by preloaded static builds. */
#define HK_PLUGIN_ENTRY_SYMBOL "hk_plugin_entry"

/*
 * HK_PLUGIN_DEFINE(module, fn) -- export `fn` (an hk_plugin_entry_fn) as the
 * module's entry point.  `module` is the `.so` file's base name.
 */
#define HK_PLUGIN_DEFINE(module, fn)                                           \
  HK_EXPORT const hk_plugin_desc *const *module##_LTX_hk_plugin_entry(         \
      const struct hk_host *host, hk_error *err);                              \
  HK_EXPORT const hk_plugin_desc *const *module##_LTX_hk_plugin_entry(         \
      const struct hk_host *host, hk_error *err)                               \
  {                                                                            \
    return fn(host, err);                                                      \
  }

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_PLUGIN_H */
