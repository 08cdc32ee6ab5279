// tree_html: a collapsible tree built from a parent array.
(function () {
  const d = hk.data, n = d.n, parent = d.parent;
  const kids = Array.from({ length: n }, () => []);
  const roots = [];
  for (let i = 0; i < n; i++) (parent[i] < 0 ? roots : kids[parent[i]]).push(i);
  const synthetic = new Uint8Array(n);
  for (const i of d.synthetic) synthetic[i] = 1;

  // depth and descendant counts, without recursion (trees can be deep)
  const depth = new Int32Array(n), desc = new Int32Array(n), order = [];
  const stack = roots.slice().reverse();
  while (stack.length) {
    const i = stack.pop();
    order.push(i);
    for (let k = kids[i].length - 1; k >= 0; k--) {
      depth[kids[i][k]] = depth[i] + 1;
      stack.push(kids[i][k]);
    }
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k];
    if (parent[i] >= 0) desc[parent[i]] += desc[i] + 1;
  }
  let maxDepth = 0;
  for (let i = 0; i < n; i++) if (depth[i] + 1 > maxDepth) maxDepth = depth[i] + 1;

  // Rows become <li> elements when they are first shown (their parent is
  // opened): a big tree opens with only what is in view built.
  const li = new Array(n), ul = new Array(n);
  const color = d.color;
  const cmd = d.cmd ? (i) => d.cmd[i]
    : d.cmd_detail >= 0 ? (i) => d.details.values[d.cmd_detail][i] : () => null;
  function build(i) {
    const item = hk.el("li", "node");
    item.dataset.i = i;
    item.setAttribute("role", "treeitem");
    if (synthetic[i]) item.classList.add("synthetic");
    const row = hk.el("div", "row");
    const tog = hk.el("button", "tog", kids[i].length ? "\u25b8" : "");
    tog.type = "button";
    if (!kids[i].length) tog.classList.add("leaf");
    row.append(tog);
    if (color) {
      const sw = hk.el("span", "sw");
      sw.style.background = hk.color(color.of[i]);
      row.append(sw);
    }
    row.append(hk.el("span", "lbl",
      d.label[i] + (synthetic[i] ? " (inferred)" : "")));
    const c = cmd(i);
    // a preview: the row cuts it anyway, and shaping long text is slow
    if (c) row.append(hk.el("span", "cmd", c.length > 240 ? c.slice(0, 240) + "\u2026" : c));
    if (kids[i].length) {
      const cnt = hk.el("span", "cnt", kids[i].length);
      cnt.title = kids[i].length + " children, " + desc[i] + " descendants";
      row.append(cnt);
      item.classList.add("collapsed");
      item.setAttribute("aria-expanded", "false");
    }
    item.append(row);
    return (li[i] = item);
  }
  function setOpen(i, open) {
    if (!kids[i].length || !li[i]) return;
    if (open && !ul[i]) {
      ul[i] = hk.el("ul");
      ul[i].setAttribute("role", "group");
      for (const k of kids[i]) ul[i].append(build(k));
      li[i].append(ul[i]);
    }
    li[i].classList.toggle("collapsed", !open);
    li[i].setAttribute("aria-expanded", open ? "true" : "false");
    li[i].firstChild.firstChild.textContent = open ? "\u25be" : "\u25b8";
  }
  // open everything down to `levels` (auto: as deep as keeps about 2,000
  // rows in view, all of a smaller tree)
  let levels = Math.max(d.expand, 1);
  if (d.expand < 0) {
    const perDepth = new Int32Array(maxDepth + 1);
    for (let i = 0; i < n; i++) perDepth[depth[i]]++;
    let shown = 0;
    for (levels = 0; levels < maxDepth && shown + perDepth[levels] <= 2000; levels++)
      shown += perDepth[levels];
    levels = Math.max(levels, 1);
  }
  const top = document.getElementById("hk-tree");
  const frag = document.createDocumentFragment();
  for (const i of roots) frag.append(build(i));
  for (const i of order) if (depth[i] < levels - 1) setOpen(i, true);
  top.append(frag);

  // hover details and open/close, delegated to the tree
  function rowIndex(ev) {
    const item = ev.target.closest("li.node");
    return item ? Number(item.dataset.i) : -1;
  }
  top.addEventListener("click", (ev) => {
    const i = rowIndex(ev);
    if (i >= 0 && ev.target.classList.contains("tog"))
      setOpen(i, li[i].classList.contains("collapsed"));
  });
  top.addEventListener("mouseover", (ev) => {
    const i = rowIndex(ev);
    if (i < 0 || !ev.target.closest(".row")) return hk.hideTip();
    const rows = hk.details(d.details, i);
    rows.push(["depth", depth[i]], ["children", kids[i].length],
              ["descendants", desc[i]]);
    if (synthetic[i]) rows.push(["inferred", "parent not in the data"]);
    hk.showTip(rows, ev.clientX, ev.clientY);
  });
  top.addEventListener("mouseleave", hk.hideTip);

  document.getElementById("hk-expand").onclick = () => {
    for (let i = 0; i < n; i++) setOpen(i, true);
  };
  document.getElementById("hk-collapse").onclick = () => {
    for (let i = 0; i < n; i++) setOpen(i, false);
  };

  // search: case-insensitive substring over label, command line, details
  let hay = null, hits = [], cur = -1;
  const box = document.getElementById("hk-search");
  const note = document.getElementById("hk-hits");
  function haystack(i) {
    const parts = [d.label[i], cmd(i) || ""];
    for (const [, v] of hk.details(d.details, i)) parts.push(v);
    return parts.join("\n").toLowerCase();
  }
  function focusHit(k) {
    if (!hits.length) return;
    if (cur >= 0) li[hits[cur]].classList.remove("current");
    cur = (k + hits.length) % hits.length;
    li[hits[cur]].classList.add("current");
    li[hits[cur]].firstChild.scrollIntoView({ block: "center" });
    note.textContent = (cur + 1) + " of " + hk.fmt(hits.length) + " matches";
  }
  function search() {
    const q = box.value.trim().toLowerCase();
    for (const i of hits) li[i].classList.remove("hit", "current");
    hits = [];
    cur = -1;
    if (!q) { note.textContent = ""; return; }
    if (!hay) hay = Array.from({ length: n }, (_, i) => haystack(i));
    for (const i of order) if (hay[i].includes(q)) hits.push(i);
    const opened = new Uint8Array(n);
    for (const i of hits) {
      const path = [];
      for (let p = parent[i]; p >= 0 && !opened[p]; p = parent[p]) path.push(p);
      for (let k = path.length - 1; k >= 0; k--) {
        opened[path[k]] = 1;
        setOpen(path[k], true);
      }
      li[i].classList.add("hit");
    }
    if (hits.length) focusHit(0);
    else note.textContent = "no match";
  }
  let timer = 0;
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  box.addEventListener("change", () => { clearTimeout(timer); search(); });
  box.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    clearTimeout(timer);
    if (!hits.length) search();
    else focusHit(cur + (ev.shiftKey ? -1 : 1));
  });
  document.getElementById("hk-prev").onclick = () => focusHit(cur - 1);
  document.getElementById("hk-next").onclick = () => focusHit(cur + 1);

  if (color) {
    const count = new Map();
    for (let i = 0; i < n; i++) count.set(color.of[i], (count.get(color.of[i]) || 0) + 1);
    const legend = document.getElementById("hk-legend");
    legend.append(hk.el("span", "hk-note", color.column + ":"));
    for (const [k, c] of [...count].sort((a, b) => a[0] - b[0])) {
      const item = hk.el("span");
      const sw = hk.el("span", "sw");
      sw.style.background = hk.color(k);
      item.append(sw, hk.el("span", null,
        (k < 0 ? "(none)" : color.keys[k]) + " (" + hk.fmt(c) + ")"));
      legend.append(item);
    }
    legend.hidden = false;
  }
  hk.stats(hk.fmt(n) + " " + d.noun + " \u00b7 " + hk.fmt(roots.length) + " roots \u00b7 " +
    "depth " + maxDepth + " \u00b7 " + hk.fmt(d.synthetic.length) + " inferred");
  document.body.dataset.ready = "1";
})();
