"""Hits read together: a violent deed reported by a speaker is the speaker's accusation of the
doer (112), and a protest whose purpose is a demand is a protest against the one the demand is
made of (the demand is no second event).
"""

from __future__ import annotations

from dataclasses import replace

from ...actors.gazetteer import country_of
from ...model import Mention
from ...parse import Token
from ..lexicon import Pattern
from ..ontology import ontology
from .stance import ACCUSATION, _change_kind_below, _reform
from .view import _CLAUSE_DEPTH, _Actors, _Hit, _known_country, _path_up, _subject_tokens

# Roots whose deed, reported by a speaker before the clause ("X said Y attacked Z"), is coded as
# the speaker's accusation of the doer (112), as the CAMEO/Phoenix transformation
# "a (b . ATTACK) SAY = a b 112" does.
_ACCUSABLE_ROOTS = frozenset({"18", "19", "20"})
_DEED_RULES = frozenset({"verb", "verb+object", "noun"})
_PROTEST = "14"
# "rioted (advcl) joining (prep) in (pcomp) demanding": a demand sits within 3 arcs of its protest
_PURPOSE_DEPTH = 4
_DEMAND_ROOTS = frozenset({"02", "10"})  # what a protest can be for: an appeal, a demand


def _accusations(hits: list[_Hit], actors: _Actors) -> list[_Hit]:
    """Reported speech. The attribution ("..., police said") is not an event: the reported
    event is coded. But a speaker who reports, before the clause, a violent deed of another
    actor ("X said Y attacked Z") accuses Y (112), and the deed is not asserted as fact. The
    nearest reporting clause above the deed decides; each hit walks up its own short path, so
    the cost is linear in the number of hits."""
    reported: dict[int, tuple[Token, list[Mention]]] = {}  # clause head -> speech verb, speakers
    for verb in actors.parse.tokens:
        if verb.pos != "VERB" or actors.lemma(verb) not in actors.sem.speech_verbs:
            continue
        speakers = [m for s in _subject_tokens(verb, actors) for m in actors.of(s)]
        speakers = [m for m in speakers if _known_country(m)]
        for clause in actors.kids(verb, "ccomp"):
            if speakers and clause.i > verb.i:
                reported[clause.i] = (verb, speakers)
    if not reported:
        return hits
    out = []
    for hit in hits:
        if hit.rule in _DEED_RULES and hit.pattern.code[:2] in _ACCUSABLE_ROOTS:
            hit = _accused(hit, reported, actors)
        out.append(hit)
    return out


def _accused(hit: _Hit, reported: dict[int, tuple[Token, list[Mention]]], actors: _Actors) -> _Hit:
    """The deed as an accusation by the nearest speaker above it who is not on the doer's side;
    the deed itself when there is none."""
    for i in _path_up(actors.parse, hit.trigger[0], _CLAUSE_DEPTH):
        if i in reported:
            verb, speakers = reported[i]
            accused = [m for m in hit.sources if _known_country(m) and not _same_side(m, speakers)]
            if accused:
                pattern = Pattern(ACCUSATION, (verb.lemma.lower(),))
                trigger = (verb.i, verb.i + 1)
                return _Hit(pattern, trigger, tuple(speakers), tuple(accused), "accusation")
    return hit


def _same_side(mention: Mention, others: list[Mention]) -> bool:
    return any(country_of(mention.actor_code) == country_of(o.actor_code) for o in others)


def _protest_demands(hits: list[_Hit], actors: _Actors) -> list[_Hit]:
    """A protest with no target but a place, whose purpose is a demand or an appeal ("rioted,
    calling for the removal of X", "blocked roads to press demands on X's government"), is a
    protest against the one the demand is made of, refined by the change demanded (14x1
    leadership, 14x2 policy, 14x3 rights, 14x4 institutions); the demand is no second event."""
    protests = {  # the protest verb's token -> the protest's index in `hits`
        h.trigger[1] - 1: n
        for n, h in enumerate(hits)
        if h.pattern.code[:2] == _PROTEST and h.sources and not any(_actor(m) for m in h.targets)
    }
    if not protests:
        return hits
    out: list[_Hit | None] = list(hits)
    for n, demand in enumerate(hits):
        if demand.pattern.code[:2] not in _DEMAND_ROOTS or not demand.targets:
            continue
        path = _path_up(actors.parse, demand.trigger[0], _PURPOSE_DEPTH)
        k = next((protests.pop(i) for i in path if i in protests), None)  # the protest it aims
        if k is None:
            continue
        protest = hits[k]
        code = _reform(protest.pattern.code[:3], _change_kind(demand, actors))
        if code not in ontology():
            code = protest.pattern.code[:3]
        out[k] = replace(
            protest, pattern=replace(protest.pattern, code=code), targets=demand.targets
        )
        out[n] = None
    return [h for h in out if h is not None]


def _actor(mention: Mention) -> bool:
    """Whether the mention names more than a bare country (which may be only a place)."""
    return len(mention.actor_code) > 3 and _known_country(mention)


def _change_kind(demand: _Hit, actors: _Actors) -> str:
    """The change a demand is for ("1" leadership ... "4" institutions, see `change_kinds`): a
    104x/024x code says it, else the words of the demand's clause."""
    code = demand.pattern.code
    if code[:3] in ("104", "024") and len(code) == 4:
        return code[3]
    return _change_kind_below(actors.parse.tokens[demand.trigger[1] - 1], actors)
