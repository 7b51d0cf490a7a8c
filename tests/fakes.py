"""Small hand-made gazetteer and lexicon for unit tests."""

from __future__ import annotations

from westphalia.actors import Gazetteer

COUNTRIES = {
    "RUS": {
        "name": "Russia",
        "adjectives": ["Russian"],
        "capitals": ["Moscow"],
        "seats": [{"name": "the Kremlin", "sector": "GOV"}],
    },
    "PAK": {"name": "Pakistan", "adjectives": ["Pakistani"], "capitals": ["Islamabad"]},
    "CHN": {"name": "China", "adjectives": ["Chinese"], "capitals": ["Beijing"]},
    "USA": {
        "name": "United States",
        "aliases": ["US"],
        "adjectives": ["American"],
        "seats": [{"name": "the Pentagon", "sector": "MIL"}],
    },
}
ORGS = (
    {
        "code": "IGOIAEA",
        "name": "International Atomic Energy Agency",
        "aliases": ["IAEA"],
        "kind": "igo",
        "country": "IGO",
    },
    {
        "code": "AFGREB",
        "name": "Taliban",
        "aliases": [],
        "kind": "group",
        "country": "AFG",
        "sectors": ["REB"],
    },
)
TITLES = {
    "foreign minister": "GOV",
    "FM": "GOV",
    "general": "MIL",
    "army chief": "MIL",
    "director general": "GOV",
    "president": "GOV",
}
GROUPS = {
    "troops": "MIL",
    "militants": "REB",
    "officials": "GOV",
    "police": "COP",
    "protesters": "CVL",
}
GAZ = Gazetteer(
    {k: {"code": k, **v} for k, v in COUNTRIES.items()},
    ORGS,
    TITLES,
    GROUPS,
    ("the two sides", "both countries"),
)

LEXICON_ENTRIES = [
    {"code": "042", "verbs": ["visit", "travel to"], "nouns": ["visit", "trip"]},
    {"code": "043", "verbs": ["host"]},
    {"code": "040", "verbs": ["meet"], "nouns": ["talks", "meeting"]},
    {
        "code": "057",
        "verbs": ["sign"],
        "objects": ["agreement", "deal", "memorandum"],
        "preps": ["with"],
    },
    {
        "code": "062",
        "verbs": ["hold", "conduct"],
        "objects": ["drill", "exercise"],
        "preps": ["with"],
        "nouns": ["drill"],
    },
    {"code": "163", "verbs": ["impose"], "objects": ["sanction"], "preps": ["on", "against"]},
    {"code": "112", "verbs": ["accuse"], "preps": ["of"]},
    {"code": "190", "verbs": ["attack", "shell"], "nouns": ["attack", "air strike"]},
    {"code": "020", "verbs": ["urge", "call on"]},
    {"code": "051", "verbs": ["praise"]},
]
