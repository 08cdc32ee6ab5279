#!/usr/bin/env python3
"""plugins/otrf/test_server.py -- a loopback file server for the otrf tests.

    python3 test_server.py ROOT [--log FILE]

Listens on 127.0.0.1 on a free port and prints that port on the first line
of standard output.  GET /PATH serves ROOT/PATH, the way raw.githubusercontent.com
serves the Security-Datasets repository; anything else is a 404.  Damaged
replies on demand, for the error paths:

    /truncated/PATH  a complete 200 reply holding only the first half of the
                     file (the download succeeds, the zip is cut short)
    /cut/PATH        headers announcing the whole file, half the body, then
                     the connection is closed (the download itself fails)
    /status/CODE/PATH  an empty reply with that status (500, 403, ...)

Each request is appended to the --log file as "METHOD PATH" so tests can
count what was fetched.  Python's standard library only; stops on SIGTERM.
"""
import http.server
import os
import posixpath
import signal
import sys
import urllib.parse


def main():
    args = sys.argv[1:]
    log = None
    if "--log" in args:
        i = args.index("--log")
        log = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        sys.stderr.write("usage: test_server.py ROOT [--log FILE]\n")
        return 2
    root = os.path.realpath(args[0])

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet: the tests read --log
            pass

        def local_file(self, rel):
            rel = urllib.parse.unquote(rel.split("?", 1)[0])
            path = os.path.realpath(os.path.join(root, rel.lstrip("/")))
            if not path.startswith(root + os.sep) or not os.path.isfile(path):
                return None
            return path

        def reply(self, status, body=b"", length=None):
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            if log:
                with open(log, "a") as f:
                    f.write("%s %s\n" % (self.command, self.path))
            parts = posixpath.normpath(self.path).lstrip("/").split("/")
            mode = None
            if parts and parts[0] in ("truncated", "cut"):
                mode, rel = parts[0], "/".join(parts[1:])
            elif len(parts) > 2 and parts[0] == "status" and parts[1].isdigit():
                self.reply(int(parts[1]))
                return
            else:
                rel = "/".join(parts)
            path = self.local_file(rel)
            if path is None:
                self.reply(404, b"404: Not Found")
                return
            with open(path, "rb") as f:
                data = f.read()
            if mode == "truncated":
                self.reply(200, data[: len(data) // 2])
            elif mode == "cut":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
            else:
                self.reply(200, data)

        do_HEAD = do_GET

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
