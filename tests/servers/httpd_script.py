#!/usr/bin/env python3
"""httpd_script.py -- a loopback HTTP server that replies from a script and
logs every request with its arrival time, for the tests and the benchmark
of the host's HTTP service.

    httpd_script.py --script S.json --log LOG --port-file PORT [--port N]

Binds 127.0.0.1 only (port 0 = any free one, written to --port-file once
listening).  HTTP/1.1 with keep-alive; one asyncio loop serves every
connection, so delays cost no CPU and a loaded machine still serves
hundreds of requests a second.

The script (JSON):

    {"default": REPLY,
     "routes": [{"path": "/exact/path", "replies": [REPLY, REPLY, ...]},
                {"prefix": "/lookup/dns/", "replies": [REPLY]}]}

The first route whose path equals (or prefix starts) the request path
(without the query string) answers; its n-th request gets the n-th reply
and the last one repeats.  No route: "default" (or 404).

REPLY keys (all optional):
    status    HTTP status (200)
    headers   {"Name": "value"}; "Retry-After": "@+N" becomes the
              HTTP-date N seconds from now
    body      text; {value} is the last path segment (URL-decoded), {n} the
              request count of that path, {score} a number 0..9 derived
              from {value}
    delay     seconds to wait before replying (a slow server)
    truncate  send a Content-Length N bytes larger than the body, the body,
              then close (a truncated reply)
    close     true: close the connection without replying

The log gets one JSON object per line and is flushed at once:
    {"event": "request", "t": ARRIVAL, "wall": EPOCH, "method": ...,
     "path": ..., "query": ..., "target": REQUEST-TARGET (absolute when
     the client took this server for a proxy), "n": COUNT, "peer": "IP:PORT",
     "headers": {...}, "body": ...}
when a request has arrived, and {"event": "done", "t": ..., "path": ...,
"status": ...} once its reply was sent ("t": when sending began).  "t" is the time the kernel
received the request's first bytes (SO_TIMESTAMPNS, the real-time clock),
so a server process that the scheduler holds back for a moment on a busy
machine still logs when each request really came; where the kernel gives
no timestamp it is time.time() when read.  Compare "t" values with each
other only.
"""

import argparse
import asyncio
import email.utils
import json
import os
import signal
import socket
import struct
import time
import urllib.parse


class State:
    def __init__(self, script, log_path):
        self.script = script
        self.counts = {}
        self.log = open(log_path, "a", buffering=1)

    def next_reply(self, path):
        n = self.counts.get(path, 0) + 1
        self.counts[path] = n
        for route in self.script.get("routes", []):
            if route.get("path") == path or (
                "prefix" in route and path.startswith(route["prefix"])
            ):
                replies = route.get("replies") or [{}]
                return n, replies[min(n, len(replies)) - 1]
        return n, self.script.get("default", {"status": 404, "body": ""})

    def write(self, obj):
        self.log.write(json.dumps(obj, sort_keys=True) + "\n")


def expand(text, value, n):
    score = sum(value.encode()) % 10
    return (
        text.replace("{value}", value)
        .replace("{n}", str(n))
        .replace("{score}", str(score))
    )


REASONS = {200: "OK", 204: "No Content", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           422: "Unprocessable Entity", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


# Linux: per-packet receive timestamps (struct timespec) as ancillary data.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


async def readable(loop, sock):
    fut = loop.create_future()
    fd = sock.fileno()
    loop.add_reader(fd, lambda: fut.done() or fut.set_result(None))
    try:
        await fut
    finally:
        loop.remove_reader(fd)


async def recv_stamped(loop, sock):
    """Bytes from the socket and the kernel's arrival time of the first."""
    while True:
        try:
            data, anc, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(16))
        except (BlockingIOError, InterruptedError):
            await readable(loop, sock)
            continue
        stamp = None
        for level, kind, raw in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and \
                    len(raw) >= 16:
                sec, nsec = struct.unpack("qq", raw[:16])
                stamp = sec + nsec / 1e9
        return data, stamp if stamp is not None else time.time()


async def handle(state, sock, peer):
    """One connection: requests one after the other (HTTP/1.1 keep-alive).
    One asyncio loop for all connections rather than a thread each: a
    loaded machine still serves hundreds of requests a second, and delays
    cost no CPU."""
    loop = asyncio.get_running_loop()
    buf, buf_t = b"", None
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data, t = await recv_stamped(loop, sock)
                if not data:
                    return
                if not buf:
                    buf_t = t
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            arrived = buf_t
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length") or 0)
            while len(buf) < length:
                data, t = await recv_stamped(loop, sock)
                if not data:
                    return
                buf += data
            body_in, buf = buf[:length], buf[length:]
            buf_t = time.time() if buf else None  # a pipelined next request
            split = urllib.parse.urlsplit(target)
            path = split.path
            n, reply = state.next_reply(path)
            state.write({
                "event": "request",
                "t": arrived,
                "wall": time.time(),
                "method": method,
                "path": path,
                "query": split.query,
                "target": target,
                "n": n,
                "peer": peer,
                "headers": headers,
                "body": body_in.decode("utf-8", "replace"),
            })
            if reply.get("delay"):
                await asyncio.sleep(float(reply["delay"]))
            if reply.get("close"):
                state.write({"event": "done", "t": time.time(),
                             "path": path, "status": 0})
                return
            value = urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1])
            status = int(reply.get("status", 200))
            body = expand(reply.get("body", ""), value, n).encode()
            out = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
            given = {k.lower() for k in reply.get("headers") or {}}
            for k, v in (reply.get("headers") or {}).items():
                if k.lower() == "retry-after" and str(v).startswith("@+"):
                    v = email.utils.formatdate(time.time() + float(v[2:]),
                                               usegmt=True)
                out.append("%s: %s" % (k, v))
            if "content-type" not in given:
                out.append("Content-Type: application/json")
            extra = int(reply.get("truncate", 0))
            out.append("Content-Length: %d" % (len(body) + extra))
            out.append("Date: " + email.utils.formatdate(usegmt=True))
            if extra:
                out.append("Connection: close")
            data = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
            if method != "HEAD":
                data += body
            # stamped before sending: the client cannot have the reply
            # (and send its next request) earlier than this
            sent = time.time()
            await loop.sock_sendall(sock, data)
            state.write({"event": "done", "t": sent, "path": path,
                         "status": status})
            if extra or headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass  # the client went away, or the server is stopping
    finally:
        sock.close()


async def serve(args, state):
    loop = asyncio.get_running_loop()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(512)
    srv.setblocking(False)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, args.port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = set()

    async def accept_loop():
        while True:
            conn, addr = await loop.sock_accept(srv)
            conn.setblocking(False)
            try:
                conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            except OSError:
                pass  # no kernel timestamps: time.time() when read
            task = loop.create_task(
                handle(state, conn, "%s:%d" % (addr[0], addr[1])))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    acceptor = loop.create_task(accept_loop())
    await stop.wait()
    acceptor.cancel()
    for t in list(tasks):
        t.cancel()
    await asyncio.gather(acceptor, *tasks, return_exceptions=True)
    srv.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with open(args.script) as f:
        script = json.load(f)
    asyncio.run(serve(args, State(script, args.log)))


if __name__ == "__main__":
    main()
