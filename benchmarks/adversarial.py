"""Parse time and peak memory against document size for pathological shapes (issue 11).

Usage:
    .venv/bin/python benchmarks/adversarial.py                   # 2.3 minutes on 2 idle cores
    .venv/bin/python benchmarks/adversarial.py --sizes 25000,100000,400000 --shapes one-letter

Each (shape, size) is parsed by a fresh child process (the default parse settings, one process:
`--processes 2` sends documents of 200,000 characters or more to parse workers). This process
samples the resident memory of the child and all its descendants together every 10 ms with
psutil; "MB" is the peak over what the child held once its model was loaded. Ratios are to the
smallest size: linear growth shows as time and memory ratios close to the size ratio.

Shapes:
  underscores   one run of underscores (20,000 took 36 s before the guards)
  punctuation   runs of mixed punctuation between words
  one-letter    "a a a ...": two characters per token, the most tokens per character
  long-line     prose with no sentence end and no line break
  said-that     "Russia said that Pakistan said that ...": one ever-deepening sentence
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

SHAPES = {
    "underscores": lambda n: "_" * n,
    "punctuation": lambda n: ("Talks " + "!?.,;:-" * 20 + " ended ") * (n // 153 + 1),
    "one-letter": lambda n: "a " * (n // 2),
    "long-line": lambda n: "officials in Moscow and Islamabad met on Tuesday, " * (n // 50 + 1),
    "said-that": lambda n: "Russia said that Pakistan said that " * (n // 36 + 1),
}
DEFAULT_SIZES = (20_000, 40_000, 80_000, 160_000)
SAMPLE_SECONDS = 0.01

CHILD = """
import json, sys, time
from westphalia.config import ParseSettings
from westphalia.parse import Parser

sys.path.insert(0, {here!r})
from adversarial import SHAPES

text = SHAPES[{shape!r}]({size})[:{size}]
with Parser(ParseSettings(processes={processes})) as parser:
    parser._phrase_matchers()
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    (result,) = parser.parse_each([("a", text)])
    seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "tokens": len(getattr(result, "tokens", ())),
                  "failed": getattr(result, "code", None)}}), flush=True)
"""


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    with contextlib.suppress(psutil.NoSuchProcess):
        for p in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
    return total


def measure(shape: str, size: int, *, processes: int) -> dict[str, float]:
    """Parse one document of `shape` and `size` in a child; its time and peak memory."""
    code = CHILD.format(
        here=str(Path(__file__).parent), shape=shape, size=size, processes=processes
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        tree = psutil.Process(child.pid)
        base = peak = _tree_rss(tree)
        child.stdin.write("go\n")
        child.stdin.flush()
        while child.poll() is None:
            peak = max(peak, _tree_rss(tree))
            time.sleep(SAMPLE_SECONDS)
        result = json.loads(child.stdout.read().splitlines()[-1])
    finally:
        child.kill()
        child.wait()
    return {**result, "mb": (peak - base) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="document sizes in characters, comma-separated",
    )
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated")
    parser.add_argument("--processes", type=int, default=1, help="parse.processes")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(
        f"{'shape':<12} {'chars':>9} {'tokens':>8} {'seconds':>8} {'peak MB':>8} "
        f"{'x size':>7} {'x time':>7} {'x MB':>6}"
    )
    for shape in args.shapes.split(","):
        first: dict[str, float] = {}
        for size in sizes:
            row = measure(shape, size, processes=args.processes)
            first = first or row
            note = f"  rejected {row['failed']}" if row["failed"] else ""
            print(
                f"{shape:<12} {size:>9,} {row['tokens']:>8,} {row['seconds']:>8.2f} "
                f"{row['mb']:>8.0f} {size / sizes[0]:>7.1f} "
                f"{row['seconds'] / max(first['seconds'], 1e-3):>7.1f} "
                f"{row['mb'] / max(first['mb'], 1.0):>6.1f}{note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
