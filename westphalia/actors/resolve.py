"""Resolve phrase matches and named entities in a Parse into coded actor Mentions.

1. Units (`units.py`): the longest non-overlapping gazetteer/role matches, plus persons
   (PERSON entities, and proper-noun runs right after a title that the NER missed).
2. Groups (`groups.py`): a unit joins the unit it modifies in the dependency tree (compound,
   amod, poss, nmod, appos, "of X", conjoined countries), so "Pakistan's Army Chief General
   Bajwa" is one group: country PAK + title MIL + person Bajwa.
3. Codes (this module): an organisation's code wins; else each country in the group with the
   group's sector (a city or state gives its country: "Shanghai police" -> CHNCOP, but a place
   alone is no actor); a known person keeps their gazetteer code, with the sector of an
   explicit title ("Senator X" -> LEG) and ELI once their office is over; a person with no
   country takes it from the document's earlier mentions of the same name, else from clear
   context; a group noun with no country takes the one country its own clause places it in
   ("rebels attacked a town in Sudan", "officials in Nairobi"), else is `---` + sector. An
   ethnic group ("ethnic Albanians", "Bosnian Serbs", "the Albanians of Serbia") is coded by
   the country it lives in, not by its kin state; a city named in two countries (Tripoli) is
   read as the one whose country the document names elsewhere.
4. Coreference (`coref.py`): later mentions of a person's surname or full name, and
   "he"/"she" when exactly one person is in view, keep the person's code; "the two sides"
   resolves to the two countries of the recent sentences when there are exactly two.
5. Places (`places.py`): country names used as places are marked so, and cities or states
   named alone become place mentions of their country.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from ..model import Mention
from ..parse import Parse, Token
from .coref import Persons, two_sides
from .gazetteer import UNKNOWN_COUNTRY, Gazetteer, PhraseKey, country_of
from .groups import combine, find_groups, group_countries, head_token, title_sector, titled
from .places import mark_places
from .units import Unit, find_units, tokens_text

_LISTABLE = frozenset({"org", "user", "country"})  # unit kinds that are actors on their own
OWNER_PREPS = frozenset({"of", "from", "in"})  # "forces from X": X owns the group
# Prepositions that place a group in a country ("rebels in Sudan"); "near", "outside" do not.
_LOCATIVE = frozenset({"in", "inside", "within", "across", "throughout"})
_ETHNIC = frozenset({"ethnic"})  # "ethnic Albanians": the word after names a people, not a state
_CLIMB = 12  # dependency arcs climbed from a word to the verb it may lie under


def extract_actors(
    parse: Parse, *, gazetteer: Gazetteer, published: date | None = None
) -> list[Mention]:
    """Every actor mention in `parse`, coded; see the module docstring."""
    units = find_units(parse, gazetteer, published)
    groups = find_groups(parse, units)
    resolver = _Resolver(parse, gazetteer, units)
    for group in sorted(groups, key=lambda g: g[0].start):
        resolver.resolve(group)
    mentions = resolver.mentions
    mentions += resolver.persons.surnames(mentions)
    mentions += resolver.persons.pronouns()  # after the surnames, which put persons in view
    return mark_places(parse, units, mentions)


class _Resolver:
    """Turns groups into mentions, in document order, keeping document-level memory."""

    def __init__(self, parse: Parse, gazetteer: Gazetteer, units: list[Unit]) -> None:
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
        self.persons = Persons(parse)  # for a person's later mentions
        self.countries = Counter(
            key.code for m in parse.matches if (key := PhraseKey.parse(m.key)).kind == "c"
        )  # document focus, for persons known only by title and name

    def resolve(self, group: list[Unit]) -> None:
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

    def _listed(self, group: list[Unit]) -> bool:
        """Whether the group's actors are a list ("A, B and C", "A, the B"): every unit but the
        head is joined to the phrase by a conjunction or an apposition."""
        head = self._head_unit(group)
        return all(
            head_token(self.parse, u).dep in ("conj", "appos") for u in group if u is not head
        )

    def _sector(self, group: list[Unit]) -> str:
        """The sector of the role word nearest the head (the most specific), after the code of
        a prefix agent if there is one ("MSF Arnor diplomat": "NGO~GOV")."""
        roles = [u for u in group if u.kind in ("title", "group")]
        plain = [u.sector for u in roles if not u.sector.endswith("~")]
        prefix = [u.sector for u in roles if u.sector.endswith("~")]
        return (prefix[0] if prefix else "") + (plain[-1] if plain else "")

    def _homes(self, group: list[Unit]) -> list[Unit]:
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
            return [Unit("country", start, end, home.code, "CVL", "ethnic", home.name)]
        if homes:
            return rest
        here = self._located(group)
        code = here.pop() if len(here) == 1 else UNKNOWN_COUNTRY
        name = self.gazetteer.countries.get(code, {}).get("name", "")
        home = Unit("country", people[0].start, people[-1].end, code, "CVL", "ethnic", name)
        return [*rest, home]

    def _ethnic(self, unit: Unit) -> bool:
        """ "ethnic Albanians", "ethnic-Serb": the country word names a people."""
        before = [t.text.lower() for t in self.parse.tokens[max(0, unit.start - 2) : unit.start]]
        return bool(before) and (before[-1] in _ETHNIC or before[-2:] == ["ethnic", "-"])

    def _kin(self, unit: Unit, countries: list[Unit]) -> bool:
        """A people-word (an ethnonym of countries.yaml, or a demonym with "of X") that another
        country of its phrase qualifies: "Bosnian Serbs", "the Albanians of southern Serbia"."""
        text = tokens_text(self.parse, unit.start, unit.end)
        others = [u for u in countries if u.code != unit.code]
        of = any(self._of(u, unit) for u in others)
        before = any(u.end == unit.start for u in others)
        return (of and unit.via == "demonym") or (
            before and self.gazetteer.ethnonym(unit.code, text)
        )

    def _of(self, country: Unit, unit: Unit) -> bool:
        """Whether `country` is the object of an "of" attached to `unit`'s words."""
        token = head_token(self.parse, country)
        prep = self.parse.tokens[token.head]
        return (
            token.dep == "pobj" and prep.text.lower() == "of" and unit.start <= prep.head < unit.end
        )

    def _role(self, group: list[Unit]) -> None:
        sector = self._sector(group)
        countries = group_countries(group, sector)
        if not countries:
            here = (
                self._conjoined_country(group)
                or self._located(group)
                or self._clause_countries(group)
            )
            if len(here) == 1:  # "rebels attacked a town in Sudan"
                self._add(group, combine(here.pop(), sector), "context", "")
            else:
                self._add(group, combine(UNKNOWN_COUNTRY, sector), "unknown-country", "")
            return
        for country in countries:
            span = group if len(countries) == 1 else [country]
            code = combine(country.code, sector or country.sector)
            self._add(span, code, "role", country.name)

    def _person(self, group: list[Unit]) -> None:
        person = next(u for u in group if u.kind == "person")
        own = [u for u in group if u.kind in ("org", "user")]
        sector = self._sector(group)
        countries = group_countries(group, sector)
        if own:
            code, via = own[0].code, own[0].via
        elif person.code:
            code, via = titled(person.code, title_sector(group, person)), person.via
        elif countries:
            code, via = combine(countries[0].code, sector or countries[0].sector), "role"
        elif (known := self.persons.known(person.name)) is not None:
            code, via = known, "coref"
        elif sector:
            code, via = combine(self._context(group), sector), "context"
        else:
            return  # a person with no role and no country is not a political actor
        self.persons.remember(person.name, code)
        entity = self.persons.canonical(person.name)
        head = self._head_unit(group)
        if head.kind == "group" and country_of(code) != UNKNOWN_COUNTRY:
            # "supporters of former President X": the supporters act, of X's country; X stays in
            # view for a later "he"
            self._add(group, combine(country_of(code), head.sector), "role", "")
            self.persons.mentions.append(self._mention([person], code, via, entity))
            return
        self.persons.mentions.append(self._add(group, code, via, entity))

    def _conjoined_country(self, group: list[Unit]) -> set[str]:
        """The country of the role phrase a bare role noun is conjoined to: "Danish media and
        government" (both Danish); "Danish media and the government" or "... and Russian
        officials" name their own."""
        head = self._head(group)
        if len(group) > 1 or head.dep != "conj" or self.kids[head.i]:
            return set()
        first = self.parse.tokens[head.head]
        for mention in reversed(self.mentions):
            if mention.span.start <= first.start < mention.span.end:
                country = country_of(mention.actor_code)
                known = mention.resolved_by == "role" and country != UNKNOWN_COUNTRY
                return {country} if known else set()
        return set()

    def _located(self, group: list[Unit]) -> set[str]:
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

    def _clause_countries(self, group: list[Unit]) -> set[str]:
        """The countries named among the other words of the clause the group is the subject
        or object of, not inside a clause below it ("protesters marched against the government
        of Peru": PER; "crowds trashed its embassy" after a clause naming a country: none)."""
        head = self._head(group)
        if head.dep not in ("nsubj", "nsubjpass", "dobj") or any(
            p.dep == "prep" and p.text.lower() in OWNER_PREPS for p in self.kids[head.i]
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
            country_of(m.actor_code)
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

    def _head(self, group: list[Unit]) -> Token:
        """The word of the group that no other word of it governs ("NATO-member Norway":
        Norway, which governs "member" and through it NATO)."""
        inside = {i for u in group for i in range(u.start, u.end)}
        heads = [head_token(self.parse, u) for u in group]
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

    def _head_unit(self, group: list[Unit]) -> Unit:
        """The unit holding the group's head word (see `_head`)."""
        head = self._head(group).i
        return next(u for u in group if u.start <= head < u.end)

    def _context(self, group: list[Unit]) -> str:
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

    def _pair(self, group: list[Unit]) -> None:
        """ "the two sides": each of the two countries in view (see `two_sides`), if two."""
        sent = self.parse.tokens[group[0].start].sent
        for country in two_sides(sent, self.mentions):
            self._add(group, country, "pair", self.gazetteer.actor(country).name)

    def _add(self, units: list[Unit], code: str, via: str, entity: str) -> Mention:
        mention = self._mention(units, code, via, entity)
        self.mentions.append(mention)
        return mention

    def _mention(self, units: list[Unit], code: str, via: str, entity: str) -> Mention:
        start, end = min(u.start for u in units), max(u.end for u in units)
        span = self.parse.span(start, end)
        sent = self.parse.tokens[start].sent
        return Mention(
            self.parse.article_id, sent, span, span.of(self.parse.text), code, via, entity
        )
