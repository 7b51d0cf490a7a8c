"""PETRARCH/TABARI verb dictionaries in the coder, on a small dictionary and sentences written
for these tests (fake gazetteer)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fakes import GAZ, LEXICON_ENTRIES

from westphalia.actors import extract_actors
from westphalia.config import ParseSettings
from westphalia.dictionaries import read_verbs
from westphalia.events.coder import extract_events
from westphalia.events.lexicon import build_lexicon
from westphalia.events.verbdict import VerbIndex
from westphalia.parse import Parser

VERBS = """\
&GOODS
+FOOD
+MEDICINE

--- GIVE [070] ---
GIVE {GAVE GIVEN GIVING GIVES}
- * {MILITARY AID}   [072]
- * &GOODS          [073]
- * ADVICE          [---]

--- CAMPAIGN [---] ---
CAMPAIGN
- * (AGAINST)       [111]

--- LAND [042:043] ---
LAND
- * (WITHOUT PERMISSION)  [:173]

--- SEAL [---] ---
+SEAL_OFF
- * BORDER          [1723]

--- QUARREL [---] ---
QUARREL
- * (OVER EFFORTS)  [110]

--- WIRE [---] ---
WIRE_TAP [171]

--- RECEIVE [---] ---
RECEIVE
- + * MONEY $       [071]

--- BELIEVE [012] ---
BELIEVE

--- HELP [---] ---
HELP
- * BUILD  [062]

--- CELEBRATE [---] ---
CELEBRATE
- * FESTIVAL (IN ^) +  [017]

--- TRIGGER [---] ---
TRIGGER
- * PROTESTS (FROM $)  [110]
"""


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(ParseSettings(), GAZ.phrases())


def _user_verbs() -> VerbIndex:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test.verbs.txt"
        path.write_text(VERBS, encoding="utf-8")
        return VerbIndex(read_verbs(path))


@pytest.fixture(scope="module")
def lexicon():
    return build_lexicon(LEXICON_ENTRIES, user_verbs=_user_verbs(), negations={"110": "050"})


def code(parser: Parser, lexicon, text: str) -> list[tuple[str, str, str]]:
    parse = next(parser.parse([("a1", text)]))
    mentions = extract_actors(parse, gazetteer=GAZ)
    events = extract_events(parse, mentions, lexicon=lexicon, story_id="s1")
    return [(e.source, e.target, e.code) for e in events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia gave military aid to Pakistan.", [("RUS", "PAK", "072")]),
        ("Russia gave medicine to Pakistan.", [("RUS", "PAK", "073")]),
        ("Russia gave money to Pakistan.", [("RUS", "PAK", "070")]),
        ("Russia gave advice to Pakistan.", []),
    ],
)
def test_the_object_picks_the_subcode_and_a_null_pattern_stops_coding(
    parser, lexicon, text: str, expected: list
) -> None:
    assert code(parser, lexicon, text) == expected


def test_a_bare_preposition_says_where_the_target_is(parser, lexicon) -> None:
    assert code(parser, lexicon, "Russia campaigned against Pakistan.") == [("RUS", "PAK", "111")]


def test_a_verb_whose_own_code_is_null_codes_only_through_a_pattern(parser, lexicon) -> None:
    assert code(parser, lexicon, "Russia campaigned with Pakistan.") == []


def test_a_multiword_verb_matches_its_particle(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia sealed off the border with Pakistan.")
    assert found == [("RUS", "PAK", "1723")]


def test_a_user_dictionary_codes_the_future_as_the_deed(parser, lexicon) -> None:
    assert code(parser, lexicon, "Russia will give medicine to Pakistan.") == [
        ("RUS", "PAK", "073")
    ]


def test_a_pattern_naming_a_topic_noun_takes_the_target_inside_it(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia quarrelled over the efforts of Pakistan to end the war.")
    assert found == [("RUS", "PAK", "110")]


@pytest.mark.parametrize(
    "text",
    [
        "Russia did not quarrel over the efforts of Pakistan to end the war.",
        "Russia certainly did not even once quarrel over the efforts of Pakistan to end the war.",
    ],
)
def test_the_coding_ontology_codes_a_negated_verb(parser, lexicon, text: str) -> None:
    assert code(parser, lexicon, text) == [("RUS", "PAK", "050")]


def test_without_a_negation_in_the_ontology_a_negated_verb_is_no_event(parser, lexicon) -> None:
    assert code(parser, lexicon, "Russia did not give military aid to Pakistan.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pakistan received money from Russia.", [("RUS", "PAK", "071")]),
        ("Pakistan triggered protests from Russia.", [("RUS", "PAK", "110")]),
    ],
)
def test_a_source_slot_after_the_verb_makes_the_subject_the_target(
    parser, lexicon, text: str, expected: list
) -> None:
    assert code(parser, lexicon, text) == expected


def test_a_caret_skips_a_noun_phrase_before_the_target(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia celebrated the festival in Moscow with Pakistan.")
    assert found == [("RUS", "PAK", "017")]


def test_a_verb_that_is_a_word_of_its_governors_pattern_is_not_coded_again(parser) -> None:
    path_lexicon = build_lexicon(
        [*LEXICON_ENTRIES, {"code": "061", "verbs": ["build"]}], user_verbs=_user_verbs()
    )
    found = code(parser, path_lexicon, "Russia helped to build roads for Pakistan.")
    assert found == [("RUS", "PAK", "062")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia believes Pakistan can cope with the drought.", [("RUS", "PAK", "012")]),
        ("Russia believes Pakistan gave medicine to China.", [("PAK", "CHN", "073")]),
    ],
)
def test_a_comment_of_its_own_code_targets_the_subject_of_an_uncoded_clause(
    parser, lexicon, text: str, expected: list
) -> None:
    assert code(parser, lexicon, text) == expected


def test_a_two_word_verb_is_coded_once(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia will wire tap the phones of Pakistan.")
    assert found == [("RUS", "PAK", "171")]


def test_the_evidence_names_the_dictionary_line(parser, lexicon) -> None:
    parse = next(parser.parse([("a1", "Russia gave military aid to Pakistan.")]))
    (event,) = extract_events(
        parse, extract_actors(parse, gazetteer=GAZ), lexicon=lexicon, story_id="s"
    )
    assert event.pattern.endswith("@test.verbs.txt:7")


def test_a_paired_code_gives_the_reverse_event_too(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia landed in Pakistan.")
    assert sorted(found) == [("PAK", "RUS", "043"), ("RUS", "PAK", "042")]


def test_a_reverse_only_code_runs_from_target_to_source(parser, lexicon) -> None:
    found = code(parser, lexicon, "Russia landed at Pakistan without permission.")
    assert found == [("PAK", "RUS", "173")]


MATCHER_VERBS = """\
&BONDS
+TRADE
+CULTURAL
&COINS
+CROWN
+SILVER CROWN

--- CUT [111] ---
CUT
- * {FRESH &BONDS LINKS}   [1951]

--- PLEDGE [030] ---
PLEDGE
- * CROWN                 [071]
- * &COINS                 [072]

--- MEET [040] ---
MEET
- % *                      [043]
- * (WITH)                 [046]
- * AMONG %                [045]

--- CLASH [190] ---
CLASH
- * (OVER TARIFFS)         [1121]
- * (FOR TRUCE)            [1122]
- * TRUCE                  [1123]

--- WISH [---] ---
WISH
WANT
- * HELP                   [030]

--- VISIT [042] ---
VISIT

--- HAIL [050] ---
HAIL
- * {&BONDS NOTES}         [092]
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> VerbIndex:
    path: Path = tmp_path_factory.mktemp("dict") / "matcher.verbs.txt"
    path.write_text(MATCHER_VERBS, encoding="utf-8")
    return VerbIndex(read_verbs(path))


def verb_code(parser: Parser, index: VerbIndex, text: str, verb: str) -> str:
    """The code the index gives the first token spelt `verb` in `text`."""
    parse = next(parser.parse([("a1", text)]))
    children: dict[int, list] = {}
    for token in parse.tokens:
        if token.head != token.i:
            children.setdefault(token.head, []).append(token)
    token = next(t for t in parse.tokens if t.text == verb)
    found = index.match(token, parse, children)
    assert found is not None
    return found.code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia cut fresh trade links with Pakistan.", "1951"),
        ("Russia cut fresh new trade links with Pakistan.", "1951"),  # one word skipped
        ("Russia cut fresh new bold trade links with Pakistan.", "111"),  # two: too loose
        ("Russia cut fresh trade road links with Pakistan.", "111"),  # a word before the head
    ],
)
def test_a_braced_phrase_allows_one_extra_word_but_not_before_its_head(
    parser, index, text: str, expected: str
) -> None:
    assert verb_code(parser, index, text, "cut") == expected


def test_a_synset_inside_a_braced_phrase_is_expanded(parser, index) -> None:
    assert verb_code(parser, index, "Russia hailed cultural notes from Pakistan.", "hailed") == (
        "092"
    )


def test_of_equally_long_patterns_the_one_matching_more_words_wins(parser, index) -> None:
    text = "Russia pledged a silver crown to Pakistan."
    assert verb_code(parser, index, text, "pledged") == "072"


def test_of_equally_long_patterns_the_first_wins_a_tie(parser, index) -> None:
    assert verb_code(parser, index, "Russia pledged a crown to Pakistan.", "pledged") == "071"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia and China met with Pakistan.", "043"),
        ("Russia met with Pakistan.", "046"),
        ("Russia met among Pakistan and China.", "045"),
    ],
)
def test_a_compound_slot_needs_coordinated_actors(parser, index, text: str, expected: str) -> None:
    assert verb_code(parser, index, text, "met") == expected


def test_a_preposition_parsed_as_a_particle_takes_the_object_after_it(parser, index) -> None:
    text = "Russia will not clash over the tariffs."
    parse = next(parser.parse([("a1", text)]))
    assert next(t.dep for t in parse.tokens if t.text == "over") == "prt"  # the parse in question
    assert verb_code(parser, index, text, "clash") == "1121"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Russia wanted to help Pakistan.", "030"), ("Russia wanted to see Pakistan.", "---")],
)
def test_a_pattern_word_may_be_the_verb_of_an_open_clause(
    parser, index, text: str, expected: str
) -> None:
    assert verb_code(parser, index, text, "wanted") == expected


@pytest.mark.parametrize(
    ("text", "is_verb"), [("Russia visites Pakistan.", False), ("Russia visits Pakistan.", True)]
)
def test_an_es_ending_where_the_verb_takes_s_is_not_the_verb(
    parser, index, text: str, is_verb: bool
) -> None:
    parse = next(parser.parse([("a1", text)]))
    assert (index.match(parse.tokens[1], parse, {}) is not None) == is_verb


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia clashed for the truce with Pakistan.", "1122"),
        ("Russia clashed for a lasting truce with Pakistan.", "1123"),  # not (FOR TRUCE)
    ],
)
def test_the_words_of_a_preposition_pattern_follow_each_other(
    parser, index, text: str, expected: str
) -> None:
    assert verb_code(parser, index, text, "clashed") == expected
