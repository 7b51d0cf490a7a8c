"""Resolve a temporal expression against the publication date, with its precision.

Handles what news uses and dateparser gets wrong (ranges such as "April 6-7", missing parts
silently filled from the reference date): explicit days and months with or without a year,
bare years ("in 2020", "since late 2014"), relative expressions ("last year", "last month",
"yesterday", "on Wednesday", "recently"). dateparser reads any other full date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import dateparser

from ..parse import MONTH_NAMES, WEEKDAY_NAMES

MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, 1)}
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WEEKDAYS = {d: i for i, d in enumerate(WEEKDAY_NAMES)}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*[-/]\s*\d{{1,2}})?(?:,?\s+(\d{{4}}))?", re.I
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[-/]\s*\d{{1,2}})?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?",
    re.I,
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}(?:\s+of)?\s+(\d{{4}})\b", re.I)
_MONTH_ONLY = re.compile(rf"^(?:in\s+|early\s+|late\s+|mid-?)*{_MONTH}$", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_FUTURE_SLACK = timedelta(days=7)  # "on April 9" in an article of April 6 is this year's April 9
DAY, MONTH, YEAR, PUBLICATION, UNKNOWN = "day", "month", "year", "publication", "unknown"


def resolve_date(text: str, published: date | None) -> tuple[date | None, str]:
    """The date `text` refers to and its precision (day, month, year), else (None, unknown)."""
    t = " ".join(text.lower().split())
    for resolver in (_relative, _month_day, _month_year, _month_only, _year, _dateparser):
        found = resolver(t, published)
        if found is not None:
            return found
    return None, UNKNOWN


def _month_num(name: str) -> int:
    return MONTHS[
        name.lower().rstrip(".")[:4]
        if name.lower().startswith("sept")
        else name.lower().rstrip(".")[:3]
    ]


def _past_year(month: int, day: int, published: date | None) -> int | None:
    """The year of a month/day given without one: the publication year, or the one before
    when that would put it well after publication."""
    if published is None:
        return None
    try:
        candidate = date(published.year, month, day)
    except ValueError:
        return published.year
    return published.year - 1 if candidate > published + _FUTURE_SLACK else published.year


def _month_day(t: str, published: date | None) -> tuple[date, str] | None:
    for pattern, order in ((_MONTH_DAY, "md"), (_DAY_MONTH, "dm")):
        if m := pattern.search(t):
            month_s, day_s = (m.group(1), m.group(2)) if order == "md" else (m.group(2), m.group(1))
            month, day = _month_num(month_s), int(day_s)
            year = int(m.group(3)) if m.group(3) else _past_year(month, day, published)
            if year is None:
                return None
            try:
                return date(year, month, day), DAY
            except ValueError:
                return None
    return None


def _month_year(t: str, published: date | None) -> tuple[date, str] | None:
    if m := _MONTH_YEAR.search(t):
        return date(int(m.group(2)), _month_num(m.group(1)), 1), MONTH
    return None


def _month_only(t: str, published: date | None) -> tuple[date, str] | None:
    if published is not None and (m := _MONTH_ONLY.match(t)):
        month = _month_num(m.group(1))
        return date(_past_year(month, 1, published) or published.year, month, 1), MONTH
    return None


def _year(t: str, published: date | None) -> tuple[date, str] | None:
    years = _YEAR.findall(t)
    if len(years) == 1 and not re.search(r"\d{1,2}[/.-]\d{1,2}", t):
        return date(int(years[0]), 1, 1), YEAR
    return None


def _relative(t: str, published: date | None) -> tuple[date, str] | None:
    if published is None:
        return None
    words = t.replace("the ", "").split()
    table = {
        "today": (published, DAY),
        "yesterday": (published - timedelta(days=1), DAY),
        "tomorrow": (published + timedelta(days=1), DAY),
        "recently": (published, PUBLICATION),
        "this year": (date(published.year, 1, 1), YEAR),
        "last year": (date(published.year - 1, 1, 1), YEAR),
        "next year": (date(published.year + 1, 1, 1), YEAR),
        "this month": (published.replace(day=1), MONTH),
        "last month": ((published.replace(day=1) - timedelta(days=1)).replace(day=1), MONTH),
        "last week": ((published - timedelta(days=7)).replace(day=1), MONTH),
        "this week": (published.replace(day=1), MONTH),
    }
    for phrase, value in table.items():
        if phrase in t:
            return value
    for word in words:
        day = WEEKDAYS.get(word.rstrip(",.'s"))
        if day is not None:  # the most recent such weekday, the publication day included
            back = (published.weekday() - day) % 7
            if "next" in words:
                return published + timedelta(days=(day - published.weekday()) % 7 or 7), DAY
            return published - timedelta(days=back), DAY
    return None


def _dateparser(t: str, published: date | None) -> tuple[date, str] | None:
    if not re.search(r"\d", t):
        return None
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
    parsed = dateparser.parse(t, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return (parsed.date(), DAY) if parsed is not None else None
