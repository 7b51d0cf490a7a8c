"""Scale-out: the pipeline's stages as Ray tasks and actors over a cluster.

`westphalia ingest PATHS --ray ADDRESS` runs the stages of westphalia.pipeline on a Ray cluster
and gives the store the same articles, stories and events (the same content hashes) as a local
run over the same inputs:

1. read: the inputs are cut into chunks of `cluster.chunk_size` items, numbered in input order.
   Single-document files (text, HTML) go to the tasks as file lists and are read there; the
   records of JSONL and CSV files (and stdin) are read by the driver, as locally.
2. prepare (one Ray task per chunk): read its files, normalize each item, compute its MinHash
   signature and its LSH band keys.
3. dedupe (the driver, in DuckDB): the band keys of every article form one table (the store's
   articles first, in the order its dedupe index holds them, with the keys the index stored,
   then the new ones in input order),
   joined with itself on the key to give the candidate pairs; numpy compares the pairs'
   signatures; each article joins the story of its most similar earlier article (the earliest of
   equally similar ones) or founds its own. These are the verdicts the local index reaches one
   article at a time.
4. code (Ray actors, one spaCy model each): parse, actors, events and quotes of each chunk's new
   articles, written as one part of a Parquet dataset with the store's schema
   (westphalia.store.dataset).
5. import (the driver): the store imports the run's parts in one transaction, then the dedupe
   index learns the new articles.

A bad item is a rejection as in the local path. A job killed at any point and run again reuses
the parts it finished and ends with the same store; a run over inputs already stored adds
nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import ingest as ingest_stage
from .config import Settings
from .dedupe import (
    band_keys,
    band_ranges,
    load_index,
    signature,
    similarities,
    text_minhash,
)
from .errors import ConfigError, InputError
from .ingest import STDIN, Source
from .model import Article, Assignment, Duplicate, InputFormat, Rejection, Stage, content_id
from .pipeline import (
    INTERNAL_CODE,
    Annotator,
    ProgressCallback,
    RunSummary,
    _total_bytes,
    normalized,
    read_items,
    recorded_run,
)
from .store import Batch, Store
from .store.dataset import DONE, is_done, part_name, write_part
from .store.dataset import import_dataset as import_parts

LOCAL = "local"  # --ray local: start a Ray instance on this machine for the run
DEFAULT = "default"  # --ray alone: the cluster `ray start` runs here, else a new local instance
_PAIR_ROWS = 50_000  # candidate pairs compared at a time
_DEDUPE_MEMORY = "512MB"  # the driver's DuckDB for the band table spills to disk beyond this


def dataset_path(settings: Settings) -> Path:
    """Where a cluster run writes its Parquet dataset: cluster.dataset, else STORE.dataset; for
    an in-memory store, a temporary folder the run removes once the store has imported it."""
    if settings.cluster.dataset is not None:
        return settings.cluster.dataset
    store = settings.store.path
    if str(store) == ":memory:":
        return Path(tempfile.mkdtemp(prefix="westphalia-dataset-"))
    return store.with_name(store.name + ".dataset")


def connect(address: str) -> bool:
    """Join the Ray cluster at `address`: "default", the one `ray start` runs on this machine, else
    a new local instance; "local", always a new local instance; "auto", only a running cluster;
    else host:port or ray://host:port. Returns whether this call connected (and the caller
    should disconnect); False when this process is connected already."""
    try:
        import ray
    except ImportError as e:
        raise ConfigError("E018", name=e.name or "ray") from e
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address == LOCAL:
            ray.init(address="local", include_dashboard=False, **options)
        elif address == DEFAULT:
            ray.init(include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    except Exception as e:  # ConnectionError, ValueError, RuntimeError: all say the same to a user
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError("E019", address=address, reason=reason) from e
    return True


def disconnect() -> None:
    import ray

    ray.shutdown()


# --- the tasks (they run on the cluster's workers) ------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A chunk after the prepare task: its items (normalized articles and rejections), each with
    its place in the input."""

    items: list[tuple[int, Article | Rejection]]


def _prepare(
    sequence: int, unit: _Unit, settings: Settings, strict: bool
) -> tuple[_Prepared, pa.Table, int]:
    """Read a unit's files (when it names files), normalize its items; return the chunk, its
    dedupe rows (one per article: place, id, source, locator, signature, band keys) and how
    many items it holds."""
    if unit.sources:
        read = read_items(list(unit.sources), settings, strict)
        items = [(_place(sequence, n), item) for n, (item, _) in enumerate(read)]
    else:
        items = list(unit.items)
    ranges = band_ranges(settings.dedupe)
    done: list[tuple[int, Article | Rejection]] = []
    rows: dict[str, list[Any]] = {k: [] for k in ("ord", "id", "source", "locator", "signature")}
    keys: list[list[int]] = []
    for place, item in items:
        if isinstance(item, Article):
            item = normalized(item, settings, strict)
        done.append((place, item))
        if isinstance(item, Article):
            minhash = text_minhash(item.text, settings=settings.dedupe)
            rows["ord"].append(place)
            rows["id"].append(item.id)
            rows["source"].append(item.source)
            rows["locator"].append(item.locator)
            rows["signature"].append(signature(minhash))
            keys.append(band_keys(minhash.hashvalues, ranges))
    table = pa.table(
        {
            "ord": pa.array(rows["ord"], type=pa.int64()),
            "id": pa.array(rows["id"], type=pa.string()),
            "source": pa.array(rows["source"], type=pa.string()),
            "locator": pa.array(rows["locator"], type=pa.string()),
            "signature": pa.array(rows["signature"], type=pa.binary()),
            "keys": pa.array(keys, type=pa.list_(pa.int64())),
        }
    )
    return _Prepared(done), table, len(done)


_CHUNK_BITS = 24  # an item's place in the input: its chunk's number, then its place in the chunk


def _place(sequence: int, n: int) -> int:
    return (sequence << _CHUNK_BITS) | n


@dataclass(frozen=True, slots=True)
class _Unit:
    """A chunk of input as the driver hands it out: items it read itself (records of JSONL and
    CSV files, stdin), or single-document files (text, HTML) for the task to read, so that
    reading a directory of files runs on the workers too (the path must be one they see)."""

    items: tuple[tuple[int, Article | Rejection], ...] = ()
    sources: tuple[Source | InputError, ...] = ()


@dataclass(frozen=True, slots=True)
class _Work:
    """What the driver asks of a coder for one chunk."""

    part: str
    assignments: dict[int, Assignment]  # by place in the input, for every article of the chunk
    retry: frozenset[str]  # stored articles with no sentences, parsed again (as locally)
    run_id: str
    strict: bool


class _Coder:
    """A coding worker: one spaCy model and one copy of the knowledge base, kept across chunks
    (a Ray actor)."""

    def __init__(self, settings: Settings, root: str) -> None:
        # in-process parsing: the cluster gives each actor its own CPU
        self.settings = replace(settings, parse=replace(settings.parse, processes=1))
        self.root = Path(root)
        self.annotator: Annotator | None = None

    def code(self, prepared: _Prepared, work: _Work) -> dict[str, Any]:
        """Parse and code the chunk's new articles and write the chunk as a dataset part;
        return its counts. A part already written (a re-run after a kill) is left as it is."""
        if is_done(self.root, work.part):
            return _stats(self.root, work.part)
        batch = Batch(work.run_id)
        for place, item in prepared.items:
            if isinstance(item, Rejection):
                batch.rejections.append(item)
            else:
                batch.articles.append((item, work.assignments[place]))
                batch.occurrences.append(item)
        retry, fresh = set(work.retry), []
        for article, assignment in batch.articles:
            if assignment.match is not Duplicate.EXACT or article.id in retry:
                fresh.append((article, assignment.story_id))
                retry.discard(article.id)
        sentences = skipped = 0
        if fresh:
            self.annotator = self.annotator or Annotator(self.settings)
            before = (self.annotator.sentences, self.annotator.skipped)
            self.annotator.annotate(fresh, batch, strict=work.strict)
            sentences = self.annotator.sentences - before[0]
            skipped = self.annotator.skipped - before[1]
        now = datetime.now(UTC).replace(tzinfo=None)
        import ray

        node = ray.get_runtime_context().get_node_id()
        stats = {"sentences": sentences, "skipped": skipped, "node": node}
        write_part(self.root, work.part, batch, now, stats=stats)
        return stats


def _stats(root: Path, part: str) -> dict[str, Any]:
    text = (root / DONE / part).read_text(encoding="utf-8")
    return json.loads(text) if text else {"sentences": 0, "skipped": 0}


# --- the driver -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Chunk:
    sequence: int
    consumed: int  # input bytes read once the chunk was complete
    items: int = 0  # known once its prepare task is done


@dataclass(slots=True)
class _Verdicts:
    """The dedupe stage over the whole run: a DuckDB database of band keys and verdicts."""

    con: duckdb.DuckDBPyConnection
    folder: tempfile.TemporaryDirectory[str]
    counts: dict[str, int] = field(default_factory=dict)  # verdicts by match

    def close(self) -> None:
        self.con.close()
        self.folder.cleanup()


def run(
    paths: Iterable[str | Path],
    *,
    settings: Settings,
    store: Store,
    address: str = LOCAL,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
    command: str = "ingest",
) -> RunSummary:
    """Ingest `paths` into `store` on the Ray cluster at `address` (see `connect`)."""
    started = time.perf_counter()
    connected = connect(address)
    try:
        return _run(paths, settings, store, strict, on_progress, command, started)
    finally:
        if connected:
            disconnect()


def _run(
    paths: Iterable[str | Path],
    settings: Settings,
    store: Store,
    strict: bool,
    on_progress: ProgressCallback | None,
    command: str,
    started: float,
) -> RunSummary:
    import ray

    temporary = settings.cluster.dataset is None and str(settings.store.path) == ":memory:"
    with recorded_run(store, settings, command, started=started) as summary:
        root = dataset_path(settings).resolve()
        root.mkdir(parents=True, exist_ok=True)
        index = load_index(store, settings.dedupe)
        try:
            sources = list(ingest_stage.discover(paths, settings=settings.ingest))
            total = _total_bytes(sources)
            prepare = ray.remote(_prepare).options(num_returns=3, num_cpus=1)
            chunks: list[_Chunk] = []
            prepared: list[Any] = []
            rows: list[Any] = []
            counts: list[Any] = []
            size = settings.cluster.chunk_size
            for sequence, (unit, consumed) in enumerate(_units(sources, settings, strict, size)):
                chunk_ref, rows_ref, count_ref = prepare.remote(sequence, unit, settings, strict)
                chunks.append(_Chunk(sequence, consumed))
                prepared.append(chunk_ref)
                rows.append(rows_ref)
                counts.append(count_ref)
            for chunk, count in zip(chunks, ray.get(counts), strict=True):
                chunk.items = count
            summary.read = sum(c.items for c in chunks)
            verdicts = _dedupe(index, rows, settings, root)
            try:
                work = _plan(store, verdicts, chunks, summary.run_id, strict, settings)
                stats = _code(settings, root, prepared, work, chunks, total, on_progress)
                # counted before the import: what the store held before this run decides `known`
                _summarize(summary, store, verdicts, root, [w.part for w in work], stats)
                import_parts(store, root, [w.part for w in work])
                for article_id, story_id, data in _new_articles(verdicts):
                    index.add_signature(article_id, story_id, data)
                index.commit()  # after the store, as locally
            finally:
                verdicts.close()
        finally:
            index.close()
            if temporary:  # the parts live on in the store only; nothing can re-run from them
                shutil.rmtree(root, ignore_errors=True)
    return summary


_RECORD_FORMATS = (InputFormat.JSONL, InputFormat.CSV, None)  # None: sniffed when read


def _units(
    sources: list[Source | InputError], settings: Settings, strict: bool, size: int
) -> Iterator[tuple[_Unit, int]]:
    """The input in units of at most `size` items, in input order, with the input bytes
    consumed at the end of each: runs of single-document files as file lists (read by the
    tasks), record files and stdin read here into chunks of records."""
    consumed = 0
    files: list[Source | InputError] = []
    sequence = 0

    def flush_files() -> Iterator[tuple[_Unit, int]]:
        nonlocal files, sequence
        if files:
            yield _Unit(sources=tuple(files)), consumed
            files, sequence = [], sequence + 1

    for source in sources:
        if isinstance(source, InputError) or (
            source.format not in _RECORD_FORMATS and source.name != STDIN
        ):
            files.append(source)
            consumed += (source.size or 0) if isinstance(source, Source) else 0
            if len(files) == size:
                yield from flush_files()
            continue
        yield from flush_files()
        chunk: list[tuple[int, Article | Rejection]] = []
        base = consumed
        for item, within in read_items([source], settings, strict):
            chunk.append((_place(sequence, len(chunk)), item))
            consumed = base + within
            if len(chunk) == size:
                yield _Unit(items=tuple(chunk)), consumed
                chunk, sequence = [], sequence + 1
        if chunk:
            yield _Unit(items=tuple(chunk)), consumed
            sequence += 1
    yield from flush_files()


def _dedupe(index: Any, rows: list[Any], settings: Settings, root: Path) -> _Verdicts:
    """Every article's verdict (new, near or exact duplicate, and its story), computed over the
    band table as described in the module's docstring."""
    import ray

    # beside the dataset (the disk sized for the corpus), not in /tmp
    folder = tempfile.TemporaryDirectory(prefix=".dedupe-", dir=root)
    con = duckdb.connect(str(Path(folder.name) / "dedupe.duckdb"))
    con.execute(f"SET memory_limit = '{_DEDUPE_MEMORY}'")
    verdicts = _Verdicts(con, folder)
    con.execute(
        "CREATE TABLE items (ord BIGINT, id VARCHAR, source VARCHAR, locator VARCHAR, "
        "signature BLOB, keys BIGINT[])"
    )
    for ref in rows:  # in input order, each as its prepare task finishes
        _append(con, "items", ray.get(ref))
    # the store's articles, before every new one, in the order the local index holds them,
    # and the band keys the index stored for them
    con.execute("CREATE TABLE known (ord BIGINT, id VARCHAR, story VARCHAR, signature BLOB)")
    place = -len(index) - 1
    for part in _batched(index.in_order(), 10_000):
        places = list(range(place, place + len(part)))
        place += len(part)
        table = pa.table(
            {
                "ord": pa.array(places, type=pa.int64()),
                "id": pa.array([k[0] for k in part], type=pa.string()),
                "story": pa.array([k[1] for k in part], type=pa.string()),
                "signature": pa.array([k[2] for k in part], type=pa.binary()),
            }
        )
        _append(con, "known", table)
    con.execute("CREATE TABLE known_bands (key BIGINT, id VARCHAR)")
    for band_rows in index.band_rows():
        keys, ids = zip(*band_rows, strict=True)
        table = pa.table(
            {"key": pa.array(keys, type=pa.int64()), "id": pa.array(ids, type=pa.string())}
        )
        _append(con, "known_bands", table)
    # an id's first occurrence that the store does not hold is a new article (new or near)
    con.execute(
        "CREATE TABLE firsts AS SELECT id, min(ord) AS ord FROM items GROUP BY id; "
        "CREATE TABLE nodes AS SELECT i.ord, i.id, i.signature, i.keys FROM items i "
        "JOIN firsts f ON f.ord = i.ord WHERE i.id NOT IN (SELECT id FROM known); "
        "CREATE TABLE bands AS SELECT b.key, k.ord FROM known_bands b JOIN known k ON k.id = b.id "
        "UNION ALL SELECT unnest(keys) AS key, ord FROM nodes; "
        "CREATE TABLE pairs AS SELECT DISTINCT a.ord AS a, b.ord AS b FROM bands a "
        "JOIN bands b ON a.key = b.key AND b.ord < a.ord WHERE a.ord >= 0; "
        "CREATE TABLE matches (a BIGINT, b BIGINT, similarity DOUBLE);"
    )
    reader = (
        con.cursor()
        .sql(
            "SELECT p.a, p.b, x.signature AS sa, coalesce(y.signature, z.signature) AS sb "
            "FROM pairs p JOIN nodes x ON x.ord = p.a LEFT JOIN nodes y ON y.ord = p.b "
            "LEFT JOIN known z ON z.ord = p.b"
        )
        .to_arrow_reader(_PAIR_ROWS)
    )
    for chunk in reader:
        if chunk.num_rows == 0:
            continue
        found = _similarities(chunk, settings.dedupe.num_perm)
        keep = pa.array(found >= settings.dedupe.threshold)
        table = pa.table(
            {
                "a": chunk.column("a").filter(keep),
                "b": chunk.column("b").filter(keep),
                "similarity": pa.array(found, type=pa.float64()).filter(keep),
            }
        )
        _append(con, "matches", table)
    # the most similar earlier article, the earliest of equally similar ones (as locally)
    con.execute(
        "CREATE TABLE parent AS SELECT a, b, similarity FROM (SELECT *, row_number() OVER "
        "(PARTITION BY a ORDER BY similarity DESC, b) AS k FROM matches) WHERE k = 1; "
        # a node's story: its own id, a known article's story, or its parent node's story
        "CREATE TABLE story AS WITH RECURSIVE chain(ord, story) AS ("
        " SELECT * FROM (SELECT n.ord, n.id FROM nodes n ANTI JOIN parent p ON p.a = n.ord"
        "  UNION ALL SELECT p.a, k.story FROM parent p JOIN known k ON k.ord = p.b)"
        " UNION ALL SELECT p.a, c.story FROM parent p JOIN chain c ON p.b = c.ord)"
        " SELECT ord, story FROM chain; "
        "CREATE TABLE verdicts AS SELECT i.ord, i.id, i.source, i.locator, "
        " CASE WHEN k.id IS NOT NULL OR n.ord IS NULL THEN 'exact' "
        "  WHEN p.a IS NOT NULL THEN 'near' ELSE 'new' END AS match, "
        " coalesce(k.story, s.story, fs.story) AS story, "
        " CASE WHEN k.id IS NOT NULL OR n.ord IS NULL THEN i.id ELSE d.id END AS duplicate_of, "
        " CASE WHEN p.a IS NOT NULL AND n.ord IS NOT NULL THEN p.similarity END AS similarity, "
        " CASE WHEN n.ord IS NOT NULL THEN i.signature END AS signature "
        "FROM items i LEFT JOIN known k ON k.id = i.id "
        "LEFT JOIN nodes n ON n.ord = i.ord LEFT JOIN story s ON s.ord = i.ord "
        "LEFT JOIN firsts f ON f.id = i.id LEFT JOIN story fs ON fs.ord = f.ord "
        "LEFT JOIN parent p ON p.a = i.ord "
        "LEFT JOIN (SELECT ord, id FROM nodes UNION ALL SELECT ord, id FROM known) d "
        " ON d.ord = p.b"
    )
    verdicts.counts = dict(
        con.execute("SELECT match, count(*) FROM verdicts GROUP BY match").fetchall()
    )
    return verdicts


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("_append", rows)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _append")
    finally:
        con.unregister("_append")


def _batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _similarities(chunk: pa.RecordBatch, num_perm: int) -> np.ndarray:
    """The estimated Jaccard similarity of each pair of signatures in `chunk` (sa, sb)."""

    def matrix(column: str) -> np.ndarray:
        values = chunk.column(column)
        data = b"".join(values.to_pylist())
        return np.frombuffer(data, dtype="<u4").reshape(len(values), num_perm)

    return similarities(matrix("sb"), matrix("sa"))


def _plan(
    store: Store,
    verdicts: _Verdicts,
    chunks: list[_Chunk],
    run_id: str,
    strict: bool,
    settings: Settings,
) -> list[_Work]:
    """One piece of work per chunk: its articles' assignments, the stored articles it parses
    again, and the name of its dataset part (its place, and a hash of all that and the settings).
    """
    exact_known = [
        r[0]
        for r in verdicts.con.execute(
            "SELECT DISTINCT v.id FROM verdicts v JOIN known k ON k.id = v.id"
        ).fetchall()
    ]
    retry = store.unparsed(exact_known) if exact_known else set()
    fingerprint = content_id(repr(settings))
    plan = []
    for chunk in chunks:
        assignments: dict[int, Assignment] = {}
        rows = verdicts.con.execute(
            "SELECT ord, id, match, story, duplicate_of, similarity, signature FROM verdicts "
            "WHERE ord BETWEEN ? AND ? ORDER BY ord",
            [_place(chunk.sequence, 0), _place(chunk.sequence + 1, 0) - 1],
        ).fetchall()
        for place, article_id, match, story, duplicate_of, similarity, data in rows:
            assignments[place] = Assignment(
                article_id,
                story,
                Duplicate(match),
                duplicate_of,
                round(similarity, 4) if similarity is not None else 1.0,
                data,
            )
        chunk_retry = frozenset(a.article_id for a in assignments.values()) & retry
        digest = content_id(
            fingerprint,
            *(f"{p}:{a.article_id}:{a.story_id}:{a.match}" for p, a in assignments.items()),
            *sorted(chunk_retry),
        )
        plan.append(
            _Work(part_name(chunk.sequence, digest), assignments, chunk_retry, run_id, strict)
        )
    return plan


def _code(
    settings: Settings,
    root: Path,
    prepared: list[Any],
    work: list[_Work],
    chunks: list[_Chunk],
    total: int | None,
    on_progress: ProgressCallback | None,
) -> list[dict[str, Any]]:
    """Run the coders over every chunk; return each chunk's counts, in input order."""
    import ray

    workers = settings.cluster.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    # an actor whose process dies (out of memory, a crash in a native library) is started again
    # and its chunk retried; a chunk is written whole or not at all, so a retry is safe
    coder = ray.remote(_Coder).options(num_cpus=1, max_restarts=2, max_task_retries=2)
    actors = [coder.remote(settings, str(root)) for _ in range(min(workers, len(work)) or 1)]
    pending: dict[Any, int] = {}  # result -> chunk
    pending_actor: dict[int, Any] = {}  # chunk -> its actor
    stats: list[dict[str, Any]] = [{} for _ in work]
    done_items = consumed = 0
    queue = list(range(len(work)))
    free = list(actors)
    try:
        while queue or pending:
            while queue and free:
                n = queue.pop(0)
                actor = free.pop()
                pending[actor.code.remote(prepared[n], work[n])] = n
                pending_actor[n] = actor
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                n = pending.pop(ref)
                stats[n] = ray.get(ref)
                free.append(pending_actor.pop(n))
                done_items += chunks[n].items
                consumed = max(consumed, chunks[n].consumed)
                if on_progress is not None:
                    on_progress(done_items, consumed, total)
    finally:
        for actor in actors:
            ray.kill(actor)
    return stats


def _new_articles(verdicts: _Verdicts) -> Iterator[tuple[str, str, bytes]]:
    """(id, story, signature) of the run's new articles in input order, for the dedupe index."""
    cursor = verdicts.con.cursor()
    cursor.execute("SELECT id, story, signature FROM verdicts WHERE match <> 'exact' ORDER BY ord")
    while rows := cursor.fetchmany(10_000):
        yield from rows


def _summarize(
    summary: RunSummary,
    store: Store,
    verdicts: _Verdicts,
    root: Path,
    chosen: list[str],
    stats: list[dict[str, Any]],
) -> None:
    """The run's counts, as the local path reports them."""
    counts = verdicts.counts
    summary.new = counts.get("new", 0) + counts.get("near", 0)
    summary.near_duplicates = counts.get("near", 0)
    summary.new_stories = counts.get("new", 0)
    # an exact duplicate is `known` when the same source and locator were stored before (by an
    # earlier run) or read before in this run, else a duplicate from a new source
    exact = verdicts.con.sql(
        "SELECT id AS article_id, source, locator, ord FROM verdicts WHERE match = 'exact'"
    ).to_arrow_table()
    stored = store.stored_occurrences(exact) if exact.num_rows else set()
    earlier = {
        tuple(r)
        for r in verdicts.con.execute(
            "SELECT e.ord FROM verdicts e WHERE e.match = 'exact' AND EXISTS (SELECT 1 FROM "
            "verdicts o WHERE o.id = e.id AND o.source = e.source AND o.locator = e.locator "
            "AND o.ord < e.ord)"
        ).fetchall()
    }
    for article_id, source, locator, place in zip(
        *(exact.column(c).to_pylist() for c in ("article_id", "source", "locator", "ord")),
        strict=True,
    ):
        known = (article_id, source, locator) in stored or (place,) in earlier
        summary.known += known
        summary.duplicates += not known
    summary.sentences = sum(s.get("sentences", 0) for s in stats)
    summary.sentences_skipped = sum(s.get("skipped", 0) for s in stats)
    for rejection in _rejections(root, chosen):
        summary.rejected += rejection.code != INTERNAL_CODE
        summary.internal_errors += rejection.code == INTERNAL_CODE
        summary.rejections.append(rejection)


def _rejections(root: Path, chosen: list[str]) -> Iterator[Rejection]:
    for part in chosen:
        path = root / "rejections" / f"part-{part}.parquet"
        if not path.is_file():
            continue
        for row in pq.read_table(path).to_pylist():
            yield Rejection(
                source=row["source"],
                stage=Stage(row["stage"]),
                code=row["code"],
                message=row["message"],
                locator=row["locator"],
                detail=row["detail"],
                raw=row["raw"],
            )
