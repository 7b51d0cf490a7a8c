"""What the corpus benchmarks share: their command line and the slice of the corpus they read."""

from __future__ import annotations

import argparse
from itertools import islice
from pathlib import Path


def corpus_parser(doc: str | None, *, limit_help: str) -> argparse.ArgumentParser:
    """A parser with the corpus path and --limit (default 3000)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "corpus", type=Path, help="JSONL with a text field (e.g. reuters21578.jsonl)"
    )
    parser.add_argument("--limit", type=int, default=3000, help=limit_help)
    return parser


def write_subset(corpus: Path, limit: int, directory: Path) -> Path:
    """The first `limit` lines of the JSONL `corpus`, written to a file in `directory`."""
    subset = directory / "subset.jsonl"
    with corpus.open() as src, subset.open("w") as dst:
        dst.writelines(islice(src, limit))
    return subset
