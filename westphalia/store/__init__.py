"""Store: DuckDB with a schema built by numbered migrations (store.schema).

Writes go in transactions of one batch each (store.rows), keyed by content hashes, so a run
killed at any moment leaves a consistent store and its rerun completes it without duplicates.
Reads go through westphalia.queries; the store itself only runs them (`query`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..errors import StoreError, StoreInUseError
from ..model import Article, Event
from .rows import (
    Batch,
    _actor_rows,
    _article_rows,
    _event_rows,
    _mention_rows,
    _quote_rows,
    _rejection_rows,
    _sentence_rows,
    _source_rows,
    _story_rows,
    merged_events,
)
from .schema import MIGRATIONS, READ_ONLY_CONFIG, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "READ_ONLY_CONFIG",
    "SCHEMA_VERSION",
    "Batch",
    "Store",
    "open_existing",
    "open_store",
]

_STREAM_ROWS = 10_000  # rows fetched at a time by the streaming readers
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")
HOLDER_CHARS = 120  # of the holder's command line shown in E005


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A westphalia database. Use `open_store(path)`; close it (or use `with`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # --- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The last migration applied (0 for a database westphalia has not set up)."""
        try:
            row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except duckdb.CatalogException:
            return 0
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError("E003", path=self.path, found=current, known=SCHEMA_VERSION)
        for version, name, sql in MIGRATIONS:
            if version > current:
                with self.transaction():
                    self.con.execute(sql)
                    self.con.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _now()]
                    )

    # --- runs ---------------------------------------------------------------------------

    def start_run(self, run_id: str, command: str) -> None:
        """Record a run; earlier runs still `running` from other processes died (SIGKILL, power
        loss) and are marked `interrupted`: holding the write lock, this process is the only
        live writer. Runs of this process may still be live (another thread) and stay as they are.
        """
        pid = os.getpid()
        with self.transaction():
            self.con.execute(
                "UPDATE runs SET status = 'interrupted' "
                "WHERE status = 'running' AND (pid IS NULL OR pid <> ?)",
                [pid],
            )
            self.con.execute(
                "INSERT INTO runs BY NAME SELECT ? AS id, ? AS command, ? AS started_at, "
                "'running' AS status, ? AS pid",
                [run_id, command, _now(), pid],
            )

    def finish_run(self, run_id: str, summary: dict[str, Any], *, status: str) -> None:
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
            [_now(), status, json.dumps(summary), run_id],
        )

    # --- dedupe index -------------------------------------------------------------------

    def limit_memory(self, size: str) -> None:
        """Cap DuckDB's memory for this store's database ("256MB"; "" leaves DuckDB's default)."""
        if "'" in size:
            raise ValueError(f"not a memory size: {size!r}")
        if size:
            self.con.execute(f"SET memory_limit = '{size}'")

    @contextmanager
    def threads(self, count: int) -> Iterator[None]:
        """DuckDB runs on `count` threads inside the block (0: its default, one per core), and
        on its default again after it."""
        if count:
            self.con.execute(f"SET threads = {int(count)}")
        try:
            yield
        finally:
            if count:
                self.con.execute("RESET threads")

    def meta(self) -> dict[str, str]:
        """The store's key-value settings (the dedupe parameters its signatures were made with)."""
        return dict(self.con.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, items: dict[str, str]) -> None:
        with self.transaction():
            self._set_meta(items)

    def _set_meta(self, items: dict[str, str]) -> None:
        for key, value in items.items():
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def article_signatures(self) -> Iterator[tuple[str, str, bytes]]:
        """(article id, story id, MinHash signature) of every article, in ingestion order,
        streamed (a million signatures are half a gigabyte)."""
        sql = "SELECT id, story_id, minhash FROM articles ORDER BY ingested_at, id"
        yield from self._stream(sql)

    def article_texts(self) -> Iterator[tuple[str, str, str]]:
        """(article id, story id, normalized text) of every article, in ingestion order,
        streamed."""
        sql = "SELECT id, story_id, text FROM articles ORDER BY ingested_at, id"
        yield from self._stream(sql)

    def article_count_and_greatest_id(self) -> tuple[int, str | None]:
        sql = "SELECT count(*), max(id) FROM articles"
        count, greatest = self.con.execute(sql).fetchall()[0]
        return int(count), greatest

    def _stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        cursor = self.con.cursor()
        cursor.execute(sql)
        while rows := cursor.fetchmany(_STREAM_ROWS):
            yield from rows

    def set_signatures(self, rows: list[tuple[str, bytes]], *, meta: dict[str, str]) -> None:
        """Store recomputed signatures and the settings they were made with, in one transaction."""
        with self.transaction():
            for article_id, minhash in rows:
                self.con.execute(
                    "UPDATE articles SET minhash = ? WHERE id = ?", [minhash, article_id]
                )
            self._set_meta(meta)

    # --- writes -------------------------------------------------------------------------

    def known_occurrences(self, articles: Sequence[Article]) -> set[tuple[str, str, str]]:
        """The (article id, source, locator) triples among `articles` already stored."""
        keys = pa.table(
            {
                "article_id": [a.id for a in articles],
                "source": [a.source for a in articles],
                "locator": [a.locator for a in articles],
            }
        )
        return self.stored_occurrences(keys)

    def stored_occurrences(self, keys: pa.Table) -> set[tuple[str, str, str]]:
        """The (article_id, source, locator) rows of `keys` already stored."""
        keys = keys.select(["article_id", "source", "locator"])
        with self._registered("_keys", keys):
            rows = self.con.execute(
                "SELECT s.article_id, s.source, s.locator FROM article_sources s "
                "JOIN _keys k USING (article_id, source, locator)"
            ).fetchall()
        return {(r[0], r[1], r[2]) for r in rows}

    def unparsed(self, article_ids: Iterable[str]) -> set[str]:
        """Of the stored articles `article_ids`, those with no sentences: their parse failed
        (E301 over the time budget, E302 a worker died), so a later run parses them again."""
        keys = pa.table({"article_id": sorted(set(article_ids))})
        with self._registered("_ids", keys):
            rows = self.con.execute(
                "SELECT k.article_id FROM _ids k JOIN articles a ON a.id = k.article_id "
                "WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = k.article_id)"
            ).fetchall()
        return {r[0] for r in rows}

    @contextmanager
    def _registered(self, name: str, table: pa.Table) -> Iterator[None]:
        self.con.register(name, table)
        try:
            yield
        finally:
            self.con.unregister(name)

    def write(self, batch: Batch) -> None:
        """Write one batch in one transaction."""
        now = _now()
        with self.transaction():
            self._insert("articles", _article_rows(batch, now), "OR IGNORE")
            self._insert("stories", _story_rows(batch, now), "OR IGNORE")
            self._insert("article_sources", _source_rows(batch, now), "OR IGNORE")
            if batch.occurrences:  # earlier rejections of these items; this batch's own stay
                self._clear_rejections(batch.occurrences)
            self._insert("rejections", _rejection_rows(batch, now), "OR REPLACE")
            self._insert("sentences", _sentence_rows(batch), "OR IGNORE")
            self._insert("mentions", _mention_rows(batch), "OR IGNORE")
            self._insert("actors", _actor_rows(batch), "OR IGNORE")
            self._insert("quotes", _quote_rows(batch), "OR IGNORE")
            self._upsert_events(batch.events)

    def _insert(self, table: str, rows: pa.Table, conflict: str) -> None:
        if rows.num_rows == 0:
            return
        with self._registered("_rows", rows):
            self.con.execute(f"INSERT {conflict} INTO {table} BY NAME SELECT * FROM _rows")

    def _upsert_events(self, events: list[Event]) -> None:
        """Store each event once per story; a restatement adds to its count."""
        rows = _event_rows(merged_events(events))
        if rows.num_rows == 0:
            return
        with self._registered("_events", rows):
            self.con.execute(
                "INSERT INTO events BY NAME SELECT * FROM _events "
                "ON CONFLICT (id) DO UPDATE SET count = events.count + EXCLUDED.count"
            )

    def _clear_rejections(self, articles: Iterable[Article]) -> None:
        """An item that now yields an article is no longer rejected."""
        keys = pa.table(
            {"source": [a.source for a in articles], "locator": [a.locator for a in articles]}
        )
        with self._registered("_ok", keys):
            self.con.execute(
                "DELETE FROM rejections WHERE (source, locator) IN (SELECT source, locator FROM _ok)"
            )

    # --- reads --------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a parametrised read query; rows as dicts."""
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def open_store(path: str | Path, *, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the store at `path`.

    `read_only` opens an existing store as it is (READ_ONLY_CONFIG: no file, network or extension
    access), sharing it with other readers such as `westphalia serve`. Raises StoreInUseError
    (E005) when another process holds a conflicting lock, StoreError (E002/E003) otherwise.
    """
    path = Path(path)
    try:
        con = duckdb.connect(
            str(path), read_only=read_only, config=READ_ONLY_CONFIG if read_only else {}
        )
    except (duckdb.Error, OSError) as e:
        reason = str(e).splitlines()[0]
        holder = _LOCK_HOLDER.search(reason)
        if holder:
            described = _describe_process(int(holder["pid"]), holder["exe"])
            raise StoreInUseError("E005", path=path, holder=described) from e
        raise StoreError("E002", path=path, reason=reason) from e
    store = Store(con, path)
    if not read_only:
        store._migrate()
    elif (found := store.schema_version()) > SCHEMA_VERSION:
        store.close()
        raise StoreError("E003", path=path, found=found, known=SCHEMA_VERSION)
    return store


def open_existing(path: str | Path) -> Store:
    """The existing store at `path`, read-only (so it can be read while `serve` or other readers
    hold it); a store older than this westphalia is migrated once first. Raises StoreError E006
    when there is no store at `path` (the CLI's listing commands, `serve`, the web app and
    `westphalia.open()` all open stores this way)."""
    path = Path(path)
    if not path.is_file():
        raise StoreError("E006", path=path)
    store = open_store(path, read_only=True)
    if store.schema_version() < SCHEMA_VERSION:
        store.close()
        open_store(path).close()
        store = open_store(path, read_only=True)
    return store


def _describe_process(pid: int, exe: str) -> str:
    """'PID 123: python -m westphalia ingest corpus' (the command line from /proc where there is one)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return f"PID {pid}: {exe}"
    command = " ".join([Path(os.fsdecode(argv[0])).name, *map(os.fsdecode, argv[1:])])
    return f"PID {pid}: {command[:HOLDER_CHARS]}"
