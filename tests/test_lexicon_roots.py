"""Every CAMEO root of the bundled lexicon fires on a sentence written for it (real gazetteer)."""

from __future__ import annotations

import pytest

from westphalia.actors import extract_actors, load_gazetteer
from westphalia.config import ParseSettings
from westphalia.events import extract_events, load_lexicon
from westphalia.parse import Parser

ROOT_SENTENCES = {
    "01": "Egypt denied the report about Sudan.",
    "02": "France urged Iran to release the detained sailors.",
    "03": "Japan pledged to help Vietnam rebuild its ports.",
    "04": "Indian officials met Nepalese officials in Kathmandu.",
    "05": "Kenya praised Tanzania for its help during the floods.",
    "06": "Poland and Lithuania held joint military exercises.",
    "07": "Germany provided humanitarian aid to Syria.",
    "08": "Armenia released prisoners to Azerbaijan.",
    "09": "Brazil investigated claims against Paraguay.",
    "10": "Ghana demanded compensation from Togo.",
    "11": "Spain condemned Morocco for the border incident.",
    "12": "Chile rejected the proposal from Bolivia.",
    "13": "North Korea threatened South Korea with retaliation.",
    "14": "Protesters demonstrated against the government of Peru.",
    "15": "India deployed troops to the border with China.",
    "16": "Canada imposed sanctions on Belarus.",
    "17": "Turkish police arrested Syrian refugees.",
    "18": "Gunmen abducted Nigerian students.",
    "19": "Israeli warplanes bombed Gaza.",
    "20": "Serbian forces massacred Bosnian civilians.",
}


@pytest.fixture(scope="module")
def engine():
    gazetteer = load_gazetteer()
    return gazetteer, load_lexicon(), Parser(ParseSettings(), gazetteer.phrases())


@pytest.mark.parametrize(("root", "text"), sorted(ROOT_SENTENCES.items()))
def test_root_is_coded(engine, root: str, text: str) -> None:
    gazetteer, lexicon, parser = engine
    parse = next(parser.parse([("a", text)]))
    events = extract_events(
        parse, extract_actors(parse, gazetteer=gazetteer), lexicon=lexicon, story_id="s"
    )
    assert root in {e.code[:2] for e in events}, [
        (e.source, e.target, e.code, e.pattern) for e in events
    ]
