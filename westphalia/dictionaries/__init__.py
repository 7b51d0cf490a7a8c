"""Read PETRARCH/TABARI dictionaries (verbs, actors, agents, discards, the coding ontology) into
frozen records.

The formats are those of the PETRARCH documentation (dictionaries.rst) and of the header
comments in the files themselves; the older PETRARCH-1/TABARI pattern syntax of the
validation suites is read too. Reading is tolerant: a line that cannot be read is skipped
and recorded as "FILE:LINE: skipped: why" (VerbDictionary.skipped, Dictionaries.skipped);
only an unreadable file or directory is an error (ConfigError). Files are read as UTF-8
with undecodable bytes replaced, so latin-1 files load too.

load_dictionaries() compiles a directory once and keeps a pickle in a cache directory.

Modules:
  records    the frozen records (Element, VerbPattern, VerbEntry, ..., Dictionaries)
  lines      a file's lines without comments, each read with its notes; phrases, dates, [codes]
  synsets    synonym sets and the context verb and pattern reading share
  patterns   verb patterns -> VerbPattern and its Elements
  verbs      read_verbs: verb blocks, verb forms, transformations (the legacy syntax it reads)
  actors     read_actors, read_agents
  discards   read_discards, discarded, DiscardMatcher
  ontology   read_negations: the internal coding ontology
  load       load_dictionaries: files by role, the pickle cache (FORMAT_VERSION)
"""

from .actors import read_actors, read_agents
from .discards import DiscardMatcher, discarded, read_discards
from .load import load_dictionaries
from .ontology import read_negations
from .records import (
    ActorEntry,
    AgentEntry,
    DatedCode,
    Dictionaries,
    Discard,
    Element,
    VerbDictionary,
    VerbEntry,
    VerbPattern,
)
from .verbs import read_verbs

__all__ = [
    "ActorEntry",
    "AgentEntry",
    "DatedCode",
    "Dictionaries",
    "Discard",
    "DiscardMatcher",
    "Element",
    "VerbDictionary",
    "VerbEntry",
    "VerbPattern",
    "discarded",
    "load_dictionaries",
    "read_actors",
    "read_agents",
    "read_discards",
    "read_negations",
    "read_verbs",
]
