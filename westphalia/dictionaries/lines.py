"""What every dictionary file shares: numbered lines without comments, phrases, plurals,
dates and [codes]."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from westphalia.errors import ConfigError

from .records import _LineError

_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_COMMENT = re.compile(r"\[[^\]]*\]|#")
_VOWELS = "aeiou"


def _lines(path: Path) -> list[tuple[int, str]]:
    """Numbered non-blank lines without "#" and "<!-- -->" comments (stripped)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ConfigError("E016", path=path, reason=e.strerror or e) from e
    out: list[tuple[int, str]] = []
    in_comment = False
    for number, raw in enumerate(text.splitlines(), 1):
        line, in_comment = _strip_xml_comment(raw, in_comment=in_comment)
        line = _strip_hash(line).strip()
        if line:
            out.append((number, line))
    return out


def _read_lines(path: Path, read: Callable[[str, str], object], notes: list[str]) -> None:
    """Pass each line of `path` and its "FILE:LINE" to `read`; a line that `read` raises
    _LineError for is skipped and noted in `notes` as "FILE:LINE: skipped: why"."""
    for number, line in _lines(path):
        where = f"{path.name}:{number}"
        try:
            read(line, where)
        except _LineError as e:
            notes.append(f"{where}: skipped: {e}")


def _strip_xml_comment(line: str, *, in_comment: bool) -> tuple[str, bool]:
    """Remove "<!-- ... -->" parts, which may span lines; returns the rest and the state."""
    if in_comment:
        end = line.find("-->")
        if end < 0:
            return "", True
        line = line[end + 3 :]
    if line.lstrip().startswith("#"):
        return "", False
    while "<!" in line:
        start = line.index("<!")
        end = line.find("-->", start)
        if end < 0:
            return line[:start], True
        line = line[:start] + line[end + 3 :]
    return line, False


def _strip_hash(line: str) -> str:
    """Cut a "#" comment; a "#" inside [...] is part of a code ("[###]")."""
    for match in _COMMENT.finditer(line):
        if match.group() == "#":
            return line[: match.start()]
    return line


def _words(text: str) -> list[str]:
    """Words of a phrase: blanks and underscores separate them."""
    return text.replace("_", " ").split()


def _phrase(text: str) -> str:
    return " ".join(_words(text)).lower()


def _plural(phrase: str) -> str | None:
    """Regular plural of a phrase's last word; None when it already looks plural ("-s").

    The format's rules (+S, Y -> IES, SS -> +ES) with the usual English refinements:
    vowel+Y takes +S, and -X/-Z/-CH/-SH take +ES.
    """
    if phrase.endswith(("ss", "x", "z", "ch", "sh")):
        return phrase + "es"
    if phrase.endswith("s"):
        return None
    if phrase.endswith("y") and len(phrase) > 1 and phrase[-2] not in _VOWELS:
        return phrase[:-1] + "ies"
    return phrase + "s"


def _tabari_date(text: str) -> date:
    """YYYYMMDD or YYMMDD; as in KEDS/TABARI/PETRARCH, YY 00-30 is 20YY and 31-99 is 19YY."""
    if not text.isdigit() or len(text) not in (6, 8):
        raise _LineError(f"bad date '{text}' (expected YYMMDD or YYYYMMDD)")
    if len(text) == 6:
        year = int(text[:2])
        text = str(year + (2000 if year <= 30 else 1900)) + text[2:]
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as e:
        raise _LineError(f"bad date '{text}' ({e})") from e


def _code(inner: str) -> str:
    """The code inside [...]: the first of a pair "A:B"; "---" when empty."""
    return inner.strip().split(":")[0].strip() or "---"


def _reverse_code(inner: str) -> str:
    """The second code of a pair "A:B" ("" when there is none)."""
    parts = inner.strip().split(":")
    return parts[1].strip() if len(parts) > 1 else ""
