"""Whom an action is towards: objects, the objects of the pattern's prepositions (on the verb,
on its object, deep inside the object's phrase, or left stranded by the parser), the slots a
verb-dictionary pattern points at, the subject of a clause the verb governs, the targets of a
purpose ("signed an accord to supply X"), the condition of a threat, and the place of a protest
or an attack.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from ...model import Mention
from ...parse import Token
from ..lexicon import DEFAULT_PREPS, Pattern
from .verbs import _match_verb
from .view import _MODIFIER_DEPS, _SUBJECT_DEPS, _Actors, _known_country, _subject_tokens

# Prepositions that name a target deep inside the object's phrase ("roads leading into X")
_DEEP_PREPS = frozenset({*DEFAULT_PREPS, "into", "toward", "towards", "onto"})
_AGREEMENT_ROOT = "05"  # diplomatic cooperation: 057 sign a formal agreement, 056 ...
_TOPIC_PREPS = frozenset({"on", "over", "about", "regarding", "concerning"})
# Roots whose target may be the place where it happened ("protested in X", "attacks in X").
_PLACE_TARGET_ROOTS = frozenset({"14", "18", "19", "20"})
# Show of force and use of it: what they are "near" is what they threaten or hit ("fired shells
# near a vessel from X", "massed troops near the border with X")
_FORCE_ROOTS = frozenset({"15", "17", "18", "19", "20"})
# "the border with X", "a vessel from X", "a war against X": whose the object is
_POBJ_OWNER_PREPS = frozenset({"with", "of", "against", "on", "from"})
_NEAR = frozenset({"close", "closer", "near", "nearer", "next"})  # "close to the border"
_VISIT = "042"  # "arrived in X"
_STATEMENT = "010"  # make a public statement: the residual code of speech verbs
_STRANDED_REACH = 5  # words between a stranded preposition and its noun ("to five Panamanian army")
# The links by which a preposition hangs inside an object's phrase ("of ties with X")
_NESTING_DEPS = ("prep", "pobj", "amod", "compound", "acl", "agent")


def _targets(
    verb: Token, pattern: Pattern, obj: Token | None, particles: set[int], actors: _Actors
) -> list[Mention]:
    """Direct and indirect objects, objects of the pattern's prepositions on the verb or its
    object, the possessor of the object ("attacked X's programme"), then the subject of a clause
    the verb governs ("helped Vietnam rebuild"; not for verbs of speech), the goal of the
    governing verb of a purpose clause ("went to X to negotiate"), and for protests and attacks
    the place ("protested in X")."""
    found: list[Mention] = []
    # a second object beside the pattern's is the recipient ("supply X with wheat, worth Y")
    objects = [o for o in actors.kids(verb, "dobj", "dative") if obj is None or o.i != obj.i]
    for d in [obj] if obj is not None else actors.kids(verb, "dobj"):
        # "condemned an attack by X in Y": the doer of the deed the object names
        _add_pobjs(found, actors.kids(d, "prep"), lambda p: p.text.lower() == "by", actors)
    if not found:  # "abandoned an anti-American rally", "broke into an anti-X parade": X
        phrases = [obj] if obj is not None else actors.kids(verb, "dobj")
        phrases += [o for p in actors.kids(verb, "prep") for o in actors.kids(p, "pobj")]
        found += [m for d in phrases for m in actors.opposed(d) if m not in found]
    for d in objects + _counted_objects(verb, actors) if not found else []:
        # an object of unknown country ("released prisoners to X") does not stop the search
        found += [m for m in actors.of(d) if m not in found and _known_country(m)]
    force = pattern.code[:2] in _FORCE_ROOTS
    keep = lambda p: (  # noqa: E731
        p.text.lower() in pattern.preps or p.i in particles or (force and p.text.lower() == "near")
    )
    if not found:
        preps = actors.kids(verb, "prep", "prt", "dative") + (
            actors.kids(obj, "prep") if obj else []
        )
        # "marched close to the border with X": the preposition hangs on the adverb
        near = [a for a in actors.kids(verb, "advmod") if a.text.lower() in _NEAR]
        preps += [p for a in near for p in actors.kids(a, "prep")]
        _add_pobjs(found, preps, keep, actors, particles)
    heads = [obj] if obj is not None else actors.kids(verb, "dobj")
    # "cordoned off the roads into X": the object of a particle the pattern names
    named_preps = [p for p in actors.kids(verb, "prep", "prt") if p.i in particles]
    heads += [o for p in named_preps for o in actors.kids(p, "pobj")]
    for head in heads:
        if not found:  # "welcomed the resumption of ties with X", "stopped talks with X"
            deep = lambda p: keep(p) or p.text.lower() in _DEEP_PREPS or p.dep == "agent"  # noqa: E731
            _add_pobjs(found, _nested_preps(head, actors, own=obj is None), deep, actors)
    if not found and obj is not None:  # "rejected a U.S. request", "X's nuclear programme"
        found += [m for m in actors.of(obj) if m not in found and _known_country(m)]
    if not found and obj is not None:  # "expressed hope that X would join": X
        for clause in actors.kids(obj, "acl", "ccomp"):
            if any(m.text.lower() == "that" for m in actors.kids(clause, "mark")):
                subjects = actors.kids(clause, *_SUBJECT_DEPS, "nsubjpass")
                found += [m for s in subjects for m in actors.of(s) if _known_country(m)]
    lemma = actors.lemma(verb)
    # "X said Y ...": the statement is not towards Y (the clause has its own event, or it is
    # mere attribution), but a comment of its own code about an uncoded clause is ("X believes
    # Y can cope", coded 012 by a user's dictionary)
    speech = lemma in actors.sem.speech_verbs and lemma not in actors.sem.demand_verbs
    if not found and obj is None and (not speech or pattern.code != _STATEMENT):
        for clause in actors.kids(verb, "ccomp", "xcomp"):
            if speech and _clause_coded(clause, actors):
                continue
            found += [m for s in actors.kids(clause, "nsubj") for m in actors.of(s)]
    if not found and obj is None:  # "threatened to cut off supplies to X"
        for clause in actors.kids(verb, "xcomp"):
            found += _targets(clause, Pattern(pattern.code, ()), None, set(), actors)
    if not found and obj is not None and pattern.code[:2] == _AGREEMENT_ROOT:
        for clause in _purposes(verb, obj, actors):  # "signed an accord to supply X"
            found += _targets(clause, Pattern(pattern.code, ()), None, set(), actors)
    if not found and verb.dep in ("xcomp", "advcl"):
        governor = actors.parse.tokens[verb.head]
        _add_pobjs(
            found, actors.kids(governor, "prep"), lambda p: p.text.lower() in ("to", "with"), actors
        )
    if not found and (pattern.code[:2] in _PLACE_TARGET_ROOTS or pattern.code == _VISIT):
        places = actors.kids(verb, "prep") + (actors.kids(obj, "prep") if obj is not None else [])
        _add_pobjs(found, places, lambda p: p.text.lower() == "in", actors)
    return found


def _clause_coded(clause: Token, actors: _Actors) -> bool:
    """Whether a reported clause carries an action the lexicon codes, at its head or down its
    open clauses ("X said Y is about to restore ties": "restore")."""
    frontier = [clause]
    for _ in range(3):
        if any(t.pos in ("VERB", "AUX") and _match_verb(t, actors) is not None for t in frontier):
            return True
        frontier = [c for t in frontier for c in actors.kids(t, "xcomp", "acomp", "conj")]
    return False


def _purposes(verb: Token, obj: Token, actors: _Actors) -> list[Token]:
    """The "to V" clauses on a verb or its object: what the deed is for."""
    clauses = actors.kids(verb, "advcl") + actors.kids(obj, "acl")
    return [c for c in clauses if any(a.text.lower() == "to" for a in actors.kids(c, "aux"))]


def _agreement_content(verb: Token, actors: _Actors) -> bool:
    """Whether the verb is what an agreement provides for ("signed an accord to supply X"):
    the agreement is the event, the supply is only promised."""
    if verb.dep not in ("advcl", "acl"):
        return False
    tokens = actors.parse.tokens
    governor = tokens[verb.head]
    if verb.dep == "acl" and governor.dep == "dobj":
        governor = tokens[governor.head]
    match = _match_verb(governor, actors) if governor.pos in ("VERB", "AUX") else None
    return (
        match is not None
        and match.obj is not None
        and match.pattern.code[:2] == _AGREEMENT_ROOT
        and verb in _purposes(governor, match.obj, actors)
    )


def _counted_objects(verb: Token, actors: _Actors) -> list[Token]:
    """ "kidnapped up to 16 advisers": the parser takes "up to" for prepositions and the
    counted noun for their object; that noun is the verb's object."""
    tokens = actors.parse.tokens
    ups = [c for c in actors.children.get(verb.i, []) if c.text.lower() == "up"]
    tos = [
        tokens[u.i + 1]
        for u in ups
        if u.i + 1 < len(tokens) and tokens[u.i + 1].text.lower() == "to"
    ]
    return [o for to in tos for o in actors.kids(to, "pobj") if actors.kids(o, "nummod")]


def _nested_preps(obj: Token, actors: _Actors, *, own: bool = False, depth: int = 3) -> list[Token]:
    """Prepositions inside the object's phrase, below its own ("of ties with X", "roads leading
    into X"), and the by-agent of a participle on it ("memos sent by X"); with `own` its own
    prepositions too."""
    found: list[Token] = []
    frontier = [obj]
    for _ in range(depth):
        frontier = [c for t in frontier for c in actors.kids(t, *_NESTING_DEPS)]
        found += [t for t in frontier if t.dep == "agent" or _nested_prep(t, obj, own=own)]
    return found


def _nested_prep(token: Token, obj: Token, *, own: bool) -> bool:
    """Whether a word inside the object's phrase is a preposition below the object's own (or,
    with `own`, any preposition)."""
    return token.dep == "prep" and (own or token.head != obj.i)


def _slot_targets(target_from: int | None, actors: _Actors) -> list[Mention]:
    """The actors a verb-dictionary pattern points at: the object of a bare preposition, else
    the first actor phrase from that token on (within a few tokens, in the same sentence)."""
    if target_from is None:
        return []
    token = actors.parse.tokens[target_from]
    if token.dep in ("prep", "agent", "dative"):
        return [m for o in actors.kids(token, "pobj") for m in _pobj_actors(o, actors)]
    for t in actors.parse.tokens[target_from : target_from + 6]:
        if t.sent == token.sent and actors.at.get(t.i):
            return actors.of(actors.parse.tokens[t.head] if t.dep in _MODIFIER_DEPS else t)
    return []


def _add_pobjs(
    found: list[Mention],
    preps: list[Token],
    keep: Callable[[Token], bool],
    actors: _Actors,
    named_by_pattern: frozenset[int] | set[int] = frozenset(),
) -> None:
    """Add the actors of the objects of the prepositions `keep` accepts. After a preposition of
    topic ("talks on an Israeli pullback") only an actor named by the object itself counts, not
    one that merely modifies it, unless the pattern names that object itself ("clashed over the
    efforts of X" for a pattern "clash over efforts": X is whose efforts)."""
    for prep in preps:
        if keep(prep):
            for pobj in actors.kids(prep, "pobj") or _stranded_object(prep, actors):
                if prep.text.lower() in _TOPIC_PREPS and pobj.i not in named_by_pattern:
                    named = actors.named([pobj])
                else:
                    named = _pobj_actors(pobj, actors)
                found += [m for m in named if m not in found and _known_country(m)]


def _stranded_object(prep: Token, actors: _Actors) -> list[Token]:
    """The object of a preposition the parser left without one: the noun phrase right after it,
    taken as the subject of a clause ("granted asylum to five officers holed up in X")."""
    tokens = actors.parse.tokens
    for token in tokens[prep.i + 1 : prep.i + 1 + _STRANDED_REACH]:
        if token.sent != prep.sent or token.pos in ("VERB", "AUX", "ADP", "PUNCT"):
            break
        if token.i in actors.at and token.dep in _SUBJECT_DEPS:
            return [token]
    return []


def _pobj_actors(pobj: Token, actors: _Actors) -> list[Mention]:
    """Actors of a prepositional object, or of its own preposition's ("to the border with
    China", "for a war against Iraq")."""
    found = actors.of(pobj)
    if found:
        return found
    preps = [p for p in actors.kids(pobj, "prep") if p.text.lower() in _POBJ_OWNER_PREPS]
    return [m for p in preps for o in actors.kids(p, "pobj") for m in actors.of(o)]


def _shared_object(verb: Token, actors: _Actors) -> bool:
    """Whether the verb's object belongs to its subjects together ("their meeting")."""
    return any(
        p.text.lower() == "their" for d in actors.kids(verb, "dobj") for p in actors.kids(d, "poss")
    )


def _conditioned(verb: Token, governor: Token, actors: _Actors) -> list[Mention]:
    """The one a threat is aimed at when no object names it: the subject of its condition
    ("threatened to stop the talks if X deploys missiles", "unless X withdraws")."""
    found: list[Mention] = []
    queue = deque([governor if verb.dep in ("xcomp", "ccomp") else verb])
    while queue and not found:  # breadth-first through the threat's clause: the nearest "if"
        token = queue.popleft()
        for clause in actors.kids(token, "advcl"):
            marks = {m.text.lower() for m in actors.kids(clause, "mark")}
            if marks & actors.sem.condition_marks:
                found += [m for s in _subject_tokens(clause, actors) for m in actors.of(s)]
        queue.extend(actors.children.get(token.i, []))
    return found
