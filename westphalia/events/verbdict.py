"""PETRARCH/TABARI verb patterns matched on the dependency parse.

A verb dictionary (westphalia.dictionaries.VerbDictionary: the bundled Phoenix CAMEO.2.0, or a
user's own) gives each verb form a block of patterns such as `- * (FOR {HUMANITARIAN AID})
[0233]`. Here the words after the `*` are looked for, in order, among the tokens of the verb's
own phrase (its dependency subtree to the right, without embedded clauses), the words before
it in the verb's subject; `{A B}` words must be near each other, `(P X)` needs the preposition
P with X inside its phrase, and a bare `(P)` or a `+` says where the target is. The most
specific pattern that matches wins; with none, the verb's own code applies; `---` means "no
event".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from ..dictionaries import Element, VerbDictionary, VerbEntry, VerbPattern
from ..parse import Parse, Token

NULL_CODE = "---"
# Dependents that start another clause: their words belong to another verb's phrase.
_CLAUSE_DEPS = frozenset(
    {"ccomp", "xcomp", "advcl", "conj", "parataxis", "relcl", "acl", "csubj", "punct", "cc",
     "mark", "aux", "auxpass", "neg", "nsubj", "nsubjpass", "expl"}
)  # fmt: skip
_PHRASE_GAP = 3  # tokens allowed between the words of one {A B} phrase ("A much-needed B")


@dataclass(frozen=True, slots=True)
class DictMatch:
    """The code a verb dictionary gives one verb token, and where its words were found."""

    code: str
    lemma: str  # the verb's dictionary lemma ("cordon off")
    pattern: VerbPattern | None  # None: the verb's own code
    specificity: int  # pattern words found beyond the verb
    obj: int | None  # the first noun the pattern matched after the verb (its object)
    target_from: int | None  # token index from which a `+`/bare-preposition target is read
    words: tuple[int, ...]  # tokens of the verb and the pattern words

    @property
    def name(self) -> str:
        where = f" @{self.pattern.origin}" if self.pattern is not None else ""
        return f"{self.code}:{self.lemma}{where}"


class VerbIndex:
    """A verb dictionary indexed by every word of every verb form."""

    def __init__(self, verbs: VerbDictionary) -> None:
        self.verbs = verbs

    @cached_property
    def _by_word(self) -> dict[str, list[tuple[tuple[str, ...], VerbEntry]]]:
        index: dict[str, list[tuple[tuple[str, ...], VerbEntry]]] = {}
        for form, entry in self.verbs.entries.items():
            words = tuple(form.split())
            for word in set(words):
                index.setdefault(word, []).append((words, entry))
        return index

    def knows(self, token: Token) -> bool:
        return token.text.lower() in self._by_word or token.lemma.lower() in self._by_word

    def entry(
        self, token: Token, parse: Parse, children: dict[int, list[Token]]
    ) -> tuple[VerbEntry, tuple[int, ...]] | None:
        """The longest verb form that `token` heads, with the tokens it covers."""
        best: tuple[VerbEntry, tuple[int, ...]] | None = None
        for key in dict.fromkeys((token.text.lower(), token.lemma.lower())):
            for words, entry in self._by_word.get(key, ()):
                covered = _form_tokens(words, key, token, parse, children)
                if covered is not None and (best is None or len(covered) > len(best[1])):
                    best = (entry, covered)
        return best

    def match(
        self, token: Token, parse: Parse, children: dict[int, list[Token]]
    ) -> DictMatch | None:
        """The code of `token` as a verb of this dictionary, or None when it is not one."""
        found = self.entry(token, parse, children)
        if found is None:
            return None
        entry, covered = found
        region = _region(token, children, exclude=set(covered))
        before = _before_region(token, parse, children)
        for pattern in self.verbs.patterns.get(entry.block, ()):
            hit = _match_pattern(pattern, region, before, parse, children)
            if hit is not None:
                words, obj, target_from = hit
                return DictMatch(pattern.code, entry.lemma, pattern, len(words), obj, target_from,
                                 tuple(sorted({*covered, *words})))  # fmt: skip
        return DictMatch(entry.code, entry.lemma, None, 0, None, None, covered)


def _form_tokens(
    words: tuple[str, ...], key: str, token: Token, parse: Parse, children: dict[int, list[Token]]
) -> tuple[int, ...] | None:
    """Tokens of a multi-word verb form around `token` ("cordoned off": the verb and its
    particle; "wire tapped": the word before it), or None when they are not there."""
    if len(words) == 1:
        return (token.i,)
    if key not in words:
        return None
    at = words.index(key)
    covered = [token.i]
    for offset, word in enumerate(reversed(words[:at]), 1):  # words before the verb: adjacent
        i = token.i - offset
        if i < 0 or parse.tokens[i].text.lower() != word:
            return None
        covered.append(i)
    for word in words[at + 1 :]:  # particles: children after the verb, or the next tokens
        kid = next((c for c in children.get(token.i, []) if c.i > token.i and c.text.lower() == word
                    and c.i not in covered), None)  # fmt: skip
        if kid is None:
            return None
        covered.append(kid.i)
    return tuple(sorted(covered))


def _region(verb: Token, children: dict[int, list[Token]], *, exclude: set[int]) -> list[Token]:
    """The verb's own phrase after it: its subtree to the right, without embedded clauses."""
    out: list[Token] = []
    stack = [c for c in children.get(verb.i, []) if c.i > verb.i and c.dep not in _CLAUSE_DEPS]
    while stack:
        token = stack.pop()
        if token.i not in exclude:
            out.append(token)
        stack += [c for c in children.get(token.i, []) if c.dep not in _CLAUSE_DEPS - {"cc"}]
    return sorted(out, key=lambda t: t.i)


def _before_region(verb: Token, parse: Parse, children: dict[int, list[Token]]) -> list[Token]:
    """The words before the verb that a pattern's pre-verb part may name: its subject phrase."""
    out: list[Token] = []
    stack = [
        c for c in children.get(verb.i, []) if c.i < verb.i and c.dep in ("nsubj", "nsubjpass")
    ]
    while stack:
        token = stack.pop()
        out.append(token)
        stack += children.get(token.i, [])
    return sorted(out, key=lambda t: t.i)


def _words_of(token: Token) -> tuple[str, str]:
    return token.text.lower(), token.lemma.lower()


def _is(token: Token, options: frozenset[str]) -> bool:
    text, lemma = _words_of(token)
    return text in options or lemma in options


def _match_pattern(
    pattern: VerbPattern,
    region: list[Token],
    before: list[Token],
    parse: Parse,
    children: dict[int, list[Token]],
) -> tuple[list[int], int | None, int | None] | None:
    """(pattern word tokens, object token, target position) when `pattern` matches."""
    pre = _sequence(pattern.before, before, parse, children)
    post = _sequence(pattern.after, region, parse, children)
    if pre is None or post is None:
        return None
    return pre[0] + post[0], post[1], post[2]


def _sequence(
    elements: tuple[Element, ...],
    tokens: list[Token],
    parse: Parse,
    children: dict[int, list[Token]],
) -> tuple[list[int], int | None, int | None] | None:
    """Match the elements in order over `tokens` (gaps allowed between elements)."""
    words: list[int] = []
    obj = target_from = None
    pos = 0  # index into tokens
    for element in elements:
        if element.kind in ("source", "compound"):
            continue
        if element.kind == "target":
            target_from = tokens[pos].i if pos < len(tokens) else None
            continue
        found = _find(element, tokens, pos, parse, children)
        if found is None:
            return None
        matched, pos, bare_prep = found
        if element.kind in ("word", "phrase") and obj is None:
            obj = matched[-1]
        if bare_prep is not None:
            target_from = bare_prep
        words += matched
    return words, obj, target_from


def _find(
    element: Element,
    tokens: list[Token],
    start: int,
    parse: Parse,
    children: dict[int, list[Token]],
) -> tuple[list[int], int, int | None] | None:
    """(matched token indices, next position, bare-preposition target) for the first match of
    `element` at or after tokens[start]."""
    for k in range(start, len(tokens)):
        token = tokens[k]
        if element.kind == "word":
            span = _multiword(element.words[0], tokens, k)
            if span:
                return span, k + len(span), None
        elif element.kind == "phrase":
            span, last = _phrase(element.words, tokens, k)
            if span:
                return span, last + 1, None
        elif element.kind == "prep" and _is(token, element.words[0]):
            inner = _prep_object(element.words[1:], token, children)
            if inner is not None:
                bare = token.i if len(element.words) == 1 else None
                return [token.i, *inner], k + 1, bare
    return None


def _multiword(options: frozenset[str], tokens: list[Token], k: int) -> list[int]:
    """Tokens from tokens[k] that spell one of `options` (single or space-joined words)."""
    for option in options:
        parts = option.split()
        if k + len(parts) > len(tokens):
            continue
        span = tokens[k : k + len(parts)]
        if all(_is(t, frozenset((p,))) for t, p in zip(span, parts, strict=True)):
            return [t.i for t in span]
    return []


def _phrase(
    positions: tuple[frozenset[str], ...], tokens: list[Token], k: int
) -> tuple[list[int], int]:
    """{A B C}: A at tokens[k], then B and C each within a few tokens of the previous word;
    the matched tokens and the position of the last one."""
    if not _is(tokens[k], positions[0]):
        return [], k
    matched, last = [tokens[k].i], k
    for options in positions[1:]:
        nxt = next((j for j in range(last + 1, min(last + 1 + _PHRASE_GAP, len(tokens)))
                    if _is(tokens[j], options)), None)  # fmt: skip
        if nxt is None:
            return [], k
        matched.append(tokens[nxt].i)
        last = nxt
    return matched, last


def _prep_object(
    positions: tuple[frozenset[str], ...], prep: Token, children: dict[int, list[Token]]
) -> list[int] | None:
    """The words inside a preposition's phrase, in order (empty for a bare preposition)."""
    if not positions:
        return []
    inside = sorted(_subtree(prep, children), key=lambda t: t.i)
    matched: list[int] = []
    pos = 0
    for options in positions:
        j = next((j for j in range(pos, len(inside)) if _is(inside[j], options)), None)
        if j is None:
            return None
        matched.append(inside[j].i)
        pos = j + 1
    return matched


def _subtree(token: Token, children: dict[int, list[Token]]) -> Iterator[Token]:
    for child in children.get(token.i, []):
        yield child
        yield from _subtree(child, children)
