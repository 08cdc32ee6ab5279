/*
 * plugins/cmdline/cmd_rules.c -- the rule file: YAML (libyaml) into
 * compiled PCRE2 patterns.  Two layouts load: huntkit's own
 * (conf/cmdline_rules.yaml: `rules:` with id, name, techniques, severity,
 * platform, description, patterns) and MSTICPy's JSON
 * ({"Syslog": ["regex", ...]}), which YAML reads as well.  Included by
 * cmdline.c and by the white-box test, so everything here is static.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <huntkit/abi.h>
#include <huntkit/buf.h>

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum cmd_severity {
  CMD_SEV_INFORMATIONAL = 0,
  CMD_SEV_LOW = 1,
  CMD_SEV_MEDIUM = 2,
  CMD_SEV_HIGH = 3
};

static const char *const cmd_severity_names[] = {"informational", "low",
                                                 "medium", "high"};

typedef struct cmd_rule {
  char *id;
  char *name;
  char *description; /* "" when the file gives none */
  char *techniques;  /* "T1059.001,T1027" */
  char *platform;    /* "windows", "linux", "any", or an MSTICPy log type */
  int severity;      /* enum cmd_severity */
  size_t npat;
  pcre2_code **pat;
  uint8_t *jit; /* per pattern: JIT-compiled (pcre2_jit_match may be used) */
  unsigned long line; /* where the rule starts in the file, 1-based */
} cmd_rule;

typedef struct cmd_rules {
  cmd_rule *rule;
  size_t n, cap;
} cmd_rules;

/* What the loader needs to say where a problem is. */
typedef struct cmd_load {
  const char *path; /* for messages */
  char *errbuf;
  size_t errcap;
  yaml_document_t *doc;
} cmd_load;

static void
cmd_rule_clear(cmd_rule *r)
{
  free(r->id);
  free(r->name);
  free(r->description);
  free(r->techniques);
  free(r->platform);
  for (size_t i = 0; i < r->npat; i++)
    pcre2_code_free(r->pat[i]);
  free(r->pat);
  free(r->jit);
  memset(r, 0, sizeof *r);
}

static void
cmd_rules_free(cmd_rules *rs)
{
  for (size_t i = 0; i < rs->n; i++)
    cmd_rule_clear(&rs->rule[i]);
  free(rs->rule);
  memset(rs, 0, sizeof *rs);
}

static int cmd_load_error(cmd_load *ld, const yaml_node_t *at, const char *fmt,
                          ...) HK_PRINTF(3, 4);

static int
cmd_load_error(cmd_load *ld, const yaml_node_t *at, const char *fmt, ...)
{
  va_list ap;
  int n = snprintf(ld->errbuf, ld->errcap, "%s:%lu: ", ld->path,
                   at ? (unsigned long)at->start_mark.line + 1 : 1ul);
  if (n < 0 || (size_t)n >= ld->errcap)
    return HK_E_CONFIG;
  va_start(ap, fmt);
  vsnprintf(ld->errbuf + n, ld->errcap - (size_t)n, fmt, ap);
  va_end(ap);
  return HK_E_CONFIG;
}

static const char *
cmd_scalar(const yaml_node_t *n)
{
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                          : NULL;
}

static const char *
cmd_node_kind(const yaml_node_t *n)
{
  if (!n)
    return "nothing";
  switch (n->type) {
  case YAML_SCALAR_NODE:
    return "a scalar";
  case YAML_SEQUENCE_NODE:
    return "a list";
  case YAML_MAPPING_NODE:
    return "a mapping";
  default:
    return "nothing";
  }
}

/* Compile one pattern: case-insensitive, on bytes, JIT when the CPU has
 * it (the interpreter gives the same answers, only slower). */
static int
cmd_compile(cmd_load *ld, const yaml_node_t *at, cmd_rule *r, const char *re)
{
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_code *code;
  pcre2_code **grown;
  uint8_t *grown_jit;
  int jit;

  code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                       &errcode, &erroff, NULL);
  if (!code) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(errcode, msg, sizeof msg);
    return cmd_load_error(ld, at,
                          "rule '%s': pattern %zu does not compile at "
                          "offset %zu: %s",
                          r->id ? r->id : "?", r->npat + 1, (size_t)erroff,
                          (const char *)msg);
  }
  jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  grown = realloc(r->pat, (r->npat + 1) * sizeof *grown);
  if (grown)
    r->pat = grown;
  grown_jit = grown ? realloc(r->jit, r->npat + 1) : NULL;
  if (!grown || !grown_jit) {
    pcre2_code_free(code);
    snprintf(ld->errbuf, ld->errcap, "out of memory");
    return HK_E_NOMEM;
  }
  r->jit = grown_jit;
  r->jit[r->npat] = (uint8_t)jit;
  r->pat[r->npat++] = code;
  return HK_OK;
}

static cmd_rule *
cmd_rules_push(cmd_rules *rs)
{
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? rs->cap * 2 : 64;
    cmd_rule *p = realloc(rs->rule, cap * sizeof *p);
    if (!p)
      return NULL;
    rs->rule = p;
    rs->cap = cap;
  }
  memset(&rs->rule[rs->n], 0, sizeof rs->rule[rs->n]);
  return &rs->rule[rs->n++];
}

static int
cmd_valid_id(const char *s)
{
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
          *s == '_' || *s == '.' || *s == '-'))
      return 0;
  return 1;
}

/* T1234 or T1234.001 */
static int
cmd_valid_technique(const char *s)
{
  if (s[0] != 'T')
    return 0;
  for (int i = 1; i <= 4; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  if (s[5] == '\0')
    return 1;
  return s[5] == '.' && isdigit((unsigned char)s[6]) &&
         isdigit((unsigned char)s[7]) && isdigit((unsigned char)s[8]) &&
         s[9] == '\0';
}

static char *
cmd_strdup(cmd_load *ld, const char *s)
{
  char *p = strdup(s);
  if (!p)
    snprintf(ld->errbuf, ld->errcap, "out of memory");
  return p;
}

static int
cmd_parse_techniques(cmd_load *ld, cmd_rule *r, const yaml_node_t *v)
{
  hk_buf b = HK_BUF_INIT;
  if (v->type == YAML_SCALAR_NODE) {
    /* a single technique written without brackets */
    const char *s = cmd_scalar(v);
    if (!cmd_valid_technique(s))
      return cmd_load_error(ld, v,
                            "rule '%s': techniques: '%s' is not an ATT&CK "
                            "technique id (T1234 or T1234.001)",
                            r->id, s);
    r->techniques = cmd_strdup(ld, s);
    return r->techniques ? HK_OK : HK_E_NOMEM;
  }
  if (v->type != YAML_SEQUENCE_NODE)
    return cmd_load_error(ld, v,
                          "rule '%s': techniques: expected a list such as "
                          "[T1059.001, T1027], got %s",
                          r->id, cmd_node_kind(v));
  for (yaml_node_item_t *it = v->data.sequence.items.start;
       it < v->data.sequence.items.top; it++) {
    const yaml_node_t *t = yaml_document_get_node(ld->doc, *it);
    const char *s = cmd_scalar(t);
    if (!s || !cmd_valid_technique(s)) {
      hk_buf_free(&b);
      return cmd_load_error(ld, t ? t : v,
                            "rule '%s': techniques: '%s' is not an ATT&CK "
                            "technique id (T1234 or T1234.001)",
                            r->id, s ? s : cmd_node_kind(t));
    }
    hk_buf_appendf(&b, "%s%s", b.len ? "," : "", s);
  }
  if (!b.len)
    return cmd_load_error(ld, v, "rule '%s': techniques: the list is empty",
                          r->id);
  r->techniques = hk_buf_detach(&b, NULL);
  if (!r->techniques) {
    snprintf(ld->errbuf, ld->errcap, "out of memory");
    return HK_E_NOMEM;
  }
  return HK_OK;
}

static int
cmd_parse_patterns(cmd_load *ld, cmd_rule *r, const yaml_node_t *v)
{
  if (v->type == YAML_SCALAR_NODE)
    return cmd_compile(ld, v, r, cmd_scalar(v));
  if (v->type != YAML_SEQUENCE_NODE)
    return cmd_load_error(ld, v,
                          "rule '%s': patterns: expected a list of regular "
                          "expressions, got %s",
                          r->id, cmd_node_kind(v));
  for (yaml_node_item_t *it = v->data.sequence.items.start;
       it < v->data.sequence.items.top; it++) {
    const yaml_node_t *p = yaml_document_get_node(ld->doc, *it);
    const char *s = cmd_scalar(p);
    int rc;
    if (!s || !*s)
      return cmd_load_error(ld, p ? p : v,
                            "rule '%s': patterns: item %zu is %s, expected a "
                            "regular expression",
                            r->id, r->npat + 1, s ? "empty" : cmd_node_kind(p));
    if ((rc = cmd_compile(ld, p, r, s)) != HK_OK)
      return rc;
  }
  if (!r->npat)
    return cmd_load_error(ld, v, "rule '%s': patterns: the list is empty",
                          r->id);
  return HK_OK;
}

/* Field `key` of a mapping node, or NULL. */
static const yaml_node_t *
cmd_map_get(cmd_load *ld, const yaml_node_t *map, const char *key)
{
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    const char *k = cmd_scalar(yaml_document_get_node(ld->doc, p->key));
    if (k && strcmp(k, key) == 0)
      return yaml_document_get_node(ld->doc, p->value);
  }
  return NULL;
}

static int
cmd_text_field(cmd_load *ld, cmd_rule *r, const yaml_node_t *map,
               const char *key, int required, char **out)
{
  const yaml_node_t *v = cmd_map_get(ld, map, key);
  const char *s = cmd_scalar(v);
  if (!v) {
    if (required)
      return cmd_load_error(ld, map, "rule '%s': missing field '%s'",
                            r->id ? r->id : "?", key);
    *out = cmd_strdup(ld, "");
    return *out ? HK_OK : HK_E_NOMEM;
  }
  if (!s || (required && !*s))
    return cmd_load_error(ld, v, "rule '%s': %s: expected text, got %s",
                          r->id ? r->id : "?", key,
                          s ? "an empty value" : cmd_node_kind(v));
  *out = cmd_strdup(ld, s);
  return *out ? HK_OK : HK_E_NOMEM;
}

static int
cmd_parse_rule(cmd_load *ld, cmd_rules *rs, const yaml_node_t *m)
{
  static const char *const known[] = {"id",       "name",     "techniques",
                                      "severity", "platform", "description",
                                      "patterns", NULL};
  const yaml_node_t *v;
  const char *s;
  cmd_rule *r;
  int rc;

  if (m->type != YAML_MAPPING_NODE)
    return cmd_load_error(ld, m,
                          "rules: each item must be a mapping with "
                          "id, name, techniques, severity, patterns");
  /* A misspelt key would silently drop a field: refuse it. */
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
       p < m->data.mapping.pairs.top; p++) {
    const yaml_node_t *kn = yaml_document_get_node(ld->doc, p->key);
    const char *k = cmd_scalar(kn);
    int ok = 0;
    for (int i = 0; k && known[i]; i++)
      ok |= strcmp(k, known[i]) == 0;
    if (!ok)
      return cmd_load_error(ld, kn ? kn : m,
                            "unknown rule field '%s' (fields: id, name, "
                            "techniques, severity, platform, description, "
                            "patterns)",
                            k ? k : cmd_node_kind(kn));
  }
  if (!(r = cmd_rules_push(rs))) {
    snprintf(ld->errbuf, ld->errcap, "out of memory");
    return HK_E_NOMEM;
  }
  r->line = (unsigned long)m->start_mark.line + 1;
  if ((rc = cmd_text_field(ld, r, m, "id", 1, &r->id)) != HK_OK)
    return rc;
  if (!cmd_valid_id(r->id))
    return cmd_load_error(ld, cmd_map_get(ld, m, "id"),
                          "rule id '%s' must match [a-z0-9_.-]+", r->id);
  for (size_t i = 0; i + 1 < rs->n; i++)
    if (strcmp(rs->rule[i].id, r->id) == 0)
      return cmd_load_error(ld, m,
                            "rule id '%s' is used twice (first at line %lu)",
                            r->id, rs->rule[i].line);
  if ((rc = cmd_text_field(ld, r, m, "name", 1, &r->name)) != HK_OK ||
      (rc = cmd_text_field(ld, r, m, "description", 0, &r->description)) !=
          HK_OK)
    return rc;
  if (!(v = cmd_map_get(ld, m, "techniques")))
    return cmd_load_error(ld, m, "rule '%s': missing field 'techniques'",
                          r->id);
  if ((rc = cmd_parse_techniques(ld, r, v)) != HK_OK)
    return rc;
  if (!(v = cmd_map_get(ld, m, "severity")))
    return cmd_load_error(ld, m, "rule '%s': missing field 'severity'", r->id);
  s = cmd_scalar(v);
  r->severity = -1;
  for (int i = 0; s && i < 4; i++)
    if (strcmp(s, cmd_severity_names[i]) == 0)
      r->severity = i;
  if (r->severity < 0)
    return cmd_load_error(ld, v,
                          "rule '%s': severity: expected informational, low, "
                          "medium or high, got '%s'",
                          r->id, s ? s : cmd_node_kind(v));
  v = cmd_map_get(ld, m, "platform");
  s = v ? cmd_scalar(v) : "any";
  if (!s || (strcmp(s, "windows") && strcmp(s, "linux") && strcmp(s, "any")))
    return cmd_load_error(ld, v,
                          "rule '%s': platform: expected windows, linux or "
                          "any, got '%s'",
                          r->id, s ? s : cmd_node_kind(v));
  if (!(r->platform = cmd_strdup(ld, s)))
    return HK_E_NOMEM;
  if (!(v = cmd_map_get(ld, m, "patterns")))
    return cmd_load_error(ld, m, "rule '%s': missing field 'patterns'", r->id);
  return cmd_parse_patterns(ld, r, v);
}

/* MSTICPy's layout: every key is a log type holding a list of regexes.
 * Rules become "<logtype>.<n>", platform = the log type. */
static int
cmd_parse_msticpy(cmd_load *ld, cmd_rules *rs, const yaml_node_t *root)
{
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
       p < root->data.mapping.pairs.top; p++) {
    const yaml_node_t *kn = yaml_document_get_node(ld->doc, p->key);
    const yaml_node_t *vn = yaml_document_get_node(ld->doc, p->value);
    const char *k = cmd_scalar(kn);
    size_t i = 0;
    if (!k || !vn || vn->type != YAML_SEQUENCE_NODE)
      return cmd_load_error(ld, kn ? kn : root,
                            "expected 'rules:' (huntkit) or log types mapping "
                            "to lists of regular expressions (MSTICPy), got "
                            "'%s' with %s",
                            k ? k : "?", cmd_node_kind(vn));
    for (yaml_node_item_t *it = vn->data.sequence.items.start;
         it < vn->data.sequence.items.top; it++, i++) {
      const yaml_node_t *pn = yaml_document_get_node(ld->doc, *it);
      const char *re = cmd_scalar(pn);
      cmd_rule *r;
      hk_buf id = HK_BUF_INIT;
      int rc;
      if (!re)
        return cmd_load_error(ld, pn ? pn : vn,
                              "%s: item %zu is %s, expected a regular "
                              "expression",
                              k, i + 1, cmd_node_kind(pn));
      if (!(r = cmd_rules_push(rs))) {
        snprintf(ld->errbuf, ld->errcap, "out of memory");
        return HK_E_NOMEM;
      }
      r->line = (unsigned long)pn->start_mark.line + 1;
      hk_buf_appendf(&id, "%s.%zu", k, i + 1);
      r->id = hk_buf_detach(&id, NULL);
      r->name = strdup(re);
      r->description = strdup("");
      r->techniques = strdup("");
      r->platform = strdup(k);
      r->severity = CMD_SEV_MEDIUM;
      if (!r->id || !r->name || !r->description || !r->techniques ||
          !r->platform) {
        snprintf(ld->errbuf, ld->errcap, "out of memory");
        return HK_E_NOMEM;
      }
      if ((rc = cmd_compile(ld, pn, r, re)) != HK_OK)
        return rc;
    }
  }
  return HK_OK;
}

static int
cmd_parse_document(cmd_load *ld, cmd_rules *rs)
{
  const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
  const yaml_node_t *rules;

  if (!root)
    return cmd_load_error(ld, NULL, "the file is empty: expected 'rules:'");
  if (root->type != YAML_MAPPING_NODE)
    return cmd_load_error(ld, root, "expected a mapping with 'rules:', got %s",
                          cmd_node_kind(root));
  rules = cmd_map_get(ld, root, "rules");
  if (!rules)
    return cmd_parse_msticpy(ld, rs, root);
  if (rules->type != YAML_SEQUENCE_NODE)
    return cmd_load_error(ld, rules, "rules: expected a list, got %s",
                          cmd_node_kind(rules));
  for (yaml_node_item_t *it = rules->data.sequence.items.start;
       it < rules->data.sequence.items.top; it++) {
    int rc = cmd_parse_rule(ld, rs, yaml_document_get_node(ld->doc, *it));
    if (rc != HK_OK)
      return rc;
  }
  if (!rs->n)
    return cmd_load_error(ld, rules, "rules: the list is empty");
  return HK_OK;
}

/* Parse `len` bytes of YAML named `path` (for messages).  On failure
 * `errbuf` says where and why and `rs` is left empty. */
static int
cmd_rules_load_text(cmd_rules *rs, const char *path, const char *text,
                    size_t len, char *errbuf, size_t errcap)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  cmd_load ld = {path, errbuf, errcap, &doc};
  int rc;

  memset(rs, 0, sizeof *rs);
  if (!yaml_parser_initialize(&parser)) {
    snprintf(errbuf, errcap, "out of memory");
    return HK_E_NOMEM;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(errbuf, errcap, "%s:%lu:%lu: not valid YAML: %s%s%s", path,
             (unsigned long)parser.problem_mark.line + 1,
             (unsigned long)parser.problem_mark.column + 1,
             parser.problem ? parser.problem : "syntax error",
             parser.context ? " " : "", parser.context ? parser.context : "");
    yaml_parser_delete(&parser);
    return HK_E_CONFIG;
  }
  rc = cmd_parse_document(&ld, rs);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  if (rc != HK_OK)
    cmd_rules_free(rs);
  return rc;
}

/* Read and parse the rule file at `path`.  HK_E_NOTFOUND when it does not
 * exist (the caller may try the next place). */
static int
cmd_rules_load_file(cmd_rules *rs, const char *path, char *errbuf,
                    size_t errcap)
{
  FILE *f = fopen(path, "rb");
  hk_buf text = HK_BUF_INIT;
  char chunk[16384];
  size_t n;
  int rc;

  memset(rs, 0, sizeof *rs);
  if (!f) {
    snprintf(errbuf, errcap, "%.400s: %s", path, strerror(errno));
    return errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO;
  }
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (hk_buf_append(&text, chunk, n) != HK_OK) {
      fclose(f);
      hk_buf_free(&text);
      snprintf(errbuf, errcap, "out of memory");
      return HK_E_NOMEM;
    }
  }
  if (ferror(f)) {
    snprintf(errbuf, errcap, "%.400s: read error: %s", path, strerror(errno));
    fclose(f);
    hk_buf_free(&text);
    return HK_E_IO;
  }
  fclose(f);
  rc = cmd_rules_load_text(rs, path, text.data ? text.data : "", text.len,
                           errbuf, errcap);
  hk_buf_free(&text);
  return rc;
}
