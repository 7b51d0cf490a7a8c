"""What one transaction writes (`Batch`) and the Arrow tables it becomes, one per table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

import pyarrow as pa

from ..model import (
    Actor,
    Article,
    Assignment,
    Duplicate,
    Event,
    Mention,
    Quote,
    Rejection,
    Sentence,
)


@dataclass(slots=True)
class Batch:
    """What one transaction writes."""

    run_id: str
    articles: list[tuple[Article, Assignment]] = field(default_factory=list)
    occurrences: list[Article] = field(default_factory=list)  # every article read, new or not
    rejections: list[Rejection] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.occurrences) + len(self.rejections)


def batch_tables(batch: Batch, now: datetime) -> dict[str, pa.Table]:
    """The rows `batch` adds to each store table (events once per id, restatements counted), as
    `Store.write` inserts them and a Parquet dataset part holds them."""
    return {
        "articles": _article_rows(batch, now),
        "stories": _story_rows(batch, now),
        "article_sources": _source_rows(batch, now),
        "rejections": _rejection_rows(batch, now),
        "sentences": _sentence_rows(batch),
        "mentions": _mention_rows(batch),
        "actors": _actor_rows(batch),
        "quotes": _quote_rows(batch),
        "events": _event_rows(merged_events(batch.events)),
    }


def merged_events(events: list[Event]) -> list[Event]:
    """One event per id, the first statement's, with `count` the number of statements."""
    merged: dict[str, Event] = {}
    for event in events:
        known = merged.get(event.id)
        merged[event.id] = replace(known, count=known.count + 1) if known else event
    return list(merged.values())


def _article_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = [a for a in batch.articles if a[1].match is not Duplicate.EXACT]
    return pa.table(
        {
            "id": [a.id for a, _ in rows],
            "story_id": [s.story_id for _, s in rows],
            "match": [s.match.value for _, s in rows],
            "duplicate_of": [s.duplicate_of for _, s in rows],
            "similarity": [s.similarity if s.match is Duplicate.NEAR else None for _, s in rows],
            "source": [a.source for a, _ in rows],
            "locator": [a.locator for a, _ in rows],
            "external_id": [a.external_id for a, _ in rows],
            "format": [a.format.value for a, _ in rows],
            "url": [a.url for a, _ in rows],
            "title": [a.title for a, _ in rows],
            "published": pa.array([a.published for a, _ in rows], type=pa.date32()),
            "date_source": [a.date_source.value for a, _ in rows],
            "raw": pa.array([a.raw for a, _ in rows], type=pa.binary()),
            "raw_text": [a.raw_text for a, _ in rows],
            "text": [a.text for a, _ in rows],
            "metadata": [
                json.dumps(dict(a.metadata), ensure_ascii=False, default=str) for a, _ in rows
            ],
            "minhash": pa.array([s.signature for _, s in rows], type=pa.binary()),
            "run_id": [batch.run_id] * len(rows),
            "ingested_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
        }
    )


def _story_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = [a for a, s in batch.articles if s.match is Duplicate.NEW]
    return pa.table(
        {
            "id": [a.id for a in rows],
            "canonical_article_id": [a.id for a in rows],
            "run_id": [batch.run_id] * len(rows),
            "created_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
        }
    )


def _source_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = batch.occurrences
    return pa.table(
        {
            "article_id": [a.id for a in rows],
            "source": [a.source for a in rows],
            "locator": [a.locator for a in rows],
            "external_id": [a.external_id for a in rows],
            "run_id": [batch.run_id] * len(rows),
            "seen_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
        }
    )


def _rejection_rows(batch: Batch, now: datetime) -> pa.Table:
    rows = batch.rejections
    return pa.table(
        {
            "id": [r.id for r in rows],
            "source": [r.source for r in rows],
            "locator": [r.locator for r in rows],
            "stage": [r.stage.value for r in rows],
            "code": [r.code for r in rows],
            "message": [r.message for r in rows],
            "detail": [r.detail for r in rows],
            "raw": pa.array([r.raw for r in rows], type=pa.binary()),
            "run_id": [batch.run_id] * len(rows),
            "created_at": pa.array([now] * len(rows), type=pa.timestamp("us")),
        }
    )


def _sentence_rows(batch: Batch) -> pa.Table:
    rows = batch.sentences
    return pa.table(
        {
            "article_id": [s.article_id for s in rows],
            "idx": pa.array([s.index for s in rows], type=pa.int32()),
            "start_char": pa.array([s.span.start for s in rows], type=pa.int32()),
            "end_char": pa.array([s.span.end for s in rows], type=pa.int32()),
            "text": [s.text for s in rows],
        }
    )


def _mention_rows(batch: Batch) -> pa.Table:
    rows = batch.mentions
    return pa.table(
        {
            "id": [m.id for m in rows],
            "article_id": [m.article_id for m in rows],
            "sentence_idx": pa.array([m.sentence_index for m in rows], type=pa.int32()),
            "start_char": pa.array([m.span.start for m in rows], type=pa.int32()),
            "end_char": pa.array([m.span.end for m in rows], type=pa.int32()),
            "text": [m.text for m in rows],
            "actor_code": [m.actor_code for m in rows],
            "resolved_by": [m.resolved_by for m in rows],
            "entity": [m.entity for m in rows],
            "place": pa.array([m.place for m in rows], type=pa.bool_()),
        }
    )


def _actor_rows(batch: Batch) -> pa.Table:
    rows = list(batch.actors.values())
    return pa.table(
        {
            "code": [a.code for a in rows],
            "name": [a.name for a in rows],
            "country": [a.country for a in rows],
            "sectors": pa.array([list(a.sectors) for a in rows], type=pa.list_(pa.string())),
            "kind": [a.kind for a in rows],
        }
    )


def _event_rows(events: list[Event]) -> pa.Table:
    i32 = pa.int32()
    return pa.table(
        {
            "id": [e.id for e in events],
            "article_id": [e.article_id for e in events],
            "story_id": [e.story_id for e in events],
            "sentence_idx": pa.array([e.sentence_index for e in events], type=i32),
            "source": [e.source for e in events],
            "target": [e.target for e in events],
            "code": [e.code for e in events],
            "trigger_start": pa.array([e.trigger.start for e in events], type=i32),
            "trigger_end": pa.array([e.trigger.end for e in events], type=i32),
            "source_start": pa.array(
                [e.source_span.start if e.source_span else None for e in events], type=i32
            ),
            "source_end": pa.array(
                [e.source_span.end if e.source_span else None for e in events], type=i32
            ),
            "target_start": pa.array(
                [e.target_span.start if e.target_span else None for e in events], type=i32
            ),
            "target_end": pa.array(
                [e.target_span.end if e.target_span else None for e in events], type=i32
            ),
            "pattern": [e.pattern for e in events],
            "confidence": pa.array([e.confidence for e in events], type=pa.float64()),
            "date": pa.array([e.date for e in events], type=pa.date32()),
            "date_precision": [e.date_precision for e in events],
            "location": [e.location for e in events],
            "place": [e.place for e in events],
            "count": pa.array([e.count for e in events], type=i32),
            "goldstein": pa.array([e.goldstein for e in events], type=pa.float64()),
            "quad_class": pa.array([e.quad_class for e in events], type=i32),
            "plover": [e.plover for e in events],
            "geo_type": pa.array([e.geo_type for e in events], type=i32),
            "geo_name": pa.array([e.geo_name for e in events], type=pa.string()),
            "geo_fips": pa.array([e.geo_fips for e in events], type=pa.string()),
            "lat": pa.array([e.lat for e in events], type=pa.float64()),
            "lon": pa.array([e.lon for e in events], type=pa.float64()),
            "geonames_id": pa.array([e.geonames_id for e in events], type=pa.int64()),
        }
    )


def _quote_rows(batch: Batch) -> pa.Table:
    rows = batch.quotes
    i32 = pa.int32()
    return pa.table(
        {
            "article_id": [q.article_id for q in rows],
            "sentence_idx": pa.array([q.sentence_index for q in rows], type=i32),
            "start_char": pa.array([q.span.start for q in rows], type=i32),
            "end_char": pa.array([q.span.end for q in rows], type=i32),
            "speaker_code": [q.speaker_code for q in rows],
            "speaker_start": pa.array(
                [q.speaker_span.start if q.speaker_span else None for q in rows], type=i32
            ),
            "speaker_end": pa.array(
                [q.speaker_span.end if q.speaker_span else None for q in rows], type=i32
            ),
            "direct": pa.array([q.direct for q in rows], type=pa.bool_()),
            "text": [q.text for q in rows],
        }
    )
