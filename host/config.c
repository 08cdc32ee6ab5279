/*
 * host/config.c -- hk_config: validated values for one parameter schema.
 *
 * Values are checked when they are set (type, choices), so a plugin only
 * ever reads values that parse.  Defaults come from the schema and are
 * parsed when the config is created; the loader has already refused a
 * schema whose default does not parse (hk_loader_check_params), so a
 * default that fails here is skipped (the key reads as unset).
 *
 * Origins and the plugin name.  hk_config does not know which plugin it
 * belongs to, so the caller's `origin` carries it: an origin of the form
 * "LABEL (PLUGIN)" -- "conf.d/vt.yaml:7 (virustotal)", "stage 2 (where)"
 * -- names the plugin in the unknown-key message, which reads
 *   "LABEL: unknown key 'x' for PLUGIN (known keys: a, b)".
 * Every other message starts with the origin as given:
 *   "conf.d/vt.yaml:7 (virustotal): key 'n' must be an integer, got 'abc'".
 * Without a "(PLUGIN)" suffix the unknown-key message leaves "for PLUGIN"
 * out.
 *
 * References.  `${env:NAME}` and `${file:PATH}` anywhere in a value are
 * replaced by the variable's value or the file's contents (one trailing
 * newline stripped; at most HK_CONFIG_FILE_MAX bytes).  Other `${...}` text
 * is left alone.  Every value that came from a reference, and the whole
 * value of an HK_P_SECRET parameter, is registered with hk_log_add_secret
 * before anything can print it, and messages about such values show "***"
 * instead of the value.
 *
 * Setting a key twice keeps the last value (a hunt file's option can be
 * overridden on the command line).
 */
#include "config.h"

#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define HK_CONFIG_FILE_MAX (64 * 1024)

typedef struct slot {
  bool is_set;    /* the user gave a value */
  bool has_value; /* set, or a default parsed */
  bool secret;    /* the value must never be shown */
  char *text;     /* resolved text; list items joined with "," */
  int64_t i64;    /* INT, DURATION (ms), BOOL (0/1) */
  double f64;     /* FLOAT (and INT / DURATION converted) */
  char **items;   /* LIST items (NULL-terminated) */
  size_t n_items;
} slot;

struct hk_config {
  uint32_t magic;
  const hk_param *schema;
  size_t n;
  slot *slots;
};

/* -------------------------------------------------------------- helpers */

size_t
hk_param_count(const hk_param *schema)
{
  size_t n = 0;
  if (schema)
    while (schema[n].name)
      n++;
  return n;
}

const char *
hk_param_type_name(uint32_t type)
{
  switch (type) {
  case HK_PT_STRING:
    return "string";
  case HK_PT_INT:
    return "integer";
  case HK_PT_FLOAT:
    return "number";
  case HK_PT_BOOL:
    return "boolean";
  case HK_PT_DURATION:
    return "duration";
  case HK_PT_LIST:
    return "list";
  case HK_PT_PATH:
    return "path";
  default:
    return "unknown";
  }
}

/* Overwrite then free a string that may hold a secret. */
static void
free_text(char *s)
{
  if (s) {
    explicit_bzero(s, strlen(s));
    free(s);
  }
}

static void
slot_clear(slot *s)
{
  free_text(s->text);
  for (size_t i = 0; i < s->n_items; i++)
    free_text(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}

bool
hk_config_valid(const hk_config *cfg)
{
  return cfg != NULL && cfg->magic == HK_CONFIG_MAGIC;
}

static const char *
origin_or_default(const char *origin)
{
  return origin && origin[0] ? origin : "config";
}

int
hk_parse_bool_word(const char *s, int *out)
{
  static const char *const yes[] = {"yes", "true", "on", "1"};
  static const char *const no[] = {"no", "false", "off", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) {
      *out = 1;
      return 0;
    }
    if (strcasecmp(s, no[i]) == 0) {
      *out = 0;
      return 0;
    }
  }
  return -1;
}

char *
hk_expand_home(const char *path)
{
  if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
    return strdup(path);
  const char *home = getenv("HOME");
  if (home == NULL || home[0] == '\0') {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : "/";
  }
  size_t hl = strlen(home), rl = strlen(path + 1);
  char *out = malloc(hl + rl + 1);
  if (out) {
    memcpy(out, home, hl);
    memcpy(out + hl, path + 1, rl + 1);
  }
  return out;
}

int
hk_parse_duration_ms(const char *s, int64_t *out)
{
  if (s == NULL || !isdigit((unsigned char)s[0]))
    return HK_E_INVAL;
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno == ERANGE)
    return HK_E_INVAL;
  int64_t mult;
  if (*end == '\0' || strcmp(end, "ms") == 0)
    mult = 1;
  else if (strcmp(end, "s") == 0)
    mult = 1000;
  else if (strcmp(end, "m") == 0)
    mult = 60 * 1000;
  else if (strcmp(end, "h") == 0)
    mult = 3600 * 1000;
  else if (strcmp(end, "d") == 0)
    mult = 86400 * 1000;
  else
    return HK_E_INVAL;
  int64_t ms;
  if (__builtin_mul_overflow((int64_t)v, mult, &ms))
    return HK_E_INVAL;
  *out = ms;
  return HK_OK;
}

/* Parse `text` for parameter `p` into `s` (value fields only).  On failure
 * fill `err` with the reason (no prefix), showing `shown` as the value. */
static int
parse_scalar(const hk_param *p, const char *text, const char *shown, slot *s,
             hk_error *err)
{
  char *end;
  switch (p->type) {
  case HK_PT_STRING:
  case HK_PT_PATH:
  case HK_PT_LIST:
    return HK_OK;
  case HK_PT_INT: {
    /* strtoll would skip leading blanks; a value with them is refused. */
    long long v = 0;
    end = (char *)text;
    errno = 0;
    if (text[0] != '\0' && !isspace((unsigned char)text[0]))
      v = strtoll(text, &end, 10);
    if (end == text || *end != '\0')
      return hk_error_set(err, HK_E_CONFIG,
                          "key '%s' must be an integer, got '%s'", p->name,
                          shown);
    if (errno == ERANGE)
      return hk_error_set(err, HK_E_CONFIG,
                          "key '%s' must be an integer between %lld and %lld, "
                          "got '%s'",
                          p->name, (long long)INT64_MIN, (long long)INT64_MAX,
                          shown);
    s->i64 = v;
    s->f64 = (double)v;
    return HK_OK;
  }
  case HK_PT_FLOAT: {
    double v = 0;
    end = (char *)text;
    errno = 0;
    if (text[0] != '\0' && !isspace((unsigned char)text[0]))
      v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v) || errno == ERANGE)
      return hk_error_set(err, HK_E_CONFIG,
                          "key '%s' must be a number, got '%s'", p->name,
                          shown);
    s->f64 = v;
    return HK_OK;
  }
  case HK_PT_BOOL: {
    int b;
    if (hk_parse_bool_word(text, &b) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "key '%s' must be a boolean (true/false, yes/no, "
                          "on/off, 1/0), got '%s'",
                          p->name, shown);
    s->i64 = b;
    return HK_OK;
  }
  case HK_PT_DURATION: {
    int64_t ms;
    if (hk_parse_duration_ms(text, &ms) != HK_OK)
      return hk_error_set(err, HK_E_CONFIG,
                          "key '%s' must be a duration such as 250ms, 30s, "
                          "5m, 2h or 1d, got '%s'",
                          p->name, shown);
    s->i64 = ms;
    s->f64 = (double)ms;
    return HK_OK;
  }
  default:
    return hk_error_set(err, HK_E_CONFIG, "key '%s' has unknown type %u",
                        p->name, (unsigned)p->type);
  }
}

/* Is `value` one of the '|'-separated `choices`? */
static bool
in_choices(const char *choices, const char *value)
{
  size_t vl = strlen(value);
  for (const char *c = choices;;) {
    const char *bar = strchr(c, '|');
    size_t cl = bar ? (size_t)(bar - c) : strlen(c);
    if (cl == vl && memcmp(c, value, vl) == 0)
      return true;
    if (bar == NULL)
      return false;
    c = bar + 1;
  }
}

static int
check_choice(const hk_param *p, const char *value, const char *shown,
             hk_error *err)
{
  if (p->choices && !in_choices(p->choices, value))
    return hk_error_set(err, HK_E_CONFIG,
                        "key '%s' must be one of %s, got '%s'", p->name,
                        p->choices, shown);
  return HK_OK;
}

/* Split comma-separated text into trimmed, non-empty items. */
static int
split_list(const char *text, char ***items, size_t *n)
{
  *items = NULL;
  *n = 0;
  size_t cap = 1;
  for (const char *c = text; *c; c++)
    cap += *c == ',';
  char **v = calloc(cap + 1, sizeof *v);
  if (v == NULL)
    return HK_E_NOMEM;
  size_t k = 0;
  for (const char *c = text;;) {
    const char *comma = strchr(c, ',');
    const char *e = comma ? comma : c + strlen(c);
    const char *b = c;
    while (b < e && isspace((unsigned char)*b))
      b++;
    while (e > b && isspace((unsigned char)e[-1]))
      e--;
    if (e > b) {
      v[k] = strndup(b, (size_t)(e - b));
      if (v[k] == NULL) {
        for (size_t i = 0; i < k; i++)
          free(v[i]);
        free(v);
        return HK_E_NOMEM;
      }
      k++;
    }
    if (comma == NULL)
      break;
    c = comma + 1;
  }
  *items = v;
  *n = k;
  return HK_OK;
}

static char *
join_items(char *const *items, size_t n)
{
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(items[i]) + 1;
  char *out = malloc(len), *p = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(items[i]);
    if (i)
      *p++ = ',';
    memcpy(p, items[i], l);
    p += l;
  }
  *p = '\0';
  return out;
}

/* Fill `s` from `text` for parameter `p`: parse, check choices, split
 * lists, expand "~".  `shown` replaces the value in messages. */
static int
fill_slot(const hk_param *p, const char *text, const char *shown, slot *s,
          hk_error *err)
{
  slot n = {0};
  int rc = parse_scalar(p, text, shown, &n, err);
  if (rc != HK_OK)
    return rc;
  if (p->type == HK_PT_LIST) {
    if (split_list(text, &n.items, &n.n_items) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n.n_items; i++) {
      if ((rc = check_choice(p, n.items[i], s->secret ? "***" : n.items[i],
                             err)) != HK_OK) {
        slot_clear(&n);
        return rc;
      }
    }
    n.text = join_items(n.items, n.n_items);
  } else {
    if ((rc = check_choice(p, text, shown, err)) != HK_OK)
      return rc;
    n.text = p->type == HK_PT_PATH ? hk_expand_home(text) : strdup(text);
  }
  if (n.text == NULL) {
    slot_clear(&n);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  n.secret = s->secret;
  slot_clear(s);
  *s = n;
  s->has_value = true;
  return HK_OK;
}

int
hk_param_check_text(const hk_param *p, const char *text, hk_error *err)
{
  slot s = {0};
  int rc = fill_slot(p, text, text, &s, err);
  slot_clear(&s);
  return rc;
}

/* --------------------------------------------------------------- public */

hk_config *
hk_config_new(const hk_param *schema)
{
  hk_config *cfg = calloc(1, sizeof *cfg);
  if (cfg == NULL)
    return NULL;
  cfg->magic = HK_CONFIG_MAGIC;
  cfg->schema = schema;
  cfg->n = hk_param_count(schema);
  cfg->slots = calloc(cfg->n ? cfg->n : 1, sizeof *cfg->slots);
  if (cfg->slots == NULL) {
    free(cfg);
    return NULL;
  }
  for (size_t i = 0; i < cfg->n; i++) {
    const hk_param *p = &schema[i];
    cfg->slots[i].secret = (p->flags & HK_P_SECRET) != 0;
    if (p->default_value) {
      hk_error e;
      if (fill_slot(p, p->default_value, p->default_value, &cfg->slots[i],
                    &e) == HK_OK &&
          cfg->slots[i].secret)
        hk_log_add_secret(cfg->slots[i].text);
    }
  }
  return cfg;
}

void
hk_config_free(hk_config *cfg)
{
  if (cfg == NULL)
    return;
  for (size_t i = 0; i < cfg->n; i++)
    slot_clear(&cfg->slots[i]);
  free(cfg->slots);
  cfg->magic = 0;
  free(cfg);
}

const hk_param *
hk_config_schema(const hk_config *cfg)
{
  return hk_config_valid(cfg) ? cfg->schema : NULL;
}

const char *
hk_config_rest_param(const hk_config *cfg)
{
  if (!hk_config_valid(cfg))
    return NULL;
  for (size_t i = 0; i < cfg->n; i++)
    if (cfg->schema[i].flags & HK_P_REST)
      return cfg->schema[i].name;
  return NULL;
}

static ssize_t
find_key(const hk_config *cfg, const char *key)
{
  for (size_t i = 0; i < cfg->n; i++)
    if (strcmp(cfg->schema[i].name, key) == 0)
      return (ssize_t)i;
  return -1;
}

/* "LABEL (PLUGIN)" -> label length and plugin name; see the top comment. */
static void
split_origin(const char *origin, int *label_len, const char **plugin,
             int *plugin_len)
{
  size_t ol = strlen(origin);
  *label_len = (int)ol;
  *plugin = NULL;
  *plugin_len = 0;
  if (ol < 4 || origin[ol - 1] != ')')
    return;
  const char *open = strrchr(origin, '(');
  if (open == NULL || open == origin || open[-1] != ' ' ||
      open + 2 >= origin + ol)
    return;
  *label_len = (int)(open - 1 - origin);
  *plugin = open + 1;
  *plugin_len = (int)(origin + ol - 1 - *plugin);
}

static int
unknown_key(const hk_config *cfg, const char *key, const char *origin,
            hk_error *err)
{
  char known[HK_ERROR_MSG_MAX];
  size_t at = 0;
  known[0] = '\0';
  for (size_t i = 0; i < cfg->n && at < sizeof known; i++)
    at += (size_t)snprintf(known + at, sizeof known - at, "%s%s", i ? ", " : "",
                           cfg->schema[i].name);
  int label_len, plugin_len;
  const char *plugin;
  split_origin(origin, &label_len, &plugin, &plugin_len);
  if (plugin)
    return hk_error_set(
        err, HK_E_CONFIG, "%.*s: unknown key '%s' for %.*s (known keys: %s)",
        label_len, origin, key, plugin_len, plugin, cfg->n ? known : "none");
  return hk_error_set(err, HK_E_CONFIG, "%s: unknown key '%s' (known keys: %s)",
                      origin, key, cfg->n ? known : "none");
}

/* A growable string for reference resolution; wiped when freed because it
 * may hold a secret. */
typedef struct strbuf {
  char *data;
  size_t len, cap;
} strbuf;

static int
sb_append(strbuf *b, const char *p, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < b->len + n + 1)
      ncap *= 2;
    char *d = malloc(ncap);
    if (d == NULL)
      return HK_E_NOMEM;
    if (b->data) {
      memcpy(d, b->data, b->len);
      explicit_bzero(b->data, b->cap);
      free(b->data);
    }
    b->data = d;
    b->cap = ncap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return HK_OK;
}

static void
sb_wipe(strbuf *b)
{
  if (b->data) {
    explicit_bzero(b->data, b->cap);
    free(b->data);
  }
  memset(b, 0, sizeof *b);
}

/* Resolve ${env:NAME} and ${file:PATH} in `value` into a malloc'd string.
 * *from_ref is set when anything was substituted; each substituted value
 * is registered as a secret. */
static int
resolve_refs(const char *key, const char *value, const char *origin, char **out,
             bool *from_ref, hk_error *err)
{
  strbuf b = {0};
  const char *p = value;
  *out = NULL;
  *from_ref = false;
  int rc = HK_OK;
  for (;;) {
    const char *env = strstr(p, "${env:"), *file = strstr(p, "${file:");
    const char *ref = env && (!file || env < file) ? env : file;
    if (ref == NULL)
      break;
    bool is_env = ref == env;
    const char *name = ref + (is_env ? 6 : 7);
    const char *brace = strchr(name, '}');
    if (brace == NULL || brace == name) {
      rc = hk_error_set(err, HK_E_CONFIG,
                        "%s: key '%s': unterminated or empty reference "
                        "(write ${env:NAME} or ${file:PATH})",
                        origin, key);
      goto fail;
    }
    char *ref_name = strndup(name, (size_t)(brace - name));
    if (ref_name == NULL || sb_append(&b, p, (size_t)(ref - p)) != HK_OK) {
      free(ref_name);
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto fail;
    }
    if (is_env) {
      const char *v = getenv(ref_name);
      if (v == NULL) {
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s: key '%s': environment variable '%s' is not set "
                          "(referenced as ${env:%s})",
                          origin, key, ref_name, ref_name);
        free(ref_name);
        goto fail;
      }
      hk_log_add_secret(v);
      rc = sb_append(&b, v, strlen(v));
    } else {
      char *path = hk_expand_home(ref_name);
      char *data = NULL;
      size_t len = 0;
      int e = 0;
      int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
      struct stat st;
      if (fd < 0)
        e = path ? errno : ENOMEM;
      else if (fstat(fd, &st) != 0)
        e = errno;
      else if (!S_ISREG(st.st_mode))
        e = EISDIR;
      else if (st.st_size > HK_CONFIG_FILE_MAX)
        e = EFBIG;
      else if ((data = malloc((size_t)st.st_size + 1)) == NULL)
        e = ENOMEM;
      else {
        ssize_t r;
        while (len < (size_t)st.st_size &&
               (r = read(fd, data + len, (size_t)st.st_size - len)) != 0) {
          if (r < 0 && errno == EINTR)
            continue;
          if (r < 0) {
            e = errno;
            break;
          }
          len += (size_t)r;
        }
        data[len] = '\0';
      }
      if (fd >= 0)
        close(fd);
      free(path);
      if (e != 0) {
        if (e == EFBIG)
          rc = hk_error_set(err, HK_E_CONFIG,
                            "%s: key '%s': cannot read ${file:%s}: larger than "
                            "%d bytes",
                            origin, key, ref_name, HK_CONFIG_FILE_MAX);
        else
          rc = hk_error_set(err, HK_E_CONFIG,
                            "%s: key '%s': cannot read ${file:%s}: %s", origin,
                            key, ref_name,
                            e == EISDIR ? "not a regular file" : strerror(e));
        free_text(data);
        free(ref_name);
        goto fail;
      }
      if (len > 0 && data[len - 1] == '\n') {
        data[--len] = '\0';
        if (len > 0 && data[len - 1] == '\r')
          data[--len] = '\0';
      }
      if (memchr(data, '\0', len) != NULL) {
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s: key '%s': ${file:%s} holds a NUL byte (not "
                          "text)",
                          origin, key, ref_name);
        explicit_bzero(data, len);
        free(data);
        free(ref_name);
        goto fail;
      }
      hk_log_add_secret(data);
      rc = sb_append(&b, data, len);
      explicit_bzero(data, len);
      free(data);
    }
    free(ref_name);
    if (rc != HK_OK) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto fail;
    }
    *from_ref = true;
    p = brace + 1;
  }
  if (sb_append(&b, p, strlen(p)) != HK_OK) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }
  *out = b.data;
  return HK_OK;
fail:
  sb_wipe(&b);
  return rc;
}

int
hk_config_set_text(hk_config *cfg, const char *key, const char *value,
                   const char *origin, hk_error *err)
{
  origin = origin_or_default(origin);
  if (!hk_config_valid(cfg) || key == NULL || value == NULL)
    return hk_error_set(err, HK_E_INVAL, "%s: invalid config handle or key",
                        origin);
  ssize_t i = find_key(cfg, key);
  if (i < 0)
    return unknown_key(cfg, key, origin, err);
  const hk_param *p = &cfg->schema[i];
  slot *s = &cfg->slots[i];

  char *resolved;
  bool from_ref;
  int rc = resolve_refs(key, value, origin, &resolved, &from_ref, err);
  if (rc != HK_OK)
    return rc;
  bool secret = from_ref || (p->flags & HK_P_SECRET);
  if (secret)
    hk_log_add_secret(resolved);
  bool was_secret = s->secret;
  s->secret = secret || (p->flags & HK_P_SECRET);
  rc = fill_slot(p, resolved, secret ? "***" : resolved, s, err);
  free_text(resolved);
  if (rc != HK_OK) {
    s->secret = was_secret;
    hk_error_prefix(err, "%s: ", origin);
    hk_log_redact(err->msg, sizeof err->msg);
    return rc;
  }
  s->is_set = true;
  return HK_OK;
}

int
hk_config_set_list(hk_config *cfg, const char *key, const char *const *items,
                   size_t n, const char *origin, hk_error *err)
{
  origin = origin_or_default(origin);
  if (!hk_config_valid(cfg) || key == NULL || (items == NULL && n > 0))
    return hk_error_set(err, HK_E_INVAL, "%s: invalid config handle or key",
                        origin);
  ssize_t i = find_key(cfg, key);
  if (i < 0)
    return unknown_key(cfg, key, origin, err);
  const hk_param *p = &cfg->schema[i];
  if (p->type != HK_PT_LIST)
    return hk_error_set(err, HK_E_CONFIG,
                        "%s: key '%s' must be a single %s, not a list", origin,
                        key, hk_param_type_name(p->type));
  slot n_slot = {0};
  n_slot.items = calloc(n + 1, sizeof *n_slot.items);
  if (n_slot.items == NULL)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  bool secret = (p->flags & HK_P_SECRET) != 0;
  int rc = HK_OK;
  for (size_t k = 0; k < n; k++) {
    bool from_ref;
    rc = resolve_refs(key, items[k], origin, &n_slot.items[k], &from_ref, err);
    if (rc != HK_OK)
      break;
    n_slot.n_items++;
    bool item_secret = from_ref || secret;
    if (item_secret)
      hk_log_add_secret(n_slot.items[k]);
    if ((rc = check_choice(p, n_slot.items[k],
                           item_secret ? "***" : n_slot.items[k], err)) !=
        HK_OK) {
      hk_error_prefix(err, "%s: ", origin);
      break;
    }
    secret = secret || from_ref;
  }
  if (rc == HK_OK &&
      (n_slot.text = join_items(n_slot.items, n_slot.n_items)) == NULL)
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
  if (rc != HK_OK) {
    slot_clear(&n_slot);
    hk_log_redact(err->msg, sizeof err->msg);
    return rc;
  }
  slot_clear(&cfg->slots[i]);
  cfg->slots[i] = n_slot;
  cfg->slots[i].secret = secret;
  cfg->slots[i].is_set = true;
  cfg->slots[i].has_value = true;
  return HK_OK;
}

int
hk_config_check_required(const hk_config *cfg, const char *origin,
                         hk_error *err)
{
  origin = origin_or_default(origin);
  if (!hk_config_valid(cfg))
    return hk_error_set(err, HK_E_INVAL, "%s: invalid config handle", origin);
  for (size_t i = 0; i < cfg->n; i++)
    if ((cfg->schema[i].flags & HK_P_REQUIRED) && !cfg->slots[i].has_value)
      return hk_error_set(err, HK_E_CONFIG, "%s: missing required key '%s'",
                          origin, cfg->schema[i].name);
  return HK_OK;
}

/* -------------------------------------------------------------- getters */

/* The slot for a getter, or NULL after logging the plugin bug. */
static const slot *
getter_slot(const hk_config *cfg, const char *name, const hk_param **param,
            const char *what)
{
  if (!hk_config_valid(cfg)) {
    hk_log_msg(NULL, HK_LOG_ERROR,
               "plugin bug: config_%s called with an invalid config handle",
               what);
    return NULL;
  }
  ssize_t i = name ? find_key(cfg, name) : -1;
  if (i < 0) {
    hk_log_msg(NULL, HK_LOG_ERROR,
               "plugin bug: config_%s('%s'): no such key in the plugin's "
               "schema",
               what, name ? name : "(null)");
    return NULL;
  }
  *param = &cfg->schema[i];
  return &cfg->slots[i];
}

int
hk_config_is_set(const hk_config *cfg, const char *name)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "is_set");
  return s ? s->is_set : 0;
}

const char *
hk_config_get_string(const hk_config *cfg, const char *name)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "get_string");
  return s && s->has_value ? s->text : NULL;
}

static int
wrong_type(const hk_param *p, const char *what)
{
  hk_log_msg(NULL, HK_LOG_ERROR,
             "plugin bug: config_%s('%s') on a %s parameter", what, p->name,
             hk_param_type_name(p->type));
  return HK_E_INVAL;
}

int
hk_config_get_int(const hk_config *cfg, const char *name, int64_t *out)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "get_int");
  if (s == NULL)
    return HK_E_NOTFOUND;
  if (p->type != HK_PT_INT && p->type != HK_PT_DURATION)
    return wrong_type(p, "get_int");
  if (!s->has_value)
    return HK_E_NOTFOUND;
  *out = s->i64;
  return HK_OK;
}

int
hk_config_get_float(const hk_config *cfg, const char *name, double *out)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "get_float");
  if (s == NULL)
    return HK_E_NOTFOUND;
  if (p->type != HK_PT_FLOAT && p->type != HK_PT_INT &&
      p->type != HK_PT_DURATION)
    return wrong_type(p, "get_float");
  if (!s->has_value)
    return HK_E_NOTFOUND;
  *out = s->f64;
  return HK_OK;
}

int
hk_config_get_bool(const hk_config *cfg, const char *name, int *out)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "get_bool");
  if (s == NULL)
    return HK_E_NOTFOUND;
  if (p->type != HK_PT_BOOL)
    return wrong_type(p, "get_bool");
  if (!s->has_value)
    return HK_E_NOTFOUND;
  *out = (int)s->i64;
  return HK_OK;
}

size_t
hk_config_get_list(const hk_config *cfg, const char *name,
                   const char *const **items)
{
  const hk_param *p;
  const slot *s = getter_slot(cfg, name, &p, "get_list");
  if (items)
    *items = NULL;
  if (s == NULL)
    return 0;
  if (p->type != HK_PT_LIST) {
    wrong_type(p, "get_list");
    return 0;
  }
  if (!s->has_value || s->n_items == 0)
    return 0;
  if (items)
    *items = (const char *const *)s->items;
  return s->n_items;
}
