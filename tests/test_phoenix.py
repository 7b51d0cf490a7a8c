"""The packaged Phoenix layer (data/phoenix.json.gz) and the tool that writes it."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from westphalia.actors import load_gazetteer
from westphalia.actors.gazetteer import DatedActor, _valid_code

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "westphalia" / "actors" / "data"


def _tool():
    spec = importlib.util.spec_from_file_location(
        "convert_phoenix", ROOT / "tools" / "convert_phoenix.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_the_layer_is_packaged_with_its_licence(gaz) -> None:
    assert len(gaz.phoenix.actors) > 15_000 and sum(map(len, gaz.places.values())) > 5_000
    notice = (DATA / "PHOENIX-LICENSE.txt").read_text()
    assert "MIT" in notice and "Open Event Data" in notice and "petrarch2" in notice


def test_every_phoenix_code_is_in_the_project_scheme(gaz) -> None:
    codes = {c for a in gaz.phoenix.actors for c in (a.default, *(p[0] for p in a.periods)) if c}
    assert sorted(c for c in codes if not _valid_code(c)) == []
    assert set(gaz.places) <= set(gaz.countries)


def test_the_project_wins_a_phrase_both_have(gaz) -> None:
    keys = {k for k in gaz.phoenix.index}
    assert "kremlin" not in keys and "unitednations" not in keys


@pytest.mark.parametrize(
    ("periods", "default", "day", "code"),
    [
        ((("USAGOV", 20010120, 20090120),), None, date(2005, 1, 1), "USAGOV"),
        ((("USAGOV", 20010120, 20090120),), None, date(2012, 1, 1), "USAELI"),  # ended: former
        ((("USAGOV", 20010120, 20090120),), None, date(1990, 1, 1), None),  # not yet
        ((("USAGOV", 20010120, 20090120),), "USAELI", date(2012, 1, 1), "USAELI"),
        ((("USAGOV", 20010120, 20090120), ("USALEG", 20100101, None)), None, None, "USALEG"),
    ],
)
def test_a_dated_actor_code_on_a_day(periods, default, day, code) -> None:
    assert DatedActor("X Y", ("X Y",), periods, default, person=True).code_on(day) == code


@pytest.mark.parametrize(
    ("phoenix", "ours"),
    [
        ("USAGOVBUS", "USAGOV"),
        ("KSVGOV", "XKXGOV"),
        ("SDNOPPPTY", "SDNPTY"),
        ("YUGBIH", "YUG"),
        ("FRNWLF", "WLF"),
        ("MNCUSA", "USABUS"),
        ("IMGMUSALQ", "---REB"),
        ("ANGREB", "AGOREB"),
        ("MEAREB", "---REB"),
        ("ELI", "---ELI"),
        ("IGOUNOIAE", "IGOIAEA"),
        ("IGOUNOBUS", "IGOUNO"),
        ("NGOUSAHRI", "NGO"),
        ("---", None),
        ("WAF", None),
    ],
)
def test_phoenix_codes_in_the_project_scheme(tool, phoenix: str, ours: str | None) -> None:
    igo = {"IGOUNOIAE": "IGOIAEA", "IGOUNO": "IGOUNO"}
    assert tool.normal_code(phoenix, igo) == ours


def test_conversion_of_a_small_phoenix_folder(tool, tmp_path: Path) -> None:
    (tmp_path / "Phoenix.Countries.actors.txt").write_text(
        "FRANCE_ [FRA]\n+QUIXVILLE_\n+BRELLAC_PROVINCE\n+FRANSE_\n"
        "ZARKO_VELLIN_\n\t[FRAGOVBUS 20010101-20050101]\n\t[FRAELI]\n"
        "QUIXVILLE_RIVER_GUARD_ [FRAMIL]\n"
    )
    (tmp_path / "Phoenix.International.actors.txt").write_text(
        "ZORBIAN_RELIEF_FUND_ [NGOHLH]\nREUTERS [MED]\n"
    )
    (tmp_path / "Phoenix.MilNonState.actors.txt").write_text(
        "QUIX_LIBERATION_FRONT_ [FRAREB]\n"
        # coded by region only: the country its name names, when it reads as a body's name
        "PORTUGUESE_VALLEY_LIBERATION_ARMY_ [WEUREB]\n"
        "DORAN_MALI_ [WAFREB]\n"
        "FRENCH_AND_SPANISH_ALLIANCE_ [WEUREB]\n"
    )
    (tmp_path / "Phoenix.agents.txt").write_text(
        "CATTLE_RUSTLER [~CRM]\nBUSINESS_BOSS [~BUS]\nGOVERNMENT [~GOV]\n"
    )
    data = tool.convert(tmp_path, report=tool.Report(), common=frozenset())
    assert sorted(data["places"]["FRA"]) == ["Brellac Province", "Quixville"]
    assert data["names"] == {"FRA": ["Franse"]}  # spelled like the country: a name of it
    actors = {a[1][0]: a for a in data["actors"]}
    assert actors["Zarko Vellin"] == [
        "P",
        ["Zarko Vellin"],
        [["FRAGOV", 20010101, 20050101]],
        "FRAELI",
    ]
    assert actors["Quixville River Guard"][0::3] == ["O", "FRAMIL"]
    assert actors["Zorbian Relief Fund"][3] == "NGO" and "Reuters" not in actors
    assert actors["Quix Liberation Front"][3] == "FRAREB"
    assert actors["Portuguese Valley Liberation Army"][3] == "PRTREB"
    assert actors["Doran Mali"][3] == "---REB"  # a person's name: Mali is a surname here
    assert actors["French And Spanish Alliance"][3] == "---REB"  # two countries: neither
    assert data["titles"] == {"cattle rustler": "CRM"} and data["groups"] == {
        "cattle rustlers": "CRM"
    }
