"""westphalia: turn news articles into structured data about international relations."""

from .config import Settings, load_settings
from .errors import ExitCode, InputError, WestphaliaError
from .model import Actor, Article, Event, Mention, Quote, Rejection, Sentence, Span, Story
from .pipeline import RunSummary, run
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
    "RunSummary",
    "Sentence",
    "Settings",
    "Span",
    "Store",
    "Story",
    "WestphaliaError",
    "load_settings",
    "open_store",
    "run",
    "sample_corpus",
]
__version__ = "0.1.0"
