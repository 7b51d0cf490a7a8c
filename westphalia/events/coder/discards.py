"""Discards: the tokens a user dictionary's discard phrase rules out as triggers (sports,
entertainment, history): the clause the phrase is in, the whole sentence when no verb holds it,
the whole story for a story discard.
"""

from __future__ import annotations

from ...parse import Token
from ..lexicon import Lexicon
from .view import _CLAUSE_DEPTH, _Actors


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
