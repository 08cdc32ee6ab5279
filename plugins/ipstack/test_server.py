#!/usr/bin/env python3
"""Loopback stand-in for api.ipstack.com (tests only; stdlib only).

Usage: test_server.py [LOG]
Binds 127.0.0.1 on a free port, prints the port on the first line of stdout
and serves GET /<ip>?access_key=KEY&... until killed.  Replies follow the
documented ipstack JSON: a location object on success, and
{"success": false, "error": {"code", "type", "info"}} with HTTP 200 on API
errors.

access_key:  good      normal answers (below)
             k101      101 invalid_access_key
             k102      102 inactive_user
             k104      104 usage_limit_reached
             k105      105 https_access_restricted
(Key names that are not words of ipstack's messages: the host masks a
secret's value wherever it appears in a message.)
addresses (with key good):
  134.201.250.155  the documentation's example (paid plan: time zone, ASN)
  89.160.20.128    a free-plan answer (no time_zone / connection), UTF-8
  2a02:cf40::1     an IPv6 answer
  9.9.9.1  HTTP 500        9.9.9.2  truncated JSON   9.9.9.3  an HTML page
  9.9.9.4  HTTP 429 + Retry-After: 1                 9.9.9.5  replies after 3 s
  9.9.9.6  HTTP 401        9.9.9.7  HTTP 403          9.9.9.8  every field null
  9.9.9.9  106 invalid_ip_address
  anything else: every field null (ipstack's answer for unknown space)

Every request line is appended to LOG with the access_key value replaced
by its length, so tests can check what was sent without storing keys.
"""
import http.server
import json
import re
import sys
import time
import urllib.parse

LOG = sys.argv[1] if len(sys.argv) > 1 else None

DOC_EXAMPLE = {
    "ip": "134.201.250.155", "type": "ipv4", "continent_code": "NA",
    "continent_name": "North America", "country_code": "US",
    "country_name": "United States", "region_code": "CA",
    "region_name": "California", "city": "Los Angeles", "zip": "90013",
    "latitude": 34.0655, "longitude": -118.2405,
    "location": {"geoname_id": 5368361, "capital": "Washington D.C.",
                 "languages": [{"code": "en", "name": "English",
                                "native": "English"}],
                 "country_flag": "https://assets.ipstack.com/flags/us.svg",
                 "calling_code": "1", "is_eu": False},
    "time_zone": {"id": "America/Los_Angeles",
                  "current_time": "2018-03-29T07:35:08-07:00",
                  "gmt_offset": -25200, "code": "PDT",
                  "is_daylight_saving": True},
    "currency": {"code": "USD", "name": "US Dollar", "plural": "US dollars",
                 "symbol": "$", "symbol_native": "$"},
    "connection": {"asn": 25876,
                   "isp": "Los Angeles Department of Water & Power"},
}
FREE_PLAN = {
    "ip": "89.160.20.128", "type": "ipv4", "continent_code": "EU",
    "continent_name": "Europe", "country_code": "SE", "country_name": "Sweden",
    "region_code": "E", "region_name": "\u00d6sterg\u00f6tland",
    "city": "Link\u00f6ping", "zip": "582 22", "latitude": 58.4167,
    "longitude": 15.6167,
    "location": {"geoname_id": 2694762, "capital": "Stockholm",
                 "languages": [{"code": "sv", "name": "Swedish",
                                "native": "Svenska"}],
                 "country_flag": "https://assets.ipstack.com/flags/se.svg",
                 "calling_code": "46", "is_eu": True},
}
IPV6 = {
    "ip": "2a02:cf40::1", "type": "ipv6", "continent_code": "EU",
    "continent_name": "Europe", "country_code": "NO", "country_name": "Norway",
    "region_code": None, "region_name": None, "city": None, "zip": None,
    "latitude": 62.0, "longitude": 10.0,
    "location": {"geoname_id": None, "capital": "Oslo", "languages": [],
                 "calling_code": "47", "is_eu": False},
}
ERRORS = {
    "k101": (101, "invalid_access_key",
                "You have not supplied a valid API Access Key. [Technical "
                "Support: support@apilayer.com]"),
    "k102": (102, "inactive_user",
                 "The current user account is not active. User will be "
                 "prompted to get in touch with Customer Support."),
    "k104": (104, "usage_limit_reached",
              "Your monthly usage limit has been reached. Please upgrade "
              "your Subscription Plan."),
    "k105": (105, "https_access_restricted",
              "Access Restricted - Your current Subscription Plan does not "
              "support HTTPS Encryption."),
}


def null_answer(ip):
    keys = ["continent_code", "continent_name", "country_code",
            "country_name", "region_code", "region_name", "city", "zip",
            "latitude", "longitude"]
    d = {"ip": ip, "type": "ipv6" if ":" in ip else "ipv4"}
    d.update({k: None for k in keys})
    d["location"] = {"geoname_id": None, "capital": None, "languages": None,
                     "country_flag": None, "calling_code": None,
                     "is_eu": None}
    return d


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="application/json", extra=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        key = q.get("access_key", [""])[0]
        if LOG:
            logged = re.sub(r"access_key=[^&]*",
                            f"access_key=<{len(key)} chars>", self.path)
            with open(LOG, "a") as f:
                f.write(f"GET {logged}\n")
        ip = urllib.parse.unquote(url.path.lstrip("/"))
        if key in ERRORS:
            code, typ, info = ERRORS[key]
            return self.reply(200, {"success": False, "error": {
                "code": code, "type": typ, "info": info}})
        if key != "good":
            return self.reply(200, {"success": False, "error": {
                "code": 101, "type": "missing_access_key",
                "info": "You have not supplied an API Access Key."}})
        if ip == "9.9.9.1":
            return self.reply(500, b"Internal Server Error\n", "text/plain")
        if ip == "9.9.9.2":
            return self.reply(200, json.dumps(DOC_EXAMPLE).encode()[:120])
        if ip == "9.9.9.3":
            return self.reply(200, b"<html><body>Bad gateway</body></html>",
                              "text/html")
        if ip == "9.9.9.4":
            return self.reply(429, {"message": "Too many requests"},
                              extra=[("Retry-After", "1")])
        if ip == "9.9.9.5":
            time.sleep(3)
            return self.reply(200, null_answer(ip))
        if ip == "9.9.9.6":
            return self.reply(401, {"message": "Unauthorized"})
        if ip == "9.9.9.7":
            return self.reply(403, {"message": "Forbidden"})
        if ip == "9.9.9.9":
            return self.reply(200, {"success": False, "error": {
                "code": 106, "type": "invalid_ip_address",
                "info": "The IP Address supplied is invalid."}})
        answers = {"134.201.250.155": DOC_EXAMPLE, "89.160.20.128": FREE_PLAN,
                   "2a02:cf40::1": IPV6}
        return self.reply(200, answers.get(ip) or null_answer(ip))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
