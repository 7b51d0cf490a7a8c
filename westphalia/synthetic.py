"""Generated news-like articles with planted near-duplicates, for benchmarks and tests.

The text is assembled from templates and word lists written for this project; it reads
like wire copy but describes nothing real. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

_COUNTRIES = (
    "Russia",
    "Pakistan",
    "China",
    "India",
    "Iran",
    "Turkey",
    "Egypt",
    "Brazil",
    "Japan",
    "Germany",
    "France",
    "Nigeria",
    "Kenya",
    "Ethiopia",
    "Mexico",
    "Indonesia",
    "Vietnam",
    "Poland",
    "Ukraine",
    "Israel",
    "Jordan",
    "Qatar",
    "Argentina",
    "Chile",
    "Peru",
)
_ROLES = (
    "foreign minister",
    "defence minister",
    "president",
    "prime minister",
    "army chief",
    "trade minister",
    "ambassador",
    "energy minister",
    "national security adviser",
)
_NAMES = (
    "Arlo Venn",
    "Mira Castel",
    "Tomas Rieger",
    "Lina Osei",
    "Farid Noor",
    "Hana Ito",
    "Pavel Dorin",
    "Sofia Lind",
    "Omar Haddad",
    "Ines Prado",
    "Kwame Asante",
    "Yuki Mori",
)
_ACTIONS = (
    "met {country} officials to discuss {topic}",
    "signed an agreement with {country} on {topic}",
    "accused {country} of undermining {topic}",
    "called on {country} to resume talks on {topic}",
    "visited {country} for two days of talks on {topic}",
    "announced sanctions against {country} over {topic}",
    "praised {country} for its role in {topic}",
    "warned {country} against escalating the dispute over {topic}",
    "hosted a delegation from {country} to review {topic}",
    "held joint exercises with {country} focused on {topic}",
)
_TOPICS = (
    "border security",
    "grain exports",
    "a pipeline project",
    "naval patrols",
    "refugee returns",
    "debt relief",
    "counterterrorism cooperation",
    "a civil nuclear plant",
    "fishing rights",
    "customs tariffs",
    "arms purchases",
    "a hydropower dam",
    "port access",
    "visa rules",
)
_FILLERS = (
    "Officials described the discussions as {adj} and said further meetings were planned.",
    "The {role} told reporters that {country} remained {adj} about the outcome.",
    "Analysts in {city} said the move reflected {adj} pressure at home.",
    "A statement issued on {weekday} gave no further details.",
    "Diplomats said the talks had been {adj} but that gaps remained on {topic}.",
    "Trade between the two countries reached {n} billion dollars last year.",
    "The {role} is expected to travel to {city} later this month.",
    "Opposition lawmakers criticised the {adj} pace of the negotiations.",
)
_ADJ = ("cautious", "constructive", "tense", "frank", "productive", "uncertain", "difficult")
_CITIES = ("Geneva", "Vienna", "Doha", "Nairobi", "Jakarta", "Lima", "Warsaw", "Cairo", "Ankara")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_START = date(2025, 1, 1)


def synthetic_articles(
    n: int, *, seed: int = 0, near_duplicate_share: float = 0.1
) -> Iterator[dict[str, Any]]:
    """Yield `n` JSONL-style records; about `near_duplicate_share` of them are lightly edited
    copies of an earlier record (their `near_duplicate_of` field names it)."""
    rng = random.Random(seed)
    made: list[dict[str, Any]] = []
    for i in range(n):
        if made and rng.random() < near_duplicate_share:
            original = rng.choice(made)
            record = {
                **original,
                "id": f"syn-{i}",
                "text": _edit(original["text"], rng),
                "near_duplicate_of": original["id"],
            }
        else:
            record = _fresh(i, rng)
            made.append(record)
        yield record


def _fresh(i: int, rng: random.Random) -> dict[str, Any]:
    actor, other = rng.sample(_COUNTRIES, 2)
    role, name = rng.choice(_ROLES), rng.choice(_NAMES)
    topic = rng.choice(_TOPICS)
    lead = f"{actor}'s {role} {name} {rng.choice(_ACTIONS).format(country=other, topic=topic)} on {rng.choice(_DAYS)}."
    body = [lead] + [_filler(rng, role) for _ in range(rng.randint(8, 16))]
    paragraphs = [" ".join(body[j : j + 3]) for j in range(0, len(body), 3)]
    return {
        "id": f"syn-{i}",
        "title": f"{actor} and {other} at odds over {topic}"
        if "accus" in lead
        else f"{actor} {role} on {topic}",
        "date": (_START + timedelta(days=rng.randrange(365))).isoformat(),
        "text": "\n\n".join(paragraphs),
    }


def _filler(rng: random.Random, role: str) -> str:
    return rng.choice(_FILLERS).format(
        adj=rng.choice(_ADJ),
        role=role,
        country=rng.choice(_COUNTRIES),
        city=rng.choice(_CITIES),
        weekday=rng.choice(_DAYS),
        topic=rng.choice(_TOPICS),
        n=rng.randint(2, 90),
    )


def _edit(text: str, rng: random.Random) -> str:
    """A wire rewrite: change one word and append a sentence."""
    words = text.split(" ")
    words[rng.randrange(len(words))] = rng.choice(_ADJ)
    return " ".join(words) + " " + _filler(rng, "spokesperson")
