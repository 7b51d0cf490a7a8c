"""Store: DuckDB with a schema built by numbered migrations.

Writes go in transactions of one batch each, keyed by content hashes, so a run killed at
any moment leaves a consistent store and its rerun completes it without duplicates.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .config import DedupeSettings
from .dedupe import SHINGLE_HASH, Assignment, DedupeIndex, Match, signature, text_minhash
from .errors import Errors, StoreError, StoreInUseError
from .model import Actor, Article, Event, Mention, Quote, Rejection, Sentence, Story

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "articles, stories, rejections, runs",
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, command VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP, status VARCHAR NOT NULL, summary JSON
        );
        CREATE TABLE stories (
            id VARCHAR PRIMARY KEY, canonical_article_id VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE articles (
            id VARCHAR PRIMARY KEY,            -- sha1 of the normalized text, 16 hex digits
            story_id VARCHAR NOT NULL,
            match VARCHAR NOT NULL,            -- new | near
            duplicate_of VARCHAR,              -- the near-duplicate it joined
            similarity DOUBLE,
            source VARCHAR NOT NULL, locator VARCHAR NOT NULL, external_id VARCHAR,
            format VARCHAR NOT NULL, url VARCHAR, title VARCHAR,
            published DATE, date_source VARCHAR NOT NULL,
            raw BLOB NOT NULL, raw_text VARCHAR NOT NULL, text VARCHAR NOT NULL,
            metadata JSON, minhash BLOB NOT NULL,
            run_id VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL
        );
        CREATE TABLE article_sources (     -- every place an article was read from
            article_id VARCHAR NOT NULL, source VARCHAR NOT NULL, locator VARCHAR NOT NULL,
            external_id VARCHAR, run_id VARCHAR NOT NULL, seen_at TIMESTAMP NOT NULL,
            PRIMARY KEY (article_id, source, locator)
        );
        CREATE TABLE rejections (
            id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, locator VARCHAR NOT NULL,
            stage VARCHAR NOT NULL, code VARCHAR NOT NULL, message VARCHAR NOT NULL,
            detail VARCHAR NOT NULL, raw BLOB, run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        2,
        "tables for the parse, actor and event stages",
        """
        CREATE TABLE sentences (
            article_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR NOT NULL,
            PRIMARY KEY (article_id, idx)
        );
        CREATE TABLE actors (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR,
            sectors VARCHAR[], kind VARCHAR NOT NULL
        );
        CREATE TABLE mentions (
            id VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL, sentence_idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR NOT NULL,
            actor_code VARCHAR NOT NULL, resolved_by VARCHAR NOT NULL
        );
        CREATE TABLE events (
            id VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
            sentence_idx INTEGER NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL,
            code VARCHAR NOT NULL, trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL,
            source_start INTEGER, source_end INTEGER, target_start INTEGER, target_end INTEGER,
            pattern VARCHAR NOT NULL, confidence DOUBLE NOT NULL, date DATE,
            date_precision VARCHAR NOT NULL, location VARCHAR, count INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE quotes (
            article_id VARCHAR NOT NULL, sentence_idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, speaker_code VARCHAR,
            speaker_start INTEGER, speaker_end INTEGER, direct BOOLEAN NOT NULL,
            PRIMARY KEY (article_id, start_char, end_char)
        );
        """,
    ),
    (
        3,
        "mentions name their entity",
        "ALTER TABLE mentions ADD COLUMN entity VARCHAR NOT NULL DEFAULT '';",
    ),
    (
        4,
        "events carry place, Goldstein, QuadClass and PLOVER; quotes keep their text",
        """
        ALTER TABLE events ADD COLUMN place VARCHAR;
        ALTER TABLE events ADD COLUMN goldstein DOUBLE;
        ALTER TABLE events ADD COLUMN quad_class INTEGER;
        ALTER TABLE events ADD COLUMN plover VARCHAR;
        ALTER TABLE quotes ADD COLUMN text VARCHAR;
        """,
    ),
    (
        5,
        "runs record the process that started them",
        "ALTER TABLE runs ADD COLUMN pid INTEGER;",
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
LEAD_CHARS = 100  # text shown for a story whose canonical article has no title
_DEDUPE_META_KEYS = ("num_perm", "shingle_size")  # signatures are only comparable if these match
# Every read-only connection: no files, network or extensions beyond the store itself, and no SET
# to undo that. Passed at connect time, so no statement runs before they hold; DuckDB applies
# lock_configuration last (checked in tests/test_api.py: each probe fails with E402).
READ_ONLY_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
    "lock_configuration": True,
}
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")
HOLDER_CHARS = 120  # of the holder's command line shown in E005


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class Batch:
    """What one transaction writes."""

    run_id: str
    articles: list[tuple[Article, Assignment]] = field(default_factory=list)
    occurrences: list[Article] = field(default_factory=list)  # every article read, new or not
    rejections: list[Rejection] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.occurrences) + len(self.rejections)


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
            raise StoreError(
                Errors.E003.format(path=self.path, found=current, known=SCHEMA_VERSION)
            )
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

    def dedupe_index(self, settings: DedupeSettings) -> DedupeIndex:
        """Rebuild the LSH index from stored signatures (recomputed if the settings changed)."""
        index = DedupeIndex(settings)
        wanted = {k: str(getattr(settings, k)) for k in _DEDUPE_META_KEYS}
        wanted["shingle_hash"] = SHINGLE_HASH
        stored = dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        compatible = all(stored.get(f"dedupe.{k}", v) == v for k, v in wanted.items())
        rows = self.con.execute(
            f"SELECT id, story_id, {'minhash' if compatible else 'text'} FROM articles ORDER BY ingested_at, id"
        ).fetchall()
        with self.transaction():
            for article_id, story_id, data in rows:
                if compatible:
                    index.add_signature(article_id, story_id, data)
                    continue
                minhash = text_minhash(data, settings=settings)
                index.add(article_id, story_id, minhash)
                self.con.execute(
                    "UPDATE articles SET minhash = ? WHERE id = ?", [signature(minhash), article_id]
                )
            for key, value in wanted.items():
                self.con.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", [f"dedupe.{key}", value]
                )
        return index

    # --- writes -------------------------------------------------------------------------

    def known_occurrences(self, articles: Sequence[Article]) -> set[tuple[str, str, str]]:
        """The (article id, source, locator) triples among `articles` already stored."""
        keys = pa.table({
            "article_id": [a.id for a in articles],
            "source": [a.source for a in articles],
            "locator": [a.locator for a in articles],
        })  # fmt: skip
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
        merged: dict[str, Event] = {}
        for event in events:
            known = merged.get(event.id)
            merged[event.id] = replace(known, count=known.count + 1) if known else event
        rows = _event_rows(list(merged.values()))
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

    def counts(self) -> dict[str, int]:
        return {
            table: int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("articles", "article_sources", "stories", "rejections")
        }

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a parametrised read query; rows as dicts."""
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def stories(self, *, limit: int | None = None) -> list[Story]:
        """Every story with its articles, oldest publication date first."""
        sql = f"""
            SELECT s.id, s.canonical_article_id, count(a.id) AS n_articles, c.title,
                   left(c.text, {LEAD_CHARS}) AS lead, min(a.published) AS first_published,
                   max(a.published) AS last_published, list(a.id ORDER BY a.ingested_at, a.id) AS article_ids
            FROM stories s JOIN articles a ON a.story_id = s.id
            JOIN articles c ON c.id = s.canonical_article_id
            GROUP BY s.id, s.canonical_article_id, c.title, c.text, s.created_at
            ORDER BY first_published NULLS LAST, s.created_at, s.id
            LIMIT ?
        """
        rows = self.query(sql, [limit if limit is not None else 2**62])
        return [Story(**{**row, "article_ids": tuple(row["article_ids"])}) for row in rows]

    def actors(self) -> list[dict[str, Any]]:
        """Actors with their mention and article counts and the names they were mentioned by."""
        return self.query("""
            SELECT a.code, a.name, a.kind, a.country, a.sectors, count(m.id) AS mentions,
                   count(DISTINCT m.article_id) AS articles,
                   list(DISTINCT m.entity ORDER BY m.entity) FILTER (WHERE m.entity <> '') AS entities
            FROM actors a JOIN mentions m ON m.actor_code = a.code
            GROUP BY ALL ORDER BY mentions DESC, a.code
        """)

    def mentions(self, article_id: str) -> list[dict[str, Any]]:
        """Each mention of one article (id or unique id prefix) with its sentence."""
        return self.query(
            """
            SELECT m.article_id, m.sentence_idx, m.start_char, m.end_char, m.text, m.actor_code,
                   m.resolved_by, m.entity, s.text AS sentence, s.start_char AS sentence_start
            FROM mentions m JOIN sentences s ON s.article_id = m.article_id AND s.idx = m.sentence_idx
            WHERE starts_with(m.article_id, ?)
            ORDER BY m.start_char, m.end_char, m.actor_code
            """,
            [article_id],
        )

    def events(
        self, *, source: str | None = None, target: str | None = None, dyad: tuple[str, str] | None = None,
        code: str | None = None, root: str | None = None, start: date | None = None, end: date | None = None,
        story: str | None = None, limit: int | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Events with their evidence sentence; actor filters match code prefixes ("RUS" matches
        "RUSGOV"); a dyad matches both directions."""
        where, params = event_where(
            source=source, target=target, dyad=dyad, code=code, root=root, start=start, end=end,
            story=story,
        )  # fmt: skip
        sql = f"""
            SELECT e.id, e.date, e.date_precision, e.source, e.target, e.code, e.quad_class, e.goldstein,
                   e.plover, e.count, e.confidence, e.location, e.place, e.pattern, e.story_id, e.article_id,
                   e.sentence_idx, s.text AS sentence
            FROM events e LEFT JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence_idx
            WHERE {where}
            ORDER BY e.date NULLS LAST, e.story_id, e.sentence_idx, e.code
            LIMIT ?
        """
        return self.query(sql, [*params, limit if limit is not None else 2**62])

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event (by id or unique id prefix) with its sentence and spans."""
        rows = self.query(
            """
            SELECT e.*, s.text AS sentence, s.start_char AS sentence_start, a.title, a.published
            FROM events e JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence_idx
            JOIN articles a ON a.id = e.article_id
            WHERE starts_with(e.id, ?) LIMIT 2
            """,
            [event_id],
        )
        return rows[0] if len(rows) == 1 else None

    def rejections(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT id, source, locator, stage, code, message, detail, created_at "
            "FROM rejections ORDER BY source, try_cast(locator AS BIGINT) NULLS FIRST, code"
        )


def event_where(
    *, source: str | None = None, target: str | None = None, actor: str | None = None,
    dyad: tuple[str, str] | None = None, code: str | None = None, root: str | None = None,
    quad_class: int | None = None, start: date | None = None, end: date | None = None,
    story: str | None = None, min_confidence: float | None = None,
) -> tuple[str, list[Any]]:  # fmt: skip
    """The WHERE clause (over `events e`) and its parameters for the usual event filters.
    Actor filters match code prefixes ("RUS" matches "RUSGOV"); a dyad matches both directions;
    `actor` matches either side."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    for column, value in (("e.source", source), ("e.target", target)):
        if value:
            where.append(f"starts_with({column}, ?)")
            params.append(value)
    if actor:
        where.append("(starts_with(e.source, ?) OR starts_with(e.target, ?))")
        params += [actor, actor]
    if dyad:
        where.append(
            "((starts_with(e.source, ?) AND starts_with(e.target, ?)) OR (starts_with(e.source, ?) AND starts_with(e.target, ?)))"
        )
        params += [dyad[0], dyad[1], dyad[1], dyad[0]]
    for clause, value in (("e.code = ?", code), ("left(e.code, 2) = ?", root), ("e.quad_class = ?", quad_class),
                          ("e.date >= ?", start), ("e.date <= ?", end), ("starts_with(e.story_id, ?)", story),
                          ("e.confidence >= ?", min_confidence)):  # fmt: skip
        if value is not None and value != "":
            where.append(clause)
            params.append(value)
    return " AND ".join(where), params


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
            raise StoreInUseError(Errors.E005.format(path=path, holder=described)) from e
        raise StoreError(Errors.E002.format(path=path, reason=reason)) from e
    store = Store(con, path)
    if not read_only:
        store._migrate()
    elif (found := store.schema_version()) > SCHEMA_VERSION:
        store.close()
        raise StoreError(Errors.E003.format(path=path, found=found, known=SCHEMA_VERSION))
    return store


def _describe_process(pid: int, exe: str) -> str:
    """'PID 123: python -m westphalia ingest corpus' (the command line from /proc where there is one)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return f"PID {pid}: {exe}"
    command = " ".join([Path(os.fsdecode(argv[0])).name, *map(os.fsdecode, argv[1:])])
    return f"PID {pid}: {command[:HOLDER_CHARS]}"


def _article_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = [a for a in batch.articles if a[1].match is not Match.EXACT]
    return pa.table({
        "id": [a.id for a, _ in rows],
        "story_id": [s.story_id for _, s in rows],
        "match": [s.match.value for _, s in rows],
        "duplicate_of": [s.duplicate_of for _, s in rows],
        "similarity": [s.similarity if s.match is Match.NEAR else None for _, s in rows],
        "source": [a.source for a, _ in rows],
        "locator": [a.locator for a, _ in rows],
        "external_id": [a.external_id for a, _ in rows],
        "format": [a.format.value for a, _ in rows],
        "url": [a.url for a, _ in rows],
        "title": [a.title for a, _ in rows],
        "published": pa.array([a.published for a, _ in rows], type=pa.date32()),
        "date_source": [a.date_source.value for a, _ in rows],
        "raw": pa.array([a.raw for a, _ in rows], type=pa.binary()),
        "raw_text": [a.raw_text for a, _ in rows],
        "text": [a.text for a, _ in rows],
        "metadata": [json.dumps(dict(a.metadata), ensure_ascii=False, default=str) for a, _ in rows],
        "minhash": pa.array([s.signature for _, s in rows], type=pa.binary()),
        "run_id": [batch.run_id] * len(rows),
        "ingested_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
    })  # fmt: skip


def _story_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = [a for a, s in batch.articles if s.match is Match.NEW]
    return pa.table({
        "id": [a.id for a in rows],
        "canonical_article_id": [a.id for a in rows],
        "run_id": [batch.run_id] * len(rows),
        "created_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
    })  # fmt: skip


def _source_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = batch.occurrences
    return pa.table({
        "article_id": [a.id for a in rows],
        "source": [a.source for a in rows],
        "locator": [a.locator for a in rows],
        "external_id": [a.external_id for a in rows],
        "run_id": [batch.run_id] * len(rows),
        "seen_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
    })  # fmt: skip


def _rejection_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = batch.rejections
    return pa.table({
        "id": [r.id for r in rows],
        "source": [r.source for r in rows],
        "locator": [r.locator for r in rows],
        "stage": [r.stage.value for r in rows],
        "code": [r.code for r in rows],
        "message": [r.message for r in rows],
        "detail": [r.detail for r in rows],
        "raw": pa.array([r.raw for r in rows], type=pa.binary()),
        "run_id": [batch.run_id] * len(rows),
        "created_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
    })  # fmt: skip


def _sentence_rows(batch: Batch) -> pa.Table:
    rows = batch.sentences
    return pa.table({
        "article_id": [s.article_id for s in rows],
        "idx": pa.array([s.index for s in rows], type=pa.int32()),
        "start_char": pa.array([s.span.start for s in rows], type=pa.int32()),
        "end_char": pa.array([s.span.end for s in rows], type=pa.int32()),
        "text": [s.text for s in rows],
    })  # fmt: skip


def _mention_rows(batch: Batch) -> pa.Table:
    rows = batch.mentions
    return pa.table({
        "id": [m.id for m in rows],
        "article_id": [m.article_id for m in rows],
        "sentence_idx": pa.array([m.sentence_index for m in rows], type=pa.int32()),
        "start_char": pa.array([m.span.start for m in rows], type=pa.int32()),
        "end_char": pa.array([m.span.end for m in rows], type=pa.int32()),
        "text": [m.text for m in rows],
        "actor_code": [m.actor_code for m in rows],
        "resolved_by": [m.resolved_by for m in rows],
        "entity": [m.entity for m in rows],
    })  # fmt: skip


def _actor_rows(batch: Batch) -> pa.Table:
    rows = list(batch.actors.values())
    return pa.table({
        "code": [a.code for a in rows],
        "name": [a.name for a in rows],
        "country": [a.country for a in rows],
        "sectors": pa.array([list(a.sectors) for a in rows], type=pa.list_(pa.string())),
        "kind": [a.kind for a in rows],
    })  # fmt: skip


def _event_rows(events: list[Event]) -> pa.Table:
    from .events import ontology, quad_class

    types = ontology()
    i32 = pa.int32()
    return pa.table({
        "id": [e.id for e in events],
        "article_id": [e.article_id for e in events],
        "story_id": [e.story_id for e in events],
        "sentence_idx": pa.array([e.sentence_index for e in events], type=i32),
        "source": [e.source for e in events],
        "target": [e.target for e in events],
        "code": [e.code for e in events],
        "trigger_start": pa.array([e.trigger.start for e in events], type=i32),
        "trigger_end": pa.array([e.trigger.end for e in events], type=i32),
        "source_start": pa.array([e.source_span.start if e.source_span else None for e in events], type=i32),
        "source_end": pa.array([e.source_span.end if e.source_span else None for e in events], type=i32),
        "target_start": pa.array([e.target_span.start if e.target_span else None for e in events], type=i32),
        "target_end": pa.array([e.target_span.end if e.target_span else None for e in events], type=i32),
        "pattern": [e.pattern for e in events],
        "confidence": pa.array([e.confidence for e in events], type=pa.float64()),
        "date": pa.array([e.date for e in events], type=pa.date32()),
        "date_precision": [e.date_precision for e in events],
        "location": [e.location for e in events],
        "place": [e.place for e in events],
        "count": pa.array([e.count for e in events], type=i32),
        "goldstein": pa.array([types[e.code].goldstein if e.code in types else None for e in events], type=pa.float64()),
        "quad_class": pa.array([quad_class(e.code) for e in events], type=i32),
        "plover": [types[e.code].plover if e.code in types else None for e in events],
    })  # fmt: skip


def _quote_rows(batch: Batch) -> pa.Table:
    rows = batch.quotes
    i32 = pa.int32()
    return pa.table({
        "article_id": [q.article_id for q in rows],
        "sentence_idx": pa.array([q.sentence_index for q in rows], type=i32),
        "start_char": pa.array([q.span.start for q in rows], type=i32),
        "end_char": pa.array([q.span.end for q in rows], type=i32),
        "speaker_code": [q.speaker_code for q in rows],
        "speaker_start": pa.array([q.speaker_span.start if q.speaker_span else None for q in rows], type=i32),
        "speaker_end": pa.array([q.speaker_span.end if q.speaker_span else None for q in rows], type=i32),
        "direct": pa.array([q.direct for q in rows], type=pa.bool_()),
        "text": [q.text for q in rows],
    })  # fmt: skip


def to_jsonable(value: Any) -> Any:
    """Dates and timestamps as ISO strings, for --json output."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value
