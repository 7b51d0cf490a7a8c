from __future__ import annotations

import pytest

from westphalia.config import NormalizeSettings
from westphalia.errors import InputError
from westphalia.model import content_id
from westphalia.normalize import clean_text, normalize

S = NormalizeSettings()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Islamabad\u00a0and\u202fMoscow", "Islamabad and Moscow"),  # odd spaces
        ("co\u00adoperation", "cooperation"),  # soft hyphen
        ("Pak\u200bistan\ufeff", "Pakistan"),  # zero-width space, BOM
        ("\u201cYalta system.\u201d", '"Yalta system."'),  # curly double quotes
        ("Russia\u2019s pursuit", "Russia's pursuit"),  # curly apostrophe
        ("Pakistan\u2013Russia ties", "Pakistan-Russia ties"),  # en dash in a compound
        ("April 6\u20137", "April 6-7"),  # en dash in a range
        ("Europe \u2015 gaining", "Europe \u2014 gaining"),  # horizontal bar -> em dash
        ("vis-a\u0300-vis", "vis-\u00e0-vis"),  # NFC composes the accent
        ("too   many    spaces", "too many spaces"),
        ("tab\tseparated", "tab separated"),
        ("bad \udc80 byte \ud800", "bad \ufffd byte \ufffd"),  # lone surrogates: unstorable
    ],
)
def test_clean_text_characters(raw: str, expected: str) -> None:
    assert clean_text(raw, settings=S) == expected


def test_paragraph_breaks_are_kept_as_one_blank_line() -> None:
    raw = "First paragraph.\n\n\n   \nSecond paragraph.\r\n\r\nThird."
    assert clean_text(raw, settings=S) == "First paragraph.\n\nSecond paragraph.\n\nThird."


def test_long_lines_separated_by_single_newlines_are_paragraphs() -> None:
    long_a, long_b = "A" * 120 + ".", "B" * 120 + "."
    assert clean_text(f"{long_a}\n{long_b}", settings=S) == f"{long_a}\n\n{long_b}"


def test_hard_wrapped_newswire_is_unwrapped_with_indented_paragraphs() -> None:
    raw = (
        "The ministers met in the capital on\n"
        "Tuesday to discuss border trade.\n"
        "    A second round is planned for\n"
        "next month, officials said."
    )
    assert clean_text(raw, settings=S) == (
        "The ministers met in the capital on Tuesday to discuss border trade.\n\n"
        "A second round is planned for next month, officials said."
    )


def test_normalize_sets_id_from_normalized_text(make_article) -> None:
    a = normalize(make_article(raw_text="Kabul\u00a0talks  resumed."), settings=S)
    b = normalize(make_article(raw_text="Kabul talks resumed.\n"), settings=S)
    assert a.text == b.text == "Kabul talks resumed."
    assert a.id == b.id == content_id("Kabul talks resumed.")
    assert a.raw_text == "Kabul\u00a0talks  resumed."  # the raw text is kept


def test_normalize_rejects_text_that_cleans_to_nothing(make_article) -> None:
    with pytest.raises(InputError) as info:
        normalize(make_article(raw_text="\u200b \u00a0\n\t"), settings=S)
    assert info.value.code == "E201"
    assert "nothing is left after cleaning" in info.value.message


def test_normalize_replaces_lone_surrogates_in_text_and_title(make_article) -> None:
    article = normalize(make_article(raw_text="Talks \udc80 resumed.", title="T\ud800"), settings=S)
    assert (article.text, article.title) == ("Talks \ufffd resumed.", "T\ufffd")
    assert article.id == content_id("Talks \ufffd resumed.")
