"""The bundled gazetteer data: complete, well-formed, unambiguous."""

from __future__ import annotations

import pycountry
import pytest

from westphalia.actors import load_gazetteer, split_code
from westphalia.actors.gazetteer import SECTORS, PhraseKey, _valid_code


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_every_iso_country_is_present(gaz) -> None:
    assert {c.alpha_3 for c in pycountry.countries} <= set(gaz.countries)


def test_no_country_name_belongs_to_two_countries(gaz) -> None:
    owners: dict[str, set[str]] = {}
    for code, e in gaz.countries.items():
        for key in ("aliases", "adjectives", "demonyms", "capitals"):
            for v in [*e.get(key, []), *([e["name"]] if key == "aliases" else [])]:
                owners.setdefault(str(v).lower(), set()).add(code)
    assert {n: c for n, c in owners.items() if len(c) > 1} == {}


def test_every_organisation_and_person_has_a_valid_code(gaz) -> None:
    codes = [o["code"] for o in gaz.organisations] + [p.code for p in gaz.people]
    assert [c for c in codes if not _valid_code(c)] == []
    assert len(gaz.people) > 1000


def test_roles_use_known_sectors(gaz) -> None:
    assert set(gaz.titles.values()) | set(gaz.groups.values()) <= SECTORS
    assert "the two sides" in gaz.pair_nouns


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("PAKMIL", ("PAK", ("MIL",))),
        ("---REB", ("---", ("REB",))),
        ("IGOIAEA", ("IGO", ("IAEA",))),
        ("RUS", ("RUS", ())),
    ],
)
def test_split_code(code: str, expected: tuple) -> None:
    assert split_code(code) == expected


def test_actor_names(gaz) -> None:
    assert gaz.actor("PAKMIL").name == "Pakistan (MIL)"
    assert gaz.actor("IGOIAEA").name == "International Atomic Energy Agency"
    assert gaz.actor("---REB").country == "---"


def test_people_with_an_igo_code_name_a_known_organisation(gaz) -> None:
    known = {o["code"] for o in gaz.organisations}
    assert [p.name for p in gaz.people if p.code[:3] == "IGO" and p.code not in known] == []


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Soviet Union", "SUN"),
        ("USSR", "SUN"),
        ("Yugoslavia", "YUG"),
        ("Czechoslovakia", "CSK"),
        ("East Germany", "DDR"),
        ("West Germany", "DEU"),
    ],
)
def test_historic_states_have_the_codes_phoenix_uses(gaz, phrase: str, code: str) -> None:
    entry = gaz.countries[code]
    assert phrase in (entry["name"], *entry.get("aliases", []))


@pytest.mark.parametrize(
    ("term", "sector"),
    [
        ("ruling party", "PTY"),
        ("party leader", "PTY"),
        ("gang", "CRM"),
        ("cartel", "CRM"),
        ("drug traffickers", "CRM"),
        ("smugglers", "CRM"),
        ("pirates", "CRM"),
    ],
)
def test_party_and_criminal_words(gaz, term: str, sector: str) -> None:
    assert {**gaz.titles, **gaz.groups}[term] == sector
    assert {"PTY", "CRM"} <= SECTORS


def test_named_parties_are_pty(gaz) -> None:
    parties = {o["name"]: o["code"] for o in gaz.organisations if "PTY" in o.get("sectors", [])}
    assert parties["Bharatiya Janata Party"] == "INDPTY" and len(parties) > 20


def test_a_place_that_is_a_country_name_is_dropped(gaz) -> None:
    assert "The Us" not in gaz.places.get("USA", ())  # Phoenix lists it; it would hide "US"


def test_countries_yaml_places_join_the_places_of_their_country(gaz) -> None:
    assert "Tripoli" in gaz.places["LBN"] and "Tripoli" in gaz.countries["LBY"]["capitals"]


def test_every_ethnonym_is_an_adjective_or_demonym_of_its_country(gaz) -> None:
    stray = [
        (code, word)
        for code, e in gaz.countries.items()
        for word in e.get("ethnonyms", ())
        if word not in (*e.get("adjectives", ()), *e.get("demonyms", ()))
    ]
    assert stray == []


@pytest.mark.parametrize(
    "key",
    [
        PhraseKey("c", code="PAK", via="name"),
        PhraseKey("c", code="RUS", via="seat", sector="GOV"),
        PhraseKey("c", code="LBY", via="place"),
        PhraseKey("o", index=12),
        PhraseKey("t", sector="GOV"),
        PhraseKey("g", sector="NGO~", layer="d"),
        PhraseKey("pair"),
        PhraseKey("u", index=0),
        PhraseKey("p", index=7),
        PhraseKey("x"),
    ],
)
def test_a_phrase_key_reads_back_as_it_was_written(key: PhraseKey) -> None:
    assert PhraseKey.parse(str(key)) == key


def test_every_bundled_phrase_key_reads_back(gaz) -> None:
    keys = {p.key for p in gaz.phrases()}
    assert all(str(PhraseKey.parse(k)) == k for k in keys)
    assert {"c:RUS:seat:GOV", "pair"} <= keys
