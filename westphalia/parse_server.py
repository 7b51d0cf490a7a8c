"""The parse workers' fork server imports this module first (parse.Parser, workers.Pool):
it loads the spaCy model and builds the phrase and date matchers named by the environment
variable WARM_ENV, once, so that every parse worker forked from the server starts with them
instead of loading its own (about 3 s of CPU each: the model, and 42,000 phrases to tokenize).

Importing it does nothing unless WARM_ENV is set, which the parent does only while it starts
the server. The file it names (the parse settings and phrases, pickled) is removed once read.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
from typing import Any

WARM_ENV = "WESTPHALIA_PARSE_WARM"

parser: Any = None  # the preloaded parse.Parser, in the server and the workers forked from it


def _warm() -> None:
    global parser
    path = os.environ.get(WARM_ENV)
    if not path:
        return
    try:
        with open(path, "rb") as f:
            settings, phrases = pickle.load(f)  # noqa: S301 - written by this process's parent
        from .parse import Parser

        warm = Parser(settings, phrases)
        warm.load()
        parser = warm
        # The workers share the server's pages until they write to them: keep the collector
        # from touching (and so copying) every object loaded so far in each worker.
        gc.freeze()
    except Exception:  # noqa: BLE001 - the server must start: each worker then loads its own
        parser = None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


_warm()
