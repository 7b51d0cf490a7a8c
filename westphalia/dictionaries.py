"""Read PETRARCH/TABARI dictionaries (verbs, actors, agents, discards) into frozen records.

The formats are those of the PETRARCH documentation (dictionaries.rst) and of the header
comments in the files themselves; the older PETRARCH-1/TABARI pattern syntax of the
validation suites is read too. Reading is tolerant: a line that cannot be read is skipped
and recorded as "FILE:LINE: skipped: why" (VerbDictionary.skipped, Dictionaries.skipped);
only an unreadable file or directory is an error (ConfigError). Files are read as UTF-8
with undecodable bytes replaced, so latin-1 files load too.

Verbs: a block's patterns are keyed by its primary verb: the verb named in its "--- X ---"
header when the block lists it, else its first one-word verb. A verb listed in two blocks
keeps the first. Synsets may be defined anywhere and may contain synsets; they are keyed
"&NAME" without a trailing "_". Paired codes "[042:043]" (TABARI: A->B 042 plus B->A 043)
keep the first as the code and the second as `reverse`; a reverse-only "[:173]" has the null code.

Legacy syntax that has no Element is approximated and recorded in `skipped` with a reason
starting "approximated":
  - "^" (TABARI "skip words") is dropped;
  - "_" joining a word to the verb or a slot ("IN_*", "*_OUT", "SUGGESTED_+") is a blank;
  - "(TO +)", "(INTO $)": the preposition becomes a prep element followed by the slot;
  - a multi-word verb without "+" takes its first word as the verb.

load_dictionaries() compiles a directory once and keeps a pickle in a cache directory.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from westphalia.errors import ConfigError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Bump whenever the records or the reading rules change: caches with another version are ignored.
FORMAT_VERSION = 5  # 2: VerbPattern.reverse; 3: VerbEntry.reverse; 4: Dictionaries.negations;
# 5: "^" read as a skip element

_TOKEN = re.compile(r"[{}()]|[^\s{}()]+")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_COMMENT = re.compile(r"\[[^\]]*\]|#")
_MARKER = re.compile(r"!([^!\s]+)!")
_MARKER_DEF = re.compile(r"^!([^!\s]+)!\s*=\s*(.*)$")
_TRANSFORM = re.compile(
    r"^~\s*(\S+)\s*\(\s*(\S+)\s+(\S+)\s+([^\s)]+)\s*\)\s*(\S+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s*$"
)
_SLOTS = {"$": "source", "+": "target", "%": "compound"}
_SPECIAL = {"*", "^", *_SLOTS}  # tokens that are not words
_VOWELS = "aeiou"
_IGNORED_FILES = ("readme", "license", "issue", "preposition")
_ROLES = ("verbs", "actors", "agents", "discards", "ontology")  # the order sources are listed in
_ONTOLOGY_LINE = re.compile(r"^(\d{3,4}):([^#]+(?:#[^#]*)*)$")
_HEX_TERM = re.compile(r"([+-]?)\s*0x([0-9a-fA-F]+)")
_NOT = 0xFFFF  # PETRARCH's internal coding ontology: "not" is -0xFFFF (120 Reject = -0xFFFF)
_VERB_FILE = re.compile(r"verb|cameo\.\d")  # Phoenix names its verb file CAMEO.2.0.txt


# ---------------------------------------------------------------------------------- records


class _Record:
    """Base of the records: pickles as a constructor call, which loads twice as fast as the
    per-field __setstate__ dataclasses give frozen slotted classes (Phoenix dictionaries,
    70,000 records, garbage collector paused: 0.135 s -> 0.065 s)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Element(_Record):
    """One element of a verb pattern, in pattern order.

    kind: "word" (a head noun/word), "phrase" ({A B C}: consecutive words, head last),
    "prep" ((PREP X), (PREP {A B}) or a bare (PREP)), "source" ($), "target" (+),
    "compound" (%: the compound-actor slot), "skip" (^: past one noun phrase).
    words: word: one set of alternatives; phrase: one set per position; prep: the
    preposition(s) then one set per position of the phrase inside. Alternatives are
    lowercase; a synonym set (&NAME) is expanded into its members and their plurals;
    multi-word members are space-joined ("cease fire"); "A/B" gives the set {a, b}.
    """

    kind: str
    words: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class VerbPattern(_Record):
    """A pattern of a verb block; code "---" is the null code (matches, codes nothing).

    A paired code "[042:043]" (TABARI: A->B 042 and B->A 043) keeps the second as `reverse`;
    a reverse-only code "[:173]" gives code "---" and reverse "173".
    """

    code: str
    verb: str
    before: tuple[Element, ...]
    after: tuple[Element, ...]
    origin: str
    reverse: str = ""  # the code of the target's event towards the source, if the pair has one


@dataclass(frozen=True, slots=True)
class VerbEntry(_Record):
    """A verb: its lemma, the word that is the verb, all its forms (lemma included) and code."""

    lemma: str
    head: str
    forms: frozenset[str]
    code: str
    block: str
    reverse: str = ""  # second code of a paired "[042:043]": the target's event to the source


@dataclass(frozen=True, slots=True)
class Transformation(_Record):
    """ "~ a (a b ATTACK) SAY = a b 015": verbs lowercase ("q" = any verb, "_" joins verbs)."""

    outer_source: str
    inner_source: str
    inner_target: str
    inner_verb: str
    outer_verb: str
    source: str
    target: str
    code: str
    origin: str


@dataclass(frozen=True, slots=True)
class VerbDictionary(_Record):
    """entries: every lemma and form -> entry; patterns: block verb -> most specific first."""

    entries: dict[str, VerbEntry]
    patterns: dict[str, tuple[VerbPattern, ...]]
    synsets: dict[str, frozenset[str]]
    transformations: tuple[Transformation, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DatedCode(_Record):
    """A code valid from start to end, both inclusive; None is an open end."""

    code: str
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class ActorEntry(_Record):
    """An actor: its phrases (primary first), date-restricted codes and default code."""

    phrases: tuple[str, ...]
    codes: tuple[DatedCode, ...]
    default: str | None
    origin: str

    def code_on(self, day: date | None) -> str | None:
        """The code on `day`: the first restriction covering it, else the default.

        Without a day: the default, else the last (most recent) restriction's code.
        """
        if day is None:
            return (
                self.default if self.default is not None or not self.codes else self.codes[-1].code
            )
        return next((c.code for c in self.codes if c.covers(day)), self.default)


@dataclass(frozen=True, slots=True)
class AgentEntry(_Record):
    """An agent phrase; prefix=True for "NGO~" (before the actor code), False for "~GOV"."""

    phrase: str
    plurals: tuple[str, ...]
    code: str
    prefix: bool
    origin: str


@dataclass(frozen=True, slots=True)
class Discard(_Record):
    """story: discard the whole story ("+"); whole_word: must end at a blank or punctuation."""

    phrase: str
    story: bool
    whole_word: bool


@dataclass(frozen=True, slots=True)
class Dictionaries(_Record):
    """Everything read from one directory; skipped: unread actor/agent/discard lines."""

    verbs: VerbDictionary | None
    actors: tuple[ActorEntry, ...]
    agents: tuple[AgentEntry, ...]
    discards: tuple[Discard, ...]
    sources: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    # From a PETRARCH internal coding ontology file: code -> the code its negation is
    # ("did not clash" [110, not diplomatic cooperation] -> 050)
    negations: tuple[tuple[str, str], ...] = ()


class _LineError(ValueError):
    """A line (or part of one) that cannot be read; the message says why."""


# ---------------------------------------------------------------------------- file reading


def _lines(path: Path) -> list[tuple[int, str]]:
    """Numbered non-blank lines without "#" and "<!-- -->" comments (stripped)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ConfigError(
            f"Cannot read the dictionary {path}: {e.strerror or e}. Check that it exists and is readable."
        ) from e
    out: list[tuple[int, str]] = []
    in_comment = False
    for number, raw in enumerate(text.splitlines(), 1):
        line, in_comment = _strip_xml_comment(raw, in_comment=in_comment)
        line = _strip_hash(line).strip()
        if line:
            out.append((number, line))
    return out


def _strip_xml_comment(line: str, *, in_comment: bool) -> tuple[str, bool]:
    """Remove "<!-- ... -->" parts, which may span lines; returns the rest and the state."""
    if in_comment:
        end = line.find("-->")
        if end < 0:
            return "", True
        line = line[end + 3 :]
    if line.lstrip().startswith("#"):
        return "", False
    while "<!" in line:
        start = line.index("<!")
        end = line.find("-->", start)
        if end < 0:
            return line[:start], True
        line = line[:start] + line[end + 3 :]
    return line, False


def _strip_hash(line: str) -> str:
    """Cut a "#" comment; a "#" inside [...] is part of a code ("[###]")."""
    for match in _COMMENT.finditer(line):
        if match.group() == "#":
            return line[: match.start()]
    return line


def _words(text: str) -> list[str]:
    """Words of a phrase: blanks and underscores separate them."""
    return text.replace("_", " ").split()


def _phrase(text: str) -> str:
    return " ".join(_words(text)).lower()


def _plural(phrase: str) -> str | None:
    """Regular plural of a phrase's last word; None when it already looks plural ("-s").

    The format's rules (+S, Y -> IES, SS -> +ES) with the usual English refinements:
    vowel+Y takes +S, and -X/-Z/-CH/-SH take +ES.
    """
    if phrase.endswith(("ss", "x", "z", "ch", "sh")):
        return phrase + "es"
    if phrase.endswith("s"):
        return None
    if phrase.endswith("y") and len(phrase) > 1 and phrase[-2] not in _VOWELS:
        return phrase[:-1] + "ies"
    return phrase + "s"


def _date(text: str) -> date:
    """YYYYMMDD or YYMMDD; as in KEDS/TABARI/PETRARCH, YY 00-30 is 20YY and 31-99 is 19YY."""
    if not text.isdigit() or len(text) not in (6, 8):
        raise _LineError(f"bad date '{text}' (expected YYMMDD or YYYYMMDD)")
    if len(text) == 6:
        year = int(text[:2])
        text = str(year + (2000 if year <= 30 else 1900)) + text[2:]
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as e:
        raise _LineError(f"bad date '{text}' ({e})") from e


def _code(inner: str) -> str:
    """The code inside [...]: the first of a pair "A:B"; "---" when empty."""
    return inner.strip().split(":")[0].strip() or "---"


def _reverse_code(inner: str) -> str:
    """The second code of a pair "A:B" ("" when there is none)."""
    parts = inner.strip().split(":")
    return parts[1].strip() if len(parts) > 1 else ""


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


# ------------------------------------------------------------------------ verb dictionary


@dataclass
class _VerbContext:
    """What pattern and verb reading share: the file name, synsets and collected notes."""

    name: str
    synsets: dict[str, frozenset[str]] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)
    interned: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    def note(self, line: int, why: str) -> None:
        self.notes.append((line, why))

    def intern(self, words: Iterable[str]) -> frozenset[str]:
        """One shared object per distinct set (smaller cache, faster load)."""
        key = frozenset(words)
        return self.interned.setdefault(key, key)


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


def _collect_synsets(
    lines: list[tuple[int, str]], ctx: _VerbContext
) -> tuple[dict[str, tuple[bool, list[tuple[int, str]]]], set[int]]:
    """First pass: "&NAME" lines and their "+member" lines, wherever they are in the file.

    Returns name -> (no plurals, members) and the line numbers used. A name ending in "_"
    takes no plurals; it is stored and looked up without the "_".
    """
    synsets: dict[str, tuple[bool, list[tuple[int, str]]]] = {}
    used: set[int] = set()
    members: list[tuple[int, str]] | None = None
    for number, line in lines:
        if line.startswith("&"):
            label = line.split()[0].upper()
            members = []
            if label.rstrip("_") in synsets:
                ctx.note(number, f"skipped: synset {label} defined again; the first one is kept")
            else:
                synsets[label.rstrip("_")] = (label.endswith("_"), members)
        elif members is not None and line.startswith("+"):
            members.append((number, line[1:].strip()))
        else:
            members = None
            continue
        used.add(number)
    return synsets, used


def _expand_synsets(
    raw: dict[str, tuple[bool, list[tuple[int, str]]]], ctx: _VerbContext
) -> dict[str, frozenset[str]]:
    """Members with their plurals; a member "&OTHER" brings in that set's members."""
    expander = _SynsetExpander(raw, ctx)
    return {name: expander.expand(name, ()) for name in raw}


@dataclass
class _SynsetExpander:
    """Expands synsets recursively (TABARI allowed synsets inside synsets), once each."""

    raw: dict[str, tuple[bool, list[tuple[int, str]]]]
    ctx: _VerbContext
    done: dict[str, frozenset[str]] = field(default_factory=dict)

    def expand(self, name: str, stack: tuple[str, ...]) -> frozenset[str]:
        if name not in self.done:
            no_plural, members = self.raw[name]
            words: set[str] = set()
            for number, member in members:
                words |= self.member(number, member, no_plural=no_plural, stack=(*stack, name))
            self.done[name] = self.ctx.intern(words)
        return self.done[name]

    def member(
        self, number: int, member: str, *, no_plural: bool, stack: tuple[str, ...]
    ) -> set[str]:
        """The words one "+member" line adds to its synset."""
        if member.startswith("&"):
            inner = member.split()[0].upper().rstrip("_")
            if inner in self.raw and inner not in stack:
                return set(self.expand(inner, stack))
            self.ctx.note(number, f"skipped: synset member {member}: undefined or circular")
            return set()
        text = _phrase(member)
        plural = None if no_plural or member.endswith("_") else _plural(text)
        return {text, plural} if plural else {text}


def _collect_blocks(
    lines: list[tuple[int, str]], ctx: _VerbContext
) -> tuple[list[_Block], list[Transformation]]:
    """Second pass: group verb and pattern lines into blocks; read transformations."""
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


# -------------------------------------------------------------------------------- patterns


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
    """A bare token: an actor slot, "^" (dropped) or a word/phrase."""
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


# ---------------------------------------------------------------------------------- actors


@dataclass
class _Actor:
    """An actor entry being read."""

    origin: str
    phrases: list[str]
    codes: list[DatedCode] = field(default_factory=list)
    default: str | None = None

    def freeze(self) -> ActorEntry:
        return ActorEntry(tuple(self.phrases), tuple(self.codes), self.default, self.origin)


def read_actors(path: Path) -> list[ActorEntry]:
    """Read a PETRARCH/TABARI actor dictionary; unreadable lines are skipped (see module doc)."""
    return _read_actors(path)[0]


def _read_actors(path: Path) -> tuple[list[ActorEntry], list[str]]:
    actors: list[_Actor] = []
    notes: list[str] = []
    for number, line in _lines(path):
        where = f"{path.name}:{number}"
        try:
            _actor_line(line, where, actors, notes)
        except _LineError as e:
            notes.append(f"{where}: skipped: {e}")
    return [actor.freeze() for actor in actors], notes


def _actor_line(line: str, where: str, actors: list[_Actor], notes: list[str]) -> None:
    """One line: a primary phrase (starts an entry), "+synonym(s)" or "[code restriction]"."""
    text, _, codes = line.partition("[")
    codes = "[" + codes if codes else ""
    if not text.strip():
        if not actors:
            raise _LineError("code before any actor")
    elif text.startswith("+"):
        if not actors:
            raise _LineError("synonym before any actor")
        actors[-1].phrases.extend(_actor_phrase(p) for p in text.split("+") if p.strip())
    else:
        actors.append(_Actor(where, [_actor_phrase(text)]))
    for inner in _BRACKET.findall(codes):
        _add_actor_code(actors[-1], inner, where, notes)


def _actor_phrase(text: str) -> str:
    """Words joined by blanks, case kept; "_" and a trailing "_" become blanks."""
    return " ".join(text.replace("]", " ").replace("_", " ").split())


def _add_actor_code(actor: _Actor, inner: str, where: str, notes: list[str]) -> None:
    """ "AFGGOV 331108-730717", "USAGOV >20010120", "ELI" -> a dated code or the default."""
    tokens = inner.split()
    if not tokens:
        notes.append(f"{where}: skipped: empty []")
        return
    code, restriction = tokens[0], "".join(tokens[1:])
    if not restriction:
        if actor.default is None:
            actor.default = code
        elif actor.default != code:
            notes.append(f"{where}: skipped: second default [{code}] (kept [{actor.default}])")
        return
    try:
        actor.codes.append(_dated(code, restriction))
    except _LineError as e:
        notes.append(f"{where}: skipped: [{inner.strip()}]: {e}")


def _dated(code: str, restriction: str) -> DatedCode:
    """ "<d": up to d; ">d": from d; "d1-d2": between; limits included."""
    if restriction[0] == "<":
        return DatedCode(code, None, _date(restriction[1:]))
    if restriction[0] == ">":
        return DatedCode(code, _date(restriction[1:]), None)
    start, dash, end = restriction.partition("-")
    if not dash:
        raise _LineError(f"bad date restriction '{restriction}'")
    return DatedCode(code, _date(start), _date(end))


# ---------------------------------------------------------------------------------- agents


def read_agents(path: Path) -> list[AgentEntry]:
    """Read a PETRARCH agent dictionary, expanding "!MARKER!" substitutions."""
    return _read_agents(path)[0]


def _read_agents(path: Path) -> tuple[list[AgentEntry], list[str]]:
    markers: dict[str, list[str]] = {}
    agents: list[AgentEntry] = []
    notes: list[str] = []
    for number, line in _lines(path):
        where = f"{path.name}:{number}"
        definition = _MARKER_DEF.match(line)
        try:
            if definition:
                markers[definition.group(1)] = _marker_members(definition.group(2))
            else:
                agents.extend(_agent_line(line, where, markers))
        except _LineError as e:
            notes.append(f"{where}: skipped: {e}")
    return agents, notes


def _marker_members(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _agent_line(line: str, where: str, markers: dict[str, list[str]]) -> list[AgentEntry]:
    """ "ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]" -> entries (several with markers)."""
    text, bracket, rest = line.partition("[")
    if not bracket:
        raise _LineError("no [code]")
    code, prefix = _agent_code(rest.split("]")[0].split("}")[0])
    text, brace, plural_text = text.partition("{")
    if _MARKER.search(text):  # substituted items take no further plurals
        return [AgentEntry(_phrase(p), (), code, prefix, where) for p in _substitute(text, markers)]
    phrase = _phrase(text)
    if brace:
        irregular = _phrase(plural_text.partition("}")[0])
        plurals = (irregular,) if irregular else ()
    else:
        plurals = tuple(p for p in (_plural(phrase),) if p)
    return [AgentEntry(phrase, plurals, code, prefix, where)]


def _agent_code(text: str) -> tuple[str, bool]:
    """ "~GOV" -> ("GOV", False); "NGO~" -> ("NGO", True)."""
    code = text.strip()
    if code.startswith("~"):
        return code[1:], False
    if code.endswith("~"):
        return code[:-1], True
    raise _LineError(f"agent code '{code}' without '~' (write ~CODE or CODE~)")


def _substitute(text: str, markers: dict[str, list[str]]) -> list[str]:
    """Every "!NAME!" replaced by each member of its set (all its occurrences alike)."""
    match = _MARKER.search(text)
    if not match:
        return [text]
    if match.group(1) not in markers:
        raise _LineError(f"substitution marker !{match.group(1)}! is not defined")
    return [
        phrase
        for member in markers[match.group(1)]
        for phrase in _substitute(text.replace(match.group(0), member), markers)
    ]


# ------------------------------------------------------------------------ coding ontology


def read_negations(path: Path) -> dict[str, str]:
    """The negation of each code under a PETRARCH internal coding ontology ("PICO") file.

    Each line gives a CAMEO code's value(s) as sums of hexadecimal terms, alternatives split by
    `#` ("110:0x1007f#0xFFFF+0x0080#0x7000#Disapprove"); "not" subtracts 0xFFFF. A code's
    negation is the code with that value less 0xFFFF (110 = not 050, so a negated 110 is 050;
    121 = not 060). Codes whose negation has no code are left out: a negated verb of such a code
    is no event.
    """
    values: dict[int, str] = {}
    alternatives: dict[str, list[int]] = {}
    try:  # not _lines(): "#" separates alternatives here, it does not start a comment
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ConfigError(
            f"Cannot read the coding ontology {path}: {e.strerror or e}. Check that it is readable."
        ) from e
    for line in text.splitlines():
        match = _ONTOLOGY_LINE.match(line.replace(" ", "").replace("\t", ""))
        if match is None:
            continue
        code = match[1]
        for alternative in match[2].split("#"):
            value = _hex_sum(alternative)
            if value is not None:
                alternatives.setdefault(code, []).append(value)
                values.setdefault(value, code)
    negations: dict[str, str] = {}
    for code, found in alternatives.items():
        negated = next((values[v - _NOT] for v in found if v - _NOT in values), None)
        if negated is not None and negated != code:
            negations[code] = negated
    return negations


def _hex_sum(text: str) -> int | None:
    """ "-0xFFFF+0x2040" -> its value; None for anything else (a label, "0")."""
    terms = _HEX_TERM.findall(text)
    if not terms or _HEX_TERM.sub("", text).strip():
        return None
    return sum(int(digits, 16) * (-1 if sign == "-" else 1) for sign, digits in terms)


# -------------------------------------------------------------------------------- discards


def read_discards(path: Path) -> list[Discard]:
    """Read a discard list: "+" = discard the story, a trailing "_" = whole words only."""
    return _read_discards(path)[0]


def _read_discards(path: Path) -> tuple[list[Discard], list[str]]:
    discards: list[Discard] = []
    notes: list[str] = []
    for number, line in _lines(path):
        story = line.startswith("+")
        text = line[1:].strip() if story else line
        phrase = _phrase(text)
        if phrase:
            discards.append(Discard(phrase, story, text.endswith("_")))
        else:
            notes.append(f"{path.name}:{number}: skipped: no phrase")
    return discards, notes


def discarded(text: str, discards: Sequence[Discard]) -> Discard | None:
    """The first discard found in `text` (case-insensitive, blanks collapsed), else None.

    A phrase must start a word (at the start or after a non-alphanumeric character); a
    whole_word phrase must also end one, otherwise it matches as a stem ("BASEBALL" also
    matches "baseballs").
    """
    haystack = " ".join(text.lower().split())
    return next((d for d in discards if _found(haystack, d)), None)


class DiscardMatcher:
    """`discarded` for many sentences: every phrase in one regular expression (story discards
    first), with the same rules."""

    def __init__(self, discards: Sequence[Discard]) -> None:
        self._by_phrase = {d.phrase: d for d in reversed(discards)}  # the first one wins
        self._story = _discard_regex([d for d in discards if d.story])
        self._sentence = _discard_regex([d for d in discards if not d.story])

    def __call__(self, text: str) -> Discard | None:
        haystack = " ".join(text.lower().split())
        for regex in (self._story, self._sentence):
            found = regex.search(haystack) if regex is not None else None
            if found is not None:
                return self._by_phrase[found.group(1)]
        return None


def _discard_regex(discards: Sequence[Discard]) -> re.Pattern[str] | None:
    if not discards:
        return None
    longest_first = sorted(discards, key=lambda d: -len(d.phrase))
    parts = [re.escape(d.phrase) + (r"(?![^\W_])" if d.whole_word else "") for d in longest_first]
    return re.compile(r"(?<![^\W_])(" + "|".join(parts) + ")")


def _found(haystack: str, discard: Discard) -> bool:
    start = haystack.find(discard.phrase)
    while start >= 0:
        end = start + len(discard.phrase)
        starts = start == 0 or not haystack[start - 1].isalnum()
        ends = end == len(haystack) or not haystack[end].isalnum()
        if starts and (ends or not discard.whole_word):
            return True
        start = haystack.find(discard.phrase, start + 1)
    return False


# ------------------------------------------------------------------------ directory + cache


def load_dictionaries(directory: Path, *, cache_dir: Path | None = None) -> Dictionaries:
    """Read every dictionary in `directory`, through a pickle cache keyed by their contents.

    Files are found by name (case-insensitive): *verb* (or CAMEO.<version>*) -> verbs,
    *actor* -> actors (all of them, in sorted order), *agent* -> agents, *discard* ->
    discards, *ontology* -> the internal coding ontology (negations); README, LICENSE, issue
    and preposition files are ignored.
    Raises ConfigError when the directory is missing or holds no dictionary file.
    """
    files = _dictionary_files(Path(directory))
    cache = _cache_path(cache_dir, _cache_key(files))
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    result = _compile(files)
    _write_cache(cache, result)
    return result


def _dictionary_files(directory: Path) -> dict[str, list[Path]]:
    """Role ("verbs", "actors", "agents", "discards") -> its files; ConfigError if none."""
    if not directory.is_dir():
        raise ConfigError(
            f"The dictionary directory {directory} does not exist or is not a directory. "
            "Pass the folder that holds the PETRARCH dictionaries (verbs, actors, agents, discards)."
        )
    files: dict[str, list[Path]] = {role: [] for role in _ROLES}
    for path in sorted(directory.iterdir()):
        role = _role(path.name.lower())
        if role and path.is_file():
            files[role].append(path)
    if not any(files.values()):
        raise ConfigError(
            f"No dictionary file in {directory}: expected file names containing 'verb', 'actor', "
            "'agent' or 'discard' (e.g. CAMEO.verbs.txt, Phoenix.agents.txt). Rename the files "
            "or pass the folder that holds them."
        )
    if len(files["verbs"]) > 1:
        names = ", ".join(p.name for p in files["verbs"])
        raise ConfigError(
            f"Several verb dictionaries in {directory}: {names}. Keep one in the folder."
        )
    return files


def _role(name: str) -> str | None:
    if name.startswith(".") or any(word in name for word in _IGNORED_FILES):
        return None
    if _VERB_FILE.search(name):
        return "verbs"
    if "ontology" in name:
        return "ontology"
    return next((role for role in ("actors", "agents", "discards") if role[:-1] in name), None)


def _cache_key(files: dict[str, list[Path]]) -> str:
    """sha1 of FORMAT_VERSION and each file's role, path, size, mtime and content hash."""
    key = hashlib.sha1(f"westphalia-dictionaries-{FORMAT_VERSION}".encode())
    for role, paths in sorted(files.items()):
        for path in paths:
            key.update(f"{role}\0{_fingerprint(path)}\n".encode())
    return key.hexdigest()


def _fingerprint(path: Path) -> str:
    try:
        stat = path.stat()
        content = hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError as e:
        raise ConfigError(
            f"Cannot read the dictionary {path}: {e.strerror or e}. Check that it is readable."
        ) from e
    return f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{content}"


def _cache_path(cache_dir: Path | None, key: str) -> Path:
    if cache_dir is None:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        cache_dir = Path(base) / "westphalia"
    return Path(cache_dir) / f"dictionaries-{key}.pickle"


def _read_cache(path: Path) -> Dictionaries | None:
    """The cached result, or None when absent, unreadable or corrupt (it is then rewritten)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # A damaged or foreign pickle can raise nearly anything (EOFError, UnpicklingError,
    # AttributeError, ImportError, ...): any failure just means "compile again".
    try:
        cached = _unpickle(data)
    except Exception as e:
        log.debug("ignoring the dictionary cache %s: %s", path, e)
        return None
    return cached if isinstance(cached, Dictionaries) else None


def _unpickle(data: bytes) -> object:
    """pickle.loads with the garbage collector paused: its passes over the 70,000 new records
    made loading the Phoenix dictionaries 0.5 s instead of 0.07 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def _write_cache(path: Path, result: Dictionaries) -> None:
    """Write atomically; an unwritable cache directory only costs speed next time."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as e:
        log.debug("cannot write the dictionary cache %s: %s", path, e)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _compile(files: dict[str, list[Path]]) -> Dictionaries:
    """Read every file of every role."""
    notes: list[str] = []
    actors = [a for path in files["actors"] for a in _collect(_read_actors(path), notes)]
    agents = [a for path in files["agents"] for a in _collect(_read_agents(path), notes)]
    discards = [d for path in files["discards"] for d in _collect(_read_discards(path), notes)]
    verbs = read_verbs(files["verbs"][0]) if files["verbs"] else None
    negations = {k: v for path in files["ontology"] for k, v in read_negations(path).items()}
    sources = tuple(str(p) for role in _ROLES for p in files[role])
    return Dictionaries(verbs, tuple(actors), tuple(agents), tuple(discards), sources,
                        tuple(notes), tuple(sorted(negations.items())))  # fmt: skip


def _collect(read: tuple[list[_T], list[str]], notes: list[str]) -> list[_T]:
    notes.extend(read[1])
    return read[0]
