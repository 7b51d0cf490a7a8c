"""Units: the words of a Parse that name an actor or a part of one, before any grouping.

A unit is a gazetteer or role match (a country, a city or state, an organisation, a title, a
group noun, a known person, an entry of the user's dictionary, "the two sides") or a person:
a PERSON of the entity recognizer (parse.entities = "model"), or the part of a run of proper
nouns (NAME, parse.entities = "rules") that no other unit took and that does not read as a
body ("Consolidated Goldfields Plc", "the ATPC"), or a proper-noun run right after a title. Overlapping
matches are settled longest first, then by the layer they come from (`_RANK`); a country word
inside a person's name ("Jordan Peterson") and a place name read in a country the document
does not name elsewhere (Tripoli) lose.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from ..parse import Parse
from .gazetteer import (
    ELITE,
    UNKNOWN_COUNTRY,
    DatedActor,
    Gazetteer,
    PhraseKey,
    _data,
    former_code,
)

_NOUNS = frozenset({"NOUN", "PROPN"})
_CLITICS = frozenset({"'s", "\u2019s", "'", "\u2019"})  # possessive endings the NER may include
_VIA = {
    "name": "gazetteer",
    "adj": "demonym",
    "demonym": "demonym",
    "capital": "metonym",
    "seat": "metonym",
    "place": "place",
}
# On a tie in length: the user's dictionary, a user-supplied dictionaries directory, then the
# project's data (organisations, people, countries and roles), then Phoenix's actors and places.
_RANK = {"u": 0, "d": 1, "o": 2, "p": 3, "c": 4, "t": 4, "g": 4, "pair": 4, "x": 5, "place": 6}
# Lower-case words a proper name may contain ("Ministry of Defence", "Osama bin Laden").
_PARTICLES = (
    frozenset({"of", "the", "and", "for", "on", "in", "at", "to"})  # English
    | {"de", "del", "della", "di", "da", "do", "dos", "das", "du", "des"}  # Romance "of"
    | {"la", "le", "les", "el", "y", "e"}  # Romance "the", "and"
    | {"al", "bin", "ibn", "bint"}  # Arabic "the", "son of", "daughter of"
    | {"van", "von", "der", "den"}  # Dutch, German
)


@dataclass(slots=True)
class Unit:
    kind: str  # country | place | org | title | group | pair | person | user
    start: int  # token indices, end exclusive
    end: int
    code: str = ""  # country or organisation code
    sector: str = ""
    via: str = ""
    name: str = ""
    rank: int = 4  # see _RANK
    former: bool = False  # a former office-holder (ELI): loses a tie to a serving one


def find_units(parse: Parse, gazetteer: Gazetteer, published: date | None) -> list[Unit]:
    """The units of `parse` in text order, none overlapping another."""
    units: list[Unit] = []
    taken: set[int] = set()
    candidates = [
        unit
        for match in parse.matches
        if (unit := _unit_from_key(match.key, match.start, match.end, gazetteer, published, parse))
    ]
    person_ents = [
        _Name(e.start, _without_clitic(parse, e.start, e.end))
        for e in parse.entities
        if e.label == "PERSON" and not _all_countries(e, candidates)
    ]
    names = [_Name(e.start, e.end) for e in parse.entities if e.label == "NAME"]
    doubt = _doubtful_places(candidates)
    # Longest first; on a tie a reading the document confirms, then the higher layer (_RANK),
    # then a serving office-holder.
    order = sorted(candidates, key=lambda u: (u.start - u.end, u.start, doubt(u), u.rank, u.former))
    for unit in order:
        span = set(range(unit.start, unit.end))
        if span & taken or (
            unit.kind in ("country", "place")
            and _inside_longer_person(unit.start, unit.end, person_ents, parse)
        ):
            continue
        if unit.kind in ("title", "group") and parse.tokens[unit.end - 1].pos not in _NOUNS:
            continue  # "a joint military drill": an adjective, not the armed forces
        unit.name = unit.name or tokens_text(parse, unit.start, unit.end)
        units.append(unit)
        taken |= span
    units += _persons(parse, units, taken, person_ents, names)
    units += _pair_phrases(parse, taken)
    return sorted(units, key=lambda u: u.start)


def tokens_text(parse: Parse, start: int, end: int) -> str:
    """The text of tokens `start` to `end` (exclusive)."""
    return parse.text[parse.tokens[start].start : parse.tokens[end - 1].end]


def _all_countries(ent: Any, candidates: list[Unit]) -> bool:
    """A PERSON entity that is only country words ("Bosnian Serbs") names a people, not a person."""
    covered = {i for u in candidates if u.kind == "country" for i in range(u.start, u.end)}
    return all(i in covered for i in range(ent.start, ent.end))


def _doubtful_places(candidates: list[Unit]) -> Callable[[Unit], int]:
    """1 for the reading of a place name shared by two countries (Tripoli: Libya, Lebanon)
    whose country the document does not name elsewhere, else 0."""
    codes: dict[tuple[int, int], set[str]] = defaultdict(set)
    for u in candidates:
        if u.kind in ("country", "place"):
            codes[(u.start, u.end)].add(u.code)
    settled = {code for found in codes.values() if len(found) == 1 for code in found}

    def doubt(u: Unit) -> int:
        shared = len(codes.get((u.start, u.end), ())) > 1
        return int(shared and u.kind in ("country", "place") and u.code not in settled)

    return doubt


def _pair_phrases(parse: Parse, taken: set[int]) -> list[Unit]:
    """ "the two former rivals", "both neighbours": a plural noun counted as two or both."""
    pairs = []
    for token in parse.tokens:
        head = parse.tokens[token.head]
        if (
            token.text.lower() in ("two", "both")
            and token.dep in ("nummod", "det", "predet")
            and head.tag == "NNS"
            and head.i > token.i
            and not taken & set(range(token.i, head.i + 1))
        ):
            start = (
                token.i - 1
                if token.i and parse.tokens[token.i - 1].text.lower() == "the"
                else token.i
            )
            pairs.append(Unit("pair", start, head.i + 1, via="pair"))
            taken.update(range(start, head.i + 1))
    return pairs


@dataclass(frozen=True, slots=True)
class _Name:
    """A PERSON entity's tokens, without a possessive clitic the NER took in."""

    start: int
    end: int


def _without_clitic(parse: Parse, start: int, end: int) -> int:
    """The end of an entity without a trailing "'s" ("Caras Galadhon's" -> "Caras Galadhon")."""
    while end > start + 1 and parse.tokens[end - 1].text in _CLITICS:
        end -= 1
    return end


def _stretches(indices: range, taken: set[int]) -> list[tuple[int, int]]:
    """The maximal (start, end) runs of `indices` outside `taken`."""
    found: list[tuple[int, int]] = []
    for i in indices:
        if i in taken:
            continue
        if found and found[-1][1] == i:
            found[-1] = (found[-1][0], i + 1)
        else:
            found.append((i, i + 1))
    return found


@cache
def _body_words() -> frozenset[str]:
    """Words that make a proper name a body, a place or a thing (data/names.yaml)."""
    return frozenset(w for words in _data("names.yaml")["body_words"].values() for w in words)


_DETERMINERS = frozenset({"the", "a", "an"})


def _body_like(parse: Parse, start: int, end: int) -> bool:
    """Whether a proper-noun stretch reads as a body, a place or a thing, not a person: a body
    word in it, one word all in capitals ("ATPC", "KLM"), a word with no letter ("<BP>"), or
    an article right before it when it heads its phrase ("the Force Ouvriere")."""
    tokens = parse.tokens[start:end]
    body_words = _body_words()
    if any(t.text in body_words or not any(c.isalpha() for c in t.text) for t in tokens):
        return True
    if len(tokens) == 1 and len(tokens[0].text) > 1 and tokens[0].text.isupper():
        return True
    before = parse.tokens[start - 1] if start > 0 else None
    return (
        before is not None
        and before.sent == tokens[0].sent
        and before.text.lower() in _DETERMINERS
        and tokens[-1].dep != "compound"  # "the Reagan administration": a person's
    )


def _inside_longer_person(start: int, end: int, person_ents: Iterable, parse: Parse) -> bool:
    """A country name inside a person's name ("Jordan Peterson") is not a country."""
    for ent in person_ents:
        if ent.start <= start and end <= ent.end and (ent.end - ent.start) > (end - start):
            return all(parse.tokens[i].pos == "PROPN" for i in range(start, end))
    return False


def _unit_from_key(
    text: str, start: int, end: int, g: Gazetteer, published: date | None, parse: Parse
) -> Unit | None:
    key = PhraseKey.parse(text)
    kind = key.kind
    if kind == "c":
        return _country_unit(key, start, end, g, published, parse)
    if kind == "o":
        org = g.organisations[key.index]
        return Unit("org", start, end, org["code"], via="organisation", name=org["name"], rank=2)
    if kind in ("t", "g"):  # layer "d": an agent of a dictionaries directory ("NGO~:d")
        role = "title" if kind == "t" else "group"
        return Unit(role, start, end, sector=key.sector, via="role", rank=_RANK.get(key.layer, 4))
    if kind == "pair":
        return Unit("pair", start, end, via="pair")
    if kind in ("d", "x"):
        if kind == "x" and not _proper(parse, start, end):
            return None  # Phoenix's phrases are upper case: "Bush" is a name, "bush" is not
        layer = g.dictionary if kind == "d" else g.phoenix
        units = [
            _dated_unit(actor, code, start, end, _RANK[kind], g)
            for actor in layer.find(tokens_text(parse, start, end))
            if (code := actor.code_on(published)) and code != UNKNOWN_COUNTRY
        ]
        return min(units, key=lambda u: u.former, default=None)
    entry = (g.user if kind == "u" else g.people)[key.index]
    if kind == "u":
        if not entry.valid_on(published):
            return None
        # a bare country code is a country (its titles and groups take it: "X's minister")
        kind = "country" if len(entry.code) == 3 and entry.code not in ("IGO", "NGO") else "user"
        return Unit(kind, start, end, entry.code, via="user-dictionary", name=entry.name, rank=0)
    code, former = entry.code, False
    if not entry.valid_on(published):
        if published is None or entry.valid_to is None or published <= entry.valid_to:
            return None  # not yet in office
        code, former = former_code(entry.code), True
    return Unit(
        "person", start, end, code, via="known-person", name=entry.name, rank=3, former=former
    )


def _country_unit(
    key: PhraseKey, start: int, end: int, g: Gazetteer, published: date | None, parse: Parse
) -> Unit | None:
    """A country word (its code, how it names the country, and a seat's sector), or a city or
    state in a country ("place"), which must be written as a proper name."""
    code, via = key.code, key.via
    if via == "capital" and not _seated(g.countries.get(code, {}), published):
        via = "place"  # "Juba" before South Sudan was a state: a city, no metonym
    if via == "capital" and _called_regional(parse, start):
        via = "place"  # "the regional capital Juba": the text says it is no state's seat
    if via == "place":
        if not _proper(parse, start, end):
            return None
        name = g.countries.get(code, {}).get("name", code)
        return Unit("place", start, end, code, via="place", name=name, rank=_RANK["place"])
    return Unit("country", start, end, code, key.sector, _VIA[via], g.countries[code]["name"])


_REGIONAL = frozenset({"regional", "provincial", "state", "district", "county"})


def _called_regional(parse: Parse, start: int) -> bool:
    """Whether the words before a capital's name call it a region's capital ("the southern
    regional capital Juba", "the provincial capital X")."""
    before = [t.text.lower() for t in parse.tokens[max(0, start - 3) : start]]
    return bool(before) and before[-1] == "capital" and bool(_REGIONAL.intersection(before[:-1]))


def _seated(country: dict[str, Any], published: date | None) -> bool:
    """Whether the country had a government seated in its capital on the day (countries.yaml
    `independent`: states born after 1990)."""
    independent = country.get("independent")
    return published is None or not independent or published >= date.fromisoformat(independent)


def _dated_unit(
    actor: DatedActor, code: str, start: int, end: int, rank: int, g: Gazetteer
) -> Unit:
    """A dictionary actor with its code of the day: a country, a person or a body."""
    former = code.endswith(ELITE)
    if len(code) == 3 and code not in ("IGO", "NGO"):
        name = g.countries.get(code, {}).get("name", actor.name)
        return Unit("country", start, end, code, via="gazetteer", name=name, rank=rank)
    if actor.person:
        return Unit(
            "person",
            start,
            end,
            code,
            via="known-person",
            name=actor.name,
            rank=rank,
            former=former,
        )
    return Unit("org", start, end, code, via="organisation", name=actor.name, rank=rank)


def _proper(parse: Parse, start: int, end: int) -> bool:
    """Written as a proper name: a proper noun among the words, and every word capitalised
    but for particles ("Ministry of Defence") and the part after a hyphen ("Ki-moon")."""
    tokens = parse.tokens[start:end]
    if not any(t.pos == "PROPN" for t in tokens):
        return False
    return all(
        not t.text[:1].isalpha()
        or t.text[:1].isupper()
        or t.text.lower() in _PARTICLES
        or (t.i > start and parse.tokens[t.i - 1].text == "-")
        for t in tokens
    )


def _persons(
    parse: Parse,
    units: list[Unit],
    taken: set[int],
    person_ents: Iterable[_Name],
    names: Iterable[_Name] = (),
) -> list[Unit]:
    """Persons the gazetteer does not know: PERSON entities on words no match took; the
    stretches of proper-noun runs (NAME) no match took that do not read as a body; and
    proper nouns right after a title ("FM Sergey Lavrov" when the NER missed the name)."""
    persons: list[Unit] = []
    for ent in person_ents:
        free = [i for i in range(ent.start, ent.end) if i not in taken]
        if free and free == list(range(free[0], free[-1] + 1)):
            persons.append(Unit("person", free[0], free[-1] + 1, via="person"))
            taken.update(free)
    for name in names:
        for start, end in _stretches(
            range(name.start, _without_clitic(parse, name.start, name.end)), taken
        ):
            if not _body_like(parse, start, end):
                persons.append(Unit("person", start, end, via="person"))
                taken.update(range(start, end))
    for unit in units:  # "FM Sergey Lavrov" when the NER missed the name
        if unit.kind == "title":
            i = unit.end
            while i < len(parse.tokens) and parse.tokens[i].pos == "PROPN" and i not in taken:
                i += 1
            if i > unit.end:
                persons.append(Unit("person", unit.end, i, via="person"))
                taken.update(range(unit.end, i))
    for person in persons:
        person.name = tokens_text(parse, person.start, person.end)
    return persons
