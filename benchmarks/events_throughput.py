"""End-to-end throughput (ingest -> events stored) against spaCy parsing the same sentences.

Usage:
    .venv/bin/python benchmarks/events_throughput.py ../shared/corpora/reuters21578.jsonl --limit 3000

In this one process, on the first `--limit` records of the corpus:
  westphalia  the full pipeline (read, normalize, dedupe, parse, actors, events, quotes, store)
              into a new store, with the default settings (parse workers: one per core, at most 4);
  baseline    spaCy's `nlp.pipe` over every sentence the pipeline stored, in this process, the
              same model and batch size (the cost any parser-based coder pays at least once).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _corpus import corpus_parser, write_subset

from westphalia import load_settings, open_store, run
from westphalia.config import ParseSettings
from westphalia.parse import Parser


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="records to ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subset = write_subset(args.corpus, args.limit, Path(tmp))
        settings = load_settings(env={}, values={"store.path": Path(tmp) / "bench.duckdb"})
        with open_store(settings.store.path) as store:
            start = time.perf_counter()
            summary = run([subset], settings=settings, store=store)
            ours = time.perf_counter() - start
            sentences = [
                r["text"]
                for r in store.query("SELECT text FROM sentences ORDER BY article_id, idx")
            ]
            n_events = store.query("SELECT count(*) AS n, sum(count) AS stated FROM events")[0]
        with Parser(ParseSettings(processes=1)) as baseline:
            start = time.perf_counter()
            for _ in baseline.nlp.pipe(sentences, batch_size=ParseSettings().batch_size):
                pass
            base = time.perf_counter() - start
    print(
        f"{summary.read:,} records, {summary.new:,} articles, {len(sentences):,} sentences, "
        f"{n_events['n']:,} events, stated {n_events['stated'] or 0:,} times"
    )
    print(f"westphalia end to end : {ours:.1f} s = {summary.new / ours:,.1f} articles/s")
    print(
        f"spaCy nlp.pipe over every sentence (one process): {base:.1f} s = {summary.new / base:,.1f} articles/s"
    )
    print(f"ratio end-to-end / parse-only throughput: {base / ours:.3f}")


if __name__ == "__main__":
    main()
