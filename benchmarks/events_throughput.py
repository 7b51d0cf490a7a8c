"""End-to-end throughput (ingest -> events stored) against spaCy parsing every text.

Usage:
    .venv/bin/python benchmarks/events_throughput.py ../shared/corpora/reuters21578.jsonl --limit 1000

In this one command, on the first `--limit` records of the corpus, each case in turn:
  baseline     stock spaCy (`spacy.load` of the same model, every component) over every stored
               article text, in as many worker processes as the pipeline's parser, forked from
               this process once it has loaded the model (as spaCy's own `n_process` does on
               Linux), same batch size, the workers returning nothing: the least any coder
               that parses everything pays;
  select=all   the whole pipeline (read, normalize, dedupe, parse, actors, events, quotes,
               store) parsing every sentence, as before parse.select existed;
  westphalia   the whole pipeline with the default settings (parse.select = "actors": only the
               sentences that can hold an actor are parsed, the entity recognizer runs only
               where an event can be coded).

Each case reports its wall time and its CPU time (this process and every process under it:
the parse workers, and the fork server they are forked from), and both as ratios to the
baseline's (a cost ratio: 0.5 is
half the cost of parsing everything). The CPU ratio is the steadier figure on a shared machine.
`--repeat N` runs the cases N times and reports each round.
"""

from __future__ import annotations

import contextlib
import resource
import tempfile
import time
from pathlib import Path

import psutil
import spacy
from _corpus import corpus_parser, write_subset

from westphalia import load_settings, open_store, run
from westphalia.config import Settings
from westphalia.parse import Parser
from westphalia.workers import Pool


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="records to ingest")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the cases N times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subset = write_subset(args.corpus, args.limit, Path(tmp))
        for n in range(args.repeat):
            # The same order in each round: the cases share the machine's page cache equally.
            (ours, summary, texts), ours_cpu = _timed(
                _pipeline, subset, Path(tmp) / f"ours{n}.duckdb", "actors"
            )
            (everything, _, _), everything_cpu = _timed(
                _pipeline, subset, Path(tmp) / f"all{n}.duckdb", "all"
            )
            base, base_cpu = _timed(_baseline, texts, summary.settings)
            words = sum(len(t.split()) for t in texts)
            print(
                f"round {n + 1}: {summary.run.new:,} articles ({words:,} words), "
                f"{summary.run.sentences:,} sentences, "
                f"{summary.run.sentences_skipped:,} not parsed "
                f"({summary.run.sentences_skipped / max(1, summary.run.sentences):.0%}), "
                f"{summary.events:,} events"
            )
            cases = (
                ("baseline", base, base_cpu),
                ("select=all", everything, everything_cpu),
                ("westphalia", ours, ours_cpu),
            )
            for name, seconds, cpu in cases:
                print(
                    f"  {name:<11} {seconds:6.1f} s  {summary.run.new / seconds:6.1f} articles/s"
                    f"  wall ratio {seconds / base:.3f}  CPU {cpu:6.1f} s"
                    f"  CPU ratio {cpu / base_cpu:.3f}"
                )


def _timed(function, *args):  # noqa: ANN001, ANN002, ANN202
    """`function(*args)` and the CPU seconds it took in this process and in the processes
    under it."""
    before = _cpu()
    result = function(*args)
    return result, _cpu() - before


def _cpu() -> float:
    """CPU seconds of this process, of its exited children, and of every live process under
    it with the exited children each has reaped (the parse workers are the fork server's
    children, and the server lives as long as this process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # it exited meanwhile: counted by its parent
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


class _Outcome:
    def __init__(self, run_summary, settings: Settings, events: int) -> None:  # noqa: ANN001
        self.run, self.settings, self.events = run_summary, settings, events


def _pipeline(subset: Path, store_path: Path, select: str) -> tuple[float, _Outcome, list[str]]:
    settings = load_settings(env={}, values={"store.path": store_path, "parse.select": select})
    with open_store(settings.store.path) as store:
        start = time.perf_counter()
        summary = run([subset], settings=settings, store=store)
        seconds = time.perf_counter() - start
        texts = [r["text"] for r in store.query("SELECT text FROM articles ORDER BY id")]
        events = store.query("SELECT count(*) AS n FROM events")[0]["n"]
    return seconds, _Outcome(summary, settings, events), texts


def _baseline(texts: list[str], settings: Settings) -> float:
    """spaCy's `nlp.pipe` over every text in as many worker processes as the pipeline's parser
    uses (westphalia.workers, each loading the model once, two tasks per worker), start-up
    included; the workers return nothing, so no conversion is counted."""
    workers = Parser(settings.parse).processes
    items = [(i, str(i), text) for i, text in enumerate(texts)]
    size = max(1, -(-len(items) // (workers * 2)))
    tasks = [items[i : i + size] for i in range(0, len(items), size)]
    start = time.perf_counter()
    global _STOCK
    _STOCK = spacy.load(settings.parse.model)  # stock spaCy: westphalia's changes not counted
    pool = Pool(
        workers,
        _spacy_worker,
        (settings.parse.model, settings.parse.batch_size),
        budget=3600,
        start_method="fork",
    )
    try:
        done = sum(1 for _, kind, _ in pool.run(tasks) if kind == "done")
    finally:
        pool.close()
    assert done == len(items), f"the baseline parsed {done} of {len(items)} texts"
    return time.perf_counter() - start


_STOCK = None  # the stock pipeline, loaded before the baseline's workers are forked


def _spacy_worker(model: str, batch_size: int):  # noqa: ANN202 - the worker's handler
    nlp = _STOCK if _STOCK is not None else spacy.load(model)

    def handle(task: list[tuple[int, str, str]]):  # noqa: ANN202
        yield ("begin", [index for index, _, _ in task])
        docs = nlp.pipe((text for _, _, text in task), batch_size=batch_size)
        for (index, _, _), _doc in zip(task, docs, strict=True):
            yield ("done", index, None)

    return handle


if __name__ == "__main__":
    main()
