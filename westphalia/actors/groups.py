"""Groups: units joined through the dependency tree into one actor phrase, and what its units
say of its code.

A unit joins the unit it modifies (compound, amod, poss, nmod, appos, "of X", conjoined
countries), so "Pakistan's Army Chief General Bajwa" is one group of a country, a title and a
person. The helpers below read a group for the resolver: the word that heads a unit, the
countries a group names, the sector of a person's title, and how a country and a sector make
one CAMEO code.
"""

from __future__ import annotations

from ..parse import Parse, Token
from .units import Unit

# Dependency labels by which a word modifies the noun phrase it belongs to.
_MODIFIER_DEPS = frozenset(
    {"compound", "amod", "poss", "nmod", "appos", "flat", "npadvmod", "nummod"}
)
_OF_PREPS = frozenset({"of"})  # "the foreign ministers of Turkey"


def find_groups(parse: Parse, units: list[Unit]) -> list[list[Unit]]:
    """Union the units linked by modification or apposition; each group is one actor phrase."""
    owner = {i: n for n, u in enumerate(units) for i in range(u.start, u.end)}
    parent = list(range(len(units)))

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for n, unit in enumerate(units):
        target = _modified_unit(parse, unit, owner, units)
        if target is not None and target != n:
            parent[find(n)] = find(target)
    groups: dict[int, list[Unit]] = {}
    for n, unit in enumerate(units):
        groups.setdefault(find(n), []).append(unit)
    return list(groups.values())


def _modified_unit(
    parse: Parse, unit: Unit, owner: dict[int, int], units: list[Unit]
) -> int | None:
    """The unit that `unit` modifies: climb the tree from its head word through modifier
    arcs until reaching a word of another unit."""
    token = head_token(parse, unit)
    for _ in range(8):  # noun phrases are shallow; bounds the climb on odd parses
        dep, head = token.dep, parse.tokens[token.head]
        if head.i == token.i:
            return None
        if dep == "pobj" and head.text.lower() in _OF_PREPS:
            head = parse.tokens[head.head]
        elif dep == "conj" and unit.kind == "country" and owner.get(head.i) is not None:
            pass  # "Turkey and Egypt": Egypt shares Turkey's role
        elif dep not in _MODIFIER_DEPS:
            return None
        if (n := owner.get(head.i)) is not None and units[n] is not unit:
            if dep == "conj" and units[n].kind == "country":
                return _modified_unit(parse, units[n], owner, units) or n
            return n
        token = head
    return None


def head_token(parse: Parse, unit: Unit) -> Token:
    """The word of the unit whose head lies outside it."""
    for i in range(unit.end - 1, unit.start - 1, -1):
        token = parse.tokens[i]
        if not unit.start <= token.head < unit.end or token.head == i:
            return token
    return parse.tokens[unit.end - 1]


def group_countries(group: list[Unit], sector: str) -> list[Unit]:
    """The countries named in a group, else, for a group with a sector ("Shanghai police"),
    the countries of its cities and states."""
    countries = [u for u in group if u.kind == "country"]
    return countries or [u for u in group if u.kind == "place" and sector]


def combine(country: str, sector: str) -> str:
    """Country + sector; a prefix agent's code goes before the country ("NGO~" -> NGOARN,
    "NGO~GOV" -> NGOARNGOV)."""
    prefix, _, rest = sector.rpartition("~")
    return prefix + country + rest


def title_sector(group: list[Unit], person: Unit) -> str:
    """The sector of the title nearest before the person ("US Senator X"), else of the first
    one after it ("X, the former president"); "" without a title."""
    titles = [u for u in group if u.kind == "title" and not u.sector.endswith("~")]
    before = [u for u in titles if u.start < person.start]
    after = [u for u in titles if u.start > person.start]
    return before[-1].sector if before else after[0].sector if after else ""


def titled(code: str, sector: str) -> str:
    """A known person's code with the sector their title in the text says ("General X" -> MIL);
    codes of international bodies keep theirs."""
    if not sector or code[:3] in ("IGO", "NGO"):
        return code
    return code[:3] + sector
