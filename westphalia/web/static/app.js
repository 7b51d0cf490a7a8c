// westphalia dashboard: the alignment network, dyad views, search and article evidence.
// Routes live in the URL hash: #/dyad/RUS/PAK, #/events?actor=RUS, #/article/ID?event=EID.
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

function show(section) {
  for (const id of ["dyad", "results", "article"]) $("#" + id).hidden = id !== section;
  $("#error").hidden = true;
}

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
  const elements = [
    ...net.nodes.map((n) => ({ data: { id: n.id, label: n.id, name: n.name, bloc: n.bloc } })),
    ...net.edges.map((e) => ({ data: { id: `${e.source}-${e.target}`, source: e.source, target: e.target,
      weight: e.weight, width: 1 + Math.log1p(Math.abs(e.weight)) * 1.5 } })),
  ];
  const cy = cytoscape({
    container: $("#network"), elements, wheelSensitivity: 0.3,
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90 },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 11, width: 26, height: 26,
        "background-color": (n) => PALETTE[(n.data("bloc") + PALETTE.length) % PALETTE.length],
        color: "#1f2328", "text-valign": "bottom", "text-margin-y": 3 } },
      { selector: "edge", style: { width: "data(width)", "curve-style": "bezier", opacity: 0.75,
        "line-color": (e) => (e.data("weight") >= 0 ? "#1a7f37" : "#cf222e") } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#0969da", "line-color": "#0969da" } },
    ],
  });
  cy.on("tap", "edge", (evt) => { location.hash = `#/dyad/${evt.target.data("source")}/${evt.target.data("target")}`; });
  cy.on("tap", "node", (evt) => { location.hash = `#/events?actor=${evt.target.id()}`; });
  window.westphaliaNetwork = cy; // for scripts and tests
}

// --- event tables ---------------------------------------------------------------------------

function eventRows(tbody, events) {
  tbody.replaceChildren();
  for (const e of events) {
    const evidence = el("td", { class: "evidence" }, e.sentence || "",
      " ", el("a", { href: `#/article/${e.article_id}?event=${e.id}`, class: "article-link" }, "[text]"));
    tbody.append(el("tr", { "data-event": e.id },
      el("td", {}, e.date || "undated"), el("td", {}, e.source), el("td", {}, e.target),
      el("td", { title: e.event || "" }, `${e.code} ${e.event || ""}`),
      el("td", { class: signClass(e.goldstein) }, signed(e.goldstein)),
      el("td", {}, (e.domains || []).join(", ")), evidence));
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

function drawChart(months) {
  if (chart) chart.destroy();
  chart = new Chart($("#dyad-chart"), {
    type: "bar",
    data: {
      labels: months.map((m) => m.month),
      datasets: [
        { label: "cooperation (Goldstein sum)", data: months.map((m) => m.cooperation_goldstein), backgroundColor: "#1a7f37" },
        { label: "conflict (Goldstein sum)", data: months.map((m) => m.conflict_goldstein), backgroundColor: "#cf222e" },
        { label: "net", data: months.map((m) => m.goldstein), type: "line", borderColor: "#0969da", tension: 0.2 },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked: true } } },
  });
}

// --- search and article ---------------------------------------------------------------------

async function showEvents(params) {
  const body = await api(`/api/events?${params}`);
  show("results");
  const described = [...params.entries()].map(([k, v]) => `${k}=${v}`).join(" · ");
  $("#results-title").textContent = `Events ${described ? "(" + described + ")" : ""}: ${body.events.length}`;
  eventRows($("#result-events tbody"), body.events);
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
    else show(null);
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
