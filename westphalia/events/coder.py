"""The event coder: triggers from the lexicon layers, source and target from the parse.

For every verb or eventive noun that a pattern names (a user's PETRARCH/TABARI verb
dictionary, then patterns.yaml, then the bundled Phoenix verbs), the coder finds the source
(subject, or the by-agent of a passive; the possessor or "of" phrase of a noun) and the target
(see `_targets`), and emits an event for each pair of placed actors. Mechanisms, with their word
lists and code tables in events/data/semantics.yaml:

- negation ("did not sign", "failed to") suppresses the event; a refusal ("refused to") and a
  negated intent ("will not attend") are 12x;
- intent, threats and appeals: an action under "agreed/vowed to" is intent (03x, a threat 13x
  for conflictual actions), under "threatened to" a threat, under "called on X to" or
  "demanded that X" not a deed (the appeal 02x or demand 10x is coded, refined by the action);
- coordination: every conjoined source and target yields its own event;
- reciprocity: "A and B signed a deal" with no other target yields A->B and B->A;
- reported speech: the attribution is no event; "A said B must V" is A's demand of B; "A said
  B attacked C" is A's accusation of B (112).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from ..model import Event, Mention
from ..parse import Parse, Token
from .dates import PUBLICATION, UNKNOWN, resolve_date
from .lexicon import DEFAULT_PREPS, Lexicon, Pattern, Semantics
from .locations import event_location
from .ontology import ontology
from .verbdict import NULL_CODE, DictMatch

_SPEAKER_PRONOUNS = frozenset({"it", "they", "we"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "appos"})
# Roots whose deed, reported by a speaker before the clause ("X said Y attacked Z"), is coded as
# the speaker's accusation of the doer (112), as the CAMEO/Phoenix transformation
# "a (b . ATTACK) SAY = a b 112" does.
ACCUSATION = "112"
_DEMAND = "020"  # an appeal for an action the lexicon does not know; as a demand: 100
_ACCUSABLE_ROOTS = frozenset({"18", "19", "20"})
# Prepositions that may introduce a verb-dictionary pattern's target besides DEFAULT_PREPS.
_DICTIONARY_PREPS = ("into", "toward", "towards", "between", "among", "upon", "onto")
# Prepositions that name a target deep inside the object's phrase ("roads leading into X")
_DEEP_PREPS = frozenset({*DEFAULT_PREPS, "into", "toward", "towards", "onto"})
_AGREEMENT_ROOT = "05"  # diplomatic cooperation: 057 sign a formal agreement, 056 ...
_FOCUS_ADVERBS = frozenset({"only", "just", "merely", "simply", "solely"})  # "not only X"
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
_OWNER_PREPS = frozenset({"of", "from", "in"})  # "forces from X", "the people of X"
_STRANDED_REACH = 5  # words between a stranded preposition and its noun ("to five Panamanian army")
_CLAUSE_DEPTH = 12  # dependency paths inside one reported clause are short
_PROTEST = "14"
# "rioted (advcl) joining (prep) in (pcomp) demanding": a demand sits within 3 arcs of its protest
_PURPOSE_DEPTH = 4
_THREAT = "13"
_YIELD, _ACCEDE = "080", "083"  # yielding to demands; acceding to demands for political reform
_DEMAND_ROOTS = frozenset({"02", "10"})  # what a protest can be for: an appeal, a demand


@dataclass(frozen=True, slots=True)
class _Hit:
    """One coded trigger before it becomes events."""

    pattern: Pattern
    trigger: tuple[int, int]  # token range
    sources: tuple[Mention, ...]
    targets: tuple[Mention, ...]
    rule: str  # verb | verb+object | noun | intent | threat | refusal | demand | accusation
    reverse: str = ""  # a user dictionary's paired code "[A:B]": the target's event to the source


class _Actors:
    """Actor mentions by token, with the conjunct expansion the coder needs."""

    def __init__(self, parse: Parse, mentions: list[Mention], lexicon: Lexicon) -> None:
        self.parse, self.lexicon, self.sem = parse, lexicon, lexicon.semantics
        self.at: dict[int, list[Mention]] = {}
        for mention in mentions:  # the tokens inside each mention's span
            for i in parse.tokens_within(mention.span):
                self.at.setdefault(i, []).append(mention)
        self.matches: dict[int, _Match | None] = {}  # verb token -> its lexicon match
        self.children = parse.dependents()

    def lemma(self, token: Token) -> str:
        """The token's lemma, with the small model's verb-lemma errors ("staged" -> "stag")
        corrected from the verb dictionaries' forms ("staged" is a form of "stage")."""
        lemma, index = token.lemma.lower(), self.lexicon.phoenix_verbs
        if token.pos not in ("VERB", "AUX") or index is None or lemma in index.verbs.entries:
            return lemma
        entry = index.verbs.entries.get(token.text.lower())
        return entry.lemma if entry is not None and " " not in entry.lemma else lemma

    def of(self, token: Token) -> list[Mention]:
        """Mentions for the phrase headed by `token` and its conjuncts."""
        found: list[Mention] = []
        chain = list(self.conjuncts(token))
        # "lawmakers and officials in X": the conjuncts share one "in/of/from X"
        shared = [p for t in chain for p in self.kids(t, "prep") if p.text.lower() in _OWNER_PREPS]
        for t in chain:
            here = self.at.get(t.i) or [  # "Hungarian and Romanian officials": both modifiers
                m for c in self.children.get(t.i, []) if c.dep in _MODIFIER_DEPS
                for x in self.conjuncts(c) for m in self.at.get(x.i, [])
            ] or self._leader(t)  # fmt: skip
            if here:  # "Arnor, Calenardhon and the awful Gondor" parsed as Gondor's modifiers
                here = here + [m for c in self.kids(t, "nmod") for x in self.conjuncts(c)
                               for m in self.at.get(x.i, []) if _listed_country(m, here)]  # fmt: skip
            if not here and t.pos == "PRON" and t.text.lower() in _SPEAKER_PRONOUNS:
                here = self._speaker_of(t)
            if not here or not any(_known_country(m) for m in here):
                # "forces from X", "the people of X", "lawmakers in X", "a blockade in X"
                preps = [p for p in self.kids(t, "prep") if p.text.lower() in _OWNER_PREPS]
                preps = preps or (shared if here else [])
                owners = [m for p in preps for o in self.kids(p, "pobj") for m in self.of(o)]
                here = _with_sector(owners, here) if owners else here
            found += [m for m in here if m not in found]
        return found

    def _leader(self, token: Token) -> list[Mention]:
        """ "the US-led war", "a Saudi-backed coalition": the actor of the participle that
        modifies the noun is whose the thing is."""
        participles = [c for c in self.kids(token, "amod") if c.pos == "VERB"]
        return [m for p in participles for x in self.kids(p, "npadvmod", "compound")
                for m in self.at.get(x.i, [])]  # fmt: skip

    def _speaker_of(self, pronoun: Token) -> list[Mention]:
        """ "X said it would ...": `it` is X when the clause is what X said."""
        clause = self.parse.tokens[pronoun.head]
        while clause.dep in ("xcomp", "conj") and clause.head != clause.i:
            clause = self.parse.tokens[clause.head]
        speech = self.parse.tokens[clause.head]
        if clause.dep != "ccomp" or self.lemma(speech) not in self.sem.speech_verbs:
            return []
        return [m for s in self.kids(speech, "nsubj") for m in self.at.get(s.i, [])]

    def kids(self, token: Token, *deps: str) -> list[Token]:
        return [c for c in self.children.get(token.i, []) if c.dep in deps]

    def conjuncts(self, token: Token) -> Iterator[Token]:
        """The token and the words conjoined with it; an apposition that is itself an actor
        next to an actor is a list item too ("Mordor, the Shire and Bree")."""
        yield token
        for c in self.kids(token, "conj", "appos"):
            if c.dep == "conj" or (token.i in self.at and c.i in self.at):
                yield from self.conjuncts(c)


def _listed_country(mention: Mention, head: list[Mention]) -> bool:
    """Whether a country modifying a country's name is one more of a list (no country names
    another by modifying it)."""
    return len(mention.actor_code) == 3 and all(len(m.actor_code) == 3 for m in head)


def _with_sector(owners: list[Mention], groups: list[Mention]) -> list[Mention]:
    """ "forces from Pakistan and China": the countries, with the group's sector (PAKMIL)."""
    sector = next((g.actor_code[3:] for g in groups if len(g.actor_code) > 3), "")
    return [
        replace(m, actor_code=m.actor_code + sector)
        if sector and len(m.actor_code) == 3 and _known_country(m)
        else m
        for m in owners
    ]


def extract_events(
    parse: Parse,
    mentions: list[Mention],
    *,
    lexicon: Lexicon,
    story_id: str,
    published: date | None = None,
) -> list[Event]:
    """The events of one parsed article; see the module docstring."""
    actors = _Actors(parse, mentions, lexicon)
    skipped = _discarded_tokens(actors, lexicon)
    if skipped is None:
        return []
    hits: list[_Hit] = []
    used_nouns: set[int] = set()
    for token in parse.tokens:
        if token.i in skipped:
            continue
        hit = _verb_hit(token, actors, used_nouns) if token.pos in ("VERB", "AUX") else None
        if hit is None and token.pos in ("NOUN", "PROPN") and token.i not in used_nouns:
            hit = _noun_hit(token, actors, lexicon)
        if hit is None and token.pos == "VERB" and _modal(token, actors) == "obligation":
            hit = _reported_demand(
                token,
                Pattern(_DEMAND, (token.lemma.lower(),)),
                actors.parse.tokens[token.head],
                actors,
            )
        if hit is not None:
            hits.append(hit)
    hits = _protest_demands(_accusations(hits, actors), actors)
    events: list[Event] = []
    for hit in hits:
        events += _events(
            hit, parse, mentions, story_id, published, lexicon.confidence_of(hit.rule), actors.sem
        )
    return events


def _discarded_tokens(actors: _Actors, lexicon: Lexicon) -> set[int] | None:
    """Tokens a discard phrase rules out as triggers (sports, entertainment, history): those of
    the clause the phrase is in ("demanded an admission that X murdered Y during World War Two":
    the murder, not the demand), the whole sentence when no verb holds the phrase; None when a
    whole-story discard matches."""
    skipped: set[int] = set()
    if lexicon.discarded is None:
        return skipped
    parse = actors.parse
    by_sentence: dict[int, list[Token]] = {}
    for index, sentence in enumerate(parse.sentences):
        found = lexicon.discarded(sentence.text)
        if found is not None and found.story:
            return None
        if found is None:
            continue
        if not by_sentence:
            for t in parse.tokens:
                by_sentence.setdefault(t.sent, []).append(t)
        tokens = by_sentence.get(index, [])
        clause = _clause_of(_phrase_start(tokens, found.phrase), actors)
        skipped |= {
            t.i for t in tokens if clause is None or _clause_of(t, actors, own=True) == clause
        }
    return skipped


def _phrase_start(tokens: list[Token], phrase: str) -> Token | None:
    """The token where a (lower-case, space-joined) discard phrase starts in the sentence."""
    words = phrase.split()
    for n, token in enumerate(tokens):
        text = " ".join(t.text.lower() for t in tokens[n : n + len(words)])
        if text.startswith(phrase) or (len(words) == 1 and token.text.lower().startswith(phrase)):
            return token
    return None


def _clause_of(token: Token | None, actors: _Actors, *, own: bool = False) -> int | None:
    """The nearest verb above the token (the token itself too with `own`); None if none."""
    if token is None:
        return None
    i = token.i if own else token.head
    for _ in range(_CLAUSE_DEPTH * 3):
        current = actors.parse.tokens[i]
        if current.pos in ("VERB", "AUX") and (own or current.i != token.i):
            return current.i
        if current.head == current.i:
            return None
        i = current.head
    return None


def _actor(mention: Mention) -> bool:
    """Whether the mention names more than a bare country (which may be only a place)."""
    return len(mention.actor_code) > 3 and _known_country(mention)


def _known_country(mention: Mention) -> bool:
    return not mention.actor_code.startswith("---")


_DEED_RULES = frozenset({"verb", "verb+object", "noun"})


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
                return _Hit(Pattern(ACCUSATION, (verb.lemma.lower(),)), (verb.i, verb.i + 1),
                            tuple(speakers), tuple(accused), "accusation")  # fmt: skip
    return hit


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


def _change_kind(demand: _Hit, actors: _Actors) -> str:
    """The change a demand is for ("1" leadership ... "4" institutions, see `change_kinds`): a
    104x/024x code says it, else the words of the demand's clause."""
    code = demand.pattern.code
    if code[:3] in ("104", "024") and len(code) == 4:
        return code[3]
    return _change_kind_below(actors.parse.tokens[demand.trigger[1] - 1], actors)


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


def _same_side(mention: Mention, others: list[Mention]) -> bool:
    return any(mention.actor_code[:3] == o.actor_code[:3] for o in others)


# --- verbs ----------------------------------------------------------------------------------


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


def _verb_hit(verb: Token, actors: _Actors, used_nouns: set[int]) -> _Hit | None:
    match = _match_verb(verb, actors)
    if match is None or ((match.obj is None or match.phoenix) and _light_verb_noun(verb, actors)):
        return None  # "undertook exercises", "held a meeting": the eventive noun carries it
    if _coded_by_earlier_word(verb, match, actors):
        return None  # "will not wire tap": one verb of two words, coded once, at "wire"
    if match.obj is not None:
        used_nouns.add(match.obj.i)
    return _verb_actors(verb, match, actors)


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
    pattern = Pattern(code, tuple(found.lemma.split()), preps=preps,
                      origin=found.pattern.origin if found.pattern else "")  # fmt: skip
    obj = _head_noun(found, verb, actors)
    negated = actors.lexicon.negations.get(code, "") if own else ""
    return _Match(pattern, obj, frozenset(found.words), found.target_from,
                  future_is_intent=not own, reverse=_own_code(reverse) or "", swap=swap,
                  negated=negated, source_from=found.source_from, phoenix=not own)  # fmt: skip


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


def _negated(verb: Token, actors: _Actors) -> bool:
    """ "did not sign", "failed to sign" (a refusal, "refused to sign", is an event); the
    parser may hang the "not" on an adverb of the verb ("did not even ever clash"), but "not
    only" negates nothing."""
    governor = actors.parse.tokens[verb.head]
    adverbs = [a for a in actors.kids(verb, "advmod") if a.text.lower() not in _FOCUS_ADVERBS]
    if actors.kids(verb, "neg") or [n for a in adverbs for n in actors.kids(a, "neg")]:
        return True
    return verb.dep == "xcomp" and actors.lemma(governor) in actors.sem.negating_verbs


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
    sources = [m for s in _subject_tokens(subject_verb, actors) for m in actors.of(s)]
    passive_target = [m for s in actors.kids(verb, "nsubjpass") for m in actors.of(s)]
    # A passive's doer is its by-agent only ("a curfew was declared in X, after Y left": not Y)
    agents = [m for a in actors.kids(verb, "agent") for o in actors.kids(a, "pobj")
              for m in actors.of(o)]  # fmt: skip
    if actors.kids(verb, "nsubjpass"):
        sources = agents
    if passive_target:
        targets = passive_target
    else:
        targets = _slot_targets(match.target_from, actors) or _targets(
            verb, pattern, obj, set(match.particles), actors
        )
    if trigger is not None:  # a noun's own prepositions ("talks with X") and not its modifiers
        noun_actors = [  # "Russian talks": the noun's own modifiers, not its "in X"
            m for t in ([obj, *actors.kids(obj, *_MODIFIER_DEPS)] if obj is not None else [])
            for m in actors.at.get(t.i, [])
        ]  # fmt: skip
        targets = [m for m in targets if m not in noun_actors]
    if not targets and len(sources) > 1 and _shared_object(verb, actors):
        targets = list(sources)  # "A and B postponed their meeting": each towards the other
    plain = "noun" if trigger is not None else "verb+object" if obj is not None else "verb"
    code = _refine(pattern, verb, actors, stance=stance)
    if code[:2] == _THREAT and not any(_known_country(m) for m in targets):
        targets += _conditioned(verb, governor, actors)
    pattern = replace(pattern, code=code)
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


def _light_verb_noun(verb: Token, actors: _Actors) -> bool:
    """ "(agreed to) hold talks": a light verb whose object is an eventive noun."""
    return actors.lemma(verb) in actors.sem.light_verbs and any(
        actors.lexicon.noun_patterns(o.lemma.lower()) for o in actors.kids(verb, "dobj")
    )


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


def _subject_tokens(verb: Token, actors: _Actors) -> list[Token]:
    return actors.kids(verb, *_SUBJECT_DEPS)


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
        preps += [p for a in actors.kids(verb, "advmod") if a.text.lower() in _NEAR
                  for p in actors.kids(a, "prep")]  # fmt: skip
        _add_pobjs(found, preps, keep, actors, particles)
    heads = [obj] if obj is not None else actors.kids(verb, "dobj")
    heads += [o for p in actors.kids(verb, "prep", "prt") if p.i in particles
              for o in actors.kids(p, "pobj")]  # fmt: skip  # "cordoned off the roads into X"
    for head in heads:
        if not found:  # "welcomed the resumption of ties with X", "stopped talks with X"
            deep = lambda p: keep(p) or p.text.lower() in _DEEP_PREPS or p.dep == "agent"  # noqa: E731
            _add_pobjs(found, _nested_preps(head, actors, own=obj is None), deep, actors)
    if not found and obj is not None:  # "rejected a U.S. request", "X's nuclear programme"
        found += [m for m in actors.of(obj) if m not in found and _known_country(m)]
    if not found and obj is not None:  # "expressed hope that X would join": X
        for clause in actors.kids(obj, "acl", "ccomp"):
            if any(m.text.lower() == "that" for m in actors.kids(clause, "mark")):
                found += [m for s in actors.kids(clause, *_SUBJECT_DEPS, "nsubjpass")
                          for m in actors.of(s)
                          if _known_country(m)]  # fmt: skip
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
        frontier = [c for t in frontier for c in actors.children.get(t.i, [])
                    if c.dep in ("prep", "pobj", "amod", "compound", "acl", "agent")]  # fmt: skip
        found += [t for t in frontier if t.dep == "agent" or
                  (t.dep == "prep" and (own or t.head != obj.i))]  # fmt: skip
    return found


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
                    named = [m for t in actors.conjuncts(pobj) for m in actors.at.get(t.i, [])]
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
    return actors.of(pobj) or [
        m for p in actors.kids(pobj, "prep") if p.text.lower() in _POBJ_OWNER_PREPS
        for o in actors.kids(p, "pobj") for m in actors.of(o)
    ]  # fmt: skip


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


def _objects_of(verb: Token, actors: _Actors) -> list[Token]:
    """The verb's direct objects and the objects of its prepositions ("conceded to demands")."""
    preps = actors.kids(verb, "prep")
    return actors.kids(verb, "dobj") + [o for p in preps for o in actors.kids(p, "pobj")]


# --- eventive nouns -------------------------------------------------------------------------


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
        sources = _noun_sources(noun, actors)
        return _Hit(
            pattern,
            (start, noun.i + 1),
            tuple(sources),
            tuple(_noun_targets(noun, pattern, actors)),
            "noun",
        )
    return None


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


# --- events ---------------------------------------------------------------------------------


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
    pairs = [
        (s, t) for s, t in pairs
        if s is not t and s.actor_code != t.actor_code
        and _known_country(s) and _known_country(t)  # "crowds attacked the embassy": unplaced
    ]  # fmt: skip
    if not pairs:
        return []
    when, precision = _when(parse, trigger_token, published)
    events = []
    coded = [(s, t, hit.pattern.code, hit.rule) for s, t in pairs]
    if hit.reverse:  # "[042:043]": A visits B, and B hosts A
        coded += [(t, s, hit.reverse, f"{hit.rule}+reverse") for s, t in pairs]
    events = []
    for source, target, code, rule in coded:
        location, place = event_location(
            parse, trigger_token, code=code, mentions=mentions, target=target, source=source
        )
        events.append(Event(
            article_id=parse.article_id, story_id=story_id, sentence_index=sent,
            source=source.actor_code, target=target.actor_code, code=code, trigger=trigger,
            source_span=source.span, target_span=target.span, pattern=f"{rule}:{hit.pattern.name}",
            confidence=confidence, date=when, date_precision=precision, location=location, place=place,
        ))  # fmt: skip
    return events


def _most_specific(mentions: tuple[Mention, ...]) -> list[Mention]:
    """Drop a mention whose code a more specific mention of the same phrase extends
    (TUNJUD and TUN for one trigger: TUNJUD)."""
    codes = [m.actor_code for m in mentions]
    return [
        m for m in mentions
        if not any(c != m.actor_code and c.startswith(m.actor_code) for c in codes)
    ]  # fmt: skip


def _when(parse: Parse, trigger: Token, published: date | None) -> tuple[date | None, str]:
    """The date of the sentence's temporal expression nearest the trigger (those inside the
    trigger's clause first), resolved against `published`; else the publication date."""
    sent = trigger.sent
    spans = [
        (e.start, e.end)
        for e in parse.entities
        if e.label == "DATE" and parse.tokens[e.start].sent == sent
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


def _governed_by(parse: Parse, i: int, head: int, *, depth: int = _CLAUSE_DEPTH) -> bool:
    return head in _path_up(parse, i, depth)


def _path_up(parse: Parse, i: int, depth: int) -> Iterator[int]:
    """Token `i` and its heads up to the root, at most `depth` tokens."""
    for _ in range(depth):
        yield i
        if parse.tokens[i].head == i:
            return
        i = parse.tokens[i].head
