"""Verb patterns: "- * (FOR {FINANCIAL AID}) [0233]" -> a VerbPattern of Elements; the legacy
syntax approximated is listed in the docstring of verbs.py."""

from __future__ import annotations

import re

from .lines import _BRACKET, _code, _reverse_code
from .records import Element, VerbPattern, _LineError
from .synsets import _VerbContext

_TOKEN = re.compile(r"[{}()]|[^\s{}()]+")
_SLOTS = {"$": "source", "+": "target", "%": "compound"}
_SPECIAL = {"*", "^", *_SLOTS}  # tokens that are not words


def _pattern(number: int, text: str, verb: str, ctx: _VerbContext) -> VerbPattern:
    """ "* (FOR {FINANCIAL AID}) [0233]" -> a VerbPattern; raises _LineError."""
    match = _BRACKET.search(text)
    if not match:
        raise _LineError("pattern without a [code]")
    tokens = _pattern_tokens(number, text[: match.start()], ctx)
    stars = [i for i, token in enumerate(tokens) if token == "*"]
    if len(stars) != 1:
        raise _LineError(f"pattern with {len(stars)} '*' (the verb) instead of one")
    before = _elements(number, tokens[: stars[0]], ctx)
    after = _elements(number, tokens[stars[0] + 1 :], ctx)
    origin = f"{ctx.name}:{number}"
    code, reverse = _code(match.group(1)), _reverse_code(match.group(1))
    return VerbPattern(code, verb, tuple(before), tuple(after), origin, reverse)


def _pattern_tokens(number: int, body: str, ctx: _VerbContext) -> list[str]:
    """Tokens: braces and parentheses alone; "*" and slots split off words ("IN_*", "*_OUT")."""
    tokens: list[str] = []
    for token in _TOKEN.findall(body):
        pieces = _split_special(token)
        if len(pieces) > 1 and "_" in token:
            ctx.note(
                number,
                f"approximated: '{token}': '_' joining a word to '*' or a slot read as a blank",
            )
        tokens.extend(pieces)
    return tokens


def _split_special(token: str) -> list[str]:
    """ "IN_AND_*_OUT" -> ["IN_AND", "*", "OUT"]; "*SCEPTICAL" -> ["*", "SCEPTICAL"]."""
    pieces: list[str] = []
    run: list[str] = []
    for part in token.replace("*", "_*_").split("_"):
        if part in _SPECIAL:
            pieces.extend(["_".join(run), part])
            run = []
        else:
            run.append(part)
    pieces.append("_".join(run))
    return [piece for piece in pieces if piece.strip("_")]


def _elements(number: int, tokens: list[str], ctx: _VerbContext) -> list[Element]:
    """The elements of one side of the "*"."""
    out: list[Element] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("(", "{"):
            end = _closing(tokens, i)
            inner = tokens[i + 1 : end]
            out.extend(_prep(number, inner, ctx) if token == "(" else [_braced(inner, ctx)])
            i = end
        elif token in (")", "}"):
            raise _LineError(f"unmatched '{token}'")
        else:
            out.extend(_simple(number, token, ctx))
        i += 1
    return out


def _closing(tokens: list[str], start: int) -> int:
    """Index of the ")" or "}" closing tokens[start]; a "{...}" may sit inside "(...)"."""
    close = ")" if tokens[start] == "(" else "}"
    for i in range(start + 1, len(tokens)):
        if tokens[i] == close:
            return i
        if tokens[i] == "(" or (tokens[i] == "{" and close == "}"):
            break
    raise _LineError(f"unclosed '{tokens[start]}'")


def _simple(number: int, token: str, ctx: _VerbContext) -> list[Element]:
    """A bare token: an actor slot, "^" (a skip element) or a word/phrase."""
    if token in _SLOTS:
        return [Element(_SLOTS[token])]
    if token == "^":
        return [Element("skip")]  # TABARI: skip a noun phrase
    positions = _positions(token, ctx)
    if not positions:
        return []
    return [Element("word" if len(positions) == 1 else "phrase", positions)]


def _braced(tokens: list[str], ctx: _VerbContext) -> Element:
    """ "{FINANCIAL &AID}" -> a phrase (a word when it has one position)."""
    if any(token in _SPECIAL or token in ("(", ")", "{") for token in tokens):
        raise _LineError("only words and synsets may appear inside {...}")
    positions = tuple(p for token in tokens for p in _positions(token, ctx))
    if not positions:
        raise _LineError("empty {...}")
    return Element("word" if len(positions) == 1 else "phrase", positions)


def _prep(number: int, tokens: list[str], ctx: _VerbContext) -> list[Element]:
    """ "(FOR {FINANCIAL AID})" -> a prep element; "(TO +)" -> prep "to" then a target."""
    words = [token for token in tokens if token not in ("{", "}")]
    if not words or words[0] in _SPECIAL:
        raise _LineError("(...) must start with a preposition")
    slots: list[Element] = []
    positions = list(_positions(words[0], ctx))
    for token in words[1:]:
        if token in _SPECIAL:
            slots.extend(_simple(number, token, ctx))
        else:
            positions.extend(_positions(token, ctx))
    if any(e.kind != "skip" for e in slots):
        ctx.note(number, "approximated: actor slot inside (...) put after the prep element")
    return [Element("prep", tuple(positions)), *slots]


def _positions(token: str, ctx: _VerbContext) -> tuple[frozenset[str], ...]:
    """ "FIGHTER_&AIRCRAFT" -> ({fighter}, {aircraft, jet, ...}); "A/B" -> ({a, b},).

    A synset name may itself contain "_" (&FIGHT_OF_WORDS): the longest defined name wins.
    """
    parts = token.split("_")
    out: list[frozenset[str]] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("&"):
            end = _synset_end(parts, i, ctx)
            out.append(ctx.synsets["_".join(parts[i:end]).upper()])
            i = end
            continue
        alternatives = [alt.lower() for alt in parts[i].split("/") if alt]
        if alternatives:
            out.append(ctx.intern(_alternatives(alternatives, ctx)))
        i += 1
    return tuple(out)


def _synset_end(parts: list[str], start: int, ctx: _VerbContext) -> int:
    for end in range(len(parts), start, -1):
        if "_".join(parts[start:end]).upper() in ctx.synsets:
            return end
    raise _LineError(f"undefined synset {parts[start].upper()}")


def _alternatives(alternatives: list[str], ctx: _VerbContext) -> set[str]:
    """ "to/&preposit1" -> the words, with synsets expanded."""
    words: set[str] = set()
    for alt in alternatives:
        if not alt.startswith("&"):
            words.add(alt)
        elif alt.upper() in ctx.synsets:
            words |= ctx.synsets[alt.upper()]
        else:
            raise _LineError(f"undefined synset {alt.upper()}")
    return words
