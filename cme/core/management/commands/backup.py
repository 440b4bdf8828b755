from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.core.backup import BackupError, backup_write, load_key, new_key


class Command(BaseCommand):
    help = (
        "Back up the whole database (SQLite or PostgreSQL) to one encrypted, integrity-checked file "
        "(AES-256-GCM). The key comes from CME_BACKUP_KEY or --key-file; `backup --new-key` prints a fresh key. "
        "Keep the key apart from the backups."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, help="the backup file to write")
        parser.add_argument("--key-file", help="a file holding the base64 key (default: CME_BACKUP_KEY)")
        parser.add_argument("--new-key", action="store_true", help="print a new random key and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        if not options["out"]:
            raise CommandError("--out FILE is required")
        try:
            header = backup_write(options["out"], key=load_key(key_file=options["key_file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backed up the {header['engine']} database ({header['bytes']:,} bytes) to {options['out']}"))
