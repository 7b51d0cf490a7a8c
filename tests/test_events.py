"""The event coder's mechanisms, on sentences written for these tests (small fake lexicon)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from fakes import GAZ, LEXICON_ENTRIES

from westphalia.actors import extract_actors
from westphalia.config import ParseSettings
from westphalia.dictionaries import Discard
from westphalia.events.coder import extract_events
from westphalia.events.lexicon import build_lexicon, load_lexicon
from westphalia.parse import Parser

LEX = build_lexicon(LEXICON_ENTRIES)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(ParseSettings(), GAZ.phrases())


# The fake lexicon plus the intent and threat verbs some constructions need.
STANCE_LEX = build_lexicon(
    [*LEXICON_ENTRIES, {"code": "130", "verbs": ["threaten"]}, {"code": "030", "verbs": ["agree"]}]
)


def code(parser: Parser, text: str, *, lexicon=LEX) -> list[tuple[str, str, str]]:
    parse = next(parser.parse([("a1", text)]))
    mentions = extract_actors(parse, gazetteer=GAZ)
    return [
        (e.source, e.target, e.code)
        for e in extract_events(parse, mentions, lexicon=lexicon, story_id="s1")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian FM Sergey Lavrov visited Pakistan on Tuesday.", ("RUSGOV", "PAK", "042")),
        ("China hosted Pakistani officials in Beijing.", ("CHN", "PAKGOV", "043")),
        ("Pakistan signed a defence agreement with Russia.", ("PAK", "RUS", "057")),
        ("Russia imposed sanctions on the United States.", ("RUS", "USA", "163")),
        ("China accused the United States of spying.", ("CHN", "USA", "1125")),
        ("Russian troops shelled Pakistani positions.", ("RUSMIL", "PAK", "190")),
    ],
)
def test_verb_patterns_with_objects_and_prepositions(parser, text, expected) -> None:
    assert expected in code(parser, text)


def test_negation_suppresses_the_event(parser) -> None:
    assert code(parser, "Pakistan did not sign the agreement with Russia.") == []


def test_passive_by_agent_is_the_source(parser) -> None:
    assert ("RUS", "PAK", "190") in code(parser, "Pakistan was attacked by Russia.")


def test_coordination_yields_an_event_per_actor(parser) -> None:
    found = code(parser, "Russia and China praised Pakistan.")
    assert ("RUS", "PAK", "051") in found and ("CHN", "PAK", "051") in found


def test_reciprocal_event_without_a_target(parser) -> None:
    found = code(parser, "Russia and Pakistan signed a memorandum.")
    assert ("RUS", "PAK", "057") in found and ("PAK", "RUS", "057") in found


def test_intent_is_coded_as_intent_not_as_the_deed(parser) -> None:
    found = code(parser, "Russia agreed to visit Pakistan next year.")
    assert ("RUS", "PAK", "036") in found and ("RUS", "PAK", "042") not in found


def test_appeal_is_coded_as_an_appeal(parser) -> None:
    found = code(parser, "China urged Pakistan to meet Russia.")
    assert ("CHN", "PAK", "026") in found
    assert ("PAK", "RUS", "040") not in found


def test_attribution_after_the_clause_is_not_an_event(parser) -> None:
    assert code(parser, "Russia attacked Pakistan, China said.") == [("RUS", "PAK", "190")]


def test_a_speaker_reporting_an_attack_first_accuses_the_attacker(parser) -> None:
    assert code(parser, "China said Russia attacked Pakistan.") == [("CHN", "RUS", "112")]


def test_a_reported_obligation_is_a_demand_of_its_subject(parser) -> None:
    assert code(parser, "China said Pakistan must meet Russia.") == [("CHN", "PAK", "106")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia refused to visit Pakistan.", ("RUS", "PAK", "125")),
        ("Russia will not visit Pakistan.", ("RUS", "PAK", "125")),
        ("Russia did not agree to meet Pakistan.", ("RUS", "PAK", "125")),
    ],
)
def test_refusals_and_negated_intent_are_12x(parser, text: str, expected: tuple) -> None:
    assert code(parser, text) == [expected]


FORCE_LEX = build_lexicon(
    [
        *LEXICON_ENTRIES,
        {"code": "152", "verbs": ["march"]},
        {"code": "070", "verbs": ["supply"]},
        {"code": "013", "verbs": ["express"], "objects": ["hope"]},
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian troops marched close to the border with Pakistan.", ("RUSMIL", "PAK", "152")),
        ("Russian troops shelled near a vessel from Pakistan.", ("RUSMIL", "PAK", "190")),
    ],
)
def test_force_takes_the_target_it_is_near(parser, text: str, expected: tuple) -> None:
    assert code(parser, text, lexicon=FORCE_LEX) == [expected]


def test_an_agreement_to_do_something_is_one_event_towards_the_beneficiary(parser) -> None:
    found = code(
        parser, "Russia signed an agreement to supply Pakistan with wheat.", lexicon=FORCE_LEX
    )
    assert found == [("RUS", "PAK", "057")]


def test_a_light_verb_leaves_its_eventive_noun_to_code_over_phoenix(parser) -> None:
    # Phoenix codes "hold * MEETING" 046 (negotiation); the project's noun says a meeting is 040
    found = code(parser, "Pakistan held a meeting with Russia.", lexicon=load_lexicon())
    assert found == [("PAK", "RUS", "040")]


def test_a_led_or_backed_thing_belongs_to_its_leader(parser) -> None:
    assert code(parser, "Russia praised the Pakistan-led talks.") == [("RUS", "PAK", "051")]


DISCARD_LEX = build_lexicon(
    LEXICON_ENTRIES,
    discards=(
        Discard("world cup", story=False, whole_word=False),
        Discard("glomp final", story=True, whole_word=False),
    ),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia attacked Pakistan during the World Cup.", []),
        (
            "Russia praised Pakistan, which attacked China during the World Cup.",
            [("RUS", "PAK", "051")],
        ),
        ("Russia praised Pakistan. China attacked Russia after the glomp final.", []),
    ],
)
def test_a_discard_phrase_rules_out_its_clause_and_a_story_discard_the_story(
    parser, text: str, expected: list
) -> None:
    assert code(parser, text, lexicon=DISCARD_LEX) == expected


def test_the_subject_of_a_content_clause_on_the_object_is_the_target(parser) -> None:
    found = code(
        parser,
        "Russia expressed hope that Pakistan would be drawn into the process.",
        lexicon=FORCE_LEX,
    )
    assert found == [("RUS", "PAK", "013")]


def test_countries_parsed_as_modifiers_of_a_country_are_a_list(parser) -> None:
    parse = next(
        parser.parse([("a1", "Russia, China and the awful Pakistan praised the United States.")])
    )
    # as the small model parses some lists: "Russia" a modifier (nmod) of "Pakistan", the
    # subject, and "China" conjoined to it
    tokens = list(parse.tokens)
    tokens[0] = replace(tokens[0], dep="nmod", head=6)
    tokens[2] = replace(tokens[2], dep="conj", head=0)
    tokens[6] = replace(tokens[6], dep="nsubj", head=7)
    parse = replace(parse, tokens=tuple(tokens))
    events = extract_events(parse, extract_actors(parse, gazetteer=GAZ), lexicon=LEX, story_id="s")
    found = sorted((e.source, e.target, e.code) for e in events)
    assert found == [("CHN", "USA", "051"), ("PAK", "USA", "051"), ("RUS", "USA", "051")]


def test_failed_action_is_no_event(parser) -> None:
    assert code(parser, "Russia failed to visit Pakistan.") == []


def test_purpose_clause_takes_the_goal_of_its_governor(parser) -> None:
    assert ("RUS", "PAK", "040") in code(parser, "Russia went to Pakistan to meet.")


def test_one_trigger_keeps_the_more_specific_of_two_codes_of_one_actor(parser) -> None:
    found = code(parser, "Russia attacked Pakistani troops.")
    assert found == [("RUS", "PAKMIL", "190")]


@pytest.mark.parametrize(
    "text",
    ["Russia held a joint drill with Pakistan.", "Russia conducted a drill with Pakistan."],
)
def test_eventive_noun_with_light_verb(parser, text: str) -> None:
    assert code(parser, text) == [("RUS", "PAK", "062")]


def test_eventive_noun_with_of_and_to(parser) -> None:
    assert ("RUSGOV", "PAK", "042") in code(
        parser, "The visit of the Russian FM Sergey Lavrov to Pakistan ended."
    )


def test_evidence_is_kept(parser) -> None:
    text = "Russian FM Sergey Lavrov visited Pakistan."
    parse = next(parser.parse([("a1", text)]))
    (event,) = extract_events(
        parse, extract_actors(parse, gazetteer=GAZ), lexicon=LEX, story_id="s1"
    )
    assert event.trigger.of(text) == "visited"
    assert event.source_span.of(text) == "Russian FM Sergey Lavrov"
    assert event.target_span.of(text) == "Pakistan"
    assert event.pattern == "verb:042:visit"


def test_modal_recommendation_is_not_a_deed_and_will_is_intent(parser) -> None:
    assert code(parser, "Russia and Pakistan must sign a memorandum.") == []
    assert ("RUS", "PAK", "036") in code(parser, "Russia will visit Pakistan.")


def test_counted_pair_noun_is_reciprocal(parser) -> None:
    found = code(
        parser,
        "Russia and Pakistan were rivals. In 2014 the two former rivals signed a memorandum.",
    )
    assert ("RUS", "PAK", "057") in found and ("PAK", "RUS", "057") in found


def test_user_patterns_extend_the_bundled_lexicon_and_come_first(tmp_path) -> None:
    from westphalia.events import load_lexicon

    path = tmp_path / "mine.yaml"
    path.write_text('- {code: "043", verbs: [visit]}\n- {code: "057", verbs: [countersign]}\n')
    lexicon = load_lexicon(user_patterns=path)
    assert lexicon.verb_patterns("countersign")[0].code == "057"
    assert lexicon.verb_patterns("visit")[0].code == "043"  # the user's entry wins
    assert len(lexicon.verb_patterns("visit")) > 1  # the bundled ones are still there


def test_a_counted_object_after_up_to_is_the_object(parser) -> None:
    assert code(parser, "Russia attacked up to 16 Pakistani troops.") == [("RUS", "PAKMIL", "190")]


def test_the_target_may_sit_in_a_preposition_of_the_object(parser) -> None:
    assert ("RUS", "PAK", "130") in code(
        parser, "Russia threatened to stop the talks with Pakistan.", lexicon=STANCE_LEX
    )


def test_conjoined_modifiers_are_each_an_actor(parser) -> None:
    found = code(parser, "Russian and Pakistani officials signed a memorandum.")
    assert sorted(found) == [("PAKGOV", "RUSGOV", "057"), ("RUSGOV", "PAKGOV", "057")]


def test_the_intent_verb_adds_no_event_when_its_action_is_coded(parser) -> None:
    found = code(parser, "Russia agreed to impose sanctions on Pakistan.", lexicon=STANCE_LEX)
    assert found == [("RUS", "PAK", "1312")]


def test_a_verb_the_small_model_lemmatises_wrongly_still_triggers(parser) -> None:
    # en_core_web_sm lemmatises "staged" as "stag"; the Phoenix verb forms correct it.
    from westphalia.events.lexicon import load_lexicon

    lexicon = build_lexicon(
        [*LEXICON_ENTRIES, {"code": "141", "verbs": ["stage"], "objects": ["protest"]}],
        phoenix_verbs=load_lexicon().phoenix_verbs,
    )
    found = code(parser, "Pakistani students staged a protest against Russia.", lexicon=lexicon)
    assert found == [("PAK", "RUS", "141")]  # the fake gazetteer has no "students" role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia accused Pakistan of spying.", "1125"),
        ("Russia accused Pakistan of war crimes.", "1124"),
        ("Russia accused Pakistan of violating the truce.", "1123"),
        ("Russia accused Pakistan of bad faith.", "112"),
    ],
)
def test_what_an_accusation_is_of_refines_it(parser, text: str, expected: str) -> None:
    assert code(parser, text) == [("RUS", "PAK", expected)]


def test_a_light_verb_with_an_eventive_object_is_not_an_event_of_its_own(parser) -> None:
    lexicon = build_lexicon([*LEXICON_ENTRIES, {"code": "030", "verbs": ["agree", "undertake"]}])
    found = code(parser, "Russia agreed to undertake a drill with Pakistan.", lexicon=lexicon)
    assert found == [("RUS", "PAK", "0312")]


PROTEST_LEX = build_lexicon(
    [
        *LEXICON_ENTRIES,
        {"code": "145", "verbs": ["riot"]},
        {"code": "144", "verbs": ["block"], "objects": ["road"]},
        {"code": "100", "verbs": ["demand", "press"]},
        {"code": "083", "verbs": ["abandon"]},
        {"code": "130", "verbs": ["threaten", "warn"]},
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # the protest is against whom the demand is made of, refined by the change demanded
        (
            "Pakistani protesters rioted in Lahore, demanding the resignation of Pakistani "
            "officials.",
            ("PAKCVL", "PAKGOV", "1451"),
        ),
        (
            "Pakistani protesters blocked roads to press their demands for more rights from "
            "Pakistani officials.",
            ("PAKCVL", "PAKGOV", "1443"),
        ),
        (  # three arcs up from the demand to the protest
            "Pakistani protesters rioted on Monday, joining crowds in demanding the resignation "
            "of Pakistani officials.",
            ("PAKCVL", "PAKGOV", "1451"),
        ),
    ],
)
def test_a_protest_for_a_demand_targets_whom_the_demand_is_of(parser, text, expected) -> None:
    found = code(parser, text, lexicon=PROTEST_LEX)
    assert found == [expected]  # and the demand is no second event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pakistan demanded that Russia abandon its visa policy.", ("PAK", "RUS", "1042")),
        ("Pakistan urged Russia to abandon its visa policy.", ("PAK", "RUS", "0242")),
    ],
)
def test_a_demand_for_reform_is_refined_by_the_change_asked(parser, text, expected) -> None:
    assert expected in code(parser, text, lexicon=PROTEST_LEX)


def test_a_passive_without_agent_does_not_borrow_the_doer_of_its_governor(parser) -> None:
    found = code(parser, "Russia visited Pakistan after sanctions were imposed on China.")
    assert ("RUS", "PAK", "042") in found
    assert not [e for e in found if e[2] == "163"]  # who imposed them is not said


@pytest.mark.parametrize(
    "text",
    [
        "Russia threatened to impose sanctions if Pakistan signs the deal.",
        "Russia warned it would impose sanctions unless Pakistan withdraws its troops.",
    ],
)
def test_a_threat_is_aimed_at_the_subject_of_its_condition(parser, text) -> None:
    assert code(parser, text, lexicon=PROTEST_LEX) == [("RUS", "PAK", "1312")]


def test_continued_military_aid_under_a_promise_is_an_intent_to_give_it(parser) -> None:
    from westphalia.events.lexicon import load_lexicon

    found = code(
        parser, "Russia promised to continue military aid to Pakistan.", lexicon=load_lexicon()
    )
    assert found == [("RUS", "PAK", "0332")]


def test_of_two_patterns_matching_one_object_the_finer_code_wins(parser) -> None:
    lexicon = build_lexicon(
        [
            *LEXICON_ENTRIES,
            {"code": "081", "verbs": ["ease"], "objects": ["measure", "restriction"]},
            {"code": "0814", "verbs": ["ease"], "objects": ["emergency"]},
        ]
    )
    assert code(parser, "Russia eased emergency measures on Pakistan.", lexicon=lexicon) == [
        ("RUS", "PAK", "0814")
    ]
    assert code(parser, "Russia eased restrictions on Pakistan.", lexicon=lexicon) == [
        ("RUS", "PAK", "081")
    ]


def test_a_blockade_imposed_in_a_place_targets_the_place(parser) -> None:
    lexicon = build_lexicon(
        [
            *LEXICON_ENTRIES,
            {"code": "170", "verbs": ["reimpose"]},
            {"code": "191", "nouns": ["blockade"]},
        ]
    )
    found = code(parser, "Russia reimposed blockades in Pakistan.", lexicon=lexicon)
    assert found == [("RUS", "PAK", "191")]  # the noun, not the generic verb, codes it


def test_conjoined_groups_share_their_place(parser) -> None:
    found = code(parser, "Officials and troops in Pakistan shelled Russian positions.")
    assert sorted(found) == [("PAKGOV", "RUS", "190"), ("PAKMIL", "RUS", "190")]


def test_the_nearest_speaker_above_a_reported_deed_is_the_accuser(parser) -> None:
    found = code(parser, "Pakistan said that China said that Russia attacked the United States.")
    assert found == [("CHN", "RUS", "112")]


def test_the_target_may_sit_in_a_clause_on_the_object(parser) -> None:
    lexicon = build_lexicon([*LEXICON_ENTRIES, {"code": "144", "verbs": ["seal off"]}])
    found = code(
        parser, "Russian troops sealed off the roads leading into Pakistan.", lexicon=lexicon
    )
    assert found == [("RUSMIL", "PAK", "144")]


def test_subjects_sharing_their_object_act_towards_each_other(parser) -> None:
    lexicon = build_lexicon([*LEXICON_ENTRIES, {"code": "120", "verbs": ["postpone"]}])
    found = code(parser, "Russia and Pakistan postponed their talks.", lexicon=lexicon)
    assert sorted(found) == [("PAK", "RUS", "120"), ("RUS", "PAK", "120")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia accepted Pakistani demands for political reforms.", ("RUS", "PAK", "083")),
        ("Russia conceded to Pakistani demands for a referendum.", ("RUS", "PAK", "0834")),
        ("Russia accepted Pakistani demands for talks.", ("RUS", "PAK", "080")),
    ],
)
def test_yielding_to_demands_for_reform_is_acceding_by_its_kind(parser, text, expected) -> None:
    lexicon = build_lexicon(
        [
            *LEXICON_ENTRIES,
            {"code": "080", "verbs": ["accept", "concede to"], "objects": ["demand"]},
        ]
    )
    assert code(parser, text, lexicon=lexicon) == [expected]


def test_the_target_may_be_the_by_agent_of_a_participle_on_the_object(parser) -> None:
    assert code(parser, "Russia praised the proposal made by Pakistan.") == [("RUS", "PAK", "051")]


def _misparsed(words: list[tuple[str, str, str, str, int]]):
    """A one-sentence Parse from (text, lemma, pos, dep, head) rows, as the parser gave them."""
    from westphalia.model import Sentence, Span
    from westphalia.parse import Parse, Token

    tokens, start = [], 0
    for i, (text, lemma, pos, dep, head) in enumerate(words):
        tokens.append(Token(i, start, start + len(text), text, lemma, pos, pos, dep, head, 0, ""))
        start += len(text) + 1
    text = " ".join(w[0] for w in words)
    sentence = Sentence("a1", 0, Span(0, len(text)), text)
    return Parse("a1", text, (sentence,), tuple(tokens), (), ())


def test_a_preposition_the_parser_left_without_object_takes_the_noun_after_it() -> None:
    from westphalia.model import Mention, Span

    # "Russia granted asylum to five Pakistani officials holed up ...", with "officials" parsed
    # as the subject of "holed" and "to" left without an object
    parse = _misparsed(
        [
            ("Russia", "Russia", "PROPN", "nsubj", 1),
            ("granted", "grant", "VERB", "ROOT", 1),
            ("asylum", "asylum", "NOUN", "dobj", 1),
            ("to", "to", "ADP", "prep", 1),
            ("five", "five", "NUM", "nummod", 6),
            ("Pakistani", "Pakistani", "ADJ", "amod", 6),
            ("officials", "official", "NOUN", "nsubj", 7),
            ("holed", "hole", "VERB", "advcl", 1),
        ]
    )
    mentions = [
        Mention("a1", 0, Span(0, 6), "Russia", "RUS", "gazetteer"),
        Mention("a1", 0, Span(32, 50), "Pakistani officials", "PAKGOV", "role"),
    ]
    lexicon = build_lexicon([{"code": "075", "verbs": ["grant"], "objects": ["asylum"]}])
    events = extract_events(parse, mentions, lexicon=lexicon, story_id="s1")
    assert [(e.source, e.target, e.code) for e in events] == [("RUS", "PAKGOV", "075")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # an obligation to be ready to act, voiced by another, is a demand; one's own readiness, intent
        ("Russia said Pakistan must be ready to withdraw its troops.", ("RUS", "PAK", "1056")),
        ("Russia said Pakistan is ready to withdraw from China.", ("PAK", "CHN", "0356")),
    ],
)
def test_must_be_ready_to_is_the_speakers_demand(parser, text, expected) -> None:
    lexicon = build_lexicon([*LEXICON_ENTRIES, {"code": "0874", "verbs": ["withdraw"]}])
    assert expected in code(parser, text, lexicon=lexicon)


ANTI_LEX = build_lexicon(
    [
        *LEXICON_ENTRIES,
        {"code": "141", "verbs": ["stage"], "objects": ["rally"], "nouns": ["rally"]},
        {"code": "1121", "verbs": ["abandon"]},
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the protest is against the country its "anti-" names, not by it
        ("Pakistani students held an anti-Russian rally.", [("PAK", "RUS", "141")]),
        ("The anti-Russian rally by Pakistani students ended.", [("PAK", "RUS", "141")]),
        # a stray space after the prefix ("anti- Russian") leaves the parse broken, not the event
        ("Pakistan abandoned an anti- Russian campaign.", [("PAK", "RUS", "1121")]),
    ],
)
def test_an_anti_prefix_names_the_target(parser, text: str, expected: list) -> None:
    assert code(parser, text, lexicon=ANTI_LEX) == expected


def test_anti_protesters_are_not_the_country_they_oppose(parser) -> None:
    found = code(parser, "Anti-Russian protesters attacked Pakistani troops.", lexicon=ANTI_LEX)
    assert all(source != "RUS" for source, _, _ in found)


def test_a_raised_passive_subject_is_the_doer_of_the_clause(parser) -> None:
    # "X was seen/forced/reported to V": X does V
    assert code(parser, "Pakistan was forced to visit Russia.") == [("PAK", "RUS", "042")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "since" + a year on "the first ..." names the stretch the event ends, not its day
        (
            "Pakistan's foreign minister visited Russia on Tuesday, the first such trip by a "
            "Pakistani minister since 2019.",
            date(2025, 1, 7),
        ),
        (
            "Russia and Pakistan held their first naval exercise since March on Monday.",
            date(2025, 1, 6),
        ),
        # a "since" date on a verb is the start of what the clause says: kept
        (
            "Ties have expanded since late 2014, when Russia signed a defence agreement with "
            "Pakistan.",
            date(2014, 1, 1),
        ),
    ],
)
def test_a_since_date_on_a_first_is_not_the_events_date(parser, text: str, expected) -> None:
    parse = next(parser.parse([("a1", text)]))
    mentions = extract_actors(parse, gazetteer=GAZ)
    events = extract_events(parse, mentions, lexicon=LEX, story_id="s1", published=date(2025, 1, 8))
    assert events and {e.date for e in events} == {expected}, [(e.code, e.date) for e in events]


PLACE_LEX = build_lexicon(
    [*LEXICON_ENTRIES, {"code": "173", "verbs": ["arrest"]}, {"code": "180", "verbs": ["kill"]}]
)
PLACES = replace(GAZ, places={"PAK": ("Quetta",), "CHE": ("Geneva",)})


def _placed_events(text: str, lexicon=PLACE_LEX) -> list:
    """The events of `text` with a gazetteer that knows two cities (the parser built for it)."""
    parse = next(Parser(ParseSettings(), PLACES.phrases()).parse([("a1", text)]))
    mentions = extract_actors(parse, gazetteer=PLACES)
    return extract_events(parse, mentions, lexicon=lexicon, story_id="s1")


def _place_coded(text: str) -> list[tuple[str, str, str]]:
    return [(e.source, e.target, e.code) for e in _placed_events(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an agentless passive: the state of the place did it
        ("A Russian reporter was arrested in Pakistan on Monday.", [("PAK", "RUS", "173")]),
        # a thing for a subject: the place on the subject, a city for its country
        (
            "A roadside bomb near Quetta killed two American troops on Sunday.",
            [("PAK", "USAMIL", "180")],
        ),
    ],
)
def test_a_deed_with_no_doer_is_done_by_the_state_of_its_place(text, expected) -> None:
    assert _place_coded(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "They killed two American soldiers in Pakistan on Sunday.",  # someone did it: unknown
        "Russian diplomats were welcomed in Pakistan on Monday.",  # not a deed of force
    ],
)
def test_a_place_does_not_stand_for_a_doer_someone_is_or_for_other_deeds(text) -> None:
    assert not any(source == "PAK" for source, _, _ in _place_coded(text))


def test_a_city_is_never_a_source_or_target_of_its_own() -> None:
    # "Quetta" is where, not who: the visit's target is the country named, not the city
    assert _place_coded("Russian officials visited Pakistan and toured Quetta.") == [
        ("RUSGOV", "PAK", "042")
    ]


ISSUE_LEX = build_lexicon([*LEXICON_ENTRIES, {"code": "111", "verbs": ["condemn", "criticize"]}])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia issued a statement condemning Pakistan on Monday.", ("RUS", "PAK", "111")),
        ("China released a communique criticizing the United States.", ("CHN", "USA", "111")),
    ],
)
def test_a_documents_participle_is_done_by_its_issuer(parser, text, expected) -> None:
    assert expected in code(parser, text, lexicon=ISSUE_LEX)


def test_a_participle_on_another_noun_is_not_the_clause_subjects(parser) -> None:
    # the protesters, not Russia, criticize: no Russian event
    found = code(parser, "Russia watched protesters criticizing Pakistan.", lexicon=ISSUE_LEX)
    assert not any(source.startswith("RUS") for source, _, _ in found)


def test_an_event_noun_after_for_on_a_verb_of_coming_together_is_the_subjects(parser) -> None:
    found = code(parser, "Russian and Chinese officials returned to Beijing for a meeting.")
    assert ("RUSGOV", "CHNGOV", "040") in found and ("CHNGOV", "RUSGOV", "040") in found


def test_an_event_noun_after_for_on_another_verb_is_nobodys(parser) -> None:
    # pressing for talks is no talks held
    found = code(parser, "Russian and Chinese officials pressed for a meeting.")
    assert not any(c == "040" for _, _, c in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # in neither side's country: a meeting at a third location
        ("Russian and Pakistani officials met in Geneva on Monday.", ("044", "CHE")),
        # the destination of the verb the meeting is the purpose of is where it is held
        ("Russian and Pakistani officials returned to Geneva for a meeting.", ("044", "CHE")),
        # in one side's country: the plain consult
        ("Russian and Pakistani officials met in Islamabad on Monday.", ("040", "PAK")),
    ],
)
def test_a_meeting_in_neither_sides_country_is_at_a_third_location(text, expected) -> None:
    found = [(e.source, e.target, e.code, e.location) for e in _placed_events(text, LEX)]
    assert ("RUSGOV", "PAKGOV", *expected) in found and ("PAKGOV", "RUSGOV", *expected) in found
