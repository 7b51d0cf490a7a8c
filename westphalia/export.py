"""Exports: one function per format, streaming from the store in record batches.

- gdelt: the GDELT 2.0 event table, 61 tab-separated columns in GDELT's order, no header (as
  GDELT publishes it). GDELT_MAPPING says what fills each column.
- parquet, csv, jsonl: the events with names, evidence sentence, spans and domains.
- graphml: the alignment network (see analyze.network).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import analyze, queries
from .errors import QueryError
from .queries import EventFilter, to_jsonable
from .store import Store

FORMATS = ("gdelt", "parquet", "jsonl", "csv", "graphml")
BATCH_ROWS = 50_000  # rows per record batch: ~20 MB of events, bounded memory on any store

# GDELT 2.0 event table columns, in the published order (GDELT-Event_Codebook-V2.0).
GDELT_COLUMNS = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(
        f"Actor{n}{f}"
        for n in (1, 2)
        for f in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(
        f"{g}Geo_{f}"
        for g in ("Actor1", "Actor2", "Action")
        for f in (
            "Type",
            "FullName",
            "CountryCode",
            "ADM1Code",
            "ADM2Code",
            "Lat",
            "Long",
            "FeatureID",
        )
    ),
    "DATEADDED",
    "SOURCEURL",
)

# What westphalia writes in each GDELT column; every column not named here is left empty
# (ethnic and religion codes, tone, actor geography, ADM1/ADM2 codes).
GDELT_MAPPING = {
    "GLOBALEVENTID": "the first 15 hex digits of the westphalia event id, as an integer",
    "SQLDATE": "event date YYYYMMDD (resolved from the sentence, else publication date)",
    "MonthYear": "YYYYMM of the event date",
    "Year": "YYYY of the event date",
    "FractionDate": "year + (month * 30 + day) / 365, as GDELT computes it",
    "ActorNCode": "the CAMEO actor code (source for Actor1, target for Actor2)",
    "ActorNName": "the actor's name, upper case",
    "ActorNCountryCode": "ISO 3166 alpha-3 country of a state or state sector actor",
    "ActorNKnownGroupCode": "for international organisations: the code after IGO/NGO (NATO, IAEA)",
    "ActorNType1Code..Type3Code": "the actor's sector codes (GOV, MIL, ...; IGO for organisations)",
    "IsRootEvent": "1 when the event is in the article's first sentence",
    "EventCode / EventBaseCode / EventRootCode": "CAMEO code, its first three and two digits",
    "QuadClass": "1-4 from the CAMEO root",
    "GoldsteinScale": "the Goldstein weight of the CAMEO code",
    "NumMentions / NumArticles": "articles of the story that state the event",
    "NumSources": "distinct input files or feeds those articles came from",
    "ActionGeo_Type": "1 country, 3 US city, 4 world city (GeoNames, via events.geocode)",
    "ActionGeo_FullName": "city name, country name; or the country name",
    "ActionGeo_CountryCode": "FIPS 10-4 code of the location's country",
    "ActionGeo_Lat / ActionGeo_Long": "the city's coordinates; for a country, its capital's",
    "ActionGeo_FeatureID": "the city's GeoNames id; for a country, its FIPS code (as GDELT)",
    "DATEADDED": "when the article was ingested, YYYYMMDDHHMMSS (UTC)",
    "SOURCEURL": "the article URL, else its source path (with #line for JSONL and CSV records)",
}


def export(
    store: Store,
    fmt: str,
    out: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    actor: str | None = None,
) -> int:
    """Write the events (or the network, for graphml) in `fmt` to `out`; return the rows written."""
    if fmt not in FORMATS:
        raise QueryError("E404", format=fmt, choices=", ".join(FORMATS))
    EventFilter(start=start, end=end).check()
    writer = {
        "gdelt": _gdelt,
        "parquet": _parquet,
        "jsonl": _jsonl,
        "csv": _csv,
        "graphml": _graphml,
    }[fmt]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return writer(store, out, start=start, end=end, actor=actor)
    except OSError as e:
        raise QueryError("E405", path=out, reason=e.strerror or str(e)) from e


def _batches(store: Store, sql: str, params: list[Any]) -> Iterator[pa.RecordBatch]:
    yield from store.con.cursor().sql(sql, params=params).to_arrow_reader(BATCH_ROWS)


def _events_sql(start: date | None, end: date | None, actor: str | None) -> tuple[str, list[Any]]:
    """The one events query (queries.event_sql, the columns of queries.EventRow but the CAMEO
    name), in date order."""
    where, params = EventFilter(start=start, end=end, actor=actor).where()
    return queries.event_sql(where) + f" ORDER BY {queries.EVENT_ORDER}", params


def _parquet(store: Store, out: Path, **window: Any) -> int:
    sql, params = _events_sql(**window)
    return _write_arrow(store, sql, params, lambda schema: pq.ParquetWriter(out, schema))


def _csv(store: Store, out: Path, **window: Any) -> int:
    sql, params = _events_sql(**window)
    sql = f"SELECT * REPLACE (array_to_string(domains, ';') AS domains) FROM ({sql})"
    return _write_arrow(store, sql, params, lambda schema: pacsv.CSVWriter(out, schema))


def _write_arrow(
    store: Store, sql: str, params: list[Any], open_writer: Callable[[pa.Schema], Any]
) -> int:
    """Stream the query's record batches into the writer `open_writer(schema)` returns."""
    reader = store.con.cursor().sql(sql, params=params).to_arrow_reader(BATCH_ROWS)
    n = 0
    with open_writer(reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            n += batch.num_rows
    return n


def _jsonl(store: Store, out: Path, **window: Any) -> int:
    sql, params = _events_sql(**window)
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for batch in _batches(store, sql, params):
            for row in batch.to_pylist():
                f.write(
                    json.dumps({k: to_jsonable(v) for k, v in row.items()}, ensure_ascii=False)
                    + "\n"
                )
                n += 1
    return n


def _graphml(
    store: Store, out: Path, *, start: date | None, end: date | None, actor: str | None
) -> int:
    import networkx as nx  # on first use (see analyze.Network.graph)

    network = analyze.network(store, start=start, end=end)
    nx.write_graphml(network.graph(), out)
    return len(network.edges)


_GDELT_ACTOR = """
    {e}.{side} AS {n}_code, upper(coalesce({a}.name, '')) AS {n}_name,
    CASE WHEN {a}.kind IN ('state', 'sector') AND length({a}.country) = 3 THEN {a}.country ELSE '' END AS {n}_country,
    CASE WHEN {a}.kind IN ('igo', 'ngo') THEN substr({e}.{side}, 4) ELSE '' END AS {n}_group,
    CASE WHEN {a}.kind IN ('igo', 'ngo') THEN list_prepend(upper({a}.kind), coalesce({a}.sectors, []))
         ELSE coalesce({a}.sectors, []) END AS {n}_types
"""


def _gdelt(
    store: Store, out: Path, *, start: date | None, end: date | None, actor: str | None
) -> int:
    where, params = EventFilter(start=start, end=end, actor=actor).where()
    sql = f"""
        SELECT e.id, e.date, e.code, e.quad_class, e.goldstein, e.count, e.sentence_idx,
               e.location, e.place, e.geo_type, e.geo_name, e.geo_fips, e.lat, e.lon,
               e.geonames_id, ar.ingested_at, ar.url, ar.source, ar.locator,
               (SELECT count(DISTINCT x.source) FROM articles x WHERE x.story_id = e.story_id) AS n_sources,
               {_GDELT_ACTOR.format(e="e", side="source", a="sa", n="a1")},
               {_GDELT_ACTOR.format(e="e", side="target", a="ta", n="a2")},
               loc.name AS location_name
        FROM events e JOIN articles ar ON ar.id = e.article_id
        LEFT JOIN actors sa ON sa.code = e.source LEFT JOIN actors ta ON ta.code = e.target
        LEFT JOIN actors loc ON loc.code = e.location
        WHERE {where} ORDER BY e.date NULLS LAST, e.id
    """
    n = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(
            f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n"
        )
        for batch in _batches(store, sql, params):
            for row in batch.to_pylist():
                writer.writerow(_gdelt_row(row))
                n += 1
    return n


def _gdelt_row(r: dict[str, Any]) -> list[str]:
    d: date | None = r["date"]
    when = (
        [
            d.strftime("%Y%m%d"),
            d.strftime("%Y%m"),
            str(d.year),
            f"{d.year + (d.month * 30 + d.day) / 365:.4f}",
        ]
        if d
        else ["", "", "", ""]
    )
    actors = []
    for n in ("a1", "a2"):
        types = (list(r[f"{n}_types"]) + ["", "", ""])[:3]
        actors += [
            r[f"{n}_code"],
            r[f"{n}_name"],
            r[f"{n}_country"],
            r[f"{n}_group"],
            "",
            "",
            "",
            *types,
        ]
    code = r["code"]
    event = [
        "1" if r["sentence_idx"] == 0 else "0",
        code,
        code[:3],
        code[:2],
        str(r["quad_class"]),
        f"{r['goldstein']:.1f}",
        str(r["count"]),
        str(r["n_sources"]),
        str(r["count"]),
        "",
    ]
    geo = [""] * 16 + _action_geo(r)
    source_url = r["url"] or (r["source"] + (f"#{r['locator']}" if r["locator"] else ""))
    added = r["ingested_at"].strftime("%Y%m%d%H%M%S") if r["ingested_at"] else ""
    return [str(int(r["id"][:15], 16)), *when, *actors, *event, *geo, added, source_url]


def _action_geo(r: dict[str, Any]) -> list[str]:
    """Type, FullName, CountryCode, ADM1Code, ADM2Code, Lat, Long, FeatureID."""
    if r["geo_type"] is not None:
        coordinates = [f"{r['lat']:.4f}", f"{r['lon']:.4f}"] if r["lat"] is not None else ["", ""]
        # GDELT's feature id of a country is its FIPS code; of a city, its GeoNames id
        feature = r["geo_fips"] if r["geo_type"] == 1 else str(r["geonames_id"])
        return [str(r["geo_type"]), r["geo_name"], r["geo_fips"], "", "", *coordinates, feature]
    if not r["location"] and not r["place"]:
        return [""] * 8
    country = r["location_name"] or r["location"] or ""
    place = r["place"] or ""
    is_country = not place or place == country
    name = country if is_country else f"{place}, {country}" if country else place
    return ["1" if is_country else "4", name, "", "", "", "", "", ""]
