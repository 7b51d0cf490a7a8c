"""Parse: the ONLY module that imports spaCy.

Runs the English pipeline (`nlp.pipe` in batches) plus phrase matchers built from plain
pattern data (the gazetteer's names, the role lexicon), and converts each Doc into a
`Parse`: sentences, tokens with their dependency arcs, named entities and phrase matches,
all as character offsets into the article's normalized text. No spaCy object leaves here.

Parse less (parse.select = "actors", issue 13): before the pipeline runs, each piece is
tokenized, split into sentences by rule and searched with the phrase matchers
(`select_sentences`); a sentence that names no actor and holds no quote is stored without
tokens (`Parse.skipped`); the rest are parsed. Runs of parsed sentences are parsed together,
so the parser still segments them itself.

Entities (parse.entities): with "rules", the default, the entity recognizer is not loaded;
dates come from a token matcher (`DateMatcher`) and proper-noun runs are NAME entities, of
which the actor stage makes persons (`rule_entities`). With "model" the recognizer runs on the
sentences that can carry an event (two names, or a name and a pronoun: `Level.FULL`).

The model runs with numpy's BLAS, one thread per process, instead of blis, and the parser and
the entity recognizer step from Python (`_Stepwise`), as spaCy's training loop runs them: the
same annotations as stock spaCy's at less than half its CPU (see `_load`).

Parse workers (parse.processes - 1 of them, beside the process that codes) are spawned, each
loading the model and building the matchers; with parse.fork_server they are forked from
multiprocessing's fork server, started once per process with those already loaded
(westphalia.parse_server).

Guards keep the cost of one document linear and bounded (issue 11):
- degenerate tokens are blanked first (`neutralise`): runs of more than SYMBOL_RUN symbols and
  whitespace-free tokens longer than `parse.max_token_chars` become spaces of the same length,
  so every offset still points into the stored text;
- a text is parsed in pieces of at most `parse.chunk_chars` characters cut at paragraph, then
  sentence, then word boundaries (`pieces`), stitched back with their token, sentence and
  character offsets; an nlp.pipe batch holds at most `parse.batch_chars` characters, which
  bounds spaCy's memory (~17 KB per token while parsing) whatever the document's length;
- a document unfinished after `parse.time_budget` seconds is given up (a `Failure`, E301). In
  worker processes the parent kills the worker at the budget, starts another and hands the
  rest of its work on; in this process (processes=1, or a small batch) the budget is checked
  between pipe batches, so a document stops at most one batch (batch_chars) late;
- workers die with their parent (westphalia.workers).
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import pickle
import re
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from functools import cache
from typing import Any

from .config import ParseSettings
from .errors import ConfigError, InputError, input_error
from .model import Sentence, Span
from .workers import Pool


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase to match: `key` is what a match reports back (e.g. "country:PAK")."""

    key: str
    text: str
    case_sensitive: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # by constructor: the slots dataclass's own pickling looks its fields up for each of
        # the 42,000 phrases every parse worker receives (0.23 s a worker)
        return (Phrase, (self.key, self.text, self.case_sensitive))


@dataclass(frozen=True, slots=True)
class Token:
    i: int  # index in the document
    start: int  # character offsets into the normalized text
    end: int
    text: str
    lemma: str
    pos: str  # universal POS
    tag: str  # fine-grained tag
    dep: str
    head: int  # index of the syntactic head (itself for a root)
    sent: int  # sentence index
    ent: str  # entity label of the token ("" outside entities)


@dataclass(frozen=True, slots=True)
class Entity:
    label: str
    start: int  # token indices, end exclusive
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    start: int  # token indices, end exclusive
    end: int


@dataclass(frozen=True, slots=True)
class Parse:
    article_id: str
    text: str
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]
    matches: tuple[Match, ...]
    # Indices of the sentences not parsed (parse.select = "actors"): stored, without tokens
    skipped: frozenset[int] = frozenset()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as rows of plain values (a parse crosses from a worker process): the slots
        dataclasses' own pickling looks up their fields for every token, and took a third of
        the coding process's time on 1,000 wire stories."""
        return (
            _rebuilt,
            (
                self.article_id,
                self.text,
                [(s.index, s.span.start, s.span.end, s.text) for s in self.sentences],
                [
                    (
                        t.i,
                        t.start,
                        t.end,
                        t.text,
                        t.lemma,
                        t.pos,
                        t.tag,
                        t.dep,
                        t.head,
                        t.sent,
                        t.ent,
                    )
                    for t in self.tokens
                ],
                [(e.label, e.start, e.end) for e in self.entities],
                [(m.key, m.start, m.end) for m in self.matches],
                self.skipped,
            ),
        )

    def span(self, start: int, end: int) -> Span:
        """Character span of tokens [start, end)."""
        return Span(self.tokens[start].start, self.tokens[end - 1].end)

    def dependents(self) -> dict[int, list[Token]]:
        """Every token's dependents, by the index of its head, in document order (one pass:
        build it once per document and keep it)."""
        found: dict[int, list[Token]] = {}
        for token in self.tokens:
            if token.head != token.i:
                found.setdefault(token.head, []).append(token)
        return found

    def tokens_within(self, span: Span) -> range:
        """Indices of the tokens lying wholly inside `span` (a mention's words)."""
        first = bisect_left(self.tokens, span.start, key=lambda t: t.start)
        last = first
        while last < len(self.tokens) and self.tokens[last].end <= span.end:
            last += 1
        return range(first, last)


def _rebuilt(
    article_id: str,
    text: str,
    sentences: list[tuple[int, int, int, str]],
    tokens: list[tuple[Any, ...]],
    entities: list[tuple[str, int, int]],
    matches: list[tuple[str, int, int]],
    skipped: frozenset[int],
) -> Parse:
    """A Parse from the rows of `Parse.__reduce__` (tag, POS and dependency names interned
    again: the coder compares them by the thousand)."""
    intern = sys.intern
    return Parse(
        article_id,
        text,
        tuple(Sentence(article_id, i, Span(a, b), t) for i, a, b, t in sentences),
        tuple(
            Token(i, a, b, t, lemma, intern(pos), intern(tag), intern(dep), head, sent, intern(ent))
            for i, a, b, t, lemma, pos, tag, dep, head, sent, ent in tokens
        ),
        tuple(Entity(*e) for e in entities),
        tuple(Match(*m) for m in matches),
        skipped,
    )


@dataclass(frozen=True, slots=True)
class Failure:
    """A document the parser gave up on: `code` is E301 (over parse.time_budget) or E302 (its
    worker process died); `fields` fill that message of the catalogue."""

    article_id: str
    code: str
    fields: dict[str, Any]

    def error(self, source: str, locator: str = "") -> InputError:
        return input_error(self.code, source=source, locator=locator, **self.fields)


# Runs of more symbols than this in a row are blanked: the tokenizer splits punctuation one
# affix at a time, quadratic in the run (measured on a 2-core machine: 100 '!' 2 ms, 1,000
# 260 ms, 4,000 4.2 s; 20,000 underscores 36 s). Rules and ellipses are shorter than this.
SYMBOL_RUN = 10
_SYMBOLS = re.compile(rf"(?:[^\w\s]|_){{{SYMBOL_RUN + 1},}}")
# Where a piece may end, best first: a paragraph break, a sentence end, any space (each with
# the whitespace after it, so the next piece starts on a word).
_CUTS = (re.compile(r"\n\s*"), re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+"), re.compile(r"\s+"))


def neutralise(text: str, *, max_token_chars: int) -> str:
    """`text` with degenerate tokens blanked by spaces of the same length: runs of more than
    SYMBOL_RUN symbols or punctuation marks, and whitespace-free runs over `max_token_chars`."""
    text = _SYMBOLS.sub(_blank, text)
    return _long_tokens(max_token_chars).sub(_blank, text)


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


@cache
def _long_tokens(max_token_chars: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!\S)\S{{{max_token_chars + 1},}}")


def pieces(text: str, *, size: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) spans covering `text`, each at most `size` characters, cut at
    the last paragraph break of a piece's second half, else its last sentence end, else its
    last space, else at `size`."""
    spans, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, limit: int) -> int:
    half = start + (limit - start) // 2
    for pattern in _CUTS:
        end = None
        for found in pattern.finditer(text, half, limit):
            end = found.end()
        if end is not None:
            return end
    return limit


# Below this many texts, or characters, a batch is parsed in this process: starting the worker
# processes (each loads the model and builds the matchers, about 3 s) only pays off on larger
# batches. 200,000 characters take ~10 s in one process on a loaded 2-core machine.
MIN_PARALLEL_TEXTS = 64
MIN_PARALLEL_CHARS = 200_000
_MATCHER_CHUNK = 500  # phrases tokenized at a time when building the phrase matchers
# At most this many parse workers with parse.processes = 0: each holds its own model and
# matchers (WORKER_MB), and one coding process takes the results of them all.
MAX_WORKERS = 4
# Resident memory of one parse worker: the model, the phrase matchers and a batch being parsed
# (about 250 MB each in benchmarks/memory_streaming.py).
WORKER_MB = 250


def _usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _available_bytes() -> int | None:
    """Memory available for new processes (Linux's MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class Parser:
    """A loaded spaCy pipeline with phrase matchers; reuse it across batches, then `close()`.

    With `settings.processes` > 1 (0: see `processes`), large batches are split across
    `processes` - 1 worker processes that each load the model once, while this process codes
    what they have parsed; results come back in order.
    """

    def __init__(self, settings: ParseSettings, phrases: Sequence[Phrase] | None = ()) -> None:
        """`phrases` None: given later (`give_phrases`), so that `start` can start the
        workers before the gazetteer that has them is loaded."""
        self.settings = settings
        self._phrases = None if phrases is None else tuple(phrases)
        self._start_wanted = False
        self._pool: Pool | None = None
        # The model loads on first use in this process: a parent whose workers do the parsing
        # never pays for it (~1.2 s); a model that is not installed is an error at once.
        try:
            installed = importlib.util.find_spec(settings.model) is not None
        except (ImportError, ValueError):  # a dotted name whose parent is missing, or ""
            installed = False
        if not installed:
            raise ConfigError("E010", model=settings.model, reason="no such package")
        self._nlp: Any = None
        self._matchers: tuple[Any, Any] | None = None  # built on first use in this process
        self._sentencizer: Any = None
        self._dates: Any = None  # the date matcher (parse.entities = "rules"), built on first use
        # Submitted to the workers (see `submit`): items by their index, across submissions,
        # until their outcome arrives; outcomes until their submission's `results` takes them.
        self._next_index = 0
        self._outstanding: dict[int, tuple[int, str, str]] = {}
        self._arrived: dict[int, Parse | Failure] = {}

    @property
    def nlp(self) -> Any:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            try:
                self._nlp = _load(self.settings.model, ner=self.settings.entities == "model")
            except OSError as e:
                raise ConfigError("E010", model=self.settings.model, reason=e) from e
        return self._nlp

    def _phrase_matchers(self) -> tuple[Any, Any]:
        """The exact and lower-case phrase matchers, built when this process first parses: a
        parent whose workers do the parsing never pays for them (~0.2 s for 43,000 phrases,
        see `phrase_keys`)."""
        if self._matchers is None:
            from spacy.matcher import PhraseMatcher

            if self._phrases is None:
                raise RuntimeError("the parser's phrases were never given (Parser.give_phrases)")

            exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
            lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
            by_key: dict[tuple[str, bool], list[str]] = {}
            for phrase in self._phrases:
                by_key.setdefault((phrase.key, phrase.case_sensitive), []).append(phrase.text)
            for (key, case_sensitive), texts in by_key.items():
                matcher = exact if case_sensitive else lower
                # a few hundred at a time: the Docs of one key's 24,000 phrases held at once
                # left ~200 MB with the process for good (freed, not returned to the system)
                for start in range(0, len(texts), _MATCHER_CHUNK):
                    chunk = texts[start : start + _MATCHER_CHUNK]
                    matcher.add(key, phrase_keys(self.nlp, chunk, lower=not case_sensitive))
            self._matchers = (exact, lower)
        return self._matchers

    @property
    def processes(self) -> int:
        """The processes a run parses and codes with, parse.processes: this one, which codes,
        and `workers` parse workers beside it. With 0 what the machine affords: one per usable
        core, at most MAX_WORKERS workers, and no more workers than half the available memory
        holds (WORKER_MB each)."""
        if self.settings.processes:
            return self.settings.processes
        wanted = min(_usable_cores() - 1, MAX_WORKERS)
        available = _available_bytes()
        if available is not None:
            wanted = min(wanted, available // 2 // (WORKER_MB * 2**20))
        return 1 + max(0, wanted)

    @property
    def workers(self) -> int:
        """Parse worker processes for large batches (0: everything is parsed in this process)."""
        return self.processes - 1

    def parse(self, items: Iterable[tuple[str, str]]) -> Iterator[Parse]:
        """Parse (article id, normalized text) pairs, in order. A document given up on raises
        its InputError (E301, E302); `parse_each` reports it in place and goes on."""
        for result in self.parse_each(items):
            if isinstance(result, Failure):
                raise result.error(result.article_id)
            yield result

    def parse_each(self, items: Iterable[tuple[str, str]]) -> Iterator[Parse | Failure]:
        """Parse (article id, normalized text) pairs: a Parse, or a Failure for a document
        given up on, for each pair in order."""
        return self.results(self.submit(items))

    def submit(self, items: Iterable[tuple[str, str]]) -> Submission:
        """Start parsing (article id, normalized text) pairs; `results` gives their parses.
        A batch big enough for the worker processes is queued for them at once, behind what
        was submitted before, so they parse it while the caller works on earlier results; a
        small one is parsed in this process when its results are read."""
        pairs = list(items)
        big = sum(len(text) for _, text in pairs) >= MIN_PARALLEL_CHARS
        pooled = self.workers > 0 and (len(pairs) >= MIN_PARALLEL_TEXTS or big)
        submission = Submission(pairs, pooled)
        if pooled:
            self._queue(submission, range(len(pairs)))
        return submission

    def results(self, submission: Submission) -> Iterator[Parse | Failure]:
        """A submission's results, a Parse or a Failure (a document given up on) for each
        pair, in order. Leaving early drops the rest of the submission's work."""
        if not submission.pooled:
            yield from self._in_process(submission.pairs)
            return
        try:
            while submission.taken < len(submission.pairs):
                index = submission.indices[submission.taken]
                if index not in self._arrived and index not in self._outstanding:
                    self._queue(submission, self._lost(submission))  # to an error (`_reset`)
                    continue
                # waits for this result; else, with it here, still hands out work to idle
                # workers before the caller works on it
                self._poll(0.0 if index in self._arrived else None)
                if index in self._arrived:
                    submission.taken += 1
                    yield self._arrived.pop(index)
        finally:
            rest = set(submission.indices[submission.taken :])
            if rest:  # left early: drop what is left of this submission
                if self._pool is not None:
                    self._pool.discard(rest)
                for index in rest:
                    self._arrived.pop(index, None)
                    self._outstanding.pop(index, None)

    def poll(self) -> None:
        """Hand out queued work to idle workers and take what they sent, without waiting (a
        caller busy between `results` calls keeps the workers fed). An error here is dropped:
        the work it lost is queued again, and `results` raises the error if it happens again."""
        if not self._outstanding:
            return
        with contextlib.suppress(Exception):
            self._poll(0.0)

    def _lost(self, submission: Submission) -> list[int]:
        """The positions of the submission's pairs not read yet whose work was dropped."""
        return [
            position
            for position in range(submission.taken, len(submission.pairs))
            if submission.indices[position] not in self._arrived
            and submission.indices[position] not in self._outstanding
        ]

    def _queue(self, submission: Submission, positions: Iterable[int]) -> None:
        """Queue the submission's pairs at `positions` for the workers, each under a new index
        (across submissions, so outcomes are told apart)."""
        indexed = []
        for position in positions:
            article_id, text = submission.pairs[position]
            index, self._next_index = self._next_index, self._next_index + 1
            submission.indices[position] = index
            self._outstanding[index] = (index, article_id, text)
            indexed.append((index, article_id, text))
        if indexed:
            self._workers().submit(balanced_tasks(indexed, self.workers * 2))

    def _poll(self, timeout: float | None) -> None:
        """One round of the pool (see `workers.Pool.poll`); its outcomes kept until taken. On
        an error all outstanding work is dropped (`_reset`) and the error raised."""
        try:
            outcomes = self._workers().poll(timeout)
        except BaseException:
            self._reset()
            raise
        for index, kind, value in outcomes:
            item = self._outstanding.pop(index, None)
            if item is not None:  # else: of a submission left early, or lost
                self._arrived[index] = value if kind == "done" else self._failure(item, kind, value)

    def _reset(self) -> None:
        """Drop all outstanding work (queued or on a worker: the workers are replaced); each
        submission queues what it lost again when its results are read."""
        self._outstanding.clear()
        if self._pool is not None:
            self._pool.cancel()

    def _in_process(self, pairs: list[tuple[str, str]]) -> Iterator[Parse | Failure]:
        """Parse `pairs` in this process, in order."""
        indexed = [(i, article_id, text) for i, (article_id, text) in enumerate(pairs)]
        pending: dict[int, Parse | Failure] = {}
        following = 0
        for event in self._stream(indexed):
            if event[0] == "begin":
                continue
            kind, index, value = event
            pending[index] = value if kind == "done" else self._failure(indexed[index], kind, value)
            while following in pending:
                yield pending.pop(following)
                following += 1

    def _failure(self, item: tuple[int, str, str], kind: str, value: Any) -> Failure:
        _, article_id, text = item
        if kind == "over":
            fields = {"seconds": value, "budget": self.settings.time_budget, "size": len(text)}
            return Failure(article_id, "E301", fields)
        return Failure(article_id, "E302", {"size": len(text), "reason": value})

    def start(self) -> None:
        """Start the worker processes now (they also start on the first big parse). Spawned
        workers start even before the phrases are given: each imports spaCy and loads the
        model meanwhile (about 1.3 s), then builds the matchers once they come; a fork server
        needs the phrases to start, so its workers wait for them."""
        if not self.workers:
            return
        if self._phrases is None and self.settings.fork_server:
            self._start_wanted = True
            return
        self._workers()

    def give_phrases(self, phrases: Sequence[Phrase]) -> None:
        """The phrases of a parser made without them; its workers get them now."""
        self._phrases = tuple(phrases)
        if self._pool is not None:
            self._pool.set_up((self.settings, self._phrases))
        elif self._start_wanted:
            self._workers()

    def load(self) -> None:
        """Load the model and build the matchers in this process now (they load on first use)."""
        self._phrase_matchers()
        self._date_matcher()

    def _workers(self) -> Pool:
        if self._pool is None:
            phrases = self._phrases
            self._pool = Pool(
                self.workers,
                _parse_worker,
                None if phrases is None else (self.settings, phrases),
                budget=self.settings.time_budget,
                start_method="spawn" if phrases is None else _start_method(self.settings, phrases),
                preload=(_preload, (self.settings.model, self.settings.entities == "model")),
            )
        return self._pool

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._outstanding.clear()
        self._arrived.clear()

    def _stream(self, items: Sequence[tuple[int, str, str]]) -> Iterator[tuple[Any, ...]]:
        """Parse (index, article id, text) items. Yields ("begin", [index]) before each pipe
        batch with the documents it starts or continues, ("done", index, Parse) when a document
        is finished and ("over", index, seconds) when one is given up after the time budget
        (checked before each batch)."""
        budget = self.settings.time_budget
        started: dict[int, float] = {}
        partial: dict[int, _Stitcher] = {}
        dropped: set[int] = set()
        for batch in self._batches(items):
            now = time.monotonic()
            for index in dict.fromkeys(p.index for p in batch if p.index in started):
                if index not in dropped and now - started[index] > budget:
                    dropped.add(index)
                    partial.pop(index, None)
                    yield ("over", index, now - started[index])
            batch = [p for p in batch if p.index not in dropped]
            if not batch:
                continue
            indices = list(dict.fromkeys(p.index for p in batch))
            yield ("begin", indices)
            for index in indices:
                started.setdefault(index, now)
            docs = self._docs(batch)
            for piece in batch:
                stitcher = partial.setdefault(piece.index, _Stitcher(piece.article_id, piece.whole))
                stitcher.skip(piece.skipped)
                if piece.text is not None:
                    doc = next(docs[piece.entities])
                    stitcher.add(doc, piece.start, self._phrase_matchers(), self._date_matcher())
                if piece.last:
                    yield ("done", piece.index, partial.pop(piece.index).parse())

    def _date_matcher(self) -> Any:
        """The token matcher of dates (parse.entities = "rules"; None with "model")."""
        if self._dates is None and self.settings.entities == "rules":
            self._dates = DateMatcher(self.nlp.vocab)
        return self._dates

    def _docs(self, batch: list[_Piece]) -> dict[bool, Iterator[Any]]:
        """The Docs of a batch's pieces that have text, in order, by whether the entity
        recognizer ran on them (it costs as much as the rest of the pipeline together; with
        parse.entities = "rules" it is not loaded, and no piece asks for it)."""
        full = [p.text for p in batch if p.text is not None and p.entities]
        light = [p.text for p in batch if p.text is not None and not p.entities]
        with _one_blas_thread():
            docs = {True: iter(list(self.nlp.pipe(full, batch_size=max(1, len(full)))))}
            with self.nlp.select_pipes(disable=[n for n in ("ner",) if n in self.nlp.pipe_names]):
                docs[False] = iter(list(self.nlp.pipe(light, batch_size=max(1, len(light)))))
        return docs

    def _batches(self, items: Sequence[tuple[int, str, str]]) -> Iterator[list[_Piece]]:
        """The documents' pieces in order, grouped into pipe batches of the pieces of at most
        batch_size documents and batch_chars characters (a bigger piece is a batch of its
        own). Documents are counted, not pieces: with parse.select = "actors" a document is
        several short runs of sentences, and batches of 64 such runs left the model's batched
        matrix work a fraction of what it is on whole texts (~7% more parse time)."""
        settings = self.settings
        batch: list[_Piece] = []
        chars = documents = 0
        for index, article_id, text in items:
            clean = neutralise(text, max_token_chars=settings.max_token_chars)
            for n, piece in enumerate(self._units(clean, index, article_id, text)):
                size = len(piece.text or "")
                more = n == 0 and documents >= settings.batch_size  # a new document, no room
                if batch and (more or chars + size > settings.batch_chars):
                    yield batch
                    batch, chars, documents = [], 0, 0
                if n == 0 or not batch:  # a document's first piece, or the rest of one cut off
                    documents += 1
                batch.append(piece)
                chars += size
        if batch:
            yield batch

    def _units(self, clean: str, index: int, article_id: str, whole: str) -> list[_Piece]:
        """The pieces of one document to parse, in order: with parse.select = "all" (or no
        phrases to select by) its chunks; with "actors" the runs of sentences of one level
        (see `select_sentences`) of each chunk, each carrying the unparsed sentences before it.
        The last piece is marked `last` (it has no text when the document ends with unparsed
        sentences, or has none parsed)."""
        chunks = pieces(clean, size=self.settings.chunk_chars)
        if self.settings.select == "all" or not self._phrases:
            return [
                _Piece(index, article_id, whole, clean[start:end], start, n == len(chunks))
                for n, (start, end) in enumerate(chunks, start=1)
            ]
        units: list[_Piece] = []
        unparsed: list[tuple[int, int]] = []
        for start, end in chunks:
            for r_start, r_end, level in self._regions(clean[start:end], start):
                if level is Level.SKIP:
                    unparsed.append((r_start, r_end))
                    continue
                text = clean[r_start:r_end]
                units.append(
                    _Piece(
                        index,
                        article_id,
                        whole,
                        text,
                        r_start,
                        False,
                        tuple(unparsed),
                        entities=level is Level.FULL,
                    )
                )
                unparsed = []
        if unparsed or not units:
            units.append(_Piece(index, article_id, whole, None, len(clean), False, tuple(unparsed)))
        units[-1] = replace(units[-1], last=True)
        return units

    def _regions(self, text: str, offset: int) -> list[tuple[int, int, Level]]:
        """A chunk as (start, end, level) in the document: each skipped sentence on its own,
        each run of parsed sentences of one level as one region."""
        sentences = select_sentences(
            self.nlp.make_doc(text), self._phrase_matchers(), self._rough_sentences(), text=text
        )
        regions: list[tuple[int, int, Level]] = []
        for start, end, level in sentences:
            if level is Level.FULL and self.settings.entities == "rules":
                level = Level.PARSE  # no recognizer to run: one run of parsed sentences
            if level is not Level.SKIP and regions and regions[-1][2] is level:
                regions[-1] = (regions[-1][0], end + offset, level)  # the run goes on
            else:
                regions.append((start + offset, end + offset, level))
        return regions

    def _rough_sentences(self) -> RoughSentences:
        """The rule-based sentence splitter of the selection pass (no model)."""
        if self._sentencizer is None:
            self._sentencizer = RoughSentences(self.nlp.vocab)
        return self._sentencizer


def balanced_tasks(items: Sequence[tuple[int, str, str]], count: int) -> list[list[Any]]:
    """(index, article id, text) items cut into at most `count` runs of consecutive items of
    about as many characters each (two per worker: a worker that finishes first takes
    another). Cut by number of items, one of 1,000 Reuters stories' batches was 76,000
    characters in one task against 38,000 in another, and one worker sat idle for a third of
    the batch."""
    total = sum(len(text) + 1 for _, _, text in items)  # + 1: empty texts are shared out too
    tasks: list[list[Any]] = [[]]
    done = 0
    for item in items:
        size = len(item[2]) + 1
        # a run ends before the item whose middle lies past the run's share of the characters
        if tasks[-1] and len(tasks) < count and done + size / 2 > total * len(tasks) / count:
            tasks.append([])
        tasks[-1].append(item)
        done += size
    return [task for task in tasks if task]


def phrase_keys(nlp: Any, texts: Sequence[str], *, lower: bool) -> list[tuple[int, ...]]:
    """The phrases as a PhraseMatcher pattern holds them (its unpickling adds them so): the
    hashes of their tokens' ORTH, or LOWER with `lower`, tokens as the tokenizer makes them. A
    phrase of plain words (letters only, one space between them, none of the tokenizer's
    special cases such as "cannot") is split at its spaces: no prefix, suffix or infix rule
    splits a run of letters. Only the others are tokenized: a Doc per phrase made a vocabulary
    entry for each new word, most of the parse workers' start-up (~1.5 s for 43,000 phrases)
    and memory they kept."""
    from spacy.attrs import LOWER, ORTH

    special = nlp.tokenizer.rules or {}
    add = nlp.vocab.strings.add
    keys: list[tuple[int, ...]] = []
    hard: list[tuple[int, str]] = []
    for text in texts:
        words = text.split(" ")
        if all(w.isalpha() and w not in special for w in words):
            keys.append(tuple(add(w.lower() if lower else w) for w in words))
        else:
            hard.append((len(keys), text))
            keys.append(())
    attr = LOWER if lower else ORTH
    for (at, _), doc in zip(hard, nlp.tokenizer.pipe(t for _, t in hard), strict=True):
        keys[at] = tuple(doc.to_array([attr]).tolist())
    return keys


@dataclass(slots=True)
class Submission:
    """Pairs submitted to a Parser (`Parser.submit`), whose results are read once, in order."""

    pairs: list[tuple[str, str]]  # (article id, normalized text)
    pooled: bool  # parsed by the worker processes (else in the caller's, as they are read)
    indices: list[int] = field(init=False)  # each pair's index in the pool
    taken: int = 0  # results read so far

    def __post_init__(self) -> None:
        self.indices = [-1] * len(self.pairs)


@dataclass(frozen=True, slots=True)
class _Piece:
    index: int  # of the document in its batch
    article_id: str
    whole: str  # the document's text as stored
    text: str | None  # this piece of it, neutralised (None: nothing left to parse)
    start: int  # where the piece starts in the document
    last: bool
    # (start, end) of the sentences before this piece that are not parsed (parse.select)
    skipped: tuple[tuple[int, int], ...] = ()
    entities: bool = True  # run the entity recognizer on it (see `Level`)


class _Stitcher:
    """Builds one document's Parse from its pieces' Docs, shifting every offset."""

    def __init__(self, article_id: str, text: str) -> None:
        self.article_id, self.text = article_id, text
        self.sentences: list[Sentence] = []
        self.tokens: list[Token] = []
        self.entities: list[Entity] = []
        self.matches: list[Match] = []
        self.skipped: list[int] = []

    def skip(self, spans: Iterable[tuple[int, int]]) -> None:
        """Sentences not parsed (parse.select): stored with their text, without tokens."""
        for start, end in spans:
            clean = self.text[start:end].rstrip()
            self.skipped.append(len(self.sentences))
            self.sentences.append(
                Sentence(
                    self.article_id, len(self.sentences), Span(start, start + len(clean)), clean
                )
            )

    def add(self, doc: Any, offset: int, matchers: tuple[Any, Any], dates: Any) -> None:
        """Add the Doc of the piece starting at character `offset`: its entities are the
        recognizer's, or with a date matcher (parse.entities = "rules") `rule_entities`."""
        first, text = len(self.tokens), self.text
        strings = doc.vocab.strings
        exact, lower = matchers
        found = {Match(strings[m], s, e) for m, s, e in [*exact(doc), *lower(doc)]}
        if dates is None:
            spans = [(e.label_, e.start, e.end) for e in doc.ents]
        else:
            spans = rule_entities(doc, dates)
        label_at = {i: label for label, start, end in spans for i in range(start, end)}
        name, pos_name = _names(doc.vocab.strings), _pos_names()
        # every token's attributes from the Doc's arrays, not a spaCy Token per word (the head
        # is an offset: signed, where the other columns are unsigned hashes)
        rows = doc.to_array(_TOKEN_COLUMNS).tolist()
        heads = doc.to_array("HEAD").astype("int64").tolist()
        for sent in doc.sents:
            index = len(self.sentences)
            start = offset + sent.start_char
            clean = text[start : offset + sent.end_char].rstrip()  # without the break after it
            self.sentences.append(
                Sentence(self.article_id, index, Span(start, start + len(clean)), clean)
            )
            for i in range(sent.start, sent.end):
                idx, length, lemma, pos, tag, dep = rows[i]
                at = offset + idx
                self.tokens.append(
                    Token(
                        first + i,
                        at,
                        at + length,
                        text[at : at + length],
                        name(lemma),
                        pos_name[pos],
                        name(tag),
                        name(dep),
                        first + i + heads[i],
                        index,
                        label_at.get(i, ""),
                    )
                )
        self.entities.extend(
            Entity(label, first + start, first + end) for label, start, end in spans
        )
        shifted = (Match(m.key, first + m.start, first + m.end) for m in found)
        self.matches.extend(sorted(shifted, key=lambda m: (m.start, -m.end, m.key)))

    def parse(self) -> Parse:
        return Parse(
            self.article_id,
            self.text,
            tuple(self.sentences),
            tuple(self.tokens),
            tuple(self.entities),
            tuple(self.matches),
            frozenset(self.skipped),
        )


# Words that make a sentence worth parsing without a name in it: quotation marks (the quote
# and, after it, its attribution: '"...," he said.'), "both"/"two" before a plural (the two
# sides: coreference's pairs), and the pronouns coreference resolves to a person of the
# sentence before (westphalia.actors.coref).
_QUOTE_MARKS = ('"', "\u201c", "\u201d")
_PAIR_WORDS = frozenset({"both", "two"})
_PAIR_REACH = 3  # words from "two" to its plural noun ("the two former rivals")
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
# Words coreference can make a second actor of (westphalia.actors.coref, the coder's speakers)
_ACTOR_PRONOUNS = _PERSON_PRONOUNS | {"it", "they", "we", "its", "their", "his"}


class Level(IntEnum):
    """How much of the pipeline a sentence gets (parse.select = "actors")."""

    SKIP = 0  # stored without tokens: nothing in it can be an actor
    PARSE = 1  # parsed without the entity recognizer: one actor, or a quote
    FULL = 2  # it can carry an event (two actors, or one and a pronoun): the recognizer runs
    # on it with parse.entities = "model"


class RoughSentences:
    """spaCy's rule-based `Sentencizer` (a sentence ends after its punctuation marks and any
    punctuation following them), with every paragraph break a sentence end too, read from the
    Doc's arrays: the same sentences, without building a Token per word (the Sentencizer and
    a pass over the tokens were a third of the selection's time)."""

    # what __call__ reads of a Doc (and `select_sentences`): to_array's columns, in this order
    COLUMNS = ("ORTH", "LOWER", "LENGTH", "IS_PUNCT", "IS_SPACE", "IDX")

    def __init__(self, vocab: Any) -> None:
        from spacy.pipeline import Sentencizer

        self.strings = vocab.strings
        self.ends = {self.strings.add(c) for c in Sentencizer.default_punct_chars}
        self._breaks: dict[int, bool] = {}  # whitespace token -> whether it holds a newline

    def __call__(self, columns: list[list[int]]) -> list[tuple[int, int]]:
        """The (start, end) token spans of the sentences of a Doc whose `to_array` of
        `COLUMNS` is `columns`."""
        if not columns:
            return []
        starts = [0]
        seen_end = False
        after_break = False
        for i, (orth, _, _, punct, space, _) in enumerate(columns):
            is_end = orth in self.ends
            if seen_end and not punct and not is_end:
                if starts[-1] != i:
                    starts.append(i)
                seen_end = False
            elif is_end:
                seen_end = True
            if after_break and starts[-1] != i:
                starts.append(i)
            after_break = bool(space) and self._newline(orth)
        return list(zip(starts, [*starts[1:], len(columns)], strict=True))

    def _newline(self, orth: int) -> bool:
        found = self._breaks.get(orth)
        if found is None:
            found = self._breaks[orth] = "\n" in self.strings[orth]
        return found


def select_sentences(
    doc: Any, matchers: tuple[Any, Any], sentencizer: RoughSentences, *, text: str | None = None
) -> list[tuple[int, int, Level]]:
    """The sentences of a tokenized text (split by rule, every paragraph break a sentence end)
    as (start, end, level) character offsets. FULL when it can carry an event: two phrases of
    `matchers` in it, or one and a word coreference may turn into a second actor (he/she/it/
    they/we, "both"/"two" before a plural). PARSE when it can hold an actor or a quote: one
    phrase, a quotation mark in it or in the sentence before (the attribution after a quote),
    a pair, or he/she right after a sentence with a phrase. SKIP otherwise. `text`: the text
    the Doc was made of (else Doc.text builds it again, a Token per word)."""
    columns = doc.to_array(RoughSentences.COLUMNS).tolist()
    exact, lower = matchers
    named = _first_tokens({(start, end) for _, start, end in (*exact(doc), *lower(doc))})
    words = _selection_words(doc.vocab.strings)
    text = doc.text if text is None else text
    found: list[tuple[int, int, Level]] = []
    quoted_before = named_before = False
    for first, end in sentencizer(columns):
        rows = columns[first:end]
        if all(row[4] for row in rows):
            continue  # the whitespace of a paragraph break
        start_char = rows[0][5]
        end_char = rows[-1][5] + rows[-1][2]
        names = bisect_left(named, end) - bisect_left(named, first)
        quoted = any(mark in text[start_char:end_char] for mark in _QUOTE_MARKS)
        lowers = [row[1] for row in rows]
        pair = any(
            w in words.pair and _plural_near(doc, first + k, end) for k, w in enumerate(lowers)
        )
        present = set(lowers)
        pronoun = named_before and not words.person.isdisjoint(present)
        if names >= 2 or (names and (pair or not words.actor.isdisjoint(present))):
            level = Level.FULL
        elif names or quoted or quoted_before or pair or pronoun:
            level = Level.PARSE
        else:
            level = Level.SKIP
        found.append((start_char, end_char, level))
        quoted_before, named_before = quoted, names > 0
    return found


@dataclass(frozen=True, slots=True)
class _SelectionWords:
    pair: frozenset[int]
    person: frozenset[int]
    actor: frozenset[int]


@cache
def _selection_words(strings: Any) -> _SelectionWords:
    """The hashes of the selection's words in a vocabulary's string store."""
    return _SelectionWords(
        *(
            frozenset(strings.add(w) for w in group)
            for group in (_PAIR_WORDS, _PERSON_PRONOUNS, _ACTOR_PRONOUNS)
        )
    )


def _first_tokens(spans: set[tuple[int, int]]) -> list[int]:
    """The first tokens of the phrases, overlapping ones counted once (longest first)."""
    firsts: list[int] = []
    end = -1
    for start, stop in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start >= end:
            firsts.append(start)
            end = stop
    return firsts


def _plural_near(doc: Any, k: int, end: int) -> bool:
    """Whether a word after token `k` (within _PAIR_REACH, before token `end`, the end of its
    sentence) looks plural (no tagger runs before the selection, so by its ending)."""
    return any(
        w.isalpha() and w.endswith("s") and len(w) > 3
        for w in (t.lower_ for t in doc[k + 1 : min(end, k + 1 + _PAIR_REACH)])
    )


# Entities by rule (parse.entities = "rules"). Dates: the expressions events.dates resolves
# (a month with or without a day and a year, a day before a month, a year, a numeric date, a
# weekday, today/yesterday/tomorrow, last/next/this week, month, year ...), found on the
# parsed Doc by a token Matcher; its longest matches win. A month name must be a proper noun
# ("in May", not "may"; "March 3", not "march"), and a year is not a count ("1500 troops").

# Month and weekday names in calendar order (events.dates numbers them)
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_WORDS = list(dict.fromkeys([*MONTH_NAMES, *(m[:3] for m in MONTH_NAMES), "sep", "sept"]))
_MONTH = {
    "LOWER": {"IN": [*_MONTH_WORDS, *(m + "." for m in _MONTH_WORDS if len(m) <= 4)]},
    "POS": "PROPN",
}
# Sets, not regular expressions: the Matcher tests a token's first pattern at every token.
_ORDINAL = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}
_DAY = {
    "LOWER": {
        "IN": [f"{d}" for d in range(1, 32)]
        + [f"0{d}" for d in range(1, 10)]
        + [f"{d}{_ORDINAL.get(d, 'th')}" for d in range(1, 32)]
    }
}
_YEAR = {"TEXT": {"IN": [str(y) for y in range(1800, 2100)]}}
_A_YEAR = {**_YEAR, "DEP": {"NOT_IN": ["nummod"]}}
# "7/4/2021", "07.04.2021": the shapes of a numeric day, month and year
_NUMERIC = {
    "SHAPE": {
        "IN": [f"{a}{sep}{b}{sep}dddd" for a in ("d", "dd") for b in ("d", "dd") for sep in "/."]
    }
}
_TWO_DIGITS = {"SHAPE": "dd"}
_EDGE = {"LOWER": {"IN": ["early", "late", "mid", "mid-"]}, "OP": "?"}
_NEAR = {"LOWER": {"IN": ["last", "next", "this", "past", "coming", "previous"]}}
_WEEKDAY = {"LOWER": {"IN": list(WEEKDAY_NAMES)}}
_PERIOD = {
    "LOWER": {
        "IN": ["week", "weekend", "month", "year", "spring", "summer", "autumn", "fall", "winter"]
    }
}
_DATE_PATTERNS: list[list[dict[str, Any]]] = [
    # "April 7", "April 6-7, 2021", "mid-April", "April 2021", "April of 2021"
    [_EDGE, {"TEXT": "-", "OP": "?"}, _MONTH, {**_DAY, "OP": "?"}],
    [_MONTH, _DAY, {"TEXT": "-"}, _DAY],
    [_MONTH, _DAY, {"TEXT": ",", "OP": "?"}, _YEAR],
    [_MONTH, _DAY, {"TEXT": "-"}, _DAY, {"TEXT": ",", "OP": "?"}, _YEAR],
    [_EDGE, _MONTH, {"LOWER": "of", "OP": "?"}, _YEAR],
    # "7 April", "7th of April 2021"
    [_DAY, {"LOWER": "of", "OP": "?"}, _MONTH, {"TEXT": ",", "OP": "?"}, {**_YEAR, "OP": "?"}],
    [_EDGE, _A_YEAR],  # "in 2014", "since late 2014"
    [_NUMERIC],
    [_YEAR, {"TEXT": "-"}, _TWO_DIGITS, {"TEXT": "-"}, _TWO_DIGITS],  # "2021-04-07"
    [{**_NEAR, "OP": "?"}, _WEEKDAY],  # "on Wednesday", "last Friday"
    [{"LOWER": {"IN": ["today", "yesterday", "tomorrow"]}}],
    [{"LOWER": {"IN": ["earlier", "later"]}, "OP": "?"}, _NEAR, _PERIOD],  # "earlier this year"
]


class DateMatcher:
    """The token Matcher of dates (`_DATE_PATTERNS`, longest match first), run only on
    windows around the words a date needs (a month, a weekday, today, a period word, a number
    shaped like a year or a numeric date): on every token it took as long as the tagger."""

    def __init__(self, vocab: Any) -> None:
        from spacy.matcher import Matcher

        self.matcher = Matcher(vocab)
        self.matcher.add("DATE", _DATE_PATTERNS, greedy="LONGEST")
        strings = vocab.strings
        self.words = {strings.add(w) for w in _DATE_WORDS}
        self.shapes = {strings.add(s) for s in _DATE_SHAPES}

    def __call__(self, doc: Any) -> list[tuple[int, int]]:
        """The (start, end) token spans of the dates in `doc`, in order, none overlapping."""
        from spacy.attrs import LOWER, SHAPE

        if not len(doc):
            return []
        columns = doc.to_array([LOWER, SHAPE])
        anchors = [
            i
            for i, (lower, shape) in enumerate(columns.tolist())
            if lower in self.words or shape in self.shapes
        ]
        windows: list[tuple[int, int]] = []
        for i in anchors:
            start, end = max(0, i - _DATE_BEFORE), min(len(doc), i + _DATE_AFTER)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        found: list[tuple[int, int]] = []
        for start, end in windows:
            spans = self.matcher(doc[start:end], as_spans=True)
            for span in sorted(spans, key=lambda s: (s.start, -s.end)):
                if not found or span.start >= found[-1][1]:
                    found.append((span.start, span.end))
        return found


# The words a date is found around (a pattern reaches _DATE_BEFORE tokens before one of them
# and _DATE_AFTER - 1 after it: "the 7th of April, 2021", "earlier this year").
_DATE_WORDS = frozenset(
    [*_MONTH["LOWER"]["IN"], *_WEEKDAY["LOWER"]["IN"], *_PERIOD["LOWER"]["IN"]]
    + ["today", "yesterday", "tomorrow"]
)
_DATE_SHAPES = frozenset(["dddd", *_NUMERIC["SHAPE"]["IN"]])
_DATE_BEFORE, _DATE_AFTER = 3, 6


# What _Stitcher reads of a parsed Doc, in this order (LENGTH: of the token's text)
_TOKEN_COLUMNS = ("IDX", "LENGTH", "LEMMA", "POS", "TAG", "DEP")


@cache
def _pos_names() -> dict[int, str]:
    """Universal POS ids -> names, as Token.pos_ gives them."""
    from spacy.parts_of_speech import NAMES

    return {key: sys.intern(value) for key, value in NAMES.items()}


@cache
def _names(strings: Any) -> _Names:
    """The remembered strings of a vocabulary's string store (one per store)."""
    return _Names(strings)


class _Names:
    """A string store's strings by hash, remembered (interned: the coder compares tags and
    dependency labels by the thousand), as a Token's `tag_`, `dep_`, `lemma_` and `lower_`
    give them; forgotten past _ROWS_REMEMBERED * 5 entries."""

    def __init__(self, strings: Any) -> None:
        self.strings = strings
        self.names: dict[int, str] = {}

    def __call__(self, key: int) -> str:
        found = self.names.get(key)
        if found is None:
            if len(self.names) >= _ROWS_REMEMBERED * 5:
                self.names.clear()
            found = self.names[key] = sys.intern(self.strings[key]) if key else ""
        return found


def rule_entities(doc: Any, dates: DateMatcher) -> list[tuple[str, int, int]]:
    """(label, start, end) entities of a parsed Doc without the recognizer: DATE where the
    date matcher matches, NAME on each run of proper nouns outside the dates. Which names are
    persons (not countries, titles, known bodies or companies) the actor stage decides
    (actors.units), as it does with the recognizer's PERSON."""
    found = [("DATE", start, end) for start, end in dates(doc)]
    in_date = {i for _, start, end in found for i in range(start, end)}
    start = None
    for token in doc:
        inside = token.pos_ == "PROPN" and token.i not in in_date
        if inside and start is None:
            start = token.i
        elif not inside and start is not None:
            found.append(("NAME", start, token.i))
            start = None
    if start is not None:
        found.append(("NAME", start, len(doc)))
    return sorted(found, key=lambda e: e[1])


def _parse_worker(
    settings: ParseSettings, phrases: tuple[Phrase, ...]
) -> Callable[[list[tuple[int, str, str]]], Iterator[tuple[Any, ...]]]:
    """A worker's setup: the parser its fork server preloaded when it is this one, else a new
    one; the model and the matchers are loaded before the worker says it is ready."""
    from . import parse_server

    warm = parse_server.parser
    if warm is not None and warm.settings == settings and warm._phrases == phrases:
        parser = warm
    else:
        parser = Parser(settings, phrases)
    parser.load()
    return parser._stream


_server_started = False  # multiprocessing's fork server is one per process, started once


def _preload(model: str, ner: bool) -> None:
    """A spawned parse worker's first step, before its setup (and the phrases) arrive: import
    spaCy and load the model, which `_load` keeps for the Parser the setup makes."""
    _load(model, ner=ner)


def _start_method(settings: ParseSettings, phrases: tuple[Phrase, ...]) -> str:
    """How parse workers start: with parse.fork_server, forked from multiprocessing's fork
    server where the system has one, the server started once per process with this parser's
    model and matchers preloaded (westphalia.parse_server); else spawned, each loading its own."""
    global _server_started
    if not settings.fork_server or "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if not _server_started:
        _server_started = True
        from multiprocessing import forkserver

        from .parse_server import WARM_ENV

        with tempfile.NamedTemporaryFile("wb", suffix=".pickle", delete=False) as f:
            pickle.dump((settings, phrases), f)
        os.environ[WARM_ENV] = f.name  # the server inherits the environment as it starts
        try:
            multiprocessing.get_context("forkserver").set_forkserver_preload(
                ["westphalia.parse_server"]
            )
            forkserver.ensure_running()
        finally:
            del os.environ[WARM_ENV]
    return "forkserver"


def load_model(model: str):  # noqa: ANN201 - spaCy Language
    """The spaCy pipeline the parser runs with parse.entities = "model" (loaded once per
    process), for benchmarks' baselines."""
    return _load(model, ner=True)


@cache
def _load(model: str, *, ner: bool):  # noqa: ANN202 - spaCy Language
    import spacy
    from spacy.language import Language
    from thinc.api import NumpyOps

    if "westphalia_paragraphs" not in Language.factories:
        Language.component("westphalia_paragraphs", func=_paragraph_breaks)
        Language.factory("westphalia_attributes", func=_indexed_attributes)
        Language.factory("westphalia_lemmas", func=_remembered_lemmas)
        Language.factory("westphalia_steps", default_config={"wraps": "parser"}, func=_stepwise)
    nlp = spacy.load(model, exclude=[] if ner else ["ner"])
    # Matrix products by numpy's BLAS (OpenBLAS, which picks its kernels for the CPU it runs
    # on), not blis: blis 1.3 has no kernels for some CPUs and falls back to its reference
    # code (it does on this project's AMD EPYC Zen 4 machines: a third of OpenBLAS's speed,
    # 7.5 s of tok2vec on 1,000 wire stories against 3.4 s). thinc's own switch; the parses
    # are stock spaCy's (tests/test_parse.py compares them).
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        if hasattr(component, "model") and hasattr(component.model, "walk"):
            for node in component.model.walk():
                node.ops = ops
    for name in ("parser", "ner"):
        if name in nlp.pipe_names:
            nlp.add_pipe(
                "westphalia_steps", name=f"{name}_steps", after=name, config={"wraps": name}
            )
            nlp.remove_pipe(name)
            nlp.rename_pipe(f"{name}_steps", name)
    nlp.add_pipe("westphalia_paragraphs", before="parser")
    if "attribute_ruler" in nlp.pipe_names and _IndexedAttributes.supports(
        nlp.get_pipe("attribute_ruler")
    ):
        nlp.add_pipe("westphalia_attributes", after="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
    if "lemmatizer" in nlp.pipe_names:
        nlp.add_pipe("westphalia_lemmas", after="lemmatizer")
        nlp.remove_pipe("lemmatizer")
    return nlp


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """numpy's BLAS on one thread while the pipeline runs: parsing is parallel by process (one
    worker per core), and OpenBLAS's own threads only wait for each other there (twice the CPU
    for the same parse, measured)."""
    with _blas().limit(limits=1, user_api="blas"):
        yield


@cache
def _blas():  # noqa: ANN202 - threadpoolctl.ThreadpoolController
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _stepwise(nlp: Any, name: str, wraps: str) -> _Stepwise:
    return _Stepwise(nlp.get_pipe(wraps))


class _Stepwise:
    """spaCy's parser or entity recognizer run a transition step at a time from Python, as
    spaCy's own training loop runs it: the same model, the same transitions, the same
    annotations (tests/test_parse.py compares them with stock spaCy's), at half the CPU of its
    compiled greedy loop. That loop, as spaCy 3.8's wheels build it, takes and releases the GIL
    for each hidden unit of each state at each step (a Cython exception check around an inline
    arg-max): 20 million times on 1,000 wire stories, 2.9 s of parser against 1.5 s here."""

    def __init__(self, component: Any) -> None:
        self.component = component

    def __call__(self, doc: Any) -> Any:
        self._annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 128) -> Iterator[Any]:
        """As spaCy's: each batch sorted by length into sub-batches of a quarter of it."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            batch = list(batch)
            for part in minibatch(sorted(batch, key=len), size=max(batch_size // 4, 2)):
                self._annotate(list(part))
            yield from batch

    def _annotate(self, docs: list[Any]) -> None:
        component = self.component
        if any(len(doc) for doc in docs):
            component._ensure_labels_are_added(docs)
            states = self._steps(docs)
        else:
            states = component.moves.init_batch(docs)
        component.set_annotations(docs, states)

    def _steps(self, docs: list[Any]) -> list[Any]:
        """The final states of greedy parsing: at each step every unfinished state takes its
        best valid transition."""
        import numpy

        component = self.component
        step = component.model.predict(docs)
        batch = component.moves.init_batch(docs)
        states = [state for state in batch if not state.is_final()]
        upper = step.vec2scores if step.attrs["has_upper"] else None
        if upper is not None and upper.name == "linear":
            # step.predict's arithmetic without its layers' calls (a quarter of the step's cost):
            # the hidden layer, then the output layer's X @ W.T + b, unseen classes lowest.
            weights, bias = upper.get_param("W").T, upper.get_param("b")
            unseen = step._class_mask == 0
            hide = bool(unseen.any())
            while states:
                scores = numpy.dot(step.state2vec.predict(step.get_token_ids(states)), weights)
                scores += bias
                if hide:
                    scores[:, unseen] = numpy.nanmin(scores)
                states = component.transition_states(states, scores)
        else:
            while states:
                states = component.transition_states(states, step.predict(states))
        step.clear_memory()
        return batch


def _indexed_attributes(nlp: Any, name: str) -> _IndexedAttributes:
    return _IndexedAttributes(nlp.get_pipe("attribute_ruler"))


def _remembered_lemmas(nlp: Any, name: str) -> _RememberedLemmas:
    return _RememberedLemmas(nlp.get_pipe("lemmatizer"))


class _RememberedLemmas:
    """spaCy's lemmatizer with every answer remembered by word, POS and morphology (its own
    cache skips proper nouns and base forms, which it works out again at each token: 1.3 s
    of 8.6 s on 1,000 wire stories), and its word lists as sets. The same lemmas
    (tests/test_parse.py compares them)."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        # The rule lemmatizer asks whether each candidate form is a known word of the POS
        # ("form in index"), and the index holds lists (57,000 nouns): a scan per candidate,
        # 76 us per new word, 0.8 s a parse worker on 1,000 wire stories. Sets answer the
        # same question at once; nothing else reads these lists.
        if lemmatizer.mode == "rule" and "lemma_index" in lemmatizer.lookups.tables:
            index = lemmatizer.lookups.get_table("lemma_index")
            for pos in list(index.keys()):
                index[pos] = frozenset(index[pos])
        self.lemmas: dict[tuple[int, int, int], int] = {}  # (orth, POS, morph) -> lemma hash

    def __call__(self, doc: Any) -> Any:
        import numpy
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        lemmas, lemmatize = self.lemmas, self.lemmatizer.lemmatize
        overwrite, strings = self.lemmatizer.overwrite, doc.vocab.strings
        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()  # no Token built per word
        column = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if overwrite or lemma == 0:
                key = (orth, pos, morph)
                lemma = lemmas.get(key)
                if lemma is None:
                    if len(lemmas) >= _ROWS_REMEMBERED:
                        lemmas.clear()
                    lemma = lemmas[key] = strings.add(lemmatize(doc[i])[0])
            column.append(lemma)
        doc.from_array([LEMMA], numpy.array(column, dtype="uint64").reshape(-1, 1))
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 128) -> Iterator[Any]:
        for doc in docs:
            yield self(doc)


class _IndexedAttributes:
    """spaCy's attribute ruler (tag -> POS and morphology, and its exceptions), applied the
    same way from an index instead of a Matcher: the same patterns, the same precedence (a
    later pattern wins), the same attributes set. The Matcher tried every pattern at every
    token and took a fifth of the parse time.

    A token's one-token rules depend only on its lower-case form, tag, dependency and whether
    it is a space (its row): what they set is worked out once per row (candidates looked up by
    those four, then checked in full) and remembered, and a pipe batch's rows are told apart
    by numpy, so Python sees each distinct row of a batch once, not each token. The rare rules
    of several tokens ("gon na") are checked at the tokens whose row can start them. The
    attributes are written back as columns (`Doc.from_array`); tests/test_parse.py compares
    the result with spaCy's own on a corpus."""

    # what a token's candidates are looked up by, and a row holds, in this order
    _ANCHORS = ("LOWER", "TAG", "DEP", "IS_SPACE")
    # what a rule may set (the attribute ruler sets these with `set_token_attrs`)
    _SETS = ("POS", "MORPH", "LEMMA", "TAG", "DEP")

    def __init__(self, ruler: Any) -> None:
        from spacy.attrs import IDS

        self.ruler = ruler
        # (precedence, alternative): each pattern alternative anchored on one attribute
        self.index: dict[tuple[str, Any], list[tuple[int, list[dict[str, Any]]]]] = {}
        for rank, rule in enumerate(ruler.patterns):
            for alternative in rule["patterns"]:
                for value in self._anchor_values(alternative[0]):
                    self.index.setdefault(value, []).append((rank, alternative))
        self._set_ids = [IDS[attr] for attr in self._SETS]
        self._column = {attr_id: column for column, attr_id in enumerate(self._set_ids)}
        self._forget()

    def _forget(self) -> None:
        import numpy

        # a row (its four hashes) -> its number in the tables below
        self._rows: dict[tuple[int, int, int, int], int] = {}
        # by row number: the precedence of the rule that sets each of _SETS (-1: none), the
        # value it sets (numpy arrays with room to grow), and the alternatives of several
        # tokens that the row can start
        self._ranks = numpy.full((1024, len(self._SETS)), -1, dtype="int64")
        self._values = numpy.zeros((1024, len(self._SETS)), dtype="uint64")
        self._starts: list[list[tuple[int, list[dict[str, Any]]]]] = []

    @classmethod
    def supports(cls, ruler: Any) -> bool:
        """Whether `ruler`'s rules set only _SETS, at a token inside their match (else the
        stock component stays)."""
        from spacy.attrs import IDS

        settable = {IDS[attr] for attr in cls._SETS}
        for attrs, index, rule in zip(ruler.attrs, ruler.indices, ruler.patterns, strict=True):
            if not set(attrs) <= settable:
                return False
            if any(not -len(a) <= index < len(a) for a in rule["patterns"]):
                return False
        return True

    def _anchor_values(self, first: dict[str, Any]) -> list[tuple[str, Any]]:
        for attr in self._ANCHORS:
            value = first.get(attr)
            if isinstance(value, (str, bool)):
                return [(attr, value)]
            if isinstance(value, dict) and "IN" in value:
                return [(attr, v) for v in value["IN"]]
        return [_EVERY_TOKEN]  # only REGEX or NOT_IN: tried at every token

    def __call__(self, doc: Any) -> Any:
        self._apply([doc])
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 128) -> Iterator[Any]:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            self._apply(batch)
            yield from batch

    def _apply(self, docs: list[Any]) -> None:
        import numpy

        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        if len(self._rows) >= _ROWS_REMEMBERED:  # between batches: a batch's numbers hold
            self._forget()
        name = _names(docs[0].vocab.strings)
        # each token's row, and what the rules had set before (POS, MORPH, LEMMA, TAG, DEP)
        columns = [*self._ANCHORS, "POS", "MORPH", "LEMMA"]
        arrays = numpy.concatenate([doc.to_array(columns) for doc in docs])
        distinct, inverse = _distinct_rows(arrays[:, :4])
        numbers = numpy.array(
            [self._number(row, name) for row in map(tuple, distinct.tolist())], dtype="int64"
        )
        at = numbers[inverse]
        ranks, values = self._ranks[at], self._values[at]
        before = arrays[:, [4, 5, 6, 1, 2]]  # in the order of _SETS
        values = numpy.where(ranks >= 0, values, before)
        longer = [bool(self._starts[number]) for number in numbers.tolist()]
        starting = numpy.array(longer)[inverse]
        first = 0
        for doc in docs:
            end = first + len(doc)
            for i in numpy.flatnonzero(starting[first:end]).tolist():
                starts = self._starts[at[first + i]]
                self._longer(
                    doc, i, starts, arrays[first:end], ranks[first:end], values[first:end], name
                )
            doc.from_array(self._set_ids, values[first:end])  # an unset MORPH (0) stays 0
            first = end

    def _number(self, row: tuple[int, int, int, int], name: _Names) -> int:
        """The number of a row in the tables, its one-token rules worked out the first time."""
        number = self._rows.get(row)
        if number is not None:
            return number
        import numpy

        number = self._rows[row] = len(self._starts)
        if number == len(self._ranks):  # full: twice the room
            self._ranks = numpy.concatenate([self._ranks, numpy.full_like(self._ranks, -1)])
            self._values = numpy.concatenate([self._values, numpy.zeros_like(self._values)])
        starts = []
        for rank, alternative in sorted(self._starting(self._named(row, name))):
            if len(alternative) > 1:
                starts.append((rank, alternative))
                continue
            for attr_id, value in self.ruler.attrs[rank].items():  # a later rule wins
                column = self._column[attr_id]
                self._ranks[number, column], self._values[number, column] = rank, value
        self._starts.append(starts)
        return number

    @staticmethod
    def _named(row: tuple[int, int, int, int], name: _Names) -> tuple[str, str, str, bool]:
        lower, tag, dep, space = row
        return name(lower), name(tag), name(dep), bool(space)

    def _starting(self, row: tuple[str, str, str, bool]) -> list[tuple[int, Any]]:
        """(precedence, alternative) of the alternatives whose first token pattern `row`
        meets."""
        lower, tag, dep, space = row
        keys = (("LOWER", lower), ("TAG", tag), ("DEP", dep), ("IS_SPACE", space), _EVERY_TOKEN)
        return [
            (rank, alternative)
            for key in keys
            for rank, alternative in self.index.get(key, ())
            if _satisfies(row, alternative[0])
        ]

    def _longer(
        self,
        doc: Any,
        i: int,
        starts: list[tuple[int, list[dict[str, Any]]]],
        rows: Any,
        ranks: Any,
        values: Any,
        name: _Names,
    ) -> None:
        """Apply the rules of several tokens (`starts`: those whose first token token `i`
        meets) that match from token `i` of `doc` (whose rows, and the precedence and value of
        what sets each attribute, are given), each where it outranks what is set already."""
        for rank, alternative in starts:
            end = i + len(alternative)
            if end > len(doc) or not all(
                _satisfies(self._named(tuple(rows[i + k, :4].tolist()), name), spec)
                for k, spec in enumerate(alternative[1:], 1)
            ):
                continue
            index = self.ruler.indices[rank]
            target = (end if index < 0 else i) + index
            for attr_id, value in self.ruler.attrs[rank].items():
                column = self._column[attr_id]
                if rank > ranks[target, column]:
                    ranks[target, column], values[target, column] = rank, value


def _distinct_rows(rows: Any) -> tuple[Any, Any]:
    """numpy.unique(rows, axis=0, return_inverse=True) of a (n, 4) array of hashes, by one
    mixed 64-bit key per row (a sort of numbers, where rows are sorted as bytes at several
    times the cost); rows that share a key but differ (a collision) fall back to that."""
    import numpy

    with numpy.errstate(over="ignore"):
        keys = rows @ numpy.array(_ROW_MIX, dtype="uint64")
    _, first, inverse = numpy.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    distinct = rows[first]
    if not (distinct[inverse] == rows).all():
        distinct, inverse = numpy.unique(rows, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    return distinct, inverse


# odd 64-bit multipliers of a row's four columns (wrapping), for `_distinct_rows`
_ROW_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)
_EVERY_TOKEN = ("", None)  # the index key of patterns no exact attribute anchors
# Entries the attribute ruler's and the lemmatizer's memories keep before starting afresh. With
# 100,000 each, the summed memory of an ingest grew 1.13 times from 10,000 to 100,000 generated
# articles (1.04 before the memories existed); 20,000 hold the common words.
_ROWS_REMEMBERED = 20_000


def _satisfies(row: tuple[str, str, str, bool], spec: dict[str, Any]) -> bool:
    """Whether a token (its LOWER, TAG, DEP and IS_SPACE) meets one token pattern of the
    attribute ruler (exact values, IN, NOT_IN, REGEX), as spaCy's Matcher reads it."""
    for attr, wanted in spec.items():
        value = row[_ATTRIBUTE_AT[attr]]
        if isinstance(wanted, dict):
            if "IN" in wanted and value not in wanted["IN"]:
                return False
            if "NOT_IN" in wanted and value in wanted["NOT_IN"]:
                return False
            if "REGEX" in wanted and not re.search(wanted["REGEX"], value):
                return False
        elif value != wanted:
            return False
    return True


_ATTRIBUTE_AT = {attr: at for at, attr in enumerate(_IndexedAttributes._ANCHORS)}


def _paragraph_breaks(doc):  # noqa: ANN001, ANN202 - spaCy Doc
    """A paragraph break always ends a sentence (the parser alone sometimes runs over it): a
    token after a whitespace token holding a newline starts one. (A token's own trailing
    whitespace is one space at most: a newline is always a token of its own.) Read from the
    Doc's arrays: a spaCy Token is built only where a sentence start is set."""
    name = _names(doc.vocab.strings)
    rows = doc.to_array(["IS_SPACE", "ORTH"]).tolist()
    for i in range(1, len(rows)):
        space, orth = rows[i - 1]
        if space and "\n" in name(orth):
            doc[i].is_sent_start = True
    return doc
