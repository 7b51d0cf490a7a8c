from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

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
    expected = {"articles", "article_sources", "stories", "rejections", "runs", "meta", "schema_migrations",
                "sentences", "actors", "mentions", "events", "quotes"}  # fmt: skip
    assert expected <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    con.close()
    with pytest.raises(StoreError, match="schema version 999, newer than this westphalia"):
        open_store(path)


def test_unwritable_store_path_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match="Cannot open the store .*Pass --store with a writable path"
    ):
        open_store(tmp_path / "missing-dir" / "s.duckdb")


def test_failed_batch_leaves_nothing(store) -> None:
    before = store.counts()
    with pytest.raises(duckdb.Error), store.transaction():
        store.con.execute("INSERT INTO meta VALUES ('k', 'v')")
        store.con.execute("INSERT INTO meta VALUES ('k', 'v')")  # primary key violation
    assert store.counts() == before
    assert store.query("SELECT * FROM meta WHERE key = 'k'") == []
