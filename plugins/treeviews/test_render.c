/*
 * plugins/treeviews/test_render.c -- white-box tests of tree_text and dot
 * on small hand-made trees (the plugin source is included; a fake host
 * and a memory sink stand in for the CLI).
 */
#include "treeviews.c"

#include "tap.h"

static void unused_plan(void) __attribute__((unused));
static void
unused_plan(void)
{
  plan(0);
}

struct hk_config {
  const char *kv[8][2];
};

static const hk_param *fk_schema = tv_text_options;

static const char *
fk_get(const hk_config *c, const char *name)
{
  for (int i = 0; c && i < 8 && c->kv[i][0]; i++)
    if (strcmp(c->kv[i][0], name) == 0)
      return c->kv[i][1];
  for (const hk_param *p = fk_schema; p->name; p++)
    if (strcmp(p->name, name) == 0)
      return p->default_value;
  return NULL;
}
static int
fk_get_int(const hk_config *c, const char *name, int64_t *out)
{
  const char *v = fk_get(c, name);
  if (!v)
    return HK_E_NOTFOUND;
  *out = strtoll(v, NULL, 10);
  return HK_OK;
}
static size_t
fk_get_list(const hk_config *c, const char *name, const char *const **items)
{
  static const char *one[1];
  one[0] = fk_get(c, name);
  *items = one;
  return one[0] ? 1 : 0;
}

static hk_host fake_host = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .config_get_string = fk_get,
    .config_get_int = fk_get_int,
    .config_get_list = fk_get_list,
};

static int
mem_write(void *ud, const void *buf, size_t len)
{
  return hk_buf_append(ud, buf, len);
}

/* A small tree: a -> (b -> d, c); e has a missing parent; x and y point
 * at each other. */
static void
tree_stream(struct ArrowArrayStream *s)
{
  static const char *const rows[][5] = {
      {"a", "", "C:\\Windows\\a.exe", "0x1", "a.exe /x \"q\""},
      {"b", "a", "C:\\Windows\\b.exe", "0x2", ""},
      {"c", "a", "C:\\Windows\\c.exe", "0x3", "c.exe\nsecond line"},
      {"d", "b", "C:\\Windows\\d.exe", "0x4", ""},
      {"e", "zzz", "C:\\Windows\\e.exe", "0x5", ""},
      {"x", "y", "x.exe", "0x6", ""},
      {"y", "x", "y.exe", "0x7", ""},
  };
  static const char *const names[] = {"proc_key", "parent_key",
                                      "NewProcessName", "NewProcessId",
                                      "CommandLine"};
  hk_table_builder *b = hk_table_builder_new();
  for (int c = 0; c < 5; c++)
    hk_table_builder_add_column(b, names[c], HK_COL_UTF8);
  hk_table_builder_add_column(b, "IsSynthetic", HK_COL_BOOL);
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    for (int c = 0; c < 5; c++) {
      if (!*rows[r][c])
        hk_table_builder_append_null(b, (size_t)c);
      else
        hk_table_builder_append_utf8(b, (size_t)c, rows[r][c],
                                     strlen(rows[r][c]));
    }
    hk_table_builder_append_bool(b, 5, r == 4);
  }
  struct ArrowSchema schema;
  struct ArrowArray a;
  hk_table_builder_export_schema(b, &schema, NULL);
  hk_table_builder_finish_batch(b, &a, NULL);
  hk_table_builder_free(b);
  hk_stream_init_batches(s, &schema, &a, 1, NULL);
}

static char *
render(int dot, hk_config *opt, int tty_width, int *rc, hk_error *err)
{
  static hk_buf out;
  struct ArrowArrayStream s;
  hk_buf_free(&out);
  hk_buf_append_str(&out, "");
  hk_sink sink = {sizeof sink, &out, mem_write, tty_width > 0, tty_width};
  fk_schema = dot ? tv_dot_options : tv_text_options;
  tree_stream(&s);
  hk_error_clear(err);
  *rc = dot ? tv_render_dot(NULL, opt, &s, &sink, err)
            : tv_render_text(NULL, opt, &s, &sink, err);
  return out.data;
}

int
main(void)
{
  hk_error err;
  int rc;
  tv_host = &fake_host;
  plan_lazy();
  hk_config none = {{{NULL, NULL}}};
  char *txt = render(0, &none, 0, &rc, &err);
  is_int(rc, HK_OK, "tree_text renders");
  is_str(txt,
         "a.exe [0x1]  a.exe /x \"q\"\n"
         "|-- b.exe [0x2]\n"
         "|   `-- d.exe [0x4]\n"
         "`-- c.exe [0x3]  c.exe second line\n"
         "e.exe [0x5] (inferred)\n"
         "x.exe [0x6]\n"
         "`-- y.exe [0x7]\n",
         "pstree-like text; missing parent -> root; cycle cut once");
  txt = render(0, &none, 12, &rc, &err);
  is_str(txt,
         "a.exe [0x...\n|-- b.exe...\n|   `-- d...\n`-- c.exe...\n"
         "e.exe [0x...\nx.exe [0x6]\n`-- y.exe...\n",
         "lines cut to the terminal width");
  hk_config w = {{{"width", "14"}}};
  txt = render(0, &w, 0, &rc, &err);
  ok(strstr(txt, "a.exe [0x1]...\n") != NULL, "width= cuts when not a tty");
  hk_config lbl = {{{"label", "NewProcessId"}}};
  txt = render(0, &lbl, 0, &rc, &err);
  ok(strncmp(txt, "0x1\n|-- 0x2\n", 12) == 0, "label= picks the columns");
  hk_config bad = {{{"id", "nope"}}};
  txt = render(0, &bad, 0, &rc, &err);
  ok(rc == HK_E_NOTFOUND && strstr(err.msg, "id=nope: no such column") &&
         strstr(err.msg, "proc_key, parent_key"),
     "unknown id column is named: %s", err.msg);

  txt = render(1, &none, 0, &rc, &err);
  is_int(rc, HK_OK, "dot renders");
  ok(strncmp(txt, "digraph proctree {\n  rankdir=LR;\n", 33) == 0,
     "digraph header");
  ok(strstr(txt, "  n0 [label=\"a.exe\\n0x1\\na.exe /x \\\"q\\\"\"];\n") !=
         NULL,
     "label escaped (quotes) with \\n line breaks");
  ok(strstr(txt, "  n0 -> n1;\n  n2 [") != NULL || strstr(txt, "  n0 -> n2;\n"),
     "edges from parent to child");
  ok(strstr(txt, "n4 [label=\"e.exe\\n0x5 (inferred)\", style=dashed];") !=
         NULL,
     "synthetic node dashed");
  ok(strstr(txt, "c.exe\\nsecond line") == NULL &&
         strstr(txt, "c.exe second line") != NULL,
     "newline inside a command line is not a label break");
  char *end = txt + strlen(txt) - 2;
  is_str(end, "}\n", "closed");
  hk_config back = {{{"max_label", "4"}}};
  txt = render(1, &back, 0, &rc, &err);
  ok(strstr(txt, "n0 [label=\"a...\\n0x1\\na...\"]") != NULL,
     "max_label cuts each line");
  return done_testing();
}
