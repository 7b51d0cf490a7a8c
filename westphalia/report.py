"""Render dyad reports and networks as plain text, Markdown, JSON or GraphML."""

from __future__ import annotations

import json
from typing import Any

from .analyze import DyadReport, Network
from .queries import to_jsonable

REPORT_FORMATS = ("text", "markdown", "json")
NETWORK_FORMATS = ("text", "json", "graphml")
SENTENCE_CHARS = 300  # evidence shown per key event in text/markdown; JSON has it whole


def render_report(report: DyadReport, fmt: str = "text") -> str:
    """The report as `fmt` (text | markdown | json)."""
    if fmt == "json":
        return json.dumps(to_jsonable(report.as_dict()), ensure_ascii=False, indent=2)
    md = fmt == "markdown"
    a, b = report.a, report.b
    lines = [
        f"{'# ' if md else ''}{report.names[a]} ({a}) and {report.names[b]} ({b})",
        "",
        f"Window: {report.start or 'first event'} to {report.end or 'last event'} · {report.events} events",
        "",
        _heading("Directions", md),
        *_table(
            ["direction", "events", "net Goldstein", "cooperation", "conflict", "articles"],
            [
                [
                    f"{d['source']} -> {d['target']}",
                    d["events"],
                    _signed(d["goldstein"]),
                    d["cooperation"],
                    d["conflict"],
                    d["articles"],
                ]
                for d in report.directions
            ],
            md,
        ),
        "",
        _heading("By QuadClass", md),
        *_table(
            ["quad class", "events", "net Goldstein"],
            [
                [f"{q['quad_class']} {q['name']}", q["events"], _signed(q["goldstein"])]
                for q in report.quad_classes
            ],
            md,
        ),
        "",
        _heading("Domains", md),
        *_table(
            ["domain", "events", "net Goldstein", "sentences naming both"],
            [
                [d["label"], d["events"], _signed(d["goldstein"]), d["sentences"]]
                for d in report.domains
            ],
            md,
        ),
        "",
        _heading("By month", md),
        *_table(
            ["month", "events", "cooperation", "conflict", "net Goldstein"],
            [
                [m["month"], m["events"], m["cooperation"], m["conflict"], _signed(m["goldstein"])]
                for m in report.months
            ],
            md,
        ),
        "",
        _heading("Trend", md),
        _trend_line(report),
        "",
        _heading("Key events", md),
        *(_key_event(e, md) for e in report.key_events),
        "",
        _heading("Quotes", md),
        *(_quote(q, md) for q in report.quotes),
    ]
    if not report.quotes:
        lines.append("(none)")
    return "\n".join(lines).rstrip() + "\n"


def _heading(title: str, md: bool) -> str:
    return f"## {title}\n" if md else f"{title}\n{'-' * len(title)}"


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def _table(head: list[str], rows: list[list[Any]], md: bool) -> list[str]:
    cells = [[str(c) for c in row] for row in rows]
    if md:
        return [
            "| " + " | ".join(head) + " |",
            "|" + "|".join(" --- " for _ in head) + "|",
            *("| " + " | ".join(row) + " |" for row in cells),
        ]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [
        fmt.format(*head),
        fmt.format(*("-" * w for w in widths)),
        *(fmt.format(*r) for r in cells),
    ]


def _trend_line(report: DyadReport) -> str:
    t = report.trend
    if t.change is None:
        return "insufficient data: fewer than two dated events on different days"
    e, lt = t.earlier, t.later
    return (
        f"{t.direction}: net Goldstein per month {e['per_month']:+.2f} "
        f"({e['from']} to {e['to']}, {e['events']} events, {e['net_goldstein']:+.1f}) -> "
        f"{lt['per_month']:+.2f} ({lt['from']} to {lt['to']}, {lt['events']} events, "
        f"{lt['net_goldstein']:+.1f}); change {t.change:+.2f}"
    )


def _key_event(e: dict[str, Any], md: bool) -> str:
    arrow = "<->" if e["mutual"] else "->"
    when = f"{e['date']} ({e['date_precision']})" if e["date"] else "undated"
    domains = ", ".join(e["domains"]) or "no domain"
    sentence = " ".join((e["sentence"] or "").split())
    if len(sentence) > SENTENCE_CHARS:
        sentence = sentence[: SENTENCE_CHARS - 1] + "…"
    head = f"{when}  {e['source']} {arrow} {e['target']}  {e['code']} {e['event']}  Goldstein {e['goldstein']:+.1f}  ×{e['count']}  [{domains}]"
    evidence = f'"{sentence}" (story {e["story_id"][:8]}, event {e["id"][:8]})'
    return f"- **{head}**\n  {evidence}" if md else f"* {head}\n    {evidence}"


def _quote(q: dict[str, Any], md: bool) -> str:
    kind = "said" if q["direct"] else "said (reported)"
    text = " ".join((q["text"] or "").split())
    line = f'{q["speaker"]} {kind} on {q["date"] or "an unknown date"}: "{text}"'
    return f"- {line}" if md else f"* {line}"


def render_network(network: Network, fmt: str = "text") -> str:
    """The network as `fmt` (text | json | graphml)."""
    if fmt == "json":
        return json.dumps(to_jsonable(network.as_dict()), ensure_ascii=False, indent=2)
    if fmt == "graphml":
        import networkx as nx  # on first use (see analyze.Network.graph)

        return "\n".join(nx.generate_graphml(network.graph())) + "\n"
    s = network.summary
    lines = [
        f"{s['nodes']} actors, {s['edges']} edges ({s['positive_edges']} positive, "
        f"{s['negative_edges']} negative), {s['triads']} triads ({s['balanced_triads']} balanced), "
        f"{s['blocs']} blocs",
        "",
        "Edges (net Goldstein)",
        *_table(
            ["pair", "events", "net Goldstein", "cooperation", "conflict"],
            [
                [
                    f"{e['source']}-{e['target']}",
                    e["events"],
                    _signed(e["weight"]),
                    e["cooperation"],
                    e["conflict"],
                ]
                for e in network.edges
            ],
            md=False,
        ),
        "",
        "Triads",
        *(_triad(t) for t in network.triads),
        "",
        "Blocs",
        *(f"{i + 1}. {', '.join(members)}" for i, members in enumerate(network.blocs)),
    ]
    return "\n".join(lines) + "\n"


def _triad(t: dict[str, Any]) -> str:
    signs = " ".join(f"{pair} {'+' if s > 0 else '-'}" for pair, s in t["edges"].items())
    return f"{'-'.join(t['nodes'])}: {signs} -> {'balanced' if t['balanced'] else 'unbalanced'}"
