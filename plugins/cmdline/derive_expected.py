#!/usr/bin/env python3
"""Independent derivation of the cmdline analyzer's hits, for its tests.

Reads conf/cmdline_rules.yaml with PyYAML, matches with Python's `re` on
bytes (IGNORECASE, the same patterns), decodes base64 with the `base64`
module and UTF-16LE with Python's codec -- none of the C code.  Prints one
line per hit: SourceIndex|RuleId|Offset|Decoded|Match, in the analyzer's
order (per row: layers breadth first, then offset, then rule order).

    derive_expected.py RULES.yaml FILE COLUMN      # FILE: .csv or .ndjson
"""
import base64
import csv
import json
import re
import sys

import yaml

csv.field_size_limit(1 << 30)

MIN_RUN, MIN_ENC, MAX_DEPTH, MAX_MATCH = 32, 8, 3, 512
B64 = re.compile(rb"[A-Za-z0-9+/]+")
ENC = re.compile(
    rb"(?:^|[\s\"'])(?:-|/|\xe2\x80[\x93-\x95])"
    rb"(?:ec|e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?"
    rb")?)?)?)?)?)?)\s+[\"']?([a-z0-9+/]{8,}={0,2})",
    re.I,
)


def load_rules(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return [
        (r["id"], [re.compile(p.encode(), re.I) for p in r["patterns"]])
        for r in doc["rules"]
    ]


def looks_utf16le(b):
    if len(b) < 4 or len(b) % 2:
        return False
    if b[:2] == b"\xff\xfe":
        return True
    hi = sum(1 for i in range(1, len(b), 2) if b[i] == 0)
    lo = sum(1 for i in range(0, len(b), 2) if b[i] == 0)
    return hi * 10 >= (len(b) // 2) * 9 and lo * 10 <= len(b) // 2


def is_text(b):
    if len(b) < 4 or 0 in b:
        return False
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    ctl = sum(1 for c in b if (c < 0x20 and c not in (9, 10, 13)) or c == 0x7F)
    return ctl * 20 <= len(b)


def decode_run(run):
    body = run.rstrip(b"=")
    if len(body) % 4 == 1:
        body = body[:-1]
    body += b"=" * (-len(body) % 4)
    try:
        raw = base64.b64decode(body, validate=True)
    except Exception:
        return None
    if looks_utf16le(raw):
        try:
            text = raw.decode("utf-16-le").lstrip("\ufeff").encode("utf-8")
        except UnicodeDecodeError:
            return None
        return text if is_text(text) else None
    return raw if is_text(raw) else None


def payloads(text):
    flagged = {m.start(1) for m in ENC.finditer(text)}
    for m in B64.finditer(text):
        s, e = m.span()
        if e - s < (MIN_ENC if s in flagged else MIN_RUN):
            continue
        end = e
        while end < len(text) and end - e < 2 and text[end : end + 1] == b"=":
            end += 1
        out = decode_run(text[s:end])
        if out is not None:
            yield out


def scan(rules, text):
    layers = [(text, 0)]
    hits = []
    i = 0
    while i < len(layers):
        t, depth = layers[i]
        for ri, (rid, pats) in enumerate(rules):
            best = None
            for p in pats:
                m = p.search(t)
                if m and (best is None or m.start() < best[0]):
                    best = (m.start(), m.end())
            if best:
                hits.append((i, best[0], ri, rid, depth, t[best[0] : best[1]]))
        if depth < MAX_DEPTH:
            for d in payloads(t):
                layers.append((d, depth + 1))
        i += 1
    hits.sort(key=lambda h: (h[0], h[1], h[2]))
    return hits


def cells(path, column):
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8-sig") as f:
            for i, row in enumerate(csv.DictReader(f)):
                yield i, row.get(column)
    else:
        with open(path, encoding="utf-8") as f:
            i = 0
            for line in f:
                if not line.strip():
                    continue
                yield i, json.loads(line).get(column)
                i += 1


def main():
    rules = load_rules(sys.argv[1])
    for idx, value in cells(sys.argv[2], sys.argv[3]):
        if not value:
            continue
        for _, off, _, rid, depth, m in scan(rules, value.encode("utf-8")):
            if len(m) > MAX_MATCH:
                cut = MAX_MATCH
                while cut > 0 and (m[cut] & 0xC0) == 0x80:
                    cut -= 1
                m = m[:cut] + b"..."
            print(f"{idx}|{rid}|{off}|{'true' if depth else 'false'}|"
                  f"{m.decode('utf-8', 'replace')}")


if __name__ == "__main__":
    main()
