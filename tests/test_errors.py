"""The error catalogue: every code is used by the package and documented in the README, and every
code the package names is in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from westphalia.errors import ConfigError, Errors, QueryError, StoreError, WestphaliaError

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\bE\d{3}\b")
CATALOGUE = sorted(name for name in vars(Errors) if CODE.fullmatch(name))


def _source_codes() -> dict[str, list[str]]:
    """Code -> the package files (other than the catalogue) that name it."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "westphalia").rglob("*.py")):
        if path.name == "errors.py" and path.parent.name == "westphalia":
            continue
        text = re.sub(r"noqa: [A-Z0-9, ]+", "", path.read_text(encoding="utf-8"))
        for code in set(CODE.findall(text)):
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def _readme_codes() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(E\d{3})` \|", text, flags=re.MULTILINE))


def test_every_catalogue_code_is_used_by_the_package() -> None:
    used = _source_codes()
    assert [code for code in CATALOGUE if code not in used] == []


def test_every_code_the_package_names_is_in_the_catalogue() -> None:
    assert sorted(set(_source_codes()) - set(CATALOGUE)) == []


def test_every_code_is_documented_in_the_readme() -> None:
    assert sorted(set(CATALOGUE) - _readme_codes()) == []
    assert sorted(_readme_codes() - set(CATALOGUE)) == []


@pytest.mark.parametrize(
    ("kind", "code", "fields"),
    [
        (ConfigError, "E013", {"path": "dicts"}),
        (StoreError, "E006", {"path": "x.duckdb"}),
        (QueryError, "E403", {"start": "2025-02-01", "end": "2025-01-01"}),
    ],
)
def test_an_error_carries_its_own_code_and_catalogue_message(
    kind: type[WestphaliaError], code: str, fields: dict[str, str]
) -> None:
    error = kind(code, **fields)
    assert error.code == code  # not its class's: a StoreError may be E002, E003, E005 or E006
    assert error.message == str(error) == getattr(Errors, code).format(**fields)
