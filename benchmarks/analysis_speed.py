"""Speed of the relationship layer (dyad report, network, exports) against reading the events.

Usage:
    .venv/bin/python benchmarks/analysis_speed.py ../shared/corpora/reuters21578.jsonl --limit 3000

Ingests the first `--limit` records into a new store (not timed), then, in this one process:
  baseline   the events table with its evidence sentences read into pandas (`SELECT ... JOIN
             sentences`): the least any analysis of the events costs;
  report     the dyad report of the dyad with the most events (domains, key events, quotes, trend);
  network    the alignment network (edges, triads, Louvain blocs);
  export     each export format written to a temporary file.
Each figure is the best of `--repeat` runs, reported as a ratio to the baseline.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _corpus import corpus_parser, write_subset

from westphalia import analyze, load_settings, open_store, run
from westphalia.export import FORMATS, export


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="records to ingest")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the best counts"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subset = write_subset(args.corpus, args.limit, Path(tmp))
        settings = load_settings(env={}, values={"store.path": Path(tmp) / "bench.duckdb"})
        with open_store(settings.store.path) as store:
            run([subset], settings=settings, store=store)
        with open_store(settings.store.path, read_only=True) as store:
            n = store.query("SELECT count(*) AS n FROM events")[0]["n"]
            edges = analyze.network(store).edges
            if not edges:
                raise SystemExit(
                    f"no dyad has events in the first {args.limit} records; raise --limit"
                )
            top = max(edges, key=lambda e: e["events"])
            a, b = top["source"], top["target"]
            sql = "SELECT e.*, s.text FROM events e LEFT JOIN sentences s ON s.article_id = e.article_id AND s.idx = e.sentence_idx"
            base = best(lambda: store.con.cursor().execute(sql).df(), args.repeat)
            timings = {
                f"report {a} {b}": best(lambda: analyze.dyad_report(store, a, b), args.repeat),
                "network": best(lambda: analyze.network(store), args.repeat),
            }
            for fmt in FORMATS:
                out = Path(tmp) / f"out.{fmt}"
                timings[f"export {fmt}"] = best(
                    lambda fmt=fmt, out=out: export(store, fmt, out), args.repeat
                )
    print(f"{n:,} events; baseline (events + sentences into pandas): {base * 1000:.1f} ms")
    for name, seconds in timings.items():
        print(f"{name:<16} {seconds * 1000:8.1f} ms   ratio to baseline {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
