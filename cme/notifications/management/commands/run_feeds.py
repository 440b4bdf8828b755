from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cme.audit.services import Auditor
from cme.core.models import LocalAuthority
from cme.feeds.detection import truth_score
from cme.feeds.services import FeedBusyError
from cme.notifications.detection import daily_run


class Command(BaseCommand):
    help = (
        "The daily run: import every configured data feed (school feed, partner extracts, CTFs), link the records "
        "to children, run the detection rules and raise concerns in the triage queue. Safe to run twice at once: "
        "the second run exits without changing anything. --truth FILE (synthetic demo only) prints how many of the "
        "hidden missing children were found and how many concerns were false."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--la", help="LA code (default: the only LA in the database)")
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the day the data describes, YYYY-MM-DD (default: today)")
        parser.add_argument("--truth", type=Path, default=None,
                            help="hidden truth CSV written by seed_demo (var/demo-truth.csv): print recall and "
                                 "false concerns")
        parser.add_argument("--detection-only", action="store_true",
                            help="skip the feeds: run detection and raise concerns on the data already held")
        parser.add_argument("--enqueue", action="store_true",
                            help="queue the run as a background task for the worker (manage.py db_worker) instead")

    def handle(self, *args: Any, **options: Any) -> None:
        la = self._la(options["la"])
        if options["enqueue"]:
            from cme.notifications.tasks import feeds_daily_run

            result = feeds_daily_run.enqueue(la.pk, options["on"].isoformat() if options["on"] else None)
            self.stdout.write(f"Daily run for {la} queued (task {result.id}).")
            return
        quiet = options["verbosity"] == 0
        bar = tqdm(total=3, desc="Daily run", unit="stage", disable=quiet)
        started = time.monotonic()
        stages: dict[str, float] = {}

        def stage(name: str) -> None:
            if stages:
                bar.update(1)
            stages[name] = time.monotonic()

        def progress(message: str) -> None:
            bar.set_postfix_str(message[:60])

        try:
            result = daily_run(actor=Auditor.system("feeds.run_feeds"), local_authority=la, on=options["on"],
                               progress=progress, stage=stage, feeds=not options["detection_only"])
        except FeedBusyError as exc:
            bar.close()
            self.stdout.write(self.style.WARNING(str(exc)))
            return
        bar.update(1)
        bar.close()
        elapsed = time.monotonic() - started
        timings = ", ".join(f"{name} {end - start:.1f} s" for (name, start), end in zip(
            stages.items(), [*list(stages.values())[1:], started + elapsed], strict=True))
        self.stdout.write(self.style.SUCCESS(f"Daily run finished in {elapsed:.1f} s ({timings}): {result.line()}"))
        failed = [r for r in result.runs if r.status == "failed"]
        for run in failed:
            self.stdout.write(self.style.ERROR(f"  {run.source.name} ({run.on}): {run.error}"))
        if options["truth"] is not None:
            if not options["truth"].exists():
                raise CommandError(f"No truth file at {options['truth']}.")
            self.stdout.write(truth_score(local_authority=la, path=options["truth"]).line())

    def _la(self, code: str | None) -> LocalAuthority:
        if code:
            found = LocalAuthority.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"No local authority with code {code}.")
            return found
        las = list(LocalAuthority.objects.all()[:2])
        if len(las) != 1:
            raise CommandError("Say which local authority with --la CODE.")
        return las[0]
