#!/usr/bin/env python3
"""tests/servers/ti_services.py -- loopback simulator of five threat-intel
services, speaking their real paths, auth headers and reply shapes
(shared/reference/wire-formats.md 3.5-3.9):

  VirusTotal v3   GET /api/v3/{files,ip_addresses,domains,urls}/ID   x-apikey
  AlienVault OTX  GET /api/v1/indicators/TYPE/VALUE/SECTION          X-OTX-API-KEY
  IBM X-Force     GET /ipr/IP, /url/VALUE, /malware/HASH             Basic auth
  GreyNoise       GET /v3/community/IP                               key (optional)
  AbuseIPDB v2    GET /api/v2/check?ipAddress=IP&maxAgeInDays=N      Key

Payloads come from tests/data/ti/<service>.json (invented values shaped as
wire-formats.md shows) and, for VirusTotal files and the URL
http://218.54.47.77/, from MSTICPy's vt3_file_1.json / vt3_url_0.json
wrapped in {"data": ...}.  An IoC the data does not know gets the
service's own "unknown" answer: 404 (VirusTotal, X-Force, GreyNoise "not
observed"), an empty OTX record, an AbuseIPDB record with no reports.

Misbehaviour on demand, by a path prefix in the client's base URL
(http://127.0.0.1:PORT/_mode/MODE/api/v3) or, for domains and URLs, by
the IoC's host name MODE.mode.example (e.g. 429-retry.mode.example):
  401 403 404 402 500 503  that status with the service's error body
  429                      the service's rate-limit body, no Retry-After
  429-retry                the same with Retry-After: 1 (AbuseIPDB also
                           sends its X-RateLimit-* headers)
  400                      the service's "invalid value" answer (AbuseIPDB:
                           422, its status for a bad ipAddress)
  truncated                the normal 200 body cut in half, Content-Length
                           matching the cut body (a complete HTTP reply)
  cut                      Content-Length of the whole body, half of it
                           sent, then the connection is closed
  malformed                200 with broken JSON
  html                     200 with an HTML page (a captive portal)
  empty                    200 with an empty body
  wrongshape               200 with valid JSON of the wrong shape
  slow                     the normal reply after --slow seconds
  noauth                   the normal reply even without credentials

Every request is appended to --log as one JSON line when it is answered
(`time` is when it arrived): time, method, path, service, ioc, mode, auth
(ok|missing|wrong, or none for keyless GreyNoise use), accept, user_agent,
status.
The port is printed on stdout once the server listens (127.0.0.1:0 unless
--port is given).  Python 3 standard library only.
"""
import argparse
import base64
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "data")

MODES = {"401", "402", "403", "404", "500", "503", "429", "429-retry", "400",
         "truncated", "cut", "malformed", "html", "empty", "wrongshape",
         "slow", "noauth"}


def load(name):
    with open(os.path.join(DATA, "ti", name), encoding="utf-8") as f:
        return json.load(f)


def load_fixture(name):
    with open(os.path.join(DATA, "msticpy", name), encoding="utf-8") as f:
        return {"data": json.load(f)}


class Services:
    """The five services' data and answers."""

    def __init__(self, args):
        self.key = args.key
        self.password = args.password
        self.vt = load("virustotal.json")
        self.otx = load("otx.json")
        self.xf = load("xforce.json")
        self.gn = load("greynoise.json")
        self.abuse = load("abuseipdb.json")
        vt_file = load_fixture("vt3_file_1.json")
        attrs = vt_file["data"]["attributes"]
        self.vt["files"] = {attrs[h]: vt_file for h in ("md5", "sha1", "sha256")}
        vt_url = load_fixture("vt3_url_0.json")
        self.vt["urls"][vt_url["data"]["attributes"]["url"]] = vt_url
        # VirusTotal URL ids: unpadded URL-safe base64 of the URL, or its
        # SHA-256 (the object id).
        self.vt_url_ids = {}
        for url, obj in self.vt["urls"].items():
            b64 = base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode()
            self.vt_url_ids[b64] = obj
            self.vt_url_ids[hashlib.sha256(url.encode()).hexdigest()] = obj

    # -- auth ----------------------------------------------------------
    def auth(self, service, headers):
        if service == "virustotal":
            got = headers.get("x-apikey")
        elif service == "otx":
            got = headers.get("X-OTX-API-KEY")
        elif service == "xforce":
            a = headers.get("Authorization")
            if a is None:
                return "missing"
            want = "Basic " + base64.b64encode(
                (self.key + ":" + self.password).encode()).decode()
            return "ok" if a == want else "wrong"
        elif service == "greynoise":
            got = headers.get("key")
            if got is None:
                return "none"  # keyless community use is allowed
        else:
            got = headers.get("Key")
        if got is None:
            return "missing"
        return "ok" if got == self.key else "wrong"

    # -- routing -------------------------------------------------------
    @staticmethod
    def route(path, query):
        """(service, kind, ioc) for a request path, or None."""
        parts = path.split("/")
        if path.startswith("/api/v3/") and len(parts) == 5:
            return "virustotal", parts[3], urllib.parse.unquote(parts[4])
        if path.startswith("/api/v1/indicators/") and len(parts) == 7:
            return "otx", parts[4] + "/" + parts[6], urllib.parse.unquote(parts[5])
        if path.startswith("/v3/community/") and len(parts) == 4:
            return "greynoise", "community", urllib.parse.unquote(parts[3])
        if path == "/api/v2/check":
            q = urllib.parse.parse_qs(query)
            return "abuseipdb", "check", q.get("ipAddress", [""])[0]
        for kind in ("ipr", "url", "malware"):
            if path.startswith("/" + kind + "/") and len(parts) == 3:
                return "xforce", kind, urllib.parse.unquote(parts[2])
        return None

    # -- error bodies, per service -------------------------------------
    def error(self, service, status, ioc, auth_state="wrong"):
        """(status, body object, extra headers) of an error reply."""
        hdr = {}
        if service == "virustotal":
            code = {400: "InvalidArgumentError", 401: "WrongCredentialsError",
                    402: "ForbiddenError", 403: "ForbiddenError",
                    404: "NotFoundError", 429: "QuotaExceededError",
                    500: "InternalError", 503: "TransientError"}[status]
            msg = {400: "Invalid IP address: %s" % ioc,
                   401: "Wrong API key",
                   403: "You are not allowed to perform the requested operation",
                   404: "Resource \"%s\" not found" % ioc,
                   429: "Quota exceeded",
                   500: "Internal error",
                   503: "Transient error, please try again later"}.get(status, "Error")
            if status == 401 and auth_state == "missing":
                code, msg = "AuthenticationRequiredError", "X-Apikey header is missing"
            return status, {"error": {"code": code, "message": msg}}, hdr
        if service == "otx":
            msg = {400: "Invalid indicator", 401: "Authentication required",
                   403: "Authentication credentials were not provided.",
                   404: "Not found.", 429: "Request was throttled."}.get(status, "Server Error")
            return status, {"detail": msg}, hdr
        if service == "xforce":
            msg = {400: "Bad parameter", 401: "Not authorized.", 402: "Payment Required: monthly quota exceeded",
                   403: "Forbidden", 404: "Not found.", 429: "Too many requests"}.get(status, "Internal Server Error")
            return status, {"error": msg}, hdr
        if service == "greynoise":
            if status == 404:
                return 404, {"ip": ioc, "noise": False, "riot": False,
                             "message": "IP not observed scanning the internet or contained in RIOT data set."}, hdr
            if status == 429:
                return 429, {"plan": "community", "rate-limit": "10-lookups/day",
                             "plan_url": "https://greynoise.io/pricing",
                             "message": "You have hit your daily rate limit of 10 requests per day."}, hdr
            msg = {400: "Request is not a valid routable IPv4 address",
                   401: "Authentication failed: invalid API key",
                   403: "Forbidden"}.get(status, "Internal server error")
            return status, {"message": msg}, hdr
        # abuseipdb
        if status == 400:
            status = 422
        detail = {401: "Authentication failed. Your API key is either missing, incorrect, or revoked. "
                       "Note: The APIv2 key differs from the APIv1 key.",
                  403: "Forbidden",
                  404: "Not Found",
                  422: "The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or "
                       "2001:4860:4860::8888).",
                  429: "Daily rate limit of 1000 requests exceeded for this endpoint. See headers "
                       "for additional details."}.get(status, "Server Error")
        err = {"detail": detail, "status": status}
        if status == 422:
            err["source"] = {"parameter": "ipAddress"}
        if status == 429:
            hdr.update({"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": str(int(time.time()) + 3600)})
        return status, {"errors": [err]}, hdr

    # -- normal answers ------------------------------------------------
    def answer(self, service, kind, ioc):
        """(status, body object) of the normal reply."""
        if service == "virustotal":
            if kind == "urls":
                obj = self.vt_url_ids.get(ioc)
            elif kind in ("files",):
                obj = self.vt["files"].get(ioc.lower())
            elif kind in self.vt:
                obj = self.vt[kind].get(ioc)
            else:
                obj = None
            if obj is None:
                return self.error(service, 404, ioc)[:2]
            return 200, obj
        if service == "otx":
            ind_type, section = kind.split("/")
            if section != "general":
                return 404, {"detail": "Not found."}
            obj = self.otx.get(ind_type, {}).get(ioc)
            if obj is None:
                obj = {"indicator": ioc, "type": ind_type, "type_title": ind_type,
                       "pulse_info": {"count": 0, "pulses": [], "references": [],
                                      "related": {"alienvault": {}, "other": {}}},
                       "false_positive": [], "validation": [],
                       "sections": ["general", "geo", "reputation", "url_list", "passive_dns"]}
            return 200, obj
        if service == "xforce":
            obj = self.xf[kind].get(ioc.lower() if kind == "malware" else ioc)
            if obj is None:
                return 404, {"error": "Not found."}
            return 200, obj
        if service == "greynoise":
            obj = self.gn["community"].get(ioc)
            if obj is None:
                return self.error(service, 404, ioc)[:2]
            return 200, obj
        obj = self.abuse["check"].get(ioc)
        if obj is None:
            obj = {"data": {"ipAddress": ioc, "isPublic": True, "ipVersion": 6 if ":" in ioc else 4,
                            "isWhitelisted": None, "abuseConfidenceScore": 0, "countryCode": None,
                            "usageType": None, "isp": None, "domain": None, "hostnames": [],
                            "isTor": False, "totalReports": 0, "numDistinctUsers": 0,
                            "lastReportedAt": None}}
        return 200, obj


def mode_of_ioc(ioc):
    """MODE from a host name MODE.mode.example inside a domain or URL."""
    host = ioc
    if "://" in host:
        host = urllib.parse.urlsplit(host).hostname or ""
    if host.endswith(".mode.example"):
        m = host[: -len(".mode.example")]
        if m in MODES:
            return m
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ti-services/1.0"

    def log_message(self, fmt, *args):  # quiet: the JSON log says it all
        pass

    def do_GET(self):
        srv = self.server
        path, _, query = self.path.partition("?")
        mode = None
        if path.startswith("/_mode/"):
            parts = path.split("/", 3)
            mode = parts[2]
            path = "/" + (parts[3] if len(parts) > 3 else "")
        route = Services.route(path, query)
        entry = {"time": round(time.time(), 6), "method": "GET", "path": self.path,
                 "service": None, "ioc": None, "mode": mode, "auth": None,
                 "accept": self.headers.get("Accept"),
                 "user_agent": self.headers.get("User-Agent"), "status": None}
        if route is None:
            self.reply(404, "application/json", b'{"error": "no such endpoint"}', {}, entry)
            return
        service, kind, ioc = route
        entry.update(service=service, ioc=ioc)
        if mode is None:
            mode = mode_of_ioc(ioc)
            entry["mode"] = mode
        if mode is not None and mode not in MODES:
            self.reply(400, "text/plain", b"unknown mode\n", {}, entry)
            return
        auth = srv.services.auth(service, self.headers)
        entry["auth"] = auth
        if auth not in ("ok", "none") and mode != "noauth":
            status = 403 if service == "otx" else 401
            st, body, hdr = srv.services.error(service, status, ioc, auth)
            self.reply_json(st, body, hdr, entry)
            return
        if mode is None or mode in ("slow", "noauth", "truncated", "cut",
                                    "wrongshape"):
            status, body = srv.services.answer(service, kind, ioc)
            if mode == "slow":
                time.sleep(srv.slow)
            if mode == "wrongshape":
                self.reply_json(200, ["unexpected", "array"], {}, entry)
            elif mode in ("truncated", "cut"):
                raw = json.dumps(body).encode()
                half = raw[: len(raw) // 2]
                self.reply(status, "application/json", half, {}, entry,
                           content_length=len(raw) if mode == "cut" else None)
            else:
                self.reply_json(status, body, {}, entry)
            return
        if mode == "malformed":
            self.reply(200, "application/json",
                       b'{"data": {"id": "x", "attributes": {"last_analysis_stats": '
                       b'{"malicious": 3,, "harmless": }}}\n', {}, entry)
        elif mode == "html":
            self.reply(200, "text/html",
                       b"<html><head><title>Sign in to the network</title></head>"
                       b"<body>Accept the terms to continue.</body></html>\n", {}, entry)
        elif mode == "empty":
            self.reply(200, "application/json", b"", {}, entry)
        elif mode in ("500", "503"):
            st, body, hdr = srv.services.error(service, int(mode), ioc)
            if service == "xforce" or service == "otx":
                self.reply(st, "text/html", b"<html><body><h1>Server Error</h1></body></html>\n",
                           hdr, entry)
            else:
                self.reply_json(st, body, hdr, entry)
        else:
            status = int(mode.split("-")[0])
            st, body, hdr = srv.services.error(service, status, ioc)
            if mode == "429-retry":
                hdr["Retry-After"] = "1"
            self.reply_json(st, body, hdr, entry)

    def reply_json(self, status, body, headers, entry):
        self.reply(status, "application/json", json.dumps(body).encode(), headers, entry)

    def reply(self, status, ctype, data, headers, entry, content_length=None):
        entry["status"] = status
        self.server.write_log(entry)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length",
                         str(len(data) if content_length is None else content_length))
        for k, v in headers.items():
            self.send_header(k, v)
        if content_length is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout test): nothing to say.
            self.close_connection = True
        if content_length is not None:
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Clients open many connections at once; the default backlog of 5
    # drops SYNs and turns into client-side connect timeouts.
    request_queue_size = 128

    def __init__(self, addr, args):
        super().__init__(addr, Handler)
        self.services = Services(args)
        self.slow = args.slow
        self.log_lock = threading.Lock()
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None

    def handle_error(self, request, client_address):
        # A client that hangs up mid-reply is part of the tests, not an
        # error worth a traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def write_log(self, entry):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log_file.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--key", default="test-key", help="the API key every service accepts")
    ap.add_argument("--password", default="test-password",
                    help="X-Force API password (Basic auth with --key)")
    ap.add_argument("--slow", type=float, default=3.0,
                    help="seconds the 'slow' mode waits before answering")
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
