"""Concerns found in the daily data: feeds' detection hits become notifications in the triage queue.

`daily_run` is the orchestration the background task and `manage.py run_feeds` call: take the run lock,
import every configured feed (linking records to children), run the detection rules, and raise a
`Notification(kind=detection_alert)` for each new hit with its evidence in `details`.

De-duplication (`dedupe_key` = rule + child): a hit is not raised again while
1. a notification with the same key is still awaiting triage (the hit is attached to it), or
2. the child has an *open case*. Cases are a higher layer, so this module asks the Notification table only:
   an open case is a notification for the child triaged as "new case" or "added to a case" with nothing since
   that closes a CME episode: no school roll, home education or move out of the area starting on or after the
   triage date (R2.7). The hit is attached to that notification.
A hit stays attached to its notification while the rule keeps finding it (so a concern triaged "not CME" is not
raised again every day); when the rule stops finding it the hit is cleared, and a later hit is a new concern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, EducationOtherwise, Enrolment, Residence
from cme.core.models import LocalAuthority
from cme.feeds.detection import DetectionSummary, detection_run
from cme.feeds.models import DailyRun, DetectionHit, FeedRun
from cme.feeds.services import (
    FeedBusyError,
    feeds_run_all,
    lock_acquire,
    lock_holder,
    lock_holder_name,
    lock_release,
)
from cme.notifications.models import Notification
from cme.notifications.services import Reported, notification_receive

if TYPE_CHECKING:
    from cme.synthetic import Council

#: The triage outcome each route suggests (the officer decides).
SUGGESTED_OUTCOME = {
    "cme": Notification.Outcome.NEW_CASE,
    "ehe_team": Notification.Outcome.EHE_TEAM,
    "attendance_matter": Notification.Outcome.ATTENDANCE_MATTER,
}
CASE_OUTCOMES = (Notification.Outcome.NEW_CASE, Notification.Outcome.ADDED_TO_CASE)
_IN = 900


@dataclass
class ConvertSummary:
    raised: int = 0
    attached_to_open: int = 0
    attached_to_case: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"raised": self.raised, "attached_to_open": self.attached_to_open,
                "attached_to_case": self.attached_to_case}


def open_cases(*, local_authority: LocalAuthority, child_ids: set[int]) -> dict[int, int]:
    """child -> the case notification that keeps their case open (see the module docstring)."""
    found: dict[int, tuple[dt.datetime, int]] = {}
    ids = sorted(child_ids)
    for start in range(0, len(ids), _IN):
        chunk = ids[start:start + _IN]
        for child_id, pk, triaged_at in Notification.objects.filter(
                local_authority=local_authority, child_id__in=chunk, status=Notification.Status.TRIAGED,
                outcome__in=CASE_OUTCOMES).values_list("child_id", "pk", "triaged_at"):
            if triaged_at is not None and (child_id not in found or triaged_at > found[child_id][0]):
                found[child_id] = (triaged_at, pk)
    if not found:
        return {}
    closed: set[int] = set()
    since = {child_id: timezone.localtime(at).date() for child_id, (at, _) in found.items()}
    chunked = sorted(since)
    for start in range(0, len(chunked), _IN):
        chunk = chunked[start:start + _IN]
        for model, extra in ((Enrolment, Q()), (EducationOtherwise, Q()), (Residence, Q(in_area=False))):
            for child_id, began in model.objects.filter(extra, child_id__in=chunk).values_list(  # type: ignore[attr-defined]
                    "child_id", "start"):
                if began >= since[child_id]:
                    closed.add(child_id)
    return {child_id: pk for child_id, (_, pk) in found.items() if child_id not in closed}


@transaction.atomic
def detection_hits_convert(*, actor: Auditor, local_authority: LocalAuthority,
                           received_at: dt.datetime | None = None) -> ConvertSummary:
    """Raise a notification for each open hit not yet converted (or attach it; see the module docstring)."""
    summary = ConvertSummary()
    hits = list(DetectionHit.objects.filter(local_authority=local_authority, cleared_on__isnull=True,
                                            converted_notification_id__isnull=True)
                .exclude(child__processing_restricted=True)  # UK GDPR Art 18(2): waits until lifted
                .select_related("rule").order_by("first_found", "pk"))
    if not hits:
        return summary
    keys = sorted({h.dedupe_key for h in hits})
    waiting: dict[str, int] = {}
    for start in range(0, len(keys), _IN):
        waiting.update(Notification.objects.filter(
            local_authority=local_authority, status=Notification.Status.NEW, dedupe_key__in=keys[start:start + _IN],
        ).values_list("dedupe_key", "pk"))
    cases = open_cases(local_authority=local_authority, child_ids={h.child_id for h in hits})
    children = {c.pk: c for c in Child.objects.filter(pk__in=[h.child_id for h in hits if h.dedupe_key not in waiting
                                                                and h.child_id not in cases])}
    for hit in hits:
        if hit.dedupe_key in waiting:
            hit.converted_notification_id = waiting[hit.dedupe_key]
            summary.attached_to_open += 1
        elif hit.child_id in cases:
            hit.converted_notification_id = cases[hit.child_id]
            summary.attached_to_case += 1
        else:
            notification = _raise(actor=actor, local_authority=local_authority, hit=hit,
                                  child=children[hit.child_id], received_at=received_at)
            waiting[hit.dedupe_key] = notification.pk
            hit.converted_notification_id = notification.pk
            summary.raised += 1
    DetectionHit.objects.bulk_update(hits, ["converted_notification_id"], batch_size=1000)
    return summary


def _raise(*, actor: Auditor, local_authority: LocalAuthority, hit: DetectionHit, child: Child,
           received_at: dt.datetime | None) -> Notification:
    evidence: dict[str, Any] = dict(hit.evidence)
    school = (evidence.get("enrolment") or {}).get("laestab") or evidence.get("laestab") or ""
    details = {
        **evidence,
        "detection_rule": hit.rule.code,
        "detection_rule_name": hit.rule.name,
        "route": hit.route,
        "suggested_outcome": str(SUGGESTED_OUTCOME.get(hit.route, "")),
        "first_found": hit.first_found.isoformat(),
        "detection_hit_id": hit.pk,
    }
    return notification_receive(
        actor=actor, local_authority=local_authority, kind=Notification.Kind.DETECTION_ALERT,
        reported=Reported(forename=child.preferred_forename or child.legal_forename, surname=child.legal_surname,
                          date_of_birth=child.date_of_birth, sex=child.sex, upn=child.upn,
                          postcode=child.current_postcode),
        summary=str(evidence.get("summary", hit.rule.name)), details=details, child=child, received_at=received_at,
        referrer_agency="daily data feeds", dedupe_key=hit.dedupe_key, detection_rule=hit.rule.code,
        school_laestab=school[:7] if len(str(school)) == 7 else "",
    )


# --------------------------------------------------------------------------------------------------
# The daily run
# --------------------------------------------------------------------------------------------------


@dataclass
class DailyRunResult:
    daily_run: DailyRun
    runs: list[FeedRun] = field(default_factory=list)
    detection: DetectionSummary | None = None
    concerns: ConvertSummary | None = None

    def line(self) -> str:
        imported = [r for r in self.runs if r.status == FeedRun.Status.SUCCEEDED]
        failed = [r for r in self.runs if r.status == FeedRun.Status.FAILED]
        rows = sum(r.received for r in self.runs)
        accepted = sum(r.accepted for r in imported)
        rejected = sum(r.rejected for r in self.runs)
        new = sum(r.new for r in imported)
        changed = sum(r.changed for r in imported)
        d = self.detection or DetectionSummary()
        c = self.concerns or ConvertSummary()
        return (f"{len(self.runs)} feed run(s) ({len(failed)} failed): {rows:,} rows received, {accepted:,} accepted, "
                f"{rejected:,} rejected, {new:,} new, {changed:,} changed; detection: {d.found:,} found "
                f"({d.new:,} new, {d.cleared:,} cleared); concerns raised: {c.raised:,}")


def daily_run(*, actor: Auditor, local_authority: LocalAuthority, on: dt.date | None = None,
              progress: Callable[[str], None] | None = None, feeds: bool = True,
              stage: Callable[[str], None] | None = None) -> DailyRunResult:
    """The daily run: feeds, linkage, detection, concerns. Raises FeedBusyError if another run holds the lock
    (a second run at the same time exits cleanly; nothing is changed)."""
    on = on or timezone.localdate()
    holder = lock_holder_name()
    if not lock_acquire(holder=holder):
        current = lock_holder()
        since = f" since {timezone.localtime(current.acquired_at):%H:%M:%S}" if current and current.acquired_at else ""
        raise FeedBusyError(f"Another run is in progress ({current.holder if current else 'starting'}{since}); "
                            "this one did nothing. Try again when it has finished.")
    try:
        DailyRun.objects.filter(local_authority=local_authority, status=DailyRun.Status.RUNNING).update(
            status=DailyRun.Status.FAILED, finished_at=timezone.now(),
            error="Interrupted: the process stopped before the run finished.")
        record = DailyRun.objects.create(local_authority=local_authority, on=on, started_at=timezone.now(),
                                         triggered_by=actor.label)
        result = DailyRunResult(daily_run=record)
        try:
            if feeds:
                if stage:
                    stage("feeds")
                result.runs = feeds_run_all(actor=actor, local_authority=local_authority, on=on, daily_run=record,
                                            progress=progress)
            if stage:
                stage("detection")
            result.detection = detection_run(actor=actor, local_authority=local_authority, on=on, daily_run=record,
                                             progress=progress)
            if stage:
                stage("concerns")
            result.concerns = detection_hits_convert(actor=actor, local_authority=local_authority)
        except Exception as exc:
            DailyRun.objects.filter(pk=record.pk).update(status=DailyRun.Status.FAILED, finished_at=timezone.now(),
                                                         error=str(exc)[:5000])
            raise
        summary = {
            "runs": [{"id": r.pk, "source": r.source.slug, "status": r.status, "received": r.received,
                      "accepted": r.accepted, "rejected": r.rejected, "new": r.new, "changed": r.changed}
                       for r in result.runs],
            "detection": result.detection.as_dict() if result.detection else {},
            "concerns": result.concerns.as_dict() if result.concerns else {},
            "line": result.line(),
        }
        DailyRun.objects.filter(pk=record.pk).update(status=DailyRun.Status.SUCCEEDED, finished_at=timezone.now(),
                                                     summary=summary)
        actor.record(AuditEvent.Action.SYSTEM, record, local_authority_id=local_authority.pk,
                     summary=f"daily run {on:%d/%m/%Y}: {result.line()}"[:300])
        record.refresh_from_db()
        return result
    finally:
        lock_release(holder=holder)


def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int, council: Council | None = None,
              children: int | None = None, first_daily_run: bool = True) -> dict[str, int]:
    """seed_demo: write the synthetic council's school feed and partner extracts (cme.feeds.demo), then run the
    daily run so the demo's triage queue holds the concerns the rules find. Without `first_daily_run` the files and
    sources are left ready for the first `run_feeds` (large councils: see demo.services.DAILY_RUN_MAX_CHILDREN).
    Without `council` the feeds demo generates it again (`children`: how many seed_demo loaded)."""
    from cme.feeds.demo import demo_seed as feeds_demo_seed

    counts = feeds_demo_seed(local_authority=local_authority, on=on, seed=seed, council=council,
                             children=children, run=False)
    if not first_daily_run:
        return counts
    result = daily_run(actor=Auditor.system("feeds.demo"), local_authority=local_authority, on=on)
    counts["feed runs"] = len(result.runs)
    counts["concerns raised"] = result.concerns.raised if result.concerns else 0
    return counts
