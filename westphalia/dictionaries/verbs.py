"""Read a PETRARCH verb dictionary: synsets, verb blocks, patterns and transformations.

A block's patterns are keyed by its primary verb: the verb named in its "--- X ---" header
when the block lists it, else its first one-word verb. A verb listed in two blocks keeps the
first. Synsets may be defined anywhere and may contain synsets; they are keyed "&NAME" without
a trailing "_". Paired codes "[042:043]" (TABARI: A->B 042 plus B->A 043) keep the first as
the code and the second as `reverse`; a reverse-only "[:173]" has the null code.

Legacy syntax that has no Element is approximated and recorded in `skipped` with a reason
starting "approximated":
  - "_" joining a word to the verb or a slot ("IN_*", "*_OUT", "SUGGESTED_+") is a blank;
  - "(TO +)", "(INTO $)": the preposition becomes a prep element followed by the slot;
  - a multi-word verb without "+" takes its first word as the verb.
TABARI's "^" (skip words) is read as a skip element: past one noun phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .lines import _BRACKET, _VOWELS, _code, _lines, _phrase, _reverse_code, _words
from .patterns import _pattern
from .records import Transformation, VerbDictionary, VerbEntry, VerbPattern, _LineError
from .synsets import _collect_synsets, _expand_synsets, _VerbContext

_TRANSFORM = re.compile(
    r"^~\s*(\S+)\s*\(\s*(\S+)\s+(\S+)\s+([^\s)]+)\s*\)\s*(\S+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s*$"
)


@dataclass
class _Block:
    """A verb block being read: header, verb lines and pattern lines with line numbers."""

    name: str
    code: str
    reverse: str = ""
    verbs: list[tuple[int, str]] = field(default_factory=list)
    patterns: list[tuple[int, str]] = field(default_factory=list)


def read_verbs(path: Path) -> VerbDictionary:
    """Read a PETRARCH verb dictionary (synsets, verb blocks, patterns, transformations)."""
    lines = _lines(path)
    ctx = _VerbContext(path.name)
    raw_synsets, used = _collect_synsets(lines, ctx)
    ctx.synsets = _expand_synsets(raw_synsets, ctx)
    blocks, transformations = _collect_blocks([ln for ln in lines if ln[0] not in used], ctx)
    entries: dict[str, VerbEntry] = {}
    patterns: dict[str, list[VerbPattern]] = {}
    for block in blocks:
        _add_block(block, ctx, entries, patterns)
    skipped = tuple(f"{path.name}:{line}: {why}" for line, why in sorted(set(ctx.notes)))
    return VerbDictionary(
        entries=entries,
        patterns={verb: _most_specific_first(pats) for verb, pats in patterns.items()},
        synsets=ctx.synsets,
        transformations=tuple(transformations),
        skipped=skipped,
    )


def _collect_blocks(
    lines: list[tuple[int, str]], ctx: _VerbContext
) -> tuple[list[_Block], list[Transformation]]:
    """The second pass: group verb and pattern lines into blocks; read transformations."""
    blocks: list[_Block] = []
    transformations: list[Transformation] = []
    for number, line in lines:
        if line.startswith("---"):
            blocks.append(_header(line))
        elif line.startswith("~"):
            _add_transformation(number, line, ctx, transformations)
        elif not blocks:
            ctx.note(number, "skipped: verb or pattern before the first '--- VERB [code] ---' line")
        elif line.startswith("-"):
            blocks[-1].patterns.append((number, line[1:]))
        elif line.startswith("*"):
            ctx.note(number, "approximated: pattern line without the leading '-'")
            blocks[-1].patterns.append((number, line))
        else:
            blocks[-1].verbs.append((number, line))
    return blocks, transformations


def _header(line: str) -> _Block:
    """ "---  GRANT   [070]  ---" -> a block named "grant" with primary code "070"."""
    match = _BRACKET.search(line)
    code = _code(match.group(1)) if match else "---"
    reverse = _reverse_code(match.group(1)) if match else ""
    name = _BRACKET.sub(" ", line).strip().strip("-").strip()
    return _Block(_phrase(name), code, reverse)


def _add_transformation(
    number: int, line: str, ctx: _VerbContext, out: list[Transformation]
) -> None:
    match = _TRANSFORM.match(line)
    if not match:
        ctx.note(number, "skipped: transformation not of the form '~ a (b c VERB) VERB = a b CODE'")
        return
    a, b, c, inner, outer, source, target, code = match.groups()
    origin = f"{ctx.name}:{number}"
    out.append(Transformation(a, b, c, inner.lower(), outer.lower(), source, target, code, origin))


def _add_block(
    block: _Block,
    ctx: _VerbContext,
    entries: dict[str, VerbEntry],
    patterns: dict[str, list[VerbPattern]],
) -> None:
    """Read a block's verbs into `entries` and its patterns under the block's primary verb."""
    verbs = _block_verbs(block, ctx)
    primary = _primary(block, [entry.lemma for _, entry in verbs])
    for number, entry in verbs:
        _add_entry(number, _with_block(entry, primary), ctx, entries)
    found = patterns.setdefault(primary, [])
    for number, text in block.patterns:
        noted = len(ctx.notes)
        try:
            found.append(_pattern(number, text, primary, ctx))
        except _LineError as e:
            del ctx.notes[noted:]  # approximations of a line that is skipped anyway
            ctx.note(number, f"skipped: {e}")


def _primary(block: _Block, lemmas: list[str]) -> str:
    """The header's verb when the block lists it, else its first one-word verb, else its first."""
    if block.name in lemmas or not lemmas:
        return block.name
    return next((lemma for lemma in lemmas if " " not in lemma), lemmas[0])


def _block_verbs(block: _Block, ctx: _VerbContext) -> list[tuple[int, VerbEntry]]:
    """The block's verbs; one listed twice ("BRING" then "BRING {BROUGHT ...}") is merged:
    forms given in {...} replace generated ones and a verb's own code beats the block's."""
    merged: dict[str, tuple[int, VerbEntry, bool]] = {}
    for number, line in block.verbs:
        read = _verb_entry(number, line, block, ctx)
        if read is None:
            continue
        entry, explicit = read
        if entry.lemma not in merged:
            merged[entry.lemma] = (number, entry, explicit)
            continue
        first, old, old_explicit = merged[entry.lemma]
        forms = old.forms | entry.forms
        if old_explicit != explicit:
            forms = old.forms if old_explicit else entry.forms
        code = old.code if old.code != block.code else entry.code
        merged[entry.lemma] = (
            first,
            VerbEntry(old.lemma, old.head, forms, code, old.block),
            old_explicit or explicit,
        )
    return [(number, entry) for number, entry, _ in merged.values()]


def _with_block(entry: VerbEntry, block: str) -> VerbEntry:
    return VerbEntry(entry.lemma, entry.head, entry.forms, entry.code, block, entry.reverse)


def _add_entry(
    number: int, entry: VerbEntry, ctx: _VerbContext, entries: dict[str, VerbEntry]
) -> None:
    """Index an entry by lemma and forms: a lemma beats another verb's form; else first wins."""
    old = entries.get(entry.lemma)
    if old is not None and old.lemma == entry.lemma:
        ctx.note(number, f"skipped: verb '{entry.lemma}' already in block '{old.block}'")
        return
    entries[entry.lemma] = entry
    for form in entry.forms:
        entries.setdefault(form, entry)


def _verb_entry(
    number: int, line: str, block: _Block, ctx: _VerbContext
) -> tuple[VerbEntry, bool] | None:
    """ "GIVE {GAVE GIVEN GIVING} [070]", "+CORDON_OFF", "WIRE_+TAP {...}" -> an entry and
    whether its forms were given in {...}."""
    text, forms_text, code = _split_verb_line(line.split(";", 1)[0])
    words = _words(text)
    if not words:
        ctx.note(number, "skipped: no verb on the line")
        return None
    marked = [i for i, word in enumerate(words) if word.startswith("+")]
    if len(words) > 1 and not marked:
        ctx.note(number, "approximated: multi-word verb without '+'; its first word is the verb")
    head = marked[0] if marked else 0
    words = [word.lstrip("+").lower() for word in words]
    lemma = " ".join(words)
    forms = _irregular_forms(forms_text) if forms_text is not None else _forms(words, head)
    own = _code(code) if code is not None else block.code
    reverse = _reverse_code(code) if code is not None else block.reverse
    entry = VerbEntry(lemma, words[head], frozenset({lemma, *forms}), own, block.name, reverse)
    return entry, forms_text is not None


def _split_verb_line(line: str) -> tuple[str, str | None, str | None]:
    """Verb text, the inside of {...} (None if absent) and of [...] (None if absent)."""
    match = _BRACKET.search(line)
    code = match.group(1) if match else None
    if match:
        line = line[: match.start()] + line[match.end() :]
    forms = None
    if "{" in line:
        line, _, rest = line.partition("{")
        forms = rest.partition("}")[0]
    return line.strip(), forms, code


def _irregular_forms(text: str) -> set[str]:
    """ "{+CORDONED_OFF , +CORDONS_OFF}" -> {"cordoned off", "cordons off"}."""
    return {_phrase(form.replace("+", "")) for form in text.replace(",", " ").split()}


def _forms(words: list[str], head: int) -> set[str]:
    """Regular forms of a (multi-word) verb: the head word is inflected in place."""
    return {
        " ".join([*words[:head], form, *words[head + 1 :]]) for form in _regular_forms(words[head])
    }


def _most_specific_first(patterns: list[VerbPattern]) -> tuple[VerbPattern, ...]:
    """More elements first; sorted() is stable, so file order breaks ties."""
    return tuple(sorted(patterns, key=lambda p: -(len(p.before) + len(p.after))))


# ------------------------------------------------------------------------------ verb forms


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouy]+", word))


def _consonant_y(word: str) -> bool:
    return len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS


def _stems(word: str) -> list[str]:
    """Stems before -ed/-ing: a final consonant after one short vowel is doubled in one-syllable
    words ("ban" -> "bann"); a final "l" gives both spellings ("cancel": US and British). The
    stress of other long words is unknown: their doubled forms ("admitted") must be listed."""
    cvc = (
        len(word) >= 3
        and word[-1] not in "aeiouwxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )
    if cvc and _syllables(word) == 1:
        return [word + word[-1]]
    return [word, word + "l"] if cvc and word.endswith("l") else [word]


def _regular_forms(verb: str) -> set[str]:
    """The verb, its -s, -ed and -ing forms by the usual English spelling rules."""
    if verb.endswith(("s", "x", "z", "ch", "sh")):
        third = verb + "es"
    else:
        third = verb[:-1] + "ies" if _consonant_y(verb) else verb + "s"
    if verb.endswith("e"):
        past = [verb + "d"]
        ing = [verb[:-2] + "ying"] if verb.endswith("ie") else [verb[:-1] + "ing"]
        if verb.endswith(("ee", "ye", "oe")):
            ing = [verb + "ing"]
    elif _consonant_y(verb):
        past, ing = [verb[:-1] + "ied"], [verb + "ing"]
    else:
        past = [stem + "ed" for stem in _stems(verb)]
        ing = [stem + "ing" for stem in _stems(verb)]
    return {verb, third, *past, *ing}
