from __future__ import annotations

from datetime import date

import pytest

from westphalia.events.dates import resolve_date

PUB = date(2021, 4, 6)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("April 6-7", (date(2021, 4, 6), "day")),
        ("6 April", (date(2021, 4, 6), "day")),
        ("December 12", (date(2020, 12, 12), "day")),  # after publication: the year before
        ("March 3, 2019", (date(2019, 3, 3), "day")),
        ("March 2020", (date(2020, 3, 1), "month")),
        ("in March", (date(2021, 3, 1), "month")),
        ("last year", (date(2020, 1, 1), "year")),
        ("last month", (date(2021, 3, 1), "month")),
        ("since late 2014", (date(2014, 1, 1), "year")),
        ("in 2020", (date(2020, 1, 1), "year")),
        ("on Wednesday", (date(2021, 3, 31), "day")),  # the most recent Wednesday
        ("Tuesday", (date(2021, 4, 6), "day")),
        ("yesterday", (date(2021, 4, 5), "day")),
        ("recently", (date(2021, 4, 6), "publication")),
        ("many years", (None, "unknown")),
    ],
)
def test_resolve_date(text: str, expected: tuple) -> None:
    assert resolve_date(text, PUB) == expected
