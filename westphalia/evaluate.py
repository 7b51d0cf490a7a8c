"""Score the engine against gold JSONL records (the PLOVER gold-standard format).

Each record is coded on its own: its `text` is normalized and parsed, its `date` is the
publication date, and nothing is shared between records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .actors import extract_actors, load_gazetteer
from .config import Settings
from .normalize import clean_text
from .parse import Parser


@dataclass(slots=True)
class ActorScores:
    """Country-level actor recognition: expected source/target countries per record versus the
    countries of the mentions found in the sentence."""

    records: int = 0
    expected: int = 0
    found: int = 0
    matched: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0


def read_gold(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def country(code: str) -> str:
    """Country-level part of an actor code: "RUSGOV" -> "RUS", "IGOIAEA" -> "IGO"."""
    return code[:3]


def evaluate_actors(gold: Path, *, settings: Settings) -> ActorScores:
    gazetteer = load_gazetteer(user_dictionary=settings.actors.user_dictionary)
    parser = Parser(settings.parse, gazetteer.phrases())
    records = list(read_gold(gold))
    texts = [(r["id"], clean_text(r["text"], settings=settings.normalize)) for r in records]
    scores = ActorScores()
    for record, parse in zip(records, parser.parse(texts), strict=True):
        published = _date(record.get("date"))
        found = {
            country(m.actor_code)
            for m in extract_actors(parse, gazetteer=gazetteer, published=published)
        }
        expected = {country(c) for e in record["expected"] for c in (e["source"], e["target"]) if c}
        scores.records += 1
        scores.expected += len(expected)
        scores.found += len(found)
        scores.matched += len(expected & found)
        if expected != found:
            scores.misses.append(
                {"id": record["id"], "expected": sorted(expected), "found": sorted(found)}
            )
    return scores


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
