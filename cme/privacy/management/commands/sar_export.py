from __future__ import annotations

import zipfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.privacy.sar import sar_collect, sar_json


class Command(BaseCommand):
    help = ("Subject access request (UK GDPR Art 15): export every record held about one child, with the audit of "
            "who viewed it, as JSON (or, if --out ends in .zip, a zip of the JSON and the child's documents). "
            "Third parties' details are marked for redaction.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("child_id", type=int, help="the child's id")
        parser.add_argument("--out", required=True, help="file to write (.json or .zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        child = Child.objects.filter(pk=options["child_id"]).first()
        if child is None:
            raise CommandError("No child with that id.")
        out = Path(options["out"])
        if out.suffix == ".zip":
            data = sar_collect(child=child)
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("subject-access.json", sar_json(child=child))
                for name in data["documents"]:
                    if default_storage.exists(name):
                        with default_storage.open(name) as handle:
                            archive.writestr(f"documents/{Path(name).name}", handle.read())
        else:
            out.write_bytes(sar_json(child=child))
        Auditor.system("privacy.sar_export").record(AuditEvent.Action.EXPORT, child, child_id=child.pk,
                                                    summary="subject access export")
        self.stdout.write(self.style.SUCCESS(f"Subject access export for child {child.pk} written to {out}"))
