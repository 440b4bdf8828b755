"""Read requirements.lock (uv pip compile --generate-hashes): the pinned packages, their hashes and who needs them.

Shared by scripts/patch_currency.py (SC-3) and scripts/sbom.py (SC-4). Standard library only.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
SELF = "cme (pyproject.toml)"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
_HASH = re.compile(r"--hash=(sha256|sha384|sha512):([0-9a-f]+)")
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Locked:
    name: str
    version: str
    hashes: list[tuple[str, str]] = field(default_factory=list)  # (algorithm, hex digest)
    via: list[str] = field(default_factory=list)  # who requires it (normalised names, or SELF)

    @property
    def purl(self) -> str:
        return f"pkg:pypi/{self.name}@{self.version}"


def parse_lock(path: Path = LOCK) -> list[Locked]:
    """Every `name==version` entry with its `--hash` options and its `# via` lines, in file order."""
    packages: list[Locked] = []
    current: Locked | None = None
    in_via = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        pin = _PIN.match(raw)
        if pin:
            current = Locked(normalise(pin.group(1)), pin.group(3))
            packages.append(current)
            in_via = False
        if current is None or not line:
            continue
        current.hashes += _HASH.findall(line)
        if line.startswith("# via"):
            rest = line[len("# via"):].strip()
            in_via = not rest
            if rest:
                current.via.append(rest if rest == SELF else normalise(rest))
        elif in_via and line.startswith("#   "):
            who = line[1:].strip()
            current.via.append(who if who == SELF else normalise(who.split()[0]))
        elif not line.startswith("--hash"):
            in_via = False
    return packages


def direct_runtime(pyproject: Path = PYPROJECT) -> set[str]:
    """The names in [project] dependencies (what production installs), without the dev extra."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    names = set()
    for requirement in data["project"]["dependencies"]:
        match = _REQ_NAME.match(requirement)
        if match:
            names.add(normalise(match.group(1)))
    return names


def runtime_closure(packages: list[Locked], pyproject: Path = PYPROJECT) -> set[str]:
    """The locked packages production needs: the runtime dependencies and everything they require (from the
    lock's `# via` lines, followed backwards), without the development tools."""
    required_by: dict[str, set[str]] = {}
    for package in packages:
        for parent in package.via:
            required_by.setdefault(parent, set()).add(package.name)
    locked = {p.name for p in packages}
    todo = [name for name in direct_runtime(pyproject) if name in locked]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += sorted(required_by.get(name, set()) - seen)
    return seen
