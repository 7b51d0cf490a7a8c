"""Dedupe at scale: time and memory of the on-disk LSH index against datasketch's in-memory one.

Usage:
    .venv/bin/python benchmarks/dedupe_scale.py --articles 1000000

Generates short articles (40 to 80 words from a 5,000-word vocabulary, one in ten a near-copy
of an earlier one with two words changed), then assigns each to a story as ingest does
(`westphalia.dedupe.dedupe`: MinHash signature, nearest known article, add), committing every
256 articles as the pipeline does after each store batch. Two cases, each in its own child
process of this command so that their memory is their own:

  disk     westphalia's index (an SQLite file of signatures and LSH band keys);
  memory   the index this replaced: datasketch's MinHashLSH plus a dict of signatures, in
           memory (same threshold, permutations and signatures).

At 10k, 100k and 1M articles (those reached) each case reports the seconds so far, the
articles/s and its resident memory; then the ratios disk/memory, and whether both found the
same near-duplicates.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from westphalia.config import DedupeSettings
from westphalia.dedupe import DedupeIndex, dedupe
from westphalia.model import Article, Duplicate, InputFormat, content_id

CHECKPOINTS = (10_000, 100_000, 1_000_000)
COMMIT_EVERY = 256


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--case", choices=("disk", "memory"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        _run_case(args.case, args.articles)
        return
    results = {}
    for case in ("disk", "memory"):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--articles", str(args.articles)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[case] = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    print(f"{'articles':>10} {'case':<7} {'seconds':>8} {'articles/s':>11} {'RSS MB':>8}")
    for disk, memory in zip(results["disk"], results["memory"], strict=True):
        for case, row in (("disk", disk), ("memory", memory)):
            print(
                f"{row['articles']:>10,} {case:<7} {row['seconds']:>8.1f} "
                f"{row['articles'] / row['seconds']:>11,.0f} {row['rss_mb']:>8.0f}"
            )
        print(
            f"{'':>10} ratio   time {disk['seconds'] / memory['seconds']:.2f}, "
            f"memory {disk['rss_mb'] / memory['rss_mb']:.2f}; near-duplicates found "
            f"{disk['near']:,} (disk) / {memory['near']:,} (memory), planted {disk['planted']:,}"
        )


def _run_case(case: str, n: int) -> None:
    settings = DedupeSettings()
    with tempfile.TemporaryDirectory() as tmp:
        index = DedupeIndex(settings, Path(tmp) / "bench.lsh") if case == "disk" else None
        memory = _MemoryIndex(settings) if case == "memory" else None
        near = planted = 0
        start = time.perf_counter()
        for i, (text, copied) in enumerate(_articles(n), start=1):
            planted += copied
            article = Article("/bench", InputFormat.TEXT, b"", text, text=text, id=content_id(text))
            if index is not None:
                near += dedupe(article, index=index).match is Duplicate.NEAR
                if i % COMMIT_EVERY == 0:
                    index.commit()
            else:
                near += memory.assign(article)
            if i in CHECKPOINTS or i == n:
                row = {
                    "articles": i,
                    "seconds": time.perf_counter() - start,
                    "rss_mb": _rss_mb(),
                    "near": near,
                    "planted": planted,
                }
                print(json.dumps(row), flush=True)
        if index is not None:
            index.commit()
            index.close()


class _MemoryIndex:
    """The in-memory index westphalia used before (datasketch MinHashLSH + dicts)."""

    def __init__(self, settings: DedupeSettings) -> None:
        self.settings = settings
        self.lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
        self.values: dict[str, np.ndarray] = {}

    def assign(self, article: Article) -> bool:
        from westphalia.dedupe import text_minhash

        if article.id in self.values:
            return False
        minhash: MinHash = text_minhash(article.text, settings=self.settings)
        best = 0.0
        for candidate in self.lsh.query(minhash):
            best = max(best, float(np.mean(minhash.hashvalues == self.values[candidate])))
        self.values[article.id] = minhash.hashvalues
        self.lsh.insert(article.id, minhash)
        return best >= self.settings.threshold


def _articles(n: int):  # noqa: ANN202 - (text, is a planted near-copy)
    rng = random.Random(0)
    vocabulary = [f"w{k}" for k in range(5_000)]
    recent: list[list[str]] = []
    for _ in range(n):
        if recent and rng.random() < 0.1:
            words = list(rng.choice(recent))
            for _ in range(2):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            yield " ".join(words), 1
            continue
        words = rng.choices(vocabulary, k=rng.randint(40, 80))
        recent.append(words)
        if len(recent) > 1_000:
            recent.pop(0)
        yield " ".join(words), 0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
