"""The store's tables as a partitioned Parquet dataset, and the import of one into a store.

A cluster run (westphalia.cluster) writes one part per chunk of input: `ROOT/<table>/part-<name>
.parquet` for each table of the store that the chunk fills, then `ROOT/_done/<name>` once all of
them are in place. Each table has the store's own column types (read from the migrations), so a
part is exactly the rows `Store.write` would insert for the same batch. Part names sort in input
order and end in a hash of the chunk's work: a killed job run again finds the parts it already
wrote and writes only the rest.

`import_dataset` adds parts to a store with the store's own rules: an article, story, source,
actor, sentence, mention or quote already stored is left as it is; an event already stored from
another article of its story adds to its count; an item that now yields an article loses its
earlier rejection. Importing the same parts twice adds nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ConfigError
from .rows import Batch, batch_tables
from .schema import MIGRATIONS

if TYPE_CHECKING:
    from . import Store

# The store's tables in the order a batch writes them (articles before what points at them).
TABLES = (
    "articles",
    "stories",
    "article_sources",
    "rejections",
    "sentences",
    "mentions",
    "actors",
    "quotes",
    "events",
)
DONE = "_done"  # one empty file per complete part


@cache
def store_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table, from the migrations themselves."""
    con = duckdb.connect()
    try:
        for _, _, sql in MIGRATIONS:
            con.execute(sql)
        return con.sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema
    finally:
        con.close()


def conform(table: str, rows: pa.Table) -> pa.Table:
    """`rows` with the store's types for `table` (a column of nulls only gets its real type)."""
    schema = store_schema(table)
    return rows.cast(pa.schema([schema.field(name) for name in rows.column_names]))


def part_name(sequence: int, digest: str) -> str:
    """A part's name: its chunk's place in the input (so names sort in input order) and a hash
    of the chunk's work."""
    return f"{sequence:08d}-{digest}"


def is_done(root: Path, part: str) -> bool:
    return (root / DONE / part).is_file()


def write_part(
    root: Path, part: str, batch: Batch, now: datetime, *, stats: dict[str, Any] | None = None
) -> dict[str, int]:
    """Write `batch` as part `part` of the dataset at `root`; return rows written per table.
    Each file is written under a temporary name and renamed, and the part is marked done last
    (its marker holds `stats` as JSON), so a part is either complete or absent to `parts()`."""
    written: dict[str, int] = {}
    for table, rows in batch_tables(batch, now).items():
        if rows.num_rows == 0:
            continue
        folder = root / table
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"part-{part}.parquet"
        temporary = folder / f".part-{part}.parquet.{os.getpid()}.tmp"
        pq.write_table(conform(table, rows), temporary)
        os.replace(temporary, final)
        written[table] = rows.num_rows
    (root / DONE).mkdir(parents=True, exist_ok=True)
    marker = root / DONE / f".{part}.{os.getpid()}.tmp"
    marker.write_text(json.dumps(stats or {}), encoding="utf-8")
    os.replace(marker, root / DONE / part)
    return written


def parts(root: Path) -> list[str]:
    """The complete parts of the dataset at `root`, in input order."""
    folder = root / DONE
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _files(root: Path, table: str, chosen: Sequence[str]) -> list[str]:
    return [
        str(path) for part in chosen if (path := root / table / f"part-{part}.parquet").is_file()
    ]


@dataclass(slots=True)
class Imported:
    """What an import added to the store."""

    parts: int = 0
    articles: int = 0
    stories: int = 0
    events: int = 0
    rejections: int = 0


def import_dataset(store: Store, root: Path, chosen: Iterable[str] | None = None) -> Imported:
    """Add the parts `chosen` (default: every complete part) of the dataset at `root` to
    `store`, in one transaction."""
    if chosen is None and not (root / DONE).is_dir():
        raise ConfigError("E020", path=root, done=DONE)
    chosen = list(parts(root) if chosen is None else chosen)
    files = {table: _files(root, table, chosen) for table in TABLES}
    con = store.con
    added = Imported(parts=len(chosen))

    def scan(table: str, extra: str = "") -> str:
        listed = ", ".join(f"'{_quoted(f)}'" for f in files[table])
        return f"read_parquet([{listed}]{extra})"

    def count(table: str) -> int:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    with store.transaction():
        before = {t: count(t) for t in ("articles", "stories", "events", "rejections")}
        # the articles whose parse this import brings: none of their sentences is stored yet
        con.execute("CREATE OR REPLACE TEMP TABLE _coded (article_id VARCHAR PRIMARY KEY)")
        if files["sentences"]:
            con.execute(
                "INSERT INTO _coded SELECT DISTINCT article_id FROM "
                f"{scan('sentences')} WHERE article_id NOT IN (SELECT article_id FROM sentences)"
            )
        for table in ("articles", "stories", "article_sources"):
            if files[table]:
                con.execute(f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM {scan(table)}")
        if files["article_sources"]:  # an item that now yields an article is no longer rejected
            con.execute(
                "DELETE FROM rejections WHERE (source, locator) IN "
                f"(SELECT source, locator FROM {scan('article_sources')})"
            )
        if files["rejections"]:
            con.execute(
                f"INSERT OR REPLACE INTO rejections BY NAME SELECT * FROM {scan('rejections')}"
            )
        if files["actors"]:
            con.execute(f"INSERT OR IGNORE INTO actors BY NAME SELECT * FROM {scan('actors')}")
        for table in ("sentences", "mentions", "quotes"):
            if files[table]:
                con.execute(
                    f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM {scan(table)} "
                    "WHERE article_id IN (SELECT article_id FROM _coded)"
                )
        if files["events"]:
            # one row per event id: its first statement in input order, counting them all
            columns = ", ".join(
                "total AS count" if name == "count" else f'"{name}"'
                for name in store_schema("events").names
            )
            con.execute(
                f"INSERT INTO events BY NAME SELECT {columns} "
                "FROM (SELECT *, sum(count) OVER (PARTITION BY id) AS total, row_number() OVER "
                "(PARTITION BY id ORDER BY filename, file_row_number) AS k FROM "
                f"{scan('events', ', filename = true, file_row_number = true')} "
                "WHERE article_id IN (SELECT article_id FROM _coded)) WHERE k = 1 "
                "ON CONFLICT (id) DO UPDATE SET count = events.count + EXCLUDED.count"
            )
        con.execute("DROP TABLE _coded")
        added.articles = count("articles") - before["articles"]
        added.stories = count("stories") - before["stories"]
        added.events = count("events") - before["events"]
        added.rejections = count("rejections") - before["rejections"]
    return added


def _quoted(path: str) -> str:
    return path.replace("'", "''")
