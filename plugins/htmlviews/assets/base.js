// Helpers shared by the huntkit views.  Data only ever reaches the page
// through textContent / createTextNode / setAttribute, never as markup.
const hk = {
  data: JSON.parse(document.getElementById("hk-data").textContent),

  // el("td", "cls", "text"): an element with a class and text.
  el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  },

  svg(tag, attrs) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  },

  // Categorical colours (Tableau 10 + 2); more keys get spread hues.
  palette: ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
            "#1f77b4", "#8c564b"],
  color(i) {
    if (i < 0) return "#c8ccd2";
    if (i < hk.palette.length) return hk.palette[i];
    return "hsl(" + ((i * 137.508) % 360).toFixed(1) + ",55%,50%)";
  },

  // The hover box: rows of [name, value]; positioned near the pointer.
  tip: document.getElementById("hk-tip"),
  showTip(rows, x, y) {
    const table = hk.el("table");
    for (const [k, v] of rows) {
      if (v === null || v === undefined || v === "") continue;
      const tr = hk.el("tr");
      tr.append(hk.el("th", null, k), hk.el("td", null, v));
      table.append(tr);
    }
    hk.tip.replaceChildren(table);
    hk.tip.hidden = false;
    const w = hk.tip.offsetWidth, h = hk.tip.offsetHeight;
    const left = x + 14 + w > innerWidth ? Math.max(0, x - 14 - w) : x + 14;
    const top = y + 14 + h > innerHeight ? Math.max(0, y - 14 - h) : y + 14;
    hk.tip.style.left = left + "px";
    hk.tip.style.top = top + "px";
  },
  hideTip() { hk.tip.hidden = true; },

  // Details columns of row i as [name, value] pairs.
  details(d, i) {
    if (!d) return [];
    return d.columns.map((c, k) => [c, d.values[k][i]]);
  },

  fmt(n) { return Number(n).toLocaleString("en-US"); },

  stats(text) { document.getElementById("hk-stats").textContent = text; },
};
