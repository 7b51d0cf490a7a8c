"""The event coder: triggers from the pattern lexicon, source and target from the parse.

For every verb or eventive noun that a lexicon pattern names, the coder finds the source
(subject, or the by-agent of a passive; the possessor or "of" phrase of a noun) and the
target (direct object, or the object of one of the pattern's prepositions), and emits an
event for each pair of actor mentions found there. Mechanisms:

- negation ("did not sign") suppresses the event;
- intent and appeals: an action under "agreed/vowed/wants to" is coded as intent (03x, or a
  threat 13x for conflictual actions) by the one who intends; an action under "called on X
  to" is not a deed (the appeal itself is coded, refined to 02x by the embedded action);
- coordination: every conjoined source and target yields its own event;
- reciprocity: "A and B signed a deal" with no other target yields A->B and B->A;
- reported speech: the embedded clause is coded like any other ("A said B attacked C").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from ..model import Event, Mention
from ..parse import Parse, Token
from .dates import PUBLICATION, UNKNOWN, resolve_date
from .lexicon import Lexicon, Pattern
from .locations import event_location

LIGHT_VERBS = frozenset(
    [
        "hold",
        "conduct",
        "have",
        "make",
        "pay",
        "launch",
        "carry",
        "stage",
        "begin",
        "start",
        "open",
        "resume",
        "host",
        "announce",
        "hold_off",
        "complete",
        "wrap",
        "conclude",
        "continue",
    ]
)  # verbs whose object noun carries the event ("held talks", "paid a visit")
INTENT_VERBS = frozenset(
    [
        "agree",
        "pledge",
        "vow",
        "promise",
        "plan",
        "intend",
        "want",
        "seek",
        "offer",
        "hope",
        "decide",
        "aim",
        "prepare",
        "expect",
        "propose",
        "commit",
        "wish",
    ]
)
INTENT_ADJECTIVES = frozenset(
    ["willing", "ready", "prepared", "eager", "determined", "keen", "committed", "poised"]
)
THREAT_VERBS = frozenset(["threaten", "warn"])
REFUSAL_VERBS = frozenset(["refuse", "decline", "reject"])
APPEAL_VERBS = frozenset(
    ["urge", "call", "ask", "appeal", "press", "request", "implore", "encourage", "invite"]
)
NEGATING_VERBS = frozenset(["fail", "refuse", "decline"])
SAY_VERBS = frozenset(
    ["say", "tell", "add", "state", "announce", "claim", "declare", "insist", "report"]
)
# Roots whose action done by "A and B" is done with each other: intent, consult, cooperate,
# fight. ("A and B issued a statement" is not a statement to each other.)
RECIPROCAL_ROOTS = frozenset({"03", "04", "05", "06", "19"})
_SPEAKER_PRONOUNS = frozenset({"it", "they", "we"})
STATEMENT = "010"  # CAMEO "make statement", for the speaker of reported speech
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "appos"})
# Intent to do an action of a root -> CAMEO 03x (cooperative) or 13x (threats).
_INTENT_CODE = {"01": "030", "02": "030", "03": "030", "04": "036", "05": "032", "06": "031",
                "07": "033", "08": "035", "09": "030", "10": "030", "11": "030", "12": "030",
                "13": "130", "14": "130", "15": "130", "16": "131", "17": "137", "18": "138",
                "19": "138", "20": "138"}  # fmt: skip
# A threat to do an action of a root -> CAMEO 13x; a refusal -> 12x.
_THREAT_CODE = {"16": "131", "17": "137", "18": "138", "19": "138", "20": "138"}
_REFUSAL_CODE = {"04": "125", "06": "121", "07": "122", "08": "124"}
# An appeal for an action of a root -> CAMEO 02x.
_APPEAL_CODE = {"04": "026", "05": "022", "06": "021", "07": "023", "08": "025"}


@dataclass(frozen=True, slots=True)
class _Hit:
    """One coded trigger before it becomes events."""

    pattern: Pattern
    trigger: tuple[int, int]  # token range
    sources: tuple[Mention, ...]
    targets: tuple[Mention, ...]
    rule: str  # verb | verb+object | noun | intent | threat | refusal | statement


class _Actors:
    """Actor mentions by token, with the conjunct expansion the coder needs."""

    def __init__(self, parse: Parse, mentions: list[Mention], lexicon: Lexicon) -> None:
        self.parse, self.lexicon = parse, lexicon
        self.at: dict[int, list[Mention]] = {}
        for mention in mentions:
            for token in parse.tokens:
                if mention.span.start <= token.start and token.end <= mention.span.end:
                    self.at.setdefault(token.i, []).append(mention)
        self.children: dict[int, list[Token]] = {}
        for token in parse.tokens:
            if token.head != token.i:
                self.children.setdefault(token.head, []).append(token)

    def of(self, token: Token) -> list[Mention]:
        """Mentions for the phrase headed by `token` and its conjuncts."""
        found: list[Mention] = []
        for t in self._conjuncts(token):
            here = self.at.get(t.i) or [m for c in self.children.get(t.i, []) if c.dep in _MODIFIER_DEPS
                                         for m in self.at.get(c.i, [])]  # fmt: skip
            if not here and t.pos == "PRON" and t.text.lower() in _SPEAKER_PRONOUNS:
                here = self._speaker_of(t)
            if not here or all(m.actor_code.startswith("---") for m in here):
                owners = [m for p in self.kids(t, "prep") if p.text.lower() in ("of", "from")
                          for o in self.kids(p, "pobj") for m in self.of(o)]  # fmt: skip
                here = _with_sector(owners, here) if owners else here
            found += [m for m in here if m not in found]
        return found

    def _speaker_of(self, pronoun: Token) -> list[Mention]:
        """ "X said it would ...": `it` is X when the clause is what X said."""
        clause = self.parse.tokens[pronoun.head]
        while clause.dep in ("xcomp", "conj") and clause.head != clause.i:
            clause = self.parse.tokens[clause.head]
        speech = self.parse.tokens[clause.head]
        if clause.dep != "ccomp" or speech.lemma.lower() not in SAY_VERBS:
            return []
        return [m for s in self.kids(speech, "nsubj") for m in self.at.get(s.i, [])]

    def kids(self, token: Token, *deps: str) -> list[Token]:
        return [c for c in self.children.get(token.i, []) if c.dep in deps]

    def _conjuncts(self, token: Token) -> Iterator[Token]:
        yield token
        for c in self.kids(token, "conj"):
            yield from self._conjuncts(c)


def _with_sector(owners: list[Mention], groups: list[Mention]) -> list[Mention]:
    """ "forces from Pakistan and China": the countries, with the group's sector (PAKMIL)."""
    sector = next((g.actor_code[3:] for g in groups if len(g.actor_code) > 3), "")
    return [
        replace(m, actor_code=m.actor_code + sector)
        if sector and len(m.actor_code) == 3 and not m.actor_code.startswith("---")
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
    hits: list[_Hit] = []
    used_nouns: set[int] = set()
    for token in parse.tokens:
        hit = (
            _verb_hit(token, actors, lexicon, used_nouns) if token.pos in ("VERB", "AUX") else None
        )
        if hit is None and token.pos in ("NOUN", "PROPN") and token.i not in used_nouns:
            hit = _noun_hit(token, actors, lexicon)
        if hit is not None:
            hits.append(hit)
    hits += _statements(hits, actors)
    events: list[Event] = []
    for hit in hits:
        events += _events(
            hit, parse, mentions, story_id, published, lexicon.confidence_of(hit.rule)
        )
    return events


def _known_country(mention: Mention) -> bool:
    return not mention.actor_code.startswith("---")


def _statements(hits: list[_Hit], actors: _Actors) -> list[_Hit]:
    """Reported speech: "A said B attacked C" is also A's statement (010) about C (or B)."""
    statements = []
    for verb in actors.parse.tokens:
        if verb.pos != "VERB" or verb.lemma.lower() not in SAY_VERBS:
            continue
        subjects = [m for s in _subject_tokens(verb, actors) for m in actors.of(s)]
        speakers = [m for m in subjects if _known_country(m)]
        for clause in actors.kids(verb, "ccomp"):
            inner = [h for h in hits if _governed_by(actors.parse, h.trigger[0], clause.i)
                     and h.sources and h.targets and not set(h.sources) & set(subjects)]  # fmt: skip
            about = [
                m for h in inner for m in h.targets
                if _known_country(m) and all(m.actor_code[:3] != sp.actor_code[:3] for sp in speakers)
            ]  # fmt: skip
            if speakers and about:
                statement = Pattern(STATEMENT, (verb.lemma.lower(),))
                statements.append(
                    _Hit(
                        statement,
                        (verb.i, verb.i + 1),
                        tuple(speakers),
                        tuple(about[:1]),
                        "statement",
                    )
                )
    return statements


# --- verbs ----------------------------------------------------------------------------------


def _verb_hit(verb: Token, actors: _Actors, lexicon: Lexicon, used_nouns: set[int]) -> _Hit | None:
    for pattern in lexicon.verb_patterns(verb.lemma.lower()):
        extra = _particles(verb, pattern, actors)
        if extra is None:
            continue
        obj = _object(verb, pattern, actors)
        if pattern.objects and obj is None:
            continue
        if _negated(verb, actors):
            return None
        if obj is not None:
            used_nouns.add(obj.i)
        return _verb_actors(verb, pattern, obj, extra, actors)
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


def _object(verb: Token, pattern: Pattern, actors: _Actors) -> Token | None:
    """The direct object that satisfies the pattern's `objects` (its lemma or a compound)."""
    if not pattern.objects:
        return None
    for obj in actors.kids(verb, "dobj", "nsubjpass", "attr"):
        words = {obj.lemma.lower(), obj.text.lower()} | {
            c.lemma.lower() for c in actors.kids(obj, "compound")
        }
        if words & pattern.objects:
            return obj
    return None


def _negated(verb: Token, actors: _Actors) -> bool:
    """ "did not sign", "failed to sign", "refused to meet" """
    governor = actors.parse.tokens[verb.head]
    return bool(actors.kids(verb, "neg")) or (
        verb.dep == "xcomp" and governor.lemma.lower() in NEGATING_VERBS
    )


def _verb_actors(
    verb: Token, pattern: Pattern, obj: Token | None, particles: set[int], actors: _Actors
) -> _Hit | None:
    governor = actors.parse.tokens[verb.head]
    stance = _stance(verb, governor) or _modal(verb, actors)
    if stance == "modal":
        return None
    appeal = verb.dep == "xcomp" and governor.lemma.lower() in APPEAL_VERBS
    if governor.pos == "ADJ" and stance is not None:  # "is willing to send": the subject is on "is"
        governor = actors.parse.tokens[governor.head]
    if appeal:
        return None  # "called on X to withdraw": the appeal is coded at the appeal verb
    subject_verb = (
        governor
        if verb.dep in ("xcomp", "conj", "advcl") and not _subject_tokens(verb, actors)
        else verb
    )
    sources = [m for s in _subject_tokens(subject_verb, actors) for m in actors.of(s)]
    passive_target = [m for s in actors.kids(verb, "nsubjpass") for m in actors.of(s)]
    if passive_target:
        agents = [
            m
            for a in actors.kids(verb, "agent")
            for o in actors.kids(a, "pobj")
            for m in actors.of(o)
        ]
        sources, targets = agents, passive_target
    else:
        targets = _targets(verb, pattern, obj, particles, actors)
    rule = stance or ("verb+object" if obj is not None else "verb")
    code = _refine(pattern, verb, actors, stance=stance)
    pattern = Pattern(code, pattern.words, pattern.objects, pattern.preps, pattern.intent)
    return _Hit(pattern, (verb.i, verb.i + 1), tuple(sources), tuple(targets), rule)


def _subject_tokens(verb: Token, actors: _Actors) -> list[Token]:
    return actors.kids(verb, *_SUBJECT_DEPS)


def _targets(
    verb: Token, pattern: Pattern, obj: Token | None, particles: set[int], actors: _Actors
) -> list[Mention]:
    """Direct object (when the pattern needs no particular object), objects of the pattern's
    prepositions on the verb or its object, then the subject of a clause the verb governs
    ("helped Vietnam rebuild")."""
    found: list[Mention] = []
    if obj is None:
        for d in actors.kids(verb, "dobj", "dative"):
            found += actors.of(d)
    preps = actors.kids(verb, "prep", "prt", "dative") + (actors.kids(obj, "prep") if obj else [])
    for prep in preps:
        if prep.text.lower() in pattern.preps or prep.i in particles:
            for pobj in actors.kids(prep, "pobj"):
                found += [m for m in _pobj_actors(pobj, actors) if m not in found]
    if not found and obj is None:
        for clause in actors.kids(verb, "ccomp", "xcomp"):
            found += [m for s in actors.kids(clause, "nsubj") for m in actors.of(s)]
    return found


def _pobj_actors(pobj: Token, actors: _Actors) -> list[Mention]:
    """Actors of a prepositional object, or of its own "with"/"of" phrase ("to the border
    with China")."""
    return actors.of(pobj) or [
        m for p in actors.kids(pobj, "prep") if p.text.lower() in ("with", "of")
        for o in actors.kids(p, "pobj") for m in actors.of(o)
    ]  # fmt: skip


def _modal(verb: Token, actors: _Actors) -> str | None:
    """ "will/would visit" is an intent; "must/should/could sign" is nobody's deed."""
    for aux in actors.kids(verb, "aux"):
        word = aux.text.lower()
        if word in ("will", "would", "'ll", "shall"):
            return "intent"
        if word in ("must", "should", "could", "might", "may", "ought", "can"):
            return "modal"
    return None


def _stance(verb: Token, governor: Token) -> str | None:
    """How the action is held: intended, threatened or refused (None for a deed)."""
    if verb.dep != "xcomp":
        return None
    lemma = governor.lemma.lower()
    if lemma in THREAT_VERBS:
        return "threat"
    if lemma in REFUSAL_VERBS:
        return "refusal"
    if lemma in INTENT_VERBS or (governor.pos == "ADJ" and lemma in INTENT_ADJECTIVES):
        return "intent"
    return None


def _refine(pattern: Pattern, verb: Token, actors: _Actors, *, stance: str | None) -> str:
    """Intent (03x/13x), threat (13x) or refusal (12x) for an action under such a verb; 02x
    for an appeal whose embedded action the lexicon knows."""
    root = pattern.code[:2]
    if stance == "intent":
        return _INTENT_CODE[root]
    if stance == "threat":
        return _THREAT_CODE.get(root, "130")
    if stance == "refusal":
        return _REFUSAL_CODE.get(root, "120")
    if pattern.code[:2] == "02":
        for x in actors.kids(verb, "xcomp", "ccomp"):
            embedded = actors.lexicon.verb_patterns(x.lemma.lower())
            if embedded and embedded[0].code[:2] in _APPEAL_CODE:
                return _APPEAL_CODE[embedded[0].code[:2]]
    return pattern.code


# --- eventive nouns -------------------------------------------------------------------------


def _noun_hit(noun: Token, actors: _Actors, lexicon: Lexicon) -> _Hit | None:
    for pattern in lexicon.noun_patterns(noun.lemma.lower()):
        start = _noun_start(noun, pattern, actors)
        if start is None:
            continue
        head = actors.parse.tokens[noun.head]
        if noun.dep in ("dobj", "attr") and head.lemma.lower() in LIGHT_VERBS:
            if _negated(head, actors):
                return None
            sources = [m for s in _subject_tokens(head, actors) for m in actors.of(s)]
            targets = _targets(head, pattern, None, set(), actors)
            targets = [m for m in targets if m not in actors.of(noun)] + _noun_targets(
                noun, pattern, actors
            )
            return _Hit(pattern, (start, noun.i + 1), tuple(sources), tuple(targets), "noun")
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
) -> list[Event]:
    trigger_token = parse.tokens[hit.trigger[1] - 1]
    trigger = parse.span(*hit.trigger)
    sent = trigger_token.sent
    pairs = [(s, t) for s in hit.sources for t in hit.targets]
    reciprocal = hit.pattern.code[:2] in RECIPROCAL_ROOTS
    if not hit.targets and len(hit.sources) >= 2 and reciprocal:  # "A and B signed a deal"
        pairs = [(s, t) for s in hit.sources for t in hit.sources if s is not t]
    when, precision = _when(parse, trigger_token, published)
    events = []
    for source, target in pairs:
        if source is target or source.actor_code == target.actor_code:
            continue
        location, place = event_location(
            parse,
            trigger_token,
            code=hit.pattern.code,
            mentions=mentions,
            target=target,
            source=source,
        )
        events.append(Event(
            article_id=parse.article_id, story_id=story_id, sentence_index=sent,
            source=source.actor_code, target=target.actor_code, code=hit.pattern.code, trigger=trigger,
            source_span=source.span, target_span=target.span, pattern=f"{hit.rule}:{hit.pattern.name}",
            confidence=confidence, date=when, date_precision=precision, location=location, place=place,
        ))  # fmt: skip
    return events


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


def _governed_by(parse: Parse, i: int, head: int) -> bool:
    for _ in range(12):  # dependency paths in one clause are short
        if i == head:
            return True
        if parse.tokens[i].head == i:
            return False
        i = parse.tokens[i].head
    return False
