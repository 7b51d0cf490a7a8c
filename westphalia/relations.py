"""The Python API over a store: pandas DataFrames of events, actors, stories and quotes, dyads,
reports and the alignment network.

    >>> import westphalia
    >>> db = westphalia.open("westphalia-demo.duckdb")
    >>> db.dyad("RUS", "PAK")[["date", "source", "target", "code", "goldstein"]]
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

from . import analyze, queries
from .errors import QueryError
from .model import Story
from .queries import ActorRow, EventFilter, EventRow, QuoteRow
from .store import Store, open_existing


class Relations:
    """Read-only views of one store. Every method returns a new DataFrame (or report)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Relations:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def events(
        self,
        *,
        source: str | None = None,
        target: str | None = None,
        actor: str | None = None,
        dyad: tuple[str, str] | None = None,
        code: str | None = None,
        root: str | None = None,
        quad_class: int | None = None,
        start: date | None = None,
        end: date | None = None,
        story: str | None = None,
        domain: str | None = None,
        min_confidence: float | None = None,
        words: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Events with names, evidence sentence, character spans and domains (the columns of
        `queries.EventRow`). Actor filters match code prefixes ("RUS" matches RUSGOV);
        `actor` matches either side, `dyad` both directions."""
        where = EventFilter(
            source=source,
            target=target,
            actor=actor,
            dyad=dyad,
            code=code,
            root=root,
            quad_class=quad_class,
            start=start,
            end=end,
            story=story,
            domain=domain,
            min_confidence=min_confidence,
            words=words,
        )
        return _frame(queries.events(self.store, where, limit=limit), EventRow.columns())

    def dyad(
        self, a: str, b: str, *, start: date | None = None, end: date | None = None, **filters: Any
    ) -> pd.DataFrame:
        """Events between `a` and `b` in both directions, with a `direction` column
        ("RUS->PAK" or "PAK->RUS")."""
        frame = self.events(dyad=(a, b), start=start, end=end, **filters)
        frame.insert(
            1,
            "direction",
            [f"{a}->{b}" if s.startswith(a) else f"{b}->{a}" for s in frame["source"]],
        )
        return frame

    def actors(self) -> pd.DataFrame:
        """Actors with mention and article counts and the names they were mentioned by."""
        return _frame(queries.actors(self.store), ActorRow.columns())

    def stories(self) -> pd.DataFrame:
        """Stories (clusters of duplicate articles) with their canonical title, dates and
        events."""
        return _frame(queries.stories(self.store), tuple(f.name for f in fields(Story)))

    def quotes(self, *, speaker: str | None = None, story: str | None = None) -> pd.DataFrame:
        """Quotes with speaker code (prefix filter), text, sentence, article, story and date."""
        rows = queries.quotes(self.store, speakers=(speaker,) if speaker else (), story=story)
        return _frame(rows, QuoteRow.columns())

    def report(
        self, a: str, b: str, *, start: date | None = None, end: date | None = None
    ) -> analyze.DyadReport:
        """The dyad report (domains, key events, quotes, trend) for `a` and `b`."""
        return analyze.dyad_report(self.store, a, b, start=start, end=end)

    def network(self, *, start: date | None = None, end: date | None = None) -> analyze.Network:
        """The alignment network (signed edges, triads, blocs) over the window."""
        return analyze.network(self.store, start=start, end=end)

    def sql(self, query: str, params: list[Any] | tuple[Any, ...] = ()) -> pd.DataFrame:
        """Run a read-only SQL query with `?` parameters; the result as a DataFrame.

        The store is all it can reach: writes, files (COPY, read_csv, ATTACH), extensions and
        SET fail with QueryError E402 (store.READ_ONLY_CONFIG)."""
        try:
            return self.store.con.execute(query, list(params)).df()
        except duckdb.Error as e:
            raise QueryError("E402", reason=str(e).splitlines()[0]) from e


def _frame(rows: list[Any], columns: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame of typed rows with their declared columns (also when there are none)."""
    frame = pd.DataFrame([asdict(r) for r in rows], columns=list(columns))
    for column in ("date", "first_published", "last_published"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def open_relations(path: str | Path) -> Relations:
    """Open the store at `path` read-only for analysis (see Relations)."""
    return Relations(open_existing(path))
