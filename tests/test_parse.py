"""Parse guards (issue 11): degenerate tokens blanked, long texts parsed in pieces, a time
budget per document, workers that die with their parent."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
import pytest

from westphalia import queries
from westphalia.config import ParseSettings, load_settings
from westphalia.errors import ConfigError, InputError
from westphalia.parse import (
    MIN_PARALLEL_TEXTS,
    Failure,
    Parse,
    Parser,
    balanced_tasks,
    neutralise,
    pieces,
)
from westphalia.pipeline import run
from westphalia.workers import Pool, WorkerError

PARAGRAPH = (
    "Russian officials said on Tuesday that talks with Pakistan in Moscow were productive. "
    "The two sides agreed to expand trade, and Islamabad thanked Moscow for its support."
)


@pytest.fixture(scope="module")
def parser() -> Iterator[Parser]:
    with Parser(ParseSettings(processes=1)) as engine:
        yield engine


@pytest.mark.parametrize(
    "text",
    [
        "Talks ended." + "_" * 40 + "Russia said.",
        "A rule\n" + "-=" * 30 + "\nthen text",
        "See " + "x" * 500 + " for details.",
        "Unicode " + "\u2014" * 20 + " dashes and " + "é" * 300,
    ],
)
def test_neutralise_blanks_degenerate_tokens_and_keeps_every_offset(text: str) -> None:
    clean = neutralise(text, max_token_chars=100)
    assert len(clean) == len(text)
    assert [i for i, c in enumerate(clean) if c != text[i]]  # something was blanked
    assert all(c == text[i] or c == " " for i, c in enumerate(clean))
    assert clean.count("\n") == text.count("\n")  # no paragraph moved


@pytest.mark.parametrize("text", ["He said: 'No!' -- then left...", "http://example.org/a-b?c=d"])
def test_neutralise_leaves_ordinary_text_alone(text: str) -> None:
    assert neutralise(text, max_token_chars=100) == text


def test_pieces_cover_the_text_and_end_at_paragraph_breaks() -> None:
    text = "\n\n".join([PARAGRAPH] * 40)
    spans = pieces(text, size=1_000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(end - start <= 1_000 for start, end in spans)
    assert all(text[end - 2 : end] == "\n\n" for _, end in spans[:-1])


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ((PARAGRAPH + " ") * 30, ". "),  # no paragraph break: after a sentence
        ("word " * 600, " "),  # no sentence end: at a space
        ("x" * 3_000, "x"),  # nothing: at the size
    ],
)
def test_pieces_fall_back_to_sentences_then_words(text: str, ends: str) -> None:
    spans = pieces(text, size=1_000)
    assert all(text[end - len(ends) : end] == ends for _, end in spans[:-1])
    assert max(end - start for start, end in spans) <= 1_000


def _check_offsets(parse: Parse) -> None:
    text = parse.text
    assert [t.i for t in parse.tokens] == list(range(len(parse.tokens)))
    assert all(text[t.start : t.end] == t.text for t in parse.tokens)
    assert all(0 <= t.head < len(parse.tokens) for t in parse.tokens)
    assert [s.index for s in parse.sentences] == list(range(len(parse.sentences)))
    assert all(text[s.span.start : s.span.end] == s.text for s in parse.sentences)
    assert all(parse.tokens[e.start].ent == e.label for e in parse.entities)
    assert all(0 <= m.start < m.end <= len(parse.tokens) for m in parse.matches)


def test_a_long_text_is_parsed_in_pieces_stitched_over_the_whole_text(parser: Parser) -> None:
    text = "\n\n".join(f"{PARAGRAPH} Item {i}." for i in range(30))  # ~5,500 characters
    whole = next(parser.parse([("a", text)]))
    cut = replace(parser.settings, chunk_chars=1_000, batch_chars=2_000)
    with Parser(cut) as small:
        stitched = next(small.parse([("a", text)]))
    _check_offsets(stitched)
    assert stitched.sentences == whole.sentences  # cuts at paragraph breaks change no sentence
    assert stitched.entities == whole.entities
    assert [t.text for t in stitched.tokens] == [t.text for t in whole.tokens]


def test_a_text_over_the_models_length_limit_parses(
    parser: Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser.nlp, "max_length", 3_000)  # spaCy's 1,000,000, scaled down
    text = "\n\n".join([PARAGRAPH] * 40)  # ~7,000 characters
    with Parser(replace(parser.settings, chunk_chars=2_000)) as small:
        parse = next(small.parse([("a", text)]))
    _check_offsets(parse)
    assert len(parse.sentences) == 80


@pytest.mark.parametrize(
    "text",
    [
        "_" * 20_000,  # 36 s before the guard
        "Talks ended. " + "!?" * 5_000 + " Russia said.",
        "x" * 50_000,
        ("a " * 5_000).strip(),
    ],
)
def test_degenerate_texts_parse_fast_with_offsets_into_the_stored_text(
    parser: Parser, text: str
) -> None:
    started = time.perf_counter()
    parse = next(parser.parse([("a", text)]))
    assert time.perf_counter() - started < 5  # 0.1-1.5 s on the loaded 2-core CI machine
    assert parse.text == text
    _check_offsets(parse)


def test_over_the_budget_in_this_process_a_document_fails_at_a_batch_boundary(
    parser: Parser,
) -> None:
    settings = replace(parser.settings, chunk_chars=1_000, batch_chars=1_000, time_budget=0.01)
    long = "\n\n".join([PARAGRAPH] * 20)  # many pipe batches
    with Parser(settings) as slow:
        results = list(slow.parse_each([("short", PARAGRAPH), ("long", long), ("b", PARAGRAPH)]))
        with pytest.raises(InputError, match="raise the budget with --set parse.time_budget"):
            list(slow.parse([("long", long)]))
    assert [type(r) for r in results] == [Parse, Failure, Parse]
    assert (results[1].article_id, results[1].code) == ("long", "E301")


def test_a_dead_workers_document_is_an_e302_saying_what_to_do(parser: Parser) -> None:
    failure = parser._failure((0, "a1", "x" * 5_000), "died", "killed by SIGKILL")
    assert failure.error("feed.jsonl", "7").message == (
        "feed.jsonl: the parse worker died while parsing this document (5,000 characters; "
        "killed by SIGKILL); the machine may have run out of memory. Split the document into "
        "smaller files, or lower the memory used with --set parse.batch_chars=N."
    )


@pytest.mark.slow  # two workers load the model
@pytest.mark.parametrize("fork_server", [False, True])
def test_worker_processes_give_the_parses_of_this_process(
    parser: Parser, fork_server: bool
) -> None:
    texts = [(f"a{i}", f"{PARAGRAPH} Item {i}.") for i in range(MIN_PARALLEL_TEXTS)]
    settings = replace(parser.settings, processes=3, fork_server=fork_server)
    with Parser(settings) as workers:
        assert list(workers.parse(texts)) == list(parser.parse(texts))
        parents = {psutil.Process(w.process.pid).ppid() for w in workers._pool._workers}
    if fork_server and sys.platform == "linux":  # forked by the server, not by this process
        assert len(parents) == 1 and os.getpid() not in parents
    else:
        assert parents == {os.getpid()}


@pytest.mark.slow  # a worker loads the model
def test_a_worker_leaves_nothing_frozen_at_exit(tmp_path: Path) -> None:
    """A parse worker freezes what it loaded out of the garbage collector's full passes, and
    unfreezes it before it exits: under a main script that imports DuckDB (the workers import
    it too), objects still frozen at exit made DuckDB's bindings report leaks on stderr."""
    script = tmp_path / "main.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import duckdb
            from westphalia.config import ParseSettings
            from westphalia.parse import Parser

            if __name__ == "__main__":
                texts = [(f"a{{i}}", "Ministers met in Gondor on Monday. Item {{i}}.")
                         for i in range({MIN_PARALLEL_TEXTS})]
                with Parser(ParseSettings(processes=2), ()) as parser:
                    assert parser._pool is None
                    print(sum(1 for _ in parser.parse(texts)), parser._pool is not None)
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(MIN_PARALLEL_TEXTS), "True"]
    assert "leaked" not in done.stderr, done.stderr


@pytest.mark.slow  # two workers load the model
def test_workers_started_before_their_phrases_match_them_once_given(parser: Parser) -> None:
    """What the pipeline does: the workers start (and load the model) while the gazetteer
    loads; its phrases reach them later, and they match as a parser made with them does."""
    from westphalia.parse import Phrase

    phrases = (Phrase("city:MOW", "moscow"), Phrase("country:PAK", "Pakistan", True))
    texts = [(f"a{i}", f"{PARAGRAPH} Item {i}.") for i in range(MIN_PARALLEL_TEXTS)]
    settings = replace(parser.settings, processes=3)
    with Parser(parser.settings, phrases) as here, Parser(settings, None) as workers:
        workers.start()
        assert workers._pool is not None  # started without the phrases
        workers.give_phrases(phrases)
        got = list(workers.parse(texts))
        assert got == list(here.parse(texts))
    assert {m.key for p in got for m in p.matches} == {"city:MOW", "country:PAK"}


def test_a_parser_without_its_phrases_does_not_parse() -> None:
    with Parser(ParseSettings(processes=1), None) as parser:
        parser.start()  # one process: nothing to start
        with pytest.raises(RuntimeError, match="give_phrases"):
            list(parser.parse([("a", "Russia spoke.")]))


def test_a_worker_takes_the_parser_its_fork_server_preloaded(monkeypatch) -> None:
    from westphalia import parse_server
    from westphalia.parse import Phrase, _parse_worker

    phrases = (Phrase("country:RUS", "Russia"),)
    warm = Parser(ParseSettings(processes=1), phrases)
    monkeypatch.setattr(parse_server, "parser", warm)
    assert _parse_worker(ParseSettings(processes=1), phrases).__self__ is warm
    other = _parse_worker(ParseSettings(processes=1, batch_size=7), phrases).__self__
    assert other is not warm and other.settings.batch_size == 7  # not the one preloaded


# --- worker processes, with a fake worker that needs no model ----------------------------
# (slow: each worker process imports westphalia, ~3 s of CPU on the 2-core machine)


def _fake_worker() -> Any:
    """A worker's setup (like parse._parse_worker): its handler takes a task as one batch and
    upper-cases each text; "slow" sleeps, "die" exits, "bug" raises, "big" answers 200,000
    characters, "stamp:PATH" touches PATH, "spin:PATH" touches PATH and then spins in C holding
    the GIL (no watchdog thread can run)."""

    def handle(task: list[tuple[int, str, str]]) -> Iterator[tuple[Any, ...]]:
        yield ("begin", [index for index, _, _ in task])
        for index, _, text in task:
            if text == "slow":
                time.sleep(60)
            elif text == "die":
                os._exit(3)
            elif text == "bug":
                raise ValueError("a bug")
            elif text == "big":
                yield ("done", index, "x" * 200_000)  # a pipe holds a few of these
                continue
            elif text.startswith("stamp:"):
                Path(text[6:]).touch()
            elif text.startswith("spin:"):
                Path(text[5:]).touch()
                re.match(r"(a|aa)+$", "a" * 200 + "b")  # exponential backtracking
            yield ("done", index, text.upper())

    return handle


# Workers are spawned, or forked by multiprocessing's fork server (what the parser uses where
# the system has one): each behaviour holds for both.
START_METHODS = ["spawn", "forkserver"]


def _pid(pool: Pool) -> int:
    worker = pool._workers[0]
    assert worker.launched.wait(60), "the worker never started"
    return worker.process.pid


def _run_pool(texts: list[str], *, budget: float, start_method: str) -> tuple[list[Any], list[int]]:
    """The (kind, value) outcome of each of `texts` run as one pool task, and the pids the
    pool's worker had."""
    pool = Pool(1, _fake_worker, (), budget=budget, start_method=start_method)
    pids = [_pid(pool)]
    try:
        task = [(i, f"id{i}", text) for i, text in enumerate(texts)]
        found = {index: (kind, value) for index, kind, value in pool.run([task])}
        pids.append(_pid(pool))
    finally:
        pool.close()
    return [found[i] for i in range(len(texts))], pids


@pytest.mark.slow
@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_worker_over_the_budget_is_replaced_and_only_its_item_fails(start_method: str) -> None:
    outcomes, pids = _run_pool(["one", "slow", "three"], budget=1.0, start_method=start_method)
    assert outcomes[0] == ("done", "ONE") and outcomes[2] == ("done", "THREE")  # retried alone
    assert outcomes[1][0] == "over" and outcomes[1][1] >= 1.0
    assert pids[0] != pids[1]
    assert not psutil.pid_exists(pids[0])


@pytest.mark.slow
@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_dead_worker_is_replaced_and_its_item_fails(start_method: str) -> None:
    outcomes, _ = _run_pool(["die", "two"], budget=60, start_method=start_method)
    assert outcomes == [("died", "exit code 3"), ("done", "TWO")]


@pytest.mark.slow
def test_a_bug_in_a_worker_is_raised_with_its_traceback_and_the_pool_goes_on() -> None:
    pool = Pool(1, _fake_worker, (), budget=60)
    try:
        with pytest.raises(WorkerError, match="ValueError: a bug"):
            list(pool.run([[(0, "a", "bug")]]))
        assert list(pool.run([[(0, "b", "two")]])) == [(0, "done", "TWO")]
    finally:
        pool.close()


@pytest.mark.slow
def test_a_run_left_early_leaves_no_stale_work_for_the_next() -> None:
    pool = Pool(1, _fake_worker, (), budget=60)
    try:
        run = pool.run([[(0, "a", "one"), (1, "b", "slow")]])
        assert next(run) == (0, "done", "ONE")
        run.close()  # the caller stops reading while the worker sleeps on "slow"
        assert list(pool.run([[(0, "c", "two")]])) == [(0, "done", "TWO")]
    finally:
        pool.close()


@pytest.mark.slow
def test_a_worker_goes_on_while_the_caller_is_busy_with_its_results(tmp_path: Path) -> None:
    """The worker's results go out from a thread of their own: it does not wait for the caller
    to read a full pipe (4 MB of results here) before it goes on with its task."""
    stamp = tmp_path / "reached"
    pool = Pool(1, _fake_worker, (), budget=60)
    try:
        task = [(i, f"id{i}", "big") for i in range(20)] + [(20, "id20", f"stamp:{stamp}")]
        reached = []
        for index, _, _ in pool.run([task]):
            if index == 0:
                time.sleep(2)  # the caller busy with the first result
                reached.append(stamp.exists())
        assert reached == [True]
    finally:
        pool.close()


@pytest.mark.slow
def test_a_worker_gets_its_next_task_before_the_caller_works_on_the_last_results(
    tmp_path: Path,
) -> None:
    stamp = tmp_path / "reached"
    pool = Pool(1, _fake_worker, (), budget=60)
    try:
        reached = []
        for index, _, _ in pool.run([[(0, "a", "one")], [(1, "b", f"stamp:{stamp}")]]):
            if index == 0:
                time.sleep(2)  # meanwhile the worker is on the second task
                reached.append(stamp.exists())
        assert reached == [True]
    finally:
        pool.close()


def _touch(path: str) -> None:
    Path(path).touch()


@pytest.mark.slow
def test_a_pools_workers_start_and_preload_before_their_setup_is_given(tmp_path: Path) -> None:
    stamp = tmp_path / "preloaded"
    pool = Pool(1, _fake_worker, None, budget=60, preload=(_touch, (str(stamp),)))
    try:
        deadline = time.monotonic() + 60
        while not stamp.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert stamp.exists()  # the worker ran its preload without its setup
        assert not pool._workers[0].ready
        pool.set_up(())
        assert list(pool.run([[(0, "a", "one")]])) == [(0, "done", "ONE")]
    finally:
        pool.close()


@pytest.mark.slow
def test_a_pool_closed_before_its_setup_is_given_closes_at_once() -> None:
    pool = Pool(2, _fake_worker, None, budget=60)
    pids = [_pid(pool)]
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 4  # no setup thread left waiting (5 s a worker)
    assert not psutil.pid_exists(pids[0]) or psutil.Process(pids[0]).status() == "zombie"


@pytest.fixture
def fake_parser(monkeypatch) -> Iterator[Parser]:
    """A Parser whose one worker is the fake worker, and which sends even one text to it."""
    import westphalia.parse as parse_module

    monkeypatch.setattr(parse_module, "MIN_PARALLEL_TEXTS", 1)
    parser = Parser(ParseSettings(processes=2))
    parser._pool = Pool(1, _fake_worker, (), budget=60)
    try:
        yield parser
    finally:
        parser.close()


@pytest.mark.slow
def test_the_next_submission_is_parsed_while_the_caller_works_on_the_last(
    fake_parser: Parser, tmp_path: Path
) -> None:
    """What the pipeline does with its batches: the next one's texts go to the workers before
    the caller codes the one before; its results are read after."""
    stamp = tmp_path / "reached"
    first = fake_parser.submit([("a", "one"), ("b", "two")])
    second = fake_parser.submit([("c", f"stamp:{stamp}")])
    reached = []
    for result in fake_parser.results(first):
        reached.append(result)
        time.sleep(1)  # the caller busy coding: the worker is on the second submission
    assert reached == ["ONE", "TWO"]
    assert stamp.exists()
    assert list(fake_parser.results(second)) == [f"STAMP:{stamp}".upper()]
    assert not fake_parser._outstanding and not fake_parser._arrived


@pytest.mark.slow
def test_a_submission_lost_to_another_ones_error_is_parsed_again(fake_parser: Parser) -> None:
    failing = fake_parser.submit([("a", "bug")])
    other = fake_parser.submit([("b", "two"), ("c", "three")])
    with pytest.raises(WorkerError, match="a bug"):
        list(fake_parser.results(failing))
    assert list(fake_parser.results(other)) == ["TWO", "THREE"]  # dropped with the error, redone


@pytest.mark.slow
def test_results_left_early_drop_the_rest_of_their_work(fake_parser: Parser) -> None:
    left = fake_parser.submit([("a", "one"), ("b", "slow")])
    results = fake_parser.results(left)
    assert next(results) == "ONE"
    results.close()  # the caller stops reading while the worker sleeps on "slow"
    start = time.monotonic()
    assert list(fake_parser.results(fake_parser.submit([("c", "two")]))) == ["TWO"]
    assert time.monotonic() - start < 30  # not behind the 60 s of "slow"
    assert not fake_parser._outstanding and not fake_parser._arrived


def test_tasks_are_cut_by_characters_not_by_count() -> None:
    items = [(i, f"id{i}", "x" * 1000) for i in range(4)]
    items += [(i, f"id{i}", "x" * 10) for i in range(4, 104)]
    tasks = balanced_tasks(items, 2)
    assert [item for task in tasks for item in task] == items  # in order, each once
    assert [sum(len(t) for _, _, t in task) for task in tasks] == [3000, 2000]  # not 4480/520
    assert [len(t) for t in balanced_tasks(items[4:], 4)] == [25, 25, 25, 25]
    assert balanced_tasks([], 4) == []
    assert len(balanced_tasks([(0, "a", "")] * 3, 4)) == 3  # empty texts are shared out too


PARENT = """
import sys
sys.path.insert(0, {tests!r})
from test_parse import _fake_worker
from westphalia.workers import Pool, WorkerError

if __name__ == "__main__":  # the fork server starts this file again as its main
    pool = Pool(1, _fake_worker, (), budget=600, start_method={start_method!r})
    assert pool._workers[0].launched.wait(60)
    print(pool._workers[0].process.pid, flush=True)
    list(pool.run([[(0, "a", "spin:" + {marker!r})]]))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")
@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_busy_worker_exits_when_its_parent_is_killed(tmp_path: Path, start_method: str) -> None:
    marker = tmp_path / "spinning"
    script = PARENT.format(
        tests=str(Path(__file__).parent), marker=str(marker), start_method=start_method
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )
    worker = int(parent.stdout.readline())  # type: ignore[union-attr]
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the worker never started spinning"
        parent.kill()
        parent.wait()
        assert psutil.wait_procs([psutil.Process(worker)], timeout=10)[1] == []
    finally:
        parent.kill()
        if psutil.pid_exists(worker):
            os.kill(worker, signal.SIGKILL)


# --- settings and the pipeline -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("time_budget", "0"),
        ("chunk_chars", "2000000"),
        ("max_token_chars", "5"),
        ("batch_chars", "-1"),
        ("select", "nouns"),
    ],
)
def test_parse_guard_settings_are_validated(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"parse.{key} \\(from --set\\)"):
        load_settings(env={}, overrides=[f"parse.{key}={value}"])


@pytest.mark.slow  # loads the gazetteer and the lexicon
def test_a_document_over_the_budget_is_rejected_and_the_batch_goes_on(
    tmp_path: Path, settings, store
) -> None:
    (tmp_path / "long.txt").write_text("\n\n".join([PARAGRAPH] * 20))
    (tmp_path / "short.txt").write_text(PARAGRAPH)
    guards = {"chunk_chars": 1_000, "batch_chars": 1_000, "time_budget": 0.01, "processes": 1}
    settings = replace(settings, parse=replace(settings.parse, **guards))
    summary = run([tmp_path], settings=settings, store=store)
    (rejection,) = queries.rejections(store)
    assert (Path(rejection.source).name, rejection.code) == ("long.txt", "E301")
    assert "Split the document into smaller files" in rejection.message
    assert (summary.rejected, summary.new) == (1, 2)
    sentences = store.query("SELECT count(*) AS n FROM sentences")[0]["n"]
    assert sentences == 2  # the short article's; the long one is stored without sentences


@pytest.mark.slow
def test_a_document_rejected_at_parse_is_parsed_again_by_the_next_run(
    tmp_path: Path, settings, store
) -> None:
    (tmp_path / "long.txt").write_text("\n\n".join([PARAGRAPH] * 20))
    guards = {"chunk_chars": 1_000, "batch_chars": 1_000, "time_budget": 0.01, "processes": 1}
    tight = replace(settings, parse=replace(settings.parse, **guards))
    run([tmp_path], settings=tight, store=store)
    assert [r.code for r in queries.rejections(store)] == ["E301"]
    summary = run([tmp_path], settings=settings, store=store)  # the default budget
    assert (summary.rejected, summary.known, queries.rejections(store)) == (0, 1, [])
    sentences = store.query("SELECT count(*) AS n FROM sentences")[0]["n"]
    assert sentences >= 20
    events = store.query("SELECT sum(count) AS n FROM events")[0]["n"]
    run([tmp_path], settings=settings, store=store)  # parsed now: not parsed a third time
    assert store.query("SELECT count(*) AS n FROM sentences")[0]["n"] == sentences
    assert store.query("SELECT sum(count) AS n FROM events")[0]["n"] == events


SELECTION_TEXT = (
    "Wheat prices rose 3 pct on Monday.\n\n"
    "Russian Foreign Minister Sergey Lavrov visited Islamabad. He met the army chief.\n"
    "Traders stayed cautious. Markets were quiet.\n"
    '"We are old friends," the envoy told reporters. The meeting lasted an hour.\n'
    "The two neighbours signed three accords. Shares fell."
)


@pytest.fixture(scope="module")
def selecting() -> Iterator[Parser]:
    from fakes import GAZ

    with Parser(ParseSettings(processes=1), GAZ.phrases()) as engine:
        yield engine


def test_only_sentences_that_can_carry_an_event_or_a_quote_are_parsed(selecting) -> None:
    parse = next(selecting.parse([("a1", SELECTION_TEXT)]))
    parsed = {s.text for s in parse.sentences if s.index not in parse.skipped}
    skipped = {s.text for s in parse.sentences if s.index in parse.skipped}
    assert skipped == {
        "Wheat prices rose 3 pct on Monday.",
        "Traders stayed cautious.",
        "Markets were quiet.",
        "Shares fell.",
    }
    assert parsed == {
        "Russian Foreign Minister Sergey Lavrov visited Islamabad.",  # names actors
        "He met the army chief.",  # a pronoun right after a named sentence
        '"We are old friends," the envoy told reporters.',  # a quote
        "The meeting lasted an hour.",  # the sentence after a quote (its attribution)
        "The two neighbours signed three accords.",  # "two" + a plural: coreference's pair
    }
    # every sentence is kept with its offsets; only parsed ones have tokens
    assert [s.index for s in parse.sentences] == list(range(len(parse.sentences)))
    for s in parse.sentences:
        assert SELECTION_TEXT[s.span.start : s.span.end] == s.text
    assert {t.sent for t in parse.tokens} == {s.index for s in parse.sentences} - parse.skipped
    assert [t.i for t in parse.tokens] == list(range(len(parse.tokens)))
    for t in parse.tokens:
        assert SELECTION_TEXT[t.start : t.end] == t.text


def test_select_all_parses_every_sentence() -> None:
    from fakes import GAZ

    with Parser(ParseSettings(processes=1, select="all"), GAZ.phrases()) as engine:
        parse = next(engine.parse([("a1", SELECTION_TEXT)]))
    assert parse.skipped == frozenset()
    assert "Shares" in {t.text for t in parse.tokens}


def test_a_text_naming_no_actor_keeps_its_sentences_unparsed(selecting) -> None:
    parse = next(selecting.parse([("a1", "Wheat prices rose. Shares fell sharply.")]))
    assert [s.text for s in parse.sentences] == ["Wheat prices rose.", "Shares fell sharply."]
    assert parse.tokens == () and parse.skipped == {0, 1}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "One. Two! Three? Four",
        'He said "no." Then he left.\n\nA new paragraph!!! Is it?? "Yes."',
        "Talks ended...and resumed. Officials met (briefly). Next\nline\n\n  \n  end",
        "No full stop at all\nbut a line break",
        "U.S. officials met E.U. envoys on Jan. 5. They agreed.",
    ],
)
def test_the_rough_sentences_are_spacys_sentencizer_with_paragraph_breaks(text: str) -> None:
    from spacy.pipeline import Sentencizer

    from westphalia.parse import RoughSentences, _load, _paragraph_breaks

    nlp = _load(ParseSettings().model, ner=False)
    reference = _paragraph_breaks(Sentencizer()(nlp.make_doc(text)))
    doc = nlp.make_doc(text)
    ours = RoughSentences(nlp.vocab)(doc.to_array(RoughSentences.COLUMNS).tolist())
    assert ours == [(s.start, s.end) for s in reference.sents]


def test_the_rough_sentences_are_spacys_sentencizer_on_the_sample_corpus() -> None:
    from spacy.pipeline import Sentencizer

    from westphalia import sample_corpus
    from westphalia.parse import RoughSentences, _load, _paragraph_breaks

    nlp = _load(ParseSettings().model, ner=False)
    with sample_corpus() as corpus:
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))]
    rough = RoughSentences(nlp.vocab)
    count = 0
    for text in texts:
        reference = _paragraph_breaks(Sentencizer()(nlp.make_doc(text)))
        ours = rough(nlp.make_doc(text).to_array(RoughSentences.COLUMNS).tolist())
        assert ours == [(s.start, s.end) for s in reference.sents]
        count += len(ours)
    assert count > 100


@pytest.mark.parametrize("lower", [True, False])
def test_phrase_keys_are_the_tokenizers_tokens(lower: bool) -> None:
    from fakes import GAZ
    from spacy.attrs import LOWER, ORTH

    from westphalia.parse import _load, phrase_keys

    nlp = _load(ParseSettings().model, ner=False)
    tricky = [
        "cannot",
        "Cannot",
        "U.S.",
        "al-Qaeda",
        "Côte d'Ivoire",
        "Hamas",
        "gonna",
        "Ima",
        "New  York",
        "dont",
        "St. Kitts",
        "NATO",
        "Bosnia and Herzegovina",
        "Dont",
    ]
    texts = tricky + [p.text for p in GAZ.phrases()]
    attr = LOWER if lower else ORTH
    assert phrase_keys(nlp, texts, lower=lower) == [
        tuple(doc.to_array([attr]).tolist()) for doc in nlp.tokenizer.pipe(texts)
    ]


def test_the_indexed_attribute_ruler_sets_what_spacys_sets() -> None:
    import spacy

    from westphalia.parse import load_model

    ours = load_model(ParseSettings().model)
    assert "attribute_ruler" not in ours.pipe_names
    reference = spacy.load(ParseSettings().model)
    reference.add_pipe("westphalia_paragraphs", before="parser")
    texts = [
        PARAGRAPH,
        "Y'all gon na see it. I ain't going, but he did. Let's go, c'm on. There is a man.",
        "It was given to I and you. That was what she got. Nothin' was done.\n\nThe end.",
    ]
    attrs = lambda t: (t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i)  # noqa: E731
    for mine, theirs in zip(ours.pipe(texts), reference.pipe(texts), strict=True):
        assert [attrs(t) for t in mine] == [attrs(t) for t in theirs]


def test_the_indexed_attribute_ruler_leaves_what_no_rule_sets() -> None:
    """A tag no rule knows keeps its token's morphology unset (0, not the empty analysis, which
    Doc.from_array would make of it), beside tokens the rules do set, one of them by a rule of
    two tokens; spaCy's own ruler on the same tagged Doc gives the same."""
    import spacy
    from spacy.tokens import Doc

    from westphalia.parse import load_model

    ours = load_model(ParseSettings().model).get_pipe("westphalia_attributes")
    reference = spacy.load(ParseSettings().model).get_pipe("attribute_ruler")
    vocab = ours.ruler.vocab
    words = ["They", "gon", "na", "see", "Zorblat", "there", "is", "it", "."]
    tags = ["PRP", "VBG", "TO", "VB", "NOT_A_TAG", "EX", "VBZ", "PRP", "."]
    deps = ["nsubj", "ROOT", "aux", "xcomp", "dobj", "expl", "ROOT", "nsubj", "punct"]
    heads = [1, 1, 3, 1, 3, 6, 6, 6, 6]

    def tagged() -> Doc:
        return Doc(vocab, words=words, tags=tags, deps=deps, heads=heads)

    columns = ["TAG", "POS", "MORPH", "LEMMA", "DEP"]
    mine = ours(tagged()).to_array(columns).tolist()
    theirs = reference(tagged()).to_array(columns).tolist()
    assert mine == theirs
    assert mine[4][2] == 0  # the unknown tag's token: no morphology
    assert mine[1][3] == vocab.strings["go"]  # "gon na": the rule of two tokens
    assert sum(row[2] != 0 for row in mine) >= 5


def test_the_indexed_attribute_ruler_keeps_the_rules_precedence() -> None:
    """A later rule wins over an earlier one whatever their lengths: a rule of one token after
    a rule of two that sets the same attribute of the same token, and before one that sets it
    again; rules that set other attributes, and an index from the end, as spaCy's ruler."""
    import spacy
    from spacy.tokens import Doc

    from westphalia.parse import _IndexedAttributes

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a"}, {"LOWER": "b"}]], {"LEMMA": "first", "POS": "NOUN"})
    ruler.add([[{"LOWER": "a"}]], {"LEMMA": "second"})
    ruler.add([[{"LOWER": "b"}, {"LOWER": "c"}]], {"LEMMA": "third"}, index=-1)
    ruler.add([[{"LOWER": "c"}]], {"LEMMA": "fourth", "MORPH": "Number=Sing"})
    ruler.add([[{"LOWER": "c"}, {"LOWER": "d"}]], {"LEMMA": "fifth"})
    ruler.add([[{"TAG": "X"}, {"LOWER": {"REGEX": "^e"}}]], {"POS": "VERB"}, index=1)
    assert _IndexedAttributes.supports(ruler)
    ours = _IndexedAttributes(ruler)
    words = ["A", "b", "c", "d", "x", "e", "a", "c", "b", "c"]
    tags = ["", "", "", "", "X", "", "", "", "", ""]
    columns = ["POS", "MORPH", "LEMMA", "TAG"]
    mine = ours(Doc(nlp.vocab, words=words, tags=tags)).to_array(columns).tolist()
    theirs = ruler(Doc(nlp.vocab, words=words, tags=tags)).to_array(columns).tolist()
    assert mine == theirs
    lemmas = [nlp.vocab.strings[row[2]] for row in mine]
    assert lemmas == ["second", "", "fifth", "", "", "", "second", "fourth", "", "fourth"]


@pytest.mark.parametrize("mix", [None, (0, 0, 0, 0)])
def test_distinct_rows_are_numpys_even_when_keys_collide(monkeypatch, mix) -> None:
    import numpy

    import westphalia.parse as parse_module

    if mix is not None:  # every row the same key: told apart by the fallback
        monkeypatch.setattr(parse_module, "_ROW_MIX", mix)
    rows = numpy.array(
        [[2**63 + 5, 7, 0, 1], [3, 7, 0, 0], [2**63 + 5, 7, 0, 1], [3, 7, 0, 1], [3, 7, 0, 0]],
        dtype="uint64",
    )
    distinct, inverse = parse_module._distinct_rows(rows)
    assert (distinct[inverse] == rows).all()
    assert len(distinct) == 3
    expected, _ = numpy.unique(rows, axis=0, return_inverse=True)
    assert sorted(map(tuple, distinct.tolist())) == sorted(map(tuple, expected.tolist()))


def test_the_lemmas_are_spacys_on_the_sample_corpus() -> None:
    """The lemmatizer's word lists held as sets (and its answers remembered) give stock spaCy's
    lemma for every word of the bundled articles (2,500 words of every POS)."""
    import spacy

    from westphalia import sample_corpus
    from westphalia.parse import load_model

    ours = load_model(ParseSettings().model)
    index = ours.get_pipe("westphalia_lemmas").lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(words, frozenset) for words in index.values())
    reference = spacy.load(ParseSettings().model)
    reference.add_pipe("westphalia_paragraphs", before="parser")
    with sample_corpus() as corpus:
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))]
    assert len(texts) >= 10
    mine = [(t.text, t.pos_, t.lemma_) for doc in ours.pipe(texts) for t in doc]
    theirs = [(t.text, t.pos_, t.lemma_) for doc in reference.pipe(texts) for t in doc]
    assert len(mine) > 2000
    assert mine == theirs


def test_the_parses_are_stock_spacys_on_the_sample_corpus() -> None:
    """The parser and the entity recognizer stepped from Python, with numpy's BLAS instead of
    blis, give stock spaCy's tags, arcs, sentences and entities on every word of the bundled
    articles."""
    import spacy

    from westphalia import sample_corpus
    from westphalia.parse import _Stepwise, load_model

    ours = load_model(ParseSettings().model)
    assert isinstance(ours.get_pipe("parser"), _Stepwise)
    assert isinstance(ours.get_pipe("ner"), _Stepwise)
    for _, component in ours.pipeline:
        if hasattr(component, "model"):
            assert all(not node.ops.use_blis for node in component.model.walk())
    reference = spacy.load(ParseSettings().model)
    reference.add_pipe("westphalia_paragraphs", before="parser")
    with sample_corpus() as corpus:
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))]
    texts += ["", "   ", "Talks."]  # no word, only spaces, one word
    attrs = ["TAG", "POS", "MORPH", "HEAD", "DEP", "SENT_START", "ENT_IOB", "ENT_TYPE", "LEMMA"]
    mine = [doc.to_array(attrs).tolist() for doc in ours.pipe(texts, batch_size=7)]
    theirs = [doc.to_array(attrs).tolist() for doc in reference.pipe(texts, batch_size=7)]
    assert sum(map(len, mine)) > 2000
    assert mine == theirs
    doc = ours("Ministers from Gondor met the Arnor delegation in Minas Tirith on Monday.")
    assert doc.to_array(attrs).tolist() == reference(doc.text).to_array(attrs).tolist()


def test_the_pipeline_runs_on_one_blas_thread() -> None:
    """OpenBLAS does the model's products on one thread while a parse runs (the workers are the
    parallelism), and its own setting comes back afterwards."""
    from threadpoolctl import threadpool_info

    from westphalia.parse import _one_blas_thread

    def threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    before = threads()
    assert before
    with _one_blas_thread():
        assert threads() == {1}
    assert threads() == before


@pytest.mark.parametrize("model", ["no_such_model", "no_such.model", ""])
def test_a_model_that_is_not_installed_is_an_e010_at_once(model: str) -> None:
    with pytest.raises(ConfigError, match="E010|not installed") as raised:
        Parser(ParseSettings(model=model))
    assert raised.value.code == "E010"


def test_the_default_process_count_follows_cores_and_memory(monkeypatch) -> None:
    import westphalia.parse as parse_module

    parser = Parser(ParseSettings(processes=0))
    monkeypatch.setattr(parse_module, "_usable_cores", lambda: 8)
    monkeypatch.setattr(parse_module, "_available_bytes", lambda: 64 * 2**30)
    assert (parser.processes, parser.workers) == (5, 4)  # at most 4 workers
    monkeypatch.setattr(parse_module, "_usable_cores", lambda: 2)
    assert (parser.processes, parser.workers) == (2, 1)  # one per usable core, this one codes
    monkeypatch.setattr(parse_module, "_available_bytes", lambda: 600 * 2**20)
    monkeypatch.setattr(parse_module, "_usable_cores", lambda: 4)
    assert (parser.processes, parser.workers) == (2, 1)  # half of 600 MB holds one worker
    monkeypatch.setattr(parse_module, "_available_bytes", lambda: 400 * 2**20)
    assert (parser.processes, parser.workers) == (1, 0)  # and of 400 MB none
    monkeypatch.setattr(parse_module, "_available_bytes", lambda: None)
    assert (parser.processes, parser.workers) == (4, 3)  # memory unknown: the cores decide
    monkeypatch.setattr(parse_module, "_usable_cores", lambda: 1)
    assert (parser.processes, parser.workers) == (1, 0)  # one core: no worker
    assert Parser(ParseSettings(processes=3)).workers == 2  # a setting is obeyed
