"""End-to-end throughput (ingest -> events stored) against spaCy parsing every text.

Usage:
    .venv/bin/python benchmarks/events_throughput.py ../shared/corpora/reuters21578.jsonl --limit 1000

In this one command, on the first `--limit` records of the corpus, each case in turn, each in
a fresh child process of its own (its own fork server and parse workers, as a `westphalia
ingest` has; the clock starts once the libraries are imported):
  baseline        stock spaCy (`spacy.load` of the same model, every component) over every
                  stored article text, in as many worker processes as the pipeline runs
                  processes (`Parser.processes`: one per usable core, its parse workers and
                  the process that codes), forked from the case's process once it has loaded
                  the model (as spaCy's own `n_process` does on Linux), same batch size, the
                  workers returning nothing: the least any coder that parses everything on
                  those cores pays;
  one process     the same in the case's own process (`nlp.pipe`, no workers): one model
                  load and no pipes, the least CPU that parsing everything costs, at about
                  twice the baseline's time on 2 cores;
  spaCy tuned     the same, with the pipeline westphalia loads (`westphalia.parse.load_model`:
                  numpy's BLAS instead of blis, the parser and the recognizer stepped from
                  Python, the attribute ruler and lemmatizer indexed; the same annotations),
                  on one BLAS thread per worker: what parsing everything costs with westphalia's
                  changes to spaCy, so that the rest of the difference is the pipeline's own;
  select=all      the whole pipeline (read, normalize, dedupe, parse, actors, events, quotes,
                  store) parsing every sentence, as before parse.select existed;
  entities=model  the whole pipeline with spaCy's entity recognizer on the sentences that can
                  carry an event, as before parse.entities existed;
  fork_server     the whole pipeline with its workers forked from a server that loaded the
                  model and matchers once (parse.fork_server);
  westphalia      the whole pipeline with the default settings (only the sentences that can
                  hold an actor are parsed; persons and dates by rule, no recognizer);
  command         `westphalia ingest` itself, the console script next to this Python, default
                  settings, in a subprocess: what a user runs, its interpreter's start-up and
                  imports included (the other cases start their clocks after the imports).

Each case reports its wall time and its CPU time (its process and every process under it:
the parse workers, and the fork server they are forked from), and both as ratios to the
baseline's (a cost ratio: 0.5 is half the cost of parsing everything), and its CPU time as a
ratio to the one-process baseline's too. The CPU ratio is the steadier figure on a shared
machine.
`--repeat N` runs the cases N times and reports each round.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import spacy
from _corpus import corpus_parser, write_subset

from westphalia import load_settings, open_store, run
from westphalia.parse import Parser, _one_blas_thread, balanced_tasks, load_model
from westphalia.workers import Pool


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="records to ingest")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the cases N times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subset = write_subset(args.corpus, args.limit, Path(tmp))
        for n in range(args.repeat):
            # The same order in each round: the cases share the machine's page cache equally.
            runs = {
                name: _in_child(_pipeline, subset, Path(tmp) / f"{name}{n}.duckdb", values)
                for name, values in PIPELINES
            }
            runs["command"] = _command(subset, Path(tmp) / f"command{n}.duckdb")
            ours = runs["westphalia"]
            base_seconds, base_cpu = _in_child(
                _baseline, ours["texts"], ours["model"], ours["batch"], False
            )
            tuned_seconds, tuned_cpu = _in_child(
                _baseline, ours["texts"], ours["model"], ours["batch"], True
            )
            one_seconds, one_cpu = _in_child(
                _one_process, ours["texts"], ours["model"], ours["batch"]
            )
            words = sum(len(t.split()) for t in ours["texts"])
            print(
                f"round {n + 1}: {ours['new']:,} articles ({words:,} words), "
                f"{ours['sentences']:,} sentences, {ours['skipped']:,} not parsed "
                f"({ours['skipped'] / max(1, ours['sentences']):.0%}), {ours['events']:,} events"
            )
            cases = [
                ("baseline", base_seconds, base_cpu),
                ("one process", one_seconds, one_cpu),
                ("spaCy tuned", tuned_seconds, tuned_cpu),
            ]
            cases += [(name, run["seconds"], run["cpu"]) for name, run in runs.items()]
            for name, seconds, cpu in cases:
                print(
                    f"  {name:<15} {seconds:6.1f} s  {ours['new'] / seconds:6.1f} articles/s"
                    f"  wall ratio {seconds / base_seconds:.3f}  CPU {cpu:6.1f} s"
                    f"  CPU ratio {cpu / base_cpu:.3f} (to one process {cpu / one_cpu:.3f})"
                )


# The pipeline's cases: the default settings, and each of the two ways of parsing more.
PIPELINES = (
    ("select=all", {"parse.select": "all"}),
    ("entities=model", {"parse.entities": "model"}),
    ("fork_server", {"parse.fork_server": "true"}),
    ("westphalia", {}),
)


def _in_child(function, *args):  # noqa: ANN001, ANN002, ANN202
    """`function(*args)` run in a fresh child process (its own fork server and workers, as in a
    `westphalia ingest` of its own); returns what the function returns."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, function, args))
    child.start()
    send.close()
    result = receive.recv()
    child.join()
    return result


def _child(conn, function, args) -> None:  # noqa: ANN001
    conn.send(function(*args))


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


def _pipeline(subset: Path, store_path: Path, values: dict[str, str]) -> dict[str, Any]:
    """The whole pipeline on `subset`, timed from before the store opens (the libraries are
    imported already, as in the baseline)."""
    settings = load_settings(env={}, values={"store.path": store_path, **values})
    start, cpu = time.perf_counter(), _cpu()
    with open_store(settings.store.path) as store:
        summary = run([subset], settings=settings, store=store)
        seconds = time.perf_counter() - start
        used = _cpu() - cpu
        texts = [r["text"] for r in store.query("SELECT text FROM articles ORDER BY id")]
        events = store.query("SELECT count(*) AS n FROM events")[0]["n"]
    return {
        "seconds": seconds,
        "cpu": used,
        "new": summary.new,
        "sentences": summary.sentences,
        "skipped": summary.sentences_skipped,
        "events": events,
        "texts": texts,
        "model": settings.parse.model,
        "batch": settings.parse.batch_size,
    }


def _command(subset: Path, store_path: Path) -> dict[str, float]:
    """`westphalia ingest` on `subset` in a subprocess (exit code 3 is expected: the records
    without a body are rejections)."""
    script = Path(sys.executable).with_name("westphalia")
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(
        [str(script), "ingest", str(subset), "--store", str(store_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, used = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 3):
        raise SystemExit(f"westphalia ingest exited with {done.returncode}:\n{done.stderr}")
    return {"seconds": seconds, "cpu": used}


def _baseline(texts: list[str], model: str, batch_size: int, tuned: bool) -> tuple[float, float]:
    """spaCy's `nlp.pipe` over every text in as many worker processes as the pipeline runs
    processes (westphalia.workers, forked once this process has loaded the model, two tasks per
    worker, cut by characters as the pipeline cuts its own), start-up included; the workers
    return nothing, so no conversion is counted. `tuned`: westphalia's pipeline (load_model)
    instead of stock spaCy's. Returns the wall and CPU seconds."""
    workers = Parser(load_settings(env={}).parse).processes
    items = [(i, str(i), text) for i, text in enumerate(texts)]
    tasks = balanced_tasks(items, workers * 2)
    start, cpu = time.perf_counter(), _cpu()
    global _NLP
    # stock spaCy (westphalia's changes not counted), or the pipeline westphalia loads
    _NLP = load_model(model) if tuned else spacy.load(model)
    pool = Pool(workers, _spacy_worker, (batch_size, tuned), budget=3600, start_method="fork")
    try:
        done = sum(1 for _, kind, _ in pool.run(tasks) if kind == "done")
    finally:
        pool.close()
    assert done == len(items), f"the baseline parsed {done} of {len(items)} texts"
    return time.perf_counter() - start, _cpu() - cpu


def _one_process(texts: list[str], model: str, batch_size: int) -> tuple[float, float]:
    """Stock spaCy's `nlp.pipe` over every text in this process, the model's load included.
    Returns the wall and CPU seconds."""
    start, cpu = time.perf_counter(), _cpu()
    nlp = spacy.load(model)
    parsed = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size))
    assert parsed == len(texts), f"the one-process baseline parsed {parsed} of {len(texts)} texts"
    return time.perf_counter() - start, _cpu() - cpu


_NLP = None  # the baseline's pipeline, loaded before its workers are forked


def _spacy_worker(batch_size: int, tuned: bool):  # noqa: ANN202 - the worker's handler
    nlp = _NLP

    def handle(task: list[tuple[int, str, str]]):  # noqa: ANN202
        yield ("begin", [index for index, _, _ in task])
        with _one_blas_thread() if tuned else contextlib.nullcontext():
            docs = list(nlp.pipe((text for _, _, text in task), batch_size=batch_size))
        assert len(docs) == len(task)
        for index, _, _ in task:
            yield ("done", index, None)

    return handle


if __name__ == "__main__":
    main()
