/*
 * plugins/ti_feed/ti_feed_internal.h -- shared declarations of the
 * `ti_feed` enricher: the indicator store (ti_feed_store.c), the list
 * readers (ti_feed_load.c, ti_feed_misp.c) and the enricher itself
 * (ti_feed.c).
 *
 * Keys.  An indicator is stored under (class, normalised value), where the
 * class merges the types that name the same thing:
 *   'I' ip      ipv4/ipv6: the address bytes and a prefix length, so every
 *               spelling meets (and a CIDR entry covers its addresses)
 *   'D' dns     dns/hostname/domain: lower case, no trailing dot
 *   'U' url     scheme and host lower case, empty path as "/", rest as given
 *   'H' hash    md5/sha1/sha256: lower-case hex (the length tells them apart)
 *   'E' email   lower case
 *   'W' windows_path  lower case (Windows paths ignore case)
 *   'L' linux_path    as given
 *   'O' other   the type name, a NUL, the value as given
 * With `refang` (the default) "[.]", "(.)", "[dot]", "[@]", "[at]",
 * "[:]", "[://]", "hxxp", "fxp" are undone in ip, dns, url and email values
 * on both sides.
 */
#ifndef HK_TI_FEED_INTERNAL_H
#define HK_TI_FEED_INTERNAL_H

#include <huntkit/huntkit.h>

#include <stddef.h>
#include <stdint.h>

extern const hk_host *hk_tf_host;

#define TF_NONE UINT32_MAX

enum hk_tf_class {
  TF_C_IP = 'I',
  TF_C_DNS = 'D',
  TF_C_URL = 'U',
  TF_C_HASH = 'H',
  TF_C_EMAIL = 'E',
  TF_C_WINPATH = 'W',
  TF_C_LINPATH = 'L',
  TF_C_OTHER = 'O'
};

/* One list file (or MISP event file). */
typedef struct hk_tf_list {
  char *path; /* as found (after glob expansion) */
  char *name; /* shown in the `list` column: base name, or feed/event.json */
} hk_tf_list;

/* One indicator from one line of one list.  Strings are offsets into the
 * store's arena (TF_NONE: absent). */
typedef struct hk_tf_entry {
  uint32_t list;
  uint32_t line; /* 1-based line in the file; 0 when not line-based */
  int32_t severity;
  uint32_t key_len;
  size_t key;    /* offset of the key bytes */
  size_t type;   /* type as written in the list (or inferred) */
  size_t value;  /* value as written in the list */
  size_t desc;   /* description, or TF_NONE */
  size_t extra;  /* JSON object members for the raw answer, or TF_NONE */
  uint32_t next; /* next entry with the same key, or TF_NONE */
  uint32_t tail; /* in a chain's head: its last entry */
} hk_tf_entry;

typedef struct hk_tf_store {
  char *arena;
  size_t arena_len, arena_cap;
  hk_tf_entry *entries;
  size_t n_entries, cap_entries;
  uint32_t *slots; /* first entry of a key + 1; 0 empty */
  size_t n_slots;
  hk_tf_list *lists;
  size_t n_lists;
  /* Prefix lengths used by CIDR entries, so a lookup probes only those. */
  uint8_t v4_prefixes[33], v6_prefixes[129];
  int has_networks;
} hk_tf_store;

/* How the readers turn a row into an indicator (instance config). */
typedef struct hk_tf_opts {
  const char *value_column, *type_column, *desc_column, *severity_column;
  int type_column_set, desc_column_set, severity_column_set;
  char delimiter; /* 0: by extension (',' or '\t') */
  int header;
  const char *default_type; /* NULL: classify each value */
  int default_severity;
  int refang;
  int skip_errors; /* on_error: skip */
  int misp_to_ids_only;
  const hk_instance *inst;
} hk_tf_opts;

/* Where the readers are and what went wrong: malformed rows are counted
 * and, with on_error: skip, the first few are logged. */
typedef struct hk_tf_reader {
  hk_tf_store *store;
  const hk_tf_opts *opts;
  uint32_t list;
  const char *path;
  size_t n_added, n_bad, n_ignored;
} hk_tf_reader;

/* ti_feed_store.c */
void hk_tf_store_free(hk_tf_store *st);
int hk_tf_store_add_list(hk_tf_store *st, const char *path, const char *name,
                         uint32_t *index);
size_t hk_tf_store_intern(hk_tf_store *st, const char *s, size_t len);
static inline const char *
hk_tf_str(const hk_tf_store *st, size_t off)
{
  return off == TF_NONE ? NULL : st->arena + off;
}
/* Add one indicator: `type_name` (NULL/empty: classify `value`), `value`
 * as written.  Returns HK_OK, HK_E_INVAL with `why` set (malformed: the
 * caller reports it with file and line) or HK_E_NOMEM. */
int hk_tf_store_add(hk_tf_reader *r, uint32_t line, const char *type_name,
                    size_t type_len, const char *value, size_t value_len,
                    const char *desc, size_t desc_len, int severity,
                    const char *extra_json, char *why, size_t why_cap);
/* The class of a type name (list side: many spellings; lookup side:
 * huntkit/ioc.h names), or 0 when the value decides ("path"). */
int hk_tf_class_of_type(const char *type, size_t len);
/* Normalise `value` of `cls` into `key` (class byte first).  HK_OK, or
 * HK_E_INVAL with `why` set.  For ip, *prefix gets the prefix length. */
int hk_tf_make_key(int cls, const char *type, size_t type_len,
                   const char *value, size_t len, int refang, hk_buf *key,
                   char *why, size_t why_cap);
/* First entry for an exact key, or TF_NONE. */
uint32_t hk_tf_store_find(const hk_tf_store *st, const char *key, size_t len);
/* Severity from a name ("high", "Medium", ...): 1 and *out set, or 0. */
int hk_tf_parse_severity(const char *s, size_t len, int *out);
const char *hk_tf_severity_name(int severity);

/* ti_feed_load.c: read one configured path (file, glob match or MISP
 * feed directory).  HK_OK, or a failure with `err` naming the file. */
int hk_tf_load_path(hk_tf_store *st, const hk_tf_opts *opts,
                    const char *pattern, const char *format, hk_error *err);
/* Report a malformed row: counts it, fails (err set) unless skipping. */
int hk_tf_reader_bad(hk_tf_reader *r, uint32_t line, const char *what,
                     hk_error *err);
void hk_tf_reader_finish(hk_tf_reader *r);

/* ti_feed_misp.c: a MISP feed directory (manifest.json + <uuid>.json). */
int hk_tf_load_misp(hk_tf_store *st, const hk_tf_opts *opts, const char *dir,
                    hk_error *err);

#endif /* HK_TI_FEED_INTERNAL_H */
