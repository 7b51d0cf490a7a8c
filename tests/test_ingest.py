from __future__ import annotations

import gzip
import json
import os
import sys
from datetime import date
from pathlib import Path

import pytest

from westphalia.config import IngestSettings
from westphalia.errors import InputError
from westphalia.ingest import Source, discover, read
from westphalia.model import Article, DateSource, InputFormat

S = IngestSettings()

PAGE = """<html lang="en"><head><title>Ministers meet | Example News</title>
<meta property="og:title" content="Ministers meet in Ankara">
<meta property="article:published_time" content="2025-02-03T09:30:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Ministers meet in Ankara</h1>
<p>The foreign ministers of Turkey and Egypt met in Ankara on Monday and agreed to reopen
consulates in both countries before the summer, according to officials on both sides.</p>
<p>They also discussed trade, shipping in the eastern Mediterranean and the conflict in Sudan,
and said a joint committee would meet again in Cairo in the spring.</p></article>
<footer>Copyright Example News</footer></body></html>"""


def items(path: Path, settings: IngestSettings = S) -> list[Article | InputError]:
    out: list[Article | InputError] = []
    for source in discover([path], settings=settings):
        out.extend([source] if isinstance(source, InputError) else read(source, settings=settings))
    return out


def test_text_file_headline_and_date_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "2025-02-19_drill.txt"
    path.write_text("Navies begin drill\n\nThe navies of three countries began a drill.\n")
    (article,) = items(path)
    assert article.title == "Navies begin drill"
    assert article.raw_text.strip() == "The navies of three countries began a drill."
    assert (article.published, article.date_source) == (date(2025, 2, 19), DateSource.FILENAME)
    assert article.raw == path.read_bytes()


def test_text_without_date_uses_cli_date_else_unknown(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Envoys met in Vienna.")
    (article,) = items(path)
    assert (article.published, article.date_source) == (None, DateSource.UNKNOWN)
    (article,) = items(path, IngestSettings(default_date=date(2021, 4, 6)))
    assert (article.published, article.date_source) == (date(2021, 4, 6), DateSource.CLI)


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    text = "Le ministre fran\u00e7ais a rencontr\u00e9 son homologue \u00e0 Gen\u00e8ve pour parler de s\u00e9curit\u00e9 r\u00e9gionale et d'\u00e9nergie."
    path.write_bytes(text.encode("latin-1"))
    (article,) = items(path)
    assert "Gen\u00e8ve" in article.raw_text


def test_html_body_title_and_date_extracted(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    (article,) = items(path)
    assert article.format is InputFormat.HTML
    assert article.title == "Ministers meet in Ankara"
    assert article.raw_text.startswith("The foreign ministers of Turkey and Egypt")
    assert "Copyright" not in article.raw_text and "Home" not in article.raw_text
    assert (article.published, article.date_source) == (date(2025, 2, 3), DateSource.HTML_META)


def test_jsonl_fields_named_by_the_user(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rec = {
        "guid": "A-1",
        "body": "Kenya and Ethiopia signed a road deal.",
        "headline": "Road deal",
        "when": "2025-03-01T10:00:00",
        "link": "https://example.org/a",
        "desk": "Africa",
    }
    path.write_text(json.dumps(rec) + "\n")
    settings = IngestSettings(
        text_field="body",
        title_field="headline",
        date_field="when",
        url_field="link",
        id_field="guid",
    )
    (article,) = items(path, settings)
    assert (article.external_id, article.title, article.url) == (
        "A-1",
        "Road deal",
        "https://example.org/a",
    )
    assert (article.published, article.date_source, article.locator) == (
        date(2025, 3, 1),
        DateSource.RECORD,
        "1",
    )
    assert dict(article.metadata) == {"desk": "Africa"}


@pytest.mark.parametrize(
    ("value", "expected", "source"),
    [
        ("26-FEB-1987 15:01:01.79", date(1987, 2, 26), DateSource.RECORD),
        ("March 3, 2025", date(2025, 3, 3), DateSource.RECORD),
        ("2025", None, DateSource.UNPARSEABLE),  # a year alone is not a publication date
        ("soon", None, DateSource.UNPARSEABLE),
    ],
)
def test_record_dates(
    tmp_path: Path, value: str, expected: date | None, source: DateSource
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "Talks resumed.", "date": value}) + "\n")
    (article,) = items(path)
    assert (article.published, article.date_source) == (expected, source)
    if expected is None:
        assert article.metadata["date_raw"] == value


def test_gzipped_jsonl_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for i in range(3):
            f.write(json.dumps({"id": i, "text": f"Item {i} about trade."}) + "\n")
    assert [a.external_id for a in items(path)] == ["0", "1", "2"]


def test_csv_rows_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        'id,title,text,date\n7,Deal,"Chile and Peru agreed, after talks, to cut tariffs.",2025-01-09\n'
    )
    (article,) = items(path)
    assert (article.external_id, article.title, article.published) == (
        "7",
        "Deal",
        date(2025, 1, 9),
    )
    assert article.raw_text == "Chile and Peru agreed, after talks, to cut tariffs."


def test_directory_walk_is_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.txt", "a/skip.pdf", ".hidden/3.txt", "c/4.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    names = [
        Path(s.name).relative_to(tmp_path).as_posix() for s in discover([tmp_path], settings=S)
    ]
    assert names == ["a/1.txt", "b/2.txt", "c/4.html"]
    only_txt = IngestSettings(include=("*.txt",))
    assert len(list(discover([tmp_path], settings=only_txt))) == 2


def test_stdin_is_sniffed_as_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    data = b'{"text": "One."}\n{"text": "Two."}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    (source,) = discover(["-"], settings=S)
    assert isinstance(source, Source)
    assert [a.raw_text for a in read(source, settings=S)] == ["One.", "Two."]


def test_every_bad_input_case_yields_its_own_error(tmp_path: Path) -> None:
    from badinput import EXPECTED_REJECTIONS, GOOD_ARTICLES, SIZE_LIMIT, make_bad_input_dir

    root = make_bad_input_dir(tmp_path / "bad")
    found = items(root, IngestSettings(max_file_bytes=SIZE_LIMIT))
    errors = {Path(e.source).name: (e.code, e.locator) for e in found if isinstance(e, InputError)}
    assert errors == EXPECTED_REJECTIONS
    assert sum(isinstance(a, Article) for a in found) == GOOD_ARTICLES


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "nocol.csv",
            "id,body\n1,x\n",
            "{p}: the CSV has no column 'text'; its columns are: id, body. "
            "Name the text column with --text-field.",
        ),
        (
            "bad.jsonl",
            '{"a": 1\n',
            "{p} line 1: not valid JSON (Expecting ',' delimiter at column 8). "
            "Fix or delete that line; the other lines were ingested.",
        ),
        (
            "list.jsonl",
            "[1, 2]\n",
            "{p} line 1: a JSON list, not an object. Each line must be one JSON object.",
        ),
        (
            "notext.jsonl",
            '{"body": "x"}\n',
            "{p} line 1: no text in field 'text'. Fields present: body. "
            "Name the text field with --text-field.",
        ),
        ("empty.txt", "", "{p} is empty. Remove it or add text to it."),
    ],
)
def test_rejection_messages_say_what_to_do(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    (error,) = items(path)
    assert isinstance(error, InputError)
    assert error.message == message.format(p=path)


def test_over_long_jsonl_line_is_rejected_and_the_next_line_read(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "ok"}) + "\n")
    error, article = items(path, IngestSettings(max_record_bytes=100))
    assert isinstance(error, InputError) and error.code == "E114" and error.locator == "1"
    assert isinstance(article, Article) and article.raw_text == "ok"


def _gzip_feed(n: int) -> bytes:
    return gzip.compress(
        b"".join(json.dumps({"text": f"Item {i}."}).encode() + b"\n" for i in range(n))
    )


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("u16.txt", b"\xff\xfeA\x00\x00\xdc", [("E120", "")]),  # BOM, then a lone surrogate
        ("plain.jsonl.gz", b'{"text": "not compressed"}\n', [("E118", "")]),
        ("flipped.jsonl.gz", _gzip_feed(3)[:20] + b"\xff" * 8 + _gzip_feed(3)[28:], [("E118", "")]),
        ("empty.jsonl", b"", [("E104", "")]),
        ("blank.jsonl", b"\n  \n", [("E104", "")]),
        ("empty.jsonl.gz", gzip.compress(b""), [("E104", "")]),
        ("zero.txt.gz", b"", [("E104", "")]),
        ("empty.csv", b"", [("E104", "")]),
        ("latin1.csv", b"id,text\n1,caf\xe9 talks\n2,Peru talks\n", [("E112", "2"), ("ok", "3")]),
        ("latin1-head.csv", b"id,t\xe9xt\n1,Peru talks\n", [("E122", "1")]),
        (
            "open.csv",
            b'id,text\n1,Peru talks\n2,"unclosed\n3,Chile talks\n',
            [("ok", "2"), ("E121", "3")],
        ),
        ("cells.csv", b"id,text\n1,Peru talks,extra\n\n2\n", [("ok", "2"), ("E108", "4")]),
    ],
)
def test_hostile_files_are_rejections_and_the_good_items_are_read(
    tmp_path: Path, name: str, data: bytes, expected: list[tuple[str, str]]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    found = [("ok" if isinstance(i, Article) else i.code, i.locator) for i in items(path)]
    assert found == expected


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "latin1.csv",
            b"id,text\n1,caf\xe9\n",
            "{p} line 2: not valid UTF-8 (invalid continuation byte). Re-encode the file as UTF-8.",
        ),
        (
            "latin1-head.csv",
            b"id,t\xe9xt\n1,x\n",
            "{p}: cannot read the CSV header row (not valid "
            "UTF-8: invalid continuation byte), so no row was read. Fix the first line (UTF-8, one "
            "name per column) and ingest the file again.",
        ),
        (
            "open.csv",
            b'id,text\n1,"a\n2,b\n3,c\n',
            "{p} row 2: a quoted field opened in this row is "
            "never closed, so lines 2-4 were read as one field and none of them was ingested. Close "
            "the quote and ingest the file again.",
        ),
        (
            "plain.txt.gz",
            b"plain",
            "{p}: the gzip data is corrupt or cut short (Not a gzipped file "
            "(b'pl')); nothing was read from it. Recompress or download the file again.",
        ),
        (
            "u16.txt",
            b"\xfe\xff\xdc\x00",
            "{p} starts with a UTF-16 byte-order mark but is not valid "
            "UTF-16 (illegal encoding). Re-encode the file as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8).",
        ),
        (
            "deep.jsonl",
            b'{"a":' * 1200 + b"1" + b"}" * 1200 + b"\n",
            "{p} line 1: the JSON is nested "
            "too deeply to read (maximum recursion depth exceeded while decoding a JSON object from a "
            "unicode string). Flatten that record or delete that line; the other lines were read.",
        ),
        (
            "int.jsonl",
            b'{"n": ' + b"1" * 4400 + b"}\n",
            "{p} line 1: a JSON number is too long to "
            "read (Exceeds the limit (4300 digits) for integer string conversion: value has 4400 "
            "digits). Write it as a string or delete that line; the other lines were read.",
        ),
    ],
)
def test_hostile_file_messages_are_true(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    (error,) = items(path)
    assert isinstance(error, InputError)
    assert error.message == message.format(p=path)


def test_a_cut_short_gzip_keeps_the_lines_before_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    whole = _gzip_feed(5000)
    path.write_bytes(whole[: len(whole) // 2])
    *good, error = items(path)
    assert [a.locator for a in good] == [str(i) for i in range(1, len(good) + 1)]
    assert 1000 < len(good) < 5000
    assert isinstance(error, InputError) and error.code == "E118"
    assert f"the items up to line {len(good)} were read, the rest was not" in error.message


def test_stdin_given_twice_is_read_once_and_the_second_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    data = b'{"text": "One."}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    first, second = discover(["-", "-"], settings=S)
    assert isinstance(first, Source) and isinstance(second, InputError)
    assert second.message == (
        "-: standard input ('-') is given more than once and can be read only once. Pass - once."
    )
    assert [a.raw_text for a in read(first, settings=S)] == ["One."]
    assert not sys.stdin.closed  # stdin is not ours to close


def test_closed_stdin_is_e101(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python sets when started with <&-
    (source,) = discover(["-"], settings=S)
    (error,) = read(source, settings=S)
    assert isinstance(error, InputError) and error.message == (
        "Cannot read -: standard input is closed; nothing was read from it. Check that the path "
        "exists and is readable."
    )


def test_a_fifo_or_a_directory_named_like_a_file_never_stops_discovery(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "dir.txt" / "inner.txt").write_text("Peru talks.")
    found = items(tmp_path)
    assert [(Path(i.source).name, getattr(i, "code", "ok")) for i in found] == [
        ("pipe.txt", "E101"),
        ("inner.txt", "ok"),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_csv_lines_may_end_in_any_newline(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "feed.csv"
    rows = ["id,text", '1,"Peru and Chile', 'met."', "2,Bolivia hosted talks."]
    path.write_bytes(("\ufeff" + newline.join(rows) + newline).encode())
    found = [(a.external_id, a.raw_text, a.locator) for a in items(path)]
    assert found == [
        ("1", f"Peru and Chile{newline}met.", "3"),
        ("2", "Bolivia hosted talks.", "4"),
    ]
