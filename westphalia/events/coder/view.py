"""The coder's view of one parse: actor mentions by token, the dependency helpers every part of
the coder uses, and `_Hit`, one coded trigger before it becomes events.

`_Actors.of` answers which actors a phrase names: its own mentions, its modifiers' ("Hungarian
and Romanian officials"), the leader of a participle ("the US-led war"), the speaker a pronoun
stands for ("X said it would ...") and the owners after "of/from/in" ("forces from X").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ...actors import OWNER_PREPS
from ...actors.gazetteer import UNKNOWN_COUNTRY, country_of
from ...actors.places import PLACE
from ...model import Mention
from ...parse import Parse, Token
from ..lexicon import Lexicon, Pattern

if TYPE_CHECKING:
    from .verbs import _Match

_SPEAKER_PRONOUNS = frozenset({"it", "they", "we"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "appos"})
_CLAUSE_DEPTH = 12  # dependency paths inside one reported clause are short
# How deep an opposing prefix is looked for: "efforts to stop an anti- X parade" hangs X three
# links below "efforts" (efforts -> stop -> parade -> X)
_OPPOSED_DEPTH = 4
_OPPOSED_DEPS = (*_MODIFIER_DEPS, "relcl", "acl", "dobj")


@dataclass(frozen=True, slots=True)
class _Hit:
    """One coded trigger before it becomes events."""

    pattern: Pattern
    trigger: tuple[int, int]  # token range
    sources: tuple[Mention, ...]
    targets: tuple[Mention, ...]
    rule: str  # verb | verb+object | noun | intent | threat | refusal | demand | accusation
    reverse: str = ""  # a user dictionary's paired code "[A:B]": the target's event to the source


class _Actors:
    """Actor mentions by token, with the conjunct expansion the coder needs."""

    def __init__(self, parse: Parse, mentions: list[Mention], lexicon: Lexicon) -> None:
        self.parse, self.lexicon, self.sem = parse, lexicon, lexicon.semantics
        self.at: dict[int, list[Mention]] = {}
        self.places: dict[int, Mention] = {}  # token -> the place mention there (a city too)
        for mention in mentions:  # the tokens inside each mention's span
            for i in parse.tokens_within(mention.span):
                if mention.place:
                    self.places[i] = mention
                if mention.resolved_by != PLACE:  # a city named alone is where, never who
                    self.at.setdefault(i, []).append(mention)
        self.matches: dict[int, _Match | None] = {}  # verb token -> its lexicon match
        self.children = parse.dependents()

    def lemma(self, token: Token) -> str:
        """The token's lemma, with the small model's verb-lemma errors ("staged" -> "stag")
        corrected from the verb dictionaries' forms ("staged" is a form of "stage")."""
        lemma, index = token.lemma.lower(), self.lexicon.phoenix_verbs
        if token.pos not in ("VERB", "AUX") or index is None or lemma in index.verbs.entries:
            return lemma
        entry = index.verbs.entries.get(token.text.lower())
        return entry.lemma if entry is not None and " " not in entry.lemma else lemma

    def of(self, token: Token) -> list[Mention]:
        """Mentions for the phrase headed by `token` and its conjuncts."""
        found: list[Mention] = []
        chain = list(self.conjuncts(token))
        # "lawmakers and officials in X": the conjuncts share one "in/of/from X"
        shared = [p for t in chain for p in self.kids(t, "prep") if p.text.lower() in OWNER_PREPS]
        for t in chain:
            # "Hungarian and Romanian officials": both modifiers
            here = self.at.get(t.i) or self.named(self.kids(t, *_MODIFIER_DEPS)) or self._leader(t)
            if here:  # "Arnor, Calenardhon and the awful Gondor" parsed as Gondor's modifiers
                listed = [m for m in self.named(self.kids(t, "nmod")) if _listed_country(m, here)]
                here = here + listed
            if not here and t.pos == "PRON" and t.text.lower() in _SPEAKER_PRONOUNS:
                here = self._speaker_of(t)
            if not here or not any(_known_country(m) for m in here):
                # "forces from X", "the people of X", "lawmakers in X", "a blockade in X"
                preps = [p for p in self.kids(t, "prep") if p.text.lower() in OWNER_PREPS]
                preps = preps or (shared if here else [])
                owners = [m for p in preps for o in self.kids(p, "pobj") for m in self.of(o)]
                here = _with_sector(owners, here) if owners else here
            found += [m for m in here if m not in found]
        return found

    def named(self, tokens: Iterable[Token]) -> list[Mention]:
        """The mentions at the tokens and at the words conjoined with each, in order."""
        return [m for t in tokens for x in self.conjuncts(t) for m in self.at.get(x.i, [])]

    def _leader(self, token: Token) -> list[Mention]:
        """ "the US-led war", "a Saudi-backed coalition": the actor of the participle that
        modifies the noun is whose the thing is."""
        participles = [c for c in self.kids(token, "amod") if c.pos == "VERB"]
        leaders = [x for p in participles for x in self.kids(p, "npadvmod", "compound")]
        return [m for x in leaders for m in self.at.get(x.i, [])]

    def _speaker_of(self, pronoun: Token) -> list[Mention]:
        """ "X said it would ...": `it` is X when the clause is what X said."""
        clause = self.parse.tokens[pronoun.head]
        while clause.dep in ("xcomp", "conj") and clause.head != clause.i:
            clause = self.parse.tokens[clause.head]
        speech = self.parse.tokens[clause.head]
        if clause.dep != "ccomp" or self.lemma(speech) not in self.sem.speech_verbs:
            return []
        return [m for s in self.kids(speech, "nsubj") for m in self.at.get(s.i, [])]

    def opposed(self, token: Token) -> list[Mention]:
        """The mentions an opposing prefix marks inside the phrase headed by `token`: "an
        anti-American rally" is against the US ("anti", "-", "American"), and so is "an anti-
        American rally" however the parser hangs the stray "anti-"."""
        found: list[Mention] = []
        frontier, seen = [token], {token.i}
        for _ in range(_OPPOSED_DEPTH):
            for t in frontier:
                # the named word after the prefix, or the prefix itself when the parser has made
                # "anti-" the phrase's head and hung the name elsewhere
                named = t if self._after_opposing_prefix(t) else self._after_prefix(t)
                if named is not None:
                    found += [m for m in self.at.get(named.i, []) if m not in found]
            frontier = [
                c for t in frontier for c in self.kids(t, *_OPPOSED_DEPS) if c.i not in seen
            ]
            seen.update(c.i for c in frontier)
        return found

    def _after_prefix(self, token: Token) -> Token | None:
        """The word after a stray opposing prefix ("anti-" then "Gondor")."""
        tokens = self.parse.tokens
        if self._stray_prefix(token) and token.i + 1 < len(tokens):
            return tokens[token.i + 1]
        return None

    def _after_opposing_prefix(self, token: Token) -> bool:
        """Whether an opposing prefix comes right before `token` ("anti-", or "anti" "-")."""
        tokens = self.parse.tokens
        if token.i >= 1 and self._stray_prefix(tokens[token.i - 1]):
            return True
        return (
            token.i >= 2
            and tokens[token.i - 1].text == "-"
            and tokens[token.i - 2].text.lower() in self.sem.opposing_prefixes
        )

    def _stray_prefix(self, token: Token) -> bool:
        """ "anti-" as one token (the tokenizer keeps the hyphen when a space follows)."""
        text = token.text.lower()
        return text.endswith("-") and text.rstrip("-") in self.sem.opposing_prefixes

    def kids(self, token: Token, *deps: str) -> list[Token]:
        return [c for c in self.children.get(token.i, []) if c.dep in deps]

    def conjuncts(self, token: Token) -> Iterator[Token]:
        """The token and the words conjoined with it; an apposition that is itself an actor
        next to an actor is a list item too ("Mordor, the Shire and Bree")."""
        yield token
        for c in self.kids(token, "conj", "appos"):
            if c.dep == "conj" or (token.i in self.at and c.i in self.at):
                yield from self.conjuncts(c)


def _listed_country(mention: Mention, head: list[Mention]) -> bool:
    """Whether a country modifying a country's name is one more of a list (no country names
    another by modifying it)."""
    return len(mention.actor_code) == 3 and all(len(m.actor_code) == 3 for m in head)


def _with_sector(owners: list[Mention], groups: list[Mention]) -> list[Mention]:
    """ "forces from Pakistan and China": the countries, with the group's sector (PAKMIL)."""
    sector = next((g.actor_code[3:] for g in groups if len(g.actor_code) > 3), "")
    return [
        replace(m, actor_code=m.actor_code + sector)
        if sector and len(m.actor_code) == 3 and _known_country(m)
        else m
        for m in owners
    ]


def _known_country(mention: Mention) -> bool:
    return country_of(mention.actor_code) != UNKNOWN_COUNTRY


def _subject_tokens(verb: Token, actors: _Actors) -> list[Token]:
    return actors.kids(verb, *_SUBJECT_DEPS)


def _path_up(parse: Parse, i: int, depth: int) -> Iterator[int]:
    """Token `i` and its heads up to the root, at most `depth` tokens."""
    for _ in range(depth):
        yield i
        if parse.tokens[i].head == i:
            return
        i = parse.tokens[i].head
