"""Read discard lists and find their phrases in a text (one at a time or all in one regex)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .lines import _phrase, _read_lines
from .records import Discard, _LineError


def read_discards(path: Path) -> list[Discard]:
    """Read a discard list: "+" = discard the story, a trailing "_" = whole words only."""
    return _read_discards(path)[0]


def _read_discards(path: Path) -> tuple[list[Discard], list[str]]:
    discards: list[Discard] = []
    notes: list[str] = []
    _read_lines(path, lambda line, _: discards.append(_discard(line)), notes)
    return discards, notes


def _discard(line: str) -> Discard:
    """ "+FOOTBALL_" -> a whole-word story discard of "football"; raises _LineError."""
    story = line.startswith("+")
    text = line[1:].strip() if story else line
    phrase = _phrase(text)
    if not phrase:
        raise _LineError("no phrase")
    return Discard(phrase, story, text.endswith("_"))


def discarded(text: str, discards: Sequence[Discard]) -> Discard | None:
    """The first discard found in `text` (case-insensitive, blanks collapsed), else None.

    A phrase must start a word (at the start or after a non-alphanumeric character); a
    whole_word phrase must also end one, otherwise it matches as a stem ("BASEBALL" also
    matches "baseballs").
    """
    haystack = " ".join(text.lower().split())
    return next((d for d in discards if _found(haystack, d)), None)


class DiscardMatcher:
    """`discarded` for many sentences: every phrase in one regular expression (story discards
    first), with the same rules."""

    def __init__(self, discards: Sequence[Discard]) -> None:
        self._by_phrase = {d.phrase: d for d in reversed(discards)}  # the first one wins
        self._story = _discard_regex([d for d in discards if d.story])
        self._sentence = _discard_regex([d for d in discards if not d.story])

    def __call__(self, text: str) -> Discard | None:
        haystack = " ".join(text.lower().split())
        for regex in (self._story, self._sentence):
            found = regex.search(haystack) if regex is not None else None
            if found is not None:
                return self._by_phrase[found.group(1)]
        return None


def _discard_regex(discards: Sequence[Discard]) -> re.Pattern[str] | None:
    r"""The phrases, longest first, each where no letter or digit comes before it (nor, for a
    whole word, after it), grouped by their first character: `(?:a(?:rest|rest)|b(?:...))`.
    Only phrases of one first character can match at a place, so the order within each group
    is the order of the whole, and `re` tries a phrase only where its first character is
    (one alternative per phrase at every word: five times slower on wire text)."""
    if not discards:
        return None
    groups: dict[str, list[str]] = {}
    for d in sorted(discards, key=lambda d: -len(d.phrase)):
        rest = re.escape(d.phrase[1:]) + (r"(?![^\W_])" if d.whole_word else "")
        groups.setdefault(d.phrase[0], []).append(rest)
    parts = [re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()]
    return re.compile(r"(?<![^\W_])(" + "|".join(parts) + ")")


def _found(haystack: str, discard: Discard) -> bool:
    start = haystack.find(discard.phrase)
    while start >= 0:
        end = start + len(discard.phrase)
        starts = start == 0 or not haystack[start - 1].isalnum()
        ends = end == len(haystack) or not haystack[end].isalnum()
        if starts and (ends or not discard.whole_word):
            return True
        start = haystack.find(discard.phrase, start + 1)
    return False
