/*
 * plugins/geoip_maxmind/geoip_internal.h -- what geoip_maxmind.c and
 * geoip_download.c share.
 */
#ifndef HK_GEOIP_INTERNAL_H
#define HK_GEOIP_INTERNAL_H

#include <huntkit/huntkit.h>

/* The enricher's fields, in vtable order. */
enum {
  HK_GEOIP_F_COUNTRY_CODE,
  HK_GEOIP_F_COUNTRY_NAME,
  HK_GEOIP_F_CITY,
  HK_GEOIP_F_SUBDIVISION,
  HK_GEOIP_F_POSTAL_CODE,
  HK_GEOIP_F_LATITUDE,
  HK_GEOIP_F_LONGITUDE,
  HK_GEOIP_F_TIMEZONE,
  HK_GEOIP_F_ASN,
  HK_GEOIP_F_AS_ORG,
  HK_GEOIP_F_NETWORK,
  HK_GEOIP_F_COUNT
};

/* Read a City (with_city) or Country record at `offset` of the data
 * section [data, data + data_size) into out[] (country, names in `lang`
 * falling back to en, city, subdivision, postal code, location), or an ASN
 * record; strings point into the data.  0, or -1 when anything is
 * unexpected: the caller then reads the record through libmaxminddb,
 * which names the damage.  geoip_fast.c. */
int hk_geoip_fast_location(const uint8_t *data, uint32_t data_size,
                           uint32_t offset, const char *lang, int with_city,
                           hk_value *out);
int hk_geoip_fast_asn(const uint8_t *data, uint32_t data_size, uint32_t offset,
                      hk_value *out);

/* Fields of records already read, keyed by record offset in `data`, the
 * database's mapped data section (geoip_fast.c).  new: 2^bits entries of
 * 192 bytes (16 bits: 12 MB, 14 bits: 3 MB), NULL when out of memory.
 * get: 1 and out[] filled (only the fields the record has) when the record
 * is there; its strings point into the cache or into `data` and stay valid
 * until the next put.  put stores the ASN fields of `in` (asn != 0) or its
 * location fields, whose strings point into `data`. */
typedef struct hk_geoip_cache hk_geoip_cache;
hk_geoip_cache *hk_geoip_cache_new(unsigned bits);
void hk_geoip_cache_free(hk_geoip_cache *c);
int hk_geoip_cache_get(const hk_geoip_cache *c, const uint8_t *data,
                       uint32_t offset, hk_value *out);
void hk_geoip_cache_put(hk_geoip_cache *c, const uint8_t *data, uint32_t offset,
                        const hk_value *in, int asn);

/* IPv4 lookups in a database's search tree, libmaxminddb's walk with its
 * first 16 steps remembered per /16 (geoip_fast.c).  new: the tree
 * (`nodes`, at most `tree_bytes` of it readable) as libmaxminddb opened it
 * (node_count, full_record_byte_size, data_section_size, and where IPv4
 * starts: ipv4_start_node, or node 0 and bit 0 in an IPv4 database); NULL
 * when the record size is not one of MaxMind's or out of memory (about
 * 512 KB).  v4: 1 with *offset (in the data section) and *netmask (bits of
 * the tree walked, as MMDB_lookup_sockaddr counts them), 0 not found (with
 * *netmask), -1 when libmaxminddb should be asked instead (it names the
 * damage). */
typedef struct hk_geoip_tree hk_geoip_tree;
hk_geoip_tree *hk_geoip_tree_new(const uint8_t *nodes, uint64_t tree_bytes,
                                 uint32_t node_count, unsigned node_bytes,
                                 uint32_t data_size, uint32_t v4_start,
                                 unsigned v4_bit);
void hk_geoip_tree_free(hk_geoip_tree *t);
int hk_geoip_tree_v4(hk_geoip_tree *t, const uint8_t addr[4], uint32_t *offset,
                     unsigned *netmask);

/* How to reach MaxMind (instance config; strings borrowed). */
typedef struct hk_geoip_dl {
  const char *base_url;    /* e.g. https://download.maxmind.com */
  const char *license_key; /* secret */
  const char *account_id;  /* NULL/empty: the legacy key-in-URL scheme */
  int64_t timeout_ms;      /* whole download; 0: the instance's timeout */
} hk_geoip_dl;

/* Download `edition` (e.g. "GeoLite2-City") into `dest`, replacing it
 * atomically once the new file opens as a MaxMind DB.  HK_OK, or a failure
 * with `err` saying why (never with the key); `dest` is then untouched. */
int hk_geoip_download(const hk_host *host, const hk_instance *inst,
                      const hk_geoip_dl *dl, const char *edition,
                      const char *dest, hk_error *err);

#endif /* HK_GEOIP_INTERNAL_H */
