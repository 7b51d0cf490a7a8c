"""PETRARCH/TABARI verb patterns matched on the dependency parse.

A verb dictionary (westphalia.dictionaries.VerbDictionary: the bundled Phoenix CAMEO.2.0, or a
user's own) gives each verb form a block of patterns such as `- * (FOR {HUMANITARIAN AID})
[0233]`. Here the words after the `*` are looked for, in order, among the tokens of the verb's
own phrase (its dependency subtree to the right, without embedded clauses but with the verb
of an open clause: "believed linked to"), the words before it in the verb's subject; `{A B}`
words must be near each other, `(P X)` needs the preposition P with X next in its phrase
(determiners aside), `%` coordinated actors, and a bare `(P)` or a `+` says where the target
is. The most specific pattern that matches wins (most elements, then most words matched);
with none, the verb's own code applies; `---` means "no event".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from ..dictionaries import VerbDictionary, VerbEntry, VerbPattern
from ..parse import Parse, Token

NULL_CODE = "---"
# Dependents that start another clause: their words belong to another verb's phrase.
_PHRASE_HEADS = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
_PHRASE_MODIFIERS = frozenset({"compound", "amod", "nmod", "poss", "nummod", "quantmod"})
_CLAUSE_DEPS = frozenset(
    {
        "ccomp",
        "xcomp",
        "advcl",
        "conj",
        "parataxis",
        "relcl",
        "acl",
        "csubj",
        "punct",
        "cc",
        "mark",
        "aux",
        "auxpass",
        "neg",
        "nsubj",
        "nsubjpass",
        "expl",
    }
)
# Other words allowed inside one {A B C} phrase, never right before its head (last) word. From
# the PETRARCH validation suites: {NEW &TIETYPES RELATIONS} takes "new global economic
# relations" but not "new global economic trade relations", {&TIETYPES MEMOS} not "cultural
# internal memos"; with 2 (the former limit) both suites lost those records, with 0 the first.
_PHRASE_SKIP = 1
# Words that may sit between the words of a (P A B) pattern: "(FOR ASYLUM)" takes "for the
# asylum", not "for foreign asylum" (PETRARCH validation suite). On 3,000 Reuters sentences
# with the Phoenix dictionary 7 of 7,454 verb matches changed, as many better as worse.
_FUNCTION_DEPS = frozenset({"det", "predet", "poss", "case", "nummod", "quantmod", "punct"})
_XHEAD = frozenset({"xcomp"})  # an open clause's verb (not its phrase) is a pattern word


@dataclass(frozen=True, slots=True)
class DictMatch:
    """The code a verb dictionary gives one verb token, and where its words were found."""

    code: str
    lemma: str  # the verb's dictionary lemma ("cordon off")
    reverse: str  # a paired code's second half: the target's event towards the source
    pattern: VerbPattern | None  # None: the verb's own code
    specificity: int  # pattern words found beyond the verb
    obj: int | None  # the first noun the pattern matched after the verb (its object)
    target_from: int | None  # token index from which a `+`/bare-preposition target is read
    words: tuple[int, ...]  # tokens of the verb and the pattern words
    # token index from which a `$` source is read: "- + * MONEY $" ("X received money from Y")
    # names Y the source, and the subject, marked `+`, the target
    source_from: int | None = None
    target_before: bool = False  # the `+` is before the verb: the target is the subject

    @property
    def name(self) -> str:
        where = f" @{self.pattern.origin}" if self.pattern is not None else ""
        return f"{self.code}:{self.lemma}{where}"


@dataclass(frozen=True, slots=True)
class _Words:
    """One set of alternative words, compiled: single words, and multi-word alternatives keyed
    by their first word."""

    single: frozenset[str]
    multi: dict[str, tuple[tuple[str, ...], ...]]

    @property
    def firsts(self) -> frozenset[str]:
        return self.single | frozenset(self.multi)


def _words(options: frozenset[str]) -> _Words:
    multi: dict[str, list[tuple[str, ...]]] = {}
    for option in options:
        parts = tuple(option.split())
        if len(parts) > 1:
            multi.setdefault(parts[0], []).append(parts[1:])
    return _Words(
        frozenset(o for o in options if " " not in o), {k: tuple(v) for k, v in multi.items()}
    )


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # as Element.kind
    words: tuple[_Words, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A pattern ready to match, with the words each of its parts needs (to skip patterns
    whose words the sentence lacks before trying them)."""

    pattern: VerbPattern
    before: tuple[_Step, ...]
    after: tuple[_Step, ...]
    needs_before: tuple[frozenset[str], ...]
    needs_after: tuple[frozenset[str], ...]


def _compile(pattern: VerbPattern) -> _Compiled:
    before = tuple(_Step(e.kind, tuple(_words(w) for w in e.words)) for e in pattern.before)
    after = tuple(_Step(e.kind, tuple(_words(w) for w in e.words)) for e in pattern.after)
    return _Compiled(pattern, before, after, _needs(before), _needs(after))


def _needs(steps: tuple[_Step, ...]) -> tuple[frozenset[str], ...]:
    return tuple(s.words[0].firsts for s in steps if s.words)


class VerbIndex:
    """A verb dictionary indexed by every word of every verb form, its patterns compiled."""

    def __init__(self, verbs: VerbDictionary) -> None:
        self.verbs = verbs
        self._compiled: dict[str, tuple[_Compiled, ...]] = {}

    @cached_property
    def _by_word(self) -> dict[str, list[tuple[tuple[str, ...], VerbEntry]]]:
        index: dict[str, list[tuple[tuple[str, ...], VerbEntry]]] = {}
        for form, entry in self.verbs.entries.items():
            words = tuple(form.split())
            for word in set(words):
                index.setdefault(word, []).append((words, entry))
        return index

    def _patterns(self, block: str) -> tuple[_Compiled, ...]:
        if block not in self._compiled:
            self._compiled[block] = tuple(_compile(p) for p in self.verbs.patterns.get(block, ()))
        return self._compiled[block]

    def entry(
        self, token: Token, parse: Parse, children: dict[int, list[Token]]
    ) -> tuple[VerbEntry, tuple[int, ...]] | None:
        """The longest verb form that `token` heads, with the tokens it covers."""
        best: tuple[VerbEntry, tuple[int, ...]] | None = None
        text, lemma = token.text.lower(), token.lemma.lower()
        keys = (text,) if _misspelt(text, lemma) else (text, lemma)
        for key in dict.fromkeys(keys):
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
        patterns = self._patterns(entry.block)
        if not patterns:
            return DictMatch(entry.code, entry.lemma, entry.reverse, None, 0, None, None, covered)
        region = _region(token, children, exclude=set(covered))
        before = _before_region(token, parse, children)
        after_words = {w for t in region for w in _words_of(t)}
        before_words = {w for t in before for w in _words_of(t)}
        best: tuple[int, _Compiled, _Slots] | None = None
        for compiled in patterns:
            if best is not None and _size(compiled) < _size(best[1]):
                break  # patterns come most specific first: the rest have fewer elements
            if any(n.isdisjoint(after_words) for n in compiled.needs_after) or any(
                n.isdisjoint(before_words) for n in compiled.needs_before
            ):
                continue
            hit = _match_pattern(compiled, region, before, children)
            if hit is not None and (best is None or _score(compiled, hit.words) > best[0]):
                best = (_score(compiled, hit.words), compiled, hit)
        if best is None:
            return DictMatch(entry.code, entry.lemma, entry.reverse, None, 0, None, None, covered)
        _, compiled, hit = best
        return DictMatch(
            compiled.pattern.code,
            entry.lemma,
            compiled.pattern.reverse,
            compiled.pattern,
            len(hit.words),
            hit.obj,
            hit.target_from,
            tuple(sorted({*covered, *hit.words})),
            hit.source_from,
            hit.target_before,
        )


def _size(compiled: _Compiled) -> int:
    return len(compiled.pattern.before) + len(compiled.pattern.after)


def _score(compiled: _Compiled, words: list[int]) -> int:
    """Among patterns of one size, the one matching more words wins ("silver crown" over
    "crown"); a satisfied `%` counts as a word."""
    return len(words) + sum(s.kind == "compound" for s in (*compiled.before, *compiled.after))


def _misspelt(text: str, lemma: str) -> bool:
    """An "-es" where the verb takes "-s" ("departes"): the lemmatizer still gives the verb,
    but PETRARCH, which knows only a verb's real forms, codes nothing."""
    return text == lemma + "es" and not lemma.endswith(("s", "x", "z", "ch", "sh", "o"))


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
        kid = next(
            (
                c
                for c in children.get(token.i, [])
                if c.i > token.i and c.text.lower() == word and c.i not in covered
            ),
            None,
        )
        if kid is None:
            return None
        covered.append(kid.i)
    return tuple(sorted(covered))


def _region(verb: Token, children: dict[int, list[Token]], *, exclude: set[int]) -> list[Token]:
    """The verb's own phrase after it: its subtree to the right, without embedded clauses but
    with the verb of an open clause (xcomp)."""
    out: list[Token] = [
        c
        for c in children.get(verb.i, [])
        if c.i > verb.i and c.dep in _XHEAD and c.i not in exclude
    ]
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


def _is(token: Token, words: _Words) -> bool:
    text, lemma = _words_of(token)
    return text in words.single or lemma in words.single


@dataclass(frozen=True, slots=True)
class _Slots:
    """Where a pattern matched: its word tokens, its object, and where its slots point."""

    words: list[int]
    obj: int | None = None
    target_from: int | None = None
    source_from: int | None = None
    target_before: bool = False  # (of a whole pattern) a `+` before the verb
    target_slot: bool = False  # (of one side) a `+` on it


def _match_pattern(
    compiled: _Compiled,
    region: list[Token],
    before: list[Token],
    children: dict[int, list[Token]],
) -> _Slots | None:
    """Where the pattern matched, or None. A `$` after the verb is the source; a `+` before it
    makes the subject the target."""
    pre = _sequence(compiled.before, before, children)
    post = _sequence(compiled.after, region, children) if pre is not None else None
    if pre is None or post is None:
        return None
    return _Slots(
        pre.words + post.words,
        post.obj,
        post.target_from,
        post.source_from,
        target_before=pre.target_slot,
    )


def _sequence(
    steps: tuple[_Step, ...], tokens: list[Token], children: dict[int, list[Token]]
) -> _Slots | None:
    """Match the steps in order over `tokens` (gaps allowed between steps)."""
    words: list[int] = []
    obj = target_from = source_from = None
    target_slot = False
    pos = 0  # index into tokens
    for n, step in enumerate(steps):
        if step.kind == "compound":
            if not any(t.dep in ("cc", "conj") for t in tokens[pos:]):
                return None  # `%` needs coordinated actors there ("A and B")
            continue
        if step.kind == "skip":  # "^": past the next noun phrase ("(IN ^) +": in X, then +)
            pos = _after_phrase(tokens, pos)
            continue
        if step.kind == "source":
            if source_from is None:
                source_from = tokens[pos].i if pos < len(tokens) else None
            continue
        if step.kind == "target":
            target_from = tokens[pos].i if pos < len(tokens) else None
            target_slot = True
            continue
        found = _find(step, tokens, pos, children)
        if found is None:
            return None
        matched, pos, bare_prep = found
        if step.kind in ("word", "phrase") and obj is None:
            obj = matched[-1]
        if bare_prep is not None:  # "(FROM $)": the source's preposition, "(TO +)" or "(TO)"
            if n + 1 < len(steps) and steps[n + 1].kind == "source":
                source_from = bare_prep
            else:
                target_from = bare_prep
        words += matched
    return _Slots(words, obj, target_from, source_from, target_slot=target_slot)


def _after_phrase(tokens: list[Token], pos: int) -> int:
    """The position after the head of the next noun phrase from tokens[pos] (pos if none)."""
    for k in range(pos, len(tokens)):
        token = tokens[k]
        if token.pos in _PHRASE_HEADS and token.dep not in _PHRASE_MODIFIERS:
            return k + 1
    return pos


def _find(
    step: _Step, tokens: list[Token], start: int, children: dict[int, list[Token]]
) -> tuple[list[int], int, int | None] | None:
    """(matched token indices, next position, bare-preposition target) for the first match of
    `step` at or after tokens[start]."""
    for k in range(start, len(tokens)):
        token = tokens[k]
        if step.kind == "word":
            span = _multiword(step.words[0], tokens, k)
            if span:
                return span, k + len(span), None
        elif step.kind == "phrase":
            span, last = _phrase(step.words, tokens, k)
            if span:
                return span, last + 1, None
        elif step.kind == "prep" and _is(token, step.words[0]):
            inner = _prep_object(step.words[1:], token, tokens[k + 1 :], children)
            if inner is not None:
                bare = token.i if len(step.words) == 1 else None
                return [token.i, *inner], k + 1, bare
    return None


def _multiword(words: _Words, tokens: list[Token], k: int) -> list[int]:
    """Tokens from tokens[k] that spell one of the alternatives (single or multi-word)."""
    token = tokens[k]
    if _is(token, words):
        return [token.i]
    for key in dict.fromkeys(_words_of(token)):
        for rest in words.multi.get(key, ()):
            span = tokens[k + 1 : k + 1 + len(rest)]
            if len(span) == len(rest) and all(
                w in _words_of(t) for t, w in zip(span, rest, strict=True)
            ):
                return [token.i, *(t.i for t in span)]
    return []


def _phrase(positions: tuple[_Words, ...], tokens: list[Token], k: int) -> tuple[list[int], int]:
    """{A B C}: A at tokens[k], then B and C in order with at most _PHRASE_SKIP other words
    between them in all, none before the last (the head: "new global economic relations" is
    {NEW ECONOMIC RELATIONS}, "new economic trade relations" is not); the matched tokens and
    the position of the last one."""
    if not _is(tokens[k], positions[0]):
        return [], k
    matched, last, skipped = [tokens[k].i], k, 0
    for n, options in enumerate(positions[1:], 2):
        room = 0 if n == len(positions) else _PHRASE_SKIP - skipped
        nxt = next(
            (
                j
                for j in range(last + 1, min(last + 2 + room, len(tokens)))
                if _is(tokens[j], options)
            ),
            None,
        )
        if nxt is None:
            return [], k
        matched.append(tokens[nxt].i)
        skipped += nxt - last - 1
        last = nxt
    return matched, last


def _prep_object(
    positions: tuple[_Words, ...],
    prep: Token,
    following: list[Token],
    children: dict[int, list[Token]],
) -> list[int] | None:
    """The words inside a preposition's phrase, in order (empty for a bare preposition). A
    preposition parsed as the verb's particle ("clash over the plan": `over` prt, `plan`
    dobj) has no phrase of its own: its words are looked for in the `following` tokens."""
    if not positions:
        return []
    inside = sorted(_subtree(prep, children), key=lambda t: t.i)
    if not inside and prep.dep == "prt":
        inside = following
    matched: list[int] = []
    pos = 0
    for options in positions:
        j = next(
            (
                j
                for j in range(pos, len(inside))
                if _is(inside[j], options) or inside[j].dep not in _FUNCTION_DEPS
            ),
            None,
        )
        if j is None or not _is(inside[j], options):
            return None  # words of (P A B) follow each other ("for asylum", not "for new asylum")
        matched.append(inside[j].i)
        pos = j + 1
    return matched


def _subtree(token: Token, children: dict[int, list[Token]]) -> Iterator[Token]:
    for child in children.get(token.i, []):
        yield child
        yield from _subtree(child, children)
