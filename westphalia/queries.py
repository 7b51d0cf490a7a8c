"""Every read of a store: one filter object, one events query with one column set, and typed
rows for what leaves it (events, stories, actors, mentions, quotes, rejections, articles).

The CLI, the web API, the exports, `westphalia.open()` and the reports all read through here, so a
column renamed in the store fails when a row is built (in a test), not in a user's terminal:
each row class lists its columns, and `_rows` builds the class from each result row by name.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

from .errors import QueryError
from .events.ontology import ontology
from .model import Story
from .resources import load_yaml
from .store import Store

LEAD_CHARS = 100  # text shown for a story whose canonical article has no title
_ALL = 2**62  # LIMIT for "no limit"
_R = TypeVar("_R")


# --- policy domains ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Domain:
    key: str
    label: str
    codes: tuple[str, ...]
    words: tuple[str, ...]


@cache
def domains() -> dict[str, Domain]:
    """The policy domains of data/domains.yaml, in file order."""
    data = load_yaml((files("westphalia") / "data" / "domains.yaml").read_text("utf-8"))
    return {
        key: Domain(key, d["label"], tuple(map(str, d["codes"])), tuple(d["words"]))
        for key, d in data.items()
    }


def domain_regex(domain: Domain) -> str:
    """RE2 pattern matching the domain's words as whole words (plural "s" allowed)."""
    words = sorted(domain.words, key=len, reverse=True)
    return r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", " ") for w in words) + r")s?\b"


def domain_sql(code: str | None = "e.code", text: str = "s.text") -> str:
    """SQL expression: the list of domain keys of a row with CAMEO `code` (None: words only)
    and sentence `text`."""
    cases = []
    for d in domains().values():
        tests = [f"starts_with({code}, '{c}')" for c in d.codes] if code else []
        if d.words:
            pattern = domain_regex(d).replace("'", "''")
            tests.append(f"regexp_matches(lower(coalesce({text}, '')), '{pattern}')")
        if tests:
            cases.append(f"CASE WHEN {' OR '.join(tests)} THEN '{d.key}' END")
    return f"list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL)"


# --- the filter --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events: actor filters match code prefixes ("RUS" matches RUSGOV); `actor` matches
    either side and `dyad` both directions; `words` is a phrase of the evidence sentence
    (case-insensitive); `domain` a key of `domains()`."""

    source: str | None = None
    target: str | None = None
    actor: str | None = None
    dyad: tuple[str, str] | None = None
    code: str | None = None
    root: str | None = None
    quad_class: int | None = None
    start: date | None = None
    end: date | None = None
    story: str | None = None
    min_confidence: float | None = None
    domain: str | None = None
    words: str | None = None

    def check(self) -> None:
        """Raise QueryError for a window that ends before it starts (E403) or an unknown
        domain (E408)."""
        if self.start and self.end and self.start > self.end:
            raise QueryError("E403", start=self.start, end=self.end)
        if self.domain and self.domain not in domains():
            raise QueryError("E408", domain=self.domain, choices=", ".join(domains()))

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause over `events e` (joined to its sentence as `s`) and its parameters."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        for column, value in (("e.source", self.source), ("e.target", self.target)):
            if value:
                where.append(f"starts_with({column}, ?)")
                params.append(value)
        if self.actor:
            where.append("(starts_with(e.source, ?) OR starts_with(e.target, ?))")
            params += [self.actor, self.actor]
        if self.dyad:
            a, b = self.dyad
            where.append(
                "((starts_with(e.source, ?) AND starts_with(e.target, ?))"
                " OR (starts_with(e.source, ?) AND starts_with(e.target, ?)))"
            )
            params += [a, b, b, a]
        clauses = (
            ("e.code = ?", self.code),
            ("left(e.code, 2) = ?", self.root),
            ("e.quad_class = ?", self.quad_class),
            ("e.date >= ?", self.start),
            ("e.date <= ?", self.end),
            ("starts_with(e.story_id, ?)", self.story),
            ("e.confidence >= ?", self.min_confidence),
            ("contains(lower(s.text), lower(?))", self.words),
            (f"list_contains({domain_sql()}, ?)", self.domain),
        )
        for clause, value in clauses:
            if value is not None and value != "":
                where.append(clause)
                params.append(value)
        return " AND ".join(where), params


# --- rows --------------------------------------------------------------------------------------


class _Row:
    """Base of the typed rows: `as_dict()` for JSON and pandas, `columns()` for their order."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class EventRow(_Row):
    """One stored event with names, evidence sentence, character spans and domains."""

    id: str
    date: date | None
    date_precision: str
    source: str
    source_name: str | None
    target: str
    target_name: str | None
    code: str
    event: str  # the CAMEO name of the code
    quad_class: int | None
    goldstein: float | None
    plover: str | None
    count: int
    confidence: float
    domains: list[str]
    location: str | None
    place: str | None
    geo_type: int | None  # 1 country, 3 US city, 4 world city (GDELT's geo types)
    geo_name: str | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    sentence: str | None
    pattern: str
    story_id: str
    article_id: str
    sentence_idx: int
    sentence_start: int | None
    trigger_start: int
    trigger_end: int
    source_start: int | None
    source_end: int | None
    target_start: int | None
    target_end: int | None
    title: str | None  # of the article
    published: date | None


@dataclass(frozen=True, slots=True)
class ActorRow(_Row):
    """An actor with its mention and article counts and the names it was mentioned by."""

    code: str
    name: str
    kind: str
    country: str | None
    sectors: list[str] | None
    mentions: int
    articles: int
    entities: list[str] | None


@dataclass(frozen=True, slots=True)
class MentionRow(_Row):
    """An actor mention in its sentence."""

    article_id: str
    sentence_idx: int
    start_char: int
    end_char: int
    text: str
    actor_code: str
    resolved_by: str
    entity: str
    place: bool  # names where something happened, not who acted (actors.places)
    sentence: str
    sentence_start: int


@dataclass(frozen=True, slots=True)
class QuoteRow(_Row):
    """A quote with its speaker, sentence, article, story and date."""

    speaker: str | None
    text: str | None
    direct: bool
    date: date | None
    article_id: str
    story_id: str
    sentence_idx: int
    start_char: int
    end_char: int
    sentence: str


@dataclass(frozen=True, slots=True)
class RejectionRow(_Row):
    """An input item that was not processed, with what to do about it."""

    id: str
    source: str
    locator: str
    stage: str
    code: str
    message: str
    detail: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleRow(_Row):
    """One article's text with the spans of its events and actor mentions."""

    id: str
    story_id: str
    title: str | None
    published: date | None
    url: str | None
    source: str
    text: str
    events: list[dict[str, Any]]
    mentions: list[dict[str, Any]]


def _rows(
    cls: type[_R], store: Store, sql: str, params: list[Any] | tuple[Any, ...] = ()
) -> list[_R]:
    return [cls(**row) for row in store.query(sql, params)]


# --- events ------------------------------------------------------------------------------------


def event_sql(where: str) -> str:
    """The one events SELECT (the columns of EventRow but `event`), filtered by `where`."""
    return f"""
        SELECT e.id, e.date, e.date_precision, e.source, sa.name AS source_name, e.target,
               ta.name AS target_name, e.code, e.quad_class, e.goldstein, e.plover, e.count,
               e.confidence, {domain_sql()} AS domains, e.location, e.place, e.geo_type,
               e.geo_name, e.lat, e.lon, e.geonames_id, s.text AS sentence, e.pattern, e.story_id, e.article_id, e.sentence_idx,
               s.start_char AS sentence_start, e.trigger_start, e.trigger_end, e.source_start,
               e.source_end, e.target_start, e.target_end, ar.title, ar.published
        FROM events e
        LEFT JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence_idx
        LEFT JOIN articles ar ON ar.id = e.article_id
        LEFT JOIN actors sa ON sa.code = e.source
        LEFT JOIN actors ta ON ta.code = e.target
        WHERE {where}
    """


EVENT_ORDER = "e.date NULLS LAST, e.story_id, e.sentence_idx, e.code, e.id"


def events(
    store: Store, where: EventFilter = EventFilter(), *, limit: int | None = None, offset: int = 0
) -> list[EventRow]:
    """The events matching `where`, dated first, each with its CAMEO name."""
    where.check()
    clause, params = where.where()
    sql = event_sql(clause) + f" ORDER BY {EVENT_ORDER} LIMIT ? OFFSET ?"
    rows = store.query(sql, [*params, limit if limit is not None else _ALL, offset])
    return [_event_row(row) for row in rows]


def event(store: Store, event_id: str) -> EventRow | None:
    """One event by id or unique id prefix (None when none or several match)."""
    rows = store.query(event_sql("starts_with(e.id, ?)") + " LIMIT 2", [event_id])
    return _event_row(rows[0]) if len(rows) == 1 else None


def _event_row(row: dict[str, Any]) -> EventRow:
    """A row of `event_sql` with the CAMEO name of its code ("" for a code CAMEO lacks)."""
    known = ontology().get(row["code"])
    return EventRow(**row, event=known.name if known else "")


# --- the rest ----------------------------------------------------------------------------------


def counts(store: Store) -> dict[str, int]:
    """Rows per table a run reports: articles, their sources, stories, rejections, events."""
    tables = ("articles", "article_sources", "stories", "rejections", "events")
    return {t: int(store.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in tables}


def stories(store: Store, *, limit: int | None = None) -> list[Story]:
    """Every story with its articles and events, oldest publication date first."""
    sql = f"""
        SELECT s.id, s.canonical_article_id, count(a.id) AS n_articles, c.title,
               left(c.text, {LEAD_CHARS}) AS lead, min(a.published) AS first_published,
               max(a.published) AS last_published,
               list(a.id ORDER BY a.ingested_at, a.id) AS article_ids,
               (SELECT count(*) FROM events e WHERE e.story_id = s.id) AS events
        FROM stories s JOIN articles a ON a.story_id = s.id
        JOIN articles c ON c.id = s.canonical_article_id
        GROUP BY s.id, s.canonical_article_id, c.title, c.text, s.created_at
        ORDER BY first_published NULLS LAST, s.created_at, s.id
        LIMIT ?
    """
    rows = store.query(sql, [limit if limit is not None else _ALL])
    return [Story(**{**row, "article_ids": tuple(row["article_ids"])}) for row in rows]


def actors(store: Store, *, like: str | None = None) -> list[ActorRow]:
    """Actors with mentions, most mentioned first (a place mention, "talks in Geneva", is no
    actor's); `like` keeps those whose code starts with it or whose name contains it
    (case-insensitive)."""
    sql = """
        SELECT a.code, a.name, a.kind, a.country, a.sectors, count(m.id) AS mentions,
               count(DISTINCT m.article_id) AS articles,
               list(DISTINCT m.entity ORDER BY m.entity) FILTER (WHERE m.entity <> '') AS entities
        FROM actors a JOIN mentions m ON m.actor_code = a.code AND NOT m.place
        WHERE CAST(? AS VARCHAR) IS NULL
           OR starts_with(lower(a.code), lower(?)) OR contains(lower(a.name), lower(?))
        GROUP BY ALL ORDER BY mentions DESC, a.code
    """
    return _rows(ActorRow, store, sql, [like, like, like])


def busiest_dyad(store: Store) -> tuple[str, str] | None:
    """The pair of countries (or organisations) with the most events between them, in
    alphabetical order; None when no events join two known parties."""
    rows = store.query("""
        SELECT least(left(source, 3), left(target, 3)) AS a,
               greatest(left(source, 3), left(target, 3)) AS b, count(*) AS n
        FROM events
        WHERE NOT starts_with(source, '---') AND NOT starts_with(target, '---')
          AND left(source, 3) <> left(target, 3)
        GROUP BY 1, 2 ORDER BY n DESC, a, b LIMIT 1
    """)
    return (rows[0]["a"], rows[0]["b"]) if rows else None


def actor_exists(store: Store, code: str) -> bool:
    """Whether some stored actor code starts with `code`."""
    return bool(store.query("SELECT 1 FROM actors WHERE starts_with(code, ?) LIMIT 1", [code]))


def actor_name(store: Store, code: str) -> str | None:
    """The stored name of an actor code, None if the store does not know it."""
    rows = store.query("SELECT name FROM actors WHERE code = ?", [code])
    return rows[0]["name"] if rows else None


def mentions(store: Store, article_id: str) -> list[MentionRow]:
    """Each mention of one article (id or unique id prefix) with its sentence."""
    sql = """
        SELECT m.article_id, m.sentence_idx, m.start_char, m.end_char, m.text, m.actor_code,
               m.resolved_by, m.entity, m.place, s.text AS sentence, s.start_char AS sentence_start
        FROM mentions m
        JOIN sentences s ON s.article_id = m.article_id AND s.idx = m.sentence_idx
        WHERE starts_with(m.article_id, ?)
        ORDER BY m.start_char, m.end_char, m.actor_code
    """
    return _rows(MentionRow, store, sql, [article_id])


def quotes(
    store: Store,
    *,
    speakers: tuple[str, ...] = (),
    story: str | None = None,
    in_stories_of: EventFilter | None = None,
) -> list[QuoteRow]:
    """Quotes, oldest first: by any of the speaker code prefixes `speakers`, in a story, and/or
    in the stories where the events `in_stories_of` selects are."""
    where = ["(CAST(? AS VARCHAR) IS NULL OR starts_with(ar.story_id, ?))"]
    params: list[Any] = [story, story]
    if speakers:
        where.append("(" + " OR ".join(["starts_with(q.speaker_code, ?)"] * len(speakers)) + ")")
        params += speakers
    if in_stories_of is not None:
        clause, more = in_stories_of.where()
        where.append(
            "ar.story_id IN (SELECT e.story_id FROM events e LEFT JOIN sentences s"
            f" ON s.article_id = e.article_id AND s.idx = e.sentence_idx WHERE {clause})"
        )
        params += more
    sql = f"""
        SELECT q.speaker_code AS speaker, q.text, q.direct, ar.published AS date, q.article_id,
               ar.story_id, q.sentence_idx, q.start_char, q.end_char, s.text AS sentence
        FROM quotes q JOIN articles ar ON ar.id = q.article_id
        JOIN sentences s ON s.article_id = q.article_id AND s.idx = q.sentence_idx
        WHERE {" AND ".join(where)}
        ORDER BY ar.published NULLS LAST, q.article_id, q.start_char
    """
    return _rows(QuoteRow, store, sql, params)


def rejections(store: Store) -> list[RejectionRow]:
    """Every recorded rejection, by source and position in it."""
    sql = """
        SELECT id, source, locator, stage, code, message, detail, created_at FROM rejections
        ORDER BY source, try_cast(locator AS BIGINT) NULLS FIRST, code
    """
    return _rows(RejectionRow, store, sql)


def article(store: Store, article_id: str) -> ArticleRow | None:
    """One article (id or unique prefix) with its text and the spans of its events and
    mentions."""
    rows = store.query(
        "SELECT id, story_id, title, published, url, source, text FROM articles"
        " WHERE starts_with(id, ?) LIMIT 2",
        [article_id],
    )
    if len(rows) != 1:
        return None
    found = rows[0]
    spans = store.query(
        """SELECT id, source, target, code, goldstein, trigger_start, trigger_end, source_start,
                  source_end, target_start, target_end FROM events WHERE article_id = ?
           ORDER BY trigger_start, id""",
        [found["id"]],
    )
    named = store.query(
        "SELECT start_char, end_char, actor_code, text FROM mentions WHERE article_id = ?"
        " ORDER BY start_char",
        [found["id"]],
    )
    return ArticleRow(**found, events=spans, mentions=named)


def to_jsonable(value: Any) -> Any:
    """Dates and timestamps as ISO strings, for --json output."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


# --- the map -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryCount(_Row):
    """Events with an actor of one country (source or target side), for the map."""

    code: str  # ISO alpha-3
    numeric: str  # ISO numeric, the id of the country's shape in world-atlas
    name: str
    events: int
    goldstein: float  # net: the sum of the events' Goldstein scores


@dataclass(frozen=True, slots=True)
class PlaceCount(_Row):
    """Events located at one point (a city, or a country at its capital)."""

    geonames_id: int
    name: str
    geo_type: int
    lat: float
    lon: float
    events: int
    goldstein: float


def map_counts(
    store: Store, where: EventFilter = EventFilter()
) -> tuple[list[CountryCount], list[PlaceCount]]:
    """The events matching `where` by country of their actors, and by point of their location."""
    import pycountry

    where.check()
    clause, params = where.where()
    matching = (
        "SELECT DISTINCT e.id, e.source, e.target, e.goldstein, e.geonames_id, e.geo_name, "
        "e.geo_type, e.lat, e.lon FROM events e "
        "LEFT JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence_idx "
        f"WHERE {clause}"
    )
    by_country = store.query(
        f"WITH m AS ({matching}), sides AS (SELECT DISTINCT m.id, m.goldstein, a.country "
        "FROM m JOIN actors a ON a.code = m.source OR a.code = m.target "
        "WHERE length(a.country) = 3) "
        "SELECT sides.country, any_value(n.name) AS name, count(*) AS events, "
        "coalesce(sum(sides.goldstein), 0) AS goldstein FROM sides "
        "LEFT JOIN actors n ON n.code = sides.country "
        "GROUP BY sides.country ORDER BY events DESC, sides.country",
        params,
    )
    countries = []
    for row in by_country:
        found = pycountry.countries.get(alpha_3=row["country"])
        if found is None:  # IGO, a historic state: not on the map
            continue
        countries.append(
            CountryCount(
                row["country"],
                found.numeric,
                row["name"] or found.name,
                int(row["events"]),
                round(float(row["goldstein"]), 1),
            )
        )
    by_point = store.query(
        f"WITH m AS ({matching}) SELECT geonames_id, any_value(geo_name) AS name, "
        "any_value(geo_type) AS geo_type, any_value(lat) AS lat, any_value(lon) AS lon, "
        "count(*) AS events, coalesce(sum(goldstein), 0) AS goldstein FROM m "
        "WHERE lat IS NOT NULL GROUP BY geonames_id ORDER BY events DESC, geonames_id",
        params,
    )
    places = [
        PlaceCount(
            int(r["geonames_id"]),
            r["name"],
            int(r["geo_type"]),
            float(r["lat"]),
            float(r["lon"]),
            int(r["events"]),
            round(float(r["goldstein"]), 1),
        )
        for r in by_point
    ]
    return countries, places
