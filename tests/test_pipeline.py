from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from badinput import EXPECTED_REJECTIONS, GOOD_ARTICLES, SIZE_LIMIT, make_bad_input_dir

from westphalia import queries
from westphalia.config import IngestSettings
from westphalia.errors import ExitCode
from westphalia.pipeline import run

STORY = "Kenya and Uganda agreed on Friday to build a new rail link between Kampala and the port of Mombasa, officials said after talks."


def test_bad_input_directory_rejects_each_bad_item_and_keeps_the_rest(
    tmp_path: Path, settings, store
) -> None:
    root = make_bad_input_dir(tmp_path / "bad")
    settings = replace(settings, ingest=IngestSettings(max_file_bytes=SIZE_LIMIT))
    summary = run([root], settings=settings, store=store)
    assert summary.exit_code is ExitCode.REJECTED
    rejected = {(Path(r.source).name, r.code, r.locator) for r in queries.rejections(store)}
    assert rejected == {(name, code, loc) for name, (code, loc) in EXPECTED_REJECTIONS.items()}
    assert (summary.rejected, summary.new, queries.counts(store)["articles"]) == (
        8,
        GOOD_ARTICLES,
        GOOD_ARTICLES,
    )


def test_rerun_adds_nothing_and_a_new_copy_joins_its_story(tmp_path: Path, settings, store) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    first = run([tmp_path / "a.txt"], settings=settings, store=store)
    again = run([tmp_path / "a.txt"], settings=settings, store=store)
    assert (first.new, first.new_stories) == (1, 1)
    assert (again.new, again.known, again.duplicates) == (0, 1, 0)
    (tmp_path / "copy.txt").write_text(STORY + "\n")  # same normalized text: exact duplicate
    (tmp_path / "near.txt").write_text(STORY.replace("Friday", "Friday evening"))
    later = run([tmp_path / "copy.txt", tmp_path / "near.txt"], settings=settings, store=store)
    assert (later.duplicates, later.near_duplicates, later.new_stories) == (1, 1, 0)
    assert queries.counts(store) == {
        "articles": 2,
        "article_sources": 3,
        "stories": 1,
        "rejections": 0,
        "events": 2,
    }


def test_fixed_item_clears_its_rejection(tmp_path: Path, settings, store) -> None:
    path = tmp_path / "a.txt"
    path.write_text("")
    assert run([path], settings=settings, store=store).rejected == 1
    path.write_text(STORY)
    assert run([path], settings=settings, store=store).exit_code is ExitCode.OK
    assert queries.rejections(store) == []


def test_jsonl_duplicates_within_one_file_and_batch(tmp_path: Path, settings, store) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "text": STORY}) for i in range(3)) + "\n")
    summary = run(
        [path], settings=replace(settings, store=replace(settings.store, batch_size=2)), store=store
    )
    assert (summary.new, summary.duplicates, summary.known) == (1, 2, 0)
    assert [
        r["external_id"]
        for r in store.query("SELECT external_id FROM article_sources ORDER BY locator")
    ] == ["0", "1", "2"]


def test_internal_error_becomes_a_rejection_with_traceback(
    tmp_path: Path, settings, store, monkeypatch
) -> None:
    import westphalia.pipeline as pipeline

    def boom(article, *, settings):
        raise RuntimeError("kaput")

    monkeypatch.setattr(pipeline, "normalize", boom)
    (tmp_path / "a.txt").write_text(STORY)
    summary = run([tmp_path / "a.txt"], settings=settings, store=store)
    assert summary.exit_code is ExitCode.INTERNAL
    (rejection,) = queries.rejections(store)
    assert rejection.code == "E901" and "RuntimeError: kaput" in rejection.detail


@pytest.mark.parametrize(
    ("target", "stage"),
    [("extract_events", "events"), ("extract_quotes", "events"), ("extract_actors", "actors")],
)
def test_a_coding_failure_rejects_that_article_and_keeps_the_others(
    tmp_path: Path, settings, store, monkeypatch, target: str, stage: str
) -> None:
    import westphalia.pipeline as pipeline

    real = getattr(pipeline, target)

    def fails_on_one(parse, *args, **kwargs):
        if "Lisbon" in parse.text:
            raise RuntimeError("kaput")
        return real(parse, *args, **kwargs)

    monkeypatch.setattr(pipeline, target, fails_on_one)
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text("Portugal hosted talks in Lisbon with Spain on Monday.")
    summary = run([tmp_path], settings=settings, store=store)
    assert summary.exit_code is ExitCode.INTERNAL and summary.new == 2
    (rejection,) = queries.rejections(store)
    assert (rejection.source.endswith("b.txt"), rejection.stage) == (True, stage)
    assert store.query("SELECT count(*) AS n FROM mentions")[0]["n"] > 0  # a.txt was coded


def test_event_stated_twice_in_a_story_is_stored_once_with_a_count(
    tmp_path: Path, settings, store
) -> None:
    paragraph = "Kenya signed a trade agreement with Uganda on Friday."
    text = f"Trade deal\n\n{paragraph}\n\nOfficials welcomed the step.\n\n{paragraph}\n"  # headline first
    (tmp_path / "2025-03-02_a.txt").write_text(text)
    run([tmp_path], settings=settings, store=store)
    rows = store.query("SELECT source, target, code, count FROM events WHERE code = '057'")
    assert rows == [{"source": "KEN", "target": "UGA", "code": "057", "count": 2}]
    run([tmp_path], settings=settings, store=store)  # a rerun adds nothing
    assert store.query("SELECT sum(count) AS n FROM events WHERE code = '057'")[0]["n"] == 2


def test_ingest_caps_duckdbs_memory_so_the_process_does_not_grow_with_the_store(
    tmp_path: Path, settings, store
) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    run([tmp_path / "a.txt"], settings=settings, store=store)
    limit = store.query("SELECT current_setting('memory_limit') AS v")[0]["v"]
    assert limit == "244.1 MiB"  # 256 MB as DuckDB shows it


def test_ingest_runs_duckdb_on_store_threads_and_restores_its_default(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import westphalia.pipeline as pipeline_module

    def threads() -> int:
        return int(store.query("SELECT current_setting('threads') AS v")[0]["v"])

    default = threads()
    seen: list[int] = []
    load_index = pipeline_module.load_index

    def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - called inside the run
        seen.append(threads())
        return load_index(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "load_index", watched)
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    run([tmp_path / "a.txt"], settings=settings, store=store)
    assert seen == [1] and threads() == default
    two = replace(settings, store=replace(settings.store, threads=2))
    run([tmp_path / "a.txt"], settings=two, store=store)
    assert seen == [1, 2] and threads() == default


@pytest.mark.parametrize("value", ["lots", "256", "1 parsec"])
def test_a_memory_limit_that_is_not_a_size_is_refused(value: str) -> None:
    from westphalia.config import load_settings
    from westphalia.errors import ConfigError

    with pytest.raises(ConfigError, match="store.memory_limit"):
        load_settings(env={}, overrides=[f"store.memory_limit={value}"])


@pytest.mark.parametrize(("threshold", "started"), [(1, True), (10**12, False)])
def test_a_big_input_starts_the_parse_workers_before_the_first_batch(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch, threshold: int, started: bool
) -> None:
    from westphalia import pipeline
    from westphalia.parse import Parser

    calls: list[int] = []
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_CHARS", threshold)
    monkeypatch.setattr(Parser, "start", lambda self: calls.append(1))
    path = tmp_path / "wire.jsonl"
    path.write_text(
        json.dumps({"id": "1", "text": "Arnor and Gondor held talks on Monday."}) + "\n"
    )
    run([path], settings=settings, store=store)
    assert bool(calls) is started  # input as big as the parser's own bar for its workers


def test_one_item_batches_are_each_coded_and_written(tmp_path: Path, settings, store) -> None:
    """Batches overlap (one is parsed while the one before is coded and written): with one
    item per batch every article is still coded and stored once, and counted once."""
    texts = [
        STORY,
        STORY.replace("Kenya", "Tanzania"),
        "Portugal hosted Spain in Lisbon on Monday.",
    ]
    for n, text in enumerate(texts):
        (tmp_path / f"{n}.txt").write_text(text)
    (tmp_path / "copy.txt").write_text(STORY + "\n")
    one = replace(settings, store=replace(settings.store, batch_size=1))
    summary = run([tmp_path], settings=one, store=store)
    assert (summary.new, summary.duplicates, summary.known) == (3, 1, 0)
    coded = store.query("SELECT count(DISTINCT article_id) AS n FROM mentions")[0]["n"]
    assert coded == 3
    again = run([tmp_path], settings=one, store=store)
    assert (again.new, again.duplicates, again.known) == (0, 0, 4)


def test_a_batch_the_parser_cannot_take_is_parsed_when_coded(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser whose workers do not start when a batch is sent gets the batch again when it
    is coded (and there, a failure is the articles' rejection, not the run's end)."""
    from westphalia.parse import Parser

    real = Parser.submit
    calls: list[int] = []

    def fails_once(self, items):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("parse workers exit as they start")
        return real(self, items)

    monkeypatch.setattr(Parser, "submit", fails_once)
    (tmp_path / "a.txt").write_text(STORY)
    summary = run([tmp_path], settings=settings, store=store)
    assert summary.exit_code is ExitCode.OK and summary.new == 1 and len(calls) == 2
    assert store.query("SELECT count(*) AS n FROM mentions")[0]["n"] > 0
