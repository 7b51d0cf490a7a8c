"""The pipeline: ordered stages over a stream of items, batched into store transactions.

ingest -> normalize -> dedupe -> parse -> actors -> events (and quotes) -> store. New articles
are parsed in batches by the parse workers (westphalia.workers) while the previous batch is
coded. A bad item becomes a Rejection and the run goes on; an unexpected exception in one
article's actors, events or quotes rejects that article (E901 with its traceback; re-raised when
`strict`). Each batch is written in one transaction, so a killed run loses at most the batch in
flight, and rerunning the same input completes the store with no duplicate.
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import ingest as ingest_stage
from . import queries
from .actors import extract_actors
from .config import Settings
from .dedupe import DedupeIndex, dedupe, load_index
from .errors import Errors, ExitCode, InputError
from .events import extract_events
from .events.quotes import extract_quotes
from .ingest import Source
from .model import Article, Assignment, Duplicate, Rejection, Stage, content_id
from .normalize import normalize, without_surrogates
from .parse import MIN_PARALLEL_CHARS, Failure, Parser, Submission
from .store import Batch, Store

if TYPE_CHECKING:
    from .actors import Gazetteer
    from .events import Lexicon
    from .parse import Parse

INTERNAL_CODE = "E901"
_REASON_CHARS = 300  # of an exception's text quoted in a rejection message
# (items done, input bytes done, input bytes in all or None when reading stdin)
ProgressCallback = Callable[[int, int, int | None], None]


@dataclass(slots=True)
class RunSummary:
    run_id: str
    read: int = 0  # items read: articles and rejected items
    new: int = 0  # articles stored for the first time (near-duplicates included)
    near_duplicates: int = 0  # new articles that joined an existing story
    duplicates: int = 0  # exact copies of a stored article, from a new source
    known: int = 0  # items already stored from the same source by an earlier run
    new_stories: int = 0
    rejected: int = 0
    internal_errors: int = 0
    articles_total: int = 0
    stories_total: int = 0
    sentences: int = 0  # sentences of the articles parsed by this run
    sentences_skipped: int = 0  # of those, not parsed: no actor to code (parse.select)
    seconds: float = 0.0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.internal_errors:
            return ExitCode.INTERNAL
        return ExitCode.REJECTED if self.rejected else ExitCode.OK

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["rejections"] = [
            {
                "source": r.source,
                "locator": r.locator,
                "stage": r.stage.value,
                "code": r.code,
                "message": r.message,
            }
            for r in self.rejections
        ]
        return data


def run(
    paths: Iterable[str | Path],
    *,
    settings: Settings,
    store: Store,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
    command: str = "ingest",
) -> RunSummary:
    """Ingest `paths` into `store` through every stage; return what happened."""
    with (
        recorded_run(store, settings, command) as summary,
        store.threads(settings.store.threads),
    ):
        index = load_index(store, settings.dedupe)
        sources = list(ingest_stage.discover(paths, settings=settings.ingest))
        total = _total_bytes(sources)
        runner = _Runner(settings, store, index, summary, strict)
        try:
            if total is not None and total >= MIN_PARALLEL_CHARS:  # the parser will use workers
                runner.prepare()  # they start while the first batch is read
            for done, (item, consumed) in enumerate(_items(sources, settings, strict), start=1):
                runner.add(item)
                if on_progress is not None:
                    on_progress(done, consumed, total)
            runner.finish()
        finally:
            runner.close()
    return summary


@contextmanager
def recorded_run(
    store: Store, settings: Settings, command: str, *, started: float | None = None
) -> Iterator[RunSummary]:
    """A run of `command` on `store`, recorded in its `runs` table (the local path and the
    cluster's): the summary the body fills in, with the store's totals and the seconds since
    `started` (default: now) added at the end; the run is `done` when the body returns,
    `failed` when it raises. Stored events without a point get one first."""
    started = time.perf_counter() if started is None else started
    summary = RunSummary(content_id(command, datetime.now(UTC).isoformat(), str(os.getpid())))
    store.start_run(summary.run_id, command)
    store.limit_memory(settings.store.memory_limit)
    locate_stored_events(store)
    status = "failed"
    try:
        yield summary
        status = "done"
    finally:
        counts = queries.counts(store)
        summary.articles_total, summary.stories_total = counts["articles"], counts["stories"]
        summary.seconds = round(time.perf_counter() - started, 3)
        store.finish_run(
            summary.run_id,
            {k: v for k, v in summary.as_dict().items() if k != "rejections"},
            status=status,
        )


def locate_stored_events(store: Store) -> int:
    """Give coordinates to the stored events that have a location and no point (coded before
    events carried one, schema 6); return how many were updated."""
    pairs = store.query(
        "SELECT DISTINCT location, place FROM events WHERE location IS NOT NULL "
        "AND geo_type IS NULL"
    )
    if not pairs:
        return 0
    from .events.geocode import GEO_FIELDS, geocode, located

    updated = 0
    with store.transaction():
        for pair in pairs:
            fields = located(geocode(pair["location"], pair["place"]))
            if fields["geo_type"] is None:
                continue  # a location GeoNames does not know: left without a point
            assignments = ", ".join(f"{name} = ?" for name in GEO_FIELDS)
            rows = store.con.execute(
                f"UPDATE events SET {assignments} WHERE location = ? "
                "AND place IS NOT DISTINCT FROM ? AND geo_type IS NULL",
                [*(fields[name] for name in GEO_FIELDS), pair["location"], pair["place"]],
            ).fetchall()
            updated += int(rows[0][0]) if rows else 0
    return updated


def _total_bytes(sources: list[Source | InputError]) -> int | None:
    """Total size of the input files, for progress bars (None when reading stdin)."""
    files = [s for s in sources if isinstance(s, Source)]
    return None if any(s.size is None for s in files) else sum(s.size or 0 for s in files)


class _Runner:
    """Accumulates items into batches and writes each batch in one transaction.

    Batches overlap by one: a full batch's new articles go to the parse workers at once, and
    the batch before it is then coded and written while they parse (and while the next is
    read), so the workers are not idle while this process codes, writes and reads."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        index: DedupeIndex,
        summary: RunSummary,
        strict: bool,
    ):
        self.settings, self.store, self.index, self.summary, self.strict = (
            settings,
            store,
            index,
            summary,
            strict,
        )
        self.batch = Batch(summary.run_id)
        self._annotator: Annotator | None = None
        self._settled = False  # the knowledge is out of the garbage collector's full passes
        # the batch whose parse is under way: it is finished (coded, written) after the next
        self._submitted: tuple[Batch, list[tuple[Article, str]], Submission | None] | None = None

    def prepare(self) -> None:
        """Start the parse workers and load the knowledge now, not at the first batch: the
        workers import spaCy and load the model (~1.3 s each) while this process loads the
        gazetteer and lexicon (~1 s), then build their matchers from its phrases while the
        first store batch is read and deduped."""
        if self._annotator is None:
            parser = Parser(self.settings.parse, None)
            parser.start()
            try:
                self._annotating(parser)
            except BaseException:
                parser.close()
                raise
        self._annotator.parser.start()

    def close(self) -> None:
        self.index.close()  # uncommitted additions (a failed batch) are dropped
        if self._annotator is not None:
            self._annotator.parser.close()
        if self._settled:  # the knowledge is collectable again
            gc.unfreeze()
            self._settled = False

    def _annotating(self, parser: Parser | None = None) -> Annotator:
        """The annotator, made (and the knowledge it loads settled) on first use."""
        if self._annotator is None:
            with _collector_paused():  # what loads here lives as long as the run
                self._annotator = Annotator(self.settings, parser=parser)
                self._settled = _settle()
        return self._annotator

    def add(self, item: Article | Rejection) -> None:
        self.summary.read += 1
        if isinstance(item, Rejection):
            self.batch.rejections.append(item)
        else:
            self._dedupe(item)
        if len(self.batch) >= self.settings.store.batch_size:
            self.flush()
        elif self._annotator is not None:
            self._annotator.poll()  # a worker done with its task gets the next one

    def _dedupe(self, article: Article) -> None:
        try:
            assignment = dedupe(article, index=self.index)
        except Exception as e:
            if self.strict:
                raise
            self.batch.rejections.append(
                _internal(e, article.source, article.locator, Stage.DEDUPE)
            )
            return
        self.batch.articles.append((article, assignment))
        self.batch.occurrences.append(article)

    def flush(self) -> None:
        """Send the current batch's new articles to the parser, then finish the batch sent
        before it (the workers parse this one meanwhile)."""
        batch = self.batch
        if not len(batch):
            return
        exact = [a for a, s in batch.articles if s.match is Duplicate.EXACT]
        # a stored article whose parse failed before (no sentences) is parsed again, once
        retry = self.store.unparsed(a.id for a in exact) if exact else set()
        fresh = []
        for article, assignment in batch.articles:
            if assignment.match is not Duplicate.EXACT or article.id in retry:
                fresh.append((article, assignment.story_id))
                retry.discard(article.id)
        submission = None
        if fresh:
            submission = self._annotating().submit(fresh)
        self.batch = Batch(self.summary.run_id)
        previous, self._submitted = self._submitted, (batch, fresh, submission)
        if previous is not None:
            self._finish(*previous)

    def finish(self) -> None:
        """Finish every batch: the current one and the one under way."""
        self.flush()
        if self._submitted is not None:
            previous, self._submitted = self._submitted, None
            self._finish(*previous)

    def _finish(
        self, batch: Batch, fresh: list[tuple[Article, str]], submission: Submission | None
    ) -> None:
        """Code the batch's parses, write it in one transaction, then commit the dedupe index
        and count the batch in the summary."""
        summary = self.summary
        exact = [a for a, s in batch.articles if s.match is Duplicate.EXACT]
        # after the batch before this one is written: an occurrence it stored is known
        stored = self.store.known_occurrences(exact) if exact else set()
        if fresh and self._annotator is not None:
            self._annotator.annotate(fresh, batch, strict=self.strict, submission=submission)
            summary.sentences = self._annotator.sentences
            summary.sentences_skipped = self._annotator.skipped
        self._write(batch)
        # After the store, so the index holds nothing the store lost but the additions of the
        # batch read since (deduped before this one was written): a run killed before that
        # batch is written leaves them, and the next run's load_index, finding more articles
        # indexed than stored, rebuilds the index from the store.
        self.index.commit()
        seen: set[tuple[str, str, str]] = set()
        for article, assignment in batch.articles:
            key = (article.id, article.source, article.locator)
            if assignment.match is Duplicate.EXACT:
                known = key in stored or key in seen
                summary.known += known
                summary.duplicates += not known
            else:
                summary.new += 1
                summary.near_duplicates += assignment.match is Duplicate.NEAR
                summary.new_stories += assignment.match is Duplicate.NEW
            seen.add(key)
        for rejection in batch.rejections:
            summary.rejected += rejection.code != INTERNAL_CODE
            summary.internal_errors += rejection.code == INTERNAL_CODE
        summary.rejections.extend(batch.rejections)

    def _write(self, batch: Batch) -> None:
        """Write `batch` in one transaction. If that fails, write its items one by one: an item
        that still fails becomes an E117 rejection in its place, so one bad item never costs
        another (`batch` is left holding what was written)."""
        try:
            self.store.write(batch)
            return
        except Exception:
            if self.strict:
                raise
        keep = self.settings.ingest.keep_rejected_bytes
        articles: list[tuple[Article, Assignment]] = []
        rejections: list[Rejection] = []
        for part in _split(batch):
            try:
                self.store.write(part)
            except Exception as e:
                rejection = _unstorable(e, part, keep=keep)
                self.store.write(Batch(batch.run_id, rejections=[rejection]))  # else: fatal
                rejections.append(rejection)
                continue
            articles.extend(part.articles)
            rejections.extend(part.rejections)
        batch.articles, batch.rejections = articles, rejections
        batch.occurrences = [a for a, _ in articles]


def _split(batch: Batch) -> Iterator[Batch]:
    """One batch per item of `batch`: each article with its annotations (given to the first
    article of that id only, so an event is never counted twice), then each rejection (after
    the articles, whose writing clears their items' earlier rejections, as in one batch)."""
    given: set[str] = set()
    for article, assignment in batch.articles:
        part = Batch(batch.run_id, articles=[(article, assignment)], occurrences=[article])
        if article.id not in given:
            given.add(article.id)
            part.sentences = [x for x in batch.sentences if x.article_id == article.id]
            part.mentions = [x for x in batch.mentions if x.article_id == article.id]
            part.events = [x for x in batch.events if x.article_id == article.id]
            part.quotes = [x for x in batch.quotes if x.article_id == article.id]
            codes = {m.actor_code for m in part.mentions}
            part.actors = {k: v for k, v in batch.actors.items() if k in codes}
        yield part
    for rejection in batch.rejections:
        yield Batch(batch.run_id, rejections=[rejection])


def _unstorable(error: Exception, part: Batch, *, keep: int) -> Rejection:
    """The E117 rejection of the one item in `part`, which the store refused."""
    item = part.articles[0][0] if part.articles else part.rejections[0]
    raw = item.raw if item.raw is not None and len(item.raw) <= keep else None
    source = without_surrogates(item.source)
    locator = without_surrogates(item.locator)
    reason = without_surrogates(f"{type(error).__name__}: {error}")[:_REASON_CHARS]
    where = f" line {locator}" if locator else ""
    message = Errors.E117.format(source=source, where=where, reason=reason)
    detail = without_surrogates("".join(traceback.format_exception(error)))
    return Rejection(
        source=source,
        stage=Stage.STORE,
        code="E117",
        message=message,
        locator=locator,
        raw=raw,
        detail=detail,
    )


def load_knowledge(settings: Settings) -> tuple[Gazetteer, Lexicon]:
    """The gazetteer and the event lexicon the settings ask for: bundled data, the user's
    dictionary and patterns, and a PETRARCH/TABARI dictionaries directory above both."""
    from .actors import load_gazetteer
    from .dictionaries import load_dictionaries
    from .events import load_lexicon

    folder = settings.events.dictionaries
    bundle = load_dictionaries(folder) if folder is not None else None
    gazetteer = load_gazetteer(user_dictionary=settings.actors.user_dictionary, dictionaries=bundle)
    lexicon = load_lexicon(
        user_patterns=settings.events.user_patterns,
        dictionaries=bundle,
        phoenix=settings.events.phoenix,
    )
    return gazetteer, lexicon


def _settle() -> bool:
    """Load the GeoNames tables, then take everything loaded so far out of the cyclic garbage
    collector's full passes (`gc.freeze`), unless something froze objects before (then nothing
    is frozen). The gazetteer, the lexicon and GeoNames are millions of objects that live as
    long as the run, and each full pass walked them all: 0.8-1.1 s of the coding process's
    4.5 s of CPU on 1,000 wire stories, in 9-10 passes, most while they loaded (the caller
    pauses the collector then). Returns whether it froze: the run unfreezes them when it ends
    (`_Runner.close`), so that they, and any garbage frozen with them, are collected again (at
    exit too: DuckDB's bindings report objects still alive then as leaks)."""
    from .events import geocode

    geocode.load()
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block (as it was after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Annotator:
    """The parse, actor and event stages over the new articles of a batch (spaCy loads on
    first use)."""

    def __init__(self, settings: Settings, *, parser: Parser | None = None) -> None:
        """`parser`: one made (and started) without its phrases, which it gets from here."""
        self.settings = settings
        self.gazetteer, self.lexicon = load_knowledge(settings)
        if parser is None:
            parser = Parser(settings.parse, self.gazetteer.phrases())
        else:
            parser.give_phrases(self.gazetteer.phrases())
        self.parser: Parser = parser
        self.sentences = self.skipped = 0  # of the parses taken so far

    def submit(self, fresh: list[tuple[Article, str]]) -> Submission | None:
        """Send the new articles' texts to the parser (its workers start on them at once);
        `annotate` with the submission codes them. None if the parser cannot take them now (its
        workers do not start): `annotate` then tries again, and reports what fails."""
        try:
            return self.parser.submit((a.id, a.text) for a, _ in fresh)
        except Exception:  # noqa: BLE001 - annotate meets it again, under its own handling
            return None

    def poll(self) -> None:
        """Keep the parse workers fed while this process does other work."""
        self.parser.poll()

    def annotate(
        self,
        fresh: list[tuple[Article, str]],
        batch: Batch,
        *,
        strict: bool,
        submission: Submission | None = None,
    ) -> None:
        """Parse the batch's new articles (`submission`: their texts submitted to the parser
        already) and code each parse as soon as it arrives (the coding of one chunk overlaps
        the parsing of the next in the workers). An article the parser gives up on (over
        parse.time_budget: E301; its worker died: E302) is a rejection; the article itself is
        stored, without sentences."""
        articles = [a for a, _ in fresh]
        story_of = {a.id: story for a, story in fresh}
        by_id = {a.id: a for a in articles}
        done: set[str] = set()
        try:
            if submission is None:
                submission = self.parser.submit((a.id, a.text) for a in articles)
            for result in self.parser.results(submission):
                done.add(result.article_id)
                article = by_id[result.article_id]
                self._take(result, article, story_of[article.id], batch, strict=strict)
        except Exception:
            if strict:
                raise
            for article in (a for a in articles if a.id not in done):  # isolate the one that fails
                try:
                    results = list(self.parser.parse_each([(article.id, article.text)]))
                except Exception as e:
                    batch.rejections.append(
                        _internal(e, article.source, article.locator, Stage.PARSE)
                    )
                    continue
                for result in results:
                    self._take(result, article, story_of[article.id], batch, strict=strict)

    def _take(
        self,
        parse: Parse | Failure,
        article: Article,
        story: str,
        batch: Batch,
        *,
        strict: bool,
    ) -> None:
        if isinstance(parse, Failure):
            error = parse.error(article.source, article.locator)
            batch.rejections.append(_rejection(error, Stage.PARSE, self.settings))
            return
        batch.sentences.extend(parse.sentences)
        self.sentences += len(parse.sentences)
        self.skipped += len(parse.skipped)
        try:
            self._code(parse, story, article.published, batch)
        except _StageError as e:  # one article's failure is its rejection, not the run's
            if strict:
                raise e.__cause__ from None
            batch.rejections.append(
                _internal(e.__cause__, article.source, article.locator, e.stage)
            )

    def _code(self, parse: Parse, story: str, day: date | None, batch: Batch) -> None:
        """Actors, events and quotes of one parse, added to the batch all or nothing."""
        with _stage(Stage.ACTORS):
            mentions = extract_actors(parse, gazetteer=self.gazetteer, published=day)
            actors = {m.actor_code: self.gazetteer.actor(m.actor_code) for m in mentions}
        with _stage(Stage.EVENTS):
            events = extract_events(
                parse, mentions, lexicon=self.lexicon, story_id=story, published=day
            )
            quotes = extract_quotes(parse, mentions)
        batch.mentions.extend(mentions)
        for code, actor in actors.items():
            batch.actors.setdefault(code, actor)
        batch.events.extend(events)
        batch.quotes.extend(quotes)


class _StageError(Exception):
    """A bug inside one stage for one article (the original exception is the cause)."""

    def __init__(self, stage: Stage) -> None:
        super().__init__(stage.value)
        self.stage = stage


@contextmanager
def _stage(stage: Stage) -> Iterator[None]:
    try:
        yield
    except Exception as e:
        raise _StageError(stage) from e


def _items(
    sources: list[Source | InputError], settings: Settings, strict: bool
) -> Iterator[tuple[Article | Rejection, int]]:
    """Yield (normalized article or rejection, input bytes consumed so far) for every item."""
    for item, consumed in read_items(sources, settings, strict):
        if isinstance(item, Article):
            item = normalized(item, settings, strict)
        yield item, consumed


def read_items(
    sources: list[Source | InputError], settings: Settings, strict: bool
) -> Iterator[tuple[Article | Rejection, int]]:
    """Yield (article as read, not yet normalized, or rejection; input bytes consumed so far)
    for every item of `sources`."""
    done_files = 0  # bytes of the sources finished
    for source in sources:
        if isinstance(source, InputError):
            yield _rejection(source, Stage.INGEST, settings), done_files
            continue
        size = source.size or 0
        within, last = 0, ""
        try:
            for item in ingest_stage.read(source, settings=settings.ingest):
                last = item.locator
                if isinstance(item, InputError):
                    yield _rejection(item, Stage.INGEST, settings), done_files + min(within, size)
                    continue
                within += len(item.raw) + 1  # + the newline of a record
                yield item, done_files + min(within, size)
        except Exception as e:
            if strict:
                raise
            yield (
                _internal(e, source.name, f"after {last}" if last else "", Stage.INGEST),
                done_files,
            )
        done_files += size


def normalized(article: Article, settings: Settings, strict: bool) -> Article | Rejection:
    """`article` normalized, or the rejection saying why it cannot be."""
    try:
        return normalize(article, settings=settings.normalize)
    except InputError as e:
        return _rejection(e, Stage.NORMALIZE, settings)
    except Exception as e:
        if strict:
            raise
        return _internal(e, article.source, article.locator, Stage.NORMALIZE)


def _rejection(error: InputError, stage: Stage, settings: Settings) -> Rejection:
    raw = (
        error.raw
        if error.raw is not None and len(error.raw) <= settings.ingest.keep_rejected_bytes
        else None
    )
    return Rejection(
        source=without_surrogates(error.source),
        stage=stage,
        code=error.code,
        message=without_surrogates(error.message),
        locator=without_surrogates(error.locator),
        raw=raw,
    )


def _internal(error: Exception, source: str, locator: str, stage: Stage) -> Rejection:
    source = without_surrogates(source)
    message = Errors.E901.format(
        source=source, stage=stage.value, reason=f"{type(error).__name__}: {error}"
    )
    detail = "".join(traceback.format_exception(error))
    return Rejection(
        source=source,
        stage=stage,
        code=INTERNAL_CODE,
        message=without_surrogates(message),
        locator=without_surrogates(locator),
        detail=without_surrogates(detail),
    )
