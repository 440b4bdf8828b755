"""Feed imports: receive, parse and validate, then upsert everything in ONE transaction per run.

`feed_run_execute` is the entry point (the daily run, the upload page and `run_feeds` all call it):

1. a FeedRun row is written first (status "running"), and each received file is kept raw with its sha256
   (FeedFile; bytes under MEDIA_ROOT/feeds). A file whose checksum was already imported for the source is
   recognised and skipped, so re-running a run is a no-op;
2. inside one `transaction.atomic()`, every file is parsed by its source module (cme.feeds.sources), one file at a
   time from its stored copy: each row is accepted or rejected with its reasons (rows in = accepted + rejected).
   People-level rows go through `matching.services.RecordsImport` (`source_records_import` in parts of
   `_UPSERT_PART` rows: upsert, then link what is new or changed), and a part's rows are let go once stored, so
   only the facts of a 100,000-pupil first load stay in memory; school-roll facts then update
   `children.Enrolment`, `PlaceAllocation` and `AttendanceSession` in bulk; rejected rows and counts are written.
   A file that cannot be read, or with more than half its rows rejected, fails the whole run with a clear
   message and its rejected-rows report (every file is still read, for the report): nothing is imported;
3. any exception rolls all of it back and the run is marked failed in a separate transaction with the reason (the
   raw files stay, for the record). A process killed half-way leaves the run "running" with nothing imported;
   the next run marks it interrupted and imports the files again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Enrolment, School
from cme.core.bulk import bulk_write_cache, gc_paused
from cme.core.models import LocalAuthority
from cme.feeds.models import (
    AttendanceSession,
    DailyRun,
    FeedFile,
    FeedLock,
    FeedRun,
    FeedSource,
    PlaceAllocation,
    RejectedRow,
)
from cme.feeds.sources import PARSERS
from cme.feeds.sources.base import Accepted, AttendanceFact, FileError, MappingSpec, ParsedFile, Rejection, RollFact
from cme.feeds.storage import raw_read, raw_store, sha256
from cme.law.school_age import school_year_start
from cme.matching.models import SourceRecord
from cme.matching.services import (
    LinkResult,
    RecordIn,
    RecordsImport,
    source_records_link,
    source_records_link_identified,
    update_rows,
)

logger = logging.getLogger(__name__)

#: A file with more than this share of its rows rejected is treated as malformed: the run imports nothing.
MAX_REJECTED_SHARE = 0.5
#: A lock older than this is taken to belong to a process that died (a daily run takes minutes, not hours).
LOCK_STALE_AFTER = dt.timedelta(hours=6)
DAILY_LOCK = "daily-run"
_BATCH = 2000
#: People-level rows stored per part (`RecordsImport.add`): the parsed rows of one part are held, not the run's.
_UPSERT_PART = 20_000
#: Roll facts matched to enrolments per group of schools (`_roll_apply`).
_ROLL_GROUP = 10_000
_IN = 900
#: Above this many keys, one read of the whole source (or of the schools' rolls) beats thousands of IN lists.
_READ_ALL_ABOVE = 5000


class FeedRunError(Exception):
    """The run cannot import anything; the message is for the person reading the run report."""


class FeedBusyError(Exception):
    """Another run holds the lock."""


def _checkpoint(stage: str, index: int) -> None:
    """Does nothing. Tests replace it to crash (or SIGKILL) the import at a chosen row or stage."""


def _chunks(items: Sequence[Any], size: int = _IN) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --------------------------------------------------------------------------------------------------
# The lock (a conditional UPDATE on a row: works the same on SQLite and PostgreSQL)
# --------------------------------------------------------------------------------------------------


def _holder_dead(holder: str) -> bool:
    """True if the holder ("host:pid:...") was a process on this machine that no longer exists (killed)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lock_holder(name: str = DAILY_LOCK) -> FeedLock | None:
    """The lock row if someone holds it (a plain read: never waits for a writer). A lock older than
    LOCK_STALE_AFTER, or held by a process on this machine that has died, counts as free."""
    lock = FeedLock.objects.filter(name=name).exclude(holder="").first()
    if lock is None or (lock.acquired_at and lock.acquired_at < timezone.now() - LOCK_STALE_AFTER):
        return None
    if _holder_dead(lock.holder):
        return None
    return lock


def lock_holder_name() -> str:
    """A holder id for this process: host:pid:random (so a dead holder on this host can be recognised)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lock_acquire(*, holder: str, name: str = DAILY_LOCK) -> bool:
    """Take the named lock. True if we hold it now; False if someone else does (the caller exits cleanly)."""
    from django.db import IntegrityError, OperationalError

    current = FeedLock.objects.filter(name=name).first()
    if current is not None and current.holder and lock_holder(name) is not None:
        return False
    try:
        if current is None:
            FeedLock.objects.get_or_create(name=name)
        now = timezone.now()
        free = Q(holder="") | Q(acquired_at__lt=now - LOCK_STALE_AFTER)
        if current is not None and current.holder:  # stale or dead: take it only if it is still that holder
            free |= Q(holder=current.holder)
        taken = FeedLock.objects.filter(free, name=name).update(holder=holder, acquired_at=now)
    except IntegrityError:  # created by the other process at the same moment
        return False
    except OperationalError:  # SQLite: the other run holds the database's write lock
        return False
    return taken == 1


def lock_release(*, holder: str, name: str = DAILY_LOCK) -> None:
    FeedLock.objects.filter(name=name, holder=holder).update(holder="", acquired_at=None)


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedFile:
    """A file as received: its bytes, or the path they are read from when needed (a folder's files, a fetched
    page spooled to disk), so a day's thousands of pages need not all be held in memory at once."""

    name: str
    data: bytes = b""
    path: Path | None = None

    def read(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else self.data


@dataclass
class _Parsed:
    files: list[tuple[FeedFile, ParsedFile]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed_files: list[tuple[FeedFile, ParsedFile | None]] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(len(p.items) for _, p in self.files) + sum(len(p.items) for _, p in self.failed_files if p)


def mapping_spec(source: FeedSource) -> MappingSpec:
    mapping = source.mapping
    if mapping is None:
        return MappingSpec()
    return MappingSpec(columns=dict(mapping.columns), date_format=mapping.date_format, encoding=mapping.encoding,
                       delimiter=mapping.delimiter)


def feed_runs_close_interrupted(*, source: FeedSource) -> int:
    """Runs left "running" by a process that died: marked failed (their transaction never committed)."""
    stale = FeedRun.objects.filter(source=source, status=FeedRun.Status.RUNNING)
    count = stale.update(status=FeedRun.Status.FAILED, finished_at=timezone.now(),
                         error="Interrupted: the process stopped before the run finished; nothing from it was kept.")
    FeedFile.objects.filter(run__source=source, status=FeedFile.Status.RECEIVED).update(status=FeedFile.Status.FAILED)
    return count


def _receive(*, run: FeedRun, files: Sequence[ReceivedFile]) -> list[FeedFile]:
    """Keep each file as received (by checksum, under MEDIA_ROOT/feeds), one at a time: the bytes are read again
    from the stored copy when parsed. A file already imported for the source (or twice in the batch) is SKIPPED."""
    stored: list[tuple[str, str, int, str]] = []
    for received in files:
        data = received.read()
        digest = sha256(data)
        stored.append((received.name, digest, len(data), raw_store(data, digest)))
        del data
    imported = set(FeedFile.objects.filter(run__source_id=run.source_id, status=FeedFile.Status.IMPORTED,
                                           sha256__in={digest for _, digest, _, _ in stored})
                   .values_list("sha256", flat=True))
    rows, seen = [], set()
    for name, digest, size, path in stored:
        duplicate = digest in imported or digest in seen
        seen.add(digest)
        rows.append(FeedFile(run=run, name=name[:300], sha256=digest, size=size, storage_path=path,
                             status=FeedFile.Status.SKIPPED if duplicate else FeedFile.Status.RECEIVED))
    return FeedFile.objects.bulk_create(rows, batch_size=500)


def _check_schools(source: FeedSource, parsed: ParsedFile, schools: set[str]) -> None:
    """Referential check: a school-feed row about a school the LA does not hold is rejected, not dropped."""
    if source.kind != FeedSource.Kind.WONDE:
        return
    for position, item in enumerate(parsed.items):
        if isinstance(item, Accepted):
            unknown = sorted({f.laestab for f in item.facts if f.laestab not in schools})
            if unknown:
                raw = {"record": item.record.source_record_id if item.record else "",
                       "school": ", ".join(unknown)}
                parsed.items[position] = Rejection(item.row_number, raw, (
                    f"school {', '.join(unknown)} is not one of the LA's schools",))


def _parse_each(*, source: FeedSource, on: dt.date, files: Sequence[FeedFile], parsed: _Parsed
                ) -> Iterator[tuple[FeedFile, ParsedFile]]:
    """Parse the received files one at a time from their stored copies, recording each in ``parsed`` (good files,
    failed files and their errors); yields the good ones as they are read."""
    parser = PARSERS.get(source.source)
    if parser is None:
        raise FeedRunError(f"No reader for source {source.source!r}.")
    mapping = mapping_spec(source)
    schools = set(School.objects.filter(local_authority_id=source.local_authority_id)
                  .values_list("laestab", flat=True))
    for feed_file in files:
        if feed_file.status != FeedFile.Status.RECEIVED:
            continue
        try:
            parsed_file = parser(raw_read(feed_file.storage_path), name=feed_file.name, mapping=mapping, on=on)
        except FileError as exc:
            parsed.errors.append(f"{feed_file.name}: {exc}" if feed_file.name not in str(exc) else str(exc))
            parsed.failed_files.append((feed_file, None))
            continue
        _check_schools(source, parsed_file, schools)
        rejected = len(parsed_file.rejected)
        if rejected and rejected > MAX_REJECTED_SHARE * len(parsed_file.items):
            parsed.errors.append(
                f"{feed_file.name}: {rejected} of {len(parsed_file.items)} rows were rejected, so the file looks "
                "malformed (wrong columns, date format or delimiter?). Nothing was imported; see the rejected rows."
            )
            parsed.failed_files.append((feed_file, parsed_file))
            continue
        parsed.files.append((feed_file, parsed_file))
        yield feed_file, parsed_file


def _parse(*, source: FeedSource, on: dt.date, files: Sequence[FeedFile]) -> _Parsed:
    """Every received file parsed and held (`_parse_each` to completion)."""
    result = _Parsed()
    for _ in _parse_each(source=source, on=on, files=files, parsed=result):
        pass
    return result


def _rejected_rows(run: FeedRun, files: Iterable[tuple[FeedFile, ParsedFile | None]]) -> list[RejectedRow]:
    return [
        RejectedRow(run=run, file=feed_file, row_number=item.row_number, raw=item.raw, reasons=list(item.reasons))
        for feed_file, parsed in files if parsed is not None
        for item in parsed.items if isinstance(item, Rejection)
    ]


def feed_run_execute(*, actor: Auditor, source: FeedSource, on: dt.date, files: Sequence[ReceivedFile],
                     daily_run: DailyRun | None = None, defer_link: bool = False) -> FeedRun:
    """Import one batch of files from a source as one run (see the module docstring). Never raises for bad
    data: the run is marked failed with the reason. The caller holds the run lock (`lock_acquire`).

    `defer_link` (partner extracts in the daily run): the records are stored and linked afterwards, together
    with the other extracts' records, by `feeds_link_pending` (one engine pass instead of one per source). Their
    facts need no child until detection, which runs after linking; school-feed runs always link in the run.
    """
    feed_runs_close_interrupted(source=source)
    run = FeedRun.objects.create(source=source, daily_run=daily_run, on=on, started_at=timezone.now(),
                                 triggered_by=actor.label)
    parsed = _Parsed()
    try:
        # Hundreds of thousands of facts (parsed rows, their records let go once stored) live to the end of the run.
        with gc_paused(), bulk_write_cache():
            _execute(actor=actor, run=run, parsed=parsed, files=files,
                     link=not (defer_link and source.kind == FeedSource.Kind.CSV))
            parsed = _Parsed()  # freed now: collection must not resume while they are still there to walk
    except Exception as exc:
        if not isinstance(exc, FeedRunError):
            logger.exception("Feed run %s (%s) failed", run.pk, source.slug)
        _run_fail(run=run, parsed=parsed, error=str(exc) or exc.__class__.__name__)
    run.refresh_from_db()
    return run


def _execute(*, actor: Auditor, run: FeedRun, parsed: _Parsed, files: Sequence[ReceivedFile], link: bool) -> None:
    """Receive, parse and import (`feed_run_execute`); fills ``parsed`` as it goes, for the failure report."""
    received = _receive(run=run, files=files)
    with transaction.atomic():
        counts = _import(actor=actor, run=run, parsed=parsed, files=received, link=link)
        _checkpoint("finished", 0)
        FeedRun.objects.filter(pk=run.pk).update(status=FeedRun.Status.SUCCEEDED, finished_at=timezone.now(),
                                                 **counts)
        for feed_file, parsed_file in parsed.files:
            feed_file.status, feed_file.rows = FeedFile.Status.IMPORTED, len(parsed_file.items)
            feed_file.rejected, feed_file.warnings = len(parsed_file.rejected), parsed_file.warnings[:50]
        update_rows(FeedFile, [f for f, _ in parsed.files], ["status", "rows", "rejected", "warnings"])


@transaction.atomic
def _run_fail(*, run: FeedRun, parsed: _Parsed, error: str) -> None:
    rejected = _rejected_rows(run, [*parsed.files, *parsed.failed_files])
    RejectedRow.objects.bulk_create(rejected, batch_size=_BATCH)
    for feed_file, parsed_file in [*parsed.files, *parsed.failed_files]:
        FeedFile.objects.filter(pk=feed_file.pk).update(
            status=FeedFile.Status.FAILED, rows=len(parsed_file.items) if parsed_file else 0,
            rejected=len(parsed_file.rejected) if parsed_file else 0)
    FeedFile.objects.filter(run=run, status=FeedFile.Status.RECEIVED).update(status=FeedFile.Status.FAILED)
    received = parsed.received
    FeedRun.objects.filter(pk=run.pk).update(
        status=FeedRun.Status.FAILED, finished_at=timezone.now(), error=error[:5000], received=received,
        accepted=0, rejected=len(rejected), new=0, changed=0,
        skipped_files=FeedFile.objects.filter(run=run, status=FeedFile.Status.SKIPPED).count(),
    )


def _store_records(*, actor: Auditor, run: FeedRun, parsed: _Parsed, files: Sequence[FeedFile],
                   link: bool) -> RecordsImport:
    """Parse the files and store their people-level rows part by part (`RecordsImport.add`); a part's parsed
    rows are let go once stored (their facts stay). A malformed file stops the storing; the remaining files are
    still parsed for the failure report, then the run fails."""
    source = run.source
    importer = RecordsImport(actor=actor, local_authority=source.local_authority, run_id=run.pk, link=link,
                             create_children=source.create_children)
    part: list[RecordIn] = []
    holding: list[ParsedFile] = []

    def store() -> None:
        importer.add(part)
        for stored in holding:
            stored.drop_records()
        part.clear()
        holding.clear()

    for _, parsed_file in _parse_each(source=source, on=run.on, files=files, parsed=parsed):
        if parsed.errors:  # the run will fail: only its rejected rows are wanted now
            parsed_file.drop_records()
            continue
        part.extend(item.record for item in parsed_file.items if isinstance(item, Accepted) and item.record)
        holding.append(parsed_file)
        if len(part) >= _UPSERT_PART:
            store()
    if parsed.errors:
        raise FeedRunError(" ".join(parsed.errors))
    store()
    return importer


def _import(*, actor: Auditor, run: FeedRun, parsed: _Parsed, files: Sequence[FeedFile],
            link: bool = True) -> dict[str, Any]:
    source = run.source
    la = source.local_authority
    importer = _store_records(actor=actor, run=run, parsed=parsed, files=files, link=link)
    accepted: list[Accepted] = []
    for _, parsed_file in parsed.files:
        accepted.extend(parsed_file.accepted)
    rejected = _rejected_rows(run, parsed.files)
    received = sum(len(parsed_file.items) for _, parsed_file in parsed.files)
    schools = dict(School.objects.filter(local_authority=la).values_list("laestab", "pk"))
    if len(accepted) + len(rejected) != received:
        raise FeedRunError("Internal check failed: rows in is not accepted plus rejected.")

    upsert, linked = importer.finish()
    _checkpoint("upserted", 0)
    _checkpoint("linked", 0)

    keys = sorted({fact.record for item in accepted for fact in item.facts})
    child_of = _children_of(la, keys)
    roll = _RollPlan()
    attendance: list[tuple[int, int, dt.date, str, str]] = []
    waiting = 0
    for index, item in enumerate(accepted):
        _checkpoint("row", index)
        for fact in item.facts:
            child_id = child_of.get(fact.record)
            if child_id is None:
                waiting += 1
                continue
            if isinstance(fact, AttendanceFact):
                attendance.append((child_id, schools[fact.laestab], fact.date, fact.session, fact.code))
            else:
                roll.add(child_id, schools.get(fact.laestab), fact)
    replayed = 0
    if source.kind == FeedSource.Kind.WONDE:
        replayed = _replay_reviewed(la=la, source=source, run=run, plan=roll, schools=schools)
    roll_counts = _roll_apply(actor=actor, la=la, run=run, plan=roll)
    attendance_counts = _attendance_apply(attendance)
    RejectedRow.objects.bulk_create(rejected, batch_size=_BATCH)
    _checkpoint("written", 0)
    new = upsert.created + roll_counts["created"] + attendance_counts["created"]
    changed = upsert.changed + roll_counts["changed"] + attendance_counts["changed"]
    details = {
        "records": {"created": upsert.created, "changed": upsert.changed, "unchanged": upsert.unchanged},
        "linkage": {"auto_linked": linked.auto_linked, "queued_for_review": linked.queued_for_review,
                    "new_children": linked.new_children, "unlinked": linked.unlinked},
        "linkage_deferred": not link,
        "roll": roll_counts,
        "attendance": attendance_counts,
        "facts_waiting_for_linkage": waiting,
        "facts_applied_after_review": replayed,
    }
    actor.record(AuditEvent.Action.SYSTEM, run, local_authority_id=la.pk,
                 summary=f"{source.name}: {received} rows, {len(accepted)} accepted, {len(rejected)} rejected, "
                         f"{new} new, {changed} changed", changes=details)
    return {"received": received, "accepted": len(accepted), "rejected": len(rejected), "new": new,
            "changed": changed, "details": details,
            "skipped_files": FeedFile.objects.filter(run=run, status=FeedFile.Status.SKIPPED).count()}


def _replay_reviewed(*, la: LocalAuthority, source: FeedSource, run: FeedRun, plan: _RollPlan,
                     schools: dict[str, int]) -> int:
    """School-feed records an officer linked since the last run: their roll facts waited for the link (a daily
    sync does not send an unchanged pupil again), so they are applied now from the record as received."""
    from cme.feeds.sources.wonde import fact_from_raw

    previous = (FeedRun.objects.filter(source=source, status=FeedRun.Status.SUCCEEDED).exclude(pk=run.pk)
                .order_by("-started_at").values_list("started_at", flat=True).first())
    if previous is None:
        return 0
    replayed = 0
    for record_id, child_id, raw in SourceRecord.objects.filter(
            local_authority=la, source=source.source, child__isnull=False, linked_at__gte=previous,
            link_method=SourceRecord.LinkMethod.REVIEWED).values_list("source_record_id", "child_id", "raw"):
        fact = fact_from_raw(record_id, raw if isinstance(raw, dict) else {})
        if fact is not None:
            plan.add(child_id, schools.get(fact.laestab), fact)
            replayed += 1
    return replayed


def _children_of(la: LocalAuthority, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(source, source_record_id) -> linked child id, for the records the facts are about."""
    found: dict[tuple[str, str], int] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, record_id in keys:
        by_source[source].append(record_id)
    for source, ids in by_source.items():
        query = SourceRecord.objects.filter(local_authority=la, source=source, child__isnull=False)
        if len(ids) > _READ_ALL_ABOVE:  # most of the source: one read of all of it
            wanted = set(ids)
            found.update(((source, r), c) for r, c in query.values_list("source_record_id", "child_id") if r in wanted)
        else:
            for chunk in _chunks(ids):
                found.update(((source, r), c) for r, c in query.filter(source_record_id__in=chunk)
                             .values_list("source_record_id", "child_id"))
    return found


# --------------------------------------------------------------------------------------------------
# School-roll facts
# --------------------------------------------------------------------------------------------------


@dataclass
class _RollPlan:
    enrolment_facts: list[tuple[int, int, RollFact]] = field(default_factory=list)  # child, school, fact
    allocations: list[RollFact] = field(default_factory=list)

    def add(self, child_id: int, school_id: int | None, fact: RollFact) -> None:
        if fact.kind in ("offer", "pre_admission"):
            self.allocations.append(fact)
        elif school_id is not None:
            self.enrolment_facts.append((child_id, school_id, fact))


def _nc_year_at_start(fact: RollFact, on: dt.date) -> int | None:
    if fact.nc_year is None or fact.start is None:
        return None
    return fact.nc_year - (school_year_start(min(fact.end or on, on)) - school_year_start(fact.start))


_ENROLMENT_FIELDS = ("start", "end", "nc_year_actual", "deletion_ground", "destination_laestab",
                     "destination_name")


@dataclass(slots=True)
class _Enrolled:
    """An enrolment as read (or about to be created) while roll facts are matched: a model instance is made only
    for those created or changed (a first load matches every pupil on roll against their enrolments)."""

    pk: int | None
    child_id: int
    school_id: int
    start: dt.date
    end: dt.date | None
    nc_year_actual: int | None
    deletion_ground: str
    destination_laestab: str
    destination_name: str

    def model(self, **extra: Any) -> Enrolment:
        return Enrolment(pk=self.pk, child_id=self.child_id, school_id=self.school_id,
                         **{name: getattr(self, name) for name in _ENROLMENT_FIELDS}, **extra)


def _enrolments_of(children: Sequence[int], schools: set[int]) -> Iterable[tuple[Any, ...]]:
    """(pk, child, school, *_ENROLMENT_FIELDS) of these children's enrolments at these schools."""
    query = Enrolment.objects.values_list("pk", "child_id", "school_id", *_ENROLMENT_FIELDS)
    if len(children) <= _READ_ALL_ABOVE:
        for chunk in _chunks(children):
            yield from query.filter(child_id__in=chunk)
        return
    wanted = set(children)  # most of the roll: a read per school beats hundreds of IN lists of children
    for chunk in _chunks(sorted(schools)):
        yield from (row for row in query.filter(school_id__in=chunk) if row[1] in wanted)


def _roll_apply(*, actor: Auditor, la: LocalAuthority, run: FeedRun, plan: _RollPlan) -> dict[str, int]:
    """Enrolments from roll facts (the school's MIS is the authority for its own roll), and place allocations.
    A fact only touches its child's enrolments at its own school, so the facts are applied a group of schools at
    a time (about `_ROLL_GROUP` facts): a county's first load does not hold every pupil's enrolments at once."""
    counts = {"created": 0, "changed": 0, "enrolments_created": 0, "enrolments_changed": 0,
              "allocations_created": 0, "allocations_changed": 0}
    by_school: dict[int, list[tuple[int, RollFact]]] = defaultdict(list)
    for child_id, school_id, fact in plan.enrolment_facts:
        by_school[school_id].append((child_id, fact))
    group: list[int] = []
    size = 0
    for school_id in sorted(by_school):
        group.append(school_id)
        size += len(by_school[school_id])
        if size >= _ROLL_GROUP:
            _enrolments_apply(actor=actor, la=la, run=run, facts=by_school, schools=group, counts=counts)
            group, size = [], 0
    if group:
        _enrolments_apply(actor=actor, la=la, run=run, facts=by_school, schools=group, counts=counts)
    created_allocations, changed_allocations = _allocations_apply(la=la, run=run, facts=plan.allocations)
    counts["allocations_created"], counts["allocations_changed"] = created_allocations, changed_allocations
    counts["created"] = counts["enrolments_created"] + created_allocations
    counts["changed"] = counts["enrolments_changed"] + changed_allocations
    return counts


def _enrolments_apply(*, actor: Auditor, la: LocalAuthority, run: FeedRun,
                      facts: dict[int, list[tuple[int, RollFact]]], schools: list[int],
                      counts: dict[str, int]) -> None:
    """The roll facts of these schools, matched to their pupils' enrolments there (in the facts' order)."""
    children = sorted({child for school in schools for child, _ in facts[school]})
    existing: dict[tuple[int, int], list[_Enrolled]] = defaultdict(list)
    for row in _enrolments_of(children, set(schools)):
        existing[(row[1], row[2])].append(_Enrolled(*row))
    new: list[_Enrolled] = []
    changed_rows: dict[int, _Enrolled] = {}
    for school_id in schools:
        for child_id, fact in facts[school_id]:
            known = existing[(child_id, school_id)]
            match = _match_enrolment(known, fact)
            if match is None:
                if fact.kind == "deleted" or fact.start is None:
                    continue
                enrolled = _Enrolled(None, child_id, school_id, fact.start, fact.end if fact.kind == "left" else None,
                                     _nc_year_at_start(fact, run.on), fact.deletion_ground, fact.destination_laestab,
                                     fact.destination_name)
                if enrolled.end is not None and enrolled.end < enrolled.start:
                    continue
                known.append(enrolled)
                new.append(enrolled)
                continue
            before = tuple(getattr(match, f) for f in _ENROLMENT_FIELDS)
            if fact.kind == "on_roll":
                if fact.start and match.start != fact.start and (match.end is None or match.end >= fact.start):
                    match.start = fact.start
                if match.end is not None and match.end < run.on:  # on the register today although recorded as left
                    match.end, match.deletion_ground = None, ""
                    match.destination_laestab, match.destination_name = "", ""
            elif fact.kind == "left":
                if fact.end and fact.end >= match.start:
                    match.end = fact.end
                if fact.deletion_ground:
                    match.deletion_ground = fact.deletion_ground
                if fact.destination_laestab:
                    match.destination_laestab = fact.destination_laestab
                    match.destination_name = fact.destination_name or match.destination_name
            elif fact.kind == "deleted" and match.end is None:
                match.end = max(fact.end or run.on, match.start)
            if match.nc_year_actual is None and fact.nc_year is not None:
                match.nc_year_actual = _nc_year_at_start(fact, run.on)
            if tuple(getattr(match, f) for f in _ENROLMENT_FIELDS) != before and match.pk is not None:
                changed_rows[match.pk] = match
    # Model instances and their audit events are made _BATCH at a time (a new council's first load creates an
    # enrolment for every pupil: 100,000 of each held at once would be hundreds of MB).
    for start in range(0, len(new), _BATCH):
        to_create = [enrolled.model(source=run.source.source) for enrolled in new[start:start + _BATCH]]
        Enrolment.objects.bulk_create(to_create)
        AuditEvent.objects.bulk_create([
            actor._event(AuditEvent.Action.CREATE, e, child_id=e.child_id, local_authority_id=la.pk,
                         summary=f"school roll: on roll from {e.start:%d/%m/%Y} ({run.source.name})")
            for e in to_create])
    changed = list(changed_rows.values())
    for start in range(0, len(changed), _BATCH):
        to_update = [enrolled.model() for enrolled in changed[start:start + _BATCH]]
        Enrolment.objects.bulk_update(to_update, list(_ENROLMENT_FIELDS))
        AuditEvent.objects.bulk_create([
            actor._event(AuditEvent.Action.UPDATE, e, child_id=e.child_id, local_authority_id=la.pk,
                         summary=f"school roll updated ({run.source.name})"
                                 + (f": left {e.end:%d/%m/%Y}" if e.end else ": on roll"))
            for e in to_update])
    counts["enrolments_created"] += len(new)
    counts["enrolments_changed"] += len(changed)


def _match_enrolment(known: list[_Enrolled], fact: RollFact) -> _Enrolled | None:
    if not known:
        return None
    if fact.start is not None:
        for enrolment in known:
            if enrolment.start == fact.start:
                return enrolment
    if fact.kind in ("on_roll", "deleted"):
        for enrolment in known:
            if enrolment.end is None:
                return enrolment
    if fact.end is not None:
        for enrolment in known:
            if enrolment.end == fact.end:
                return enrolment
    return None


def _allocations_apply(*, la: LocalAuthority, run: FeedRun, facts: list[RollFact]) -> tuple[int, int]:
    if not facts:
        return 0, 0
    latest: dict[tuple[str, str], RollFact] = {}
    for fact in facts:
        latest[fact.record] = fact
    existing = {(a.source, a.source_record_id): a for a in PlaceAllocation.objects.filter(
        local_authority=la, source__in={s for s, _ in latest})}
    to_create, to_update = [], []
    for key, fact in latest.items():
        kind = PlaceAllocation.Kind.OFFER if fact.kind == "offer" else PlaceAllocation.Kind.PRE_ADMISSION
        if fact.start is None:
            continue
        found = existing.get(key)
        if found is None:
            to_create.append(PlaceAllocation(local_authority=la, kind=kind, source=key[0], source_record_id=key[1],
                                             laestab=fact.laestab, start=fact.start, last_seen_run_id=run.pk))
        elif (found.kind, found.laestab, found.start) != (kind, fact.laestab, fact.start):
            found.kind, found.laestab, found.start, found.last_seen_run_id = kind, fact.laestab, fact.start, run.pk
            to_update.append(found)
    PlaceAllocation.objects.bulk_create(to_create, batch_size=_BATCH)
    PlaceAllocation.objects.bulk_update(to_update, ["kind", "laestab", "start", "last_seen_run_id"],
                                        batch_size=_BATCH)
    return len(to_create), len(to_update)


def _attendance_apply(rows: list[tuple[int, int, dt.date, str, str]]) -> dict[str, int]:
    """Register marks in bulk: new ones created, a changed mark (e.g. N replaced by I) updated.

    A day's marks for every pupil are hundreds of thousands of rows: they are written with one parameterised
    statement each for inserts and updates (executemany; the same SQL on SQLite and PostgreSQL) rather than
    through model instances.
    """
    if not rows:
        return {"created": 0, "changed": 0}
    latest: dict[tuple[int, int, dt.date, str], str] = {}
    for child_id, school_id, day, session, code in rows:
        latest[(child_id, school_id, day, session)] = code
    dates = sorted({key[2] for key in latest})
    existing: dict[tuple[int, int, dt.date, str], tuple[int, str]] = {}
    for chunk in _chunks(dates, 200):
        for pk, child_id, school_id, day, session, code in AttendanceSession.objects.filter(
                date__in=chunk).values_list("pk", "child_id", "school_id", "date", "session", "code"):
            existing[(child_id, school_id, day, session)] = (pk, code)
    adapted = {day: connection.ops.adapt_datefield_value(day) for day in dates}
    to_create, to_update = [], []
    for key, code in latest.items():
        found = existing.get(key)
        if found is None:
            to_create.append((key[0], key[1], adapted[key[2]], key[3], code))
        elif found[1] != code:
            to_update.append((code, found[0]))
    table = connection.ops.quote_name(AttendanceSession._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(to_create), 10_000):
            cursor.executemany(
                f"INSERT INTO {table} (child_id, school_id, date, session, code) "  # noqa: S608  # nosec B608 - constant names
                "VALUES (%s, %s, %s, %s, %s)", to_create[start:start + 10_000])
        for start in range(0, len(to_update), 10_000):
            cursor.executemany(f"UPDATE {table} SET code = %s WHERE id = %s",  # noqa: S608  # nosec B608 - constant names
                               to_update[start:start + 10_000])
    return {"created": len(to_create), "changed": len(to_update)}


# --------------------------------------------------------------------------------------------------
# Where a source's files come from: folders and the Wonde API
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Files that make one run: a day's folder of school-feed pages, one partner extract, or an API fetch."""

    on: dt.date
    files: Callable[[], list[ReceivedFile]]
    label: str


_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def source_batches(*, source: FeedSource, on: dt.date) -> list[Batch]:
    """What a source has for us up to `on`. Folder sources: each YYYY-MM-DD sub-folder is one run for that day
    (oldest first; days already imported are skipped); otherwise each file is one run."""
    if source.transport == FeedSource.Transport.HTTP:
        from cme.feeds.transport import wonde_fetch

        return [Batch(on=on, files=lambda: wonde_fetch(source=source, on=on), label=f"{source.base_url} {on}")]
    if source.transport != FeedSource.Transport.FOLDER or not source.folder_path:
        return []
    root = Path(source.folder_path)
    if not root.is_dir():
        raise FeedRunError(f"The folder {root} does not exist.")
    days = sorted(p for p in root.iterdir() if p.is_dir() and _DATE_DIR.match(p.name))
    if days:
        done = {d.isoformat() for d in FeedRun.objects.filter(source=source, status=FeedRun.Status.SUCCEEDED)
                .values_list("on", flat=True)}
        return [Batch(on=dt.date.fromisoformat(d.name), files=_folder_reader(d), label=str(d))
                for d in days if d.name not in done and dt.date.fromisoformat(d.name) <= on]
    batches = []
    for path in sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")):
        batches.append(Batch(on=on, files=_folder_reader(path), label=str(path)))
    return batches


def _folder_reader(path: Path) -> Callable[[], list[ReceivedFile]]:
    def read() -> list[ReceivedFile]:
        if path.is_file():
            return [ReceivedFile(name=path.name, path=path)]
        return [ReceivedFile(name=str(p.relative_to(path)), path=p)
                for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")]

    return read


def batch_pending(*, source: FeedSource, files: Sequence[ReceivedFile]) -> bool:
    """False if every file's checksum was already imported for this source (nothing to do)."""
    digests = {sha256(f.read()) for f in files}
    if not digests:
        return False
    imported = set(FeedFile.objects.filter(run__source=source, status=FeedFile.Status.IMPORTED,
                                           sha256__in=digests).values_list("sha256", flat=True))
    return bool(digests - imported)


def feeds_run_all(*, actor: Auditor, local_authority: LocalAuthority, on: dt.date, daily_run: DailyRun | None = None,
                  progress: Callable[[str], None] | None = None) -> list[FeedRun]:
    """Every enabled source in the daily run, each pending batch as one run (school feed first). Batches with
    nothing new are skipped without a run. The caller holds the run lock."""
    order: dict[str, int] = {FeedSource.Kind.WONDE: 0, FeedSource.Kind.CSV: 1, FeedSource.Kind.CTF: 2}
    sources = sorted(FeedSource.objects.filter(local_authority=local_authority, enabled=True, in_daily_run=True)
                     .select_related("mapping", "local_authority"), key=lambda s: (order.get(s.kind, 9), s.slug))
    runs = []
    for source in sources:
        try:
            batches = source_batches(source=source, on=on)
        except Exception as exc:  # a missing folder or an unreachable API is reported as a failed run
            run = FeedRun.objects.create(source=source, daily_run=daily_run, on=on, started_at=timezone.now(),
                                         triggered_by=actor.label)
            _run_fail(run=run, parsed=_Parsed(), error=f"Could not read the source: {exc}")
            run.refresh_from_db()
            runs.append(run)
            continue
        for batch in batches:
            if progress:
                progress(f"{source.name}: {batch.on}")
            try:
                files = batch.files()
            except Exception as exc:
                run = FeedRun.objects.create(source=source, daily_run=daily_run, on=batch.on,
                                             started_at=timezone.now(), triggered_by=actor.label)
                _run_fail(run=run, parsed=_Parsed(), error=f"Could not fetch the files: {exc}")
                run.refresh_from_db()
                runs.append(run)
                continue
            if not batch_pending(source=source, files=files):
                continue
            runs.append(feed_run_execute(actor=actor, source=source, on=batch.on, files=files, daily_run=daily_run,
                                         defer_link=True))
    if progress:
        progress("linking the partner records to children")
    feeds_link_pending(actor=actor, local_authority=local_authority)
    for run in runs:
        run.refresh_from_db()
    return runs


def feeds_link_pending(*, actor: Auditor, local_authority: LocalAuthority) -> LinkResult:
    """Link the records of partner-extract runs whose linking was deferred: one engine pass for all of them
    (grouped by whether a record with no match may become a new child), in its own transaction. A run stays
    marked "linkage deferred" until this commits, so a crash before it is repaired by the next daily run. Each
    run's report gets the link status of its records."""
    deferred = list(FeedRun.objects.filter(source__local_authority=local_authority,
                                           status=FeedRun.Status.SUCCEEDED, details__linkage_deferred=True)
                    .select_related("source"))
    total = LinkResult(0, 0, 0, 0)
    if not deferred:
        return total
    creates = {r.pk: r.source.create_children for r in deferred}
    waiting = SourceRecord.objects.filter(
        local_authority=local_authority, child__isnull=True, last_seen_run_id__in=list(creates),
        link_status__in=[SourceRecord.LinkStatus.UNLINKED, SourceRecord.LinkStatus.REVIEW])
    with transaction.atomic():
        # Records a UPN or NHS number ties to one child are linked without loading them (most of a partner
        # extract); only the rest are read, without their raw rows (not needed to link), for the engine.
        identified = source_records_link_identified(actor=actor, local_authority=local_authority, records=waiting)
        total = LinkResult(identified, 0, 0, 0)
        pending = list(waiting.defer("raw"))
        for create_children in (True, False):
            group = [r for r in pending if creates.get(r.last_seen_run_id or 0) is create_children]
            if group:
                result = source_records_link(actor=actor, local_authority=local_authority, records=group,
                                             create_children=create_children)
                total = LinkResult(total.auto_linked + result.auto_linked,
                                   total.queued_for_review + result.queued_for_review,
                                   total.new_children + result.new_children, total.unlinked + result.unlinked)
        _checkpoint("linked-pending", 0)
        statuses: dict[int, dict[str, int]] = defaultdict(dict)
        for run_id, status, count in (SourceRecord.objects.filter(local_authority=local_authority,
                                                                  last_seen_run_id__in=list(creates))
                                      .values_list("last_seen_run_id", "link_status").annotate(n=Count("pk"))):
            statuses[run_id][status] = count
        names = {"linked": "auto_linked", "review": "queued_for_review", "new_child": "new_children",
                 "unlinked": "unlinked"}
        for run in deferred:
            details = dict(run.details)
            counts = statuses.get(run.pk, {})  # every key, 0 if none (the run page reads all four)
            details["linkage"] = {name: counts.get(status, 0) for status, name in names.items()}
            details["linkage_deferred"] = False
            FeedRun.objects.filter(pk=run.pk).update(details=details)
            run.details = details
    return total


def extract_upload(*, actor: Auditor, local_authority: LocalAuthority, source: str, mapping_id: int | None,
                   name: str, data: bytes, on: dt.date | None = None) -> FeedRun:
    """A partner extract uploaded in the browser: imported at once as its own run (under the run lock).

    Raises FeedBusyError if the daily run (or another upload) is running; the file is not kept then.
    """
    from cme.feeds.sources import SOURCE_NAMES

    holder = lock_holder_name()
    if not lock_acquire(holder=holder):
        raise FeedBusyError("The daily run is importing data now. Upload the file again when it has finished.")
    try:
        feed, _ = FeedSource.objects.get_or_create(
            local_authority=local_authority, slug=f"upload-{source.replace('_', '-')}",
            defaults={"name": f"{SOURCE_NAMES.get(source, source)} (uploaded)", "kind": FeedSource.Kind.CSV,
                      "source": source, "transport": FeedSource.Transport.UPLOAD, "in_daily_run": False,
                      "create_children": source in ("health", "hmrc_child_benefit", "border_force", "dwp")},
        )
        if feed.mapping_id != mapping_id:
            feed.mapping_id = mapping_id
            feed.save(update_fields=["mapping", "updated_at"])
        return feed_run_execute(actor=actor, source=feed, on=on or timezone.localdate(),
                                files=[ReceivedFile(name=name, data=data)])
    finally:
        lock_release(holder=holder)
