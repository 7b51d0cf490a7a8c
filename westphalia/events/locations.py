"""Where an event happened, when the text says so.

A place is an actor mention (a country, or a capital or seat standing for one) or a place
mention (a city) introduced by "in", "at" or "inside" on the trigger or its light verb ("talks
in Moscow" -> RUS, Moscow), or by "to" on the verb an event noun is the purpose of ("returned
to Geneva for talks" -> CHE, Geneva), or the destination of a visit ("a visit to Pakistan" ->
PAK) and the host's country for a hosted visit. Places merely mentioned elsewhere in the
sentence are not locations.
"""

from __future__ import annotations

from ..actors.gazetteer import country_of
from ..actors.places import PLACE
from ..model import Mention
from ..parse import Parse, Token

PLACE_PREPS = frozenset({"in", "at", "inside", "near"})
_PLACE_VIAS = frozenset({"gazetteer", "metonym", PLACE})  # a country, its capital, a city
VISIT, HOST = "042", "043"


def event_location(
    parse: Parse,
    trigger: Token,
    *,
    code: str,
    mentions: list[Mention],
    target: Mention | None,
    source: Mention | None,
) -> tuple[str | None, str | None]:
    """(country code, place name) of the event, or (None, None)."""
    heads = {trigger.i, trigger.head}  # the trigger, its light verb
    heads |= {
        t.i for t in parse.tokens if t.head == trigger.i and t.dep == "dobj"
    }  # "a memorandum in Moscow"
    preps = {i: PLACE_PREPS for i in heads}
    purpose = parse.tokens[trigger.head]
    if trigger.dep == "pobj" and purpose.text.lower() == "for" and purpose.head != purpose.i:
        preps[purpose.head] = PLACE_PREPS | {"to"}  # "returned to Geneva for talks": Geneva
    for token in parse.tokens:
        if token.head in preps and token.dep == "prep" and token.text.lower() in preps[token.head]:
            for pobj in (t for t in parse.tokens if t.head == token.i and t.dep == "pobj"):
                place = _place_at(pobj, mentions)
                if place is not None:
                    return country_of(place.actor_code), place.text
    if code.startswith(VISIT) and target is not None and target.resolved_by in _PLACE_VIAS:
        return country_of(target.actor_code), target.text
    if code.startswith(HOST) and source is not None:
        return country_of(source.actor_code), None
    return None, None


def _place_at(token: Token, mentions: list[Mention]) -> Mention | None:
    for m in mentions:
        if m.span.start <= token.start and token.end <= m.span.end and m.resolved_by in _PLACE_VIAS:
            return m
    return None
