"""Entities without the recognizer (parse.entities = "rules", issue 13): dates from a token
matcher, persons from runs of proper nouns that no gazetteer phrase covers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from westphalia.config import ParseSettings
from westphalia.events.dates import DAY, MONTH, YEAR, resolve_date
from westphalia.parse import Parse, Parser

PUBLISHED = date(2026, 5, 13)  # a Wednesday


@pytest.fixture(scope="module")
def rules() -> Iterator[Parser]:
    from fakes import GAZ

    with Parser(ParseSettings(processes=1, select="all"), GAZ.phrases()) as engine:
        yield engine


def _entities(parser: Parser, text: str) -> list[tuple[str, str]]:
    parse = next(parser.parse([("a", text)]))
    return [(e.label, _text(parse, e.start, e.end)) for e in parse.entities]


def _text(parse: Parse, start: int, end: int) -> str:
    return parse.text[parse.tokens[start].start : parse.tokens[end - 1].end]


@pytest.mark.parametrize(
    ("text", "found", "resolved"),
    [
        ("The envoys met on April 7, 2025 in Moscow.", "April 7, 2025", (date(2025, 4, 7), DAY)),
        ("The talks ran from May 6-7 in Beijing.", "May 6-7", (date(2026, 5, 6), DAY)),
        ("The accord was signed on 12 March 2019.", "12 March 2019", (date(2019, 3, 12), DAY)),
        ("Ties have grown since late 2014.", "late 2014", (date(2014, 1, 1), YEAR)),
        ("The drill was held in mid-April.", "mid-April", (date(2026, 4, 1), MONTH)),
        ("The deal dates from June of 2021.", "June of 2021", (date(2021, 6, 1), MONTH)),
        ("The minister arrived on Monday.", "Monday", (date(2026, 5, 11), DAY)),
        ("Troops withdrew yesterday.", "yesterday", (date(2026, 5, 12), DAY)),
        ("Earlier this year the sides met.", "Earlier this year", (date(2026, 1, 1), YEAR)),
        ("The cabinet resigned last month.", "last month", (date(2026, 4, 1), MONTH)),
        ("The filing is dated 2024-11-03.", "2024-11-03", (date(2024, 11, 3), DAY)),
        ("The filing is dated 3/11/2024.", "3/11/2024", (date(2024, 3, 11), DAY)),
    ],
)
def test_the_date_rules_find_what_the_date_resolver_reads(
    rules: Parser, text: str, found: str, resolved: tuple[date, str]
) -> None:
    dates = [span for label, span in _entities(rules, text) if label == "DATE"]
    assert dates == [found]
    assert resolve_date(found, PUBLISHED) == resolved


@pytest.mark.parametrize(
    "text",
    [
        "Officials may march to the square.",  # "may", "march": a verb, not a month
        "The army sent 1500 troops.",  # a count, not a year
        "Prices rose 4 pct.",
    ],
)
def test_words_like_dates_that_are_not_dates(rules: Parser, text: str) -> None:
    assert [span for label, span in _entities(rules, text) if label == "DATE"] == []


def test_names_are_the_runs_of_proper_nouns_outside_dates(rules: Parser) -> None:
    text = "Foreign Minister Oskar Vetlugin met Tahira Qasmi in Islamabad on Tuesday."
    names = [span for label, span in _entities(rules, text) if label == "NAME"]
    assert names == ["Foreign Minister Oskar Vetlugin", "Tahira Qasmi", "Islamabad"]


def _persons(text: str) -> set[tuple[str, str]]:
    from fakes import GAZ

    from westphalia.actors import extract_actors

    with Parser(ParseSettings(processes=1, select="all"), GAZ.phrases()) as engine:
        parse = next(engine.parse([("a", text)]))
    return {(m.text, m.actor_code) for m in extract_actors(parse, gazetteer=GAZ) if not m.place}


def test_a_name_that_no_match_took_is_a_person_with_the_role_beside_it() -> None:
    coded = _persons(
        "Oskar Vetlugin, the Russian foreign minister, visited Beijing. Vetlugin left."
    )
    assert ("Vetlugin", "RUSGOV") in coded  # the later surname, through the first mention
    assert any(code == "RUSGOV" and "Oskar Vetlugin" in text for text, code in coded)


@pytest.mark.parametrize(
    "body",
    [
        "Volga Shipping Lines",  # a body word
        "the Kestrel Syndicate",  # an article before the head of its phrase
        "KVRB",  # one word in capitals
    ],
)
def test_a_name_that_reads_as_a_body_is_no_person(body: str) -> None:
    coded = _persons(f"{body}, a Russian supplier, signed a deal with Pakistan.")
    assert not any(body.removeprefix("the ") in text for text, _ in coded)


def test_the_recognizer_is_loaded_only_when_asked_for() -> None:
    with (
        Parser(ParseSettings(processes=1)) as rules,
        Parser(ParseSettings(processes=1, entities="model")) as model,
    ):
        assert "ner" not in rules.nlp.pipe_names
        assert "ner" in model.nlp.pipe_names
        parse = next(model.parse([("a", "Oskar Vetlugin arrived in Moscow on Friday.")]))
    labels = {e.label for e in parse.entities}
    assert "GPE" in labels  # a label only the recognizer gives
    assert all(parse.tokens[e.start].ent == e.label for e in parse.entities)
