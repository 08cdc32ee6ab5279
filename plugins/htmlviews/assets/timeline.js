// timeline_html: events on a time axis, one lane per group, or a value
// column drawn as bars, lines or points.  Zoom with the wheel or the
// buttons, pan by dragging; only the points in view are in the DOM.
(function () {
  const d = hk.data, n = d.t.length, groups = d.groups;
  const values = Array.isArray(d.v);
  let tmin = Infinity, tmax = -Infinity;
  for (const t of d.t) { if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
  for (const r of d.refs) { tmin = Math.min(tmin, r.t); tmax = Math.max(tmax, r.t); }
  if (!isFinite(tmin)) { tmin = 0; tmax = 1000; }
  const pad = Math.max((tmax - tmin) * 0.03, 500);
  const full = [tmin - pad, tmax + pad];
  let t0 = full[0], t1 = full[1];

  // rows of each group in time order (for lines and for culling)
  const byGroup = groups.map(() => []);
  for (let i = 0; i < n; i++) byGroup[d.g[i]].push(i);
  for (const rows of byGroup) rows.sort((a, b) => d.t[a] - d.t[b]);
  let vmin = 0, vmax = 1;
  if (values) for (const v of d.v) if (v !== null) {
    vmin = Math.min(vmin, v); vmax = Math.max(vmax, v);
  }

  const laneH = groups.length > 15 ? 22 : 30;
  const longest = groups.reduce((m, g) => Math.max(m, g.length), 0);
  const M = { l: values ? 60 : Math.min(200, 24 + 7 * longest), r: 16, t: 28, b: 34 };
  const plotH = values ? 320 : Math.max(groups.length * laneH, 60);
  const host = document.getElementById("hk-plot");
  const svg = hk.svg("svg", { class: "tl", role: "img" });
  host.append(svg);
  let W = 0;

  const xOf = (t) => M.l + (t - t0) / (t1 - t0) * (W - M.l - M.r);
  const tOf = (x) => t0 + (x - M.l) / (W - M.l - M.r) * (t1 - t0);
  const yOf = (v) => M.t + plotH - (v - vmin) / (vmax - vmin) * plotH;
  const laneY = (g) => M.t + g * laneH + laneH / 2;

  const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4,
    15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5,
    432e5, 864e5, 1728e5, 6048e5, 12096e5, 2592e6, 7776e6, 31536e6];
  const iso = (t) => new Date(t).toISOString();
  function tickLabel(t, step) {
    const s = iso(t);
    if (step >= 864e5) return s.slice(0, 10);
    if (t % 864e5 === 0) return s.slice(5, 10); // midnight: the date
    if (step >= 6e4) return s.slice(11, 16);
    if (step >= 1e3) return s.slice(11, 19);
    return s.slice(11, 23);
  }
  function fullTime(t) {
    // microseconds travel as the fraction of a millisecond
    const all = Math.round(t * 1000), us = ((all % 1000) + 1000) % 1000;
    return iso((all - us) / 1000).slice(0, 23).replace("T", " ") +
      (us ? String(us).padStart(3, "0") : "") + " UTC";
  }
  function span(ms) {
    const u = [[864e5, "d"], [36e5, "h"], [6e4, "min"], [1e3, "s"], [1, "ms"]];
    for (const [k, name] of u) if (ms >= k) return (ms / k).toFixed(ms / k < 10 ? 1 : 0) + " " + name;
    return ms.toFixed(3) + " ms";
  }

  function draw() {
    W = Math.max(host.clientWidth, 480);
    const H = M.t + plotH + M.b;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("height", H);
    svg.dataset.t0 = t0;
    svg.dataset.t1 = t1;
    const parts = [];
    parts.push(hk.svg("rect", { class: "area", x: M.l, y: M.t,
      width: W - M.l - M.r, height: plotH }));
    if (!values) groups.forEach((g, k) => {
      if (k % 2) parts.push(hk.svg("rect", { class: "lane", x: M.l,
        y: M.t + k * laneH, width: W - M.l - M.r, height: laneH }));
      const tx = hk.svg("text", { class: "glabel", x: M.l - 8, y: laneY(k) + 4,
        "text-anchor": "end" });
      tx.textContent = g.length > 26 ? g.slice(0, 25) + "\u2026" : g;
      parts.push(tx);
    });
    // time axis
    const step = STEPS.find((s) => (t1 - t0) / s <= (W - M.l - M.r) / 100) || STEPS[STEPS.length - 1];
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = xOf(t);
      parts.push(hk.svg("line", { class: "grid", x1: x, x2: x, y1: M.t, y2: M.t + plotH }));
      const tx = hk.svg("text", { x: x, y: M.t + plotH + 16, "text-anchor": "middle" });
      tx.textContent = tickLabel(t, step);
      parts.push(tx);
    }
    parts.push(hk.svg("line", { class: "axis", x1: M.l, x2: W - M.r,
      y1: M.t + plotH, y2: M.t + plotH }));
    if (values) for (let k = 0; k <= 4; k++) {
      const v = vmin + (vmax - vmin) * k / 4, y = yOf(v);
      parts.push(hk.svg("line", { class: "grid", x1: M.l, x2: W - M.r, y1: y, y2: y }));
      const tx = hk.svg("text", { x: M.l - 6, y: y + 4, "text-anchor": "end" });
      tx.textContent = Number(v.toPrecision(4)).toLocaleString("en-US");
      parts.push(tx);
    }
    // points in view
    let shown = 0;
    const labels = [];
    byGroup.forEach((rows, g) => {
      const col = hk.color(g), line = [], mine = [];
      for (const i of rows) {
        const t = d.t[i];
        if (t < t0 || t > t1) continue;
        if (values && d.v[i] === null) continue;
        const x = xOf(t);
        let e;
        if (!values) {
          const y = laneY(g);
          e = hk.svg("path", { d: "M" + x + " " + (y - 6) + "l6 6l-6 6l-6 -6z" });
        } else if (d.kind === "bar") {
          const y = yOf(d.v[i]), y0 = yOf(Math.max(vmin, 0));
          e = hk.svg("rect", { x: x - 2, width: 4, y: Math.min(y, y0),
            height: Math.max(1, Math.abs(y0 - y)) });
        } else {
          e = hk.svg("circle", { cx: x, cy: yOf(d.v[i]), r: d.kind === "line" ? 2.5 : 4 });
          line.push(x + "," + yOf(d.v[i]));
        }
        e.setAttribute("class", "pt");
        e.setAttribute("fill", col);
        e.dataset.g = g;
        e.dataset.i = i;
        mine.push(e);
        if (d.label) labels.push(i);
        shown++;
      }
      if (values && d.kind === "line" && line.length > 1)
        parts.push(hk.svg("polyline",
          { class: "series", stroke: col, points: line.join(" ") }));
      for (const e of mine) parts.push(e);
    });
    if (d.label && labels.length <= 300) for (const i of labels) {
      if (d.label[i] === null) continue;
      const x = xOf(d.t[i]);
      const y = values ? yOf(d.v[i]) - 8 : laneY(d.g[i]) - 9;
      const tx = hk.svg("text", { class: "plabel", x: x + 7, y: y });
      tx.textContent = String(d.label[i]).slice(0, 40);
      parts.push(tx);
    }
    for (const r of d.refs) {
      if (r.t < t0 || r.t > t1) continue;
      const x = xOf(r.t);
      parts.push(hk.svg("line", { class: "ref", x1: x, x2: x, y1: M.t - 6, y2: M.t + plotH }));
      const tx = hk.svg("text", { class: "ref", x: x + 4, y: M.t - 10 });
      tx.textContent = r.label;
      parts.push(tx);
    }
    const frag = document.createDocumentFragment();
    for (const e of parts) frag.append(e);
    svg.replaceChildren(frag);
    document.getElementById("hk-range").textContent =
      fullTime(t0) + " \u2013 " + fullTime(t1) + " (" + span(t1 - t0) + ", " +
      hk.fmt(shown) + " of " + hk.fmt(n) + " shown)";
  }

  let pending = 0;
  function redraw() {
    if (!pending) pending = requestAnimationFrame(() => { pending = 0; draw(); });
  }
  function zoom(factor, at) {
    const s = Math.min(Math.max((t1 - t0) * factor, 1), (full[1] - full[0]) * 10);
    const f = (at - t0) / (t1 - t0);
    t0 = at - f * s;
    t1 = t0 + s;
    redraw();
  }
  function pan(dt) { t0 += dt; t1 += dt; redraw(); }

  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const x = (ev.clientX - r.left) * W / r.width;
    zoom(Math.exp(ev.deltaY * 0.0015), tOf(Math.min(Math.max(x, M.l), W - M.r)));
  }, { passive: false });
  let drag = null;
  svg.addEventListener("mousedown", (ev) => {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, t0: t0, t1: t1 };
    svg.classList.add("dragging");
    ev.preventDefault();
  });
  addEventListener("mousemove", (ev) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const dt = (ev.clientX - drag.x) * W / r.width / (W - M.l - M.r) * (drag.t1 - drag.t0);
    t0 = drag.t0 - dt;
    t1 = drag.t1 - dt;
    redraw();
  });
  addEventListener("mouseup", () => { drag = null; svg.classList.remove("dragging"); });
  const mid = () => (t0 + t1) / 2;
  document.getElementById("hk-zin").onclick = () => zoom(0.5, mid());
  document.getElementById("hk-zout").onclick = () => zoom(2, mid());
  document.getElementById("hk-left").onclick = () => pan(-(t1 - t0) / 4);
  document.getElementById("hk-right").onclick = () => pan((t1 - t0) / 4);
  document.getElementById("hk-reset").onclick = () => { t0 = full[0]; t1 = full[1]; redraw(); };
  addEventListener("resize", redraw);

  svg.addEventListener("mouseover", (ev) => {
    const e = ev.target.closest(".pt");
    if (!e || drag) return hk.hideTip();
    const i = Number(e.dataset.i), rows = [[d.time_column, fullTime(d.t[i])]];
    if (d.group_by) rows.push([d.group_by, groups[d.g[i]]]);
    if (values) rows.push([d.value_column, d.v[i]]);
    hk.showTip(rows.concat(hk.details(d.details, i)), ev.clientX, ev.clientY);
  });
  svg.addEventListener("mouseout", (ev) => { if (ev.target.closest(".pt")) hk.hideTip(); });

  if (groups.length > 1 || values) {
    const legend = document.getElementById("hk-legend");
    if (d.group_by) legend.append(hk.el("span", "hk-note", d.group_by + ":"));
    groups.forEach((g, k) => {
      const item = hk.el("span"), sw = hk.el("span", "sw");
      sw.style.background = hk.color(k);
      item.append(sw, hk.el("span", null, g + " (" + hk.fmt(byGroup[k].length) + ")"));
      legend.append(item);
    });
    legend.hidden = false;
  }
  hk.stats(hk.fmt(n) + " events \u00b7 " + groups.length +
    (groups.length === 1 ? " series" : " groups") + " \u00b7 " + d.time_column +
    (d.skipped ? " \u00b7 " + hk.fmt(d.skipped) + " rows without a time left out" : ""));
  draw();
  document.body.dataset.ready = "1";
})();
