/*
 * plugins/geoip_maxmind/geoip_fast.c -- reading a City/Country or ASN
 * record in one pass over its bytes.
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
 * is broken, it only declines.
 */
#include "geoip_internal.h"

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

/* Networks share records (a city's networks point at one record), so the
 * fields read from a record are kept, keyed by its offset, in a
 * direct-mapped table -- what MaxMind's own readers do.  Strings are kept
 * as offsets into the (immutable, mapped) data section.  One entry is one
 * 64-byte cache line: a lookup that hits costs one memory access here. */
enum { C_CC, C_CN, C_CITY, C_SUB, C_POSTAL, C_TZ, C_NSTR };
#define C_ORG C_CC /* ASN entries keep their one string in slot 0 */
#define P_LAT (1u << C_NSTR)
#define P_LON (1u << (C_NSTR + 1))
#define P_ASN (1u << (C_NSTR + 2))

static const int cache_str_field[C_NSTR] = {
    HK_GEOIP_F_COUNTRY_CODE, HK_GEOIP_F_COUNTRY_NAME, HK_GEOIP_F_CITY,
    HK_GEOIP_F_SUBDIVISION,  HK_GEOIP_F_POSTAL_CODE,  HK_GEOIP_F_TIMEZONE};

typedef struct cache_entry {
  uint32_t key;     /* record offset + 1; 0: empty */
  uint16_t present; /* bit per string slot, then P_LAT, P_LON, P_ASN */
  uint16_t asn_entry;
  uint32_t off[C_NSTR];
  uint16_t len[C_NSTR];
  union {
    struct {
      double lat, lon;
    } loc;
    int64_t asn;
  } u;
} __attribute__((aligned(64))) cache_entry;
_Static_assert(sizeof(cache_entry) == 64, "a cache entry is one cache line");

struct hk_geoip_cache {
  uint32_t mask;
  cache_entry *e;
};

hk_geoip_cache *
hk_geoip_cache_new(unsigned bits)
{
  hk_geoip_cache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->mask = (1u << bits) - 1;
  size_t bytes = ((size_t)c->mask + 1) * sizeof *c->e;
  c->e = aligned_alloc(64, bytes);
  if (!c->e) {
    free(c);
    return NULL;
  }
  memset(c->e, 0, bytes);
  return c;
}

void
hk_geoip_cache_free(hk_geoip_cache *c)
{
  if (c) {
    free(c->e);
    free(c);
  }
}

static uint32_t
slot_of(const hk_geoip_cache *c, uint32_t offset)
{
  uint32_t h = offset * 2654435761u;
  return (h ^ (h >> 16)) & c->mask;
}

int
hk_geoip_cache_get(const hk_geoip_cache *c, const uint8_t *data,
                   uint32_t offset, hk_value *out)
{
  const cache_entry *e = &c->e[slot_of(c, offset)];
  if (e->key != offset + 1)
    return 0;
  for (int k = 0; k < C_NSTR; k++)
    if (e->present & (1u << k)) {
      hk_value *v = &out[e->asn_entry ? HK_GEOIP_F_AS_ORG : cache_str_field[k]];
      v->is_set = 1;
      v->str = (const char *)data + e->off[k];
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

void
hk_geoip_cache_put(hk_geoip_cache *c, const uint8_t *data, uint32_t offset,
                   const hk_value *in, int asn)
{
  cache_entry *e = &c->e[slot_of(c, offset)];
  memset(e, 0, sizeof *e);
  /* Only this database's fields: the others point into another file.
   * A string too long for the entry leaves the record uncached. */
  if (asn) {
    e->asn_entry = 1;
    const hk_value *v = &in[HK_GEOIP_F_AS_ORG];
    if (v->is_set) {
      if (v->str_len > UINT16_MAX)
        return;
      e->present |= 1u << C_ORG;
      e->off[C_ORG] = (uint32_t)((const uint8_t *)v->str - data);
      e->len[C_ORG] = (uint16_t)v->str_len;
    }
    if (in[HK_GEOIP_F_ASN].is_set) {
      e->present |= P_ASN;
      e->u.asn = in[HK_GEOIP_F_ASN].i64;
    }
  } else {
    for (int k = 0; k < C_NSTR; k++) {
      const hk_value *v = &in[cache_str_field[k]];
      if (!v->is_set)
        continue;
      if (v->str_len > UINT16_MAX)
        return;
      e->present |= (uint16_t)(1u << k);
      e->off[k] = (uint32_t)((const uint8_t *)v->str - data);
      e->len[k] = (uint16_t)v->str_len;
    }
    if (in[HK_GEOIP_F_LATITUDE].is_set) {
      e->present |= P_LAT;
      e->u.loc.lat = in[HK_GEOIP_F_LATITUDE].f64;
    }
    if (in[HK_GEOIP_F_LONGITUDE].is_set) {
      e->present |= P_LON;
      e->u.loc.lon = in[HK_GEOIP_F_LONGITUDE].f64;
    }
  }
  e->key = offset + 1;
}
