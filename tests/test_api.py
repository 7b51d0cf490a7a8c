from __future__ import annotations

from pathlib import Path

import pytest

import westphalia
from westphalia import queries
from westphalia.errors import QueryError


def test_public_api_is_sorted_and_importable() -> None:
    assert westphalia.__all__ == sorted(westphalia.__all__)
    for name in westphalia.__all__:
        assert getattr(westphalia, name) is not None


def test_library_run_and_stories(tmp_path) -> None:
    (tmp_path / "2025-01-02_talks.txt").write_text("Talks\n\nEgypt and Sudan held talks in Cairo.")
    settings = westphalia.load_settings(env={}, values={"store.path": tmp_path / "s.duckdb"})
    with westphalia.open_store(settings.store.path) as store:
        summary = westphalia.run([tmp_path], settings=settings, store=store)
        (story,) = queries.stories(store)
    assert summary.new == 1
    assert (story.title, story.n_articles, story.first_published.isoformat()) == (
        "Talks",
        1,
        "2025-01-02",
    )
    assert story.lead == "Egypt and Sudan held talks in Cairo."


# What a hostile query tries through the read-only sql(): write, read or fetch files, extensions,
# other databases, or turn the guards off. {dir} is the store's folder.
SQL_PROBES = [
    "COPY events TO '{dir}/out.csv'",
    "COPY (SELECT 1) TO '{dir}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{dir}/dump'",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('{dir}/secret.csv')",
    "SELECT * FROM read_blob('{dir}/secret.csv')",
    "SELECT * FROM glob('{dir}/*')",
    "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "ATTACH '{dir}/other.duckdb' AS other",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "SET lock_configuration = false",
    "SET autoinstall_known_extensions = true",
    "SET allowed_directories = ['/']",
    "CREATE TABLE x (a INTEGER)",
    "DELETE FROM events",
]


@pytest.mark.parametrize("probe", SQL_PROBES)
def test_read_only_sql_refuses_files_extensions_and_settings(tmp_path: Path, probe: str) -> None:
    path = tmp_path / "s.duckdb"
    westphalia.open_store(path).close()
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n")
    before = sorted(tmp_path.rglob("*"))
    with westphalia.open(path) as db, pytest.raises(QueryError) as raised:
        db.sql(probe.format(dir=tmp_path))
    assert raised.value.code == "E402"
    assert raised.value.message.startswith("The query failed: ")
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_read_only_sql_still_reads_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    westphalia.open_store(path).close()
    with westphalia.open(path) as db:
        frame = db.sql(
            "SELECT count(*) AS n, current_setting('enable_external_access') AS ext FROM events"
        )
    assert frame.to_dict("records") == [{"n": 0, "ext": False}]
