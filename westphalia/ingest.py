"""Ingest: paths (files, directories, `-` for stdin) -> a stream of Articles.

Streaming throughout: a JSONL or CSV file is read one line or row at a time, so its size
is bounded only by the disk. Each bad item is yielded as an InputError (the pipeline turns
it into a rejection) and reading goes on with the next item.
"""

from __future__ import annotations

import csv
import errno
import fnmatch
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import dateparser
import trafilatura
from charset_normalizer import from_bytes

from .config import IngestSettings
from .errors import InputError, input_error
from .model import Article, DateSource, InputFormat
from .normalize import without_surrogates

STDIN = "-"
_SUFFIX_FORMATS = {
    ".txt": InputFormat.TEXT,
    ".text": InputFormat.TEXT,
    ".md": InputFormat.TEXT,
    ".html": InputFormat.HTML,
    ".htm": InputFormat.HTML,
    ".xhtml": InputFormat.HTML,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.CSV,
}
_SNIFF_BYTES = 8192  # enough to tell binary from text and JSONL from HTML
# Share of control characters (other than tab, newline, CR, form feed) above which a file
# is binary: real text has none; 10% tolerates a few stray bytes in old newswire.
_BINARY_CONTROL_SHARE = 0.10
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")  # ends an old Mac line; split just after it
_WORDS = re.compile(r"[^\W\d_]{2,}")  # a page whose main text has no word is markup debris
_TITLE_MAX_CHARS = 200  # a first line longer than this is body text, not a headline
_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],  # never fill a missing part from today
    "RETURN_AS_TIMEZONE_AWARE": False,
}


@dataclass(frozen=True, slots=True)
class Source:
    """One input file (or stdin) found by `discover`."""

    name: str  # absolute path, or "-" for stdin; undecodable bytes shown as \xNN
    format: InputFormat | None  # None: sniff the content
    size: int | None  # bytes on disk; None for stdin
    gzip: bool = False
    path: str = ""  # the path to open when it differs from `name` (undecodable bytes)


def discover(
    paths: Iterable[str | Path], *, settings: IngestSettings
) -> Iterator[Source | InputError]:
    """Expand `paths` into Sources: files as given, directories recursively (sorted, hidden
    entries skipped, names matching `settings.include`), `-` as stdin (once: E119 after)."""
    stdin_seen = False
    for raw in paths:
        if str(raw) == STDIN:
            yield (
                input_error("E119", source=STDIN)
                if stdin_seen
                else Source(STDIN, _forced(settings), None)
            )
            stdin_seen = True
            continue
        path = Path(raw).absolute()
        if path.is_dir():
            yield from _walk(path, settings)
        else:
            yield _file_source(path, settings)


def _walk(root: Path, settings: IngestSettings) -> Iterator[Source | InputError]:
    unreadable: list[OSError] = []  # directories os.walk could not list, in the order met
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        for error in unreadable:
            yield _unreadable(error, root)
        unreadable.clear()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not any(
                fnmatch.fnmatch(name.lower(), g) for g in settings.include
            ):
                continue
            yield _file_source(Path(dirpath) / name, settings)
    for error in unreadable:  # the root itself, or a directory listed last
        yield _unreadable(error, root)


def _unreadable(error: OSError, root: Path) -> InputError:
    where = display_name(str(error.filename or root))
    return input_error("E101", source=where, reason=error.strerror or error)


def display_name(path: str) -> str:
    """`path` as it can be shown and stored: bytes that are not UTF-8 (kept by the OS as
    surrogate escapes) become \\xNN, so the name is valid Unicode and still tells files apart."""
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeError:  # a surrogate no file name can hold
        return without_surrogates(path)


def _file_source(path: Path, settings: IngestSettings) -> Source | InputError:
    shown = display_name(str(path))
    try:
        stat = path.stat()
    except OSError as e:
        return input_error("E101", source=shown, reason=e.strerror or e)
    if not path.is_file():
        return input_error("E101", source=shown, reason="not a regular file")
    name = shown.rsplit("/", 1)[-1].lower()
    is_gzip = name.endswith(".gz")
    suffix = Path(name[:-3] if is_gzip else name).suffix
    fmt = _forced(settings) or _SUFFIX_FORMATS.get(suffix)
    return Source(shown, fmt, stat.st_size, is_gzip, "" if shown == str(path) else str(path))


def _forced(settings: IngestSettings) -> InputFormat | None:
    return InputFormat(settings.format) if settings.format else None


def read(source: Source, *, settings: IngestSettings) -> Iterator[Article | InputError]:
    """Yield the articles in `source`, and an InputError for each bad item in it.

    A read that fails part-way (I/O error, corrupt or cut-short gzip) ends the source with
    one E101 or E118 that says which items before it were read.
    """
    last = ""  # locator of the last item yielded
    try:
        for item in _read(source, settings):
            last = item.locator
            yield item
    except (OSError, EOFError, zlib.error) as e:
        yield _read_error(e, source, last)


def _read(source: Source, settings: IngestSettings) -> Iterator[Article | InputError]:
    stream = _open(source)
    try:
        head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES] if hasattr(stream, "peek") else b""
        fmt = source.format or _sniff(head)
        if fmt in (InputFormat.JSONL, InputFormat.CSV):
            reader = _read_jsonl if fmt is InputFormat.JSONL else _read_csv
            yield from reader(stream, source, settings)
        else:
            yield from _read_document(stream, source, fmt, settings)
    finally:
        if source.name != STDIN:  # stdin stays open for whoever reads it next
            stream.close()


def _read_error(error: BaseException, source: Source, last: str) -> InputError:
    done = f"the items up to line {last} were read, the rest was not" if last else ""
    done = done or "nothing was read from it"
    if source.gzip and not (isinstance(error, OSError) and error.strerror):
        return input_error("E118", source=source.name, reason=error, done=done)
    reason = getattr(error, "strerror", None) or error
    return input_error("E101", source=source.name, reason=f"{reason}; {done}")


def _open(source: Source) -> IO[bytes]:
    path = source.path or source.name
    if source.name == STDIN:
        if sys.stdin is None or sys.stdin.closed:
            raise OSError(errno.EBADF, "standard input is closed")
        raw: IO[bytes] = sys.stdin.buffer
    elif source.gzip:
        raw = gzip.open(path, "rb")  # noqa: SIM115 - closed by `_read`
    else:
        raw = open(path, "rb")  # noqa: SIM115
    return raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]


def _sniff(head: bytes) -> InputFormat:
    start = head.lstrip()[:1]
    if start == b"{":
        return InputFormat.JSONL
    if start == b"<":
        return InputFormat.HTML
    return InputFormat.TEXT


# --- whole documents: text and HTML files -------------------------------------------------


def _read_document(
    stream: IO[bytes], source: Source, fmt: InputFormat, settings: IngestSettings
) -> Iterator[Article | InputError]:
    limit = settings.max_file_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        size = source.size if source.size is not None and source.size > limit else len(data)
        yield input_error("E105", source=source.name, size=size, limit=limit, key="max_file_bytes")
        return
    try:
        if fmt is InputFormat.HTML:
            yield _html_article(data, source, settings)
        else:
            yield _text_article(data, source, settings)
    except InputError as e:
        if e.raw is None and len(data) <= settings.keep_rejected_bytes:
            e.raw = data
        yield e


def decode(data: bytes, *, source: str, locator: str = "") -> str:
    """Decode bytes as UTF-8 (with or without BOM) or, failing that, the encoding that
    charset-normalizer finds; raise E104 (empty), E102 (binary) or E103 (unknown)."""
    if not data.strip():
        raise input_error("E104", source=source, locator=locator)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise input_error("E120", source=source, locator=locator, reason=e.reason) from e
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        raise input_error("E102", source=source, locator=locator, reason="it contains NUL bytes")
    controls = sum(1 for b in head if b in _CONTROL_BYTES)
    if controls > _BINARY_CONTROL_SHARE * len(head):
        reason = f"{controls} control bytes in the first {len(head)}"
        raise input_error("E102", source=source, locator=locator, reason=reason)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise input_error("E103", source=source, locator=locator)
    return str(best)


def _text_article(data: bytes, source: Source, settings: IngestSettings) -> Article:
    text = decode(data, source=source.name)
    title, body = _split_title(text)
    published, date_source = _resolve_date(_date_from_name(source.name), settings=settings)
    return Article(
        source=source.name,
        format=InputFormat.TEXT,
        raw=data,
        raw_text=body,
        title=title,
        published=published,
        date_source=date_source,
    )


def _split_title(text: str) -> tuple[str | None, str]:
    """A first line followed by a blank line and more text is the headline."""
    stripped = text.lstrip("\ufeff \t\r\n")
    first, sep, rest = stripped.partition("\n")
    if (
        sep
        and len(first.strip()) <= _TITLE_MAX_CHARS
        and rest.lstrip(" \t\r").startswith("\n")
        and rest.strip()
    ):
        return first.strip().lstrip("#").strip() or None, rest
    return None, text


def _date_from_name(name: str) -> tuple[date | None, DateSource | None]:
    for match in _FILENAME_DATE.finditer(Path(name).name):
        try:
            return date(*map(int, match.groups())), DateSource.FILENAME
        except ValueError:
            continue
    return None, None


def _resolve_date(
    *found: tuple[date | None, DateSource | None], settings: IngestSettings
) -> tuple[date | None, DateSource]:
    """The first date found, else --date, else unknown (or unparseable if a value was bad)."""
    for value, origin in found:
        if value is not None and origin is not None:
            return value, origin
    if settings.default_date is not None:
        return settings.default_date, DateSource.CLI
    bad = any(origin is DateSource.UNPARSEABLE for _, origin in found)
    return None, DateSource.UNPARSEABLE if bad else DateSource.UNKNOWN


def _html_article(data: bytes, source: Source, settings: IngestSettings) -> Article:
    html = decode(data, source=source.name)
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (ValueError, TypeError, AttributeError) as e:  # lxml errors on broken markup
        raise input_error("E106", source=source.name, reason=f"parser error: {e}") from e
    meta = doc.as_dict() if doc is not None else {}
    body = (meta.get("text") or "").strip()
    if not _WORDS.search(body):
        raise input_error("E106", source=source.name, reason="the page has no readable main text")
    title = meta.get("title") or None
    if title and body.startswith(title):
        body = body[len(title) :].lstrip("\n")
    published, date_source = _resolve_date(
        _parse_date(meta.get("date"), DateSource.HTML_META),
        _date_from_name(source.name),
        settings=settings,
    )
    extra = {k: meta[k] for k in ("author", "sitename", "description", "hostname") if meta.get(k)}
    return Article(
        source=source.name,
        format=InputFormat.HTML,
        raw=data,
        raw_text=body,
        title=title,
        url=meta.get("url") or None,
        published=published,
        date_source=date_source,
        metadata=extra,
    )


def _parse_date(value: Any, origin: DateSource) -> tuple[date | None, DateSource | None]:
    """Read a date value: (date, origin), (None, UNPARSEABLE) or (None, None) when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    text = str(value)
    if m := _ISO_DATE.match(text):
        try:
            return date(*map(int, m.groups())), origin
        except ValueError:
            pass
    parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    return (parsed.date(), origin) if parsed is not None else (None, DateSource.UNPARSEABLE)


# --- records: JSONL lines and CSV rows ----------------------------------------------------


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes, int]]:
    """Yield (line number, line, full length); an over-long line is cut at `limit` and the
    rest of it skipped, so one huge line never sits in memory."""
    for lineno in range(1, sys.maxsize):
        line = stream.readline(limit + 1)
        if not line:
            return
        length = len(line)
        while length > limit and not line.endswith(b"\n"):
            chunk = stream.readline(1 << 20)
            length += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                break
        yield lineno, line, length


def _read_jsonl(
    stream: IO[bytes], source: Source, settings: IngestSettings
) -> Iterator[Article | InputError]:
    limit = settings.max_record_bytes
    empty = True
    for lineno, line, length in _lines(stream, limit):
        if not line.strip():
            continue
        empty = False
        if length > limit:
            loc = str(lineno)
            yield input_error(
                "E114", source=source.name, locator=loc, line=lineno, size=length, limit=limit
            )
            continue
        yield _json_line(line.rstrip(b"\r\n"), lineno, source, settings)
    if empty:
        yield input_error("E104", source=source.name)


def _json_line(
    line: bytes, lineno: int, source: Source, settings: IngestSettings
) -> Article | InputError:
    """One JSONL line: an Article, or the InputError that says what is wrong with it."""
    loc = str(lineno)
    raw = line if len(line) <= settings.keep_rejected_bytes else None
    where: dict[str, Any] = {"source": source.name, "locator": loc, "raw": raw, "line": lineno}
    try:
        record = _loads(line)
    except UnicodeDecodeError as e:
        return input_error("E112", **where, reason=e.reason)
    except json.JSONDecodeError as e:
        return input_error("E107", **where, reason=f"{e.msg} at column {e.colno}")
    except RecursionError as e:
        return input_error("E115", **where, reason=e)
    except ValueError as e:  # an integer longer than sys.get_int_max_str_digits()
        return input_error("E116", **where, reason=str(e).split(";")[0])
    if not isinstance(record, dict):
        return input_error("E110", **where, kind=type(record).__name__)
    return _record_article(record, line, source, loc, f"line {lineno}", settings, InputFormat.JSONL)


def _loads(line: bytes) -> Any:
    """Parse one JSON line; a lone surrogate escape ("\\udc80") in any string or key becomes
    U+FFFD, as it could be neither hashed nor stored."""
    record = json.loads(line)
    if b"\\u" not in line:  # a surrogate can only come from an escape
        return record
    text = json.dumps(record, ensure_ascii=False)
    fixed = without_surrogates(text)
    return record if fixed == text else json.loads(fixed)


def _read_csv(
    stream: IO[bytes], source: Source, settings: IngestSettings
) -> Iterator[Article | InputError]:
    limit = settings.max_record_bytes
    csv.field_size_limit(limit)
    delimiter = "\t" if source.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    lines = _CsvLines(stream, limit)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as e:
        yield input_error("E122", source=source.name, locator="1", reason=e)
        return
    if header is None:
        yield input_error("E104", source=source.name)
        return
    if lines.bad is not None:
        reason = f"not valid UTF-8: {lines.bad.reason}"
        yield input_error("E122", source=source.name, locator="1", reason=reason)
        return
    if settings.text_field not in header:
        shown = ", ".join(header) or "(none)"
        yield input_error("E109", source=source.name, field=settings.text_field, columns=shown)
        return
    yield from _csv_rows(reader, lines, header, source, settings)


class _CsvLines:
    """The lines of a CSV file for csv.reader, each decoded on its own (so one bad byte costs
    only its row), with what went wrong in the lines of the record being read. Lines end at
    \\n, \\r\\n or a lone \\r, as with open(newline="")."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._lines = self._split(_lines(stream, limit))
        self._limit = limit
        self.bad: UnicodeDecodeError | None = None  # the record's first undecodable line
        self.too_long = 0  # length of the record's over-long line (cut at the limit), if any
        self.at_end = False  # the reader asked for a line past the last one

    def start_record(self) -> None:
        self.bad, self.too_long = None, 0

    @staticmethod
    def _split(lines: Iterator[tuple[int, bytes, int]]) -> Iterator[tuple[int, bytes, int]]:
        for lineno, line, length in lines:
            if lineno == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
            if b"\r" not in line.rstrip(b"\r\n"):
                yield lineno, line, length
                continue
            for piece in filter(None, _LONE_CR.split(line)):
                yield lineno, piece, length if length > len(line) else len(piece)

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        try:
            _, line, length = next(self._lines)
        except StopIteration:
            self.at_end = True
            raise
        if length > self._limit:
            self.too_long = self.too_long or length
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as e:
            self.bad = self.bad or e
            return line.decode("utf-8", "replace")


def _csv_rows(
    reader: Any, lines: _CsvLines, header: list[str], source: Source, settings: IngestSettings
) -> Iterator[Article | InputError]:
    while True:
        lines.start_record()
        first = reader.line_num + 1
        where: dict[str, Any] = {"source": source.name, "locator": str(first), "line": first}
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield input_error("E113", **where, reason=e)
            continue
        if lines.at_end:  # only an open quote makes the reader look past the last line
            yield input_error("E121", **where, last=reader.line_num)
            return
        if lines.too_long:
            limit = settings.max_record_bytes
            yield input_error("E114", **where, size=lines.too_long, limit=limit)
        elif lines.bad is not None:
            yield input_error("E112", **where, reason=lines.bad.reason)
        elif row:  # a blank line is no row
            yield _csv_article(row, header, reader.line_num, source, settings)


def _csv_article(
    row: list[str], header: list[str], line: int, source: Source, settings: IngestSettings
) -> Article | InputError:
    record: dict[str, Any] = dict.fromkeys(header)  # a missing cell is None
    record.update(zip(header, row, strict=False))
    if len(row) > len(header):
        record["_extra_cells"] = row[len(header) :]
    raw = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return _record_article(record, raw, source, str(line), f"row {line}", settings, InputFormat.CSV)


def _record_article(
    record: dict[str, Any],
    raw: bytes,
    source: Source,
    loc: str,
    where: str,
    settings: IngestSettings,
    fmt: InputFormat,
) -> Article | InputError:
    s = settings
    text = record.get(s.text_field)
    if not isinstance(text, str) or not text.strip():
        fields = ", ".join(sorted(map(str, record))) or "(none)"
        keep = raw if len(raw) <= s.keep_rejected_bytes else None
        return input_error(
            "E108",
            source=source.name,
            locator=loc,
            raw=keep,
            where=where,
            field=s.text_field,
            fields=fields,
        )
    published, date_source = _resolve_date(
        _parse_date(record.get(s.date_field), DateSource.RECORD), settings=s
    )
    used = {s.text_field, s.title_field, s.date_field, s.url_field, s.id_field}
    metadata = {k: v for k, v in record.items() if k not in used}
    if date_source is not DateSource.RECORD and record.get(s.date_field) not in (None, ""):
        metadata["date_raw"] = record[s.date_field]
    return Article(
        source=source.name,
        format=fmt,
        raw=raw,
        raw_text=text,
        locator=loc,
        external_id=_str_or_none(record.get(s.id_field)),
        url=_str_or_none(record.get(s.url_field)),
        title=_str_or_none(record.get(s.title_field)),
        published=published,
        date_source=date_source,
        metadata=metadata,
    )


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
