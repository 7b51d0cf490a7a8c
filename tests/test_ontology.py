from __future__ import annotations

import pytest

from westphalia.events import ontology, quad_class

PLOVER = {
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
}


def test_every_root_and_about_310_codes() -> None:
    types = ontology()
    assert {c[:2] for c in types} == {f"{r:02d}" for r in range(1, 21)}
    assert 290 <= len(types) <= 330
    assert all(c[:2] in types and (len(c) < 4 or c[:3] in types) for c in types)


def test_weights_and_crosswalk_are_complete() -> None:
    types = ontology().values()
    assert all(-10 <= t.goldstein <= 10 for t in types)
    assert {t.plover for t in types} <= PLOVER


@pytest.mark.parametrize(
    ("code", "quad", "plover", "goldstein"),
    [
        ("042", 1, "CONSULT", 1.9),
        ("057", 1, "AGREE", 8.0),
        ("062", 2, "COOPERATE", None),
        ("112", 3, "ACCUSE", None),
        ("163", 4, "SANCTION", None),
        ("190", 4, "ASSAULT", -10.0),
    ],
)
def test_known_codes(code: str, quad: int, plover: str, goldstein: float | None) -> None:
    t = ontology()[code]
    assert (quad_class(code), t.quad_class, t.plover) == (quad, quad, plover)
    if goldstein is not None:
        assert t.goldstein == goldstein
