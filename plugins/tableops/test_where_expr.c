/*
 * plugins/tableops/test_where_expr.c -- white-box test of the `where`
 * expression (lexer, parser, binder, evaluator), the column-list parser
 * and the value parsers, linked straight from the plugin's sources: no
 * host, no CLI.  Batches are built with the SDK builder.
 */
#include "tableops.h"

#include "../../tests/tap.h"

#include <math.h>

static const char *const col_names[] = {"id",   "name", "score",      "ts",
                                        "flag", "sid",  "@timestamp", "empty"};
static const int col_types[] = {HK_COL_INT64,     HK_COL_UTF8, HK_COL_FLOAT64,
                                HK_COL_TIMESTAMP, HK_COL_BOOL, HK_COL_UTF8,
                                HK_COL_UTF8,      HK_COL_NULL};
#define NCOLS 8
#define NROWS 6

/* 2019-01-15T05:15:02Z in µs */
#define TS0 1547529302000000LL

static struct ArrowSchema schema;
static struct ArrowArray array;
static hk_batch_view view;
static tableops_columns cols;

/*
 * row id    name            score ts          flag  sid     @timestamp
 *  0  1     "alpha"         1.5   TS0         true  "10"    "a"
 *  1  2     "Beta"          NaN   TS0+1s      false "0x10"  "b"
 *  2  3     null            2.0   null        null  "abc"   null
 *  3  null  "gamma delta"   null  TS0-1d      true  null    "d"
 *  4  5     ""              -1    TS0+1.5s    false " 7 "   "e"
 *  5  10    "Ünïcode ÄB"    10    TS0+1h      true  "7.5"   "f"
 */
static void
build_batch(void)
{
  hk_error err;
  hk_table_builder *b = hk_table_builder_new();
  for (int c = 0; c < NCOLS; c++)
    hk_table_builder_add_column(b, col_names[c], col_types[c]);
  int64_t ids[] = {1, 2, 3, -1, 5, 10};
  const char *names[] = {"alpha",
                         "Beta",
                         NULL,
                         "gamma delta",
                         "",
                         "\xc3\x9c"
                         "n"
                         "\xc3\xaf"
                         "code \xc3\x84"
                         "B"};
  double scores[] = {1.5, NAN, 2.0, -99, -1, 10};
  int64_t ts[] = {TS0,           TS0 + 1000000,     -1, TS0 - 86400000000LL,
                  TS0 + 1500000, TS0 + 3600000000LL};
  int flags[] = {1, 0, -1, 1, 0, 1};
  const char *sids[] = {"10", "0x10", "abc", NULL, " 7 ", "7.5"};
  const char *ats[] = {"a", "b", NULL, "d", "e", "f"};
  for (int r = 0; r < NROWS; r++) {
    if (ids[r] < 0)
      hk_table_builder_append_null(b, 0);
    else
      hk_table_builder_append_int64(b, 0, ids[r]);
    if (names[r])
      hk_table_builder_append_utf8(b, 1, names[r], strlen(names[r]));
    else
      hk_table_builder_append_null(b, 1);
    if (scores[r] == -99)
      hk_table_builder_append_null(b, 2);
    else
      hk_table_builder_append_float64(b, 2, scores[r]);
    if (ts[r] < 0)
      hk_table_builder_append_null(b, 3);
    else
      hk_table_builder_append_timestamp(b, 3, ts[r]);
    if (flags[r] < 0)
      hk_table_builder_append_null(b, 4);
    else
      hk_table_builder_append_bool(b, 4, flags[r]);
    if (sids[r])
      hk_table_builder_append_utf8(b, 5, sids[r], strlen(sids[r]));
    else
      hk_table_builder_append_null(b, 5);
    if (ats[r])
      hk_table_builder_append_utf8(b, 6, ats[r], strlen(ats[r]));
    else
      hk_table_builder_append_null(b, 6);
    hk_table_builder_append_null(b, 7);
  }
  hk_error_clear(&err);
  if (hk_table_builder_export_schema(b, &schema, &err) != HK_OK ||
      hk_table_builder_finish_batch(b, &array, &err) != HK_OK ||
      hk_batch_view_init(&view, &schema, &array, &err) != HK_OK ||
      tableops_columns_from_schema(&schema, "where", &cols, &err) != HK_OK) {
    printf("Bail out! cannot build the test batch: %s\n", err.msg);
    exit(1);
  }
  hk_table_builder_free(b);
}

/* The rows an expression keeps, as "010011", or the error message. */
static const char *
run(const char *expr)
{
  static char out[HK_ERROR_MSG_MAX + 8];
  hk_error err;
  tableops_where *w = NULL;
  uint8_t keep[NROWS];
  hk_error_clear(&err);
  if (tableops_where_parse(expr, &w, &err) != HK_OK ||
      tableops_where_bind(w, &cols, &err) != HK_OK) {
    tableops_where_free(w);
    snprintf(out, sizeof out, "%s", err.msg);
    return out;
  }
  int64_t kept = tableops_where_eval(w, &view, keep, &err);
  tableops_where_free(w);
  if (kept < 0) {
    snprintf(out, sizeof out, "%s", err.msg);
    return out;
  }
  int64_t count = 0;
  for (int r = 0; r < NROWS; r++) {
    out[r] = keep[r] ? '1' : '0';
    count += keep[r];
  }
  out[NROWS] = '\0';
  if (count != kept)
    snprintf(out, sizeof out, "kept count %lld != mask", (long long)kept);
  return out;
}

static void
test_comparisons(void)
{
  is_str(run("id == 2"), "010000", "== on int64");
  is_str(run("id = 2"), "010000", "= reads as ==");
  is_str(run("id != 2"), "101011", "!= skips null cells");
  is_str(run("id <> 2"), "101011", "<> is !=");
  is_str(run("id < 3"), "110000", "<");
  is_str(run("id <= 3"), "111000", "<=");
  is_str(run("id > 3"), "000011", ">");
  is_str(run("id >= 3"), "001011", ">=");
  is_str(run("3 < id"), "000011", "literal on the left is flipped");
  is_str(run("id == 2.0"), "010000", "int column vs float literal");
  is_str(run("id < 2.5"), "110000", "int vs fractional float");
  is_str(run("id == \"5\""), "000010", "numeric string literal vs int column");
  is_str(run("id == -1"), "000000", "negative literal");
  is_str(run("score > -2"), "101011", "float column; NaN and null drop out");
  is_str(run("score == 2"), "001000", "float vs int literal");
  is_str(run("score != score"), "000000", "NaN is not != itself");
  is_str(run("name == \"Beta\""), "010000", "string equality is exact");
  is_str(run("name == 'beta'"), "000000", "== is case-sensitive");
  is_str(run("name < \"b\""), "110010", "bytewise string order");
  is_str(run("name == \"\""), "000010", "empty string");
  is_str(run("sid == 10"), "100000", "string column vs number: numeric");
  is_str(run("sid == 16"), "010000", "hex text 0x10 reads as 16");
  is_str(run("sid == 7"), "000010", "spaces around a number are ignored");
  is_str(run("sid > 7"), "110001", "numeric order on text cells");
  is_str(run("sid != 10"), "010011",
         "text that is no number is neither equal nor unequal");
  is_str(run("not (sid == 10)"), "011011",
         "but `not ==` keeps it (false, not unknown)");
  is_str(run("sid == \"10\""), "100000", "string vs string stays text");
  is_str(run("ts == \"2019-01-15T05:15:02Z\""), "100000",
         "timestamp vs ISO-8601");
  is_str(run("ts > \"2019-01-15 05:15:02\""), "010011",
         "space separator, no zone = UTC");
  is_str(run("ts >= \"2019-01-15T06:15:02+01:00\""), "110011", "zone offset");
  is_str(run("ts < \"2019-01-15\""), "000100", "date only");
  is_str(run("ts == \"2019-01-15T05:15:03.5Z\""), "000010", "fraction");
  is_str(run("ts == datetime(\"2019-01-15T05:15:02Z\")"), "100000",
         "datetime()");
  is_str(run("flag == true"), "100101", "bool");
  is_str(run("flag"), "100101", "a bool column alone is a condition");
  is_str(run("not flag"), "010010", "not of a bool column; null stays out");
  is_str(run("flag == \"false\""), "010010", "bool vs \"false\"");
  is_str(run("flag == 0"), "010010", "bool vs 0");
  is_str(run("`@timestamp` == \"b\""), "010000", "backtick column");
  is_str(run("[@timestamp] == \"d\""), "000100", "bracket column");
  is_str(run("['@timestamp'] == \"e\""), "000010", "KQL ['name'] column");
  is_str(run("@timestamp == \"f\""), "000001", "bare @name");
  is_str(run("id == id"), "111011", "column vs column");
  is_str(run("empty == 1"), "000000", "an all-null column never compares");
  is_str(run("true"), "111111", "literal true");
  is_str(run("1 == 1 and id > 4"), "000011", "constant comparison");
}

static void
test_strings(void)
{
  is_str(run("name contains \"ET\""), "010000", "contains is caseless");
  is_str(run("name contains_cs \"ET\""), "000000", "contains_cs");
  is_str(run("name contains_cs \"et\""), "010000", "contains_cs match");
  is_str(run("name contains \"\""), "110111", "contains \"\" matches all");
  is_str(run("name startswith \"al\""), "100000", "startswith");
  is_str(run("name startswith \"AL\""), "100000", "startswith caseless");
  is_str(run("name startswith_cs \"AL\""), "000000", "startswith_cs");
  is_str(run("name endswith \"TA\""), "010100", "endswith caseless");
  is_str(run("name endswith_cs \"ta\""), "010100", "endswith_cs");
  is_str(run("name contains \"\xc3\xbcN\xc3\x8f\""), "000001",
         "caseless on non-ASCII letters");
  is_str(run("name contains \"\\u00e4b\""), "000001", "\\u escape, caseless");
  is_str(run("name =~ \"BETA\""), "010000", "=~ caseless equality");
  is_str(run("name !~ \"BETA\""), "100111", "!~");
  is_str(run("name !contains \"a\""), "000011", "!contains");
  is_str(run("name not contains \"a\""), "000011", "not contains");
  is_str(run("name ! startswith \"g\""), "110011", "! startswith");
  is_str(run("name matches \"^[a-z]+$\""), "100000", "matches");
  is_str(run("name matches regex \"(?i)^b\""), "010000", "matches regex");
  is_str(run("name matches \"\\\\s\""), "000101", "escaped backslash");
  is_str(run("name matches @\"\\s\""), "000101", "verbatim string");
  is_str(run("id contains 0"), "000001", "string op on an int column");
  is_str(run("ts contains \"05:15:03\""), "010010",
         "string op on a timestamp's ISO text");
  is_str(run("id in (1, 3, 10)"), "101001", "in");
  is_str(run("id !in (1, 3, 10)"), "010010", "!in skips nulls");
  is_str(run("id not in (1, 3, 10)"), "010010", "not in");
  is_str(run("name in (\"alpha\", \"beta\")"), "100000", "in is exact");
  is_str(run("name in~ (\"ALPHA\", \"beta\", \"x.y\")"), "110000",
         "in~ is caseless");
  is_str(run("sid in (10, 16)"), "110000", "in with numeric text cells");
  is_str(run("name in (\"q\", \"r\", \"Beta\", \"s\", \"t\", \"u\", \"v\", "
             "\"\", \"w\", \"alph\")"),
         "010010", "a long string list (bisection)");
  is_str(run("id in (40, 30, 20, 10, 9, 8, 7, 6, 5, 4, \"1\")"), "100011",
         "a long int list (bisection), text item converted");
  is_str(run("id !in (40, 30, 20, 10, 9, 8, 7, 6, 5, 4)"), "111000",
         "a long !in list");
  is_str(run("ts in (\"2019-01-15T05:15:02Z\")"), "100000",
         "in with a timestamp");
}

static void
test_logic(void)
{
  is_str(run("id > 1 and id < 5"), "011000", "and");
  is_str(run("id == 1 or id == 5"), "100010", "or");
  is_str(run("id == 1 || id == 5 && name == \"\""), "100010",
         "&& binds tighter than ||");
  is_str(run("(id == 1 or id == 5) and name == \"\""), "000010", "parentheses");
  is_str(run("id == 1 or id == 2 and flag"), "100000",
         "and before or without parentheses");
  is_str(run("not id == 1"), "011011", "not covers the comparison");
  is_str(run("!(id == 1)"), "011011", "! is not");
  is_str(run("not not id == 1"), "100000", "double not");
  is_str(run("id > 100 or name == \"Beta\""), "010000", "null or true is true");
  is_str(run("not (id > 100 or flag)"), "010010",
         "three-valued: null stays unknown");
  is_str(run("id is null"), "000100", "is null");
  is_str(run("id is not null"), "111011", "is not null");
  is_str(run("name == null"), "001000", "== null is is null");
  is_str(run("name != null"), "110111", "!= null is is not null");
  is_str(run("isnull(score)"), "000100", "isnull(); NaN is not null");
  is_str(run("isnotnull(name)"), "110111", "isnotnull()");
  is_str(run("isempty(name)"), "001010", "isempty: null or \"\"");
  is_str(run("isnotempty(name)"), "110101", "isnotempty");
  is_str(run("empty is null"), "111111", "null column is null");
  is_str(run("ID == 1 AND Name == \"x\""),
         "where: no column 'ID' (did you mean 'id'? columns: id, name, "
         "score, ts, flag, sid, @timestamp, empty)",
         "keywords are caseless, columns are not");
}

static void
test_errors(void)
{
  is_str(run("EventID == "),
         "where: expected a value after '==' at column 12 of 'EventID == '",
         "missing value");
  is_str(run("Foo == 1"),
         "where: no column 'Foo' (columns: id, name, score, ts, flag, sid, "
         "@timestamp, empty)",
         "unknown column");
  is_str(run("name == Beta"),
         "where: no column 'Beta' (to compare with text, quote it: \"Beta\"; "
         "columns: id, name, score, ts, flag, sid, @timestamp, empty)",
         "a bare word on the right suggests quotes");
  is_str(run("id 4688"),
         "where: expected an operator or 'and'/'or' after 'id', found '4688' "
         "at column 4 of 'id 4688'",
         "missing operator");
  is_str(run("(id == 1"),
         "where: expected ')' to close the '(' at column 1, found the end at "
         "column 9 of '(id == 1'",
         "unclosed parenthesis");
  is_str(run("id == 1)"),
         "where: unexpected ')' without a matching '(' at column 8 of "
         "'id == 1)'",
         "stray parenthesis");
  is_str(run("id == 1 name == \"a\""),
         "where: unexpected 'name'; join conditions with 'and' or 'or' at "
         "column 9 of 'id == 1 name == \"a\"'",
         "two conditions without a connective");
  is_str(run("id == 1 and"),
         "where: expected a condition after 'and' at column 12 of "
         "'id == 1 and'",
         "dangling and");
  is_str(run(""),
         "where: empty expression; write a condition such as "
         "'EventID == 4688'",
         "empty");
  is_str(run("name matches \"a(b\""),
         "where: bad regex \"a(b\": missing closing parenthesis (offset 3) at "
         "column 14 of 'name matches \"a(b\"'",
         "regex error with offset");
  is_str(run("name == \"C:\\Windows\""),
         "where: unknown escape '\\W' in a string; write \\\\ for a backslash "
         "or use a verbatim string @\"...\" at column 12 of "
         "'name == \"C:\\Windows\"'",
         "unknown escape");
  is_str(run("name == \"abc"),
         "where: unterminated string (no closing \") at column 9 of "
         "'name == \"abc'",
         "unterminated string");
  is_str(run("sid == 10.0.3.5"),
         "where: '10.0.3.5' is not a number; put text in quotes, e.g. "
         "\"10.0.3.5\" at column 8 of 'sid == 10.0.3.5'",
         "unquoted address");
  is_str(run("id in 1"),
         "where: expected '(' after 'in', found '1' at column 7 of 'id in 1'",
         "in without a list");
  is_str(run("id in (name)"),
         "where: the list after 'in' takes values, not columns: quote 'name' "
         "if it is text at column 8 of 'id in (name)'",
         "column in an in list");
  is_str(run("id in ()"),
         "where: expected a value in the list after 'in', found ')' at "
         "column 8 of 'id in ()'",
         "empty in list");
  is_str(run("id in (1, null)"),
         "where: null cannot be in an 'in' list; use 'is null' at column 11 "
         "of 'id in (1, null)'",
         "null in an in list");
  is_str(run("id is nul"),
         "where: expected 'null' or 'not null' after 'is', found 'nul' at "
         "column 7 of 'id is nul'",
         "is without null");
  is_str(run("id < null"),
         "where: '<' cannot compare with null; use 'is null' or 'is not "
         "null' at column 4 of 'id < null'",
         "ordering with null");
  is_str(run("name contains id"),
         "where: expected a quoted string after 'contains', found 'id' at "
         "column 15 of 'name contains id'",
         "contains needs a literal");
  is_str(run("id == \"abc\""),
         "where: column 'id' is int64 but \"abc\" is not a number at column 7 "
         "of 'id == \"abc\"'",
         "int column vs text");
  is_str(run("ts > \"yesterday\""),
         "where: column 'ts' is a timestamp but \"yesterday\" is not an "
         "ISO-8601 date-time (e.g. \"2019-01-15T05:15:02Z\") at column 6 of "
         "'ts > \"yesterday\"'",
         "timestamp vs bad date");
  is_str(run("ts > 5"),
         "where: column 'ts' is a timestamp: compare it with an ISO-8601 "
         "string such as \"2019-01-15T05:15:02Z\", not a number at column 6 "
         "of 'ts > 5'",
         "timestamp vs number");
  is_str(run("id == flag"),
         "where: cannot compare int64 column 'id' with bool column 'flag' at "
         "column 4 of 'id == flag'",
         "column types that never compare");
  is_str(run("id == true"),
         "where: cannot compare int64 column 'id' with true/false at column 7 "
         "of 'id == true'",
         "int vs bool literal");
  is_str(run("name"),
         "where: column 'name' is utf8, not true/false: compare it, e.g. "
         "'name == ...' at column 1 of 'name'",
         "non-bool column alone");
  is_str(run("5"), "where: '5' is not a condition at column 1 of '5'",
         "number alone");
  is_str(run("id == and"),
         "where: expected a value after '==', found 'and' at column 7 of "
         "'id == and'",
         "keyword where a value belongs");
  is_str(run("id # 3"),
         "where: unexpected character '#' at column 4 of 'id # 3'",
         "bad character");
  is_str(run("id == 99999999999999999999"),
         "where: number '99999999999999999999' is out of range at column 7 of "
         "'id == 99999999999999999999'",
         "integer overflow");
  is_str(run("`a"),
         "where: unterminated column name (no closing `) at column 1 of '`a'",
         "unterminated backtick");
  char deep[700];
  size_t n = 0;
  for (int i = 0; i < 300; i++)
    deep[n++] = '(';
  memcpy(deep + n, "id", 3);
  like(run(deep), "where: expression nested too deeply (over 200 levels)",
       "deep nesting is refused, not a stack overflow");
  is_str(run("name == \"\xc3\xa9t\xc3\xa9\" and x"),
         "where: no column 'x' (columns: id, name, score, ts, flag, sid, "
         "@timestamp, empty)",
         "unknown column after UTF-8 text");
  is_str(run("name == \"\xc3\xa9\" ="),
         "where: unexpected '='; join conditions with 'and' or 'or' at "
         "column 13 of 'name == \"\xc3\xa9\" ='",
         "columns count characters, not bytes");
}

static void
test_names(void)
{
  tableops_name_list l;
  hk_error err;
  hk_error_clear(&err);
  int rc =
      tableops_parse_names("by Computer, `Event ID` as Id, -count desc", "x",
                           TABLEOPS_NAMES_BY | TABLEOPS_NAMES_AS |
                               TABLEOPS_NAMES_SIGN | TABLEOPS_NAMES_DIR,
                           &l, &err);
  is_int(rc, HK_E_INVAL, "sign and direction together are refused");
  is_str(err.msg,
         "x: give the direction once: '-count' or 'count desc', not both at "
         "column 39 of 'by Computer, `Event ID` as Id, -count desc'",
         "message");
  rc = tableops_parse_names(
      "by Computer, `Event ID` as Id, -count", "x",
      TABLEOPS_NAMES_BY | TABLEOPS_NAMES_AS | TABLEOPS_NAMES_SIGN, &l, &err);
  is_int(rc, HK_OK, "by list parses");
  is_int(l.n, 3, "three items");
  if (l.n == 3) {
    is_str(l.items[0].name, "Computer", "first");
    is_str(l.items[1].name, "Event ID", "quoted");
    is_str(l.items[1].rename, "Id", "as");
    ok(l.items[2].negated, "-count");
  }
  tableops_name_list_free(&l);
  rc = tableops_parse_names(
      "count desc, Computer asc", "sort",
      TABLEOPS_NAMES_BY | TABLEOPS_NAMES_SIGN | TABLEOPS_NAMES_DIR, &l, &err);
  ok(rc == HK_OK && l.n == 2 && l.items[0].direction == -1 &&
         l.items[1].direction == 1,
     "asc/desc");
  tableops_name_list_free(&l);
  rc = tableops_parse_names("by", "count",
                            TABLEOPS_NAMES_BY | TABLEOPS_NAMES_EMPTY, &l, &err);
  is_str(err.msg,
         "count: expected a column name after 'by' at column 3 of "
         "'by'",
         "by alone");
  rc = tableops_parse_names("", "count",
                            TABLEOPS_NAMES_BY | TABLEOPS_NAMES_EMPTY, &l, &err);
  ok(rc == HK_OK && l.n == 0, "empty list allowed for count");
  rc = tableops_parse_names("A B", "select", TABLEOPS_NAMES_AS, &l, &err);
  is_str(err.msg,
         "select: expected ',' between column names, found 'B' at column 3 "
         "of 'A B'",
         "missing comma");
  rc = tableops_parse_names("A,", "select", TABLEOPS_NAMES_AS, &l, &err);
  is_str(err.msg,
         "select: expected a column name after ',', found the end at column "
         "3 of 'A,'",
         "trailing comma");
  rc =
      tableops_parse_names("Sub*, *Name, -X?", "select",
                           TABLEOPS_NAMES_GLOB | TABLEOPS_NAMES_SIGN, &l, &err);
  ok(rc == HK_OK && l.n == 3 && l.items[0].glob && l.items[1].glob &&
         l.items[2].glob && l.items[2].negated,
     "globs");
  tableops_name_list_free(&l);
}

static void
test_values(void)
{
  int64_t i = 0, us = 0;
  double f = 0;
  is_int(tableops_parse_number("42", 2, &i, &f), 1, "int");
  is_int(i, 42, "value");
  is_int(tableops_parse_number("-0x1F", 5, &i, &f), 1, "hex");
  is_int(i, -31, "hex value");
  is_int(tableops_parse_number("1e3", 3, &i, &f), 2, "exponent is a float");
  ok(f == 1000.0, "1e3");
  is_int(tableops_parse_number("nan", 3, &i, &f), 0, "nan is no number");
  is_int(tableops_parse_number("inf", 3, &i, &f), 0, "inf is no number");
  is_int(tableops_parse_number("1.2.3", 5, &i, &f), 0, "1.2.3");
  is_int(tableops_parse_number("", 0, &i, &f), 0, "empty");
  is_int(tableops_parse_number("0x", 2, &i, &f), 0, "0x alone");
  is_int(tableops_parse_iso8601("1970-01-01T00:00:00Z", 20, &us), 1, "epoch");
  is_int(us, 0, "epoch is 0");
  is_int(tableops_parse_iso8601("2000-02-29", 10, &us), 1, "leap day");
  is_int(us, 951782400000000LL, "leap day value");
  is_int(tableops_parse_iso8601("2001-02-29", 10, &us), 0, "not a leap year");
  is_int(tableops_parse_iso8601("2019-01-15T05:15:02.123456789Z", 30, &us), 1,
         "nanoseconds are cut to µs");
  is_int(us, TS0 + 123456, "value");
  is_int(tableops_parse_iso8601("1969-12-31T23:59:59Z", 20, &us), 1,
         "before the epoch");
  is_int(us, -1000000, "negative");
  is_int(tableops_parse_iso8601("2019-01-15T24:00:00Z", 20, &us), 0, "hour 24");
  is_int(tableops_parse_iso8601("2019-01-15T05:15:02+0530", 24, &us), 1,
         "+hhmm");
  is_int(us, TS0 - 19800LL * 1000000, "offset applied");
}

int
main(void)
{
  (void)plan; /* this test counts as it goes */
  plan_lazy();
  build_batch();
  test_comparisons();
  test_strings();
  test_logic();
  test_errors();
  test_names();
  test_values();
  tableops_columns_free(&cols);
  hk_batch_view_release(&view);
  hk_array_release(&array);
  hk_schema_release(&schema);
  return done_testing();
}
