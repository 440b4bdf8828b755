#!/usr/bin/env python
"""SC-3 (SECURITY-PLAN): patch currency of the locked packages.

For each package production installs (the runtime dependencies in pyproject.toml and everything they require,
from requirements.lock; `--all` adds the development tools), asks the package index which versions exist and
reports the pinned version, the latest release of the same series (same first two version numbers, e.g. Django
5.2.x, cryptography 50.0.x), the latest release overall, and whether the pin is behind on a patch: then how many
days since the first newer patch of its series was published (the plan's figure, "days behind the latest patch").
Yanked releases are ignored, and pre-releases unless the pin is one.

The index is pip's own: PIP_INDEX_URL, else `pip config`'s index-url, else https://pypi.org/simple/ (PEP 691
JSON, with upload times; a plain HTML simple index gives versions without dates). Local `file://` indexes are
partial mirrors and are not asked. Offline, it says it could not check and exits 0, unless `--strict`.

Exit status: 0; with `--strict`, 1 if it could not check every package, or if a package has been behind on a
patch for more than `--sla-days` days (default 7, the plan's SLA for a critical fix: the script does not know
a fix's severity, so it applies the shortest). pip-audit (advisories) belongs to a connected pipeline.

    .venv/bin/python scripts/patch_currency.py [--all] [--strict] [--sla-days N] [--json]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lockfile import LOCK, Locked, parse_lock, runtime_closure  # noqa: E402

DEFAULT_INDEX = "https://pypi.org/simple/"
#: Named in the plan's SC-3 row or security-critical here: flagged in the report.
KEY_PACKAGES = {"django", "cryptography", "argon2-cffi", "argon2-cffi-bindings", "psycopg", "psycopg-binary",
                "defusedxml", "lxml", "django-ninja", "django-otp", "django-csp", "pyjwt", "jinja2", "markupsafe",
                "pydantic", "gunicorn", "whitenoise", "requests", "urllib3", "certifi", "pillow", "openpyxl",
                "sqlparse", "djangorestframework"}
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"


class IndexUnreachable(Exception):
    pass


@dataclass
class Release:
    version: Version
    uploaded: dt.datetime | None


@dataclass
class Currency:
    name: str
    pinned: str
    key: bool
    series: str
    latest_in_series: str | None = None
    latest: str | None = None
    behind: bool | None = None
    days_behind: int | None = None
    error: str = ""


def index_url() -> str:
    """pip's configured index (env var, then `pip config`), else PyPI; file:// indexes are skipped."""
    url = os.environ.get("PIP_INDEX_URL", "")
    if not url:
        try:
            out = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                                 timeout=30, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        for line in out.splitlines():
            key, _, value = line.partition("=")
            if key.endswith(".index-url"):
                url = value.strip().strip("'\"").split()[0]
    if not url or not url.startswith(("http://", "https://")):
        url = DEFAULT_INDEX
    return url.rstrip("/") + "/"


def _context() -> ssl.SSLContext:
    cafile = os.environ.get("PIP_CERT") or None
    return ssl.create_default_context(cafile=cafile if cafile and Path(cafile).exists() else None)


def fetch(url: str, timeout: float) -> tuple[str, bytes]:
    if not url.startswith(("http://", "https://")):
        raise IndexUnreachable(f"{url}: only an http(s) index is asked")
    headers = {"Accept": ACCEPT, "User-Agent": "cme-patch-currency"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=_context()) as response:  # noqa: S310
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise LookupError(f"not on the index ({url})") from error
        raise IndexUnreachable(f"{url}: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise IndexUnreachable(f"{url}: {getattr(error, 'reason', error)}") from error


def file_version(name: str) -> re.Pattern[str]:
    """The version in a distribution file name of project `name` (wheel, sdist or older formats)."""
    stem = "[-_.]+".join(re.escape(part) for part in name.split("-"))
    return re.compile(rf"^{stem}-(\d[^-]*?)(?:-|\.tar\.gz$|\.tar\.bz2$|\.zip$|\.egg$|\.exe$)", re.IGNORECASE)


def releases(name: str, index: str, timeout: float) -> list[Release]:
    """Releases not yanked, with their first upload time (None from an HTML index)."""
    content_type, body = fetch(f"{index}{name}/", timeout)
    pattern = file_version(name)
    uploaded: dict[str, dt.datetime | None] = {}
    yanked: dict[str, bool] = {}
    if "json" in content_type:
        data = json.loads(body)
        for item in data.get("files", []):
            match = pattern.match(item["filename"])
            if not match:
                continue
            version = match.group(1)
            when = item.get("upload-time")
            at = dt.datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None
            previous = uploaded.get(version)
            uploaded[version] = at if previous is None or (at and at < previous) else previous
            yanked[version] = yanked.get(version, True) and bool(item.get("yanked"))
        for version in data.get("versions", []):
            uploaded.setdefault(version, None)
    else:
        for filename in re.findall(r">\s*([^<>\s]+)\s*</a>", body.decode("utf-8", "replace")):
            match = pattern.match(filename)
            if match:
                uploaded.setdefault(match.group(1), None)
    result = []
    for text, at in uploaded.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not yanked.get(text, False):
            result.append(Release(version, at))
    return result


def series_of(version: Version) -> tuple[int, ...]:
    return (version.release + (0,))[:2]


def assess(package: Locked, found: list[Release], today: dt.datetime) -> Currency:
    pinned = Version(package.version)
    series = series_of(pinned)
    row = Currency(package.name, package.version, package.name in KEY_PACKAGES, ".".join(map(str, series)) + ".x")
    found = [r for r in found if pinned.is_prerelease or not r.version.is_prerelease]  # pre-releases only for such pins
    if not found:
        row.error = "no releases found"
        return row
    same = [r for r in found if series_of(r.version) == series]
    row.latest = str(max(r.version for r in found))
    row.latest_in_series = str(max(r.version for r in same)) if same else package.version
    newer = [r for r in same if r.version > pinned]
    row.behind = bool(newer)
    if newer:
        dates = [r.uploaded for r in newer if r.uploaded]
        row.days_behind = (today - min(dates)).days if dates else None
    return row


def check(packages: list[Locked], index: str, timeout: float, today: dt.datetime) -> tuple[list[Currency], str]:
    """Returns the rows and, if the index could not be reached at all, why (then every row has an error)."""
    rows: dict[str, Currency] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = {pool.submit(releases, p.name, index, timeout): p for p in packages}
        for future in concurrent.futures.as_completed(futures):
            package = futures[future]
            try:
                rows[package.name] = assess(package, future.result(), today)
            except (IndexUnreachable, LookupError, ValueError) as error:
                series = ".".join(map(str, series_of(Version(package.version)))) + ".x"
                rows[package.name] = Currency(package.name, package.version, package.name in KEY_PACKAGES,
                                              series, error=str(error))
    ordered = [rows[p.name] for p in packages]
    unreachable = ""
    if ordered and all(r.error for r in ordered):
        unreachable = ordered[0].error
    return ordered, unreachable


def report(rows: list[Currency], index: str, scope: str, unreachable: str) -> str:
    if unreachable:
        return (f"SC-3 patch currency: could not check ({unreachable}). {len(rows)} {scope} packages in "
                f"{LOCK.name} were not compared with the index {index}.")
    lines = [f" {'package':27} {'pinned':17} {'latest in series':17} {'latest':17} behind"]
    for r in sorted(rows, key=lambda r: (not r.behind, not r.key, r.name)):
        if r.error:
            lines.append(f" {r.name:27} {r.pinned:17} could not check: {r.error}")
            continue
        behind = (f"yes, {r.days_behind} days" if r.days_behind is not None else "yes") if r.behind else "no"
        mark = "*" if r.key else " "
        lines.append(f"{mark}{r.name:27} {r.pinned:17} {r.latest_in_series or '':17} {r.latest or '':17} {behind}")
    checked = [r for r in rows if not r.error]
    behind = [r for r in checked if r.behind]
    key_behind = [r.name for r in behind if r.key]
    days = max((r.days_behind for r in behind if r.days_behind is not None), default=0)
    lines.append(f"SC-3 patch currency: {len(checked)} of {len(rows)} {scope} packages checked against {index}; "
                 f"{len(behind)} behind the latest patch of their series (security-relevant *: "
                 f"{', '.join(key_behind) or 'none'}); longest {days} days.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--all", action="store_true", help="also the development tools")
    parser.add_argument("--index-url", default="", help="default: pip's configured index, else PyPI")
    parser.add_argument("--strict", action="store_true", help="fail when it cannot check or a pin is past the SLA")
    parser.add_argument("--sla-days", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)

    locked = parse_lock(args.lock)
    if not args.all:
        runtime = runtime_closure(locked)
        locked = [p for p in locked if p.name in runtime]
    scope = "locked" if args.all else "runtime"
    index = (args.index_url.rstrip("/") + "/") if args.index_url else index_url()
    rows, unreachable = check(locked, index, args.timeout, dt.datetime.now(dt.UTC))
    if args.json:
        print(json.dumps({"index": index, "unreachable": unreachable, "rows": [asdict(r) for r in rows]}, indent=1))
    else:
        print(report(rows, index, scope, unreachable))
    if not args.strict:
        return 0
    late = [r.name for r in rows if r.behind and (r.days_behind is None or r.days_behind > args.sla_days)]
    if late:
        print(f"strict: behind on a patch for more than {args.sla_days} days: {', '.join(late)}", file=sys.stderr)
    return 1 if unreachable or late or any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
