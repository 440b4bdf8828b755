from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.core.backup import BackupError, backup_read, load_key, restore_database


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `manage.py backup`. The file is decrypted and its integrity "
        "checked before anything is touched; a wrong key or a changed byte stops the restore. `--check` only "
        "verifies the file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("backup", type=Path, help="the backup file")
        parser.add_argument("--key-file", help="a file holding the base64 key (default: CME_BACKUP_KEY)")
        parser.add_argument("--check", action="store_true", help="verify the backup without restoring it")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = load_key(key_file=options["key_file"])
            if options["check"]:
                header, payload = backup_read(options["backup"], key=key)
                self.stdout.write(self.style.SUCCESS(
                    f"OK: {header['engine']} backup from {header['created_at']}, {len(payload):,} bytes"))
                return
            if not options["yes"]:
                raise CommandError("Restoring replaces the whole database. Run again with --yes to confirm.")
            header = restore_database(options["backup"], key=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the {header['engine']} backup from {header['created_at']}"))
