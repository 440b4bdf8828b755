"""DP-1: write the data map (every stored field and its classification) for the record of processing (ROPA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cme.privacy.inventory import render_csv, render_markdown, unclassified


class Command(BaseCommand):
    help = "Write docs/data-map.md and docs/data-map.csv from cme/privacy/inventory.py (--check: only compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out-dir", default=str(Path(settings.BASE_DIR) / "docs"))
        parser.add_argument("--check", action="store_true", help="Fail if the files are missing or out of date.")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = unclassified()
        if missing:
            raise CommandError(f"{len(missing)} fields are not classified in cme/privacy/inventory.py: "
                               + ", ".join(missing[:20]))
        out = Path(options["out_dir"])
        files = {out / "data-map.md": render_markdown(), out / "data-map.csv": render_csv()}
        if options["check"]:
            stale = [str(path) for path, text in files.items() if not path.exists() or path.read_text() != text]
            if stale:
                raise CommandError("Out of date (run manage.py data_map): " + ", ".join(stale))
            self.stdout.write("The data map is up to date.")
            return
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text)
        self.stdout.write(f"Wrote {', '.join(str(p) for p in files)}.")
