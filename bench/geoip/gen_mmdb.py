#!/usr/bin/env python3
"""Write a GeoLite2-City-shaped MaxMind DB for benchmarking geoip_maxmind.

MaxMind's own test databases (tests/data/maxmind) hold a few hundred
networks; a lookup in them touches a shallow tree and tiny records, so they
say little about speed.  This writes, from a fixed seed (byte-identical
runs), a database laid out like the real GeoLite2-City: an IPv6 tree with
IPv4 under ::/96, 28-bit records, and City records with city, continent,
country, registered_country, subdivisions (names in the 8 GeoLite2
languages), location and postal code; 40,000 records over 15,000 cities;
keys and repeated values (a city's maps, a country's) stored once and
reached through pointers, as MaxMind's writer does.

Usage: gen_mmdb.py OUT.mmdb [--blocks N] [--addresses ADDRS.txt --count M]
  --blocks N      /16 blocks tiled with /18../24 networks (default 12000:
                  about 1.2 million networks, 1.3 million tree nodes; the
                  real GeoLite2-City has about 3.7 million nodes, IPv6
                  included)
  --addresses F   also write M addresses to look up (one per line): 90 %
                  inside the tiled networks, 10 % anywhere in 1.0.0.0/8 ..
                  223.255.255.255 (mostly not in the database)
Standard library only.  The format is MaxMind's published MMDB spec
(https://maxmind.github.io/MaxMind-DB/).
"""
import argparse
import json
import random
import struct
import sys

LANGS = ["de", "en", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"]


class Writer:
    """Data section with MaxMind-style deduplication via pointers."""

    def __init__(self):
        self.buf = bytearray()
        self.seen = {}

    @staticmethod
    def ctrl(type_id, size):
        out = bytearray()
        if size < 29:
            first = size
            extra = b""
        elif size < 29 + 256:
            first, extra = 29, bytes([size - 29])
        elif size < 285 + 65536:
            first, extra = 30, struct.pack(">H", size - 285)
        else:
            first, extra = 31, struct.pack(">I", size - 65821)[1:]
        if type_id <= 7:
            out.append((type_id << 5) | first)
        else:
            out.append(first)
            out.append(type_id - 7)
        out += extra
        return bytes(out)

    def pointer(self, off):
        if off < 2048:
            return bytes([0x20 | (0 << 3) | (off >> 8), off & 0xFF])
        off2 = off - 2048
        if off2 < 524288:
            return bytes([0x20 | (1 << 3) | (off2 >> 16)]) + struct.pack(
                ">H", off2 & 0xFFFF)
        off3 = off - 526336
        if off3 < 134217728:
            return bytes([0x20 | (2 << 3) | (off3 >> 24)]) + struct.pack(
                ">I", off3 & 0xFFFFFF)[1:]
        return bytes([0x20 | (3 << 3)]) + struct.pack(">I", off)

    def key(self, v):
        return json.dumps(v, sort_keys=True) + type(v).__name__

    def write(self, v, kind=None):
        """Append v (or a pointer to an earlier copy); returns its offset."""
        k = self.key(v) + (kind or "")
        if k in self.seen:
            self.buf += self.pointer(self.seen[k])
            return self.seen[k]
        off = len(self.buf)
        if isinstance(v, bool):
            self.buf += self.ctrl(14, 1 if v else 0)
        elif isinstance(v, str):
            b = v.encode()
            self.buf += self.ctrl(2, len(b)) + b
        elif isinstance(v, float):
            self.buf += self.ctrl(3, 8) + struct.pack(">d", v)
        elif isinstance(v, int):
            if kind == "uint16":
                b = v.to_bytes(2, "big").lstrip(b"\0")
                self.buf += self.ctrl(5, len(b)) + b
            elif kind == "uint64":
                b = v.to_bytes(8, "big").lstrip(b"\0")
                self.buf += self.ctrl(9, len(b)) + b
            else:
                b = v.to_bytes(4, "big").lstrip(b"\0")
                self.buf += self.ctrl(6, len(b)) + b
        elif isinstance(v, dict):
            self.buf += self.ctrl(7, len(v))
            for kk, vv in v.items():
                self.write(kk)
                self.write(vv, "uint16" if kk == "accuracy_radius" else None)
        elif isinstance(v, list):
            self.buf += self.ctrl(11, len(v))
            for item in v:
                self.write(item)
        else:
            raise TypeError(v)
        # Only values worth a pointer are remembered (a pointer costs 2-4
        # bytes; MaxMind's writer does the same).
        if len(self.buf) - off > 3:
            self.seen[k] = off
        return off


def names(rng, base):
    return {lang: f"{base}" if lang in ("en", "de", "es", "fr", "pt-BR")
            else f"{base}-{lang}" for lang in LANGS}


def make_records(rng, n_cities, n_records):
    continents = [("EU", "Europe"), ("NA", "North America"), ("AS", "Asia"),
                  ("SA", "South America"), ("AF", "Africa"),
                  ("OC", "Oceania")]
    countries = []
    for c in range(180):
        iso = chr(65 + c // 26) + chr(65 + c % 26)
        code, cname = continents[c % len(continents)]
        countries.append({
            "continent": {"code": code, "geoname_id": 6255000 + c % 6,
                          "names": names(rng, cname)},
            "country": {"geoname_id": 100000 + c, "iso_code": iso,
                        "names": names(rng, f"Country {iso}")},
            "tz": f"Zone/{iso}"})
    # Several records per city (postal codes, accuracy), sharing the
    # city's maps, as in GeoLite2-City: the writer stores a repeated map
    # once and points at it.
    cities = []
    for i in range(n_cities):
        c = countries[rng.randrange(len(countries))]
        cities.append((c, {"geoname_id": 2000000 + i,
                           "names": names(rng, f"City{i}")},
                       [{"geoname_id": 3000000 + i % 5000,
                         "iso_code": f"S{i % 97}",
                         "names": names(rng, f"Region{i % 5000}")}],
                       round(rng.uniform(-60, 70), 2),
                       round(rng.uniform(-180, 180), 2)))
    records = []
    for i in range(n_records):
        c, city, subs, lat, lon = cities[rng.randrange(len(cities))]
        rec = {
            "city": city,
            "continent": c["continent"],
            "country": c["country"],
            "location": {"accuracy_radius": rng.choice([1, 5, 10, 20, 50,
                                                        100, 500]),
                         "latitude": round(lat + rng.uniform(-0.1, 0.1), 4),
                         "longitude": round(lon + rng.uniform(-0.1, 0.1), 4),
                         "time_zone": c["tz"]},
            "postal": {"code": f"{rng.randrange(100000):05d}"},
            "registered_country": c["country"],
            "subdivisions": subs,
        }
        records.append(rec)
    return records


def tile(rng, block16, out):
    """Split a /16 into networks of /18../24, appended as (int, len)."""
    stack = [(block16 << 16, 16)]
    while stack:
        net, plen = stack.pop()
        if plen >= 18 and (plen == 24 or rng.random() < 0.25):
            out.append((net, plen))
        else:
            half = 1 << (32 - plen - 1)
            stack.append((net + half, plen + 1))
            stack.append((net, plen + 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--blocks", type=int, default=12000)
    ap.add_argument("--cities", type=int, default=15000)
    ap.add_argument("--records", type=int, default=40000)
    ap.add_argument("--addresses")
    ap.add_argument("--count", type=int, default=1000000)
    a = ap.parse_args()
    rng = random.Random(20240501)

    blocks = rng.sample([b for b in range(1 << 8, 224 << 8)
                         if (b >> 8) not in (10, 127, 100, 169, 172, 192, 198,
                                             203)], a.blocks)
    nets = []
    for b in sorted(blocks):
        tile(rng, b, nets)
    records = make_records(rng, a.cities, a.records)

    w = Writer()
    rec_off = {}
    # Tree: nodes as [left, right]; a child is ("n", index), ("d", record
    # index) or None.
    nodes = [[None, None]]
    node = 0
    for _ in range(96):  # ::/96 leads to the IPv4 space
        nodes.append([None, None])
        nodes[node][0] = ("n", len(nodes) - 1)
        node = len(nodes) - 1
    v4root = node
    assign = []
    for net, plen in nets:
        r = rng.randrange(len(records))
        assign.append(r)
        cur = v4root
        for bit in range(plen):
            side = (net >> (31 - bit)) & 1
            if bit == plen - 1:
                nodes[cur][side] = ("d", r)
            else:
                child = nodes[cur][side]
                if child is None:
                    nodes.append([None, None])
                    child = ("n", len(nodes) - 1)
                    nodes[cur][side] = child
                cur = child[1]
    n_nodes = len(nodes)
    for r in sorted(set(assign)):
        # Each record's top map is written afresh (it needs its own offset);
        # its parts are shared through pointers.
        rec = records[r]
        rec_off[r] = len(w.buf)
        w.buf += w.ctrl(7, len(rec))
        for kk, vv in rec.items():
            w.write(kk)
            w.write(vv)

    def rec_value(child):
        if child is None:
            return n_nodes
        if child[0] == "n":
            return child[1]
        return n_nodes + 16 + rec_off[child[1]]

    tree = bytearray()
    for left, right in nodes:
        lv, rv = rec_value(left), rec_value(right)
        assert lv < (1 << 28) and rv < (1 << 28), "28-bit records overflow"
        tree += lv.to_bytes(4, "big")[1:]
        tree.append(((lv >> 24) & 0xF) << 4 | ((rv >> 24) & 0xF))
        tree += rv.to_bytes(4, "big")[1:]

    # The metadata's integers have fixed types in the spec.
    meta = Writer()
    items = [("binary_format_major_version", 2, "uint16"),
             ("binary_format_minor_version", 0, "uint16"),
             ("build_epoch", 1714550000, "uint64"),
             ("database_type", "GeoLite2-City", None),
             ("description", {"en": "huntkit benchmark database (synthetic, "
                                    "GeoLite2-City layout)"}, None),
             ("ip_version", 6, "uint16"),
             ("languages", LANGS, None),
             ("node_count", n_nodes, None),
             ("record_size", 28, "uint16")]
    meta.buf += meta.ctrl(7, len(items))
    for k, v, kind in items:
        meta.write(k)
        meta.write(v, kind)
    m = bytes(meta.buf)

    with open(a.out, "wb") as f:
        f.write(tree)
        f.write(b"\0" * 16)
        f.write(w.buf)
        f.write(b"\xab\xcd\xefMaxMind.com")
        f.write(m)
    print(f"{a.out}: {len(nets)} networks, {n_nodes} nodes, "
          f"{len(set(assign))} records, data {len(w.buf)} bytes",
          file=sys.stderr)

    if a.addresses:
        with open(a.addresses, "w") as f:
            for _ in range(a.count):
                if rng.random() < 0.9:
                    net, plen = nets[rng.randrange(len(nets))]
                    ip = net + rng.randrange(1 << (32 - plen))
                else:
                    ip = rng.randrange(1 << 24, 224 << 24)
                f.write(f"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}."
                        f"{ip & 255}\n")


if __name__ == "__main__":
    main()
