"""Event records from a hit: one event for each pair of placed, distinct source and target (the
sources with each other for a reciprocal action with no target, "A and B signed a deal"; the
paired reverse code of a user dictionary too), dated by the nearest temporal expression and
placed by `event_location`.
"""

from __future__ import annotations

from datetime import date

from ...actors.gazetteer import country_of
from ...model import Event, Mention
from ...parse import Parse, Token
from ..dates import PUBLICATION, UNKNOWN, resolve_date
from ..geocode import geocode, located
from ..lexicon import Semantics
from ..locations import event_location
from ..ontology import described
from .view import _CLAUSE_DEPTH, _Hit, _known_country, _path_up


def _events(
    hit: _Hit,
    parse: Parse,
    mentions: list[Mention],
    story_id: str,
    published: date | None,
    confidence: float,
    sem: Semantics,
) -> list[Event]:
    trigger_token = parse.tokens[hit.trigger[1] - 1]
    trigger = parse.span(*hit.trigger)
    sent = trigger_token.sent
    sources, targets = _most_specific(hit.sources), _most_specific(hit.targets)
    pairs = [(s, t) for s in sources for t in targets]
    reciprocal = hit.pattern.code[:2] in sem.reciprocal_roots
    if not targets and len(sources) >= 2 and reciprocal:  # "A and B signed a deal"
        pairs = [(s, t) for s in sources for t in sources if s is not t]
    pairs = [(s, t) for s, t in pairs if _codable(s, t)]
    if not pairs:
        return []
    when, precision = _when(parse, trigger_token, published)
    coded = [(s, t, hit.pattern.code, hit.rule) for s, t in pairs]
    if hit.reverse:  # "[042:043]": A visits B, and B hosts A
        coded += [(t, s, hit.reverse, f"{hit.rule}+reverse") for s, t in pairs]
    events = []
    for source, target, code, rule in coded:
        location, place = event_location(
            parse, trigger_token, code=code, mentions=mentions, target=target, source=source
        )
        if location and code in sem.third_location_codes:
            sides = {country_of(source.actor_code), country_of(target.actor_code)}
            if location not in sides:  # met in neither side's country
                code = sem.third_location_codes[code]
        point = geocode(location, place) if location else None
        event = Event(
            article_id=parse.article_id,
            story_id=story_id,
            sentence_index=sent,
            source=source.actor_code,
            target=target.actor_code,
            code=code,
            trigger=trigger,
            source_span=source.span,
            target_span=target.span,
            pattern=f"{rule}:{hit.pattern.name}",
            confidence=confidence,
            date=when,
            date_precision=precision,
            location=location,
            place=place,
            **located(point),
        )
        events.append(described(event))  # Goldstein, QuadClass, PLOVER of its code
    return events


def _codable(source: Mention, target: Mention) -> bool:
    """Whether an event can run from `source` to `target`: two mentions of different codes,
    both placed in a country (not "---...": "crowds attacked the embassy" is unplaced)."""
    return (
        source is not target
        and source.actor_code != target.actor_code
        and _known_country(source)
        and _known_country(target)
    )


def _most_specific(mentions: tuple[Mention, ...]) -> list[Mention]:
    """Drop a mention whose code a more specific mention of the same phrase extends
    (TUNJUD and TUN for one trigger: TUNJUD)."""
    codes = {m.actor_code for m in mentions}
    extended = {c for c in codes if any(o != c and o.startswith(c) for o in codes)}
    return [m for m in mentions if m.actor_code not in extended]


def _when(parse: Parse, trigger: Token, published: date | None) -> tuple[date | None, str]:
    """The date of the sentence's temporal expression nearest the trigger (those inside the
    trigger's clause first), resolved against `published`; else the publication date."""
    sent = trigger.sent
    spans = [
        (e.start, e.end)
        for e in parse.entities
        if e.label == "DATE"
        and parse.tokens[e.start].sent == sent
        and not _since_a_first(parse, e.start, e.end)
    ]
    spans += [
        (t.i, t.i + 1)
        for t in parse.tokens
        if t.sent == sent and t.lemma.lower() in ("recently", "lately")
    ]
    ranked = sorted(
        spans, key=lambda s: (not _governed_by(parse, s[0], trigger.i), abs(s[0] - trigger.i))
    )
    for start, end in ranked:
        text = parse.text[parse.tokens[start].start : parse.tokens[end - 1].end]
        when, precision = resolve_date(text, published)
        if when is not None:
            return when, precision
    return (published, PUBLICATION) if published else (None, UNKNOWN)


_FIRSTS = frozenset({"first", "last", "only"})
_OBJECTS = frozenset({"dobj", "attr", "appos", "nsubjpass"})  # where "the first ..." sits


def _since_a_first(parse: Parse, start: int, end: int) -> bool:
    """Whether a date names the start of a stretch that the event breaks, not the event's day:
    "since" + date on a noun with "first", "last", "only" or a superlative, or on the verb
    whose object has one ("the first visit since 2021", "held their first drill since March",
    "the highest level since May"). "expanded since late 2014" is a date."""
    for i in range(start, end):
        since = parse.tokens[parse.tokens[i].head]
        if since.dep == "prep" and since.text.lower() == "since" and since.head != since.i:
            anchors = {since.head} | {
                t.i for t in parse.tokens if t.head == since.head and t.dep in _OBJECTS
            }
            return any(
                t.head in anchors
                and t.i not in anchors
                and (t.text.lower() in _FIRSTS or t.tag == "JJS")
                for t in parse.tokens
                if t.sent == since.sent
            )
    return False


def _governed_by(parse: Parse, i: int, head: int, *, depth: int = _CLAUSE_DEPTH) -> bool:
    return head in _path_up(parse, i, depth)
