/*
 * plugins/geoip_maxmind/geoip_fast.c -- the lookup's fast paths: reading a
 * City/Country or ASN record in one pass over its bytes, a cache of the
 * records read, and the IPv4 walk of the search tree (each section says
 * why).
 *
 * Why: MMDB_aget_value starts from the top of the record for every path and
 * decodes (to skip) every value before the one it wants; a City record's
 * eight fields cost eight such walks, over maps of names in eight
 * languages -- about 85 % of a lookup (bench/geoip).  Here the record's
 * top-level map is walked once; values we do not want are skipped by their
 * encoded size (a pointer is skipped, never followed, and MaxMind's writer
 * stores shared sub-maps once, behind pointers), and the few sub-maps we
 * want are entered.
 *
 * The format is MaxMind DB 2.0 (https://maxmind.github.io/MaxMind-DB/):
 * a control byte (type in the top 3 bits, size in the low 5, extended
 * types and sizes in following bytes; pointers with their own 1-4 byte
 * encoding), offsets relative to the data section.  Every read is bounds
 * checked and nesting is limited; anything unexpected returns -1, and the
 * caller then reads the record again through libmaxminddb, which reports
 * the damage in its own words.  So this file never decides that a database
 * is broken, it only declines.  The same holds for the tree walk.
 */
#include "geoip_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum {
  T_EXTENDED = 0,
  T_POINTER = 1,
  T_UTF8 = 2,
  T_DOUBLE = 3,
  T_BYTES = 4,
  T_UINT16 = 5,
  T_UINT32 = 6,
  T_MAP = 7,
  T_INT32 = 8,
  T_UINT64 = 9,
  T_UINT128 = 10,
  T_ARRAY = 11,
  T_BOOL = 14,
  T_FLOAT = 15
};

#define MAX_DEPTH 32

typedef struct dec {
  const uint8_t *base;
  uint32_t size;
} dec;

typedef struct item {
  int type;
  uint32_t size;    /* payload size, element count, or pointer target */
  uint32_t payload; /* offset of the payload (after control bytes) */
} item;

static int
read_ctrl(const dec *d, uint32_t off, item *it)
{
  if (off >= d->size)
    return -1;
  uint8_t c = d->base[off++];
  int type = c >> 5;
  if (type == T_POINTER) {
    unsigned ss = (c >> 3) & 3, v = c & 7;
    if (off + ss + 1 > d->size)
      return -1;
    const uint8_t *p = d->base + off;
    uint32_t target;
    switch (ss) {
    case 0:
      target = (v << 8) | p[0];
      break;
    case 1:
      target = ((v << 16) | ((uint32_t)p[0] << 8) | p[1]) + 2048;
      break;
    case 2:
      target =
          ((v << 24) | ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]) +
          526336;
      break;
    default:
      target = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
               ((uint32_t)p[2] << 8) | p[3];
      break;
    }
    it->type = T_POINTER;
    it->size = target;
    it->payload = off + ss + 1;
    return 0;
  }
  if (type == T_EXTENDED) {
    if (off >= d->size)
      return -1;
    type = 7 + d->base[off++];
    if (type < 8 || type > 15)
      return -1;
  }
  uint32_t size = c & 31;
  if (size >= 29) {
    unsigned nb = size - 28;
    if (off + nb > d->size)
      return -1;
    const uint8_t *p = d->base + off;
    if (nb == 1)
      size = 29 + p[0];
    else if (nb == 2)
      size = 285 + (((uint32_t)p[0] << 8) | p[1]);
    else
      size = 65821 + (((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]);
    off += nb;
  }
  it->type = type;
  it->size = size;
  it->payload = off;
  return 0;
}

/* The item at `off`, with one pointer followed (a pointer to a pointer is
 * invalid in the format). */
static int
read_value(const dec *d, uint32_t off, item *it)
{
  if (read_ctrl(d, off, it) != 0)
    return -1;
  if (it->type == T_POINTER) {
    if (read_ctrl(d, it->size, it) != 0 || it->type == T_POINTER)
      return -1;
  }
  return 0;
}

/* Offset just past the value at `off` (pointers are not followed). */
static int64_t
skip(const dec *d, uint32_t off, int depth)
{
  item it;
  if (depth > MAX_DEPTH || read_ctrl(d, off, &it) != 0)
    return -1;
  uint64_t end;
  switch (it.type) {
  case T_POINTER:
  case T_BOOL:
    return it.payload;
  case T_DOUBLE:
    if (it.size != 8)
      return -1;
    end = (uint64_t)it.payload + 8;
    break;
  case T_FLOAT:
    if (it.size != 4)
      return -1;
    end = (uint64_t)it.payload + 4;
    break;
  case T_UTF8:
  case T_BYTES:
  case T_UINT16:
  case T_UINT32:
  case T_INT32:
  case T_UINT64:
  case T_UINT128:
    end = (uint64_t)it.payload + it.size;
    break;
  case T_MAP:
  case T_ARRAY: {
    int64_t at = it.payload;
    uint64_t n = it.type == T_MAP ? (uint64_t)it.size * 2 : it.size;
    for (uint64_t k = 0; k < n; k++) {
      at = skip(d, (uint32_t)at, depth + 1);
      if (at < 0)
        return -1;
    }
    return at;
  }
  default:
    return -1;
  }
  return end <= d->size ? (int64_t)end : -1;
}

#define NONE UINT32_MAX

/* Walk the map at `off` (maybe behind a pointer) once: vals[k] gets the
 * offset of the value of keys[k] (NONE when absent).  Returns the offset
 * just past the map as stored at `off` (past the pointer when it is one),
 * or -1.  A value that is not a map leaves every vals[k] NONE. */
static int64_t
map_pick(const dec *d, uint32_t off, const char *const *keys, int n_keys,
         uint32_t *vals)
{
  item head, it;
  for (int k = 0; k < n_keys; k++)
    vals[k] = NONE;
  if (read_ctrl(d, off, &head) != 0)
    return -1;
  int64_t end_of_stored = -1;
  if (head.type == T_POINTER) {
    end_of_stored = head.payload;
    if (read_ctrl(d, head.size, &head) != 0 || head.type == T_POINTER)
      return -1;
  }
  if (head.type != T_MAP)
    return end_of_stored >= 0 ? end_of_stored : skip(d, off, 0);
  uint32_t at = head.payload;
  int found = 0;
  for (uint32_t p = 0; p < head.size; p++) {
    /* The key: a string, or a pointer to one. */
    if (read_ctrl(d, at, &it) != 0)
      return -1;
    uint32_t value_at;
    if (it.type == T_POINTER) {
      value_at = it.payload;
      if (read_ctrl(d, it.size, &it) != 0)
        return -1;
    } else
      value_at = it.payload + it.size;
    if (it.type != T_UTF8 || (uint64_t)it.payload + it.size > d->size)
      return -1;
    if (found < n_keys)
      for (int k = 0; k < n_keys; k++)
        if (vals[k] == NONE && strlen(keys[k]) == it.size &&
            memcmp(d->base + it.payload, keys[k], it.size) == 0) {
          vals[k] = value_at;
          found++;
          break;
        }
    /* Once everything is found and the map sits behind a pointer, the
     * rest of it does not matter. */
    if (found == n_keys && end_of_stored >= 0)
      return end_of_stored;
    int64_t next = skip(d, value_at, 0);
    if (next < 0)
      return -1;
    at = (uint32_t)next;
  }
  return end_of_stored >= 0 ? end_of_stored : at;
}

static int
get_string(const dec *d, uint32_t off, hk_value *v)
{
  item it;
  if (off == NONE)
    return 0;
  if (read_value(d, off, &it) != 0)
    return -1;
  if (it.type != T_UTF8)
    return 0; /* another type is as good as absent */
  if ((uint64_t)it.payload + it.size > d->size)
    return -1;
  v->is_set = 1;
  v->str = (const char *)d->base + it.payload;
  v->str_len = it.size;
  return 0;
}

static int
get_double(const dec *d, uint32_t off, hk_value *v)
{
  item it;
  if (off == NONE)
    return 0;
  if (read_value(d, off, &it) != 0)
    return -1;
  if (it.type != T_DOUBLE)
    return 0;
  if (it.size != 8 || (uint64_t)it.payload + 8 > d->size)
    return -1;
  uint64_t bits = 0;
  for (int k = 0; k < 8; k++)
    bits = (bits << 8) | d->base[it.payload + k];
  memcpy(&v->f64, &bits, sizeof v->f64);
  v->is_set = 1;
  return 0;
}

static int
get_uint(const dec *d, uint32_t off, hk_value *v)
{
  item it;
  if (off == NONE)
    return 0;
  if (read_value(d, off, &it) != 0)
    return -1;
  if (it.type != T_UINT16 && it.type != T_UINT32 && it.type != T_UINT64)
    return 0;
  if (it.size > 8 || (uint64_t)it.payload + it.size > d->size)
    return -1;
  uint64_t n = 0;
  for (uint32_t k = 0; k < it.size; k++)
    n = (n << 8) | d->base[it.payload + k];
  v->is_set = 1;
  v->i64 = (int64_t)n;
  return 0;
}

/* The names map at `names`: <lang>, falling back to en. */
static int
get_name(const dec *d, uint32_t names, const char *lang, hk_value *v)
{
  if (names == NONE)
    return 0;
  const char *keys[2] = {lang, "en"};
  uint32_t at[2];
  if (map_pick(d, names, keys, strcmp(lang, "en") ? 2 : 1, at) < 0)
    return -1;
  if (get_string(d, at[0], v) < 0)
    return -1;
  if (!v->is_set && strcmp(lang, "en") != 0)
    return get_string(d, at[1], v);
  return 0;
}

/* owner.names.<lang> (owner: country, city, a subdivision). */
static int
get_owner_name(const dec *d, uint32_t owner, const char *lang, hk_value *v)
{
  static const char *const names_key[1] = {"names"};
  uint32_t names;
  if (owner == NONE)
    return 0;
  if (map_pick(d, owner, names_key, 1, &names) < 0)
    return -1;
  return get_name(d, names, lang, v);
}

int
hk_geoip_fast_location(const uint8_t *data, uint32_t data_size, uint32_t offset,
                       const char *lang, int with_city, hk_value *out)
{
  enum { K_COUNTRY, K_CITY, K_SUBDIVISIONS, K_POSTAL, K_LOCATION };
  static const char *const top_keys[] = {"country", "city", "subdivisions",
                                         "postal", "location"};
  static const char *const country_keys[] = {"iso_code", "names"};
  static const char *const code_key[] = {"code"};
  static const char *const location_keys[] = {"latitude", "longitude",
                                              "time_zone"};
  dec d = {data, data_size};
  uint32_t top[5], sub[3];
  if (map_pick(&d, offset, top_keys, with_city ? 5 : 1, top) < 0)
    return -1;
  if (top[K_COUNTRY] != NONE) {
    if (map_pick(&d, top[K_COUNTRY], country_keys, 2, sub) < 0 ||
        get_string(&d, sub[0], &out[HK_GEOIP_F_COUNTRY_CODE]) < 0 ||
        get_name(&d, sub[1], lang, &out[HK_GEOIP_F_COUNTRY_NAME]) < 0)
      return -1;
  }
  if (!with_city)
    return 0;
  if (get_owner_name(&d, top[K_CITY], lang, &out[HK_GEOIP_F_CITY]) < 0)
    return -1;
  if (top[K_SUBDIVISIONS] != NONE) {
    item arr;
    if (read_value(&d, top[K_SUBDIVISIONS], &arr) != 0)
      return -1;
    if (arr.type == T_ARRAY && arr.size > 0 &&
        get_owner_name(&d, arr.payload, lang, &out[HK_GEOIP_F_SUBDIVISION]) < 0)
      return -1;
  }
  if (top[K_POSTAL] != NONE &&
      (map_pick(&d, top[K_POSTAL], code_key, 1, sub) < 0 ||
       get_string(&d, sub[0], &out[HK_GEOIP_F_POSTAL_CODE]) < 0))
    return -1;
  if (top[K_LOCATION] != NONE &&
      (map_pick(&d, top[K_LOCATION], location_keys, 3, sub) < 0 ||
       get_double(&d, sub[0], &out[HK_GEOIP_F_LATITUDE]) < 0 ||
       get_double(&d, sub[1], &out[HK_GEOIP_F_LONGITUDE]) < 0 ||
       get_string(&d, sub[2], &out[HK_GEOIP_F_TIMEZONE]) < 0))
    return -1;
  return 0;
}

int
hk_geoip_fast_asn(const uint8_t *data, uint32_t data_size, uint32_t offset,
                  hk_value *out)
{
  static const char *const keys[] = {"autonomous_system_number",
                                     "autonomous_system_organization"};
  dec d = {data, data_size};
  uint32_t at[2];
  if (map_pick(&d, offset, keys, 2, at) < 0 ||
      get_uint(&d, at[0], &out[HK_GEOIP_F_ASN]) < 0 ||
      get_string(&d, at[1], &out[HK_GEOIP_F_AS_ORG]) < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------ record cache */

/* Networks share records (a city's networks point at one record; the
 * bench database has 40,000 records for 796,000 networks), so the fields
 * read from a record are kept, keyed by its offset in the data section,
 * which identifies it.  MaxMind's own readers do the same.
 *
 * Layout: the keys sit apart from the values, 16 to a 64-byte line (one
 * bucket); the offset's hash picks the bucket and a lookup compares 16
 * keys on one line, then reads one entry.  Within a bucket a key goes to
 * the first free way, or evicts a pseudo-random one when all 16 are taken,
 * so the table stays bounded (2^bits entries of ENTRY_BYTES: 64K entries
 * are 12 MB + 256 KB of keys) and nearly every record fits until the
 * table is about full -- unlike the direct-mapped table this replaces,
 * where two records of one slot evicted each other (73 % hits on the
 * bench database, against 99.5 % now, 95 % in the first 1M lookups).
 *
 * The values are decoded: doubles and the ASN as numbers, and the strings
 * copied into the entry, so that a hit and what the caller then does with
 * the strings (the summary, the host copying them into columns) read the
 * entry's three lines instead of the string bytes scattered over the
 * mapped file.  A string that does not fit stays where it is in the file
 * (offset kept).  Entries change only in hk_geoip_cache_put, and a lookup
 * makes at most one put per cache, after its get: strings handed out from
 * an entry stay valid until the next lookup, as enricher.h requires. */
enum { C_CC, C_CN, C_CITY, C_SUB, C_POSTAL, C_TZ, C_NSTR };
#define C_ORG C_CC /* ASN entries keep their one string in slot 0 */
#define P_LAT (1u << C_NSTR)
#define P_LON (1u << (C_NSTR + 1))
#define P_ASN (1u << (C_NSTR + 2))
#define P_ASN_ENTRY (1u << (C_NSTR + 3)) /* else a location entry */
#define WAYS 16
#define ENTRY_BYTES 192
#define ENTRY_HEAD 56

static const int cache_str_field[C_NSTR] = {
    HK_GEOIP_F_COUNTRY_CODE, HK_GEOIP_F_COUNTRY_NAME, HK_GEOIP_F_CITY,
    HK_GEOIP_F_SUBDIVISION,  HK_GEOIP_F_POSTAL_CODE,  HK_GEOIP_F_TIMEZONE};

typedef struct cache_entry {
  uint16_t present; /* bit per string slot, then the P_ bits */
  uint16_t in_file; /* string slots left in the data section */
  uint16_t len[C_NSTR];
  uint32_t at[C_NSTR]; /* offset in text[], or in the data section */
  union {
    struct {
      double lat, lon;
    } loc;
    int64_t asn;
  } u;
  char text[ENTRY_BYTES - ENTRY_HEAD];
} cache_entry;
_Static_assert(offsetof(cache_entry, text) == ENTRY_HEAD,
               "the entry's header is what ENTRY_HEAD says");
_Static_assert(sizeof(cache_entry) == ENTRY_BYTES && ENTRY_BYTES % 64 == 0,
               "entries are whole cache lines");

struct hk_geoip_cache {
  unsigned bucket_shift; /* 32 - log2(buckets) */
  uint32_t rng;          /* picks the way evicted from a full bucket */
  uint32_t *keys;        /* [buckets][WAYS]: record offset + 1; 0: free */
  cache_entry *e;        /* [buckets][WAYS] */
};

hk_geoip_cache *
hk_geoip_cache_new(unsigned bits)
{
  if (bits < 4)
    bits = 4;
  if (bits > 24)
    bits = 24;
  hk_geoip_cache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  size_t n = (size_t)1 << bits;
  c->bucket_shift = 32 - (bits - 4); /* WAYS == 1 << 4 */
  c->rng = 2463534242u;
  /* The entries are written before they are read, so only the keys need
   * clearing: the entries' pages stay untouched until used. */
  if (posix_memalign((void **)&c->keys, 64, n * sizeof *c->keys) != 0)
    c->keys = NULL;
  if (posix_memalign((void **)&c->e, 64, n * sizeof *c->e) != 0)
    c->e = NULL;
  if (!c->keys || !c->e) {
    hk_geoip_cache_free(c);
    return NULL;
  }
  memset(c->keys, 0, n * sizeof *c->keys);
  return c;
}

void
hk_geoip_cache_free(hk_geoip_cache *c)
{
  if (c) {
    free(c->keys);
    free(c->e);
    free(c);
  }
}

static size_t
bucket_of(const hk_geoip_cache *c, uint32_t offset)
{
  /* The multiplicative hash's top bits: record offsets are spread
   * unevenly (records have different sizes). */
  return (size_t)((offset * 2654435761u) >> c->bucket_shift) * WAYS;
}

int
hk_geoip_cache_get(const hk_geoip_cache *c, const uint8_t *data,
                   uint32_t offset, hk_value *out)
{
  uint32_t key = offset + 1;
  if (key == 0)
    return 0;
  size_t b = bucket_of(c, offset);
  const uint32_t *keys = c->keys + b;
  int way = -1;
  for (int w = 0; w < WAYS; w++)
    if (keys[w] == key) {
      way = w;
      break;
    }
  if (way < 0)
    return 0;
  const cache_entry *e = &c->e[b + (size_t)way];
  int asn = (e->present & P_ASN_ENTRY) != 0;
  for (int k = 0; k < C_NSTR; k++)
    if (e->present & (1u << k)) {
      hk_value *v = &out[asn ? HK_GEOIP_F_AS_ORG : cache_str_field[k]];
      v->is_set = 1;
      v->str = (e->in_file & (1u << k)) ? (const char *)data + e->at[k]
                                        : e->text + e->at[k];
      v->str_len = e->len[k];
    }
  if (e->present & P_LAT) {
    out[HK_GEOIP_F_LATITUDE].is_set = 1;
    out[HK_GEOIP_F_LATITUDE].f64 = e->u.loc.lat;
  }
  if (e->present & P_LON) {
    out[HK_GEOIP_F_LONGITUDE].is_set = 1;
    out[HK_GEOIP_F_LONGITUDE].f64 = e->u.loc.lon;
  }
  if (e->present & P_ASN) {
    out[HK_GEOIP_F_ASN].is_set = 1;
    out[HK_GEOIP_F_ASN].i64 = e->u.asn;
  }
  return 1;
}

/* Keep string slot k of e: in the entry when it fits, else where it is in
 * the data section. */
static void
keep_string(cache_entry *e, size_t *used, int k, const uint8_t *data,
            const hk_value *v)
{
  e->present |= (uint16_t)(1u << k);
  e->len[k] = (uint16_t)v->str_len;
  if (v->str_len <= sizeof e->text - *used) {
    memcpy(e->text + *used, v->str, v->str_len);
    e->at[k] = (uint32_t)*used;
    *used += v->str_len;
  } else {
    e->in_file |= (uint16_t)(1u << k);
    e->at[k] = (uint32_t)((const uint8_t *)v->str - data);
  }
}

void
hk_geoip_cache_put(hk_geoip_cache *c, const uint8_t *data, uint32_t offset,
                   const hk_value *in, int asn)
{
  uint32_t key = offset + 1;
  if (key == 0)
    return;
  /* Only this database's fields: the others point into another file.  A
   * string too long for the entry's lengths leaves the record uncached
   * (decided before a way is taken, so buckets never get holes). */
  if (asn) {
    if (in[HK_GEOIP_F_AS_ORG].is_set &&
        in[HK_GEOIP_F_AS_ORG].str_len > UINT16_MAX)
      return;
  } else
    for (int k = 0; k < C_NSTR; k++)
      if (in[cache_str_field[k]].is_set &&
          in[cache_str_field[k]].str_len > UINT16_MAX)
        return;
  size_t b = bucket_of(c, offset);
  uint32_t *keys = c->keys + b;
  int way = -1;
  for (int w = 0; w < WAYS && way < 0; w++)
    if (keys[w] == key || keys[w] == 0)
      way = w;
  if (way < 0) {
    /* xorshift32: cheap, and no pattern of lookups keeps evicting the
     * same record. */
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 17;
    c->rng ^= c->rng << 5;
    way = (int)(c->rng % WAYS);
  }
  cache_entry *e = &c->e[b + (size_t)way];
  size_t used = 0;
  e->present = 0;
  e->in_file = 0;
  if (asn) {
    e->present = P_ASN_ENTRY;
    e->u.asn = in[HK_GEOIP_F_ASN].i64;
    if (in[HK_GEOIP_F_ASN].is_set)
      e->present |= P_ASN;
    if (in[HK_GEOIP_F_AS_ORG].is_set)
      keep_string(e, &used, C_ORG, data, &in[HK_GEOIP_F_AS_ORG]);
  } else {
    for (int k = 0; k < C_NSTR; k++)
      if (in[cache_str_field[k]].is_set)
        keep_string(e, &used, k, data, &in[cache_str_field[k]]);
    e->u.loc.lat = in[HK_GEOIP_F_LATITUDE].f64;
    e->u.loc.lon = in[HK_GEOIP_F_LONGITUDE].f64;
    if (in[HK_GEOIP_F_LATITUDE].is_set)
      e->present |= P_LAT;
    if (in[HK_GEOIP_F_LONGITUDE].is_set)
      e->present |= P_LON;
  }
  keys[way] = key;
}

/* ------------------------------------------------------- search tree */

/* libmaxminddb walks the tree one bit at a time through a record getter
 * called by pointer; an IPv4 lookup in an IPv6 database is 32 dependent
 * node reads from ::/96 down.  The first 16 of them depend only on the
 * address's top 16 bits, so where that walk ends (a node, or a record
 * reached sooner, and how many bits it took) is kept per /16, filled on
 * first use: a lookup then reads one 8-byte slot and walks only the bits
 * below the /16.  On the bench database that is 80 ns against 280 ns for
 * MMDB_lookup_sockaddr.
 *
 * The walk follows libmaxminddb's find_address_in_search_tree step for
 * step (start at its ipv4_start_node, stop at a value >= node_count or at
 * the last bit; netmask = bits walked), so offsets and netmasks are its
 * own.  Anything it would report as an error, or anything odd (a record
 * inside the 16-byte separator), makes this decline and the caller ask
 * libmaxminddb, which says what is wrong. */
#define JUMP_BITS 16
#define JUMP_FILLED (1ull << 40)

struct hk_geoip_tree {
  const uint8_t *nodes;
  uint32_t node_count;
  uint32_t data_size;
  unsigned node_bytes;
  uint32_t v4_start;
  unsigned v4_bit;
  /* Per top-16-bit prefix: JUMP_FILLED | bits walked << 32 | value;
   * 0: not walked yet. */
  uint64_t jump[(size_t)1 << JUMP_BITS];
};

hk_geoip_tree *
hk_geoip_tree_new(const uint8_t *nodes, uint64_t tree_bytes,
                  uint32_t node_count, unsigned node_bytes, uint32_t data_size,
                  uint32_t v4_start, unsigned v4_bit)
{
  if ((node_bytes != 6 && node_bytes != 7 && node_bytes != 8) ||
      (uint64_t)node_count * node_bytes > tree_bytes)
    return NULL;
  /* calloc: the table's pages are only touched by the prefixes used. */
  hk_geoip_tree *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->nodes = nodes;
  t->node_count = node_count;
  t->data_size = data_size;
  t->node_bytes = node_bytes;
  t->v4_start = v4_start;
  t->v4_bit = v4_bit;
  return t;
}

void
hk_geoip_tree_free(hk_geoip_tree *t)
{
  free(t);
}

static inline uint32_t
be32(const uint8_t *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

/* The left (bit 0) or right record of `node` (< node_count, so inside the
 * tree: checked in hk_geoip_tree_new). */
static inline uint32_t
child(const hk_geoip_tree *t, uint32_t node, unsigned bit)
{
  const uint8_t *p = t->nodes + (size_t)node * t->node_bytes;
  switch (t->node_bytes) {
  case 6:
    p += bit * 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
  case 7:
    if (bit)
      return ((uint32_t)(p[3] & 0x0f) << 24) | ((uint32_t)p[4] << 16) |
             ((uint32_t)p[5] << 8) | p[6];
    return ((uint32_t)(p[3] & 0xf0) << 20) | ((uint32_t)p[0] << 16) |
           ((uint32_t)p[1] << 8) | p[2];
  default:
    return be32(p + bit * 4);
  }
}

int
hk_geoip_tree_v4(hk_geoip_tree *t, const uint8_t addr[4], uint32_t *offset,
                 unsigned *netmask)
{
  uint32_t ip = be32(addr);
  uint64_t *slot = &t->jump[ip >> (32 - JUMP_BITS)];
  uint64_t j = *slot;
  if (!j) {
    uint32_t v = t->v4_start;
    unsigned d = 0;
    for (; d < JUMP_BITS && v < t->node_count; d++)
      v = child(t, v, (ip >> (31 - d)) & 1);
    j = JUMP_FILLED | (uint64_t)d << 32 | v;
    *slot = j;
  }
  uint32_t v = (uint32_t)j;
  unsigned d = (unsigned)(j >> 32) & 0xff;
  for (; d < 32 && v < t->node_count; d++)
    v = child(t, v, (ip >> (31 - d)) & 1);
  *netmask = t->v4_bit + d;
  if (v == t->node_count)
    return 0;
  if (v < t->node_count || v - t->node_count < 16 ||
      (uint64_t)v >= (uint64_t)t->node_count + t->data_size)
    return -1;
  *offset = v - t->node_count - 16;
  return 1;
}
