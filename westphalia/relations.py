"""The Python API over a store: pandas DataFrames of events, actors, stories and quotes, dyads,
reports and the alignment network.

    >>> import westphalia
    >>> db = westphalia.open("westphalia-demo.duckdb")
    >>> db.dyad("RUS", "PAK")[["date", "source", "target", "code", "goldstein"]]
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

from . import analyze
from .errors import Errors, QueryError, StoreError
from .store import Store, open_store


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
        self, *, source: str | None = None, target: str | None = None, actor: str | None = None,
        dyad: tuple[str, str] | None = None, code: str | None = None, root: str | None = None,
        quad_class: int | None = None, start: date | None = None, end: date | None = None,
        story: str | None = None, domain: str | None = None, min_confidence: float | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Events with names, evidence sentence, character spans and domains. Actor filters
        match code prefixes ("RUS" matches RUSGOV); `actor` matches either side."""
        analyze.check_window(start, end)
        rows = analyze.events(
            self.store, source=source, target=target, actor=actor, dyad=dyad, code=code,
            root=root, quad_class=quad_class, start=start, end=end, story=story, domain=domain,
            min_confidence=min_confidence, limit=limit,
        )  # fmt: skip
        return _frame(rows, EVENT_COLUMNS)

    def dyad(self, a: str, b: str, *, start: date | None = None, end: date | None = None,
             **filters: Any) -> pd.DataFrame:  # fmt: skip
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
        return pd.DataFrame(self.store.actors())

    def stories(self) -> pd.DataFrame:
        """Stories (clusters of duplicate articles) with their canonical title and dates."""
        return self.sql("""
            SELECT s.id, c.title, count(a.id) AS articles, min(a.published) AS first_published,
                   max(a.published) AS last_published, s.canonical_article_id,
                   (SELECT count(*) FROM events e WHERE e.story_id = s.id) AS events
            FROM stories s JOIN articles a ON a.story_id = s.id JOIN articles c ON c.id = s.canonical_article_id
            GROUP BY s.id, c.title, s.canonical_article_id ORDER BY first_published NULLS LAST, s.id
        """)

    def quotes(self, *, speaker: str | None = None, story: str | None = None) -> pd.DataFrame:
        """Quotes with speaker code (prefix filter), text, article, story and date."""
        return self.sql(
            """
            SELECT q.speaker_code AS speaker, q.text, q.direct, ar.published AS date, q.article_id,
                   ar.story_id, q.sentence_idx, q.start_char, q.end_char
            FROM quotes q JOIN articles ar ON ar.id = q.article_id
            WHERE (CAST(? AS VARCHAR) IS NULL OR starts_with(q.speaker_code, ?))
              AND (CAST(? AS VARCHAR) IS NULL OR starts_with(ar.story_id, ?))
            ORDER BY ar.published NULLS LAST, q.article_id, q.start_char
            """,
            [speaker, speaker, story, story],
        )

    def report(self, a: str, b: str, *, start: date | None = None,
               end: date | None = None) -> analyze.DyadReport:  # fmt: skip
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


EVENT_COLUMNS = (
    "id", "date", "date_precision", "source", "source_name", "target", "target_name", "code", "event",
    "quad_class", "goldstein", "plover", "count", "confidence", "domains", "location", "place",
    "sentence", "pattern", "story_id", "article_id", "sentence_idx", "sentence_start",
    "trigger_start", "trigger_end", "source_start", "source_end", "target_start", "target_end",
)  # fmt: skip


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def open_relations(path: str | Path) -> Relations:
    """Open the store at `path` read-only for analysis (see Relations)."""
    path = Path(path)
    if not path.exists():
        raise StoreError(Errors.E002.format(path=path, reason="no such file"))
    return Relations(open_store(path, read_only=True))
