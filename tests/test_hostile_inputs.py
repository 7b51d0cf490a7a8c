"""Hostile inputs through the whole ingest pipeline (issue 11, items 1-3): no input stops a
run, and one bad item never costs another. Parsing is replaced by a stand-in (NoAnnotator),
so these tests are about reading and storing only."""

from __future__ import annotations

import errno
import io
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from badinput import NoAnnotator

import westphalia.ingest as ingest
import westphalia.pipeline as pipeline
from westphalia import queries
from westphalia.errors import ExitCode
from westphalia.pipeline import run
from westphalia.store import Batch

GOOD = "Kenya and Uganda agreed on Friday to build a new rail link."


@pytest.fixture(autouse=True)
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "Annotator", NoAnnotator)


def stored(store) -> list[tuple[str, str]]:
    rows = store.query("SELECT source, locator FROM article_sources ORDER BY source, locator")
    return [(Path(r["source"]).name, r["locator"]) for r in rows]


def rejected(store) -> list[tuple[str, str, str]]:
    return sorted((Path(r.source).name, r.locator, r.code) for r in queries.rejections(store))


def test_lone_surrogate_escapes_in_jsonl_fields_are_replaced_and_every_line_stored(
    tmp_path: Path, settings, store
) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        r'{"text": "Peru recalled its envoy \udc80.", "title": "bad \udc80", "id": "\ud800"}',
        r'{"text": "Chile praised Argentina.", "desk\udcff": ["x\udc80", {"k": "\udfff"}]}',
        json.dumps({"text": GOOD}),
    ]
    path.write_text("\n".join(lines) + "\n")
    summary = run([path], settings=settings, store=store)
    assert summary.exit_code is ExitCode.OK
    assert stored(store) == [("feed.jsonl", "1"), ("feed.jsonl", "2"), ("feed.jsonl", "3")]
    row = store.query(
        "SELECT a.title, s.external_id FROM articles a JOIN article_sources s ON s.article_id = a.id"
        " WHERE s.locator = '1'"
    )[0]
    assert row == {"title": "bad \ufffd", "external_id": "\ufffd"}
    again = run([path], settings=settings, store=store)  # a rerun finds them all stored
    assert (again.exit_code, again.known) == (ExitCode.OK, 3)


def test_a_file_name_that_is_not_utf8_is_stored_under_an_escaped_name(
    tmp_path: Path, settings, store
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("Chile praised Argentina on Monday.")
    (folder / "good.txt").write_text(GOOD)
    summary = run([folder], settings=settings, store=store)
    assert summary.exit_code is ExitCode.OK
    assert stored(store) == [("caf\\xe9.txt", ""), ("good.txt", "")]
    assert run([folder], settings=settings, store=store).known == 2  # a rerun is idempotent


def test_an_item_the_store_refuses_is_rejected_alone(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store.write

    def refuses_poison(batch: Batch) -> None:
        if any("POISON" in a.text for a, _ in batch.articles):
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        real(batch)

    monkeypatch.setattr(store, "write", refuses_poison)
    path = tmp_path / "feed.jsonl"
    texts = [GOOD, "The POISON article.", "Chile praised Argentina."]
    path.write_text("\n".join(json.dumps({"text": t}) for t in texts) + '\n{"text": \n')
    summary = run([path], settings=settings, store=store)
    assert summary.exit_code is ExitCode.REJECTED
    assert (summary.new, summary.rejected) == (2, 2)
    assert stored(store) == [("feed.jsonl", "1"), ("feed.jsonl", "3")]
    assert rejected(store) == [("feed.jsonl", "2", "E117"), ("feed.jsonl", "4", "E107")]
    (refused,) = (r for r in queries.rejections(store) if r.code == "E117")
    assert refused.stage == "store" and refused.message == (
        f"{path} line 2: the store could not hold this item (UnicodeEncodeError: 'utf-8' codec "
        "can't encode character '\\x78' in position 0: surrogates not allowed); the other items "
        "were stored. Fix the field the reason names, or report it if the item looks valid."
    )


def test_a_store_refusing_everything_still_fails_the_run(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(batch: Batch) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write", broken)
    (tmp_path / "a.txt").write_text(GOOD)
    with pytest.raises(OSError, match="No space left"):
        run([tmp_path / "a.txt"], settings=settings, store=store)


@pytest.mark.parametrize(
    ("bad_line", "code"),
    [
        ('{"a": ' * 1500 + "1" + "}" * 1500, "E115"),  # deeper than Python's recursion limit
        ('{"text": "x", "n": ' + "9" * 5000 + "}", "E116"),  # over int's 4,300-digit limit
        ('{"text": "x", "n": [' * 990 + "1" + "]" * 990 + "}", None),  # deep but readable
    ],
    ids=["deep", "long-int", "deep-but-readable"],
)
def test_a_jsonl_line_python_cannot_read_rejects_only_that_line(
    tmp_path: Path, settings, store, bad_line: str, code: str | None
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(f'{{"text": "{GOOD}"}}\n{bad_line}\n{{"text": "Chile praised Peru."}}\n')
    summary = run([path], settings=settings, store=store)
    assert summary.internal_errors == 0
    if code is None:  # stored, or refused by the store alone: never the other lines' loss
        assert len(stored(store)) + len(rejected(store)) == 3
    else:
        assert rejected(store) == [("feed.jsonl", "2", code)]
    assert {("feed.jsonl", "1"), ("feed.jsonl", "3")} <= set(stored(store))


def test_an_unreadable_directory_is_a_rejection(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.txt").write_text(GOOD)
    (tmp_path / "open.txt").write_text(GOOD)
    real = os.scandir

    def scandir(path=".", /):  # tests run as root, for whom chmod 000 hides nothing
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary = run([tmp_path], settings=settings, store=store)
    assert summary.exit_code is ExitCode.REJECTED
    assert stored(store) == [("open.txt", "")]
    (rejection,) = queries.rejections(store)
    assert (rejection.code, rejection.message) == (
        "E101",
        f"Cannot read {tmp_path / 'locked'}: Permission denied. "
        "Check that the path exists and is readable.",
    )


class _FailingRaw(io.RawIOBase):
    """A file whose reads fail with EIO after `good` bytes (a bad disk sector)."""

    def __init__(self, data: bytes, good: int) -> None:
        self.data, self.good, self.pos = data, good, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.pos >= self.good:
            raise OSError(errno.EIO, "Input/output error")
        chunk = self.data[self.pos : min(self.good, self.pos + len(buffer))]
        buffer[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


def test_an_io_error_part_way_is_e101_and_the_lines_before_are_kept(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "feed.jsonl"
    first = json.dumps({"text": GOOD}) + "\n"
    path.write_text(first + json.dumps({"text": "Chile praised Peru."}) + "\n")
    failing = io.BufferedReader(_FailingRaw(path.read_bytes(), len(first)), buffer_size=16)
    monkeypatch.setattr(ingest, "_open", lambda source: failing)
    small = replace(settings, store=replace(settings.store, batch_size=1))
    summary = run([path], settings=small, store=store)
    assert summary.exit_code is ExitCode.REJECTED
    assert stored(store) == [("feed.jsonl", "1")]
    (rejection,) = queries.rejections(store)
    assert rejection.message == (
        f"Cannot read {path}: Input/output error; the items up to line 1 were read, the rest "
        "was not. Check that the path exists and is readable."
    )


def test_item_by_item_writing_keeps_a_stored_articles_own_rejection(
    tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from westphalia.errors import input_error
    from westphalia.model import Stage

    class Flags(NoAnnotator):  # a parse-stage rejection of an article that is stored too
        def annotate(self, fresh, batch, *, strict: bool, submission=None) -> None:
            for article, _ in fresh:
                error = input_error("E104", source=article.source, locator=article.locator)
                batch.rejections.append(pipeline._rejection(error, Stage.PARSE, settings))

    real, calls = store.write, []

    def first_fails(batch: Batch) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise ValueError("once")
        real(batch)

    monkeypatch.setattr(pipeline, "Annotator", Flags)
    monkeypatch.setattr(store, "write", first_fails)
    (tmp_path / "a.txt").write_text(GOOD)
    run([tmp_path / "a.txt"], settings=settings, store=store)
    assert stored(store) == [("a.txt", "")]
    assert rejected(store) == [("a.txt", "", "E104")]
