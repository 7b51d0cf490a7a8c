from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import networkx as nx
import pytest
from conftest import run_cli

import westphalia
from westphalia import analyze, queries
from westphalia.errors import QueryError


def _row(day: str, goldstein: float, quad: int = 1) -> dict:
    return {"date": date.fromisoformat(day), "goldstein": goldstein, "quad_class": quad, "count": 1}


@pytest.mark.parametrize(
    ("sentence", "code", "expected"),
    [
        ("The two navies held a joint drill.", "062", {"defence"}),
        ("They signed a civil nuclear energy deal.", "057", {"energy", "nuclear", "diplomacy"}),
        ("Trade and investment talks resumed.", "040", {"economy", "diplomacy"}),
        ("A counterterrorism working group met.", "040", {"security", "diplomacy"}),
        ("Troops shelled the town.", "195", {"defence", "conflict"}),
        ("He said nothing of note.", "010", set()),
    ],
)
def test_domains_are_tagged_from_code_and_sentence(sentence: str, code: str, expected: set) -> None:
    sql = f"SELECT {queries.domain_sql('c', 't')} AS d FROM (SELECT ? AS c, ? AS t)"
    (found,) = duckdb.execute(sql, [code, sentence]).fetchone()
    assert set(found) == expected


def test_domain_words_match_whole_words_only() -> None:
    sql = f"SELECT {queries.domain_sql(None, 't')} FROM (SELECT ? AS t)"
    assert duckdb.execute(sql, ["The gastronomy festival and the armistice"]).fetchone()[0] == []


def test_trend_compares_net_goldstein_per_month_of_the_two_halves() -> None:
    rows = [
        _row("2020-01-10", -5, 4),
        _row("2020-02-10", -3, 3),
        _row("2020-11-10", 4),
        _row("2020-12-10", 6),
    ]
    trend = analyze.trend(rows)
    assert trend.direction == "improving"
    assert (trend.earlier["net_goldstein"], trend.later["net_goldstein"]) == (-8.0, 10.0)
    assert trend.change == pytest.approx(
        trend.later["per_month"] - trend.earlier["per_month"], abs=1e-3
    )


def test_trend_worsening_and_insufficient_data() -> None:
    assert (
        analyze.trend([_row("2021-01-01", 7), _row("2021-09-01", -9, 4)]).direction == "worsening"
    )
    assert analyze.trend([_row("2021-01-01", 7)]).direction == "insufficient data"


@pytest.mark.parametrize(
    ("signs", "balanced"),
    [((1, 1, 1), True), ((1, -1, -1), True), ((1, 1, -1), False), ((-1, -1, -1), False)],
)
def test_triad_balance_is_the_product_of_edge_signs(signs: tuple, balanced: bool) -> None:
    g = nx.Graph()
    for (u, v), s in zip((("A", "B"), ("A", "C"), ("B", "C")), signs, strict=True):
        g.add_edge(u, v, weight=3.0 * s, sign=s)
    (triad,) = analyze._triads(g)
    assert triad["nodes"] == ["A", "B", "C"]
    assert triad["balanced"] is balanced


def test_blocs_follow_cooperative_edges() -> None:
    g = nx.Graph()
    for u, v, w in [("A", "B", 9), ("B", "C", 8), ("A", "C", 7), ("D", "E", 9), ("C", "D", -10)]:
        g.add_edge(u, v, weight=w, sign=1 if w > 0 else -1)
    assert analyze._blocs(g) == [["A", "B", "C"], ["D", "E"]]


@pytest.mark.slow
def test_demo_network_has_the_russia_china_pakistan_triad(demo_store: Path) -> None:
    with westphalia.open(demo_store) as db:
        network = db.network()
    (triad,) = [t for t in network.triads if t["nodes"] == ["CHN", "PAK", "RUS"]]
    assert triad["balanced"] and set(triad["edges"].values()) == {1}
    assert any({"CHN", "PAK", "RUS"} <= set(bloc) for bloc in network.blocs)


@pytest.mark.slow
def test_demo_report_window_and_unknown_actor(demo_store: Path) -> None:
    with westphalia.open(demo_store) as db:
        whole = db.report("CHN", "PAK")
        february = db.report("CHN", "PAK", start=date(2025, 2, 1), end=date(2025, 2, 28))
        with pytest.raises(QueryError, match="No actor matches 'XYZ'"):
            db.report("CHN", "XYZ")
        with pytest.raises(QueryError, match="Swap the two dates"):
            db.report("CHN", "PAK", start=date(2025, 3, 1), end=date(2025, 2, 1))
    assert whole.events > february.events > 0
    assert all(e["date"].month == 2 for e in february.all_events)


def _seed_report(seed_store: Path, fmt: str) -> str:
    """`westphalia report RUS PAK --format fmt` on the seed store: its stdout."""
    args = ("report", "RUS", "PAK", "--store", str(seed_store), "--format", fmt)
    result = run_cli(*args, cwd=seed_store.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_seed_report_russia_pakistan(seed_store: Path) -> None:
    report = json.loads(_seed_report(seed_store, "json"))
    assert {"defence", "energy", "nuclear", "security", "diplomacy"} <= {
        d["domain"] for d in report["domains"]
    }
    key = {(e["code"], e["date"]) for e in report["key_events"]}
    assert {("042", "2021-04-06"), ("057", "2014-01-01"), ("062", "2020-01-01")} <= key
    bajwa = [q for q in report["quotes"] if q["speaker"] == "PAKMIL" and q["direct"]]
    assert bajwa and "militaries of both countries" in bajwa[0]["text"]
    # 2014-2017: the 2014 agreement and one more event; 2017-2021: the drill, the visits and
    # the meetings, so more net cooperation per month in the later half
    trend = report["trend"]
    assert trend["later"]["events"] > trend["earlier"]["events"]
    assert (trend["direction"], trend["change"] > 0) == ("improving", True)


@pytest.mark.slow
def test_report_text_and_markdown_render(seed_store: Path) -> None:
    text, markdown = _seed_report(seed_store, "text"), _seed_report(seed_store, "markdown")
    assert text.startswith("Russia (RUS) and Pakistan (PAK)\n") and "Key events\n----------" in text
    assert (
        markdown.startswith("# Russia (RUS) and Pakistan (PAK)")
        and "| military/defence |" in markdown
    )


def test_report_rejects_unknown_format(cli, store) -> None:
    result = cli("report", "RUS", "PAK", "--store", store.path, "--format", "pdf")
    assert result.exit_code == 2
    shown = " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())  # no box drawing
    assert "Invalid value for '--format'" in shown
    assert "'pdf' is not one of 'text', 'markdown', 'json'" in shown
