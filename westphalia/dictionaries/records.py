"""The frozen records the readers return (verb patterns and entries, actors, agents, discards,
the Dictionaries of one directory) and _LineError, which a reader raises for a line it cannot
read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class _Record:
    """Base of the records: pickles as a constructor call, which loads twice as fast as the
    per-field __setstate__ dataclasses give frozen slotted classes (Phoenix dictionaries,
    70,000 records, garbage collector paused: 0.135 s -> 0.065 s)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Element(_Record):
    """One element of a verb pattern, in pattern order.

    kind: "word" (a head noun/word), "phrase" ({A B C}: consecutive words, head last),
    "prep" ((PREP X), (PREP {A B}) or a bare (PREP)), "source" ($), "target" (+),
    "compound" (%: the compound-actor slot), "skip" (^: past one noun phrase).
    words: word: one set of alternatives; phrase: one set per position; prep: the
    preposition(s) then one set per position of the phrase inside. Alternatives are
    lowercase; a synonym set (&NAME) is expanded into its members and their plurals;
    multi-word members are space-joined ("cease fire"); "A/B" gives the set {a, b}.
    """

    kind: str
    words: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class VerbPattern(_Record):
    """A pattern of a verb block; code "---" is the null code (matches, codes nothing).

    A paired code "[042:043]" (TABARI: A->B 042 and B->A 043) keeps the second as `reverse`;
    a reverse-only code "[:173]" gives code "---" and reverse "173".
    """

    code: str
    verb: str
    before: tuple[Element, ...]
    after: tuple[Element, ...]
    origin: str
    reverse: str = ""  # the code of the target's event towards the source, if the pair has one


@dataclass(frozen=True, slots=True)
class VerbEntry(_Record):
    """A verb: its lemma, the word that is the verb, all its forms (lemma included) and code."""

    lemma: str
    head: str
    forms: frozenset[str]
    code: str
    block: str
    reverse: str = ""  # second code of a paired "[042:043]": the target's event to the source


@dataclass(frozen=True, slots=True)
class Transformation(_Record):
    """ "~ a (a b ATTACK) SAY = a b 015": verbs lowercase ("q" = any verb, "_" joins verbs)."""

    outer_source: str
    inner_source: str
    inner_target: str
    inner_verb: str
    outer_verb: str
    source: str
    target: str
    code: str
    origin: str


@dataclass(frozen=True, slots=True)
class VerbDictionary(_Record):
    """entries: every lemma and form -> entry; patterns: block verb -> most specific first."""

    entries: dict[str, VerbEntry]
    patterns: dict[str, tuple[VerbPattern, ...]]
    synsets: dict[str, frozenset[str]]
    transformations: tuple[Transformation, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DatedCode(_Record):
    """A code valid from start to end, both inclusive; None is an open end."""

    code: str
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class ActorEntry(_Record):
    """An actor: its phrases (primary first), date-restricted codes and default code."""

    phrases: tuple[str, ...]
    codes: tuple[DatedCode, ...]
    default: str | None
    origin: str

    def code_on(self, day: date | None) -> str | None:
        """The code on `day`: the first restriction covering it, else the default.

        Without a day: the default, else the last (most recent) restriction's code.
        """
        if day is None:
            return (
                self.default if self.default is not None or not self.codes else self.codes[-1].code
            )
        return next((c.code for c in self.codes if c.covers(day)), self.default)


@dataclass(frozen=True, slots=True)
class AgentEntry(_Record):
    """An agent phrase; prefix=True for "NGO~" (before the actor code), False for "~GOV"."""

    phrase: str
    plurals: tuple[str, ...]
    code: str
    prefix: bool
    origin: str


@dataclass(frozen=True, slots=True)
class Discard(_Record):
    """story: discard the whole story ("+"); whole_word: must end at a blank or punctuation."""

    phrase: str
    story: bool
    whole_word: bool


@dataclass(frozen=True, slots=True)
class Dictionaries(_Record):
    """Everything read from one directory; skipped: unread actor/agent/discard lines."""

    verbs: VerbDictionary | None
    actors: tuple[ActorEntry, ...]
    agents: tuple[AgentEntry, ...]
    discards: tuple[Discard, ...]
    sources: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    # From a PETRARCH internal coding ontology file: code -> the code its negation is
    # ("did not clash" [110, not diplomatic cooperation] -> 050)
    negations: tuple[tuple[str, str], ...] = ()


class _LineError(ValueError):
    """A line (or part of one) that cannot be read; the message says why."""
