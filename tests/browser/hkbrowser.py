#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol, standard library only.

Chromium is started with --remote-debugging-pipe: it reads NUL-terminated
JSON commands on fd 3 and writes replies and events on fd 4, so no port,
no websocket and no third-party package is needed.

    with Browser() as b:
        page = b.open("file:///tmp/x.html")       # waits for data-ready
        page.eval("document.title")
        page.wheel(400, 300, -500); page.screenshot("x.png")
        page.problems()   # console errors, exceptions, network requests

The command line runs the checks the browser tests and the benchmark use;
each prints key=value lines (see the functions named check_*).
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = float(os.environ.get("HK_BROWSER_TIMEOUT", "60"))


def find_chromium():
    """The browser to run: $HK_CHROMIUM, else the usual names on PATH."""
    env = os.environ.get("HK_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, width=1280, height=860):
        self.width, self.height = width, height
        self.exe = find_chromium()
        if not self.exe:
            raise BrowserError("chromium not installed")
        self.profile = tempfile.mkdtemp(prefix="hk-chromium-")
        # the pipe ends the child gets as fds 3 and 4, kept above 10 here so
        # that moving them into place cannot clobber one with the other
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()
        cmd_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        res_w = fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 10)

        def into_place():
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        args = [self.exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--disable-dev-shm-usage", "about:blank"]
        self.proc = subprocess.Popen(
            args, preexec_fn=into_place, pass_fds=(3, 4),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.send("Browser.close", wait=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.cmd_w, self.res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol ----------------------------------------------------------

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for chromium")
            ready, _, _ = select.select([self.res_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.res_r, 1 << 16)
            if not chunk:
                raise BrowserError("chromium exited (status %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, wait=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.cmd_w, data):]
        if not wait:
            return None
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, session, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            for k, ev in enumerate(self.events):
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return self.events.pop(k)
            self.events.append(self._read_message(deadline))

    def pump(self, seconds):
        """Collect events for a while (late console messages, requests)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except BrowserError:
            pass

    def open(self, path):
        return Page(self, path)


class Page:
    def __init__(self, browser, path):
        self.b = browser
        self.url = path if "://" in path else "file://" + os.path.abspath(path)
        tid = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget",
                              {"targetId": tid, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.cmd(domain + ".enable")
        self.cmd("Emulation.setDeviceMetricsOverride",
                 {"width": browser.width, "height": browser.height,
                  "deviceScaleFactor": 1, "mobile": False})
        t0 = time.monotonic()
        self.cmd("Page.navigate", {"url": self.url})
        browser.wait_event("Page.loadEventFired", self.s)
        deadline = time.monotonic() + TIMEOUT
        while self.eval("document.body && document.body.dataset.ready") != "1":
            if time.monotonic() > deadline:
                raise BrowserError("the page never set data-ready")
            time.sleep(0.02)
        self.open_seconds = time.monotonic() - t0

    def cmd(self, method, params=None):
        return self.b.send(method, params, session=self.s)

    def eval(self, expr):
        r = self.cmd("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                          "awaitPromise": True})
        if "exceptionDetails" in r:
            raise BrowserError("script failed: %s: %s" % (
                expr[:80], r["exceptionDetails"].get("exception", {}).get("description")))
        return r["result"].get("value")

    def frame(self):
        """Let the page draw (requestAnimationFrame) before looking."""
        self.eval("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")

    def mouse(self, kind, x, y, **extra):
        params = {"type": kind, "x": x, "y": y}
        params.update(extra)
        self.cmd("Input.dispatchMouseEvent", params)

    def wheel(self, x, y, delta_y):
        self.mouse("mouseWheel", x, y, deltaX=0, deltaY=delta_y)
        self.frame()

    def drag(self, x0, y0, x1, y1, steps=5):
        self.mouse("mouseMoved", x0, y0)
        self.mouse("mousePressed", x0, y0, button="left", clickCount=1)
        for k in range(1, steps + 1):
            self.mouse("mouseMoved", x0 + (x1 - x0) * k / steps,
                       y0 + (y1 - y0) * k / steps, button="left")
        self.mouse("mouseReleased", x1, y1, button="left", clickCount=1)
        self.frame()

    def screenshot(self, path):
        data = self.cmd("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def problems(self):
        """Console errors, uncaught exceptions and network requests other
        than the page itself, as text lines."""
        self.b.pump(0.3)
        out = []
        for ev in self.b.events:
            if ev.get("sessionId") != self.s:
                continue
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console %s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s" % d.get("exception", {}).get(
                    "description", d.get("text")))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append("log error: %s" % p["entry"].get("text"))
            elif m == "Network.requestWillBeSent" and p["request"]["url"] != self.url:
                out.append("request: %s" % p["request"]["url"][:200])
        return out


# -- PNG palette (smaller README images) ------------------------------------

def png_to_palette(path, colors=256):
    """Rewrite an 8-bit RGB(A) PNG as an indexed PNG of the `colors` most
    frequent colours (others map to the nearest): screenshots of text are
    mostly a few colours, so this halves them.  Standard library only."""
    import struct
    import zlib
    data = open(path, "rb").read()
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6) or body[12] != 0:
                raise BrowserError("png_to_palette: not an 8-bit RGB(A) PNG")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    pixels = [[bytes(r[x:x + 3]) for x in range(0, stride, bpp)] for r in rows]
    count = {}
    for r in pixels:
        for px in r:
            count[px] = count.get(px, 0) + 1
    pal = [c for c, _ in sorted(count.items(), key=lambda kv: -kv[1])[:colors]]
    index = {}
    for c in count:
        index[c] = min(range(len(pal)), key=lambda k: sum((c[j] - pal[k][j]) ** 2 for j in range(3)))
    out = bytearray()
    for r in pixels:
        out.append(0)
        out.extend(index[px] for px in r)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0))
           + chunk(b"PLTE", b"".join(pal)) + chunk(b"IDAT", zlib.compress(bytes(out), 9))
           + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


# -- checks -------------------------------------------------------------------

VISIBLE_NODES = "[...document.querySelectorAll('li.node')].filter(e => e.offsetParent).length"


PALETTE = 0


def report(page, shot, values):
    if shot:
        page.screenshot(shot)
        if PALETTE:
            png_to_palette(shot, PALETTE)
    probs = page.problems()
    for line in probs:
        print("# " + line, file=sys.stderr)
    values["problems"] = len(probs)
    for k, v in values.items():
        print("%s=%s" % (k, v))


def check_tree(page, args):
    """nodes built and visible, a toggle of the first root with children
    and back, collapse all, a search (hits, whether they end up visible),
    a hover, and expand all."""
    v = {"nodes": page.eval("document.querySelectorAll('li.node').length"),
         "roots": page.eval("document.getElementById('hk-tree').children.length"),
         "visible": page.eval(VISIBLE_NODES)}
    first = "document.querySelector('#hk-tree > li.node:has(> .row .cnt) > .row .tog')"
    page.eval(first + ".click()")
    v["visible_after_toggle"] = page.eval(VISIBLE_NODES)
    page.eval(first + ".click()")
    v["visible_after_toggle_back"] = page.eval(VISIBLE_NODES)
    page.eval("document.getElementById('hk-collapse').click()")
    v["visible_collapsed_all"] = page.eval(VISIBLE_NODES)
    if args.search:
        page.eval("(() => { const b = document.getElementById('hk-search');"
                  " b.value = %s; b.dispatchEvent(new Event('change')); })()"
                  % json.dumps(args.search))
        v["hits"] = page.eval("document.querySelectorAll('li.node.hit').length")
        v["hits_visible"] = page.eval(
            "[...document.querySelectorAll('li.node.hit')].filter(e => e.offsetParent).length")
        v["hit_note"] = page.eval("document.getElementById('hk-hits').textContent")
        v["current"] = page.eval(
            "(document.querySelector('li.node.current .lbl') || {}).textContent")
    # hover the first row: the details box appears
    r = page.eval("(() => { const r = document.querySelector('li.node .lbl')"
                  ".getBoundingClientRect(); return [r.x + 5, r.y + r.height / 2]; })()")
    page.mouse("mouseMoved", r[0], r[1])
    page.frame()
    v["tip_rows"] = page.eval("document.querySelectorAll('#hk-tip tr').length")
    v["tip_visible"] = page.eval("!document.getElementById('hk-tip').hidden")
    page.eval("document.getElementById('hk-expand').click()")
    v["nodes_after_expand_all"] = page.eval("document.querySelectorAll('li.node').length")
    v["visible_after_expand_all"] = page.eval(VISIBLE_NODES)
    page.eval("window.scrollTo(0, 0)")
    report(page, args.shot, v)


def check_timeline(page, args):
    """points per group, then zoom (wheel and button) and pan (drag): the
    visible range and the points in view change."""
    v = {}
    groups = page.eval("JSON.parse(document.getElementById('hk-data').textContent).groups")
    for k, g in enumerate(groups):
        v["points[%s]" % g] = page.eval("document.querySelectorAll('svg.tl .pt[data-g=\"%d\"]').length" % k)
    span = "(+document.querySelector('svg.tl').dataset.t1 - +document.querySelector('svg.tl').dataset.t0)"
    v["span0"] = page.eval(span)
    v["range0"] = page.eval("document.getElementById('hk-range').textContent")
    box = page.eval("(() => { const r = document.querySelector('svg.tl .area')"
                    ".getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()")
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    page.wheel(cx, cy, -600)
    v["span_after_wheel"] = page.eval(span)
    v["range_after_wheel"] = page.eval("document.getElementById('hk-range').textContent")
    v["points_after_wheel"] = page.eval("document.querySelectorAll('svg.tl .pt').length")
    t0 = page.eval("+document.querySelector('svg.tl').dataset.t0")
    page.drag(cx, cy, cx + box[2] / 4, cy)
    v["t0_moved_by_drag"] = page.eval("+document.querySelector('svg.tl').dataset.t0") < t0
    page.eval("document.getElementById('hk-reset').click()")
    page.frame()
    v["span_after_reset"] = page.eval(span)
    page.eval("document.getElementById('hk-zin').click()")
    page.frame()
    v["span_after_button"] = page.eval(span)
    page.eval("document.getElementById('hk-reset').click()")
    page.frame()
    pt = page.eval("(() => { const r = document.querySelector('svg.tl .pt')"
                   ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    page.mouse("mouseMoved", pt[0], pt[1])
    page.frame()
    v["tip_rows"] = page.eval("document.querySelectorAll('#hk-tip tr').length")
    v["refs"] = page.eval("document.querySelectorAll('svg.tl line.ref').length")
    report(page, args.shot, v)


def check_hostile(page, args):
    """Data that tries to run script: nothing ran, no element came from the
    data, and the text is shown as text."""
    v = {"pwned": page.eval("typeof window.__pwned !== 'undefined'"),
         "title": page.eval("document.title"),
         "images": page.eval("document.images.length"),
         "scripts": page.eval("document.scripts.length"),
         "iframes": page.eval("document.querySelectorAll('iframe,object,embed').length")}
    if args.expect_text:
        v["text_shown"] = page.eval("document.body.textContent.includes(%s)"
                                    % json.dumps(args.expect_text))
    # hovering the node or event that carries the text shows it as text too
    text = json.dumps(args.expect_text or "")
    r = page.eval("""(() => {
      const T = %s, d = JSON.parse(document.getElementById('hk-data').textContent);
      let e = [...document.querySelectorAll('li.node')].find(
        (li) => li.querySelector('.row').textContent.includes(T));
      if (e) e = e.querySelector('.lbl');
      else {
        const i = d.details ? d.t.findIndex((_, i) => d.details.values.some(
          (col) => String(col[i]).includes(T))) : 0;
        e = document.querySelector('svg.tl .pt[data-i="' + Math.max(i, 0) + '"]');
      }
      e.scrollIntoView({block: 'center'});
      const r = e.getBoundingClientRect();
      return [r.x + Math.min(5, r.width / 2), r.y + r.height / 2];
    })()""" % text)
    page.mouse("mouseMoved", r[0], r[1])
    page.frame()
    if args.expect_text:
        v["tip_text_shown"] = page.eval("document.getElementById('hk-tip').textContent.includes(%s)"
                                        % json.dumps(args.expect_text))
    v["pwned_after_hover"] = page.eval("typeof window.__pwned !== 'undefined'")
    v["images_after_hover"] = page.eval("document.images.length")
    report(page, args.shot, v)


def check_open(page, args):
    """Time to open: navigation until the view says it is ready.  With
    --search (tree), the search runs before the screenshot."""
    v = {"open_ms": int(page.open_seconds * 1000),
         "elements": page.eval("document.getElementsByTagName('*').length")}
    if args.search:
        page.eval("(() => { const b = document.getElementById('hk-search');"
                  " b.value = %s; b.dispatchEvent(new Event('change'));"
                  " window.scrollTo(0, 0); })()" % json.dumps(args.search))
        page.frame()
    report(page, args.shot, v)


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("check", choices=["tree", "timeline", "hostile", "open", "probe"])
    ap.add_argument("html", nargs="?")
    ap.add_argument("--shot", help="save a PNG screenshot here")
    ap.add_argument("--search", help="tree: text to search for")
    ap.add_argument("--expect-text", help="hostile: text that must be shown")
    ap.add_argument("--palette", type=int, default=0,
                    help="write the screenshot with at most this many colours")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=860)
    args = ap.parse_args()
    global PALETTE
    PALETTE = args.palette
    if args.check == "probe":
        print("chromium=%s" % (find_chromium() or ""))
        return 0
    try:
        with Browser(args.width, args.height) as b:
            page = b.open(args.html)
            {"tree": check_tree, "timeline": check_timeline,
             "hostile": check_hostile, "open": check_open}[args.check](page, args)
    except BrowserError as e:
        print("hkbrowser: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
