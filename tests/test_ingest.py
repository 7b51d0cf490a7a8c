from __future__ import annotations

import gzip
import json
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
    rec = {"guid": "A-1", "body": "Kenya and Ethiopia signed a road deal.", "headline": "Road deal",
           "when": "2025-03-01T10:00:00", "link": "https://example.org/a", "desk": "Africa"}  # fmt: skip
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
        ("nocol.csv", "id,body\n1,x\n", "{p}: the CSV has no column 'text'; its columns are: id, body. "
         "Name the text column with --text-field."),
        ("bad.jsonl", '{"a": 1\n', "{p} line 1: not valid JSON (Expecting ',' delimiter at column 8). "
         "Fix or delete that line; the other lines were ingested."),
        ("list.jsonl", "[1, 2]\n", "{p} line 1: a JSON list, not an object. Each line must be one JSON object."),
        ("notext.jsonl", '{"body": "x"}\n', "{p} line 1: no text in field 'text'. Fields present: body. "
         "Name the text field with --text-field."),
        ("empty.txt", "", "{p} is empty. Remove it or add text to it."),
    ],
)  # fmt: skip
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
