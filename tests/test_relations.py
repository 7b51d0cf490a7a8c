from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import westphalia
from westphalia import queries
from westphalia.errors import Errors, QueryError, StoreError

pytestmark = pytest.mark.slow


def test_dyad_frame_has_both_directions_and_evidence(demo_store: Path) -> None:
    with westphalia.open(demo_store) as db:
        frame = db.dyad("CHN", "PAK")
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    assert set(frame["direction"]) == {"CHN->PAK", "PAK->CHN"}
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    row = frame.iloc[0]
    assert row["sentence"] and row["trigger_start"] < row["trigger_end"]
    assert row["code"] == str(row["code"]) and len(row["code"]) >= 2


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (
            {"actor": "RUS"},
            lambda f: all(
                s.startswith("RUS") or t.startswith("RUS")
                for s, t in zip(f.source, f.target, strict=True)
            ),
        ),
        ({"root": "04"}, lambda f: all(c.startswith("04") for c in f.code)),
        ({"domain": "defence"}, lambda f: all("defence" in d for d in f.domains)),
        ({"quad_class": 4}, lambda f: set(f.quad_class) == {4}),
    ],
)
def test_event_filters(demo_store: Path, filters: dict, check) -> None:
    with westphalia.open(demo_store) as db:
        frame = db.events(**filters)
    assert len(frame) > 0 and check(frame)


def test_actors_stories_quotes_and_sql(demo_store: Path) -> None:
    with westphalia.open(demo_store) as db:
        actors, stories, quotes = db.actors(), db.stories(), db.quotes(speaker="PAK")
        counted = db.sql("SELECT count(*) AS n FROM events WHERE left(code, 2) = ?", ["04"])
        with pytest.raises(QueryError, match="read-only"):
            db.sql("DELETE FROM events")
    assert {"RUS", "PAK", "CHN"} <= set(actors["code"])
    assert len(stories) == 19 and stories["n_articles"].sum() == 20
    assert len(quotes) > 0 and all(s.startswith("PAK") for s in quotes["speaker"])
    assert counted["n"][0] > 0


def test_open_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    with pytest.raises(StoreError) as info:
        westphalia.open(missing)
    # the same error, code and words as the CLI's listing commands and `serve` give
    assert (info.value.code, info.value.message) == ("E006", Errors.E006.format(path=missing))


def test_the_busiest_dyad_is_the_pair_with_most_events(demo_store: Path) -> None:
    with westphalia.open(demo_store) as db:
        pair = queries.busiest_dyad(db.store)
        events = db.events()
    counts = Counter(
        tuple(sorted((s[:3], t[:3])))
        for s, t in zip(events["source"], events["target"], strict=True)
        if "---" not in (s[:3], t[:3]) and s[:3] != t[:3]
    )
    assert pair is not None and counts[pair] == max(counts.values())
