"""Event locations as points (events.geocode), and stores coded before events had them."""

from __future__ import annotations

from pathlib import Path

import pytest

from westphalia.events.geocode import COUNTRY, US_CITY, WORLD_CITY, geocode
from westphalia.pipeline import locate_stored_events
from westphalia.store import open_store


def test_a_city_of_the_country_is_its_most_populous_city_of_that_name() -> None:
    point = geocode("PAK", "Islamabad")
    assert point is not None and point.kind == WORLD_CITY
    assert point.name == "Islamabad, Pakistan" and point.fips == "PK"
    assert point.geonames_id == 1176615
    assert point.lat == pytest.approx(33.72, abs=0.1) and point.lon == pytest.approx(73.04, abs=0.1)
    # many US towns are called Washington: the capital is the most populous
    washington = geocode("USA", "Washington")
    assert washington is not None and washington.kind == US_CITY
    assert washington.lat == pytest.approx(38.9, abs=0.2)


def test_names_match_without_case_accents_or_old_spellings() -> None:
    assert geocode("COL", "BOGOTA") == geocode("COL", "Bogotá")
    assert geocode("UKR", "Kiev") == geocode("UKR", "Kyiv")
    madras = geocode("IND", "Madras")
    assert madras is not None and madras.name == "Chennai, India"


def test_a_country_or_an_unlisted_place_is_the_country_at_its_capital() -> None:
    lebanon = geocode("LBN", "Lebanon")
    assert lebanon is not None and lebanon.kind == COUNTRY and lebanon.name == "Lebanon"
    assert lebanon.lat == pytest.approx(33.89, abs=0.1)  # Beirut
    assert geocode("LBN", None) == lebanon
    province = geocode("AFG", "Badghis Province")  # a region, not a city: the country
    assert province is not None and province.kind == COUNTRY and province.fips == "AF"
    # a city of another country is not taken for a place in this one
    assert geocode("FRA", "Islamabad").kind == COUNTRY


def test_no_point_for_what_is_not_a_country() -> None:
    assert geocode("---", "Somewhere") is None and geocode(None, "Paris") is None
    assert geocode("IGONATO", None) is None
    assert geocode("GBR", None).fips == "UK" and geocode("XYZ", None) is None


def test_a_store_coded_before_points_gets_them_at_the_next_run(tmp_path: Path) -> None:
    """Events stored without a point (schema 5) are located once, by place and country."""
    with open_store(tmp_path / "s.duckdb") as db:
        db.con.execute(
            "INSERT INTO events (id, article_id, story_id, sentence_idx, source, target, code, "
            "trigger_start, trigger_end, pattern, confidence, date_precision, location, place) "
            "VALUES ('e1', 'a', 's', 0, 'RUS', 'PAK', '042', 0, 1, 'p', 1, 'day', 'PAK', "
            "'Islamabad'), ('e2', 'a', 's', 1, 'RUS', 'PAK', '043', 0, 1, 'p', 1, 'day', 'RUS', "
            "NULL), ('e3', 'a', 's', 2, 'RUS', 'PAK', '040', 0, 1, 'p', 1, 'day', NULL, NULL)"
        )
        assert locate_stored_events(db) == 2
        rows = db.query("SELECT id, geo_type, geo_name, geonames_id FROM events ORDER BY id")
        assert [(r["geo_type"], r["geo_name"]) for r in rows] == [
            (4, "Islamabad, Pakistan"),
            (1, "Russia"),
            (None, None),
        ]
        assert locate_stored_events(db) == 0
