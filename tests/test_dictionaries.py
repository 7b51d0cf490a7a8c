"""PETRARCH/TABARI dictionary reading: verbs, actors, agents, discards, the directory cache.

Every dictionary here is a small invented snippet (made-up verbs, actors and codes).
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from westphalia.dictionaries import (
    DatedCode,
    Discard,
    DiscardMatcher,
    Element,
    VerbDictionary,
    discarded,
    load_dictionaries,
    read_actors,
    read_agents,
    read_discards,
    read_negations,
    read_verbs,
)
from westphalia.dictionaries.actors import _read_actors, _read_agents
from westphalia.errors import ConfigError

SYNSETS = """\
&GLOMP
+GLOMP
+ZORBY
+FLUSS
+WUMBLE_FASH
+TRAX_

&BLERP_
+BLERP
+SNAV

&OUTER
+&BLERP
+KRAM
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _verbs(tmp_path: Path, text: str) -> VerbDictionary:
    return read_verbs(_write(tmp_path, "test.verbs.txt", SYNSETS + textwrap.dedent(text)))


def _word(*words: str) -> Element:
    return Element("word", (frozenset(words),))


# ------------------------------------------------------------------------------------ verbs


def test_synset_members_get_regular_plurals(tmp_path: Path) -> None:
    synsets = _verbs(tmp_path, "").synsets
    assert synsets["&GLOMP"] == {
        "glomp",
        "glomps",
        "zorby",
        "zorbies",
        "fluss",
        "flusses",
        "wumble fash",
        "wumble fashes",
        "trax",
    }


def test_underscore_on_a_synset_label_suppresses_plurals(tmp_path: Path) -> None:
    assert _verbs(tmp_path, "").synsets["&BLERP"] == {"blerp", "snav"}


def test_a_synset_may_contain_another(tmp_path: Path) -> None:
    synsets = _verbs(tmp_path, "").synsets
    assert synsets["&OUTER"] == {"blerp", "snav", "kram", "krams"}


def test_a_verb_gets_its_regular_forms(tmp_path: Path) -> None:
    entries = _verbs(tmp_path, "--- TREM [010] ---\nTREM\nFLOBY\n").entries
    assert entries["trem"].forms == {"trem", "trems", "tremmed", "tremming"}
    assert entries["flobies"].forms == {"floby", "flobies", "flobied", "flobying"}
    assert entries["tremmed"].lemma == "trem"


def test_irregular_forms_in_braces_replace_the_regular_ones(tmp_path: Path) -> None:
    entry = _verbs(tmp_path, "--- BLIM [010] ---\nBLIM {BLAM BLUM BLIMS BLIMMING}\n").entries[
        "blam"
    ]
    assert entry.lemma == "blim"
    assert entry.forms == {"blim", "blam", "blum", "blims", "blimming"}


@pytest.mark.parametrize(
    ("line", "lemma", "head", "form"),
    [
        ("+ZORB_OFF", "zorb off", "zorb", "zorbed off"),
        ("WIRE_+ZAP", "wire zap", "zap", "wire zapping"),
        ("+GRIND_UP {+GROUND_UP +GRINDS_UP}", "grind up", "grind", "ground up"),
    ],
)
def test_multiword_verbs_inflect_the_word_marked_with_plus(
    tmp_path: Path, line: str, lemma: str, head: str, form: str
) -> None:
    entries = _verbs(tmp_path, f"--- ZORB [010] ---\nZORB\n{line}\n").entries
    assert (entries[form].lemma, entries[form].head, entries[form].block) == (lemma, head, "zorb")


def test_a_verb_has_its_own_code_else_its_blocks_else_null(tmp_path: Path) -> None:
    entries = _verbs(
        tmp_path, "--- FROB [080] ---\nFROB\nKNURL [090]\n--- SPLAT ---\nSPLAT\n"
    ).entries
    assert [entries[v].code for v in ("frob", "knurl", "splat")] == ["080", "090", "---"]


def test_patterns_are_keyed_by_the_blocks_primary_verb(tmp_path: Path) -> None:
    verbs = _verbs(tmp_path, "--- FROB [080] ---\nKNURL\nFROB\n- * GADGET [081]\n")
    assert verbs.entries["knurl"].block == "frob"
    assert [(p.verb, p.code) for p in verbs.patterns["frob"]] == [("frob", "081")]


def test_pattern_elements_cover_slots_phrases_and_prepositions(tmp_path: Path) -> None:
    text = "--- FROB [080] ---\nFROB\n- $ % * {SHINY &BLERP} (TOWARD +) (UNDER {OLD GADGET}) (BESIDE) [0811]\n"
    pattern = _verbs(tmp_path, text).patterns["frob"][0]
    assert pattern.before == (Element("source"), Element("compound"))
    assert pattern.after == (
        Element("phrase", (frozenset({"shiny"}), frozenset({"blerp", "snav"}))),
        Element("prep", (frozenset({"toward"}),)),
        Element("target"),
        Element("prep", (frozenset({"under"}), frozenset({"old"}), frozenset({"gadget"}))),
        Element("prep", (frozenset({"beside"}),)),
    )


def test_pattern_words_expand_synsets_and_slash_alternatives(tmp_path: Path) -> None:
    pattern = _verbs(tmp_path, "--- FROB ---\nFROB\n- * &BLERP (TO/AT GADGET) [081]\n")
    assert pattern.patterns["frob"][0].after == (
        _word("blerp", "snav"),
        Element("prep", (frozenset({"to", "at"}), frozenset({"gadget"}))),
    )


@pytest.mark.parametrize(
    ("code", "expected"), [("---", "---"), ("042:043", "042"), (":173", "---")]
)
def test_pattern_codes_keep_the_first_of_a_pair(tmp_path: Path, code: str, expected: str) -> None:
    pattern = _verbs(tmp_path, f"--- FROB ---\nFROB\n- * GADGET [{code}]\n").patterns["frob"][0]
    assert pattern.code == expected


def test_patterns_come_most_specific_first_then_in_file_order(tmp_path: Path) -> None:
    text = """\
    --- FROB [080] ---
    FROB
    - * GADGET [081]
    - * GIZMO (WITH +) [082]
    - * WIDGET [083]
    - $ * GIZMO (FOR {BIG WIDGET}) + [084]
    """
    codes = [p.code for p in _verbs(tmp_path, text).patterns["frob"]]
    assert codes == ["084", "082", "081", "083"]


def test_transformations_are_read(tmp_path: Path) -> None:
    transformation = _verbs(tmp_path, "~ a (b . FROB) KNURL = a b 112\n").transformations[0]
    assert (transformation.inner_verb, transformation.outer_verb, transformation.code) == (
        "frob",
        "knurl",
        "112",
    )
    assert (transformation.outer_source, transformation.inner_target) == ("a", ".")


def test_unreadable_pattern_lines_are_skipped_with_a_reason(tmp_path: Path) -> None:
    text = "--- FROB ---\nFROB\n- * &NOPE [081]\n- * GADGET\n- * * GIZMO [082]\n- * OK [083]\n"
    verbs = _verbs(tmp_path, text)
    assert [p.code for p in verbs.patterns["frob"]] == ["083"]
    reasons = [s.split(": ", 1)[1] for s in verbs.skipped]
    assert reasons == [
        "skipped: undefined synset &NOPE",
        "skipped: pattern without a [code]",
        "skipped: pattern with 2 '*' (the verb) instead of one",
    ]
    assert verbs.skipped[0].startswith("test.verbs.txt:")


def test_legacy_tabari_syntax_is_approximated_and_recorded(tmp_path: Path) -> None:
    text = "<!-- an old\n  comment -->\n--- FROB ---\nFROB\n- IN_* ^ GADGET [081]\n"
    verbs = _verbs(tmp_path, text)
    pattern = verbs.patterns["frob"][0]
    assert (pattern.before, pattern.after) == ((_word("in"),), (Element("skip"), _word("gadget")))
    assert [s.split(": ", 1)[1].split(":")[0] for s in verbs.skipped] == ["approximated"]


def test_a_latin1_file_is_read_without_error(tmp_path: Path) -> None:
    path = tmp_path / "old.verbs.txt"
    path.write_bytes(b"--- FROB ---\nFROB # caf\xe9\n- * GADGET [081]\n")
    assert read_verbs(path).patterns["frob"][0].code == "081"


# ----------------------------------------------------------------------------------- actors

ACTORS = """\
ZEMBLA_  [ZMB]
+ZEMBLAN_  # a comment
+ONHAVA

KING_KARL_
\t[ZMBGOV <900101]
\t[ZMBELI 900102-20051231]
\t[ZMBOPP >060101]
\t[ZMBELI]

QUEEN_BLENDA_\t[ZMBGOV 310101-300101] [ZMBELI]
"""


def test_actors_have_phrases_codes_and_defaults(tmp_path: Path) -> None:
    zembla, karl, blenda = read_actors(_write(tmp_path, "x.actors.txt", ACTORS))
    assert (zembla.phrases, zembla.codes, zembla.default) == (
        ("ZEMBLA", "ZEMBLAN", "ONHAVA"),
        (),
        "ZMB",
    )
    assert karl.codes == (
        DatedCode("ZMBGOV", None, date(1990, 1, 1)),
        DatedCode("ZMBELI", date(1990, 1, 2), date(2005, 12, 31)),
        DatedCode("ZMBOPP", date(2006, 1, 1), None),
    )
    assert (karl.default, karl.origin) == ("ZMBELI", "x.actors.txt:5")
    assert blenda.codes == (DatedCode("ZMBGOV", date(1931, 1, 1), date(2030, 1, 1)),)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(1980, 5, 5), "ZMBGOV"),
        (date(1990, 1, 1), "ZMBGOV"),
        (date(1990, 1, 2), "ZMBELI"),
        (date(2006, 1, 1), "ZMBOPP"),
        (None, "ZMBELI"),
    ],
)
def test_code_on_picks_the_restriction_covering_the_day(tmp_path: Path, day, code) -> None:
    karl = read_actors(_write(tmp_path, "x.actors.txt", ACTORS))[1]
    assert karl.code_on(day) == code


def test_code_on_without_a_default(tmp_path: Path) -> None:
    text = "DUKE_OTTO_\n\t[ZMBGOV 800101-891231]\n\t[ZMBREB 900101-951231]\n"
    (otto,) = read_actors(_write(tmp_path, "x.actors.txt", text))
    assert otto.code_on(None) == "ZMBREB"
    assert otto.code_on(date(2001, 1, 1)) is None


def test_bad_actor_dates_are_skipped_not_fatal(tmp_path: Path) -> None:
    text = "DUKE_OTTO_\n\t[ZMBGOV 8001011-891231]\n\t[ZMBREB 900101-951231]\n"
    path = _write(tmp_path, "x.actors.txt", text)
    (otto,) = read_actors(path)
    assert [c.code for c in otto.codes] == ["ZMBREB"]
    assert "bad date '8001011'" in _read_actors(path)[1][0]


# ----------------------------------------------------------------------------------- agents


def test_agent_plurals_regular_irregular_and_none(tmp_path: Path) -> None:
    text = "GLORPSMITH [~CRF]\nFOOZ_BAILIFF {FEEZ_BAILIFF} [~JUD]\nGENDARMERY {} [~COP]\nBOUNCY_DEPUTY [~GOV]\n"
    agents = read_agents(_write(tmp_path, "x.agents.txt", text))
    assert [(a.phrase, a.plurals) for a in agents] == [
        ("glorpsmith", ("glorpsmiths",)),
        ("fooz bailiff", ("feez bailiff",)),
        ("gendarmery", ()),
        ("bouncy deputy", ("bouncy deputies",)),
    ]


def test_agent_tilde_side_says_where_the_code_goes(tmp_path: Path) -> None:
    text = "GLORP_GUILD [GLD~]\nGLORPSMITH [ ~CRF]\n"
    agents = read_agents(_write(tmp_path, "x.agents.txt", text))
    assert [(a.code, a.prefix) for a in agents] == [("GLD", True), ("CRF", False)]


def test_agent_substitution_markers_expand_without_plurals(tmp_path: Path) -> None:
    text = "!ZOG! = ZOG, ZOGS , ZIG\nWAR!ZOG! [~MIL]\n!ZOG!_OF_MOONS [~GOV]\n"
    agents = read_agents(_write(tmp_path, "x.agents.txt", text))
    assert [(a.phrase, a.plurals, a.code) for a in agents] == [
        ("warzog", (), "MIL"),
        ("warzogs", (), "MIL"),
        ("warzig", (), "MIL"),
        ("zog of moons", (), "GOV"),
        ("zogs of moons", (), "GOV"),
        ("zig of moons", (), "GOV"),
    ]


def test_agent_lines_without_a_code_or_marker_are_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.agents.txt", "LONE_GLORP\n!NOPE!_GLORP [~GOV]\nGLORP [~CRF]\n")
    agents, skipped = _read_agents(path)
    assert [a.phrase for a in agents] == ["glorp"]
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "skipped: no [code]",
        "skipped: substitution marker !NOPE! is not defined",
    ]


# --------------------------------------------------------------------------------- discards


def test_discards_read_story_and_whole_word_flags(tmp_path: Path) -> None:
    text = "ZORBBALL  # a sport\n+GRAND  GLOMP CUP\nTEAM Q_\n"
    assert read_discards(_write(tmp_path, "x.discards.txt", text)) == [
        Discard("zorbball", story=False, whole_word=False),
        Discard("grand glomp cup", story=True, whole_word=False),
        Discard("team q", story=False, whole_word=True),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The ZORBBALLS final was played.", "zorbball"),
        ("He watched the Grand\nGlomp  Cup.", "grand glomp cup"),
        ("Team Q, the winners, left.", "team q"),
        ("Team Quux left.", None),
        ("Minizorbball is not a stem match.", None),
        ("No sport here.", None),
        ("(zorbball) and _zorbball", "zorbball"),
        ("2zorbball, azorbball", None),
        ("zorbball", "zorbball"),
    ],
)
def test_discarded_finds_the_first_matching_phrase(text: str, found: str | None) -> None:
    discards = [
        Discard("zorbball", story=False, whole_word=False),
        Discard("grand glomp cup", story=True, whole_word=False),
        Discard("team q", story=False, whole_word=True),
    ]
    match = discarded(text, discards)
    assert (match.phrase if match else None) == found
    match = DiscardMatcher(discards)(text)  # all phrases in one regular expression
    assert (match.phrase if match else None) == found


def test_the_discard_matcher_takes_the_longest_phrase_at_the_first_place() -> None:
    discards = [
        Discard("zorb", story=False, whole_word=False),
        Discard("zorbball final", story=False, whole_word=True),
        Discard("zebra cup", story=False, whole_word=False),
        Discard("glomp", story=True, whole_word=True),
    ]
    match = DiscardMatcher(discards)
    assert match("The zorbball final.").phrase == "zorbball final"
    assert match("The zorbball finalists.").phrase == "zorb"  # not a whole word: the shorter
    assert match("A zebra cup, then zorbs.").phrase == "zebra cup"
    assert match("Zorbs and a glomp.").phrase == "glomp"  # a story discard comes first
    assert match("Glomps and zebras.") is None


# ------------------------------------------------------------------------- directory, cache


def _directory(tmp_path: Path) -> Path:
    folder = tmp_path / "dicts"
    folder.mkdir()
    _write(folder, "Mini.verbs.txt", SYNSETS + "--- FROB [080] ---\nFROB\n- * GADGET [081]\n")
    _write(folder, "B.actors.txt", "ONHAVA_ [ONH]\n")
    _write(folder, "A.actors.txt", "ZEMBLA_ [ZMB]\n")
    _write(folder, "Mini.agents.txt", "GLORPSMITH [~CRF]\n")
    _write(folder, "Mini.discards.txt", "ZORBBALL\n")
    _write(folder, "README.md", "not a dictionary [XYZ]\n")
    _write(folder, "Mini.prepositions.txt", "TOWARD\n")
    _write(folder, "Mini.Coding_Ontology.txt", "# header\n050:0x0080#Coop\n110:0xFFFF+0x0080\n")
    return folder


def test_load_finds_the_files_by_name(tmp_path: Path) -> None:
    loaded = load_dictionaries(_directory(tmp_path), cache_dir=tmp_path / "cache")
    assert [Path(s).name for s in loaded.sources] == [
        "Mini.verbs.txt",
        "A.actors.txt",
        "B.actors.txt",
        "Mini.agents.txt",
        "Mini.discards.txt",
        "Mini.Coding_Ontology.txt",
    ]
    assert loaded.negations == (("110", "050"),)
    assert [a.default for a in loaded.actors] == ["ZMB", "ONH"]
    assert loaded.verbs is not None and loaded.verbs.entries["frob"].code == "080"
    assert (loaded.agents[0].code, loaded.discards[0].phrase) == ("CRF", "zorbball")


def test_a_second_load_comes_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    folder, cache = _directory(tmp_path), tmp_path / "cache"
    first = load_dictionaries(folder, cache_dir=cache)

    def fail(path: Path) -> None:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr("westphalia.dictionaries.load.read_verbs", fail)
    monkeypatch.setattr("westphalia.dictionaries.load._read_actors", fail)
    assert load_dictionaries(folder, cache_dir=cache) == first


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    folder, cache = _directory(tmp_path), tmp_path / "cache"
    load_dictionaries(folder, cache_dir=cache)
    _write(folder, "Mini.discards.txt", "+GLOMPBALL_\n")
    assert load_dictionaries(folder, cache_dir=cache).discards == (
        Discard("glompball", True, True),
    )


def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    folder, cache = _directory(tmp_path), tmp_path / "cache"
    expected = load_dictionaries(folder, cache_dir=cache)
    (pickled,) = cache.iterdir()
    pickled.write_bytes(b"\x80\x05not a pickle")
    assert load_dictionaries(folder, cache_dir=cache) == expected
    assert pickled.read_bytes() != b"\x80\x05not a pickle"


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    loaded = load_dictionaries(_directory(tmp_path), cache_dir=blocker / "cache")
    assert loaded.actors[0].default == "ZMB"


def test_a_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere does not exist.*Pass the folder"):
        load_dictionaries(tmp_path / "nowhere", cache_dir=tmp_path / "cache")


def test_a_directory_without_dictionaries_is_a_config_error(tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "hello\n")
    with pytest.raises(ConfigError, match=r"No dictionary file in .*'verb', 'actor'"):
        load_dictionaries(tmp_path, cache_dir=tmp_path / "cache")


# ------------------------------------------------------------------------ coding ontology

ONTOLOGY = """\
# an ontology in PETRARCH's format: values are sums of hex terms, "#" splits alternatives
010:0x1000#Say
011:0x1000-0xFFFF
050:0x0080#Cooperate
060:0x0070
110:0x1007f#0xFFFF+0x0080#0x7000#Disapprove
120:-0xFFFF#Reject
121:-0xFFFF+0x0070
122:-0xFFFF+0x2040+0x300# a comment after the values
---:0
"""


def test_a_negation_is_the_code_whose_value_lacks_or_gains_0xffff(tmp_path: Path) -> None:
    negations = read_negations(_write(tmp_path, "x_ontology.txt", ONTOLOGY))
    assert negations == {"010": "011", "060": "121", "110": "050"}


def test_a_code_whose_negation_has_no_code_is_left_out(tmp_path: Path) -> None:
    negations = read_negations(_write(tmp_path, "x_ontology.txt", ONTOLOGY))
    assert "050" not in negations and "120" not in negations
