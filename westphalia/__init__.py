"""westphalia: turn news articles into structured data about international relations."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings
from .errors import ExitCode, InputError, WestphaliaError
from .model import Actor, Article, Event, Mention, Quote, Rejection, Sentence, Span, Story
from .resources import sample_corpus

if TYPE_CHECKING:
    from .pipeline import RunSummary, run
    from .relations import Relations
    from .relations import open_relations as open  # noqa: A004 - westphalia.open(store)
    from .store import Store, open_store

# Imported on first use (PEP 562): a parse worker imports westphalia.parse, and with it this
# package, without DuckDB, Arrow, pandas or networkx (about 150 MB per worker process).
_LAZY = {
    "RunSummary": (".pipeline", "RunSummary"),
    "run": (".pipeline", "run"),
    "Relations": (".relations", "Relations"),
    "open": (".relations", "open_relations"),
    "Store": (".store", "Store"),
    "open_store": (".store", "open_store"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'westphalia' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value
    return value


__all__ = [
    "Actor",
    "Article",
    "Event",
    "ExitCode",
    "InputError",
    "Mention",
    "Quote",
    "Rejection",
    "Relations",
    "RunSummary",
    "Sentence",
    "Settings",
    "Span",
    "Store",
    "Story",
    "WestphaliaError",
    "load_settings",
    "open",
    "open_store",
    "run",
    "sample_corpus",
]
__version__ = "0.1.0"
