// westphalia dashboard: the map, the alignment network, dyad views, search and article evidence.
// Routes live in the URL hash: #/ (overview), #/dyad/RUS/PAK, #/events?actor=RUS,
// #/article/ID?event=EID. Each route's view is drawn at the top of the page; back and forward
// move between them, and the link above a view opens it again.
"use strict";

const $ = (sel) => document.querySelector(sel);
const PALETTE = ["#0969da", "#bf8700", "#8250df", "#1a7f37", "#cf222e", "#57606a", "#e16f24", "#0a3069"];
let chart = null;

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : response.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

const signed = (x) => (x > 0 ? "+" : "") + Number(x).toFixed(1);
const signClass = (x) => (x > 0 ? "num pos" : x < 0 ? "num neg" : "num");

function showError(error) {
  const box = $("#error");
  box.textContent = String(error.message || error);
  box.hidden = false;
}

// Show one view at the top: null is the overview (map, network, dyads).
function show(section) {
  for (const id of ["dyad", "results", "article"]) $("#" + id).hidden = id !== section;
  $("#overview").hidden = section !== null;
  $("#map-panel").hidden = !(section === null || section === "results");
  $("#viewbar").hidden = section === null;
  $("#share").value = location.href;
  $("#copied").hidden = true;
  $("#error").hidden = true;
  window.scrollTo(0, 0);
}

$("#copy-link").addEventListener("click", async () => {
  const share = $("#share");
  try {
    await navigator.clipboard.writeText(share.value);
  } catch {
    share.select(); // no clipboard permission: leave the link selected to copy by hand
    document.execCommand("copy");
  }
  $("#copied").hidden = false;
});

// --- overview: network, dyad list, triads ---------------------------------------------------

async function loadOverview() {
  const [health, net, domains] = await Promise.all([api("/api/health"), api("/api/network"), api("/api/domains")]);
  $("#store-info").textContent = `${health.store} · ${health.events} events · ${health.articles} articles`;
  const select = $("#search select[name=domain]");
  for (const d of domains.domains) select.append(el("option", { value: d.domain }, d.label));
  const s = net.summary;
  $("#network-summary").textContent =
    `${s.nodes} actors · ${s.edges} edges · ${s.balanced_triads}/${s.triads} triads balanced · ${s.blocs} blocs`;
  drawNetwork(net);
  const body = $("#dyads tbody");
  const edges = [...net.edges].sort((x, y) => y.events - x.events || Math.abs(y.weight) - Math.abs(x.weight));
  for (const e of edges) {
    const label = `${e.source}–${e.target}`;
    body.append(el("tr", {},
      el("td", {}, el("button", { class: "link dyad-link", "data-dyad": `${e.source}-${e.target}`,
        onclick: () => { location.hash = `#/dyad/${e.source}/${e.target}`; } }, label)),
      el("td", { class: "num" }, e.events),
      el("td", { class: signClass(e.weight) }, signed(e.weight))));
  }
  const triads = $("#triads");
  for (const t of net.triads) {
    const signs = Object.entries(t.edges).map(([pair, sign]) => `${pair} ${sign > 0 ? "+" : "−"}`).join(", ");
    triads.append(el("li", {}, `${t.nodes.join("-")}: ${signs} → ${t.balanced ? "balanced" : "unbalanced"}`));
  }
  if (!net.triads.length) triads.append(el("li", { class: "muted" }, "no closed triads"));
}

function drawNetwork(net) {
  const edgeOf = new Map(net.edges.map((e) => [`${e.source}-${e.target}`, e]));
  const elements = [
    ...net.nodes.map((n) => ({ data: { id: n.id, label: n.id, name: n.name, bloc: n.bloc,
      size: 18 + 4 * Math.sqrt(n.degree || 1) } })),
    ...net.edges.map((e) => ({ data: { id: `${e.source}-${e.target}`, source: e.source, target: e.target,
      weight: e.weight, width: 1 + Math.log1p(Math.abs(e.weight)) * 1.5 } })),
  ];
  const cy = cytoscape({
    container: $("#network"), elements, wheelSensitivity: 0.3,
    layout: { name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true,
      nodeRepulsion: 6000, idealEdgeLength: 50, nodeOverlap: 20, componentSpacing: 30, padding: 16,
      gravity: 1.2, numIter: 2500 },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 13, width: "data(size)", height: "data(size)",
        "background-color": (n) => PALETTE[(n.data("bloc") + PALETTE.length) % PALETTE.length],
        color: "#1f2328", "text-valign": "bottom", "text-margin-y": 3,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
      { selector: "edge", style: { width: "data(width)", "curve-style": "bezier", opacity: 0.75,
        "line-color": (e) => (e.data("weight") >= 0 ? "#1a7f37" : "#cf222e") } },
      { selector: "edge.hover", style: { opacity: 1, "line-color": "#0969da" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#0969da", "line-color": "#0969da" } },
    ],
  });
  separateLabels(cy);
  cy.fit(undefined, 24);
  cy.on("tap", "edge", (evt) => { location.hash = `#/dyad/${evt.target.data("source")}/${evt.target.data("target")}`; });
  cy.on("tap", "node", (evt) => { location.hash = `#/events?actor=${evt.target.id()}`; });
  cy.on("mouseover", "edge", (evt) => {
    const e = edgeOf.get(evt.target.id());
    evt.target.addClass("hover");
    const box = $("#network").getBoundingClientRect();
    const at = evt.renderedPosition || evt.target.renderedMidpoint();
    tip(`${e.source}–${e.target}: ${e.events} events (${e.cooperation} cooperation, ${e.conflict} conflict) · ` +
      `net Goldstein ${signed(e.weight)} · ${e.articles} articles`, box.left + at.x, box.top + at.y);
  });
  cy.on("mouseout", "edge", (evt) => { evt.target.removeClass("hover"); tip(null); });
  window.westphaliaNetwork = cy; // for scripts and tests
}

// Nudge apart nodes whose boxes (labels included) still overlap after the layout.
function separateLabels(cy, rounds = 60) {
  const nodes = cy.nodes().toArray();
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i].boundingBox({ includeLabels: true });
        const b = nodes[j].boundingBox({ includeLabels: true });
        const dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
        const dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
        if (dx <= 0 || dy <= 0) continue;
        moved = true;
        const pa = nodes[i].position(), pb = nodes[j].position();
        // push apart along the axis that needs the smaller move
        if (dx < dy) {
          const step = dx / 2 + 2, dir = pa.x <= pb.x ? -1 : 1;
          nodes[i].position({ x: pa.x + dir * step, y: pa.y });
          nodes[j].position({ x: pb.x - dir * step, y: pb.y });
        } else {
          const step = dy / 2 + 2, dir = pa.y <= pb.y ? -1 : 1;
          nodes[i].position({ x: pa.x, y: pa.y + dir * step });
          nodes[j].position({ x: pb.x, y: pb.y - dir * step });
        }
      }
    }
    if (!moved) break;
  }
}

// Count pairs of nodes whose label boxes overlap (0 when the network is readable).
function labelOverlaps(cy) {
  const boxes = cy.nodes().map((n) => n.boundingBox({ includeLabels: true }));
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1)) overlaps++;
    }
  }
  return overlaps;
}
window.westphaliaLabelOverlaps = () => labelOverlaps(window.westphaliaNetwork);

function tip(text, x, y) {
  const box = $("#tip");
  if (text === null) { box.hidden = true; return; }
  box.textContent = text;
  box.hidden = false;
  box.style.left = `${Math.round(x + window.scrollX + 12)}px`;
  box.style.top = `${Math.round(y + window.scrollY + 12)}px`;
}

// --- the map --------------------------------------------------------------------------------

let atlas = null; // the country shapes, loaded once
let mapData = null;

async function drawMap(params) {
  if (!atlas) {
    const topology = await api("/vendor/countries-110m.json");
    atlas = topojson.feature(topology, topology.objects.countries);
  }
  const query = new URLSearchParams();
  for (const key of ["actor", "code", "domain", "start", "end", "q"]) if (params.get(key)) query.set(key, params.get(key));
  mapData = await api(`/api/map?${query}`);
  renderMap();
}

function renderMap() {
  const svg = $("#map");
  const byNumeric = new Map(mapData.countries.map((c) => [c.numeric, c]));
  const colourBy = $("#map-colour").value;
  const most = Math.max(1, ...mapData.countries.map((c) => c.events));
  const swing = Math.max(1, ...mapData.countries.map((c) => Math.abs(c.goldstein)));
  const projection = d3.geoNaturalEarth1().fitSize([960, 480], { type: "Sphere" });
  const path = d3.geoPath(projection);
  const ns = "http://www.w3.org/2000/svg";
  const shape = (tag, attrs, title) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (title) { const t = document.createElementNS(ns, "title"); t.textContent = title; node.append(t); }
    return node;
  };
  const children = [shape("path", { d: path({ type: "Sphere" }), class: "sphere" })];
  for (const feature of atlas.features) {
    const c = byNumeric.get(feature.id);
    let fill = "#eaeef2";
    if (c) {
      fill = colourBy === "goldstein"
        ? (c.goldstein >= 0 ? `rgba(26,127,55,${0.15 + 0.85 * c.goldstein / swing})` : `rgba(207,34,46,${0.15 + 0.85 * -c.goldstein / swing})`)
        : `rgba(9,105,218,${0.15 + 0.85 * Math.log1p(c.events) / Math.log1p(most)})`;
    }
    const name = c ? `${c.name}: ${c.events} events, net Goldstein ${signed(c.goldstein)}` : feature.properties.name;
    const node = shape("path", { d: path(feature), fill, class: c ? "country has-events" : "country",
      "data-code": c ? c.code : "", "data-numeric": feature.id || "" }, name);
    if (c) node.addEventListener("click", () => { location.hash = `#/events?actor=${c.code}`; });
    children.push(node);
  }
  const busiest = Math.max(1, ...mapData.places.map((p) => p.events));
  for (const p of mapData.places) {
    const [x, y] = projection([p.lon, p.lat]);
    children.push(shape("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: (3 + 5 * Math.sqrt(p.events / busiest)).toFixed(1),
      class: "place", "data-geonames": p.geonames_id }, `${p.name}: ${p.events} events here, net Goldstein ${signed(p.goldstein)}`));
  }
  svg.replaceChildren(...children);
  const located = mapData.places.reduce((n, p) => n + p.events, 0);
  $("#map-summary").textContent = `${mapData.countries.length} countries · ${located} located events at ${mapData.places.length} places`;
}
$("#map-colour").addEventListener("change", () => { if (mapData) renderMap(); });

// --- event tables ---------------------------------------------------------------------------

function eventRows(tbody, events, { place = false } = {}) {
  tbody.replaceChildren();
  for (const e of events) {
    const evidence = el("td", { class: "evidence" }, e.sentence || "",
      " ", el("a", { href: `#/article/${e.article_id}?event=${e.id}`, class: "article-link" }, "[text]"));
    tbody.append(el("tr", { "data-event": e.id },
      el("td", {}, e.date || "undated"), el("td", {}, e.source), el("td", {}, e.target),
      el("td", { title: e.event || "" }, `${e.code} ${e.event || ""}`),
      el("td", { class: signClass(e.goldstein) }, signed(e.goldstein)),
      el("td", {}, place ? (e.geo_name || e.place || "") : (e.domains || []).join(", ")), evidence));
  }
  if (!events.length) tbody.append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "no events")));
}

// --- dyad view ------------------------------------------------------------------------------

async function showDyad(a, b, params) {
  const report = await api(`/api/dyads/${encodeURIComponent(a)}/${encodeURIComponent(b)}?${params}`);
  show("dyad");
  $("#dyad-title").textContent = `${report.names[a]} (${a}) — ${report.names[b]} (${b}): ${report.events} events`;
  const t = report.trend;
  $("#dyad-trend").textContent = t.change === null ? "Trend: insufficient data"
    : `Trend: ${t.direction} — net Goldstein per month ${signed(t.earlier.per_month)} (${t.earlier.from} to ${t.earlier.to}) → ${signed(t.later.per_month)} (${t.later.from} to ${t.later.to})`;
  $("#dyad-domains").replaceChildren(...report.domains.map((d) =>
    el("span", { title: `${d.sentences} sentences naming both` }, `${d.label}: ${d.events} events`)));
  drawChart(report.months);
  $("#dyad-key").replaceChildren(...report.key_events.map((e) => el("li", {},
    el("strong", {}, `${e.date || "undated"} ${e.source} ${e.mutual ? "↔" : "→"} ${e.target} ${e.code} ${e.event} (${signed(e.goldstein)})`),
    el("div", { class: "evidence" }, e.sentence || ""))));
  $("#dyad-quotes").replaceChildren(...(report.quotes.length ? report.quotes.map((q) =>
    el("li", {}, el("strong", {}, q.speaker), `: “${q.text}”`)) : [el("li", { class: "muted" }, "none")]));
  eventRows($("#dyad-events tbody"), report.all_events);
}

// Every month from the first to the last on the axis (a month without events is zero), so the
// bars stand on a time axis, not side by side.
function everyMonth(months) {
  if (!months.length) return [];
  const known = new Map(months.map((m) => [m.month, m]));
  const [y0, m0] = months[0].month.split("-").map(Number);
  const [y1, m1] = months[months.length - 1].month.split("-").map(Number);
  const filled = [];
  for (let y = y0, m = m0; y < y1 || (y === y1 && m <= m1); m === 12 ? (y++, m = 1) : m++) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    filled.push(known.get(key) || { month: key, events: 0, goldstein: 0, cooperation_goldstein: 0, conflict_goldstein: 0 });
  }
  return filled;
}

function drawChart(reported) {
  const months = everyMonth(reported);
  if (chart) chart.destroy();
  chart = new Chart($("#dyad-chart"), {
    type: "bar",
    data: {
      labels: months.map((m) => m.month),
      datasets: [
        { label: "cooperation (Goldstein sum)", data: months.map((m) => m.cooperation_goldstein), backgroundColor: "#1a7f37" },
        { label: "conflict (Goldstein sum)", data: months.map((m) => m.conflict_goldstein), backgroundColor: "#cf222e" },
        { label: "net", data: months.map((m) => m.goldstein), type: "line", borderColor: "#0969da", tension: 0, pointRadius: 2 },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } } } },
  });
  window.westphaliaChartMonths = months.map((m) => m.month); // for tests
}

// --- search and article ---------------------------------------------------------------------

async function showEvents(params) {
  const body = await api(`/api/events?${params}`);
  show("results");
  const described = [...params.entries()].map(([k, v]) => `${k}=${v}`).join(" · ");
  $("#results-title").textContent = `Events ${described ? "(" + described + ")" : ""}: ${body.events.length}`;
  eventRows($("#result-events tbody"), body.events, { place: true });
  await drawMap(params);
}

async function showArticle(id, params) {
  const article = await api(`/api/articles/${encodeURIComponent(id)}`);
  show("article");
  $("#article-title").textContent = article.title || article.id;
  $("#article-meta").textContent = `${article.published || "undated"} · ${article.url || article.source} · story ${article.story_id}`;
  const focus = article.events.find((e) => e.id === params.get("event"));
  const marks = [];
  if (focus) {
    for (const [kind, start, end] of [["source", focus.source_start, focus.source_end],
      ["target", focus.target_start, focus.target_end], ["trigger", focus.trigger_start, focus.trigger_end]]) {
      if (start !== null && end !== null) marks.push({ start, end, node: () => el("mark", { class: kind }) });
    }
  }
  for (const m of article.mentions) marks.push({ start: m.start_char, end: m.end_char, title: m.actor_code,
    node: () => el("span", { class: "mention", title: m.actor_code }) });
  $("#article-text").replaceChildren(...highlight(article.text, marks));
  const first = $("#article-text mark");
  if (first) first.scrollIntoView({ block: "center" });
}

// Non-overlapping spans win in order: the focused event's marks first, then mentions.
function highlight(text, marks) {
  const taken = [];
  const chosen = marks.filter((m) => {
    if (m.end <= m.start || taken.some(([s, e]) => m.start < e && s < m.end)) return false;
    taken.push([m.start, m.end]);
    return true;
  }).sort((x, y) => x.start - y.start);
  const out = [];
  let at = 0;
  for (const m of chosen) {
    out.push(text.slice(at, m.start));
    const node = m.node();
    node.textContent = text.slice(m.start, m.end);
    out.push(node);
    at = m.end;
  }
  out.push(text.slice(at));
  return out;
}

// --- routing --------------------------------------------------------------------------------

async function route() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts[0] === "dyad" && parts.length === 3) await showDyad(parts[1], parts[2], params);
    else if (parts[0] === "events") await showEvents(params);
    else if (parts[0] === "article" && parts[1]) await showArticle(parts[1], params);
    else { show(null); await drawMap(params); }
  } catch (error) {
    showError(error);
  }
}

$("#search").addEventListener("submit", (evt) => {
  evt.preventDefault();
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(evt.target)) if (value) params.set(key, value);
  location.hash = `#/events?${params}`;
});
window.addEventListener("hashchange", route);
loadOverview().then(route).catch(showError);
