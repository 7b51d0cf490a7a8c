"""The gazetteer: countries, organisations, roles and user dictionaries, as data.

Everything here is plain data loaded from the YAML files in `actors/data/` (and the user's
dictionary); `phrases()` turns it into patterns for the phrase matchers that parse.py runs.
Match keys (`PhraseKey`, written and read back in one place) say what a phrase stands for:

    c:PAK:name | c:PAK:adj | c:PAK:demonym | c:PAK:capital | c:PAK:seat:MIL
    o:N                            organisation or named group N (several may share a code)
    t:GOV                          a title of one person (foreign minister, General)
    g:MIL                          a group noun (troops, forces)
    t:NGO~:d | g:GOV:u             a role word of the dictionaries directory (d) or the user's
                                   dictionary (u): it wins a tie with the project's phrases
    pair                           "the two sides", "both countries"
    c:PAK:place                    a city, province or state of PAK (Phoenix, pycountry, and
                                   countries.yaml's `places`, which may name one place of several
                                   countries: Tripoli is in Libya and in Lebanon)
    p:N                            known person N (people.yaml), valid in a date range
    u:N                            entry N of the user dictionary
    d | x                          an actor of a user-supplied CAMEO dictionary (d) or of the
                                   packaged Phoenix dictionaries (x): one key for the whole layer,
                                   the entry is looked up by the matched text (see ActorLayer)

Layers, highest first: the user dictionary, a user-supplied dictionaries directory
(`load_gazetteer(dictionaries=...)`), the project's YAML, then Phoenix (`data/phoenix.json.gz`,
written by tools/convert_phoenix.py). A phrase of a higher layer wins a tie in length.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
import yaml

from ..errors import ConfigError
from ..model import Actor
from ..parse import Phrase
from ..resources import load_yaml

if TYPE_CHECKING:
    from ..dictionaries import ActorEntry, AgentEntry, Dictionaries

SECTORS = frozenset(
    [
        "GOV",
        "MIL",
        "REB",
        "OPP",
        "CVL",
        "BUS",
        "MED",
        "JUD",
        "LEG",
        "COP",
        "SPY",
        "EDU",
        "REL",
        "LAB",
        "REF",
        "HLH",
        "AGR",
        "ELI",
        "IGO",
        "NGO",
        "UAF",
        "ENV",
        "PTY",
        "CRM",
    ]
)  # CAMEO sector codes the engine emits (PTY: political parties, CRM: criminal groups)
UNKNOWN_COUNTRY = "---"
ELITE = "ELI"  # the sector of former office-holders
# Former states named in news, with the ISO 3166-3 codes Phoenix uses (countries.yaml has them).
HISTORIC_COUNTRIES = frozenset({"SUN", "YUG", "CSK", "DDR", "SCG"})
PHOENIX_DATA = "phoenix.json.gz"


@dataclass(frozen=True, slots=True)
class UserEntry:
    """One line of a user dictionary: an actor (name, aliases, code) or a role (term, sector)."""

    name: str
    aliases: tuple[str, ...]
    code: str
    valid_from: date | None = None
    valid_to: date | None = None
    role: bool = False

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


def day_number(day: date) -> int:
    """20240105 for 5 January 2024: the form dated codes are compared in."""
    return day.year * 10000 + day.month * 100 + day.day


def former_code(code: str) -> str:
    """The code of a former office-holder: "USAGOV" -> "USAELI"; "IGOUNO" -> "---ELI"."""
    country = country_of(code)
    return (UNKNOWN_COUNTRY if country in ("IGO", "NGO") else country) + ELITE


@dataclass(frozen=True, slots=True)
class DatedActor:
    """An actor of a CAMEO dictionary layer (Phoenix, or a user-supplied directory).

    periods: (code, first day, last day) in dictionary order, days as YYYYMMDD integers
    (`day_number`), None for an open end. person: an office-holder rather than a body or
    group; only a person becomes a former office-holder when their periods are over.
    """

    name: str
    phrases: tuple[str, ...]
    periods: tuple[tuple[str, int | None, int | None], ...] = ()
    default: str | None = None
    person: bool = False

    def code_on(self, day: date | None) -> str | None:
        """The first period covering `day`, else the default; else, for a person whose last
        period ended before `day`, that period's country + ELI. Without a day: the default,
        else the most recent period (the current office)."""
        if day is None:
            if self.default is not None or not self.periods:
                return self.default
            return max(self.periods, key=lambda p: p[2] or 99991231)[0]
        n = day_number(day)
        for code, start, end in self.periods:
            if (start is None or start <= n) and (end is None or n <= end):
                return code
        if self.default is not None or not self.person:
            return self.default
        ended = [p for p in self.periods if p[2] is not None and p[2] < n]
        return former_code(max(ended, key=lambda p: p[2] or 0)[0]) if ended else None


def lookup_key(text: str) -> str:
    """How a matched text finds its entry: lower case, no blanks, plain apostrophes."""
    return "".join(text.lower().replace("\u2019", "'").split())


@dataclass(frozen=True, slots=True)
class ActorLayer:
    """The actors of one dictionary layer; `index` maps `lookup_key(phrase)` to entries."""

    actors: tuple[DatedActor, ...] = ()
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, actors: Iterable[DatedActor]) -> ActorLayer:
        actors = tuple(actors)
        index: dict[str, tuple[int, ...]] = {}
        for n, actor in enumerate(actors):
            for phrase in actor.phrases:
                key = lookup_key(phrase)
                if n not in index.get(key, ()):
                    index[key] = (*index.get(key, ()), n)
        return cls(actors, index)

    def find(self, text: str) -> list[DatedActor]:
        """The entries whose phrase is `text` (as matched in an article)."""
        return [self.actors[n] for n in self.index.get(lookup_key(text), ())]

    def phrases(self) -> Iterator[str]:
        """One text per distinct phrase."""
        seen: set[str] = set()
        for actor in self.actors:
            for phrase in actor.phrases:
                if (key := lookup_key(phrase)) not in seen:
                    seen.add(key)
                    yield phrase


@dataclass(frozen=True, slots=True)
class Gazetteer:
    countries: dict[str, dict[str, Any]]  # alpha-3 -> entry from countries.yaml
    organisations: tuple[dict[str, Any], ...]  # entries of organisations.yaml
    titles: dict[str, str]  # term -> sector ("NGO~": put before the country, as in "NGOEGY")
    groups: dict[str, str]  # term -> sector
    pair_nouns: tuple[str, ...]
    user: tuple[UserEntry, ...] = field(default_factory=tuple)
    people: tuple[UserEntry, ...] = field(default_factory=tuple)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)  # alpha-3 -> cities, states
    dictionary: ActorLayer = field(default_factory=ActorLayer)  # user-supplied CAMEO dictionaries
    phoenix: ActorLayer = field(default_factory=ActorLayer)  # packaged Phoenix actors
    # Role words of a higher layer than the project's: term -> "u" (the user's dictionary) or
    # "d" (the agents of a dictionaries directory); their keys say so, so they win ties.
    role_layers: dict[str, str] = field(default_factory=dict)

    def ethnonym(self, code: str, text: str) -> bool:
        """Whether `text` names the nation of `code` as an ethnic group that also lives in other
        countries ("Serbs", "Albanians"): countries.yaml's `ethnonyms`."""
        words = self.countries.get(code, {}).get("ethnonyms", ())
        return text.lower() in {e.lower() for e in words}

    def phrases(self) -> list[Phrase]:
        return list(_phrases(self))

    def actor(self, code: str) -> Actor:
        """The Actor record for a CAMEO-style code."""
        international = code[:3] in ("IGO", "NGO")  # only these are looked up among the orgs
        orgs = [o for o in self.organisations if o["code"] == code] if international else []
        if len(orgs) == 1:
            org = orgs[0]
            return Actor(
                code,
                org["name"],
                org.get("country"),
                tuple(org.get("sectors", ())),
                org.get("kind", "igo"),
            )
        country, sectors = split_code(code)
        name = self.countries.get(country, {}).get(
            "name", "unknown country" if country == UNKNOWN_COUNTRY else country
        )
        if sectors:
            name = f"{name} ({', '.join(sectors)})"
        return Actor(code, name, country, sectors, "state" if not sectors else "sector")


def country_of(code: str) -> str:
    """The country-level part of an actor code: "RUSGOV" -> "RUS", "IGOIAEA" -> "IGO",
    "---REB" -> "---" (UNKNOWN_COUNTRY)."""
    return split_code(code)[0]


def split_code(code: str) -> tuple[str, tuple[str, ...]]:
    """ "PAKMIL" -> ("PAK", ("MIL",)); "IGOIAEA" -> ("IGO", ("IAEA",))."""
    if code.startswith(("IGO", "NGO")):
        return code[:3], (code[3:],) if len(code) > 3 else ()
    rest = code[3:]
    return code[:3], tuple(rest[i : i + 3] for i in range(0, len(rest), 3))


@dataclass(frozen=True, slots=True)
class PhraseKey:
    """What a phrase stands for (see the module docstring). The phrase matchers report it back
    as the string `str(key)`; `PhraseKey.parse` reads it: the one place both forms are made."""

    kind: str  # c, o, t, g, pair, u, p, d, x
    code: str = ""  # c: the country's alpha-3 code
    via: str = ""  # c: name | adj | demonym | capital | seat | place
    sector: str = ""  # c (a seat), t, g: the sector ("MIL", "NGO~" for a prefix agent)
    index: int = -1  # o, u, p: the entry's position in its table
    layer: str = ""  # t, g: "d" or "u" for a role word of a higher layer

    def __str__(self) -> str:
        if self.kind == "c":
            parts = [self.code, self.via, *([self.sector] if self.sector else [])]
        elif self.kind in ("o", "u", "p"):
            parts = [str(self.index)]
        elif self.kind in ("t", "g"):
            parts = [self.sector, *([self.layer] if self.layer else [])]
        else:
            parts = []
        return ":".join([self.kind, *parts])

    @classmethod
    def parse(cls, text: str) -> PhraseKey:
        kind, *parts = text.split(":")
        if kind == "c":
            return cls(kind, code=parts[0], via=parts[1], sector=parts[2] if len(parts) > 2 else "")
        if kind in ("o", "u", "p"):
            return cls(kind, index=int(parts[0]))
        if kind in ("t", "g"):
            return cls(kind, sector=parts[0], layer=parts[1] if len(parts) > 1 else "")
        return cls(kind)


def _case_variants(text: str) -> Iterator[str]:
    yield text
    if len(text) > 4 and text.upper() != text:
        yield text.upper()  # all-caps headlines and datelines


def _phrases(g: Gazetteer) -> Iterator[Phrase]:
    for code, entry in g.countries.items():
        for kind, key in (
            ("name", "name"),
            ("aliases", "name"),
            ("adjectives", "adj"),
            ("demonyms", "demonym"),
            ("capitals", "capital"),
        ):
            values = [entry[kind]] if kind == "name" else entry.get(kind, [])
            for value in values:
                for text in _case_variants(str(value)):
                    key_text = str(PhraseKey("c", code=code, via=key))
                    yield Phrase(key_text, text, case_sensitive=True)
        for seat in entry.get("seats", []):
            for text in _seat_texts(seat["name"]):
                seat_key = PhraseKey("c", code=code, via="seat", sector=seat.get("sector", "GOV"))
                yield Phrase(str(seat_key), text, case_sensitive=True)
    for index, org in enumerate(g.organisations):
        exact = bool(org.get("case_sensitive"))
        for text in [org["name"], *org.get("aliases", [])]:
            key_text = str(PhraseKey("o", index=index))
            yield Phrase(key_text, text, case_sensitive=exact or _is_acronym(text))
    for table, prefix in ((g.titles, "t"), (g.groups, "g")):
        for term, sector in table.items():
            exact = _is_acronym(term)
            layer = g.role_layers.get(term)
            key = str(PhraseKey(prefix, sector=sector, layer=layer or ""))
            yield Phrase(key, term, case_sensitive=exact)
            plural = term + "s"
            regular = not exact and not term.endswith("s") and plural not in g.groups
            if prefix == "t" and regular and plural not in table:
                yield Phrase(key, plural, case_sensitive=False)  # "ministers"
    for term in g.pair_nouns:
        yield Phrase(str(PhraseKey("pair")), term)
    for prefix, entries in (("u", g.user), ("p", g.people)):
        for index, entry in enumerate(entries):
            for text in (entry.name, *entry.aliases):
                yield Phrase(str(PhraseKey(prefix, index=index)), text, case_sensitive=True)
    for code, names in g.places.items():
        for name in names:  # any case; the resolver wants capitals (see resolve._proper)
            yield Phrase(str(PhraseKey("c", code=code, via="place")), name)
    for prefix, layer in (("d", g.dictionary), ("x", g.phoenix)):
        for text in layer.phrases():
            yield Phrase(str(PhraseKey(prefix)), text)


def _seat_texts(name: str) -> Iterator[str]:
    """'the Kremlin' matches as 'the Kremlin', 'The Kremlin' and 'Kremlin'."""
    yield name
    if name.lower().startswith("the "):
        yield "The " + name[4:]
        yield name[4:]


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _data(name: str) -> Any:
    text = (files("westphalia.actors") / "data" / name).read_text(encoding="utf-8")
    return load_yaml(text)


@cache
def project() -> Gazetteer:
    """The project's own data: the YAML files of actors/data/ and pycountry."""
    countries = {e["code"]: e for e in _data("countries.yaml")}
    for c in pycountry.countries:  # every ISO country is known, even one the file lacks
        countries.setdefault(
            c.alpha_3, {"code": c.alpha_3, "name": getattr(c, "common_name", c.name)}
        )
    organisations = tuple(_data("organisations.yaml"))
    roles = _data("roles.yaml")
    titles = {term: entry["sector"] for entry in roles["titles"] for term in entry["terms"]}
    groups = {term: entry["sector"] for entry in roles["groups"] for term in entry["terms"]}
    pair_nouns = tuple(term for entry in roles["pair_nouns"] for term in entry)
    problems: list[str] = []
    people = tuple(
        e
        for i, row in enumerate(_data("people.yaml")["actors"], 1)
        if (e := _user_actor(row, i, problems))
    )
    if problems:  # the bundled data is checked by the tests; this guards local edits
        raise ConfigError("E009", problems="\n".join(f"  - {p}" for p in problems))
    return Gazetteer(countries, organisations, titles, groups, pair_nouns, (), people)


@cache
def _bundled() -> Gazetteer:
    """The project's data over the packaged Phoenix data (the project wins every tie)."""
    base = project()
    names, places, layer, titles, groups = _phoenix()
    return replace(
        base,
        countries=_with_names(base.countries, names),
        titles={**{t: s for t, s in titles.items() if t not in base.groups}, **base.titles},
        groups={**{t: s for t, s in groups.items() if t not in base.titles}, **base.groups},
        places=_merged_places(base.countries, places),
        phoenix=layer,
    )


def _with_names(
    countries: dict[str, dict[str, Any]], names: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, Any]]:
    """countries.yaml's entries with Phoenix's other names of each country ("Afganistan") added
    to its aliases, after the project's own."""
    merged = {}
    for code, entry in countries.items():
        extra = [n for n in names.get(code, ()) if n not in entry.get("aliases", ())]
        merged[code] = {**entry, "aliases": [*entry.get("aliases", ()), *extra]} if extra else entry
    return merged


def _bare(name: str) -> str:
    """A name's lookup key without a leading article: "The Us" -> "us"."""
    return lookup_key(name.removeprefix("the ").removeprefix("The "))


def _merged_places(
    countries: dict[str, dict[str, Any]], places: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Phoenix's places with countries.yaml's `places` added, less any place that is a name of
    a country (Phoenix lists "The Us" as a place of USA, which would hide the country)."""
    names = {
        _bare(n)
        for entry in countries.values()
        for n in [entry["name"], *entry.get("aliases", ()), *entry.get("adjectives", ())]
    }
    merged: dict[str, tuple[str, ...]] = {}
    for code in sorted({*places, *(c for c, e in countries.items() if e.get("places"))}):
        extra = tuple(countries.get(code, {}).get("places", ()))
        kept = [n for n in (*places.get(code, ()), *extra) if _bare(n) not in names]
        if kept:
            merged[code] = tuple(dict.fromkeys(kept))
    return merged


def _phoenix() -> tuple[
    dict[str, tuple[str, ...]],
    dict[str, tuple[str, ...]],
    ActorLayer,
    dict[str, str],
    dict[str, str],
]:
    """Country names, places, actors and role words of `data/phoenix.json.gz` (see
    tools/convert_phoenix.py); nothing when the file is absent (a source tree before the
    conversion was run)."""
    path = files("westphalia.actors") / "data" / PHOENIX_DATA
    if not path.is_file():
        return {}, {}, ActorLayer(), {}, {}
    data = json.loads(gzip.decompress(path.read_bytes()))
    names = {code: tuple(found) for code, found in data.get("names", {}).items()}
    places = {code: tuple(found) for code, found in data["places"].items()}
    actors = (
        DatedActor(phrases[0], tuple(phrases), tuple(map(tuple, periods)), default, kind == "P")
        for kind, phrases, periods, default in data["actors"]
    )
    return names, places, ActorLayer.of(actors), data["titles"], data["groups"]


def load_gazetteer(
    *, user_dictionary: Path | None = None, dictionaries: Dictionaries | None = None
) -> Gazetteer:
    """The bundled gazetteer (the project's data over Phoenix's), under the actors and agents of
    a user-supplied dictionaries directory, under the user's dictionary: a higher layer wins.

    `dictionaries` (from `westphalia.dictionaries.load_dictionaries`) keeps its codes as written
    (its own scheme); an actor's code is the one valid on the article's publication date.
    """
    base = _bundled()
    if user_dictionary is None and dictionaries is None:
        return base
    titles, groups = dict(base.titles), dict(base.groups)
    layer, role_layers = base.dictionary, {}
    if dictionaries is not None:
        layer = dictionary_layer(dictionaries.actors)
        _add_agents(dictionaries.agents, titles, groups)
        role_layers = {a.phrase: "d" for a in dictionaries.agents}
        role_layers |= {p: "d" for a in dictionaries.agents for p in a.plurals}
    entries = tuple(load_user_dictionary(user_dictionary)) if user_dictionary is not None else ()
    for entry in entries:
        if entry.role:
            (titles if entry.name not in groups else groups)[entry.name] = entry.code
            role_layers[entry.name] = "u"
    actors = tuple(e for e in entries if not e.role)
    return replace(
        base, titles=titles, groups=groups, user=actors, dictionary=layer, role_layers=role_layers
    )


def dictionary_layer(entries: Iterable[ActorEntry]) -> ActorLayer:
    """The actors of a CAMEO dictionary as a layer; an entry with a dated code that names a
    sector ("USAGOV 010120-090120") is taken for a person (an office-holder)."""
    actors = []
    for entry in entries:
        periods = tuple(
            (c.code, c.start and day_number(c.start), c.end and day_number(c.end))
            for c in entry.codes
        )
        person = any(len(code) > 3 and code[:3] not in ("IGO", "NGO") for code, _, _ in periods)
        phrases = tuple(entry.phrases)
        actors.append(DatedActor(phrases[0].title(), phrases, periods, entry.default, person))
    return ActorLayer.of(actors)


def _add_agents(
    agents: Iterable[AgentEntry], titles: dict[str, str], groups: dict[str, str]
) -> None:
    """Agents as role words: the singular a title, the plurals group nouns (a word the project
    already has keeps its table); a prefix agent ("NGO~") is stored as "NGO~"."""
    for agent in agents:
        code = agent.code + "~" if agent.prefix else agent.code
        for term, table in ((agent.phrase, titles), *((p, groups) for p in agent.plurals)):
            if term in titles or term in groups:
                table = titles if term in titles else groups
            table[term] = code


def load_user_dictionary(path: Path) -> list[UserEntry]:
    """Read a user dictionary (YAML: `actors:` and `roles:` lists; or CSV with columns
    name, aliases (|-separated), code, valid_from, valid_to); raise ConfigError listing
    every bad line."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                rows: list[dict[str, Any]] = list(csv.DictReader(f))
            roles: list[dict[str, Any]] = []
        else:
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
            rows, roles = list(data.get("actors", [])), list(data.get("roles", []))
    except (OSError, yaml.YAMLError, csv.Error, AttributeError) as e:
        raise ConfigError("E007", path=path, reason=e) from e
    problems: list[str] = []
    entries = [e for i, row in enumerate(rows, 1) if (e := _user_actor(row, i, problems))]
    entries += [e for i, row in enumerate(roles, 1) if (e := _user_role(row, i, problems))]
    if problems:
        raise ConfigError("E008", path=path, problems="\n".join(f"  - {p}" for p in problems))
    return entries


def _user_actor(row: dict[str, Any], n: int, problems: list[str]) -> UserEntry | None:
    name, code = str(row.get("name") or "").strip(), str(row.get("code") or "").strip().upper()
    if not name or not _valid_code(code):
        problems.append(
            f"actor {n}: needs a name and a code like PAKGOV, ---REB or IGOIAEA (got {row!r})"
        )
        return None
    aliases = row.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [a.strip() for a in aliases.split("|") if a.strip()]
    try:
        start, end = (_optional_date(row.get(k)) for k in ("valid_from", "valid_to"))
    except ValueError as e:
        problems.append(f"actor {n} ({name}): bad date: {e}")
        return None
    return UserEntry(name, tuple(map(str, aliases)), code, start, end)


def _user_role(row: dict[str, Any], n: int, problems: list[str]) -> UserEntry | None:
    term, sector = str(row.get("term") or "").strip(), str(row.get("sector") or "").strip().upper()
    if not term or sector not in SECTORS:
        problems.append(
            f"role {n}: needs a term and a sector among {', '.join(sorted(SECTORS))} (got {row!r})"
        )
        return None
    return UserEntry(term, (), sector, role=True)


def _optional_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _valid_code(code: str) -> bool:
    if code[:3] in ("IGO", "NGO"):
        return len(code) >= 3 and code.isalnum()
    country, sectors = split_code(code)
    return (
        (country == UNKNOWN_COUNTRY or (len(country) == 3 and country.isalpha()))
        and all(s in SECTORS for s in sectors)
        and len(code) % 3 == 0
    )
