"""The Ray path (westphalia.cluster) and the Parquet dataset it writes (westphalia.store.dataset).

The cluster tests start a real local Ray cluster of two nodes (one CPU each) with
ray.cluster_utils.Cluster and check that the Ray ingest gives the same store as the local path:
the same articles, stories, sources, sentences, mentions, quotes, events (ids and counts) and
rejections, on the bundled sample corpus and on 2,000 Reuters records from ../shared/corpora.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, require_shared, run_cli

from westphalia import cluster, pipeline
from westphalia.cli import optional_ray_address
from westphalia.config import Settings, load_settings
from westphalia.errors import ConfigError
from westphalia.model import Article, Assignment, Duplicate, Event, InputFormat, Sentence, Span
from westphalia.resources import sample_corpus
from westphalia.store import Batch, open_store
from westphalia.store.dataset import DONE, import_dataset, parts, store_schema, write_part

REUTERS = SHARED / "corpora" / "reuters21578.jsonl"
REUTERS_RECORDS = 2_000

_SNAPSHOT = {
    "articles": "SELECT id, story_id, match, duplicate_of, similarity, source, locator, text, "
    "minhash, published FROM articles",
    "stories": "SELECT id, canonical_article_id FROM stories",
    "article_sources": "SELECT article_id, source, locator FROM article_sources",
    "sentences": "SELECT article_id, idx, start_char, end_char FROM sentences",
    "mentions": "SELECT id, article_id, actor_code, start_char, end_char FROM mentions",
    "actors": "SELECT code, name, country FROM actors",
    "quotes": "SELECT article_id, start_char, end_char, speaker_code, direct FROM quotes",
    "events": "SELECT id, article_id, story_id, sentence_idx, source, target, code, pattern, "
    "count, date FROM events",
    "rejections": "SELECT id, source, locator, stage, code FROM rejections",
}


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with open_store(path, read_only=True) as db:
        return {t: sorted(db.con.execute(sql).fetchall()) for t, sql in _SNAPSHOT.items()}


def _settings(tmp_path: Path, name: str, **values: Any) -> Settings:
    return load_settings(env={}, values={"store.path": tmp_path / f"{name}.duckdb", **values})


# --- the dataset, without Ray ---------------------------------------------------------------


def _article(text: str, locator: str) -> Article:
    from westphalia.model import content_id

    return Article(
        source="/corpus/a.jsonl",
        format=InputFormat.JSONL,
        raw=text.encode(),
        raw_text=text,
        locator=locator,
        text=text,
        id=content_id(text),
        published=date(2024, 5, 1),
    )


def _event(article: Article, story: str) -> Event:
    return Event(  # the same id in every article of the story: a restatement
        article_id=article.id,
        story_id=story,
        sentence_index=0,
        source="RUS",
        target="PAK",
        code="042",
        trigger=Span(0, 5),
        source_span=None,
        target_span=None,
        pattern="verb:042:visit",
        confidence=0.9,
    )


def test_dataset_import_is_the_store_write_and_adding_it_again_adds_nothing(
    tmp_path: Path,
) -> None:
    """Two parts, each with an article of one story restating one event: the import gives the
    store what writing the two batches gives it (the event once, counted twice), and importing
    the dataset again changes nothing."""
    first, second = _article("Lavrov visited Islamabad.", "1"), _article("Lavrov went.", "2")
    story = first.id
    batches = []
    for n, (article, match) in enumerate(((first, Duplicate.NEW), (second, Duplicate.NEAR))):
        assignment = Assignment(article.id, story, match, None, 0.9, b"\x00" * 512)
        batch = Batch(f"run{n}", articles=[(article, assignment)], occurrences=[article])
        batch.sentences = [Sentence(article.id, 0, Span(0, len(article.text)), article.text)]
        batch.events = [_event(article, story)]
        batches.append(batch)
    root = tmp_path / "dataset"
    now = datetime(2024, 5, 2)
    for n, batch in enumerate(batches):
        write_part(root, f"{n:08d}-x", batch, now, stats={"sentences": 1})
    assert parts(root) == ["00000000-x", "00000001-x"]
    assert json.loads((root / DONE / "00000000-x").read_text()) == {"sentences": 1}

    with open_store(tmp_path / "written.duckdb") as db:
        for batch in batches:
            db.write(batch)
    with open_store(tmp_path / "imported.duckdb") as db:
        added = import_dataset(db, root)
        assert (added.parts, added.articles, added.stories, added.events) == (2, 2, 1, 1)
        again = import_dataset(db, root)
        assert (again.articles, again.stories, again.events) == (0, 0, 0)
        assert db.con.execute("SELECT count FROM events").fetchall() == [(2,)]
    assert snapshot(tmp_path / "imported.duckdb") == snapshot(tmp_path / "written.duckdb")


def test_dataset_parts_have_the_store_schema(tmp_path: Path) -> None:
    """A column holding only nulls is written with the store's type, so parts agree."""
    import pyarrow.parquet as pq

    article = _article("Text.", "1")
    assignment = Assignment(article.id, article.id, Duplicate.NEW, None, 1.0, b"\x00" * 512)
    batch = Batch("run", articles=[(article, assignment)], occurrences=[article])
    write_part(tmp_path, "00000000-x", batch, datetime(2024, 5, 2))
    written = pq.read_schema(tmp_path / "articles" / "part-00000000-x.parquet")
    for name in ("duplicate_of", "url", "title", "similarity"):
        assert written.field(name).type == store_schema("articles").field(name).type


def test_importing_a_folder_that_is_not_a_dataset_is_e020(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as db, pytest.raises(ConfigError) as caught:
        import_dataset(db, tmp_path)
    assert caught.value.code == "E020"


def test_import_command_reports_what_it_added(tmp_path: Path, cli: Any) -> None:
    article = _article("Text.", "1")
    assignment = Assignment(article.id, article.id, Duplicate.NEW, None, 1.0, b"\x00" * 512)
    write_part(
        tmp_path / "d", "00000000-x", Batch("r", [(article, assignment)], [article]), datetime.now()
    )
    result = cli("import", str(tmp_path / "d"), "--store", str(tmp_path / "s.duckdb"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ingest", "x", "--ray"], ["ingest", "x", "--ray", "default"]),
        (["ingest", "--ray", "--store", "s"], ["ingest", "--ray", "default", "--store", "s"]),
        (["ingest", "x", "--ray", "local"], ["ingest", "x", "--ray", "local"]),
        (["ingest", "--", "--ray"], ["ingest", "--", "--ray"]),  # a file named --ray
    ],
)
def test_ray_address_is_optional(args: list[str], expected: list[str]) -> None:
    assert optional_ray_address(args) == expected


def test_an_unreachable_cluster_is_e019(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "s")
    with open_store(settings.store.path) as db, pytest.raises(ConfigError) as caught:
        cluster.run([], settings=settings, store=db, address="not an address")
    assert caught.value.code == "E019"


# --- a real two-node cluster ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """A local Ray cluster of two nodes with one CPU each; yields its address."""
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    nodes = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
        shutdown_at_exit=True,
    )
    nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, log_to_driver=False)
    try:
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        yield nodes.address
    finally:
        ray.shutdown()
        nodes.shutdown()


def _both_paths(
    tmp_path: Path, inputs: list[str], address: str, **values: Any
) -> tuple[pipeline.RunSummary, pipeline.RunSummary]:
    local, distributed = (
        _settings(tmp_path, "local", **values),
        _settings(tmp_path, "ray", **values),
    )
    with open_store(local.store.path) as db:
        expected = pipeline.run(inputs, settings=local, store=db)
    with open_store(distributed.store.path) as db:
        got = cluster.run(inputs, settings=distributed, store=db, address=address)
    return expected, got


def _same_summary(a: pipeline.RunSummary, b: pipeline.RunSummary) -> None:
    left, right = a.as_dict(), b.as_dict()
    for key in ("run_id", "seconds", "rejections"):
        left.pop(key), right.pop(key)
    assert left == right
    assert sorted((r.code, r.locator) for r in a.rejections) == sorted(
        (r.code, r.locator) for r in b.rejections
    )


@pytest.mark.slow
def test_ray_ingest_of_the_sample_corpus_equals_the_local_path(
    ray_cluster: str, tmp_path: Path
) -> None:
    with sample_corpus() as corpus:
        expected, got = _both_paths(
            tmp_path, [str(corpus)], ray_cluster, **{"cluster.chunk_size": 4}
        )
    _same_summary(expected, got)
    assert snapshot(tmp_path / "ray.duckdb") == snapshot(tmp_path / "local.duckdb")
    assert got.new_stories > 0 and got.near_duplicates > 0
    # the chunks were coded on both nodes of the cluster
    root = tmp_path / "ray.duckdb.dataset"
    nodes = {json.loads((root / DONE / p).read_text())["node"] for p in parts(root)}
    # 14 text and HTML files read by the tasks, 4 at a time (4 parts); the 6 records of
    # wire.jsonl read by the driver, 4 at a time (2 parts)
    assert len(parts(root)) == 6 and len(nodes) == 2

    # a second run over the same input adds nothing
    settings = _settings(tmp_path, "ray", **{"cluster.chunk_size": 4})
    with sample_corpus() as corpus, open_store(settings.store.path) as db:
        again = cluster.run([str(corpus)], settings=settings, store=db, address=ray_cluster)
    assert (again.new, again.known, again.rejected) == (0, again.read, 0)
    assert snapshot(tmp_path / "ray.duckdb") == snapshot(tmp_path / "local.duckdb")


@pytest.mark.slow
def test_a_killed_ray_ingest_run_again_ends_with_the_same_store(
    ray_cluster: str, tmp_path: Path
) -> None:
    """The driver dies after the first chunk is coded (before the import); the re-run reuses
    the finished part, codes the rest and gives the store the local path gives."""
    values = {"cluster.chunk_size": 6, "cluster.workers": 1}
    settings = _settings(tmp_path, "ray", **values)

    class Killed(Exception):
        pass

    def die(*_: Any) -> None:
        raise Killed

    with sample_corpus() as corpus:
        with open_store(settings.store.path) as db, pytest.raises(Killed):
            cluster.run(
                [str(corpus)], settings=settings, store=db, address=ray_cluster, on_progress=die
            )
        root = tmp_path / "ray.duckdb.dataset"
        finished = parts(root)
        assert len(finished) == 1
        with open_store(settings.store.path) as db:
            assert db.con.execute("SELECT count(*) FROM articles").fetchall() == [(0,)]
        expected, got = _both_paths(tmp_path, [str(corpus)], ray_cluster, **values)
    _same_summary(expected, got)
    assert snapshot(tmp_path / "ray.duckdb") == snapshot(tmp_path / "local.duckdb")
    assert finished[0] in parts(root) and len(parts(root)) == 4


@pytest.mark.slow
def test_ray_ingest_of_reuters_records_equals_the_local_path(
    ray_cluster: str, tmp_path: Path
) -> None:
    """2,000 real wire records: exact and near duplicates, rejected records, events."""
    require_shared(REUTERS, "the Reuters corpus")
    sample = tmp_path / "reuters.jsonl"
    with REUTERS.open(encoding="utf-8") as f, sample.open("w", encoding="utf-8") as out:
        for _, line in zip(range(REUTERS_RECORDS), f, strict=False):
            out.write(line)
    expected, got = _both_paths(tmp_path, [str(sample)], ray_cluster)
    _same_summary(expected, got)
    assert got.near_duplicates > 0 and got.duplicates > 0 and got.rejected > 0
    local, ray_store = snapshot(tmp_path / "local.duckdb"), snapshot(tmp_path / "ray.duckdb")
    for table in _SNAPSHOT:
        assert ray_store[table] == local[table], table
    assert len(local["events"]) > 100


@pytest.mark.slow
def test_a_ray_ingest_matches_the_stores_articles_by_the_keys_its_index_holds(
    ray_cluster: str, tmp_path: Path
) -> None:
    """A store that holds some articles already: the cluster's band table takes their keys
    from the store's dedupe index, and a near duplicate of one of them joins its story, as
    in the local path."""
    values = {"cluster.chunk_size": 4}
    with sample_corpus() as corpus:
        shutil.copytree(corpus / "articles", tmp_path / "first")
        for name in ("local", "ray"):
            settings = _settings(tmp_path, name, **values)
            with open_store(settings.store.path) as db:
                pipeline.run([str(tmp_path / "first")], settings=settings, store=db)
        expected, got = _both_paths(tmp_path, [str(corpus)], ray_cluster, **values)
    _same_summary(expected, got)
    # the stored articles again (another path: duplicates), and the wire copy of a stored story
    assert got.duplicates > 0 and got.near_duplicates > 0
    assert snapshot(tmp_path / "ray.duckdb") == snapshot(tmp_path / "local.duckdb")


@pytest.mark.slow
def test_ingest_ray_on_the_command_line_then_a_second_store_imports_the_dataset(
    ray_cluster: str, tmp_path: Path
) -> None:
    """The real CLI joins the running cluster by its address; `westphalia import` gives a second
    store the same content from the dataset, and the dashboard's reader opens it."""
    with sample_corpus() as corpus:
        shutil.copytree(corpus, tmp_path / "corpus")
    result = run_cli(
        "ingest", "corpus", "--store", "a.duckdb", "--ray", ray_cluster, "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["articles_total"] == summary["new"] > 0
    result = run_cli("import", "a.duckdb.dataset", "--store", "b.duckdb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "b.duckdb") == snapshot(tmp_path / "a.duckdb")
    import westphalia

    with westphalia.open(tmp_path / "b.duckdb") as db:
        assert len(db.events()) == len(snapshot(tmp_path / "a.duckdb")["events"])


@pytest.mark.slow
def test_an_in_memory_store_leaves_no_dataset_behind(
    ray_cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where mkdtemp makes the dataset
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Arnor and Gondor signed a trade agreement on Monday.\n")
    (corpus / "b.txt").write_text("Rohan hosted envoys from Gondor for talks on the border.\n")
    settings = load_settings(env={}, values={"store.path": ":memory:"})
    with open_store(settings.store.path) as db:
        got = cluster.run([str(corpus)], settings=settings, store=db, address=ray_cluster)
        assert got.new == 2 and db.query("SELECT count(*) AS n FROM articles")[0]["n"] == 2
    assert not list(tmp_path.glob("westphalia-dataset-*"))


def test_dataset_path_defaults_beside_the_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "s")
    assert cluster.dataset_path(settings) == tmp_path / "s.duckdb.dataset"
    chosen = replace(settings, cluster=replace(settings.cluster, dataset=tmp_path / "elsewhere"))
    assert cluster.dataset_path(chosen) == tmp_path / "elsewhere"


def test_without_the_ray_extra_ray_ingest_is_e018(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "ray", None)  # import ray raises ImportError
    settings = _settings(tmp_path, "s")
    with open_store(settings.store.path) as db, pytest.raises(ConfigError) as caught:
        cluster.run([], settings=settings, store=db, address="local")
    assert caught.value.code == "E018" and "westphalia[ray]" in caught.value.message


def test_files_go_to_the_tasks_and_records_are_read_in_order(tmp_path: Path) -> None:
    """Single-document files are handed out as file lists (the tasks read them); the records
    of a JSONL file are read by the driver; every unit keeps its place in the input."""
    from westphalia.cluster import _units
    from westphalia.ingest import discover

    for n in range(3):
        (tmp_path / f"a{n}.txt").write_text(f"Story {n}.\n\nRussia met Pakistan.", "utf-8")
    (tmp_path / "b.jsonl").write_text(
        "".join(json.dumps({"text": f"Record {n}."}) + "\n" for n in range(3)), "utf-8"
    )
    (tmp_path / "c.txt").write_text("Last story.", "utf-8")
    settings = _settings(tmp_path, "s")
    sources = list(discover([tmp_path], settings=settings.ingest))
    units = [unit for unit, _ in _units(sources, settings, False, 2)]
    shapes = [("files", len(u.sources)) if u.sources else ("items", len(u.items)) for u in units]
    assert shapes == [("files", 2), ("files", 1), ("items", 2), ("items", 1), ("files", 1)]
    places = [place for u in units for place, _ in u.items]
    assert places == sorted(places) and len(set(places)) == 3
    consumed = [c for _, c in _units(sources, settings, False, 2)]
    assert consumed == sorted(consumed) and consumed[-1] == sum(s.size for s in sources)
