"""How an action is held: negation ("did not sign", "failed to"), modals ("will", "must",
"could"), the stance a governing verb gives it (intended, threatened, refused, appealed for,
demanded), and the code that stance refines it to (03x, 13x, 12x, 02x, 10x; 112x for an
accusation of what, 083x for acceding to demands for reform). Word lists and code tables are
in events/data/semantics.yaml.
"""

from __future__ import annotations

from collections import deque

from ...parse import Token
from ..lexicon import Pattern, Semantics
from .verbs import _light_verb_noun, _match_verb
from .view import _Actors, _Hit, _subject_tokens

# Accuse (CAMEO 112), refined by what the accusation is of (see `_accusation_code`).
ACCUSATION = "112"
_FOCUS_ADVERBS = frozenset({"only", "just", "merely", "simply", "solely"})  # "not only X"
_YIELD, _ACCEDE = "080", "083"  # yielding to demands; acceding to demands for political reform


def _negated(verb: Token, actors: _Actors) -> bool:
    """ "did not sign", "failed to sign" (a refusal, "refused to sign", is an event); the
    parser may hang the "not" on an adverb of the verb ("did not even ever clash"), but "not
    only" negates nothing."""
    governor = actors.parse.tokens[verb.head]
    adverbs = [a for a in actors.kids(verb, "advmod") if a.text.lower() not in _FOCUS_ADVERBS]
    if actors.kids(verb, "neg") or [n for a in adverbs for n in actors.kids(a, "neg")]:
        return True
    return verb.dep == "xcomp" and actors.lemma(governor) in actors.sem.negating_verbs


def _governs_coded_action(verb: Token, actors: _Actors) -> bool:
    """An intent, threat or refusal verb whose embedded action the lexicon codes: that action
    carries the stance (03x, 13x, 12x), the governing verb adds no event of its own."""
    sem = actors.sem
    if actors.lemma(verb) not in sem.intent_verbs | sem.threat_verbs | sem.refusal_verbs:
        return False
    clauses = actors.kids(verb, "xcomp")
    if actors.lemma(verb) in sem.threat_verbs:  # "warned it would close the border"
        clauses += [c for c in actors.kids(verb, "ccomp") if _modal(c, actors) == "intent"]
    return any(_match_verb(x, actors) is not None or _light_verb_noun(x, actors) for x in clauses)


def _held(
    verb: Token,
    governor: Token,
    stance: str | None,
    actors: _Actors,
    *,
    future_is_intent: bool = True,
) -> str | None:
    """How the action is held once negation and modals are read: intent, threat, refusal,
    obligation, possibility, None (a deed) or "none" (nothing happened). A negated intent
    ("will not attend", "did not agree to attend") is a refusal."""
    modal = _modal(verb, actors)
    if modal == "intent" and not future_is_intent:
        modal = None
    if stance is None and modal is not None:
        stance = modal
    negated = _negated(verb, actors) or (stance is not None and bool(actors.kids(governor, "neg")))
    if not negated:
        return stance
    return "refusal" if stance in ("intent", "refusal") else "none"


def _reported_demand(
    verb: Token, pattern: Pattern, speech: Token, actors: _Actors, *, action: Token | None = None
) -> _Hit | None:
    """ "X said Y must withdraw": X demands (10x) of Y; an obligation nobody voices is no event.
    `verb` is the clause the speech verb governs; `action`, when another word, the trigger."""
    sem = actors.sem
    if verb.dep != "ccomp" or actors.lemma(speech) not in sem.speech_verbs | sem.demand_verbs:
        return None
    speakers = [m for s in _subject_tokens(speech, actors) for m in actors.of(s)]
    targets = [m for s in _subject_tokens(verb, actors) for m in actors.of(s)]
    code = _demand_code(pattern.code, sem)
    trigger = action or verb
    return _Hit(
        Pattern(code, pattern.words),
        (trigger.i, trigger.i + 1),
        tuple(speakers),
        tuple(targets),
        "demand",
    )


def _demand_code(code: str, sem: Semantics) -> str:
    """A demand of an action: the 10x code parallel to the 02x appeal for it."""
    return "10" + sem.lookup("appeal_codes", code, "020")[2:]


def _modal(verb: Token, actors: _Actors) -> str | None:
    """ "will/would visit" is an intent; "must/should sign" an obligation; "could sign" a
    possibility (neither is anybody's deed)."""
    sem = actors.sem
    for aux in actors.kids(verb, "aux"):
        word = aux.text.lower()
        if word in sem.intent_modals:
            return "intent"
        if word in sem.obligation_modals:
            return "obligation"
        if word in sem.possibility_modals:
            return "possibility"
    return None


def _stance(verb: Token, governor: Token, actors: _Actors) -> str | None:
    """How the governing verb holds the action: intended, threatened, refused, appealed for or
    demanded (None for a deed)."""
    sem, lemma = actors.sem, actors.lemma(governor)
    if verb.dep == "ccomp":  # "demanded that X withdraw", "urged that X withdraw"
        return (
            "demand"
            if lemma in sem.demand_verbs
            else "appeal"
            if lemma in sem.appeal_verbs and lemma != "call"
            else None
        )
    if verb.dep != "xcomp":
        return None
    if lemma in sem.threat_verbs:
        return "threat"
    if lemma in sem.refusal_verbs:
        return "refusal"
    if lemma in sem.intent_verbs or (governor.pos == "ADJ" and lemma in sem.intent_adjectives):
        return "intent"
    if lemma in sem.appeal_verbs:
        return "appeal"
    if lemma in sem.demand_verbs:
        return "demand"
    return None


def _accusation_code(verb: Token, actors: _Actors) -> str | None:
    """ "accused X of spying" -> 1125: the 112x code of what the accusation is of, from the head
    of the "of" phrase with its compounds ("war crimes"), the head alone, or its object."""
    table = actors.sem.accusation_codes
    for prep in (p for p in actors.kids(verb, "prep") if p.text.lower() == "of"):
        for head in actors.kids(prep, "pobj", "pcomp"):
            compounds = [actors.lemma(t) for t in actors.kids(head, "compound")]
            candidates = [" ".join([*compounds, actors.lemma(head)]), actors.lemma(head)]
            candidates += [actors.lemma(t) for t in actors.kids(head, "dobj", "amod")]
            found = next((table[w] for w in candidates if w in table), None)
            if found is not None:
                return found
    return None


def _refine(pattern: Pattern, verb: Token, actors: _Actors, *, stance: str | None) -> str:
    """Intent (03x/13x), threat (13x) or refusal (12x) for an action under such a verb; 02x
    for an appeal and 10x for a demand whose embedded action the lexicon knows."""
    sem, code = actors.sem, pattern.code
    if stance == "intent" and code[:2] >= "13":  # an intended conflictual action is a threat
        return sem.lookup("threat_codes", code, "") or sem.lookup("intent_codes", code, "130")
    if stance == "intent":
        return sem.lookup("intent_subcodes", code, "") or sem.lookup("intent_codes", code, "030")
    if stance == "threat":
        return sem.lookup("threat_codes", code, "130")
    if stance == "refusal":
        return sem.lookup("refusal_codes", code, "120")
    if code == ACCUSATION:
        return _accusation_code(verb, actors) or code
    if code[:2] in ("02", "10") and len(code) == 3 and code.endswith("0"):
        for x in actors.kids(verb, "xcomp", "ccomp"):
            embedded = _match_verb(x, actors)
            if embedded is not None and embedded.pattern.code[:2] not in ("02", "10", "01"):
                appeal = sem.lookup("appeal_codes", embedded.pattern.code, "020")
                if appeal == "024":  # political reform: of which kind ("abandon the policy")
                    appeal = _reform(appeal, _change_kind_below(x, actors))
                return appeal if code[:2] == "02" else "10" + appeal[2:]
    if code == _YIELD and any(
        actors.lemma(o) in sem.demand_nouns for o in _objects_of(verb, actors)
    ):
        kind = _change_kind_below(verb, actors)  # "accepted demands for reform": 083x
        return _reform(_ACCEDE, kind) if kind else code
    return code


def _reform(code: str, kind: str) -> str:
    """A reform code (024, 083, 104, 14x) refined by the kind of change ("0": no one kind)."""
    return code + kind if kind not in ("", "0") else code


def _change_kind_below(verb: Token, actors: _Actors) -> str:
    """The kind digit of the word of `change_kinds` nearest `verb` in its clause, or ""."""
    queue = deque(actors.children.get(verb.i, []))
    while queue:  # breadth-first: the nearest word decides
        token = queue.popleft()
        kind = actors.sem.change_kinds.get(actors.lemma(token))
        if kind is not None:
            return kind
        queue.extend(actors.children.get(token.i, []))
    return ""


def _objects_of(verb: Token, actors: _Actors) -> list[Token]:
    """The verb's direct objects and the objects of its prepositions ("conceded to demands")."""
    preps = actors.kids(verb, "prep")
    return actors.kids(verb, "dobj") + [o for p in preps for o in actors.kids(p, "pobj")]
