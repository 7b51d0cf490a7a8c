"""Data files shipped inside the package."""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib.resources import as_file, files
from pathlib import Path


def sample_corpus() -> AbstractContextManager[Path]:
    """The bundled sample corpus directory (a context manager giving a real path)."""
    return as_file(files("westphalia") / "data" / "sample")
