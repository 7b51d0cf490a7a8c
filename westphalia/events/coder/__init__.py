"""The event coder: triggers from the lexicon layers, source and target from the parse.

For every verb or eventive noun that a pattern names (a user's PETRARCH/TABARI verb
dictionary, then patterns.yaml, then the bundled Phoenix verbs), the coder finds the source
(subject, or the by-agent of a passive; the possessor or "of" phrase of a noun) and the target
(see `arguments._targets`), and emits an event for each pair of placed actors. Mechanisms, with
their word lists and code tables in events/data/semantics.yaml:

- negation ("did not sign", "failed to") suppresses the event; a refusal ("refused to") and a
  negated intent ("will not attend") are 12x;
- intent, threats and appeals: an action under "agreed/vowed to" is intent (03x, a threat 13x
  for conflictual actions), under "threatened to" a threat, under "called on X to" or
  "demanded that X" not a deed (the appeal 02x or demand 10x is coded, refined by the action);
- coordination: every conjoined source and target yields its own event;
- reciprocity: "A and B signed a deal" with no other target yields A->B and B->A;
- reported speech: the attribution is no event; "A said B must V" is A's demand of B; "A said
  B attacked C" is A's accusation of B (112).

Modules, in the order a sentence meets them:

- `view`: `_Actors`, the parse seen as actor mentions by token (`of`: the actors a phrase
  names), dependency helpers, and `_Hit`, one coded trigger;
- `discards`: the tokens a discard phrase rules out;
- `verbs`: matching a verb to its pattern (`_Match`);
- `stance`: negation, modals, intent, threat, refusal, appeal and demand, and their codes;
- `arguments`: the targets of an action (objects, prepositions, slots, clauses, places);
- `triggers`: a verb or an eventive noun as a hit, with its sources and targets;
- `combine`: hits read together (accusations, protests for a demand);
- `records`: Event records from a hit, dated and placed.
"""

from __future__ import annotations

from datetime import date

from ...model import Event, Mention
from ...parse import Parse
from ..lexicon import Lexicon, Pattern
from .combine import _accusations, _protest_demands
from .discards import _discarded_tokens
from .records import _events
from .stance import _modal, _reported_demand
from .triggers import _noun_hit, _verb_hit
from .view import _Actors, _Hit

__all__ = ["extract_events"]

_DEMAND = "020"  # an appeal for an action the lexicon does not know; as a demand: 100


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
