"""Synonym sets of a verb dictionary ("&NAME" lines and their "+member" lines), and the
context that reading verbs and patterns shares (the file name, the synsets, the notes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .lines import _phrase, _plural


@dataclass
class _VerbContext:
    """What pattern and verb reading share: the file name, synsets and collected notes."""

    name: str
    synsets: dict[str, frozenset[str]] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)
    interned: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    def note(self, line: int, why: str) -> None:
        self.notes.append((line, why))

    def intern(self, words: Iterable[str]) -> frozenset[str]:
        """One shared object per distinct set (smaller cache, faster load)."""
        key = frozenset(words)
        return self.interned.setdefault(key, key)


def _collect_synsets(
    lines: list[tuple[int, str]], ctx: _VerbContext
) -> tuple[dict[str, tuple[bool, list[tuple[int, str]]]], set[int]]:
    """The first pass of read_verbs: "&NAME" lines and their "+member" lines, wherever they
    are in the file.

    Returns name -> (no plurals, members) and the line numbers used. A name ending in "_"
    takes no plurals; it is stored and looked up without the "_".
    """
    synsets: dict[str, tuple[bool, list[tuple[int, str]]]] = {}
    used: set[int] = set()
    members: list[tuple[int, str]] | None = None
    for number, line in lines:
        if line.startswith("&"):
            label = line.split()[0].upper()
            members = []
            if label.rstrip("_") in synsets:
                ctx.note(number, f"skipped: synset {label} defined again; the first one is kept")
            else:
                synsets[label.rstrip("_")] = (label.endswith("_"), members)
        elif members is not None and line.startswith("+"):
            members.append((number, line[1:].strip()))
        else:
            members = None
            continue
        used.add(number)
    return synsets, used


def _expand_synsets(
    raw: dict[str, tuple[bool, list[tuple[int, str]]]], ctx: _VerbContext
) -> dict[str, frozenset[str]]:
    """Members with their plurals; a member "&OTHER" brings in that set's members."""
    expander = _SynsetExpander(raw, ctx)
    return {name: expander.expand(name, ()) for name in raw}


@dataclass
class _SynsetExpander:
    """Expands synsets recursively (TABARI allowed synsets inside synsets), once each."""

    raw: dict[str, tuple[bool, list[tuple[int, str]]]]
    ctx: _VerbContext
    done: dict[str, frozenset[str]] = field(default_factory=dict)

    def expand(self, name: str, stack: tuple[str, ...]) -> frozenset[str]:
        if name not in self.done:
            no_plural, members = self.raw[name]
            words: set[str] = set()
            for number, member in members:
                words |= self.member(number, member, no_plural=no_plural, stack=(*stack, name))
            self.done[name] = self.ctx.intern(words)
        return self.done[name]

    def member(
        self, number: int, member: str, *, no_plural: bool, stack: tuple[str, ...]
    ) -> set[str]:
        """The words one "+member" line adds to its synset."""
        if member.startswith("&"):
            inner = member.split()[0].upper().rstrip("_")
            if inner in self.raw and inner not in stack:
                return set(self.expand(inner, stack))
            self.ctx.note(number, f"skipped: synset member {member}: undefined or circular")
            return set()
        text = _phrase(member)
        plural = None if no_plural or member.endswith("_") else _plural(text)
        return {text, plural} if plural else {text}
