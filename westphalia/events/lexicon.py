"""The event pattern lexicon: CAMEO codes with the verbs and eventive nouns that express them
(events/data/patterns.yaml, extensible with a user file of the same format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

DEFAULT_PREPS = ("with", "to", "against", "on", "at", "for", "from")


@dataclass(frozen=True, slots=True)
class Pattern:
    code: str
    words: tuple[str, ...]  # verb lemma (+ particle/preposition), or the words of a noun
    objects: frozenset[str] = frozenset()  # required direct-object lemmas
    preps: tuple[str, ...] = DEFAULT_PREPS
    intent: bool = False

    @property
    def name(self) -> str:
        """How the pattern is cited in an event's evidence."""
        obj = f" +{'|'.join(sorted(self.objects))}" if self.objects else ""
        return f"{self.code}:{' '.join(self.words)}{obj}"


DEFAULT_CONFIDENCE = 0.5  # for a rule the calibration table does not list


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: dict[str, tuple[Pattern, ...]]  # first word (verb lemma) -> patterns
    nouns: dict[str, tuple[Pattern, ...]]  # last word (noun lemma) -> patterns
    # Coding rule -> share of its events right on the dev gold set (events/data/confidence.yaml,
    # written by `westphalia eval GOLD --calibrate FILE`).
    confidence: dict[str, float] = field(default_factory=dict)

    def confidence_of(self, rule: str) -> float:
        return self.confidence.get(rule, DEFAULT_CONFIDENCE)

    def verb_patterns(self, lemma: str) -> tuple[Pattern, ...]:
        return self.verbs.get(lemma, ())

    def noun_patterns(self, lemma: str) -> tuple[Pattern, ...]:
        return self.nouns.get(lemma, ())


def _entries(data: Any, origin: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(e, dict) and "code" in e for e in data):
        raise ConfigError(f"{origin}: expected a list of entries with a code, verbs and/or nouns")
    return data


def build_lexicon(
    entries: list[dict[str, Any]], *, confidence: dict[str, float] | None = None
) -> Lexicon:
    verbs: dict[str, list[Pattern]] = {}
    nouns: dict[str, list[Pattern]] = {}
    for e in entries:
        code = str(e["code"]).zfill(3) if len(str(e["code"])) < 3 else str(e["code"])
        objects = frozenset(str(o).lower() for o in e.get("objects") or ())
        preps = tuple(e.get("preps") or DEFAULT_PREPS)
        for verb in e.get("verbs") or ():
            words = tuple(str(verb).lower().split())
            verbs.setdefault(words[0], []).append(
                Pattern(code, words, objects, preps, bool(e.get("intent")))
            )
        for noun in e.get("nouns") or ():
            words = tuple(str(noun).lower().split())
            nouns.setdefault(words[-1], []).append(Pattern(code, words, frozenset(), preps))
    order = lambda ps: tuple(sorted(ps, key=lambda p: (-len(p.objects), -len(p.words))))  # noqa: E731 - specific first
    return Lexicon(
        {k: order(v) for k, v in verbs.items()},
        {k: order(v) for k, v in nouns.items()},
        dict(confidence or {}),
    )


@cache
def _bundled_entries() -> tuple[dict[str, Any], ...]:
    text = (files("westphalia.events") / "data" / "patterns.yaml").read_text(encoding="utf-8")
    return tuple(_entries(yaml.safe_load(text), "patterns.yaml"))


def load_lexicon(*, user_patterns: Path | None = None) -> Lexicon:
    """The bundled lexicon; a user file's entries come first (they win on equal specificity)."""
    entries = list(_bundled_entries())
    if user_patterns is not None:
        try:
            user = _entries(
                yaml.safe_load(user_patterns.read_text(encoding="utf-8")), str(user_patterns)
            )
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"Cannot read the event patterns {user_patterns}: {e}") from e
        entries = user + entries
    return build_lexicon(entries, confidence=_calibration())


@cache
def _calibration() -> dict[str, float]:
    path = files("westphalia.events") / "data" / "confidence.yaml"
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
