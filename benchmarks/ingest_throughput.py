"""Ingest throughput (articles/s) and peak memory, as ratios to a JSON-parsing baseline.

Usage:
    .venv/bin/python benchmarks/ingest_throughput.py --reuters ../shared/corpora/reuters21578.jsonl \
        --synthetic 10000

For each corpus, two cases run in fresh child processes of this one command:
  baseline  read the JSONL and json.loads every line (the least any ingest must do);
  ingest    westphalia's full ingest (read, normalize, dedupe, store) into a new DuckDB file.
Each child reports its wall time and its own peak resident memory (VmHWM). The synthetic
corpus (westphalia.synthetic) has planted near-duplicates, so the run also reports how many
the dedupe stage found and how many articles it joined to a wrong story.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _baseline(path: Path) -> dict[str, float]:
    n = 0
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                json.loads(line)
                n += 1
    return {"items": n}


def _ingest(path: Path, store: Path) -> dict[str, float]:
    from westphalia import load_settings, open_store, run

    settings = load_settings(env={}, values={"store.path": store})
    with open_store(store) as db:
        summary = run([path], settings=settings, store=db)
    return {
        "items": summary.read,
        "new": summary.new,
        "rejected": summary.rejected,
        "stories": summary.stories_total,
    }


def _child(case: str, path: Path, store: Path) -> None:
    start = time.perf_counter()
    result = _baseline(path) if case == "baseline" else _ingest(path, store)
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_case(case: str, path: Path, workdir: Path) -> dict[str, float]:
    store = workdir / f"{path.stem}-{case}.duckdb"
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, "--input", str(path), "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def _dedupe_quality(corpus: Path, store: Path) -> str:
    """Planted near-duplicates found, and articles joined to a story they do not belong to."""
    import duckdb

    with corpus.open() as f:
        planted = {r["id"]: r.get("near_duplicate_of") for r in map(json.loads, f)}
    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute(
        "SELECT s.external_id, a.story_id, a.match FROM article_sources s JOIN articles a ON a.id = s.article_id"
    ).fetchall()
    con.close()
    story = {external_id: story_id for external_id, story_id, _ in rows}
    joined = {external_id for external_id, _, match in rows if match == "near"}
    found = sum(1 for i, o in planted.items() if o and story[i] == story[o])
    total = sum(1 for o in planted.values() if o)
    wrong = sum(1 for i in joined if not planted[i] or story[i] != story[planted[i]])
    return f"dedupe: planted near-duplicates found {found:,}/{total:,}; articles joined to a wrong story {wrong:,}"


def _report(name: str, path: Path, workdir: Path) -> dict[str, float]:
    base = _run_case("baseline", path, workdir)
    ingest = _run_case("ingest", path, workdir)
    rate, base_rate = ingest["items"] / ingest["seconds"], base["items"] / base["seconds"]
    print(f"\n## {name}: {path}")
    print(
        f"baseline json.loads : {base['items']:,.0f} items in {base['seconds']:.2f} s = {base_rate:,.0f}/s, peak {base['peak_mb']:.0f} MB"
    )
    print(
        f"westphalia ingest   : {ingest['items']:,.0f} items in {ingest['seconds']:.2f} s = {rate:,.0f}/s, peak {ingest['peak_mb']:.0f} MB"
        f" ({ingest['new']:,.0f} articles stored, {ingest['stories']:,.0f} stories, {ingest['rejected']:,.0f} rejected)"
    )
    print(
        f"ratio ingest/baseline: throughput {rate / base_rate:.3f}, peak memory {ingest['peak_mb'] / base['peak_mb']:.2f}"
    )
    return ingest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuters", type=Path, help="path to reuters21578.jsonl")
    parser.add_argument(
        "--synthetic", type=int, default=10_000, help="generated articles (0: skip)"
    )
    parser.add_argument("--child", choices=("baseline", "ingest"), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.input, args.store)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.reuters:
            _report("Reuters-21578", args.reuters, workdir)
        if args.synthetic:
            from westphalia.synthetic import synthetic_articles

            corpus = workdir / f"synthetic-{args.synthetic}.jsonl"
            with corpus.open("w") as f:
                for record in synthetic_articles(args.synthetic, seed=0):
                    f.write(json.dumps(record) + "\n")
            _report(f"{args.synthetic:,} generated articles", corpus, workdir)
            print(_dedupe_quality(corpus, workdir / f"{corpus.stem}-ingest.duckdb"))


if __name__ == "__main__":
    main()
