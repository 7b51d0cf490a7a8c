"""Peak memory of a whole ingest, all processes together, against corpus size.

Usage:
    .venv/bin/python benchmarks/memory_streaming.py --articles 100000

Writes `--articles` generated articles (westphalia.synthetic: wire-style political stories with
planted near-duplicates) and, as a baseline in the same command, the first tenth of them; then runs
`westphalia ingest` (the real CLI, default settings: parse workers, events, quotes, store) on each
into a new store, sampling every half second the resident memory of the ingest process and of
every process under it (the fork server and the parse workers forked from it). Reports, for each
run, the articles/s and the peaks of the summed RSS, of the summed PSS (each shared page counted
once, split among the processes sharing it: the workers share the pages of the model and matchers
the fork server loaded, which RSS counts once per process) and of the main process alone, then the
ratio of the full run's peaks to the baseline's: 1.0 means memory does not grow with the corpus.
`--set KEY=VALUE` (repeatable) is passed to the ingest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from westphalia.synthetic import synthetic_articles

SAMPLE_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--set", action="append", default=[], help="a setting for the ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sizes = (max(1, args.articles // 10), args.articles)
        results = []
        for size in sizes:
            corpus = work / f"synthetic-{size}.jsonl"
            with corpus.open("w", encoding="utf-8") as f:
                for record in synthetic_articles(size, seed=0):
                    f.write(json.dumps(record) + "\n")
            results.append(_ingest(corpus, work / f"store-{size}.duckdb", size, args.set))
    for row in results:
        print(
            f"{row['articles']:>8,} articles: {row['seconds']:7.1f} s, "
            f"{row['articles'] / row['seconds']:5.1f} articles/s, peak all processes "
            f"RSS {row['peak_total_mb']:6.0f} MB, PSS {row['peak_pss_mb']:6.0f} MB "
            f"(main process {row['peak_main_mb']:5.0f} MB, up to {row['processes']} processes)"
        )
    small, full = results
    print(
        f"ratio of peaks, {full['articles']:,} to {small['articles']:,} articles: "
        f"{full['peak_total_mb'] / small['peak_total_mb']:.2f} (all processes, RSS), "
        f"{full['peak_pss_mb'] / small['peak_pss_mb']:.2f} (all processes, PSS), "
        f"{full['peak_main_mb'] / small['peak_main_mb']:.2f} (main process)"
    )


def _ingest(corpus: Path, store: Path, size: int, values: list[str]) -> dict[str, float | int]:
    command = [sys.executable, "-m", "westphalia", "ingest", str(corpus), "--store", str(store)]
    command += [option for value in values for option in ("--set", value)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    main = psutil.Process(process.pid)
    peak_total = peak_pss = peak_main = 0.0
    processes = 1
    while process.poll() is None:
        try:
            family = [main, *main.children(recursive=True)]
            memory = [p.memory_full_info() for p in family]
            rss = [m.rss for m in memory]
        except psutil.Error:  # a worker ended between the two calls
            time.sleep(SAMPLE_SECONDS)
            continue
        peak_total = max(peak_total, sum(rss) / 2**20)
        peak_pss = max(peak_pss, sum(getattr(m, "pss", m.rss) for m in memory) / 2**20)
        peak_main = max(peak_main, rss[0] / 2**20)
        processes = max(processes, len(family))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    if process.returncode not in (0, 3):  # 3: some items rejected
        raise SystemExit(f"ingest failed with exit code {process.returncode}")
    return {
        "articles": size,
        "seconds": seconds,
        "peak_total_mb": peak_total,
        "peak_pss_mb": peak_pss,
        "peak_main_mb": peak_main,
        "processes": processes,
    }


if __name__ == "__main__":
    main()
