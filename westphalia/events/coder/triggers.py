"""Triggers as hits: a verb its pattern codes, with its stance read and its source and target
found (the subject, or the by-agent of a passive; see `arguments._targets`), and an eventive
noun ("talks with X", "the air strike"), whose source is its possessor or modifier ("Russian
air strikes") or its "of/by" phrase.
"""

from __future__ import annotations

from dataclasses import replace

from ...actors.places import LOCATIVE
from ...model import Mention
from ...parse import Token
from ..lexicon import Lexicon, Pattern
from .arguments import _agreement_content, _conditioned, _shared_object, _slot_targets, _targets
from .stance import (
    _governs_coded_action,
    _held,
    _modal,
    _negated,
    _refine,
    _reported_demand,
    _stance,
)
from .verbs import _coded_by_earlier_word, _light_verb_noun, _Match, _match_verb
from .view import _MODIFIER_DEPS, _Actors, _Hit, _known_country, _subject_tokens

_THREAT = "13"


def _verb_hit(verb: Token, actors: _Actors, used_nouns: set[int]) -> _Hit | None:
    match = _match_verb(verb, actors)
    if match is None or ((match.obj is None or match.phoenix) and _light_verb_noun(verb, actors)):
        return None  # "undertook exercises", "held a meeting": the eventive noun carries it
    if _coded_by_earlier_word(verb, match, actors):
        return None  # "will not wire tap": one verb of two words, coded once, at "wire"
    if match.obj is not None:
        used_nouns.add(match.obj.i)
    return _verb_actors(verb, match, actors)


def _verb_actors(
    verb: Token,
    match: _Match,
    actors: _Actors,
    *,
    trigger: tuple[int, int] | None = None,
) -> _Hit | None:
    """Source and target of a verb trigger (or of a light verb whose object noun is the
    trigger: `trigger` is then the noun's tokens)."""
    pattern, obj = match.pattern, match.obj
    if trigger is None and _governs_coded_action(verb, actors):
        return None  # "agreed to lift the embargo": the intent is coded on "lift"
    if trigger is None and _agreement_content(verb, actors):
        return None  # "signed an accord to supply X": the accord is the event
    governor = actors.parse.tokens[verb.head]
    stance = _stance(verb, governor, actors)
    if stance in ("appeal", "demand"):
        return None  # "called on X to withdraw": coded at the appeal (or demand) verb
    stance = _held(verb, governor, stance, actors, future_is_intent=match.future_is_intent)
    if stance == "none" and match.negated and _negated(verb, actors):
        # the user's coding ontology says what the negated deed is ("did not clash": 050)
        pattern, stance = replace(pattern, code=match.negated), None
    if stance in ("none", "possibility"):
        return None
    if stance == "obligation":
        return _reported_demand(verb, pattern, governor, actors)
    if governor.pos == "ADJ" and verb.dep == "xcomp":  # "is willing/about to send": "is" has it
        governor = actors.parse.tokens[governor.head]
        if stance == "intent" and _modal(governor, actors) == "obligation":
            # "X said Y must be ready to mediate": X's demand of Y, not Y's intent
            speech = actors.parse.tokens[governor.head]
            return _reported_demand(governor, pattern, speech, actors, action=verb)
    subject_verb = (
        governor
        if verb.dep in ("xcomp", "conj", "advcl") and not _subject_tokens(verb, actors)
        else verb
    )
    if verb.dep == "acl" and not _subject_tokens(verb, actors):
        subject_verb = _issuer(verb, governor, actors) or subject_verb
    # "anti-war protesters marched": an opposed actor is not among the doers
    subjects = _subject_tokens(subject_verb, actors)
    if not subjects and subject_verb is governor and verb.dep == "xcomp":
        # "X was seen to break into ...", "X was forced to withdraw": the raised subject
        subjects = actors.kids(governor, "nsubjpass")
    sources = []
    for subject in subjects:
        against = actors.opposed(subject)
        sources += [m for m in actors.of(subject) if m not in against]
    passive_target = [m for s in actors.kids(verb, "nsubjpass") for m in actors.of(s)]
    # A passive's doer is its by-agent only ("a curfew was declared in X, after Y left": not Y)
    by = [o for a in actors.kids(verb, "agent") for o in actors.kids(a, "pobj")]
    agents = [m for o in by for m in actors.of(o)]
    if actors.kids(verb, "nsubjpass"):
        sources = agents
    if passive_target:
        targets = passive_target
    else:
        targets = _slot_targets(match.target_from, actors) or _targets(
            verb, pattern, obj, set(match.particles), actors
        )
    if trigger is not None:  # a noun's own prepositions ("talks with X") and not its modifiers
        # "Russian talks": the noun's own modifiers, not its "in X"
        words = [obj, *actors.kids(obj, *_MODIFIER_DEPS)] if obj is not None else []
        opposed = actors.opposed(obj) if obj is not None else []  # "an anti-X rally": X
        noun_actors = [m for t in words for m in actors.at.get(t.i, []) if m not in opposed]
        targets = [m for m in targets if m not in noun_actors]
    if not targets and len(sources) > 1 and _shared_object(verb, actors):
        targets = list(sources)  # "A and B postponed their meeting": each towards the other
    plain = "noun" if trigger is not None else "verb+object" if obj is not None else "verb"
    code = _refine(pattern, verb, actors, stance=stance)
    if code[:2] == _THREAT and not any(_known_country(m) for m in targets):
        targets += _conditioned(verb, governor, actors)
    pattern = replace(pattern, code=code)
    if not sources and targets and code[:2] in actors.sem.place_doer_roots:
        # "X was arrested in Lebanon", "a bomb near Samarra killed X": the place's state
        sources = _place_doers(subject_verb, actors)
    span = trigger or (verb.i, verb.i + 1)
    named_sources = _slot_targets(match.source_from, actors)
    if named_sources:  # "- + * MONEY $": "X received money from Y" is Y's aid to X
        sources, targets = named_sources, (targets if match.target_from is not None else sources)
    if match.swap:
        sources, targets = targets, sources
    return _Hit(
        pattern,
        span,
        tuple(sources),
        tuple(targets),
        stance or plain,
        "" if stance else match.reverse,
    )


def _issuer(verb: Token, document: Token, actors: _Actors) -> Token | None:
    """The verb whose subject issued the document a participle hangs on ("X issued a statement
    condemning Y", "X adopted a resolution urging Y to V"): the document's deed is its
    issuer's. None when the noun is no document ("troops crossing the border" cross it
    themselves)."""
    if actors.lemma(document) not in actors.sem.statement_nouns or document.head == document.i:
        return None
    issuing = actors.parse.tokens[document.head]
    if document.dep == "dobj" and issuing.pos in ("VERB", "AUX"):
        return issuing
    return None


def _place_doers(verb: Token, actors: _Actors) -> list[Mention]:
    """The place where a deed with no actor for its doer happened: on the verb ("was arrested
    in X") or on its subject ("a bombing near the town of X killed ..."), as a mention. A
    subject that is someone ("they blew themselves up in X", "Ali fired at X in Y") is the
    doer, known or not: no place stands for it."""
    subjects = actors.kids(verb, "nsubj")
    if any(s.pos in ("PRON", "PROPN") or s.ent for s in subjects):
        return []
    hosts = [verb, *subjects]
    for host in hosts:
        for prep in actors.kids(host, "prep"):
            if prep.text.lower() not in LOCATIVE:
                continue
            for pobj in actors.kids(prep, "pobj"):
                of = [p for p in actors.kids(pobj, "prep") if p.text.lower() == "of"]
                named = [pobj, *(o for p in of for o in actors.kids(p, "pobj"))]  # "town of X"
                for token in named:
                    if token.i in actors.places:
                        return [actors.places[token.i]]
    return []


def _noun_hit(noun: Token, actors: _Actors, lexicon: Lexicon) -> _Hit | None:
    for pattern in lexicon.noun_patterns(noun.lemma.lower()):
        start = _noun_start(noun, pattern, actors)
        if start is None:
            continue
        head = actors.parse.tokens[noun.head]
        if noun.dep in ("dobj", "attr") and actors.lemma(head) in actors.sem.light_verbs:
            # "held talks with X": the light verb's clause, the noun's event
            return _verb_actors(head, _Match(pattern, noun), actors, trigger=(start, noun.i + 1))
        if noun.dep in ("dobj",) and head.pos == "VERB":
            return None  # "condemned the attack": the noun is what another event is about
        opposed = actors.opposed(noun)  # "the anti-American rally": against the US, not by it
        sources = [m for m in _noun_sources(noun, actors) if m not in opposed]
        sources = sources or [m for m in _purpose_sources(noun, actors) if m not in opposed]
        targets = _noun_targets(noun, pattern, actors)
        return _Hit(
            pattern,
            (start, noun.i + 1),
            tuple(sources),
            tuple(targets + [m for m in opposed if m not in targets]),
            "noun",
        )
    return None


def _purpose_sources(noun: Token, actors: _Actors) -> list[Mention]:
    """The subjects of the verb of coming together an event noun is the purpose of ("X and Y
    returned to Geneva for talks": X and Y hold the talks)."""
    prep = actors.parse.tokens[noun.head]
    if noun.dep != "pobj" or prep.text.lower() != "for" or prep.head == prep.i:
        return []
    verb = actors.parse.tokens[prep.head]
    if verb.pos != "VERB" or actors.lemma(verb) not in actors.sem.purpose_verbs:
        return []
    return [m for s in _subject_tokens(verb, actors) for m in actors.of(s)]


def _noun_start(noun: Token, pattern: Pattern, actors: _Actors) -> int | None:
    """First token of a multi-word noun trigger ("air strike"), or None if it does not match."""
    start = noun.i
    for word in reversed(pattern.words[:-1]):
        prev = actors.parse.tokens[start - 1] if start > 0 else None
        if prev is None or prev.lemma.lower() != word:
            return None
        start -= 1
    return start


def _noun_sources(noun: Token, actors: _Actors) -> list[Mention]:
    found = [m for c in actors.kids(noun, "poss", "compound", "amod") for m in actors.of(c)]
    for prep in actors.kids(noun, "prep"):
        if prep.text.lower() in ("of", "by", "between", "among"):
            found += [m for o in actors.kids(prep, "pobj") for m in actors.of(o) if m not in found]
    return found


def _noun_targets(noun: Token, pattern: Pattern, actors: _Actors) -> list[Mention]:
    found: list[Mention] = []
    for prep in actors.kids(noun, "prep"):
        if prep.text.lower() in pattern.preps and prep.text.lower() not in ("of", "by"):
            found += [m for o in actors.kids(prep, "pobj") for m in actors.of(o) if m not in found]
    return found
