"""Quotations and their speakers.

Direct quotes are text between double quotes; indirect quotes are the clause a speech verb
governs ("X said (that) ..."). The speaker is the actor mention that is the subject of the
speech verb of the quote's sentence ("...," Army Chief General X said -> PAKMIL) or, for a
quote closed before a new sentence starts with its attribution, of the next sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..actors.places import PLACE
from ..model import Mention, Quote, Span
from ..parse import Parse, Token
from .lexicon import bundled_semantics

SPEECH_VERBS = bundled_semantics().quote_verbs  # events/data/semantics.yaml
_QUOTED = re.compile(r'"([^"]{3,})"')


def extract_quotes(parse: Parse, mentions: list[Mention]) -> list[Quote]:
    """The direct and indirect quotations of `parse`, each with its speaker when found.
    Linear in the document's length: the tree and the mentions are indexed once."""
    tree = _Tree(parse, mentions)
    quotes: list[Quote] = []
    direct_spans: list[Span] = []
    for m in _QUOTED.finditer(parse.text):
        span = Span(m.start(1), m.end(1))
        direct_spans.append(span)
        sent = _sentence_at(parse, m.end())
        speaker = tree.speaker(sent) or tree.speaker(sent + 1)
        quotes.append(_quote(parse, span, sent, speaker, direct=True))
    direct_spans.sort(key=lambda d: d.start)
    direct_starts = [d.start for d in direct_spans]
    for verb in (v for verbs in tree.speech.values() for v in verbs):
        clause = [t for t in tree.children.get(verb.i, []) if t.dep == "ccomp"]
        if not clause:
            continue
        span = tree.clause_span(clause[0])
        if _inside_direct(span, direct_spans, direct_starts):
            continue  # already a direct quote
        speaker = tree.subject_mention(verb)
        quotes.append(_quote(parse, span, verb.sent, speaker, direct=False))
    return quotes


def _inside_direct(span: Span, direct: list[Span], starts: list[int]) -> bool:
    """Whether `span` lies inside one of the direct quotes (sorted by start; they don't nest)."""
    i = bisect_right(starts, span.start) - 1
    return i >= 0 and span.end <= direct[i].end + 1


def _quote(parse: Parse, span: Span, sent: int, speaker: Mention | None, *, direct: bool) -> Quote:
    return Quote(
        parse.article_id,
        sent,
        span,
        speaker.actor_code if speaker else None,
        speaker.span if speaker else None,
        direct,
        span.of(parse.text),
    )


def _sentence_at(parse: Parse, offset: int) -> int:
    """The first sentence whose span holds `offset` (its end included), else the last one."""
    starts = [s.span.start for s in parse.sentences]
    i = bisect_right(starts, offset) - 1
    for j in (i - 1, i):  # two sentences can touch at `offset`: the first one wins
        if j >= 0 and parse.sentences[j].span.start <= offset <= parse.sentences[j].span.end:
            return parse.sentences[j].index
    return parse.sentences[-1].index if parse.sentences else 0


_ATTRIBUTION_GAP = 40  # characters between a speaker and the speech verb in '..., X said'


class _Tree:
    """The dependency tree and the mentions of one parse, indexed once: children by head,
    each token's subtree extent, speech verbs and mentions by sentence, mentions by token."""

    def __init__(self, parse: Parse, mentions: list[Mention]) -> None:
        self.parse = parse
        mentions = [m for m in mentions if m.resolved_by != PLACE]  # a city never speaks
        self.children = parse.dependents()
        self.speech: dict[int, list[Token]] = {}
        for t in parse.tokens:
            if t.pos == "VERB" and t.lemma.lower() in SPEECH_VERBS:
                self.speech.setdefault(t.sent, []).append(t)
        self.by_sentence: dict[int, list[Mention]] = {}
        for m in mentions:
            self.by_sentence.setdefault(m.sentence_index, []).append(m)
        self.at: dict[int, Mention] = {}  # token -> the first mention (in order) covering it
        for m in mentions:
            for i in parse.tokens_within(m.span):
                self.at.setdefault(i, m)
        self.low, self.high = self._extents()

    def _extents(self) -> tuple[list[int], list[int]]:
        """The first and last token index of every token's subtree, children before heads."""
        tokens = self.parse.tokens
        low, high = [t.i for t in tokens], [t.i for t in tokens]
        order: list[int] = []
        stack = [t.i for t in tokens if t.head == t.i]
        while stack:  # pre-order from the roots; reversed, every child precedes its head
            i = stack.pop()
            order.append(i)
            stack.extend(c.i for c in self.children.get(i, []))
        for i in reversed(order):
            head = tokens[i].head
            if head != i:
                low[head], high[head] = min(low[head], low[i]), max(high[head], high[i])
        return low, high

    def clause_span(self, root: Token) -> Span:
        """The clause under `root`, without its complementizer ("that") and final punctuation."""
        first, last = root.i, root.i
        for c in self.children.get(root.i, []):
            if c.dep not in ("mark", "punct") and c.sent == root.sent:
                first, last = min(first, self.low[c.i]), max(last, self.high[c.i])
        return Span(self.parse.tokens[first].start, self.parse.tokens[last].end)

    def subject_mention(self, verb: Token) -> Mention | None:
        for subject in self.children.get(verb.i, []):
            if subject.dep in ("nsubj", "nsubjpass") and subject.i in self.at:
                return self.at[subject.i]
        return None

    def speaker(self, sent: int) -> Mention | None:
        """The subject of the sentence's speech verb; when the parse misses it, the actor right
        before ("..., General X said") or right after ("said General X") the verb."""
        for verb in self.speech.get(sent, []):
            found = self.subject_mention(verb)
            if found is None:
                near = [
                    m
                    for m in self.by_sentence.get(sent, [])
                    if (
                        0 <= verb.start - m.span.end <= _ATTRIBUTION_GAP
                        or 0 <= m.span.start - verb.end <= 2
                    )
                ]
                found = min(near, key=lambda m: abs(verb.start - m.span.end), default=None)
            if found is not None:
                return found
        return None
