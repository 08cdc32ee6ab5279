/*
 * plugins/proctree/proctree_int.h -- shared types of the proctree plugin.
 *
 * The plugin is one translation unit: proctree.c includes schema.c,
 * cells.c, build.c, query.c and emit.c so that everything stays static
 * (only the entry point is exported).
 */
#ifndef HK_PROCTREE_INT_H
#define HK_PROCTREE_INT_H

#include <huntkit/huntkit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A process has fields at three levels: the row's own process (0), its
 * parent as the row describes it (1), and the grandparent (2, Defender
 * only).  Missing parents are synthesized from the level-1/2 fields of the
 * row that names them. */
enum { PT_LV_SELF = 0, PT_LV_PARENT = 1, PT_LV_GRAND = 2, PT_LEVELS = 3 };
enum {
  PT_F_NAME = 0, /* image name or path */
  PT_F_PID,      /* process id (decimal, hex text or int column) */
  PT_F_TIME,     /* creation / event time */
  PT_F_CMD,      /* command line */
  PT_F_GUID,     /* Sysmon ProcessGuid */
  PT_FIELDS
};

enum pt_schema_id {
  PT_S_WIN4688 = 0,
  PT_S_SYSMON,
  PT_S_MDE,
  PT_S_MDE_INTERNAL,
  PT_S_AUDITD,
  PT_S_VELOCIRAPTOR,
  PT_S_MINIMAL,
  PT_S_COUNT
};

/* How parents are found. */
enum pt_link_mode {
  PT_LINK_ASOF = 0, /* latest earlier-or-equal process with pid (+ name) */
  PT_LINK_GUID,     /* ProcessGuid == ParentProcessGuid */
  PT_LINK_EXACT     /* (name, pid, creation time) of the parent (Defender) */
};

/* Resolved columns of one input table (-1 when absent). */
typedef struct pt_cols {
  int schema; /* enum pt_schema_id */
  int link;   /* enum pt_link_mode */
  int64_t col[PT_LEVELS][PT_FIELDS];
  int64_t host;
  int64_t event; /* event id / action type filter column */
  const char *event_value;
  int basename_names;    /* names compared by file name only (Defender) */
  int match_parent_name; /* as-of join also on the parent name */
} pt_cols;

/* One input batch, kept until the output is released. */
typedef struct pt_batch {
  struct ArrowArray array;
  hk_batch_view view;
  int64_t first_row; /* input row number of row 0 */
} pt_batch;

#define PT_NO_PID INT64_MIN
#define PT_NONE (-1)

/* One process of the tree.  Text fields are read from the input cells on
 * demand; only what the joins need is decoded here.  Names and hosts are
 * interned (pt_intern): equal ids mean equal text, ignoring case, so the
 * joins compare integers and never go back to the cells. */
typedef struct pt_node {
  int64_t time_us; /* creation time; 0 when unknown (epoch, like MSTICPy) */
  int64_t pid;     /* PT_NO_PID when absent */
  uint64_t host_h; /* interned host name (0 when none); equals host_ord */
  uint64_t name_h; /* interned name */
  uint32_t batch;  /* row the fields are read from */
  uint32_t row;
  int32_t level;     /* PT_LV_*: 0 for a real row, 1/2 for synthesized */
  int32_t host_ord;  /* order of first appearance of the host */
  int64_t src_index; /* input row number; -1 for a synthesized parent */
  int64_t parent;    /* node index or PT_NONE */
  int64_t ordinal;   /* node id in paths: src_index, or rows + k */
  int64_t depth;
  uint32_t key_suffix; /* >0: "#n" disambiguates a repeated key */
} pt_node;

/* Distinct strings, compared ignoring ASCII case, numbered from 1 in
 * order of first appearance.  The text is kept (lower-cased) so that a
 * hash collision is told apart from a match. */
typedef struct pt_intern {
  uint64_t *slot_h;  /* open addressing: hash ... */
  uint32_t *slot_id; /* ... and id (0: empty) */
  size_t cap;
  uint64_t *off; /* id - 1 -> offset in text */
  uint32_t *len;
  size_t n, n_cap;
  char *text;
  size_t text_len, text_cap;
} pt_intern;

typedef struct pt_tree {
  const hk_host *host;
  const hk_instance *inst;
  pt_batch *batches;
  size_t n_batches;
  int64_t n_rows; /* input rows */
  pt_cols cols;
  struct ArrowSchema schema; /* input schema */

  pt_node *nodes;
  int64_t n_nodes;
  int64_t n_synthetic;
  int64_t n_duplicates;
  int64_t n_filtered; /* rows of other event types */
  int64_t n_no_pid;   /* rows without a process id */
  int64_t n_cycles;   /* parent links cut to break a cycle */
  pt_intern names, hosts;

  /* Children in CSR form, each list in (time, node) order. */
  int64_t *child_start; /* n_nodes + 1 */
  int64_t *child_list;
  int64_t *order; /* depth-first tree order: node indices */
  int64_t *pos;   /* node -> position in order */
} pt_tree;

#endif /* HK_PROCTREE_INT_H */
