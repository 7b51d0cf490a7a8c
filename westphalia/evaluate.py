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

from .actors import extract_actors
from .actors.gazetteer import UNKNOWN_COUNTRY, country_of
from .config import Settings
from .events import extract_events, ontology
from .model import Event, Mention
from .normalize import clean_text
from .parse import Parser
from .pipeline import load_knowledge

Triple = tuple[str, str, str]
# The PLOVER gold-standard records (2016) use event types that the current PLOVER ontology, whose
# types the engine emits (events/data/cameo.yaml), merged into others: compared in today's types.
LEGACY_PLOVER = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
}


@dataclass(slots=True)
class PRF:
    """Precision, recall and F1 over sets of items compared record by record."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: set, found: set) -> None:
        self.tp += len(expected & found)
        self.fp += len(found - expected)
        self.fn += len(expected - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(slots=True)
class EventScores:
    records: int = 0
    cameo_records: int = 0  # records whose every expected event has a CAMEO code
    scores: dict[str, PRF] = field(default_factory=dict)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    by_rule: dict[str, list[int]] = field(default_factory=dict)  # rule -> [correct, coded]

    def calibration(self) -> dict[str, float]:
        """Per coding rule, the smoothed share of its events that are right at country level:
        (correct + 1) / (coded + 2), the confidence the coder gives that rule's events."""
        return {
            rule: round((ok + 1) / (n + 2), 3) for rule, (ok, n) in sorted(self.by_rule.items())
        }

    def write_calibration(self, path: Path, *, gold: Path) -> None:
        """Write `calibration()` as the YAML events/data/confidence.yaml reads."""
        header = (
            f"# Share of each coding rule's events right at country level on {gold.name}: "
            "(ok+1)/(n+2)\n"
        )
        rows = "".join(f"{rule}: {value}\n" for rule, value in self.calibration().items())
        path.write_text(header + rows, encoding="utf-8")

    def write_predictions(self, path: Path) -> None:
        """Write the coded events of every record as JSONL (one record a line)."""
        lines = (json.dumps(p, ensure_ascii=False) + "\n" for p in self.predictions)
        path.write_text("".join(lines), encoding="utf-8")

    def score(self, name: str) -> PRF:
        return self.scores.setdefault(name, PRF())


@dataclass(slots=True)
class ActorScores:
    """Country-level actor recognition: expected source/target countries per record versus the
    countries of the actors found in the sentence (`_actor_countries`; a mention of unknown
    country, `---`, claims no country and is not counted)."""

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


def scored(record: dict[str, Any]) -> bool:
    """Whether a gold record is scored: conformance records marked `expect_error` (the reference
    coder is expected to fail) or with `expected: null` are not."""
    return record.get("expected") is not None and not record.get("expect_error")


def evaluate(gold: Path, *, settings: Settings) -> tuple[EventScores, ActorScores]:
    """Code every gold record on its own and score events and actors against it."""
    gazetteer, lexicon = load_knowledge(settings)
    types = ontology()
    records = [r for r in read_gold(gold) if scored(r)]
    texts = [(r["id"], clean_text(r["text"], settings=settings.normalize)) for r in records]
    with Parser(settings.parse, gazetteer.phrases()) as parser:
        parses = list(parser.parse(texts))
    scores, actor_scores = EventScores(), ActorScores()
    for record, parse in zip(records, parses, strict=True):
        published = _gold_date(record.get("date"))
        mentions = extract_actors(parse, gazetteer=gazetteer, published=published)
        events = extract_events(
            parse, mentions, lexicon=lexicon, story_id=record["id"], published=published
        )
        found = [(e.source, e.target, e.code) for e in events]
        _score_rules(scores, record, events, types)
        scores.predictions.append(
            {
                "id": record["id"],
                "events": [
                    {
                        "source": s,
                        "target": t,
                        "code": c,
                        "plover": types[c].plover if c in types else None,
                    }
                    for s, t, c in dict.fromkeys(found)
                ],
            }
        )
        _score_record(scores, record, found, types)
        _score_actors(actor_scores, record, _actor_countries(mentions, events))
    return scores, actor_scores


def _plover(code: str, types: dict) -> str:
    return f"PLOVER:{types[code].plover}" if code in types else f"CAMEO:{code}"


def _score_record(
    scores: EventScores, record: dict[str, Any], found: list[Triple], types: dict
) -> None:
    expected = [_normalized(x, types) for x in record["expected"]]
    scores.records += 1
    gold_full = {(e["source"], e["target"], e["code"]) for e in expected}
    ours_full = {(s, t, _plover(c, types)) for s, t, c in found}
    scores.score("triples, full actor codes, PLOVER type").add(gold_full, ours_full)
    scores.score("triples, country level, PLOVER type").add(
        {(country_of(s), country_of(t), c) for s, t, c in gold_full},
        {(country_of(s), country_of(t), c) for s, t, c in ours_full},
    )
    scores.score("PLOVER type only").add(
        {e["code"] for e in expected}, {c for _, _, c in ours_full}
    )
    if expected and all(e.get("cameo_code") for e in expected):
        scores.cameo_records += 1
        gold_root = {
            (country_of(e["source"]), country_of(e["target"]), e["cameo_code"][:2])
            for e in expected
        }
        scores.score("triples, full actor codes, CAMEO code").add(
            {(x["source"], x["target"], x["cameo_code"]) for x in expected}, set(found)
        )
        scores.score("triples, country level, CAMEO root").add(
            gold_root, {(country_of(s), country_of(t), c[:2]) for s, t, c in found}
        )
        scores.score("CAMEO code only").add(
            {e["cameo_code"] for e in expected}, {c for _, _, c in found}
        )
        scores.score("CAMEO root only").add(
            {e["cameo_code"][:2] for e in expected}, {c[:2] for _, _, c in found}
        )


def _normalized(expected: dict[str, Any], types: dict) -> dict[str, Any]:
    """A gold event whose `code` is a CAMEO code (the conformance suites) also gets its PLOVER
    type, so every measure reads `code` as PLOVER and `cameo_code` as CAMEO; a 2016 PLOVER type
    is read as the current type it became (LEGACY_PLOVER)."""
    code = str(expected["code"])
    if code.startswith("PLOVER:"):
        current = LEGACY_PLOVER.get(code[7:])
        return {**expected, "code": f"PLOVER:{current}"} if current else expected
    return {**expected, "code": _plover(code, types), "cameo_code": code}


def _score_rules(scores: EventScores, record: dict[str, Any], events: list, types: dict) -> None:
    expected = [_normalized(x, types) for x in record["expected"]]
    gold = {(country_of(e["source"]), country_of(e["target"]), e["code"]) for e in expected}
    for event in events:
        tally = scores.by_rule.setdefault(rule_of(event.pattern), [0, 0])
        tally[0] += (
            country_of(event.source),
            country_of(event.target),
            _plover(event.code, types),
        ) in gold
        tally[1] += 1


def rule_of(pattern: str) -> str:
    """The coding rule of an event's pattern string ("verb+object:057:sign +deal" -> "verb+object")."""
    return pattern.split(":", 1)[0]


def _actor_countries(mentions: list[Mention], events: list[Event]) -> set[str]:
    """The countries of the sentence's actors: of every mention but a place's (actors.places:
    "sources in Pakistan", "the town of Samarra"), and of the events' sources and targets,
    a place among them when the coder made it one ("was arrested in Lebanon")."""
    found = {country_of(m.actor_code) for m in mentions if not m.place}
    found |= {country_of(code) for e in events for code in (e.source, e.target)}
    return found - {UNKNOWN_COUNTRY}


def _score_actors(scores: ActorScores, record: dict[str, Any], found: set[str]) -> None:
    expected = {country_of(c) for e in record["expected"] for c in (e["source"], e["target"]) if c}
    scores.records += 1
    scores.expected += len(expected)
    scores.found += len(found)
    scores.matched += len(expected & found)
    if expected != found:
        scores.misses.append(
            {"id": record["id"], "expected": sorted(expected), "found": sorted(found)}
        )


def _gold_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def summary(events: EventScores, actors: ActorScores) -> list[dict[str, Any]]:
    """One row per measure (precision, recall, F1 and counts), the actors' last."""
    rows = [{"measure": name, **prf.as_dict()} for name, prf in events.scores.items()]
    rows.append(
        {
            "measure": "actors, country level",
            "precision": round(actors.precision, 4),
            "recall": round(actors.recall, 4),
            "matched": actors.matched,
            "expected": actors.expected,
            "found": actors.found,
        }
    )
    return rows
