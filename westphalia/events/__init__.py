"""Events: who did what to whom (CAMEO codes with Goldstein, QuadClass and PLOVER), when and
where, with quotes, evidence and confidence."""

from .coder import extract_events
from .dates import resolve_date
from .lexicon import Lexicon, build_lexicon, load_lexicon
from .ontology import EventType, ontology, quad_class

__all__ = [
    "EventType",
    "Lexicon",
    "build_lexicon",
    "extract_events",
    "load_lexicon",
    "ontology",
    "quad_class",
    "resolve_date",
]
