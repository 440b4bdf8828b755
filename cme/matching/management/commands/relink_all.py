"""python manage.py relink_all [--la 931] [--source health ...] [--create-children-for health ...]
[--find-duplicate-children] [--explain] [--dry-run]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from cme.audit.services import Auditor
from cme.core.models import LocalAuthority
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.services import (
    LinkResult,
    child_duplicates_find,
    match_candidate_explain,
    source_records_link,
)


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Link again every source record that is not linked to a child yet (not linked, or waiting for review), "
        "with each council's current thresholds (linkage_upper_threshold, linkage_lower_threshold): UPN or NHS "
        "number first, then the Splink model. Pairs an officer said are not the same child are never linked or "
        "proposed again. Safe to run again: records already linked are left alone and no pair is queued twice. "
        "Prints one summary line per council."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--la", action="append", default=[], metavar="CODE",
                            help="only this council (LA code, e.g. 931); repeat for more (default: all)")
        parser.add_argument("--source", action="append", default=[], metavar="SLUG",
                            help="only records from this source (e.g. health); repeat for more (default: all)")
        parser.add_argument("--create-children-for", action="append", default=[], metavar="SLUG",
                            help="for records from this source that match nobody, create a new child record "
                                 "(e.g. health, hmrc_child_benefit for children living in the area)")
        parser.add_argument("--find-duplicate-children", action="store_true",
                            help="also look for pairs of child records that may be one child (for a manager to "
                                 "merge; never merged automatically)")
        parser.add_argument("--explain", action="store_true",
                            help="also work out the comparison-by-comparison explanation of every open pair now, "
                                 "so review pages open at once")
        parser.add_argument("--batch-size", type=int, default=200_000,
                            help="records scored together (default 200,000; lower it to use less memory)")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then save nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        councils = LocalAuthority.objects.order_by("code")
        if options["la"]:
            councils = councils.filter(code__in=options["la"])
            missing = set(options["la"]) - set(councils.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No council with LA code {', '.join(sorted(missing))}")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        actor = Auditor.system("matching.relink_all")
        for council in councils:
            try:
                with transaction.atomic():
                    line = self._council(council, actor, options)
                    if options["dry_run"]:
                        raise _DryRun
            except _DryRun:
                line += " (dry run: nothing saved)"
            self.stdout.write(line)

    def _council(self, council: LocalAuthority, actor: Auditor, options: dict[str, Any]) -> str:
        records = SourceRecord.objects.filter(local_authority=council).needing_link().order_by("pk")
        if options["source"]:
            records = records.filter(source__in=options["source"])
        create_for = set(options["create_children_for"])
        total = LinkResult(0, 0, 0, 0)
        count = records.count()
        with tqdm(total=count, unit="record", desc=f"{council.code} linking", disable=options["no_progress"]) as bar:
            for source in sorted(set(records.values_list("source", flat=True))):
                of_source = records.filter(source=source)
                ids = list(of_source.values_list("pk", flat=True))
                for start in range(0, len(ids), options["batch_size"]):
                    chunk = ids[start:start + options["batch_size"]]
                    batch = list(of_source.filter(pk__gte=chunk[0], pk__lte=chunk[-1]))  # ids are in order
                    result = source_records_link(actor=actor, local_authority=council, records=batch,
                                                 create_children=source in create_for)
                    total = LinkResult(
                        auto_linked=total.auto_linked + result.auto_linked,
                        queued_for_review=total.queued_for_review + result.queued_for_review,
                        new_children=total.new_children + result.new_children,
                        unlinked=total.unlinked + result.unlinked,
                    )
                    bar.update(len(batch))
        line = (f"relink_all {council.code}: {count:,} records: {total.auto_linked:,} linked, "
                f"{total.queued_for_review:,} for review, {total.new_children:,} new children, "
                f"{total.unlinked:,} not linked")
        if options["find_duplicate_children"]:
            pairs = child_duplicates_find(actor=actor, local_authority=council)
            line += f"; {pairs:,} possible duplicate child pairs"
        if options["explain"]:
            waiting = list(MatchCandidate.objects.filter(local_authority=council, status=MatchCandidate.Status.OPEN,
                                                         explanation={}).select_related("source_record"))
            for candidate in tqdm(waiting, unit="pair", desc=f"{council.code} explaining",
                                  disable=options["no_progress"]):
                match_candidate_explain(candidate=candidate)
            line += f"; {len(waiting):,} pairs explained"
        return line
