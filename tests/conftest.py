from __future__ import annotations

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
            "source": "/corpus/a.txt", "format": InputFormat.TEXT, "raw": b"raw",
            "raw_text": "Pakistan and Russia held talks in Moscow on Tuesday.",
        }  # fmt: skip
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
