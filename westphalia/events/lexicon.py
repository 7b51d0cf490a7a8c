"""The event pattern lexicon: CAMEO codes with the verbs and eventive nouns that express them
(events/data/patterns.yaml, extensible with a user file of the same format)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import yaml

from ..dictionaries import Dictionaries, Discard, DiscardMatcher, load_dictionaries
from ..errors import ConfigError
from ..resources import load_yaml
from .verbdict import VerbIndex

DEFAULT_PREPS = ("with", "to", "against", "on", "at", "for", "from")


@dataclass(frozen=True, slots=True)
class Pattern:
    code: str
    words: tuple[str, ...]  # verb lemma (+ particle/preposition), or the words of a noun
    objects: frozenset[str] = frozenset()  # required direct-object lemmas
    preps: tuple[str, ...] = DEFAULT_PREPS
    origin: str = ""  # "FILE:LINE" of a verb-dictionary pattern

    @property
    def name(self) -> str:
        """How the pattern is cited in an event's evidence."""
        obj = f" +{'|'.join(sorted(self.objects))}" if self.objects else ""
        where = f" @{self.origin}" if self.origin else ""
        return f"{self.code}:{' '.join(self.words)}{obj}{where}"


# Phoenix's sentence discards for "history" name years (1914-2013) and "years ago": right for a
# feed of current news, wrong for an archive of any date; westphalia does not apply them.
_DATED_DISCARD = re.compile(r"\d|\b(ago|later)$")
DEFAULT_CONFIDENCE = 0.5  # for a rule the calibration table does not list
_WORD_LISTS = (
    "condition_marks",
    "light_verbs",
    "statement_nouns",
    "purpose_verbs",
    "intent_verbs",
    "intent_adjectives",
    "threat_verbs",
    "refusal_verbs",
    "negating_verbs",
    "appeal_verbs",
    "demand_verbs",
    "demand_nouns",
    "intent_modals",
    "obligation_modals",
    "possibility_modals",
    "speech_verbs",
    "quote_verbs",
    "opposing_prefixes",
)
_CODE_TABLES = (
    "intent_codes",
    "intent_subcodes",
    "threat_codes",
    "refusal_codes",
    "appeal_codes",
    "third_location_codes",
)


@dataclass(frozen=True, slots=True)
class Semantics:
    """The word lists and code tables of events/data/semantics.yaml (see that file)."""

    condition_marks: frozenset[str]
    light_verbs: frozenset[str]
    statement_nouns: frozenset[str]
    purpose_verbs: frozenset[str]
    intent_verbs: frozenset[str]
    intent_adjectives: frozenset[str]
    threat_verbs: frozenset[str]
    refusal_verbs: frozenset[str]
    negating_verbs: frozenset[str]
    appeal_verbs: frozenset[str]
    demand_verbs: frozenset[str]
    intent_modals: frozenset[str]
    obligation_modals: frozenset[str]
    possibility_modals: frozenset[str]
    speech_verbs: frozenset[str]
    quote_verbs: frozenset[str]
    reciprocal_roots: frozenset[str]
    place_doer_roots: frozenset[str]
    intent_codes: dict[str, str]
    intent_subcodes: dict[str, str]
    threat_codes: dict[str, str]
    refusal_codes: dict[str, str]
    appeal_codes: dict[str, str]
    third_location_codes: dict[str, str]  # code -> its code when held in neither side's country
    accusation_codes: dict[str, str]  # word -> 112x (what the accusation is of)
    change_kinds: dict[str, str]  # word -> last digit of 104x/14xy (the change demanded)
    demand_nouns: frozenset[str]
    opposing_prefixes: frozenset[str]  # "anti-X": X is what the phrase is against

    def lookup(self, table: str, code: str, default: str) -> str:
        """The most specific entry of a code table for `code`: the code itself, then its
        shorter prefixes down to the root ("0712" -> "071" -> "07")."""
        entries = getattr(self, table)
        for n in range(len(code), 1, -1):
            if code[:n] in entries:
                return entries[code[:n]]
        return default


def build_semantics(data: dict[str, Any], *, extra: dict[str, Any] | None = None) -> Semantics:
    """Semantics from the parsed YAML; `extra` (a user file's `semantics:`) adds words and
    overrides table entries."""
    extra = extra or {}
    values: dict[str, Any] = {}
    for key in _WORD_LISTS:
        values[key] = frozenset(str(w).lower() for w in [*data.get(key, ()), *extra.get(key, ())])
    for key in ("reciprocal_roots", "place_doer_roots"):
        values[key] = frozenset(str(r).zfill(2) for r in [*data.get(key, ()), *extra.get(key, ())])
    for key in _CODE_TABLES:
        values[key] = {str(k): str(v) for k, v in {**data[key], **extra.get(key, {})}.items()}
    for key in ("accusation_codes", "change_kinds"):  # code -> words, read as word -> code
        values[key] = {
            str(word).lower(): str(code)
            for table in (data.get(key, {}), extra.get(key, {}))
            for code, words in table.items()
            for word in words
        }
    return Semantics(**values)


@cache
def _semantics_data() -> dict[str, Any]:
    text = (files("westphalia.events") / "data" / "semantics.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


@cache
def bundled_semantics() -> Semantics:
    return build_semantics(_semantics_data())


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: dict[str, tuple[Pattern, ...]]  # first word (verb lemma) -> patterns
    nouns: dict[str, tuple[Pattern, ...]]  # last word (noun lemma) -> patterns
    # Coding rule -> share of its events right on the dev gold set (events/data/confidence.yaml,
    # written by `westphalia eval GOLD --calibrate FILE`).
    confidence: dict[str, float] = field(default_factory=dict)
    semantics: Semantics = field(default_factory=lambda: bundled_semantics())
    # PETRARCH/TABARI verb dictionaries: the user's own (tried first) and the bundled Phoenix
    # CAMEO.2.0 (tried after patterns.yaml); sentences matching a discard are not coded.
    user_verbs: VerbIndex | None = None
    phoenix_verbs: VerbIndex | None = None
    discards: tuple[Discard, ...] = ()
    discarded: DiscardMatcher | None = None  # the discards as one matcher (build_lexicon)
    # The user dictionaries' coding ontology: a negated verb of code K is coded negations[K]
    negations: dict[str, str] = field(default_factory=dict)

    def confidence_of(self, rule: str) -> float:
        return self.confidence.get(rule, DEFAULT_CONFIDENCE)

    def verb_patterns(self, lemma: str) -> tuple[Pattern, ...]:
        return self.verbs.get(lemma, ())

    def noun_patterns(self, lemma: str) -> tuple[Pattern, ...]:
        return self.nouns.get(lemma, ())


def _entries(data: Any, origin: str) -> list[dict[str, Any]]:
    if isinstance(data, dict):  # a user file with `patterns:` and `semantics:`
        data = data.get("patterns", [])
    if not isinstance(data, list) or not all(isinstance(e, dict) and "code" in e for e in data):
        raise ConfigError("E012", path=origin)
    return data


def build_lexicon(
    entries: list[dict[str, Any]],
    *,
    confidence: dict[str, float] | None = None,
    semantics: Semantics | None = None,
    user_verbs: VerbIndex | None = None,
    phoenix_verbs: VerbIndex | None = None,
    discards: tuple[Discard, ...] = (),
    negations: dict[str, str] | None = None,
) -> Lexicon:
    verbs: dict[str, list[Pattern]] = {}
    nouns: dict[str, list[Pattern]] = {}
    for e in entries:
        code = str(e["code"]).zfill(3) if len(str(e["code"])) < 3 else str(e["code"])
        objects = frozenset(str(o).lower() for o in e.get("objects") or ())
        preps = tuple(e.get("preps") or DEFAULT_PREPS)
        for verb in e.get("verbs") or ():
            words = tuple(str(verb).lower().split())
            verbs.setdefault(words[0], []).append(Pattern(code, words, objects, preps))
        for noun in e.get("nouns") or ():
            words = tuple(str(noun).lower().split())
            nouns.setdefault(words[-1], []).append(Pattern(code, words, frozenset(), preps))
    # Specific first: patterns naming an object, then longer phrases, then longer codes (of two
    # patterns matching one object, "eased emergency measures", the finer code is the reading)
    order = lambda ps: tuple(  # noqa: E731
        sorted(ps, key=lambda p: (not p.objects, -len(p.words), -len(p.code)))
    )
    return Lexicon(
        {k: order(v) for k, v in verbs.items()},
        {k: order(v) for k, v in nouns.items()},
        dict(confidence or {}),
        semantics or bundled_semantics(),
        user_verbs,
        phoenix_verbs,
        discards,
        DiscardMatcher(discards) if discards else None,
        dict(negations or {}),
    )


@cache
def _bundled_entries() -> tuple[dict[str, Any], ...]:
    text = (files("westphalia.events") / "data" / "patterns.yaml").read_text(encoding="utf-8")
    return tuple(_entries(load_yaml(text), "patterns.yaml"))


@cache
def _phoenix() -> tuple[VerbIndex | None, tuple[Discard, ...]]:
    with as_file(files("westphalia.events") / "data" / "phoenix") as folder:
        bundle = load_dictionaries(Path(folder))
    return (VerbIndex(bundle.verbs) if bundle.verbs else None), tuple(
        d for d in bundle.discards if d.story or not _DATED_DISCARD.search(d.phrase)
    )


def load_lexicon(
    *,
    user_patterns: Path | None = None,
    dictionaries: Dictionaries | None = None,
    phoenix: bool = True,
) -> Lexicon:
    """The bundled lexicon; a user file's entries come first (they win on equal specificity).
    `dictionaries` are a user's PETRARCH/TABARI dictionaries (westphalia.dictionaries), whose
    verbs are tried before everything else; `phoenix` adds the bundled Phoenix verb dictionary
    and discards last."""
    entries = list(_bundled_entries())
    semantics = bundled_semantics()
    if user_patterns is not None:
        try:
            data = load_yaml(user_patterns.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError("E011", path=user_patterns, reason=e) from e
        entries = _entries(data, str(user_patterns)) + entries
        if isinstance(data, dict) and data.get("semantics"):
            semantics = build_semantics(_semantics_data(), extra=data["semantics"])
    user_verbs = VerbIndex(dictionaries.verbs) if dictionaries and dictionaries.verbs else None
    discards = dictionaries.discards if dictionaries else ()
    phoenix_verbs, phoenix_discards = _phoenix() if phoenix else (None, ())
    return build_lexicon(
        entries,
        confidence=_calibration(),
        semantics=semantics,
        user_verbs=user_verbs,
        phoenix_verbs=phoenix_verbs,
        discards=discards + phoenix_discards,
        negations=dict(dictionaries.negations) if dictionaries else None,
    )


@cache
def _calibration() -> dict[str, float]:
    path = files("westphalia.events") / "data" / "confidence.yaml"
    return dict(load_yaml(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
