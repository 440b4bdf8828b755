#!/usr/bin/env python
"""SC-4 (SECURITY-PLAN): a CycloneDX 1.5 JSON software bill of materials from requirements.lock.

No extra dependency (cyclonedx-bom is not locked): every locked package becomes a `library` component with its
package URL (`pkg:pypi/<name>@<version>`) and the SHA-256 hashes the lock pins (one per distribution file: the
wheels for each platform and the source archive). Packages production installs (pyproject's runtime
dependencies and what they require) have scope `required`; the development tools have scope `excluded`. The
`dependencies` graph comes from the lock's `# via` lines. The output is reproducible: the serial number is derived
from the lock's hash, and the timestamp is SOURCE_DATE_EPOCH when set.

    .venv/bin/python scripts/sbom.py [--lock requirements.lock] [--out artifacts/sbom.cdx.json]
    make sbom
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockfile import LOCK, PYPROJECT, SELF, direct_runtime, parse_lock, runtime_closure  # noqa: E402

ALGORITHMS = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}


def purl(name: str, version: str) -> str:
    return f"pkg:pypi/{quote(name)}@{quote(version, safe='.!')}"


def build(lock: Path = LOCK, pyproject: Path = PYPROJECT, timestamp: dt.datetime | None = None) -> dict[str, Any]:
    packages = parse_lock(lock)
    runtime = runtime_closure(packages, pyproject)
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lock_hash = hashlib.sha256(lock.read_bytes()).hexdigest()
    if timestamp is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        timestamp = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC))
    root_ref = f"{project['name']}@{project['version']}"
    refs = {p.name: purl(p.name, p.version) for p in packages}
    components = [{
        "type": "library",
        "bom-ref": refs[p.name],
        "name": p.name,
        "version": p.version,
        "scope": "required" if p.name in runtime else "excluded",
        "purl": refs[p.name],
        "hashes": [{"alg": ALGORITHMS[alg], "content": digest} for alg, digest in p.hashes],
    } for p in packages]
    depends: dict[str, set[str]] = {root_ref: set(), **{ref: set() for ref in refs.values()}}
    for p in packages:
        for parent in p.via:
            if parent == SELF:
                depends[root_ref].add(refs[p.name])
            elif parent in refs:
                depends[refs[parent]].add(refs[p.name])
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'cme-sbom:{lock_hash}')}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "tools": {"components": [{"type": "application", "name": "cme scripts/sbom.py",
                                      "description": "CycloneDX 1.5 from requirements.lock"}]},
            "component": {
                "type": "application", "bom-ref": root_ref, "name": project["name"], "version": project["version"],
                "description": project.get("description", ""),
                "licenses": [{"license": {"id": project["license"]["text"]}}] if "license" in project else [],
            },
            "properties": [
                {"name": "cme:lockfile", "value": lock.name},
                {"name": "cme:lockfile:sha256", "value": lock_hash},
                {"name": "cme:runtime-direct", "value": ", ".join(sorted(direct_runtime(pyproject)))},
            ],
        },
        "components": components,
        "dependencies": [{"ref": ref, "dependsOn": sorted(on)} for ref, on in depends.items()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT)
    parser.add_argument("--out", type=Path, help="write here (default: standard output)")
    args = parser.parse_args(argv)
    bom = build(args.lock, args.pyproject)
    text = json.dumps(bom, indent=1) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        required = sum(1 for c in bom["components"] if c["scope"] == "required")
        print(f"SC-4 SBOM: {len(bom['components'])} components ({required} runtime, "
              f"{len(bom['components']) - required} development), "
              f"{sum(len(c['hashes']) for c in bom['components'])} hashes -> {args.out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
