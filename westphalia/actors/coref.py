"""Coreference: mentions that refer back to actors coded earlier in the document.

`Persons` remembers each person as the resolver codes them (full name and surname -> code,
and their mentions); a person with no country of their own takes the code of an earlier
mention of the same name, later bare surnames the NER did not tag keep the person's code,
and "he"/"she" does when exactly one person is in view. `two_sides` reads "the two sides"
as the two countries of the recent sentences when there are exactly two.
"""

from __future__ import annotations

from ..model import Mention, Span
from ..parse import Parse, Token
from .gazetteer import UNKNOWN_COUNTRY, country_of

_PRONOUNS = frozenset({"he", "she", "him", "her"})
_PAIR_WINDOW = 3  # sentences searched for the two parties of "the two sides"
_PRONOUN_WINDOW = 1  # earlier sentences searched for the antecedent of he/she


class Persons:
    """The persons of one document, in the order the resolver codes them."""

    def __init__(self, parse: Parse) -> None:
        self.parse = parse
        self.codes: dict[str, str] = {}  # full name or surname -> code
        self.mentions: list[Mention] = []

    def known(self, name: str) -> str | None:
        """The code of an earlier person of this full name, else of this surname."""
        return self.codes.get(name) or self.codes.get(name.split()[-1])

    def remember(self, name: str, code: str) -> None:
        self.codes.setdefault(name, code)
        self.codes.setdefault(name.split()[-1], code)

    def canonical(self, name: str) -> str:
        """The first full name seen for a person ("Bajwa" -> "Qamar Javed Bajwa")."""
        last = name.split()[-1]
        for m in self.mentions:
            if m.entity.split()[-1] == last:
                return m.entity
        return name

    def surnames(self, coded: list[Mention]) -> list[Mention]:
        """Bare surnames the NER did not tag ("Dar later flew home") after the full mention,
        outside the `coded` mentions."""
        covered = {i for m in coded for i in range(m.span.start, m.span.end)}
        first = {m.entity.split()[-1]: m.span.start for m in reversed(self.mentions)}
        found = []
        for token in self.parse.tokens:
            if (
                token.pos == "PROPN"
                and token.start not in covered
                and token.start > first.get(token.text, len(self.parse.text))
            ):
                code = self.codes[token.text]
                mention = self._at(token, code, "coref", self.canonical(token.text))
                found.append(mention)
                self.mentions.append(mention)
        return found

    def pronouns(self) -> list[Mention]:
        """Resolve he/she when exactly one person is in view (this or the previous sentence)."""
        found = []
        for token in self.parse.tokens:
            if token.text.lower() not in _PRONOUNS or token.pos != "PRON":
                continue
            window = sorted(
                (m.span.start, self.canonical(m.entity), m.actor_code)
                for m in self.mentions
                if 0 <= token.sent - m.sentence_index <= _PRONOUN_WINDOW
                and m.span.start < token.start
            )
            if len({e for _, e, _ in window}) == 1:  # one person, coded as last named
                _, entity, code = window[-1]
                found.append(self._at(token, code, "pronoun", entity))
        return found

    def _at(self, token: Token, code: str, via: str, entity: str) -> Mention:
        span = Span(token.start, token.end)
        return Mention(self.parse.article_id, token.sent, span, token.text, code, via, entity)


def two_sides(sent: int, coded: list[Mention]) -> list[str]:
    """The two countries of "the two sides" in sentence `sent`: those of the mentions `coded`
    in the last few sentences (`_PAIR_WINDOW`) when there are exactly two, in code order;
    else none."""
    recent: list[str] = []
    for m in reversed(coded):
        if sent - m.sentence_index > _PAIR_WINDOW:
            break
        country = country_of(m.actor_code)
        if country not in recent and country not in (UNKNOWN_COUNTRY, "IGO", "NGO"):
            recent.append(country)
    return sorted(recent) if len(recent) == 2 else []
