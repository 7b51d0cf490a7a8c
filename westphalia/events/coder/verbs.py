"""Matching a verb to its pattern: a user's PETRARCH/TABARI verb dictionary first, then
patterns.yaml (particles and objects), then the bundled Phoenix verbs; with the checks that keep
a verb from being coded twice (a multi-word verb, a word of its governor's pattern) or coded
in place of its eventive object ("held talks").
"""

from __future__ import annotations

from dataclasses import dataclass

from ...parse import Token
from ..lexicon import DEFAULT_PREPS, Pattern
from ..ontology import ontology
from ..verbdict import NULL_CODE, DictMatch
from .view import _Actors

# Prepositions that may introduce a verb-dictionary pattern's target besides DEFAULT_PREPS.
_DICTIONARY_PREPS = ("into", "toward", "towards", "between", "among", "upon", "onto")


@dataclass(frozen=True, slots=True)
class _Match:
    """A verb's lexicon pattern, with the object and particles it matched."""

    pattern: Pattern
    obj: Token | None = None
    particles: frozenset[int] = frozenset()
    target_from: int | None = None  # a verb-dictionary `+` or bare `(PREP)`: the target is there
    # A user's PETRARCH/TABARI dictionary codes what it matches as written: as in PETRARCH, a
    # future ("will break relations") is coded as the deed, not as an intent.
    future_is_intent: bool = True
    reverse: str = ""  # a user dictionary's paired code: the target's event towards the source
    swap: bool = False  # a reverse-only code "[:173]": the event runs from target to source
    negated: str = ""  # a user dictionary's code for this pattern negated ("did not clash": 050)
    source_from: int | None = None  # a verb-dictionary `$` after the verb: the source is there
    phoenix: bool = False  # from the bundled Phoenix dictionary (beneath the project's nouns)


def _coded_by_earlier_word(verb: Token, match: _Match, actors: _Actors) -> bool:
    """Whether the match is a multi-word verb whose earlier word, also a verb, matched the same
    words ("wire tap": both "wire" and "tap" find the phrase), or the verb is a word of its
    governor's pattern ("believed linked to X" for "BELIEVE * LINKED": one event)."""
    governor = actors.parse.tokens[verb.head]
    if governor.i != verb.i and governor.pos in ("VERB", "AUX"):
        above = _match_verb(governor, actors)
        if above is not None and verb.i in above.particles:
            return True
    first = min(match.particles, default=verb.i)
    if first >= verb.i or actors.parse.tokens[first].pos not in ("VERB", "AUX"):
        return False
    earlier = _match_verb(actors.parse.tokens[first], actors)
    return earlier is not None and earlier.particles == match.particles


def _match_verb(verb: Token, actors: _Actors) -> _Match | None:
    """`_verb_match`, once per token (embedded actions are asked for again by their governor)."""
    if verb.i not in actors.matches:
        actors.matches[verb.i] = _verb_match(verb, actors)
    return actors.matches[verb.i]


def _verb_match(verb: Token, actors: _Actors) -> _Match | None:
    """The pattern that codes `verb`: the user's verb dictionary when it knows the verb, else
    patterns.yaml, else the Phoenix dictionary (measured on the dev set: Phoenix as a fallback
    for verbs patterns.yaml does not code scores higher than Phoenix overriding its generic
    entries). A dictionary's null code ("---") means the verb, so used, is no event."""
    lexicon = actors.lexicon
    if lexicon.user_verbs is not None:
        found = lexicon.user_verbs.match(verb, actors.parse, actors.children)
        if found is not None:
            return _dict_match(found, verb, actors, own=True)
    own = _match_yaml(verb, actors)
    if own is None and lexicon.phoenix_verbs is not None:
        found = lexicon.phoenix_verbs.match(verb, actors.parse, actors.children)
        return _dict_match(found, verb, actors, own=False) if found is not None else None
    return own


def _dict_match(found: DictMatch, verb: Token, actors: _Actors, *, own: bool) -> _Match | None:
    """A verb-dictionary match as a lexicon pattern; None for the null code. A user's own
    dictionary keeps its codes as written (its ontology may differ from CAMEO's), Phoenix's are
    read as CAMEO codes."""
    reverse = found.reverse if own else ""
    code = _own_code(found.code) if own else _known_code(found.code)
    swap = code is None and _own_code(reverse) is not None
    if swap:
        code, reverse = reverse, ""
    if code is None:
        return None
    tokens = actors.parse.tokens
    pattern_preps = [tokens[i].text.lower() for i in found.words if tokens[i].pos == "ADP"]
    preps = tuple(dict.fromkeys([*DEFAULT_PREPS, *_DICTIONARY_PREPS, *pattern_preps]))
    origin = found.pattern.origin if found.pattern else ""
    pattern = Pattern(code, tuple(found.lemma.split()), preps=preps, origin=origin)
    obj = _head_noun(found, verb, actors)
    negated = actors.lexicon.negations.get(code, "") if own else ""
    return _Match(
        pattern,
        obj,
        frozenset(found.words),
        found.target_from,
        future_is_intent=not own,
        reverse=_own_code(reverse) or "",
        swap=swap,
        negated=negated,
        source_from=found.source_from,
        phoenix=not own,
    )


def _own_code(code: str) -> str | None:
    """A user dictionary's code as written; None for the null code and malformed ones."""
    return code if code and code != NULL_CODE and code.isalnum() else None


def _head_noun(found: DictMatch, verb: Token, actors: _Actors) -> Token | None:
    """The object a pattern named: of its words after the verb, the one nearest the verb in the
    parse, or the noun a matched modifier belongs to ("diplomatic ties": ties)."""
    if found.obj is None:
        return None
    tokens = actors.parse.tokens
    nouns = [tokens[i] for i in found.words if i > verb.i and tokens[i].pos != "ADP"]
    direct = [t for t in nouns if t.head not in found.words or t.head == verb.i]
    token = direct[0] if direct else tokens[found.obj]
    while token.dep in ("amod", "compound", "nummod") and token.head != token.i:
        token = tokens[token.head]
    return token


def _known_code(code: str) -> str | None:
    """A dictionary code as a CAMEO code of the ontology: the longest known prefix ("0213"),
    None for the null code and codes with no known prefix."""
    types = ontology()
    for n in range(len(code), 1, -1):
        if code[:n] in types and code[:n].isdigit() and len(code[:n]) >= 3:
            return code[:n]
    return None


def _match_yaml(verb: Token, actors: _Actors) -> _Match | None:
    """The most specific patterns.yaml pattern of `verb` whose particles and object are present."""
    for pattern in actors.lexicon.verb_patterns(actors.lemma(verb)):
        extra = _particles(verb, pattern, actors)
        if extra is None:
            continue
        obj = _object(verb, pattern, actors, particles=extra)
        if pattern.objects and obj is None:
            continue
        return _Match(pattern, obj, frozenset(extra))
    return None


def _particles(verb: Token, pattern: Pattern, actors: _Actors) -> set[int] | None:
    """Token indices of the pattern's particle/preposition words, or None if one is missing."""
    found: set[int] = set()
    for word in pattern.words[1:]:
        match = [
            c for c in actors.children.get(verb.i, []) if c.text.lower() == word and c.i > verb.i
        ]
        if not match:
            return None
        found.add(match[0].i)
    return found


def _object(verb: Token, pattern: Pattern, actors: _Actors, *, particles: set[int]) -> Token | None:
    """The direct object that satisfies the pattern's `objects` (its lemma or a compound), or
    the object of the pattern's own preposition ("conceded to demands")."""
    if not pattern.objects:
        return None
    tokens = actors.parse.tokens
    candidates = actors.kids(verb, "dobj", "nsubjpass", "attr")
    candidates += [o for i in sorted(particles) for o in actors.kids(tokens[i], "pobj")]
    for obj in candidates:
        words = {obj.lemma.lower(), obj.text.lower()} | {
            c.lemma.lower() for c in actors.kids(obj, "compound")
        }
        if words & pattern.objects:
            return obj
    return None


def _light_verb_noun(verb: Token, actors: _Actors) -> bool:
    """ "(agreed to) hold talks": a light verb whose object is an eventive noun."""
    return actors.lemma(verb) in actors.sem.light_verbs and any(
        actors.lexicon.noun_patterns(o.lemma.lower()) for o in actors.kids(verb, "dobj")
    )
