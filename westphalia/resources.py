"""Data files shipped inside the package."""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader reads the bundled data files about five times faster than the pure-Python
# one (the gazetteer's four files: 0.14 s against 0.67 s); the same safe subset of YAML.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the fastest safe loader available."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader


def sample_corpus() -> AbstractContextManager[Path]:
    """The bundled sample corpus directory (a context manager giving a real path)."""
    return as_file(files("westphalia") / "data" / "sample")
