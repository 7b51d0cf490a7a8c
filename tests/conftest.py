from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from westphalia.cli import app
from westphalia.config import Settings, load_settings
from westphalia.model import Article, InputFormat
from westphalia.store import Store, open_store

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"  # gold sets, seeds, dictionaries
sys.path.insert(0, str(Path(__file__).parent))  # shared helpers: fakes.py, badinput.py


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={}, values={"store.path": tmp_path / "test.duckdb"})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings.store.path) as db:
        yield db


@pytest.fixture
def make_article() -> Callable[..., Article]:
    def make(**overrides: Any) -> Article:
        fields: dict[str, Any] = {
            "source": "/corpus/a.txt",
            "format": InputFormat.TEXT,
            "raw": b"raw",
            "raw_text": "Pakistan and Russia held talks in Moscow on Tuesday.",
        }
        fields.update(overrides)
        return Article(**fields)

    return make


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Invoke the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    for key in [k for k in __import__("os").environ if k.startswith("WESTPHALIA_")]:
        monkeypatch.delenv(key)
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Any:
        return runner.invoke(app, list(map(str, args)), input=input, catch_exceptions=False)

    return invoke


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_DATE = "2021-04-06"  # the op-ed's publication date (Lavrov's visit, April 6-7)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "westphalia", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store `westphalia demo` builds from the bundled sample corpus (built once)."""
    where = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--store", "demo.duckdb", cwd=where)
    assert result.returncode == 0, result.stderr
    return where / "demo.duckdb"


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two copies of the seed op-ed, ingested with their publication date (built once)."""
    if not SEEDS.is_dir():
        require_shared(SEEDS, "the seed documents")
    where = tmp_path_factory.mktemp("seeds")
    result = run_cli(
        "ingest", str(SEEDS), "--date", SEED_DATE, "--store", "seeds.duckdb", cwd=where
    )
    assert result.returncode == 0, result.stderr
    return where / "seeds.duckdb"


def require_shared(path: Path, what: str) -> None:
    """Skip (with the reason printed by -rs) when `path` from ../shared is missing; in CI
    (CI=true, set by .ci/run) fail instead, so a gate never passes by not running."""
    if path.exists():
        return
    message = f"{what} is not at {path}; it comes from ../shared beside the checkout"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
