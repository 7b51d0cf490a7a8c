"""Quotations and their speakers.

Direct quotes are text between double quotes; indirect quotes are the clause a speech verb
governs ("X said (that) ..."). The speaker is the actor mention that is the subject of the
speech verb of the quote's sentence ("...," Army Chief General X said -> PAKMIL) or, for a
quote closed before a new sentence starts with its attribution, of the next sentence.
"""

from __future__ import annotations

import re

from ..model import Mention, Quote, Span
from ..parse import Parse, Token
from .lexicon import bundled_semantics

SPEECH_VERBS = bundled_semantics().quote_verbs  # events/data/semantics.yaml
_QUOTED = re.compile(r'"([^"]{3,})"')


def extract_quotes(parse: Parse, mentions: list[Mention]) -> list[Quote]:
    """The direct and indirect quotations of `parse`, each with its speaker when found."""
    quotes: list[Quote] = []
    direct_spans: list[Span] = []
    for m in _QUOTED.finditer(parse.text):
        span = Span(m.start(1), m.end(1))
        direct_spans.append(span)
        sent = _sentence_at(parse, m.end())
        speaker = _speaker(parse, mentions, sent) or _speaker(parse, mentions, sent + 1)
        quotes.append(_quote(parse, span, sent, speaker, direct=True))
    for verb in parse.tokens:
        if verb.lemma.lower() in SPEECH_VERBS and verb.pos == "VERB":
            clause = [t for t in parse.tokens if t.head == verb.i and t.dep == "ccomp"]
            if not clause:
                continue
            span = _subtree_span(parse, clause[0])
            if any(d.start <= span.start and span.end <= d.end + 1 for d in direct_spans):
                continue  # already a direct quote
            quotes.append(
                _quote(
                    parse, span, verb.sent, _subject_mention(parse, mentions, verb), direct=False
                )
            )
    return quotes


def _quote(parse: Parse, span: Span, sent: int, speaker: Mention | None, *, direct: bool) -> Quote:
    return Quote(
        parse.article_id, sent, span, speaker.actor_code if speaker else None,
        speaker.span if speaker else None, direct, span.of(parse.text),
    )  # fmt: skip


def _sentence_at(parse: Parse, offset: int) -> int:
    for s in parse.sentences:
        if s.span.start <= offset <= s.span.end:
            return s.index
    return parse.sentences[-1].index if parse.sentences else 0


_ATTRIBUTION_GAP = 40  # characters between a speaker and the speech verb in '..., X said'


def _speaker(parse: Parse, mentions: list[Mention], sent: int) -> Mention | None:
    """The subject of the sentence's speech verb; when the parse misses it, the actor right
    before ("..., General X said") or right after ("said General X") the verb."""
    for verb in parse.tokens:
        if verb.sent == sent and verb.pos == "VERB" and verb.lemma.lower() in SPEECH_VERBS:
            found = _subject_mention(parse, mentions, verb)
            if found is None:
                near = [m for m in mentions if m.sentence_index == sent and (
                    0 <= verb.start - m.span.end <= _ATTRIBUTION_GAP or 0 <= m.span.start - verb.end <= 2)]  # fmt: skip
                found = min(near, key=lambda m: abs(verb.start - m.span.end), default=None)
            if found is not None:
                return found
    return None


def _subject_mention(parse: Parse, mentions: list[Mention], verb: Token) -> Mention | None:
    for subject in (
        t for t in parse.tokens if t.head == verb.i and t.dep in ("nsubj", "nsubjpass")
    ):
        for m in mentions:
            if m.span.start <= subject.start and subject.end <= m.span.end:
                return m
    return None


def _subtree_span(parse: Parse, root: Token) -> Span:
    """The clause under `root`, without its complementizer ("that") and final punctuation."""
    children: dict[int, list[Token]] = {}
    for t in parse.tokens:
        if t.head != t.i and t.sent == root.sent:
            children.setdefault(t.head, []).append(t)
    members = [root.i]
    frontier = [root.i]
    while frontier:
        i = frontier.pop()
        for t in children.get(i, []):
            if not (i == root.i and t.dep in ("mark", "punct")):
                members.append(t.i)
                frontier.append(t.i)
    return Span(parse.tokens[min(members)].start, parse.tokens[max(members)].end)
