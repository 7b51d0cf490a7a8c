"""The shared data model: small frozen records that flow one way through the pipeline.

IDs are content hashes, so re-running the same input is idempotent. Every annotation
(sentence, mention, event, quote) is a character span into the *normalized* text of its
article, so any record can be shown with its evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

# 16 hex digits (64 bits) of sha1: collisions are negligible below ~10^8 items and
# the ids stay short enough to type in `westphalia show ID`.
ID_HEX_DIGITS = 16


def content_id(*parts: str) -> str:
    """Return the short content hash of `parts` (joined with a unit separator)."""
    joined = "\x1f".join(parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS]


def _frozen_mapping(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


class DateSource(StrEnum):
    """Where an article's publication date came from. Never guessed silently."""

    RECORD = "record"  # the JSONL/CSV date field
    HTML_META = "html-meta"  # page metadata read by trafilatura
    FILENAME = "filename"  # an ISO date (YYYY-MM-DD) in the file name
    CLI = "cli"  # --date given by the user
    UNPARSEABLE = "unparseable"  # the record had a date we could not read (kept in metadata)
    UNKNOWN = "unknown"


class InputFormat(StrEnum):
    TEXT = "text"
    HTML = "html"
    JSONL = "jsonl"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) into an article's normalized text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Article:
    """One input document.

    `id` is the content hash of the normalized `text` (empty until normalize runs);
    `raw` keeps the original bytes of the item, `raw_text` the decoded or extracted text.
    """

    source: str
    format: InputFormat
    raw: bytes
    raw_text: str
    locator: str = ""  # line or row inside `source` ("" for a whole file)
    external_id: str | None = None
    url: str | None = None
    title: str | None = None
    published: date | None = None
    date_source: DateSource = DateSource.UNKNOWN
    text: str = ""
    id: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", _frozen_mapping(self.metadata))


@dataclass(frozen=True, slots=True)
class Story:
    """A cluster of duplicate and near-duplicate articles; its id is its first article's id."""

    id: str
    canonical_article_id: str
    n_articles: int
    title: str | None = None
    lead: str = ""  # the start of the canonical article's text, for stories without a title
    first_published: date | None = None
    last_published: date | None = None
    article_ids: tuple[str, ...] = ()
    events: int = 0  # events coded in its articles (once per story)


class Duplicate(StrEnum):
    """How an article relates to the stories already known (the dedupe stage's verdict)."""

    NEW = "new"  # founds a new story
    NEAR = "near"  # new text, joins the story of a near-duplicate
    EXACT = "exact"  # same normalized text as a stored article


@dataclass(frozen=True, slots=True)
class Assignment:
    """The story an article joins, and why."""

    article_id: str
    story_id: str
    match: Duplicate
    duplicate_of: str | None = None
    similarity: float = 1.0
    signature: bytes | None = None  # MinHash values of a new article, for the store


class Stage(StrEnum):
    INGEST = "ingest"
    NORMALIZE = "normalize"
    DEDUPE = "dedupe"
    STORE = "store"
    PARSE = "parse"
    ACTORS = "actors"
    EVENTS = "events"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input item the pipeline could not use, with what to do about it."""

    source: str
    stage: Stage
    code: str
    message: str
    locator: str = ""
    detail: str = ""  # traceback for internal errors
    raw: bytes | None = None  # the item's bytes when small enough to keep, for a retry

    @property
    def id(self) -> str:
        return content_id(self.source, self.locator, self.stage, self.code)


# --- Records filled by later stages (parsing, actors, events). The store has their tables. ---


@dataclass(frozen=True, slots=True)
class Sentence:
    article_id: str
    index: int
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    """A CAMEO-style actor: ISO-3166 alpha-3 country plus sector codes (RUSGOV), or an IGO code."""

    code: str
    name: str
    country: str | None = None
    sectors: tuple[str, ...] = ()
    kind: str = "state"  # state | igo | person | group


@dataclass(frozen=True, slots=True)
class Mention:
    article_id: str
    sentence_index: int
    span: Span
    text: str
    actor_code: str
    resolved_by: str  # gazetteer | demonym | metonym | organisation | role | coref | pronoun | ...
    entity: str = ""  # what the mention names: "Sergey Lavrov", "Russia", "IAEA"
    # names where something happened ("sources in Pakistan"), not who acted: see actors.places
    place: bool = False

    @property
    def id(self) -> str:
        return content_id(
            self.article_id, str(self.span.start), str(self.span.end), self.actor_code
        )


@dataclass(frozen=True, slots=True)
class Event:
    article_id: str
    story_id: str
    sentence_index: int
    source: str
    target: str
    code: str  # CAMEO event code, e.g. "042"
    trigger: Span
    source_span: Span | None
    target_span: Span | None
    pattern: str  # which lexicon pattern or rule fired
    confidence: float
    date: date | None = None
    date_precision: str = "unknown"  # day | month | year | publication | unknown
    location: str | None = None  # country code of where it happened
    place: str | None = None  # the place as named ("Moscow")
    count: int = 1  # times the story's articles state it
    # from the CAMEO ontology (events.ontology.described): -10..+10, 1..4, the PLOVER type
    goldstein: float | None = None
    quad_class: int | None = None
    plover: str | None = None
    # the location as a point (events.geocode): GDELT geo type (1 country, 3 US city, 4 world
    # city), full name, FIPS 10-4 country code, coordinates, GeoNames id
    geo_type: int | None = None
    geo_name: str | None = None
    geo_fips: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None

    @property
    def id(self) -> str:
        # One event per story: the same dyad, code and date stated again (by a duplicate
        # article or a repeated paragraph) is the same event.
        return content_id(self.story_id, self.source, self.target, self.code, str(self.date))


@dataclass(frozen=True, slots=True)
class Quote:
    article_id: str
    sentence_index: int
    span: Span
    speaker_code: str | None
    speaker_span: Span | None
    direct: bool
    text: str = ""
