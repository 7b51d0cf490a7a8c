"""Resolve phrase matches and named entities in a Parse into coded actor Mentions.

1. Units: the longest non-overlapping gazetteer/role matches, plus persons (PERSON entities,
   and proper-noun runs right after a title that the NER missed).
2. Groups: a unit joins the unit it modifies in the dependency tree (compound, amod, poss,
   nmod, appos, "of X", conjoined countries), so "Pakistan's Army Chief General Bajwa" is
   one group: country PAK + title MIL + person Bajwa.
3. Codes: an organisation's code wins; else each country in the group with the group's
   sector (a city or state gives its country: "Shanghai police" -> CHNCOP, but a place alone
   is no actor); a known person keeps their gazetteer code, with the sector of an explicit
   title ("Senator X" -> LEG) and ELI once their office is over; a person with no country
   takes it from the document's earlier mentions of the same name, else from clear context;
   a group noun with no country takes the one country its own clause places it in ("rebels
   attacked a town in Sudan", "officials in Nairobi"), else is `---` + sector. An ethnic group
   ("ethnic Albanians", "Bosnian Serbs", "the Albanians of Serbia") is coded by the country it
   lives in, not by its kin state; a city named in two countries (Tripoli) is read as the one
   whose country the document names elsewhere.
4. Coreference: later mentions of a person's surname or full name, and "he"/"she" when
   exactly one person is in view, keep the person's code; "the two sides" resolves to the
   two countries of the recent sentences when there are exactly two.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model import Mention, Span
from ..parse import Parse, Token
from .gazetteer import ELITE, UNKNOWN_COUNTRY, DatedActor, Gazetteer, former_code

# Dependency labels by which a word modifies the noun phrase it belongs to.
_MODIFIER_DEPS = frozenset(
    {"compound", "amod", "poss", "nmod", "appos", "flat", "npadvmod", "nummod"}
)
_OF_PREPS = frozenset({"of"})  # "the foreign ministers of Turkey"
_LISTABLE = frozenset({"org", "user", "country"})  # unit kinds that are actors on their own
_OWNER_PREPS = frozenset({"of", "from", "in"})  # "forces from X": X owns the group
_NOUNS = frozenset({"NOUN", "PROPN"})
_PRONOUNS = frozenset({"he", "she", "him", "her"})
# Prepositions that place a group in a country ("rebels in Sudan"); "near", "outside" do not.
_LOCATIVE = frozenset({"in", "inside", "within", "across", "throughout"})
_ETHNIC = frozenset({"ethnic"})  # "ethnic Albanians": the word after names a people, not a state
_CLIMB = 12  # dependency arcs climbed from a word to the verb it may lie under
_CLITICS = frozenset({"'s", "\u2019s", "'", "\u2019"})  # possessive endings the NER may include
_PAIR_WINDOW = 3  # sentences searched for the two parties of "the two sides"
_PRONOUN_WINDOW = 1  # earlier sentences searched for the antecedent of he/she
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
_PARTICLES = frozenset(("of", "the", "and", "for", "de", "del", "della", "di", "da", "do", "dos", "das",
                        "du", "des", "la", "le", "les", "el", "al", "bin", "ibn", "bint", "van", "von",
                        "der", "den", "y", "e", "on", "in", "at", "to"))  # fmt: skip


@dataclass(slots=True)
class _Unit:
    kind: str  # country | place | org | title | group | pair | person | user
    start: int  # token indices, end exclusive
    end: int
    code: str = ""  # country or organisation code
    sector: str = ""
    via: str = ""
    name: str = ""
    rank: int = 4  # see _RANK
    former: bool = False  # a former office-holder (ELI): loses a tie to a serving one


def extract_actors(
    parse: Parse, *, gazetteer: Gazetteer, published: date | None = None
) -> list[Mention]:
    """Every actor mention in `parse`, coded; see the module docstring."""
    units = _units(parse, gazetteer, published)
    groups = _groups(parse, units)
    resolver = _Resolver(parse, gazetteer, units)
    for group in sorted(groups, key=lambda g: g[0].start):
        resolver.resolve(group)
    resolver.surnames()
    resolver.pronouns()
    return sorted(resolver.mentions, key=lambda m: (m.span.start, m.span.end, m.actor_code))


def _units(parse: Parse, gazetteer: Gazetteer, published: date | None) -> list[_Unit]:
    units: list[_Unit] = []
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
        unit.name = unit.name or _text(parse, unit.start, unit.end)
        units.append(unit)
        taken |= span
    units += _persons(parse, units, taken, person_ents)
    units += _pair_phrases(parse, taken)
    return sorted(units, key=lambda u: u.start)


def _all_countries(ent: Any, candidates: list[_Unit]) -> bool:
    """A PERSON entity that is only country words ("Bosnian Serbs") names a people, not a person."""
    covered = {i for u in candidates if u.kind == "country" for i in range(u.start, u.end)}
    return all(i in covered for i in range(ent.start, ent.end))


def _doubtful_places(candidates: list[_Unit]) -> Callable[[_Unit], int]:
    """1 for the reading of a place name shared by two countries (Tripoli: Libya, Lebanon)
    whose country the document does not name elsewhere, else 0."""
    codes: dict[tuple[int, int], set[str]] = defaultdict(set)
    for u in candidates:
        if u.kind in ("country", "place"):
            codes[(u.start, u.end)].add(u.code)
    settled = {code for found in codes.values() if len(found) == 1 for code in found}

    def doubt(u: _Unit) -> int:
        shared = len(codes.get((u.start, u.end), ())) > 1
        return int(shared and u.kind in ("country", "place") and u.code not in settled)

    return doubt


def _pair_phrases(parse: Parse, taken: set[int]) -> list[_Unit]:
    """ "the two former rivals", "both neighbours": a plural noun counted as two or both."""
    pairs = []
    for token in parse.tokens:
        head = parse.tokens[token.head]
        if (token.text.lower() in ("two", "both") and token.dep in ("nummod", "det", "predet")
                and head.tag == "NNS" and head.i > token.i and not taken & set(range(token.i, head.i + 1))):  # fmt: skip
            start = (
                token.i - 1
                if token.i and parse.tokens[token.i - 1].text.lower() == "the"
                else token.i
            )
            pairs.append(_Unit("pair", start, head.i + 1, via="pair"))
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


def _inside_longer_person(start: int, end: int, person_ents: Iterable, parse: Parse) -> bool:
    """A country name inside a person's name ("Jordan Peterson") is not a country."""
    for ent in person_ents:
        if ent.start <= start and end <= ent.end and (ent.end - ent.start) > (end - start):
            return all(parse.tokens[i].pos == "PROPN" for i in range(start, end))
    return False


def _unit_from_key(
    key: str, start: int, end: int, g: Gazetteer, published: date | None, parse: Parse
) -> _Unit | None:
    kind, _, rest = key.partition(":")
    if kind == "c":
        code, _, via = rest.partition(":")
        via, _, sector = via.partition(":")
        if via == "capital" and not _seated(g.countries.get(code, {}), published):
            via = "place"  # "Juba" before South Sudan was a state: a city, no metonym
        if via == "place":
            if not _proper(parse, start, end):
                return None
            name = g.countries.get(code, {}).get("name", code)
            return _Unit("place", start, end, code, via="place", name=name, rank=_RANK["place"])
        return _Unit("country", start, end, code, sector, _VIA[via], g.countries[code]["name"])
    if kind == "o":
        org = g.organisations[int(rest)]
        return _Unit("org", start, end, org["code"], via="organisation", name=org["name"], rank=2)
    if kind in ("t", "g"):
        sector, _, layer = rest.partition(":")  # "NGO~:d": an agent of a dictionaries directory
        return _Unit("title" if kind == "t" else "group", start, end, sector=sector, via="role",
                     rank=_RANK.get(layer, 4))  # fmt: skip
    if kind == "pair":
        return _Unit("pair", start, end, via="pair")
    if kind in ("d", "x"):
        if kind == "x" and not _proper(parse, start, end):
            return None  # Phoenix's phrases are upper case: "Bush" is a name, "bush" is not
        layer = g.dictionary if kind == "d" else g.phoenix
        units = [
            _dated_unit(actor, code, start, end, _RANK[kind], g)
            for actor in layer.find(_text(parse, start, end))
            if (code := actor.code_on(published)) and code != UNKNOWN_COUNTRY
        ]
        return min(units, key=lambda u: u.former, default=None)
    entry = (g.user if kind == "u" else g.people)[int(rest)]
    if kind == "u":
        if not entry.valid_on(published):
            return None
        # a bare country code is a country (its titles and groups take it: "X's minister")
        kind = "country" if len(entry.code) == 3 and entry.code not in ("IGO", "NGO") else "user"
        return _Unit(kind, start, end, entry.code, via="user-dictionary", name=entry.name, rank=0)
    code, former = entry.code, False
    if not entry.valid_on(published):
        if published is None or entry.valid_to is None or published <= entry.valid_to:
            return None  # not yet in office
        code, former = former_code(entry.code), True
    return _Unit("person", start, end, code, via="known-person", name=entry.name, rank=3,
                 former=former)  # fmt: skip


def _seated(country: dict[str, Any], published: date | None) -> bool:
    """Whether the country had a government seated in its capital on the day (countries.yaml
    `independent`: states born after 1990)."""
    independent = country.get("independent")
    return published is None or not independent or published >= date.fromisoformat(independent)


def _dated_unit(
    actor: DatedActor, code: str, start: int, end: int, rank: int, g: Gazetteer
) -> _Unit:
    """A dictionary actor with its code of the day: a country, a person or a body."""
    former = code.endswith(ELITE)
    if len(code) == 3 and code not in ("IGO", "NGO"):
        name = g.countries.get(code, {}).get("name", actor.name)
        return _Unit("country", start, end, code, via="gazetteer", name=name, rank=rank)
    if actor.person:
        return _Unit("person", start, end, code, via="known-person", name=actor.name, rank=rank,
                     former=former)  # fmt: skip
    return _Unit("org", start, end, code, via="organisation", name=actor.name, rank=rank)


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
    parse: Parse, units: list[_Unit], taken: set[int], person_ents: Iterable
) -> list[_Unit]:
    persons: list[_Unit] = []
    for ent in person_ents:
        free = [i for i in range(ent.start, ent.end) if i not in taken]
        if free and free == list(range(free[0], free[-1] + 1)):
            persons.append(_Unit("person", free[0], free[-1] + 1, via="person"))
            taken.update(free)
    for unit in units:  # "FM Sergey Lavrov" when the NER missed the name
        if unit.kind == "title":
            i = unit.end
            while i < len(parse.tokens) and parse.tokens[i].pos == "PROPN" and i not in taken:
                i += 1
            if i > unit.end:
                persons.append(_Unit("person", unit.end, i, via="person"))
                taken.update(range(unit.end, i))
    for person in persons:
        person.name = _text(parse, person.start, person.end)
    return persons


def _groups(parse: Parse, units: list[_Unit]) -> list[list[_Unit]]:
    """Union the units linked by modification or apposition; each group is one actor phrase."""
    owner = {i: n for n, u in enumerate(units) for i in range(u.start, u.end)}
    parent = list(range(len(units)))

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for n, unit in enumerate(units):
        target = _modified_unit(parse, unit, owner, units)
        if target is not None and target != n:
            parent[find(n)] = find(target)
    groups: dict[int, list[_Unit]] = {}
    for n, unit in enumerate(units):
        groups.setdefault(find(n), []).append(unit)
    return list(groups.values())


def _modified_unit(
    parse: Parse, unit: _Unit, owner: dict[int, int], units: list[_Unit]
) -> int | None:
    """The unit that `unit` modifies: climb the tree from its head word through modifier
    arcs until reaching a word of another unit."""
    token = _head_token(parse, unit)
    for _ in range(8):  # noun phrases are shallow; bounds the climb on odd parses
        dep, head = token.dep, parse.tokens[token.head]
        if head.i == token.i:
            return None
        if dep == "pobj" and head.text.lower() in _OF_PREPS:
            head = parse.tokens[head.head]
        elif dep == "conj" and unit.kind == "country" and owner.get(head.i) is not None:
            pass  # "Turkey and Egypt": Egypt shares Turkey's role
        elif dep not in _MODIFIER_DEPS:
            return None
        if (n := owner.get(head.i)) is not None and units[n] is not unit:
            if dep == "conj" and units[n].kind == "country":
                return _modified_unit(parse, units[n], owner, units) or n
            return n
        token = head
    return None


def _head_token(parse: Parse, unit: _Unit) -> Token:
    """The word of the unit whose head lies outside it."""
    for i in range(unit.end - 1, unit.start - 1, -1):
        token = parse.tokens[i]
        if not unit.start <= token.head < unit.end or token.head == i:
            return token
    return parse.tokens[unit.end - 1]


def _text(parse: Parse, start: int, end: int) -> str:
    return parse.text[parse.tokens[start].start : parse.tokens[end - 1].end]


def _countries(group: list[_Unit], sector: str) -> list[_Unit]:
    """The countries named in a group, else, for a group with a sector ("Shanghai police"),
    the countries of its cities and states."""
    countries = [u for u in group if u.kind == "country"]
    return countries or [u for u in group if u.kind == "place" and sector]


def _combine(country: str, sector: str) -> str:
    """Country + sector; a prefix agent's code goes before the country ("NGO~" -> NGOARN,
    "NGO~GOV" -> NGOARNGOV)."""
    prefix, _, rest = sector.rpartition("~")
    return prefix + country + rest


def _title(group: list[_Unit], person: _Unit) -> str:
    """The sector of the title nearest before the person ("US Senator X"), else of the first
    one after it ("X, the former president"); "" without a title."""
    titles = [u for u in group if u.kind == "title" and not u.sector.endswith("~")]
    before = [u for u in titles if u.start < person.start]
    after = [u for u in titles if u.start > person.start]
    return before[-1].sector if before else after[0].sector if after else ""


def _titled(code: str, sector: str) -> str:
    """A known person's code with the sector their title in the text says ("General X" -> MIL);
    codes of international bodies keep theirs."""
    if not sector or code[:3] in ("IGO", "NGO"):
        return code
    return code[:3] + sector


class _Resolver:
    """Turns groups into mentions, in document order, keeping document-level memory."""

    def __init__(self, parse: Parse, gazetteer: Gazetteer, units: list[_Unit]) -> None:
        self.parse, self.gazetteer = parse, gazetteer
        self.country_at = {  # token -> the country of the country or place word there
            i: u.code
            for u in units
            if u.kind in ("country", "place")
            for i in range(u.start, u.end)
        }
        self.place_words = {i for u in units if u.kind == "place" for i in range(u.start, u.end)}
        self.kids: dict[int, list[Token]] = defaultdict(list, parse.dependents())
        self.mentions: list[Mention] = []
        self.people: dict[str, str] = {}  # full name or surname -> code
        self.person_mentions: list[Mention] = []
        self.countries = Counter(
            m.key.split(":")[1] for m in parse.matches if m.key.startswith("c:")
        )  # document focus, for persons known only by title and name

    def resolve(self, group: list[_Unit]) -> None:
        group = self._homes(group)
        kinds = {u.kind for u in group}
        if "pair" in kinds:
            self._pair(group)
        elif "person" in kinds:
            self._person(group)
        elif kinds <= _LISTABLE and len(group) > 1 and self._listed(group):
            for unit in group:  # "Mordor, the Shire, Arnor and Bree": each is an actor
                self._add([unit], unit.code + unit.sector, unit.via, unit.name)
        elif kinds & {"org", "user"}:
            unit = next(u for u in group if u.kind in ("org", "user"))
            if (head := self._head_unit(group)).kind == "country" and head.via == "gazetteer":
                unit = head  # "NATO-member Norway", "EU member Poland": the country acts
            self._add(group, unit.code + unit.sector, unit.via, unit.name)
        elif kinds & {"title", "group"}:
            self._role(group)
        else:
            for unit in group:  # a city or state alone is a place, not an actor
                if unit.kind == "country":
                    self._add([unit], unit.code + unit.sector, unit.via, unit.name)

    def _listed(self, group: list[_Unit]) -> bool:
        """Whether the group's actors are a list ("A, B and C", "A, the B"): every unit but the
        head is joined to the phrase by a conjunction or an apposition."""
        head = self._head_unit(group)
        return all(
            _head_token(self.parse, u).dep in ("conj", "appos") for u in group if u is not head
        )

    def _sector(self, group: list[_Unit]) -> str:
        """The sector of the role word nearest the head (the most specific), after the code of
        a prefix agent if there is one ("MSF Arnor diplomat": "NGO~GOV")."""
        roles = [u for u in group if u.kind in ("title", "group")]
        plain = [u.sector for u in roles if not u.sector.endswith("~")]
        prefix = [u.sector for u in roles if u.sector.endswith("~")]
        return (prefix[0] if prefix else "") + (plain[-1] if plain else "")

    def _homes(self, group: list[_Unit]) -> list[_Unit]:
        """`group` with an ethnic group's people-word replaced by the country it lives in: the
        other country of the phrase ("Bosnian Serbs", "the Albanians of Serbia"), else the one
        its clause places it in ("ethnic Albanians in Macedonia"), else `---`; sector CVL."""
        countries = [u for u in group if u.kind == "country"]
        people = [u for u in countries if self._ethnic(u)]
        if not people:  # "Bosnian Serbs": a people-word after another country's word
            people = [u for u in countries if self._kin(u, countries)]
        if not people:
            return group
        homes = [u for u in countries if u not in people]
        rest = [u for u in group if u not in people]
        start, end = min(u.start for u in group), max(u.end for u in group)
        if homes and len(rest) == len(homes):  # the phrase names a people and a country only
            home = homes[0]
            return [_Unit("country", start, end, home.code, "CVL", "ethnic", home.name)]
        if homes:
            return rest
        here = self._located(group)
        code = here.pop() if len(here) == 1 else UNKNOWN_COUNTRY
        name = self.gazetteer.countries.get(code, {}).get("name", "")
        home = _Unit("country", people[0].start, people[-1].end, code, "CVL", "ethnic", name)
        return [*rest, home]

    def _ethnic(self, unit: _Unit) -> bool:
        """ "ethnic Albanians", "ethnic-Serb": the country word names a people."""
        before = [t.text.lower() for t in self.parse.tokens[max(0, unit.start - 2) : unit.start]]
        return bool(before) and (before[-1] in _ETHNIC or before[-2:] == ["ethnic", "-"])

    def _kin(self, unit: _Unit, countries: list[_Unit]) -> bool:
        """A people-word (an ethnonym of countries.yaml, or a demonym with "of X") that another
        country of its phrase qualifies: "Bosnian Serbs", "the Albanians of southern Serbia"."""
        text = _text(self.parse, unit.start, unit.end)
        others = [u for u in countries if u.code != unit.code]
        of = any(self._of(u, unit) for u in others)
        before = any(u.end == unit.start for u in others)
        return (of and unit.via == "demonym") or (
            before and self.gazetteer.ethnonym(unit.code, text)
        )

    def _of(self, country: _Unit, unit: _Unit) -> bool:
        """Whether `country` is the object of an "of" attached to `unit`'s words."""
        token = _head_token(self.parse, country)
        prep = self.parse.tokens[token.head]
        return (
            token.dep == "pobj" and prep.text.lower() == "of" and unit.start <= prep.head < unit.end
        )

    def _role(self, group: list[_Unit]) -> None:
        sector = self._sector(group)
        countries = _countries(group, sector)
        if not countries:
            here = (
                self._conjoined_country(group)
                or self._located(group)
                or self._clause_countries(group)
            )
            if len(here) == 1:  # "rebels attacked a town in Sudan"
                self._add(group, _combine(here.pop(), sector), "context", "")
            else:
                self._add(group, _combine(UNKNOWN_COUNTRY, sector), "unknown-country", "")
            return
        for country in countries:
            span = group if len(countries) == 1 else [country]
            code = _combine(country.code, sector or country.sector)
            self._add(span, code, "role", country.name)

    def _person(self, group: list[_Unit]) -> None:
        person = next(u for u in group if u.kind == "person")
        own = [u for u in group if u.kind in ("org", "user")]
        sector = self._sector(group)
        countries = _countries(group, sector)
        if own:
            code, via = own[0].code, own[0].via
        elif person.code:
            code, via = _titled(person.code, _title(group, person)), person.via
        elif countries:
            code, via = _combine(countries[0].code, sector or countries[0].sector), "role"
        elif (known := self._known(person.name)) is not None:
            code, via = known, "coref"
        elif sector:
            code, via = _combine(self._context(group), sector), "context"
        else:
            return  # a person with no role and no country is not a political actor
        self._remember(person.name, code)
        head = self._head_unit(group)
        if head.kind == "group" and code[:3] != UNKNOWN_COUNTRY:
            # "supporters of former President X": the supporters act, of X's country; X stays in
            # view for a later "he"
            self._add(group, _combine(code[:3], head.sector), "role", "")
            self.person_mentions.append(
                self._mention([person], code, via, self._canonical(person.name))
            )
            return
        self.person_mentions.append(self._add(group, code, via, self._canonical(person.name)))

    def _known(self, name: str) -> str | None:
        return self.people.get(name) or self.people.get(name.split()[-1])

    def _remember(self, name: str, code: str) -> None:
        self.people.setdefault(name, code)
        self.people.setdefault(name.split()[-1], code)

    def _conjoined_country(self, group: list[_Unit]) -> set[str]:
        """The country of the role phrase a bare role noun is conjoined to: "Danish media and
        government" (both Danish); "Danish media and the government" or "... and Russian
        officials" name their own."""
        head = self._head(group)
        if len(group) > 1 or head.dep != "conj" or self.kids[head.i]:
            return set()
        first = self.parse.tokens[head.head]
        for mention in reversed(self.mentions):
            if mention.span.start <= first.start < mention.span.end:
                country = mention.actor_code[:3]
                known = mention.resolved_by == "role" and country != UNKNOWN_COUNTRY
                return {country} if known else set()
        return set()

    def _located(self, group: list[_Unit]) -> set[str]:
        """The countries the group's own clause places it in: after "in" (_LOCATIVE) on its
        noun ("officials in Nairobi"), on a verb of which the noun is the subject ("guerrillas
        operating in Macedonia"), or on the verb whose subject or object it is, on that verb's
        object ("rebels attacked a town in Sudan") and on a clause under it ("killed 20 people
        when they blew up a bus in Haifa"). A country of a clause above or beside the group's
        ("..., relief officials in Nairobi said") is not the group's."""
        head = self._head(group)
        hosts = [head] + [t for t in self.kids[head.i] if t.dep in ("acl", "relcl")]
        if head.dep in ("nsubj", "nsubjpass", "dobj"):
            verb = self.parse.tokens[head.head]
            hosts += [verb] + [t for t in self.kids[verb.i] if t.dep in ("dobj", "advcl")]
        found = set()
        for host in hosts:
            for prep in self.kids[host.i]:
                if prep.dep == "prep" and prep.text.lower() in _LOCATIVE:
                    pobjs = [t for t in self.kids[prep.i] if t.dep == "pobj"]
                    pobjs += [t for p in pobjs for t in self.kids[p.i] if t.dep == "conj"]
                    found |= {c for pobj in pobjs if (c := self._country_in(pobj))}
        return found - self._held(head)

    def _clause_countries(self, group: list[_Unit]) -> set[str]:
        """The countries named among the other words of the clause the group is the subject
        or object of, not inside a clause below it ("protesters marched against the government
        of Peru": PER; "crowds trashed its embassy" after a clause naming a country: none)."""
        head = self._head(group)
        if head.dep not in ("nsubj", "nsubjpass", "dobj") or any(
            p.dep == "prep" and p.text.lower() in _OWNER_PREPS for p in self.kids[head.i]
        ):  # "forces from A, B and C": the coder reads the owners, one actor each
            return set()
        verb = self.parse.tokens[head.head]
        found, queue = set(), [t for t in self.kids[verb.i] if t.i != head.i]
        while queue:
            token = queue.pop()
            if token.pos in ("VERB", "AUX") or token.dep in ("advcl", "ccomp", "relcl", "acl"):
                continue  # another clause
            if token.i in self.country_at and token.i not in self.place_words:
                found.add(self.country_at[token.i])  # a country, not a city in it
            queue.extend(self.kids[token.i])
        return found - self._held(head)

    def _held(self, token: Token) -> set[str]:
        """Countries of the actors already coded in the token's sentence by a role or title
        ("Russian police arrested students in Moscow": the students are not thereby Russian)."""
        return {
            m.actor_code[:3]
            for m in self.mentions
            if m.sentence_index == token.sent and m.resolved_by not in ("gazetteer", "metonym")
        }

    def _country_in(self, token: Token) -> str | None:
        """The country of a place word, or of the "of X" after it ("in the north of Sudan")."""
        if token.i in self.country_at:
            return self.country_at[token.i]
        for prep in self.kids[token.i]:
            if prep.dep == "prep" and prep.text.lower() == "of":
                for pobj in self.kids[prep.i]:
                    if pobj.dep == "pobj" and pobj.i in self.country_at:
                        return self.country_at[pobj.i]
        return None

    def _head(self, group: list[_Unit]) -> Token:
        """The word of the group that no other word of it governs ("NATO-member Norway":
        Norway, which governs "member" and through it NATO)."""
        inside = {i for u in group for i in range(u.start, u.end)}
        heads = [_head_token(self.parse, u) for u in group]
        return next((t for t in heads if not self._governed(t, inside)), heads[-1])

    def _governed(self, token: Token, inside: set[int]) -> bool:
        """Whether a word of `inside` is above `token` in the tree (within a noun phrase's
        depth)."""
        for _ in range(8):
            if token.head == token.i:
                return False
            token = self.parse.tokens[token.head]
            if token.i in inside:
                return True
        return False

    def _head_unit(self, group: list[_Unit]) -> _Unit:
        """The unit holding the group's head word (see `_head`)."""
        head = self._head(group).i
        return next(u for u in group if u.start <= head < u.end)

    def _context(self, group: list[_Unit]) -> str:
        """The country of a person known by title and name only: the one country their clause
        places them in (see `_located`), else the document's main country, unless it is named
        only as what the person acts on ("Archbishop X called for sanctions against Nigeria"
        says nothing of where X is from)."""
        candidates = self._located(group)
        if len(candidates) == 1:
            return candidates.pop()
        top = self.countries.most_common(1)
        if not top or self._only_acted_on(top[0][0], self._head(group)):
            return UNKNOWN_COUNTRY
        return top[0][0]

    def _only_acted_on(self, country: str, person: Token) -> bool:
        """Whether the country is named (outside other names) and every time under the verb
        the person is subject of."""
        named = [i for i, code in self.country_at.items() if code == country]
        if person.dep not in ("nsubj", "nsubjpass") or not named:
            return False
        verb = person.head
        for i in named:
            steps = 0
            while i != verb and self.parse.tokens[i].head != i and steps < _CLIMB:
                i, steps = self.parse.tokens[i].head, steps + 1
            if i != verb:
                return False
        return True

    def _pair(self, group: list[_Unit]) -> None:
        sent = self.parse.tokens[group[0].start].sent
        recent: list[str] = []
        for m in reversed(self.mentions):
            if sent - m.sentence_index > _PAIR_WINDOW:
                break
            country = m.actor_code[:3]
            if country not in recent and country not in (UNKNOWN_COUNTRY, "IGO", "NGO"):
                recent.append(country)
        if len(recent) == 2:
            for country in sorted(recent):
                self._add(group, country, "pair", self.gazetteer.actor(country).name)

    def surnames(self) -> None:
        """Bare surnames the NER did not tag ("Dar later flew home") after the full mention."""
        covered = {i for m in self.mentions for i in range(m.span.start, m.span.end)}
        first = {m.entity.split()[-1]: m.span.start for m in reversed(self.person_mentions)}
        for token in self.parse.tokens:
            if (
                token.pos == "PROPN"
                and token.start not in covered
                and token.start > first.get(token.text, len(self.parse.text))
            ):
                code = self.people[token.text]
                mention = Mention(self.parse.article_id, token.sent, Span(token.start, token.end), token.text,
                                  code, "coref", self._canonical(token.text))  # fmt: skip
                self.mentions.append(mention)
                self.person_mentions.append(mention)

    def pronouns(self) -> None:
        """Resolve he/she when exactly one person is in view (this or the previous sentence)."""
        for token in self.parse.tokens:
            if token.text.lower() not in _PRONOUNS or token.pos != "PRON":
                continue
            window = {
                (self._canonical(m.entity), m.actor_code) for m in self.person_mentions
                if 0 <= token.sent - m.sentence_index <= _PRONOUN_WINDOW and m.span.start < token.start
            }  # fmt: skip
            if len({e for e, _ in window}) == 1:
                entity, code = window.pop()
                self.mentions.append(
                    Mention(
                        self.parse.article_id,
                        token.sent,
                        Span(token.start, token.end),
                        token.text,
                        code,
                        "pronoun",
                        entity,
                    )
                )

    def _canonical(self, name: str) -> str:
        """The first full name seen for a person ("Bajwa" -> "Qamar Javed Bajwa")."""
        last = name.split()[-1]
        for m in self.person_mentions:
            if m.entity.split()[-1] == last:
                return m.entity
        return name

    def _add(self, units: list[_Unit], code: str, via: str, entity: str) -> Mention:
        mention = self._mention(units, code, via, entity)
        self.mentions.append(mention)
        return mention

    def _mention(self, units: list[_Unit], code: str, via: str, entity: str) -> Mention:
        start, end = min(u.start for u in units), max(u.end for u in units)
        span = self.parse.span(start, end)
        sent = self.parse.tokens[start].sent
        return Mention(
            self.parse.article_id, sent, span, span.of(self.parse.text), code, via, entity
        )
