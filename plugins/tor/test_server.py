#!/usr/bin/env python3
"""Loopback stand-in for check.torproject.org (tests only; stdlib only).

Usage: test_server.py DIR [LOG]
Binds 127.0.0.1 on a free port, prints the port on the first line of stdout
and serves until killed:

  /exit-addresses     DIR/test-exit-addresses (the exit-addresses format)
  /bulk               DIR/test-bulk-exit-list (one address per line)
  /status/CODE        an HTTP CODE reply with a short text body
  /html               200 with an HTML page (a captive portal, say)
  /truncated          200 announcing more bytes than it sends, then closing

Every request line is appended to LOG (when given), so tests can check
what the client really asked for.
"""
import http.server
import os
import sys

ROOT = sys.argv[1]
LOG = sys.argv[2] if len(sys.argv) > 2 else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if LOG:
            with open(LOG, "a") as f:
                f.write(f"GET {self.path}\n")
        path = self.path.split("?", 1)[0]
        files = {"/exit-addresses": "test-exit-addresses",
                 "/bulk": "test-bulk-exit-list"}
        if path in files:
            with open(os.path.join(ROOT, files[path]), "rb") as f:
                self.reply(200, f.read())
        elif path.startswith("/status/"):
            code = int(path[len("/status/"):])
            self.reply(code, f"status {code}\n".encode())
        elif path == "/html":
            self.reply(200, b"<html><body>Please log in</body></html>\n",
                       "text/html")
        elif path == "/truncated":
            body = b"ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body) * 10))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
        else:
            self.reply(404, b"not found\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
