"""A run killed with SIGKILL midway leaves a consistent store that its rerun completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from westphalia import queries
from westphalia.store import open_store
from westphalia.synthetic import synthetic_articles

N_FILES = 800  # ~15 s of ingest (parsing included) on the 2-core CI machine
WAL_BYTES = 300_000  # a few committed batches of 25 articles with their sentences and mentions


def _ingest(corpus: Path, store: Path) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "westphalia",
        "ingest",
        str(corpus),
        "--store",
        str(store),
        "--quiet",
        "--set",
        "store.batch_size=25",
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _counts(store: Path) -> dict[str, int]:
    with open_store(store) as db:
        counts = queries.counts(db)
        counts["stories_by_membership"] = len(queries.stories(db))
        counts["orphans"] = db.query(
            "SELECT count(*) AS n FROM articles a LEFT JOIN stories s ON s.id = a.story_id WHERE s.id IS NULL"
        )[0]["n"]
    return counts


@pytest.mark.slow
def test_sigkill_midway_then_rerun_matches_a_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for record in synthetic_articles(N_FILES, seed=11):
        (corpus / f"{record['date']}_{record['id']}.txt").write_text(
            record["title"] + "\n\n" + record["text"]
        )

    killed = tmp_path / "killed.duckdb"
    proc = _ingest(corpus, killed)
    wal = Path(f"{killed}.wal")
    deadline = time.monotonic() + 60
    while not (wal.exists() and wal.stat().st_size > WAL_BYTES) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # into the next batch, then kill it
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = _counts(killed)
    assert 0 < partial["articles"] < N_FILES, partial  # it really was midway
    assert partial["orphans"] == 0

    assert _ingest(corpus, killed).wait() == 0
    clean = tmp_path / "clean.duckdb"
    assert _ingest(corpus, clean).wait() == 0
    assert _counts(killed) == _counts(clean)
    assert _counts(clean)["articles"] == N_FILES
