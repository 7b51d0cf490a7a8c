"""westphalia: turn news articles into structured data about international relations."""

from .config import Settings, load_settings
from .errors import ExitCode, InputError, WestphaliaError
from .model import Actor, Article, Event, Mention, Quote, Rejection, Sentence, Span, Story
from .pipeline import RunSummary, run
from .relations import Relations
from .relations import open_relations as open  # noqa: A004 - westphalia.open(store) is the API
from .resources import sample_corpus
from .store import Store, open_store

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
