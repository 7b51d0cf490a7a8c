"""The gazetteer: countries, organisations, roles and user dictionaries, as data.

Everything here is plain data loaded from the YAML files in `actors/data/` (and the user's
dictionary); `phrases()` turns it into patterns for the phrase matchers that parse.py runs.
Match keys say what a phrase stands for:

    c:PAK:name | c:PAK:adj | c:PAK:demonym | c:PAK:capital | c:PAK:seat:MIL
    o:N                            organisation or named group N (several may share a code)
    t:GOV                          a title of one person (foreign minister, General)
    g:MIL                          a group noun (troops, forces)
    pair                           "the two sides", "both countries"
    p:N                            known person N (people.yaml), valid in a date range
    u:N                            entry N of the user dictionary
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pycountry
import yaml

from ..errors import ConfigError
from ..model import Actor
from ..parse import Phrase

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
    ]
)  # CAMEO sector codes the engine emits
UNKNOWN_COUNTRY = "---"


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


@dataclass(frozen=True, slots=True)
class Gazetteer:
    countries: dict[str, dict[str, Any]]  # alpha-3 -> entry from countries.yaml
    organisations: tuple[dict[str, Any], ...]  # entries of organisations.yaml
    titles: dict[str, str]  # term -> sector
    groups: dict[str, str]  # term -> sector
    pair_nouns: tuple[str, ...]
    user: tuple[UserEntry, ...] = field(default_factory=tuple)
    people: tuple[UserEntry, ...] = field(default_factory=tuple)

    def phrases(self) -> list[Phrase]:
        return list(_phrases(self))

    def actor(self, code: str) -> Actor:
        """The Actor record for a CAMEO-style code."""
        orgs = [o for o in self.organisations if o["code"] == code]
        if len(orgs) == 1 and code[:3] in ("IGO", "NGO"):
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


def split_code(code: str) -> tuple[str, tuple[str, ...]]:
    """ "PAKMIL" -> ("PAK", ("MIL",)); "IGOIAEA" -> ("IGO", ("IAEA",))."""
    if code.startswith(("IGO", "NGO")):
        return code[:3], (code[3:],) if len(code) > 3 else ()
    rest = code[3:]
    return code[:3], tuple(rest[i : i + 3] for i in range(0, len(rest), 3))


def _case_variants(text: str) -> Iterator[str]:
    yield text
    if len(text) > 4 and text.upper() != text:
        yield text.upper()  # all-caps headlines and datelines


def _phrases(g: Gazetteer) -> Iterator[Phrase]:
    for code, entry in g.countries.items():
        for kind, key in (("name", "name"), ("aliases", "name"), ("adjectives", "adj"),
                          ("demonyms", "demonym"), ("capitals", "capital")):  # fmt: skip
            values = [entry[kind]] if kind == "name" else entry.get(kind, [])
            for value in values:
                for text in _case_variants(str(value)):
                    yield Phrase(f"c:{code}:{key}", text, case_sensitive=True)
        for seat in entry.get("seats", []):
            for text in _seat_texts(seat["name"]):
                yield Phrase(
                    f"c:{code}:seat:{seat.get('sector', 'GOV')}", text, case_sensitive=True
                )
    for index, org in enumerate(g.organisations):
        exact = bool(org.get("case_sensitive"))
        for text in [org["name"], *org.get("aliases", [])]:
            yield Phrase(f"o:{index}", text, case_sensitive=exact or _is_acronym(text))
    for table, prefix in ((g.titles, "t"), (g.groups, "g")):
        for term, sector in table.items():
            exact = _is_acronym(term)
            yield Phrase(f"{prefix}:{sector}", term, case_sensitive=exact)
            if prefix == "t" and not exact and not term.endswith("s") and term + "s" not in table:
                yield Phrase(f"{prefix}:{sector}", term + "s", case_sensitive=False)  # "ministers"
    for term in g.pair_nouns:
        yield Phrase("pair", term)
    for prefix, entries in (("u", g.user), ("p", g.people)):
        for index, entry in enumerate(entries):
            for text in (entry.name, *entry.aliases):
                yield Phrase(f"{prefix}:{index}", text, case_sensitive=True)


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
    return yaml.safe_load((files("westphalia.actors") / "data" / name).read_text(encoding="utf-8"))


@cache
def _bundled() -> Gazetteer:
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
        raise ConfigError("people.yaml:\n" + "\n".join(problems))
    return Gazetteer(countries, organisations, titles, groups, pair_nouns, (), people)


def load_gazetteer(*, user_dictionary: Path | None = None) -> Gazetteer:
    """The bundled gazetteer plus the user's dictionary (whose entries win)."""
    base = _bundled()
    if user_dictionary is None:
        return base
    entries = tuple(load_user_dictionary(user_dictionary))
    titles = dict(base.titles)
    groups = dict(base.groups)
    for entry in entries:
        if entry.role:
            (titles if entry.name not in groups else groups)[entry.name] = entry.code
    actors = tuple(e for e in entries if not e.role)
    return Gazetteer(
        base.countries, base.organisations, titles, groups, base.pair_nouns, actors, base.people
    )


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
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            rows, roles = list(data.get("actors", [])), list(data.get("roles", []))
    except (OSError, yaml.YAMLError, csv.Error, AttributeError) as e:
        raise ConfigError(f"Cannot read the user dictionary {path}: {e}") from e
    problems: list[str] = []
    entries = [e for i, row in enumerate(rows, 1) if (e := _user_actor(row, i, problems))]
    entries += [e for i, row in enumerate(roles, 1) if (e := _user_role(row, i, problems))]
    if problems:
        raise ConfigError(f"User dictionary {path}:\n" + "\n".join(f"  - {p}" for p in problems))
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
        start, end = (_date(row.get(k)) for k in ("valid_from", "valid_to"))
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


def _date(value: Any) -> date | None:
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
