"""What is installed and what is missing: the first thing to run when an install goes wrong."""

from __future__ import annotations

import importlib
import platform
import re
from dataclasses import dataclass
from enum import Enum
from importlib import metadata
from importlib.resources import files

from . import __version__

LOCK_HINT = "pip install --require-hashes -r requirements/{lock}.txt (from a westphalia checkout)"
# Data files the engine cannot run without, relative to the package.
DATA_FILES = (
    "actors/data/countries.yaml",
    "actors/data/organisations.yaml",
    "actors/data/people.yaml",
    "actors/data/roles.yaml",
    "events/data/cameo.yaml",
    "events/data/patterns.yaml",
    "events/data/confidence.yaml",
    "data/domains.yaml",
)
# Modules that must import for the engine to run: (module, distribution it comes from).
ENGINE_MODULES = (
    ("spacy", "spacy"),
    ("duckdb", "duckdb"),
    ("pyarrow", "pyarrow"),
    ("trafilatura", "trafilatura"),
    ("lxml.html.clean", "lxml-html-clean"),  # what broke fresh installs when lxml 6.1 dropped it
    ("datasketch", "datasketch"),
    ("dateparser", "dateparser"),
    ("pycountry", "pycountry"),
    ("networkx", "networkx"),
    ("pandas", "pandas"),
    ("typer", "typer"),
    ("rich", "rich"),
)
WEB_MODULES = (("fastapi", "fastapi"), ("uvicorn", "uvicorn"), ("starlette", "starlette"))


class Status(Enum):
    OK = "ok"
    WARN = "warn"  # works, but not as pinned or an optional part is absent
    MISSING = "missing"  # the engine (or the named part) cannot run


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def diagnose(*, model: str, load_model: bool = True) -> list[Check]:
    """Every check, in the order a reader fixes them: Python, libraries, model, data, dashboard."""
    pins = _pins()
    checks = [Check("westphalia", Status.OK, f"{__version__} (Python {platform.python_version()})")]
    checks += [_module(m, d, pins, lock="base") for m, d in ENGINE_MODULES]
    checks.append(_model(model, load=load_model))
    checks.append(_data())
    checks += [_module(m, d, pins, lock="web", optional=True) for m, d in WEB_MODULES]
    checks.append(_assets())
    return checks


def healthy(checks: list[Check]) -> bool:
    """Whether the engine can run (warnings allowed, nothing missing)."""
    return all(c.status is not Status.MISSING for c in checks)


def _pins() -> dict[str, str]:
    """distribution -> the exact version westphalia's metadata pins (extras included)."""
    pins = {}
    for req in metadata.requires("westphalia") or []:
        match = re.match(r"^([A-Za-z0-9._-]+)\s*==\s*([^\s;,]+)", req)
        if match:
            pins[_canonical(match.group(1))] = match.group(2)
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _module(
    module: str, dist: str, pins: dict[str, str], *, lock: str, optional: bool = False
) -> Check:
    pinned = pins.get(_canonical(dist))
    try:
        importlib.import_module(module)
    except Exception as e:  # any import failure is the finding, not a crash
        status = Status.WARN if optional else Status.MISSING
        what = "the dashboard (westphalia serve)" if optional else "westphalia"
        return Check(
            dist,
            status,
            f"cannot import {module}: {type(e).__name__}: {e}; {what} needs it",
            LOCK_HINT.format(lock=lock),
        )
    version = _version(dist)
    if pinned and version != pinned:
        return Check(
            dist,
            Status.WARN,
            f"{version} installed, westphalia pins {pinned}",
            LOCK_HINT.format(lock=lock),
        )
    return Check(dist, Status.OK, version)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown version"


def _model(model: str, *, load: bool) -> Check:
    name = f"spaCy model {model}"
    try:
        package = importlib.import_module(model)
    except ImportError as e:
        return Check(name, Status.MISSING, f"not installed ({e})", LOCK_HINT.format(lock="base"))
    where = package.__path__[0] if hasattr(package, "__path__") else package.__file__
    detail = f"installed in {where}"
    if load:
        try:
            nlp = package.load()
        except Exception as e:  # a broken model is the finding
            return Check(
                name, Status.MISSING, f"{detail}; does not load: {e}", LOCK_HINT.format(lock="base")
            )
        meta = nlp.meta
        detail = (
            f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')} "
            f"(spaCy {meta.get('spacy_version')}), pipes {', '.join(nlp.pipe_names)}; {detail}"
        )
    return Check(name, Status.OK, detail)


def _data() -> Check:
    root = files("westphalia")
    missing = [f for f in DATA_FILES if not root.joinpath(f).is_file()]
    if not root.joinpath("data", "sample").is_dir():
        missing.append("data/sample/")
    if missing:
        return Check(
            "data files",
            Status.MISSING,
            "not in the package: " + ", ".join(missing),
            "reinstall westphalia; a wheel built without its package data is broken",
        )
    return Check("data files", Status.OK, f"{len(DATA_FILES)} data files and the sample corpus")


def _assets() -> Check:
    from .web.assets import NODE_MODULES, VENDOR, missing_assets

    missing = missing_assets()
    if missing:
        return Check(
            "dashboard files",
            Status.WARN,
            "missing: " + ", ".join(str(p) for p in missing),
            f"npm ci --prefix {NODE_MODULES.parent} (in a checkout), or install the westphalia wheel",
        )
    return Check("dashboard files", Status.OK, ", ".join(VENDOR))
