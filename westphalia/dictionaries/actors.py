"""Read PETRARCH/TABARI actor dictionaries (phrases, date-restricted codes) and agent
dictionaries ("~" codes, "!MARKER!" substitutions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .lines import _BRACKET, _phrase, _plural, _read_lines, _tabari_date
from .records import ActorEntry, AgentEntry, DatedCode, _LineError

_MARKER = re.compile(r"!([^!\s]+)!")
_MARKER_DEF = re.compile(r"^!([^!\s]+)!\s*=\s*(.*)$")


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
    """Read a PETRARCH/TABARI actor dictionary, skipping unreadable lines (see the package doc)."""
    return _read_actors(path)[0]


def _read_actors(path: Path) -> tuple[list[ActorEntry], list[str]]:
    actors: list[_Actor] = []
    notes: list[str] = []  # lines skipped and codes skipped, in file order
    _read_lines(path, lambda line, where: _actor_line(line, where, actors, notes), notes)
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
        return DatedCode(code, None, _tabari_date(restriction[1:]))
    if restriction[0] == ">":
        return DatedCode(code, _tabari_date(restriction[1:]), None)
    start, dash, end = restriction.partition("-")
    if not dash:
        raise _LineError(f"bad date restriction '{restriction}'")
    return DatedCode(code, _tabari_date(start), _tabari_date(end))


# ---------------------------------------------------------------------------------- agents


def read_agents(path: Path) -> list[AgentEntry]:
    """Read a PETRARCH agent dictionary, expanding "!MARKER!" substitutions."""
    return _read_agents(path)[0]


def _read_agents(path: Path) -> tuple[list[AgentEntry], list[str]]:
    markers: dict[str, list[str]] = {}
    agents: list[AgentEntry] = []

    def read(line: str, where: str) -> None:
        definition = _MARKER_DEF.match(line)
        if definition:
            markers[definition.group(1)] = _marker_members(definition.group(2))
        else:
            agents.extend(_agent_line(line, where, markers))

    notes: list[str] = []
    _read_lines(path, read, notes)
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
