/*
 * plugins/htmlviews/htmlviews.c -- renderers that draw: tree_html and
 * timeline_html (one self-contained HTML page each: inline CSS and JS,
 * the data as a JSON blob, nothing fetched), and timeline_text (events
 * per time bucket as sparklines for the terminal).  See README.md.
 *
 * One translation unit: the other .c files are included here so that
 * everything but the entry point stays static.  The page templates, CSS
 * and JS live in assets/ and are turned into C strings at build time
 * (embed.sh -> hv_assets.h).
 */
#include <huntkit/huntkit.h>

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_assets.h"

static const hk_host *hv_host;

// clang-format off
#include "hv_table.c"
#include "tree_html.c"
#include "timeline.c"
#include "timeline_text.c"
// clang-format on

/* ------------------------------------------------------------ options */

static const hk_param hv_tree_options[] = {
    {"id", HK_PT_STRING, 0, "proc_key", NULL, "column with each row's id"},
    {"parent", HK_PT_STRING, 0, "parent_key", NULL,
     "column with the parent's id (null for roots)"},
    {"label", HK_PT_LIST, 0, NULL, NULL,
     "columns to show per node (default: file name [pid] and the command "
     "line)"},
    {"details", HK_PT_LIST, 0, NULL, NULL,
     "columns shown when hovering a node (default: process fields that "
     "exist)"},
    {"color", HK_PT_STRING, 0, NULL, NULL,
     "colour nodes by the values of this column (legend with counts)"},
    {"expand", HK_PT_INT, 0, "-1", NULL,
     "levels shown at first (-1: all of a tree up to about 2,000 nodes, "
     "else as many levels as keep about 2,000 in view)"},
    {"title", HK_PT_STRING, 0, NULL, NULL, "page title"},
    {"max_rows", HK_PT_INT, 0, "200000", NULL,
     "refuse larger inputs (a page that big is too slow to use)"},
    {"max_cell", HK_PT_INT, 0, "4000", NULL,
     "cut hover values longer than this many bytes (0: no limit)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define HV_TIME_OPTIONS                                                        \
  {"time_column",                                                              \
   HK_PT_STRING,                                                               \
   0,                                                                          \
   NULL,                                                                       \
   NULL,                                                                       \
   "time of each event (default: the first of TimeGenerated, @timestamp, "     \
   "TimeCreated, ... or the first timestamp column)"},                         \
  {                                                                            \
    "group_by", HK_PT_STRING, 0, NULL, NULL,                                   \
        "one series per value of this column"                                  \
  }

static const hk_param hv_timeline_options[] = {
    HV_TIME_OPTIONS,
    {"value_column", HK_PT_STRING, 0, NULL, NULL,
     "draw this numeric column on a value axis (MSTICPy's "
     "display_timeline_values) instead of event lanes"},
    {"kind", HK_PT_STRING, 0, "bar", "bar|line|point", "how values are drawn"},
    {"details", HK_PT_LIST, 0, NULL, NULL,
     "columns shown when hovering an event"},
    {"label", HK_PT_STRING, 0, NULL, NULL,
     "column written next to each event (when at most 300 are in view)"},
    {"ref", HK_PT_LIST, 0, NULL, NULL,
     "reference markers, TIME:label (TIME in ISO-8601, e.g. "
     "2024-03-04T05:06:07Z:alert)"},
    {"title", HK_PT_STRING, 0, NULL, NULL, "page title"},
    {"max_rows", HK_PT_INT, 0, "200000", NULL, "refuse larger inputs"},
    {"max_cell", HK_PT_INT, 0, "1000", NULL,
     "cut hover values longer than this many bytes (0: no limit)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param hv_timeline_text_options[] = {
    HV_TIME_OPTIONS,
    {"bucket", HK_PT_DURATION, 0, NULL, NULL,
     "time per bucket, e.g. 1h, 15m, 30s (default: the smallest of 1s, 5s, "
     "1m, 5m, 1h, ... that fits the width)"},
    {"width", HK_PT_INT, 0, "0", NULL,
     "line width (0: the terminal's, else 80)"},
    {"style", HK_PT_STRING, 0, "spark", "spark|bars",
     "spark: one sparkline per group; bars: one bar per bucket"},
    {"scale", HK_PT_STRING, 0, "group", "group|all",
     "sparkline heights relative to each group's peak or the overall peak"},
    {"max_groups", HK_PT_INT, 0, "20", NULL,
     "show the biggest groups, the rest as one line"},
    {"ascii", HK_PT_BOOL, 0, "false", NULL,
     "ASCII characters instead of Unicode blocks"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* ------------------------------------------------------------ plugin */

static const hk_renderer_vt hv_tree_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = hv_tree_options,
    .create = hv_create,
    .destroy = hv_destroy,
    .media_type = "text/html",
    .render = hv_render_tree,
};

static const hk_renderer_vt hv_timeline_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = hv_timeline_options,
    .create = hv_create,
    .destroy = hv_destroy,
    .media_type = "text/html",
    .render = hv_render_timeline,
};

static const hk_renderer_vt hv_timeline_text_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = hv_timeline_text_options,
    .create = hv_create,
    .destroy = hv_destroy,
    .media_type = "text/plain",
    .render = hv_render_timeline_text,
};

static const hk_plugin_desc hv_tree_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "tree_html",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .summary = "a tree (id/parent columns) as one self-contained HTML page: "
               "collapsible, searchable, hover details, colours",
    .vtable = &hv_tree_vt,
};

static const hk_plugin_desc hv_timeline_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "timeline_html",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .summary = "events on a time axis as one self-contained HTML page: "
               "groups, values, zoom and pan, reference markers",
    .vtable = &hv_timeline_vt,
};

static const hk_plugin_desc hv_timeline_text_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "timeline_text",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .summary = "events per time bucket per group as terminal sparklines",
    .vtable = &hv_timeline_text_vt,
};

static const hk_plugin_desc *const hv_descs[] = {
    &hv_tree_desc, &hv_timeline_desc, &hv_timeline_text_desc, NULL};

static const hk_plugin_desc *const *
hv_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "htmlviews: host ABI major differs");
    return NULL;
  }
  hv_host = host;
  return hv_descs;
}

HK_PLUGIN_DEFINE(htmlviews, hv_entry)
