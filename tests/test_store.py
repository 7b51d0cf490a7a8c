from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from westphalia import queries
from westphalia.errors import StoreError
from westphalia.store import MIGRATIONS, SCHEMA_VERSION, open_store


def test_migrations_create_every_table_once(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    with open_store(path) as store:  # reopening applies nothing twice
        assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        tables = {
            r["table_name"] for r in store.query("SELECT table_name FROM information_schema.tables")
        }
    expected = {
        "articles",
        "article_sources",
        "stories",
        "rejections",
        "runs",
        "meta",
        "schema_migrations",
        "sentences",
        "actors",
        "mentions",
        "events",
        "quotes",
    }
    assert expected <= tables


@pytest.mark.parametrize("read_only", [False, True])
def test_newer_schema_is_refused(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    con.close()
    with pytest.raises(StoreError, match="schema version 999, newer than this westphalia"):
        open_store(path, read_only=read_only)


def test_unwritable_store_path_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match="Cannot open the store .*Check the path and its permissions"
    ):
        open_store(tmp_path / "missing-dir" / "s.duckdb")


def test_failed_batch_leaves_nothing(store) -> None:
    before = queries.counts(store)
    with pytest.raises(duckdb.Error), store.transaction():
        store.con.execute("INSERT INTO meta VALUES ('k', 'v')")
        store.con.execute("INSERT INTO meta VALUES ('k', 'v')")  # primary key violation
    assert queries.counts(store) == before
    assert store.query("SELECT * FROM meta WHERE key = 'k'") == []


def _killed_run(path: Path) -> None:
    """Start a run in another process and SIGKILL it, as a killed `westphalia ingest` would be."""
    code = (
        "import os, signal, sys\n"
        "from westphalia.store import open_store\n"
        "open_store(sys.argv[1]).start_run('killed', 'ingest')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr


def _statuses(store) -> dict[str, str]:
    return {r["id"]: r["status"] for r in store.query("SELECT id, status FROM runs")}


def test_a_killed_run_is_marked_interrupted_when_the_next_run_starts(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    _killed_run(path)
    with open_store(path) as store:
        assert _statuses(store) == {"killed": "running"}
        store.start_run("next", "ingest")
        assert _statuses(store) == {"killed": "interrupted", "next": "running"}


def test_a_live_run_of_this_process_stays_running(store) -> None:
    store.start_run("first", "ingest")
    store.start_run("second", "ingest")
    assert _statuses(store) == {"first": "running", "second": "running"}
