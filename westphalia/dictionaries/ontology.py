"""Read a PETRARCH internal coding ontology: the code each CAMEO code's negation is."""

from __future__ import annotations

import re
from pathlib import Path

from westphalia.errors import ConfigError

_ONTOLOGY_LINE = re.compile(r"^(\d{3,4}):([^#]+(?:#[^#]*)*)$")
_HEX_TERM = re.compile(r"([+-]?)\s*0x([0-9a-fA-F]+)")
_NOT = 0xFFFF  # PETRARCH's internal coding ontology: "not" is -0xFFFF (120 Reject = -0xFFFF)


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
        raise ConfigError("E016", path=path, reason=e.strerror or e) from e
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
