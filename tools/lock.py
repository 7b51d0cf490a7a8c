"""The dependency locks: every package, direct and transitive, pinned with its hashes.

    python tools/lock.py            # regenerate requirements/*.txt from pyproject.toml (needs uv)
    python tools/lock.py --check    # exit 1 when pyproject.toml and the locks disagree (offline)

One lock per install target: `base` (the engine), `web` (+ dashboard), `ray` (+ Ray scale-out),
`dev` (+ tests and tools, with both extras). Each also pins the build backend named in
`[build-system]`, so `pip install --no-build-isolation -e .` builds with a locked setuptools, not
whatever the registry serves that day. Resolution is universal (markers for other platforms kept) for the
oldest supported Python, so one lock serves every user.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_DIR = "requirements"
PYTHON = "3.11"  # requires-python's lower bound: the oldest interpreter the locks must serve
# lock name -> extras it installs
TARGETS = {"base": (), "web": ("web",), "ray": ("ray",), "dev": ("dev",)}
REGENERATE = "python tools/lock.py"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[([^\]]*)\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Pin:
    name: str
    version: str
    hashed: bool
    direct: bool  # uv's annotation names pyproject.toml or the build requirements as a source


def canonical(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(pyproject: Path, target: str) -> dict[str, str]:
    """name -> version specifier of what `target` asks for directly (extras expanded)."""
    meta = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = meta["project"]
    own = canonical(project["name"])
    wanted: dict[str, str] = {}
    pending, seen = [*project.get("dependencies", [])], set()
    pending += meta.get("build-system", {}).get("requires", [])
    extras = list(TARGETS[target])
    while extras:
        extra = extras.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for req in project.get("optional-dependencies", {}).get(extra, []):
            name, inner, spec = _split(req)
            if canonical(name) == own:  # "westphalia[web]" inside an extra
                extras += inner
            else:
                pending.append(req)
    for req in pending:
        name, _, spec = _split(req)
        wanted[canonical(name)] = spec
    return wanted


def _split(req: str) -> tuple[str, list[str], str]:
    match = _REQ.match(req.strip())
    if not match:
        raise ValueError(f"cannot read the requirement {req!r}")
    inner = [e.strip() for e in (match.group(3) or "").split(",") if e.strip()]
    return match.group(1), inner, match.group(4).split(";")[0].strip()


def read_lock(path: Path) -> dict[str, Pin]:
    """name -> Pin for every package of a uv/pip-tools lock file."""
    pins: dict[str, Pin] = {}
    current: str | None = None
    hashed: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        match = _PIN.match(line)
        if match:
            current = canonical(match.group(1))
            pins[current] = Pin(current, match.group(3), False, False)
        elif current and stripped.startswith("--hash="):
            hashed.add(current)
        elif current and stripped.startswith("#") and _names_project(stripped):
            pins[current] = Pin(current, pins[current].version, False, True)
    return {n: Pin(n, p.version, n in hashed, p.direct) for n, p in pins.items()}


def _names_project(comment: str) -> bool:
    return "pyproject.toml" in comment or "build-requirements" in comment


def _allows(spec: str, version: str) -> bool:
    """Whether a simple specifier (==, >=, <=, >, <, !=, comma-separated) admits `version`."""
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # a bare interpreter: pip's vendored copy does the same job
        from pip._vendor.packaging.specifiers import SpecifierSet

    return not spec or SpecifierSet(spec).contains(version, prereleases=True)


def check(root: Path = ROOT) -> list[str]:
    """Every way pyproject.toml and the locks disagree, as sentences (empty: they agree)."""
    problems = []
    for target in TARGETS:
        lock = root / LOCK_DIR / f"{target}.txt"
        if not lock.is_file():
            problems.append(f"{lock} is missing: run `{REGENERATE}`.")
            continue
        wanted, pins = direct_requirements(root / "pyproject.toml", target), read_lock(lock)
        for name, spec in sorted(wanted.items()):
            pin = pins.get(name)
            if pin is None:
                problems.append(f"{lock.name}: {name} is in pyproject.toml but not locked.")
            elif not _allows(spec, pin.version):
                problems.append(
                    f"{lock.name}: {name} is locked at {pin.version}, pyproject.toml asks {spec}."
                )
        for name, pin in sorted(pins.items()):
            if pin.direct and name not in wanted:
                problems.append(
                    f"{lock.name}: {name} is locked as a direct dependency pyproject.toml no longer names."
                )
            if not pin.hashed:
                problems.append(f"{lock.name}: {name} has no --hash.")
    return [
        f"{p} Regenerate with `{REGENERATE}`." if "Regenerate" not in p and "run `" not in p else p
        for p in problems
    ]


def compile_locks(root: Path = ROOT) -> None:
    """Regenerate every lock with uv (resolves against the registry: review the diff)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (root / LOCK_DIR).mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build-requirements.in"
        build.write_text("\n".join(meta["build-system"]["requires"]) + "\n", encoding="utf-8")
        for target, extras in TARGETS.items():
            cmd = [
                uv,
                "pip",
                "compile",
                "--quiet",
                "--universal",
                "--generate-hashes",
                "--python-version",
                PYTHON,
                "--custom-compile-command",
                REGENERATE,
                "--output-file",
                str(root / LOCK_DIR / f"{target}.txt"),
                "pyproject.toml",
                str(build),
            ]
            for extra in extras:
                cmd += ["--extra", extra]
            subprocess.run(cmd, cwd=root, check=True)
            _relative_annotations(root / LOCK_DIR / f"{target}.txt", str(build))


def _relative_annotations(lock: Path, build: str) -> None:
    """Name the temporary build-requirements file the same way on every machine."""
    text = lock.read_text(encoding="utf-8").replace(build, "build-requirements (pyproject.toml)")
    lock.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; change nothing")
    args = parser.parse_args(argv)
    if not args.check:
        compile_locks()
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(
            f"locks agree with pyproject.toml: {', '.join(f'{LOCK_DIR}/{t}.txt' for t in TARGETS)}"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
