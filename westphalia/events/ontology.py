"""The CAMEO event ontology as package data: codes, names, Goldstein weights, QuadClass and
the PLOVER crosswalk (events/data/cameo.yaml, written for this project from the CAMEO 1.1b3
codebook, GDELT's Goldstein table and the PLOVER manual)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files

from ..model import Event
from ..resources import load_yaml


@dataclass(frozen=True, slots=True)
class EventType:
    code: str  # "042"
    name: str
    goldstein: float  # -10 (most conflictual) .. +10 (most cooperative)
    plover: str  # PLOVER event type, e.g. "CONSULT"
    mode: str = ""  # PLOVER mode where one applies, e.g. "visit"

    @property
    def root(self) -> str:
        return self.code[:2]

    @property
    def quad_class(self) -> int:
        return quad_class(self.code)


@cache
def ontology() -> dict[str, EventType]:
    """Every CAMEO code -> its EventType."""
    data = load_yaml(
        (files("westphalia.events") / "data" / "cameo.yaml").read_text(encoding="utf-8")
    )
    return {
        str(e["code"]): EventType(
            str(e["code"]), e["name"], float(e["goldstein"]), e["plover"], e.get("mode", "")
        )
        for e in data
    }


def quad_class(code: str) -> int:
    """1 verbal cooperation (roots 01-05), 2 material cooperation (06-08), 3 verbal conflict
    (09-13), 4 material conflict (14-20)."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def described(event: Event) -> Event:
    """The event with its code's Goldstein weight, QuadClass and PLOVER type (None for a code
    the ontology lacks, as a user dictionary's own codes may be); the coder describes every
    event it makes."""
    known = ontology().get(event.code)
    return replace(
        event,
        goldstein=known.goldstein if known else None,
        quad_class=quad_class(event.code) if event.code[:2].isdigit() else None,
        plover=known.plover if known else None,
    )
