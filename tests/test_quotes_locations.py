from __future__ import annotations

import pytest
from fakes import GAZ, LEXICON_ENTRIES

from westphalia.actors import extract_actors
from westphalia.config import ParseSettings
from westphalia.events.coder import extract_events
from westphalia.events.lexicon import build_lexicon
from westphalia.events.quotes import extract_quotes
from westphalia.parse import Parser

LEX = build_lexicon(LEXICON_ENTRIES)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(ParseSettings(), GAZ.phrases())


def analyse(parser: Parser, text: str):
    parse = next(parser.parse([("a1", text)]))
    mentions = extract_actors(parse, gazetteer=GAZ)
    return parse, mentions


def test_direct_quote_attributed_to_the_speaker_after_it(parser) -> None:
    text = (
        '"Our cooperation will grow," Pakistan\'s army chief General Asim Dar said at the meeting.'
    )
    parse, mentions = analyse(parser, text)
    (quote,) = [q for q in extract_quotes(parse, mentions) if q.direct]
    assert quote.text == "Our cooperation will grow,"
    assert quote.speaker_code == "PAKMIL"


def test_indirect_quote(parser) -> None:
    parse, mentions = analyse(parser, "Russian FM Sergey Lavrov said that the talks were useful.")
    (quote,) = extract_quotes(parse, mentions)
    assert (quote.direct, quote.speaker_code, quote.text) == (
        False,
        "RUSGOV",
        "the talks were useful",
    )


def test_location_from_in_phrase_and_from_visit_destination(parser) -> None:
    parse, mentions = analyse(parser, "Russia and Pakistan signed a memorandum in Moscow.")
    events = extract_events(parse, mentions, lexicon=LEX, story_id="s")
    assert {(e.location, e.place) for e in events} == {("RUS", "Moscow")}
    parse, mentions = analyse(parser, "Russian FM Sergey Lavrov visited Pakistan.")
    (event,) = extract_events(parse, mentions, lexicon=LEX, story_id="s")
    assert (event.location, event.place) == ("PAK", "Pakistan")


def test_places_merely_mentioned_are_not_locations(parser) -> None:
    parse, mentions = analyse(parser, "China praised Pakistan, which borders Russia.")
    events = extract_events(parse, mentions, lexicon=LEX, story_id="s")
    assert events and all(e.location is None for e in events)


def test_nested_reported_speech_gives_each_clause_and_its_speaker(parser) -> None:
    parse, mentions = analyse(
        parser, "Pakistan said that China said that Russian officials were ready for talks."
    )
    quotes = [(q.speaker_code, q.text) for q in extract_quotes(parse, mentions)]
    assert quotes == [
        ("PAK", "China said that Russian officials were ready for talks"),
        ("CHN", "Russian officials were ready for talks"),
    ]


def test_an_indirect_quote_inside_a_direct_one_is_not_repeated(parser) -> None:
    parse, mentions = analyse(parser, 'China said: "Russia said that the talks were useful." ')
    quotes = extract_quotes(parse, mentions)
    assert [q.direct for q in quotes] == [True]
