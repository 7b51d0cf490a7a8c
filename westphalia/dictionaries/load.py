"""Load a dictionary directory: find its files by role, read them once and keep the result
in a pickle cache keyed by their contents."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import re
from pathlib import Path
from typing import TypeVar

from westphalia.errors import ConfigError

from .actors import _read_actors, _read_agents
from .discards import _read_discards
from .ontology import read_negations
from .records import Dictionaries
from .verbs import read_verbs

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Bump whenever the records or the reading rules change: caches with another version are ignored.
# 2: VerbPattern.reverse; 3: VerbEntry.reverse; 4: Dictionaries.negations; 5: "^" read as a skip
# element; 6: the records moved from westphalia/dictionaries.py to westphalia.dictionaries.records
# (a pickle names each class by its module, so a cache of 5 names the old one)
FORMAT_VERSION = 6

_IGNORED_FILES = ("readme", "license", "issue", "preposition")
_ROLES = ("verbs", "actors", "agents", "discards", "ontology")  # the order sources are listed in
_VERB_FILE = re.compile(r"verb|cameo\.\d")  # Phoenix names its verb file CAMEO.2.0.txt


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
    """Each role of _ROLES -> its files; ConfigError if there are none."""
    if not directory.is_dir():
        raise ConfigError("E013", path=directory)
    files: dict[str, list[Path]] = {role: [] for role in _ROLES}
    for path in sorted(directory.iterdir()):
        role = _role(path.name.lower())
        if role and path.is_file():
            files[role].append(path)
    if not any(files.values()):
        raise ConfigError("E014", path=directory)
    if len(files["verbs"]) > 1:
        names = ", ".join(p.name for p in files["verbs"])
        raise ConfigError("E015", path=directory, names=names)
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
        raise ConfigError("E016", path=path, reason=e.strerror or e) from e
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
    ontology = {k: v for path in files["ontology"] for k, v in read_negations(path).items()}
    negations = tuple(sorted(ontology.items()))
    sources = tuple(str(p) for role in _ROLES for p in files[role])
    return Dictionaries(
        verbs, tuple(actors), tuple(agents), tuple(discards), sources, tuple(notes), negations
    )


def _collect(read: tuple[list[_T], list[str]], notes: list[str]) -> list[_T]:
    notes.extend(read[1])
    return read[0]
