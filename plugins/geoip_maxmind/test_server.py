#!/usr/bin/env python3
"""Loopback stand-in for MaxMind's database downloads (tests only; stdlib).

Usage: test_server.py MMDB_DIR [LOG]
Binds 127.0.0.1 on a free port, prints the port on the first line of stdout
and serves until killed.  The archives are built here, at start, from
MaxMind's test databases in MMDB_DIR, laid out as MaxMind ships them:
EDITION_YYYYMMDD/EDITION.mmdb plus COPYRIGHT.txt and LICENSE.txt, tar.gz.

  GET /geoip/databases/EDITION/download?suffix=tar.gz   (HTTP Basic auth
      42:goodkey) -> 302 to /storage/EDITION.tar.gz, like MaxMind's
      redirect to its object storage; wrong or no credentials -> 401
  GET /app/geoip_download?edition_id=EDITION&license_key=goodkey&suffix=tar.gz
      (the legacy scheme) -> the archive; another key -> 401

Editions: GeoLite2-City, GeoLite2-Country, GeoLite2-ASN (the test
databases); Truncated-City (the City archive cut in half); Cut-City (300 kB
of padding, then the database, cut 3000 bytes before the end, inside the
database's data); NoMmdb-City (an
archive without the .mmdb); Corrupt-City (its .mmdb is not a database);
Evil-City (the .mmdb stored as ../../../Evil-City.mmdb); Denied-City (403);
Limited-City (429); anything else 404.

Each request is appended to LOG as "GET <path> auth=<user or ->", with the
license_key value replaced by its length.
"""
import base64
import http.server
import io
import os
import random
import re
import sys
import tarfile
import urllib.parse

MMDB_DIR = sys.argv[1]
LOG = sys.argv[2] if len(sys.argv) > 2 else None
GOOD_BASIC = "42:goodkey"
GOOD_KEY = "goodkey"


def make_archive(edition, mmdb_bytes, member=None, extra_only=False,
                 padding=0):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        folder = f"{edition}_20240501"
        files = [(f"{folder}/COPYRIGHT.txt", b"Database and Contents "
                  b"Copyright (c) 2024 MaxMind, Inc.\n"),
                 (f"{folder}/LICENSE.txt", b"test data, see MaxMind-DB\n")]
        if not extra_only:
            files.insert(0, (member or f"{folder}/{edition}.mmdb", mmdb_bytes))
        if padding:
            # Incompressible bytes first, so a reader is well into the
            # stream before it reaches the database.
            files.insert(0, (f"{folder}/README.bin",
                             random.Random(1).randbytes(padding)))
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1714550000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def read(name):
    with open(os.path.join(MMDB_DIR, name), "rb") as f:
        return f.read()


CITY = read("GeoLite2-City-Test.mmdb")
ARCHIVES = {
    "GeoLite2-City": make_archive("GeoLite2-City", CITY),
    "GeoLite2-Country": make_archive("GeoLite2-Country",
                                     read("GeoLite2-Country-Test.mmdb")),
    "GeoLite2-ASN": make_archive("GeoLite2-ASN",
                                 read("GeoLite2-ASN-Test.mmdb")),
    "NoMmdb-City": make_archive("NoMmdb-City", b"", extra_only=True),
    "Corrupt-City": make_archive("Corrupt-City", b"not a MaxMind DB\n" * 64),
    "Evil-City": make_archive("Evil-City", CITY,
                              member="../../../Evil-City.mmdb"),
}
full = make_archive("Truncated-City", CITY)
ARCHIVES["Truncated-City"] = full[: len(full) // 2]
# Cut near the end: the headers read fine, the data runs out.
ARCHIVES["Cut-City"] = make_archive("Cut-City", CITY, padding=300000)[:-3000]
STATUS = {"Denied-City": 403, "Limited-City": 429}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="text/plain", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def basic_user(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return None
        try:
            return base64.b64decode(h[6:]).decode()
        except Exception:
            return "?"

    def send_edition(self, edition):
        if edition in STATUS:
            return self.reply(STATUS[edition], b"refused\n")
        if edition not in ARCHIVES:
            return self.reply(404, b"Database edition not found\n")
        return self.reply(200, ARCHIVES[edition], "application/gzip")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        cred = self.basic_user()
        if LOG:
            logged = re.sub(r"license_key=[^&]*",
                            lambda m: f"license_key=<{len(m.group(0)) - 12}>",
                            self.path)
            user = cred.split(":", 1)[0] if cred else "-"
            with open(LOG, "a") as f:
                f.write(f"GET {logged} auth={user}\n")
        m = re.fullmatch(r"/geoip/databases/([^/]+)/download", url.path)
        if m:
            if cred != GOOD_BASIC:
                return self.reply(401, b"Invalid account ID or license key\n")
            return self.reply(302, b"", extra=[
                ("Location", f"/storage/{m.group(1)}.tar.gz?X-Sig=abc")])
        m = re.fullmatch(r"/storage/([^/]+)\.tar\.gz", url.path)
        if m:
            return self.send_edition(m.group(1))
        if url.path == "/app/geoip_download":
            if q.get("license_key", [""])[0] != GOOD_KEY:
                return self.reply(401, b"Invalid license key\n")
            return self.send_edition(q.get("edition_id", [""])[0])
        return self.reply(404, b"not found\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
