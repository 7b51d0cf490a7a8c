"""Read-only analysis over a store: policy domains, dyad reports and the alignment network.

Everything here reads; nothing writes. Events are counted once per story (the `count` column
says how many articles of the story stated the event), and a dyad "RUS"-"PAK" matches every
actor code with those prefixes (RUSGOV, PAKMIL, ...) in both directions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pycountry

from . import queries
from .actors.gazetteer import country_of
from .errors import QueryError
from .queries import EventFilter, domain_sql, domains
from .store import Store

if TYPE_CHECKING:
    import networkx as nx

KEY_EVENTS = 10  # events listed in a report; enough for a page, the JSON has them all ranked
STATEMENT_CODES = ("010",)  # neutral statements rank last among key events
TREND_TOLERANCE = 0.1  # later vs earlier net Goldstein per month within 10% reads as "stable"
BLOC_SEED = 7  # Louvain is randomised; a fixed seed makes blocs reproducible run to run


def check_actor(store: Store, code: str) -> None:
    """Raise E401 unless some stored actor code starts with `code`."""
    if not queries.actor_exists(store, code):
        raise QueryError("E401", code=code, path=store.path)


# --- dyad report -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trend:
    """Net Goldstein per month in the earlier and the later half of the dyad's dated events."""

    direction: str  # improving | worsening | stable | insufficient data
    earlier: dict[str, Any]
    later: dict[str, Any]
    change: float | None  # later minus earlier, net Goldstein per month


@dataclass(frozen=True, slots=True)
class DyadReport:
    a: str
    b: str
    names: dict[str, str]
    start: date | None
    end: date | None
    events: int
    directions: list[dict[str, Any]]
    quad_classes: list[dict[str, Any]]
    months: list[dict[str, Any]]
    domains: list[dict[str, Any]]
    key_events: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    trend: Trend
    all_events: list[dict[str, Any]] = field(repr=False, default_factory=list)

    def as_dict(self, *, with_events: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_events:
            data.pop("all_events")
        return data


def dyad_report(
    store: Store,
    a: str,
    b: str,
    *,
    start: date | None = None,
    end: date | None = None,
    key_events: int = KEY_EVENTS,
) -> DyadReport:
    """Everything the store says about the relationship between actors `a` and `b`."""
    where = EventFilter(dyad=(a, b), start=start, end=end)
    where.check()
    for code in (a, b):
        check_actor(store, code)
    rows = [e.as_dict() for e in queries.events(store, where)]
    return DyadReport(
        a=a,
        b=b,
        names={c: actor_name(store, c) for c in (a, b)},
        start=start,
        end=end,
        events=len(rows),
        directions=_directions(rows, a, b),
        quad_classes=_quad_classes(rows),
        months=monthly(rows),
        domains=_domains(store, rows, a, b, start, end),
        key_events=_key_events(rows, a, key_events),
        quotes=_quotes(store, a, b, start, end),
        trend=trend(rows),
        all_events=rows,
    )


def actor_name(store: Store, code: str) -> str:
    """The stored name of an actor code, or its country's name, or the code itself."""
    name = queries.actor_name(store, code)
    if name is not None:
        return name
    country = pycountry.countries.get(alpha_3=country_of(code)) if len(code) >= 3 else None
    return country.name if country else code


def _sums(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "events": len(rows),
        "goldstein": round(sum(r["goldstein"] or 0.0 for r in rows), 2),
        "cooperation": sum(1 for r in rows if r["quad_class"] in (1, 2)),
        "conflict": sum(1 for r in rows if r["quad_class"] in (3, 4)),
        "articles": sum(r["count"] for r in rows),
    }


def _directions(rows: list[dict[str, Any]], a: str, b: str) -> list[dict[str, Any]]:
    out = []
    for src, tgt in ((a, b), (b, a)):
        these = [r for r in rows if r["source"].startswith(src) and r["target"].startswith(tgt)]
        out.append({"source": src, "target": tgt, **_sums(these)})
    return out


QUAD_NAMES = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


def _quad_classes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"quad_class": q, "name": name, **_sums([r for r in rows if r["quad_class"] == q])}
        for q, name in QUAD_NAMES.items()
    ]


def monthly(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dated events by month: counts and Goldstein sums of cooperation and conflict."""
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["date"] is not None:
            by_month[r["date"].strftime("%Y-%m")].append(r)
    out = []
    for month in sorted(by_month):
        these = by_month[month]
        coop = [r["goldstein"] or 0.0 for r in these if r["quad_class"] in (1, 2)]
        conf = [r["goldstein"] or 0.0 for r in these if r["quad_class"] in (3, 4)]
        out.append(
            {
                "month": month,
                **_sums(these),
                "cooperation_goldstein": round(sum(coop), 2),
                "conflict_goldstein": round(sum(conf), 2),
            }
        )
    return out


def _domains(
    store: Store, rows: list[dict[str, Any]], a: str, b: str, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    """Per domain: the dyad's events tagged with it, and the sentences that mention both sides
    (one copy per story) that speak of it."""
    mentioned = _co_mention_domains(store, a, b, start, end)
    out = []
    for d in domains().values():
        tagged = [r for r in rows if d.key in r["domains"]]
        if tagged or mentioned.get(d.key):
            out.append(
                {
                    "domain": d.key,
                    "label": d.label,
                    "events": len(tagged),
                    "goldstein": round(sum(r["goldstein"] or 0.0 for r in tagged), 2),
                    "sentences": mentioned.get(d.key, 0),
                }
            )
    return sorted(out, key=lambda d: (-d["events"], -d["sentences"], d["domain"]))


def _co_mention_domains(
    store: Store, a: str, b: str, start: date | None, end: date | None
) -> dict[str, int]:
    sql = f"""
        WITH side_a AS (SELECT DISTINCT article_id, sentence_idx FROM mentions WHERE NOT place AND starts_with(actor_code, ?)),
             side_b AS (SELECT DISTINCT article_id, sentence_idx FROM mentions WHERE NOT place AND starts_with(actor_code, ?)),
             both_sides AS (SELECT * FROM side_a INTERSECT SELECT * FROM side_b)
        SELECT d AS domain, count(*) AS n FROM (
            SELECT unnest({domain_sql(None, "s.text")}) AS d
            FROM both_sides x
            JOIN sentences s ON s.article_id = x.article_id AND s.idx = x.sentence_idx
            JOIN stories st ON st.canonical_article_id = x.article_id
            JOIN articles ar ON ar.id = x.article_id
            WHERE (CAST(? AS DATE) IS NULL OR ar.published >= ?) AND (CAST(? AS DATE) IS NULL OR ar.published <= ?)
        ) GROUP BY d
    """
    rows = store.query(sql, [a, b, start, start, end, end])
    return {r["domain"]: int(r["n"]) for r in rows}


def _key_events(rows: list[dict[str, Any]], a: str, limit: int) -> list[dict[str, Any]]:
    """The dyad's most weighty events, one entry per trigger (both directions merged)."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = (r["story_id"], r["sentence_idx"], r["code"], r["date"])
        if key in merged:
            first = merged[key]
            first["mutual"] = first["mutual"] or r["source"].startswith(a) != first[
                "source"
            ].startswith(a)
            continue
        merged[key] = {**r, "mutual": False}
    ranked = sorted(merged.values(), key=lambda r: (-_weight(r), r["date"] or date.max, r["id"]))
    return ranked[:limit]


def _weight(row: dict[str, Any]) -> float:
    """Rank of a key event: Goldstein intensity, more when more articles state it."""
    if row["code"] in STATEMENT_CODES:
        return 0.0
    return (abs(row["goldstein"] or 0.0) + 1.0) * (1.0 + math.log(max(row["count"], 1)))


def _quotes(
    store: Store, a: str, b: str, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    """Quotes by either side in the stories where the dyad has events, one per text."""
    dyad = EventFilter(dyad=(a, b), start=start, end=end)
    seen: set[tuple[str, str]] = set()
    out = []
    for quote in queries.quotes(store, speakers=(a, b), in_stories_of=dyad):
        key = (quote.speaker or "", " ".join((quote.text or "").split()).lower())
        if key not in seen:
            seen.add(key)
            out.append(quote.as_dict())
    return out


def trend(rows: list[dict[str, Any]]) -> Trend:
    """Compare net Goldstein per month in the earlier and later halves of the dated span."""
    dated = sorted((r for r in rows if r["date"] is not None), key=lambda r: r["date"])
    if len(dated) < 2 or dated[0]["date"] == dated[-1]["date"]:
        return Trend("insufficient data", {}, {}, None)
    first, last = dated[0]["date"], dated[-1]["date"]
    middle = date.fromordinal((first.toordinal() + last.toordinal()) // 2)
    halves = ([r for r in dated if r["date"] <= middle], [r for r in dated if r["date"] > middle])
    parts = [
        _half(rows, lo, hi)
        for rows, lo, hi in ((halves[0], first, middle), (halves[1], middle, last))
    ]
    change = round(parts[1]["per_month"] - parts[0]["per_month"], 3)
    scale = max(abs(parts[0]["per_month"]), abs(parts[1]["per_month"]), 1e-9)
    direction = (
        "stable"
        if abs(change) <= TREND_TOLERANCE * scale
        else "improving"
        if change > 0
        else "worsening"
    )
    return Trend(direction, parts[0], parts[1], change)


def _half(rows: list[dict[str, Any]], lo: date, hi: date) -> dict[str, Any]:
    months = max((hi.year - lo.year) * 12 + hi.month - lo.month, 1)
    net = sum(r["goldstein"] or 0.0 for r in rows)
    return {
        "from": lo,
        "to": hi,
        "events": len(rows),
        "net_goldstein": round(net, 2),
        "months": months,
        "per_month": round(net / months, 3),
    }


# --- network ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Network:
    """States and organisations linked by the net Goldstein of the events between them."""

    start: date | None
    end: date | None
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    triads: list[dict[str, Any]]
    blocs: list[list[str]]
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def graph(self) -> nx.Graph:
        """The network as a networkx Graph with scalar attributes (GraphML-safe)."""
        import networkx as nx  # on first use: every CLI command imports this module

        g = nx.Graph(start=str(self.start or ""), end=str(self.end or ""))
        for n in self.nodes:
            g.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
        for e in self.edges:
            g.add_edge(
                e["source"],
                e["target"],
                **{k: v for k, v in e.items() if k not in ("source", "target")},
            )
        return g


_NODE_SQL = "CASE WHEN {a}.kind IN ('state', 'sector') AND length({a}.country) = 3 AND {a}.country <> 'IGO' THEN {a}.country ELSE {c} END"


def network(
    store: Store, *, start: date | None = None, end: date | None = None, min_events: int = 1
) -> Network:
    """The alignment network over the window: one node per state or organisation (sector codes
    fold into their state), one edge per pair with events, signed by their net Goldstein."""
    import networkx as nx

    window = EventFilter(start=start, end=end)
    window.check()
    where, params = window.where()
    u, v = _NODE_SQL.format(a="sa", c="e.source"), _NODE_SQL.format(a="ta", c="e.target")
    rows = store.query(
        f"""
        WITH pairs AS (
            SELECT {u} AS u, {v} AS v, e.goldstein, e.quad_class, e.count
            FROM events e LEFT JOIN actors sa ON sa.code = e.source LEFT JOIN actors ta ON ta.code = e.target
            WHERE {where} AND NOT starts_with(e.source, '---') AND NOT starts_with(e.target, '---')
        )
        SELECT least(u, v) AS source, greatest(u, v) AS target, count(*) AS events,
               round(sum(goldstein), 2) AS weight,
               count(*) FILTER (WHERE quad_class IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad_class IN (3, 4)) AS conflict,
               sum(count) AS articles
        FROM pairs WHERE u <> v GROUP BY 1, 2 HAVING count(*) >= ? ORDER BY 1, 2
        """,
        [*params, min_events],
    )
    for r in rows:
        r["sign"] = (r["weight"] > 0) - (r["weight"] < 0)
    g = nx.Graph()
    for r in rows:
        g.add_edge(r["source"], r["target"], weight=r["weight"], sign=r["sign"])
    triads = _triads(g)
    blocs = _blocs(g)
    bloc_of = {n: i for i, members in enumerate(blocs) for n in members}
    nodes = [_node(store, g, n, bloc_of.get(n, -1)) for n in sorted(g.nodes)]
    balanced = sum(t["balanced"] for t in triads)
    summary = {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "positive_edges": sum(r["sign"] > 0 for r in rows),
        "negative_edges": sum(r["sign"] < 0 for r in rows),
        "triads": len(triads),
        "balanced_triads": balanced,
        "balance_ratio": round(balanced / len(triads), 3) if triads else None,
        "blocs": len(blocs),
    }
    return Network(start, end, nodes, rows, triads, blocs, summary)


def _node(store: Store, g: nx.Graph, n: str, bloc: int) -> dict[str, Any]:
    signs = [d["sign"] for _, _, d in g.edges(n, data=True)]
    return {
        "id": n,
        "name": actor_name(store, n),
        "kind": "organisation" if len(n) != 3 else "state",
        "bloc": bloc,
        "degree": g.degree(n),
        "strength": round(sum(d["weight"] for _, _, d in g.edges(n, data=True)), 2),
        "allies": signs.count(1),
        "adversaries": signs.count(-1),
    }


def _triads(g: nx.Graph) -> list[dict[str, Any]]:
    """Every triangle of signed (non-zero) edges with its structural balance: a triad is
    balanced when the product of its three edge signs is positive (Heider; Cartwright-Harary)."""
    import networkx as nx

    signed = nx.Graph((u, v, d) for u, v, d in g.edges(data=True) if d["sign"] != 0)
    out = []
    for clique in nx.enumerate_all_cliques(signed):
        if len(clique) < 3:
            continue
        if len(clique) > 3:
            break
        x, y, z = sorted(clique)
        signs = [signed[p][q]["sign"] for p, q in ((x, y), (x, z), (y, z))]
        out.append(
            {
                "nodes": [x, y, z],
                "edges": {
                    f"{p}-{q}": s for (p, q), s in zip(((x, y), (x, z), (y, z)), signs, strict=True)
                },
                "balanced": math.prod(signs) > 0,
            }
        )
    return sorted(out, key=lambda t: t["nodes"])


def _blocs(g: nx.Graph) -> list[list[str]]:
    """Communities of the cooperative (positive) edges, by Louvain modularity; a node with no
    cooperative edge is a bloc of its own."""
    import networkx as nx

    positive = nx.Graph()
    positive.add_nodes_from(g.nodes)
    positive.add_edges_from(
        (u, v, {"weight": d["weight"]}) for u, v, d in g.edges(data=True) if d["weight"] > 0
    )
    found = nx.community.louvain_communities(positive, weight="weight", seed=BLOC_SEED)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))
