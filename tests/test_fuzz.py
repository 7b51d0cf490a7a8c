"""Property-based fuzz tests (hypothesis) of every reader and the normalizer (issue 11, Proof).

The properties: whatever the bytes, the file name or the JSONL/CSV shape, reading raises
nothing and makes no internal error (no E901, never exit 4); every good item is stored, and
every other item is a rejection with an E1xx/E2xx code at its own locator.

CI runs a bounded number of examples (a few seconds in all). For a longer hunt:

    FUZZ_EXAMPLES=5000 .venv/bin/pytest -q tests/test_fuzz.py

(the name has no WESTPHALIA_ prefix, so it is not read as a setting). A failure prints the
smallest input hypothesis found and a `@reproduce_failure` blob to replay it.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from badinput import NoAnnotator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import westphalia.pipeline as pipeline
from westphalia.config import IngestSettings, NormalizeSettings, Settings, load_settings
from westphalia.errors import ExitCode, InputError
from westphalia.ingest import discover, read
from westphalia.model import Article
from westphalia.normalize import clean_text, normalize
from westphalia.pipeline import run
from westphalia.store import Store, open_store

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES or 100,  # 100: every reader sees a dozen shapes; under 2 s here
    deadline=None,  # a first call loads charset-normalizer and trafilatura
    database=None,  # no .hypothesis/ folder in the checkout; failures print a replay blob
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PIPELINE_FUZZ = settings(FUZZ, max_examples=EXAMPLES or 15)  # a store write each: ~5 s for 15
CODE = re.compile(r"E[12]\d\d")
SUFFIXES = [".txt", ".html", ".jsonl", ".csv", ".tsv", ".md", ".dat", ""]
S = IngestSettings(max_file_bytes=1 << 16, max_record_bytes=1 << 12)

# Text that stresses decoding and cleaning: controls, surrogates, BOMs, invisible characters.
texts = st.text(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(["\ud800", "\udc80", "\ufeff", "\u200b", "\r", "\n", '"', ",", "\\"]),
    ),
    max_size=60,
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(texts, kids, max_size=3),
    max_leaves=8,
)


def encodable(value: object) -> bool:
    """Every string in `value` (keys too) can be encoded as UTF-8, so it can be stored."""
    if isinstance(value, str):
        return value == value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return all(encodable(k) and encodable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(map(encodable, value))
    return True


def check_read(path: Path) -> list[Article | InputError]:
    """Read `path` (an exception here fails the test); check each item's shape."""
    found: list[Article | InputError] = []
    for source in discover([path], settings=S):
        found.extend([source] if isinstance(source, InputError) else read(source, settings=S))
    for item in found:
        if isinstance(item, InputError):
            assert CODE.fullmatch(item.code) and item.message and encodable(item.message)
            continue
        assert encodable([item.source, item.title, item.url, item.external_id])
        assert encodable(dict(item.metadata))
        try:
            assert encodable(normalize(item, settings=NormalizeSettings()).text)
        except InputError as e:
            assert e.code == "E201"
    return found


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES), gz=st.booleans())
def test_any_bytes_in_any_kind_of_file_are_read_or_rejected(
    tmp_path: Path, data: bytes, suffix: str, gz: bool
) -> None:
    path = tmp_path / f"f{suffix}{'.gz' if gz else ''}"
    path.write_bytes(gzip.compress(data) if gz and data[:1] != b"!" else data)  # "!": not gzip
    assert check_read(path)  # every file yields an article or a rejection


@FUZZ
@given(raw=texts)
def test_the_normalizer_cleans_any_text_into_storable_text(raw: str) -> None:
    text = clean_text(raw, settings=NormalizeSettings())
    assert encodable(text) and text == text.strip()


@pytest.fixture(scope="module")
def fuzz_store() -> Iterator[tuple[Store, Settings, Path]]:
    """One store for every example (opening one per example would dominate the time)."""
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        settings_ = load_settings(env={}, values={"store.path": where / "fuzz.duckdb"})
        settings_ = replace(settings_, store=replace(settings_.store, batch_size=7))
        with open_store(settings_.store.path) as store:
            yield store, settings_, where


_names = itertools.count()


def ingest_one(fuzz_store: tuple[Store, Settings, Path], name: str, data: bytes) -> dict:
    """Run the pipeline on one new file; return what was stored and rejected, by locator."""
    store, settings_, where = fuzz_store
    path = where / f"{next(_names)}-{name}"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "Annotator", NoAnnotator)
        summary = run([path], settings=settings_, store=store)
    assert summary.internal_errors == 0 and summary.exit_code is not ExitCode.INTERNAL
    sql = "SELECT locator FROM article_sources WHERE source = ?"
    stored = [r["locator"] for r in store.query(sql, [str(path)])]
    sql = "SELECT locator, code FROM rejections WHERE source = ?"
    rejected = {r["locator"]: r["code"] for r in store.query(sql, [str(path)])}
    assert all(CODE.fullmatch(code) for code in rejected.values())
    return {"stored": stored, "rejected": rejected}


def good_text(text: str) -> bool:
    return bool(clean_text(text, settings=NormalizeSettings()))


jsonl_lines = st.one_of(
    st.builds(
        lambda t, extra: json.dumps({**extra, "text": t}),
        texts,
        json_values.filter(lambda v: isinstance(v, dict)),
    ),
    st.builds(json.dumps, json_values),  # any JSON: a list, a number, an object without text
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),  # not JSON at all
    st.sampled_from(['{"a": ' * 1200 + "1" + "}" * 1200, '{"n": ' + "7" * 4400 + "}", " ", ""]),
)


@PIPELINE_FUZZ
@given(lines=st.lists(jsonl_lines, max_size=12))
def test_every_jsonl_line_is_stored_or_rejected_alone(fuzz_store, lines: list[str]) -> None:
    data = "".join(line.replace("\n", " ").replace("\r", " ") + "\n" for line in lines)
    found = ingest_one(fuzz_store, "feed.jsonl", data.encode("utf-8", "surrogatepass"))
    lines_bytes = data.encode("utf-8", "surrogatepass").split(b"\n")
    blank = {n for n, line in enumerate(lines_bytes, start=1) if not line.strip()}
    numbered = [(str(n), line) for n, line in enumerate(lines, start=1) if n not in blank]
    if not numbered:
        assert found["rejected"] == {"": "E104"}  # an empty file says so
        return
    assert sorted(found["stored"] + list(found["rejected"])) == sorted(n for n, _ in numbered)
    for n, line in numbered:
        record = json.loads(line) if line.startswith('{"') and len(line) < 4000 else None
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            assert (n in found["stored"]) == good_text(record["text"].replace("\r", " "))


csv_cells = st.text(st.sampled_from('ab ,"\n\r\té\u00a0'), max_size=8)


@PIPELINE_FUZZ
@given(
    rows=st.lists(st.tuples(csv_cells, csv_cells), min_size=1, max_size=8),
    damage=st.one_of(st.none(), st.tuples(st.integers(0, 400), st.binary(min_size=1, max_size=3))),
)
def test_every_csv_row_is_stored_or_rejected(
    fuzz_store, rows: list[tuple[str, str]], damage: tuple[int, bytes] | None
) -> None:
    out = io.StringIO()
    csv.writer(out).writerows([("id", "text"), *rows])
    data = out.getvalue().encode("utf-8")
    if damage is not None:  # stray bytes anywhere: a lone quote, a Latin-1 byte, a NUL
        at, junk = damage
        data = data[:at] + junk + data[at:]
    found = ingest_one(fuzz_store, "feed.csv", data)
    if damage is None:
        written = [r for r in rows if any(r)]  # csv.writer writes an all-empty row as ""
        assert len(found["stored"]) == sum(good_text(t) for _, t in written)
