/*
 * sdk/lib/table_types.c -- huntkit column types and their Arrow formats.
 */
#include "sdk_internal.h"

#include <string.h>

static const struct {
  const char *format;
  const char *name;
} column_types[] = {
    [HK_COL_NULL] = {"n", "null"},
    [HK_COL_INT64] = {"l", "int64"},
    [HK_COL_FLOAT64] = {"g", "float64"},
    [HK_COL_BOOL] = {"b", "bool"},
    [HK_COL_UTF8] = {"u", "utf8"},
    [HK_COL_TIMESTAMP] = {"tsu:UTC", "timestamp"},
};

#define N_COLUMN_TYPES (sizeof column_types / sizeof column_types[0])

const char *
hk_column_type_format(int type)
{
  if (type < 0 || (size_t)type >= N_COLUMN_TYPES)
    return NULL;
  return column_types[type].format;
}

const char *
hk_column_type_name(int type)
{
  if (type < 0 || (size_t)type >= N_COLUMN_TYPES)
    return NULL;
  return column_types[type].name;
}

/* Exact match only: "tsu:" (no time zone) or "tsu:Europe/Paris" would mean
 * local or zoned wall-clock time, which huntkit does not carry. */
int
hk_column_type_from_format(const char *format)
{
  size_t i;

  if (!format)
    return -1;
  for (i = 0; i < N_COLUMN_TYPES; i++)
    if (strcmp(format, column_types[i].format) == 0)
      return (int)i;
  return -1;
}
