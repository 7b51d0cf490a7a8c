"""Places: the names that say where something happened, not who acted.

A country's name or capital introduced by a locative preposition ("sources in Pakistan", "a
camp near Kabul"), or named as what a geographic word is of ("the island of Cyprus"), is a
place: its mention is kept for the event coder, which reads its targets and locations from
it, and is marked `place`, so it does not count as an actor of its sentence unless the coder
makes it one. A city or state named alone (the gazetteer's places: "Lagos", "Samarra") was no
mention before; it becomes a place mention of its country, which the coder reads only for
where an event happened and for the places-as-doers convention (`events.coder.triggers`).
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Mention
from ..parse import Parse, Token
from .units import Unit

LOCATIVE = frozenset(
    {"in", "at", "near", "inside", "within", "across", "throughout", "outside", "around"}
)
# "the island of Cyprus", "the town of Samarra": the "of" phrase names the place itself;
# "the border with Bulgaria": a line on the map, not the state
GEOGRAPHIC = {
    "of": frozenset(
        [
            "island",
            "town",
            "city",
            "village",
            "province",
            "region",
            "capital",
            "district",
            "state",
            "area",
            "outskirts",
            "suburb",
            "suburbs",
            "port",
            "county",
            "territory",
        ]
    ),
    "with": frozenset({"border", "frontier", "boundary"}),
}
_CONJUNCTS = 12  # conjunct links followed back to the list's first member
_NAMES = frozenset({"gazetteer", "metonym"})  # a country's name, its capital or seat
PLACE = "place"  # resolved_by of a city or state named alone


def mark_places(parse: Parse, units: list[Unit], mentions: list[Mention]) -> list[Mention]:
    """`mentions` with the country names used as places marked, plus a place mention for each
    city or state of `units` that no mention covers, in document order."""
    marked = [
        replace(m, place=True) if m.resolved_by in _NAMES and locative(parse, m) else m
        for m in mentions
    ]
    covered = {i for m in mentions for i in parse.tokens_within(m.span)}
    for unit in units:
        if unit.kind == PLACE and not covered.intersection(range(unit.start, unit.end)):
            span = parse.span(unit.start, unit.end)
            marked.append(
                Mention(
                    parse.article_id,
                    parse.tokens[unit.start].sent,
                    span,
                    span.of(parse.text),
                    unit.code,
                    PLACE,
                    unit.name,
                    place=True,
                )
            )
    return sorted(marked, key=lambda m: (m.span.start, m.span.end, m.actor_code))


def locative(parse: Parse, mention: Mention) -> bool:
    """Whether the mention's phrase is the object of a locative preposition, of the "of" after
    a geographic word, or of "with" after a border; or a conjunct of such an object ("markets
    in the US, Britain and France": all three)."""
    inside = parse.tokens_within(mention.span)
    head = next((parse.tokens[i] for i in inside if parse.tokens[i].head not in inside), None)
    for _ in range(_CONJUNCTS):
        if head is None or head.dep != "conj":
            break
        head = parse.tokens[head.head]
    if head is None or head.dep != "pobj":
        return False
    prep = parse.tokens[head.head]
    word = prep.text.lower()
    return word in LOCATIVE or _geographic(parse.tokens[prep.head], word)


def _geographic(token: Token, prep: str) -> bool:
    words = GEOGRAPHIC.get(prep, frozenset())
    return token.pos in ("NOUN", "PROPN") and token.lemma.lower() in words
