"""Normalize: Unicode form, odd spaces, invisible characters, quotes, dashes, paragraphs.

The normalized text is what every later stage annotates with character offsets; the raw
text stays on the article. Paragraphs are separated by exactly one blank line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from .config import NormalizeSettings
from .errors import input_error
from .model import Article, content_id

# Removed outright: soft hyphen, zero-width space/joiners, word joiner, BOM, bidi marks.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"),
    None,
)
# One canonical form for each family of look-alike characters.
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(
            "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u202f\u205f\u3000\t\x0b\x0c",
            " ",
        ),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        # Hyphens, minus and en dash (ranges, compounds: "Pakistan–Russia") become "-";
        # em dash and horizontal bar (parenthetical breaks) become one em dash.
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d", "-"),
        "\u2015": "\u2014",
        "\u2026": "...",
        "\u2028": "\n",
        "\u2029": "\n\n",
        "\r": "\n",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")
_BLANK_LINE = re.compile(r"\n[ ]*\n")
_INDENTED = re.compile(r"^[ ]{2,}\S")
# A lone UTF-16 surrogate (a JSON "\udc80" escape, an undecodable file name byte) cannot be
# encoded as UTF-8, so it could be neither hashed nor stored.
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(article: Article, *, settings: NormalizeSettings) -> Article:
    """Return `article` with cleaned `text` and its content-hash `id`.

    Raises InputError E201 when nothing is left after cleaning.
    """
    text = clean_text(article.raw_text, settings=settings)
    if not text:
        raise input_error("E201", source=article.source, locator=article.locator)
    title = clean_text(article.title, settings=settings) if article.title else None
    return replace(article, text=text, id=content_id(text), title=title or None)


def clean_text(raw: str, *, settings: NormalizeSettings) -> str:
    """Return `raw` cleaned: see the module docstring."""
    text = without_surrogates(raw).replace("\r\n", "\n").translate(_INVISIBLE).translate(_TRANSLATE)
    text = _CONTROL.sub("", unicodedata.normalize(settings.unicode_form, text))
    paragraphs = _paragraphs(text, wrap_width=settings.wrap_width)
    return "\n\n".join(p for p in (_SPACES.sub(" ", p).strip() for p in paragraphs) if p)


def without_surrogates(text: str) -> str:
    """Return `text` with each lone surrogate replaced by U+FFFD, so it can be encoded."""
    return _SURROGATE.sub("\ufffd", text)


def _paragraphs(text: str, *, wrap_width: int) -> list[str]:
    """Split on blank lines; inside a block, single newlines are wraps or breaks.

    A block whose lines all fit in `wrap_width` is hard-wrapped: its newlines are spaces,
    except before an indented line (newswire marks paragraphs by indenting). In a block
    with longer lines every newline ends a paragraph.
    """
    out: list[str] = []
    for block in _BLANK_LINE.split(text):
        lines = block.split("\n")
        if len(lines) > 1 and max(len(line) for line in lines) <= wrap_width:
            out.extend(_unwrap(lines))
        else:
            out.extend(lines)
    return out


def _unwrap(lines: list[str]) -> list[str]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if _INDENTED.match(line) and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs]
