"""UK GDPR Art 18: a restriction of processing follows a merge of two child records (and its undo), and
`Child.processing_restricted` is kept in step with the restrictions in force.

`matching.merging` (layer 4) calls `restrictions_follow_merge` / `restrictions_follow_unmerge` inside its own
transaction, so this module imports only the layers below matching (accounts, audit, children) and the privacy
models: the rest of `privacy` (subject access, recipients) reads the higher apps and must not be imported there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.privacy.models import ProcessingRestriction

if TYPE_CHECKING:
    from cme.accounts.models import User


def _merged_family(child_id: int) -> list[int]:
    """The record and every record merged into it, at any depth: cases, notifications and registers stay on a merged
    record (higher layers follow ``merged_into``), so `hide_restricted` must find the flag on those records too."""
    family, frontier = [child_id], [child_id]
    while frontier:
        frontier = list(Child.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        family += frontier
    return family


def flag_restricted(child_id: int) -> bool:
    """Keep `Child.processing_restricted` in step: set on the record and the records merged into it while a
    restriction of the record is in force, cleared otherwise."""
    restricted = ProcessingRestriction.objects.filter(child_id=child_id, lifted_at__isnull=True).exists()
    Child.objects.filter(pk__in=_merged_family(child_id)).update(processing_restricted=restricted)
    return restricted


MOVED_SUMMARY = "restriction of processing moved to this record by a merge (UK GDPR Art 18)"
SUPERSEDED_SUMMARY = "restriction of processing superseded by a merge: the record stays restricted (UK GDPR Art 18)"
MOVED_BACK_SUMMARY = "restriction of processing moved back by undoing a merge (UK GDPR Art 18)"
REOPENED_SUMMARY = "restriction of processing in force again: the merge that superseded it was undone (UK GDPR Art 18)"


def restrictions_follow_merge(*, actor: Auditor, user: User | None, keep: Child, merge: Child) -> dict[str, list[int]]:
    """A merge makes two records one child, so a restriction of either record now restricts the kept one: every
    restriction of ``merge`` (history too) moves to ``keep`` and ``keep`` (with every record merged into it) is
    hidden while one is in force. Called by `matching.merging.child_merge` inside its transaction, after
    ``merge.merged_into = keep``, with both records locked. Returns the ids for the MergeRecord, so that
    `restrictions_follow_unmerge` can put them back."""
    rows = list(ProcessingRestriction.objects.select_for_update().filter(child_id__in=[keep.pk, merge.pk])
                .order_by("recorded_at", "pk"))
    in_force = [row for row in rows if row.in_force]
    superseded: list[int] = []
    if len(in_force) == 2:
        # Both records restricted, and now one child: one restriction in force per child (the constraint). Nothing
        # is lifted: the record is never processed beyond storage (Art 18(2)), so no Art 18(3) notice is due. The
        # earlier restriction stays in force, so the child is restricted from the first request without a gap; the
        # later one is closed as superseded by it (not lifted), its ground and requester kept in the history. The
        # DPO's page lists it beside the one in force, so both grounds are checked (Art 18(1)) and both requesters
        # told (Art 18(3)) before the restriction is lifted.
        earlier, later = in_force
        later.lifted_at, later.lifted_by, later.superseded_by = timezone.now(), user, earlier
        later.lift_reason = (f"Child record {merge.pk} was merged into child record {keep.pk}: the record stays "
                             f"restricted under the restriction recorded first (Art 18)")
        later.save(update_fields=["lifted_at", "lifted_by", "superseded_by", "lift_reason"])
        superseded.append(later.pk)
        actor.record(AuditEvent.Action.UPDATE, later, child_id=keep.pk, summary=SUPERSEDED_SUMMARY,
                     reason=later.lift_reason)
    moved = [row.pk for row in rows if row.child_id == merge.pk]
    ProcessingRestriction.objects.filter(pk__in=moved).update(child=keep)
    for row in rows:
        if row.child_id == merge.pk:
            actor.record(AuditEvent.Action.UPDATE, row, child_id=keep.pk, summary=MOVED_SUMMARY,
                         reason=f"child record {merge.pk} merged into child record {keep.pk}")
    flag_restricted(keep.pk)
    return {"restrictions": moved, "restrictions_superseded": superseded}


def restrictions_follow_unmerge(*, actor: Auditor, user: User | None, kept: Child, merged: Child,
                                moved: list[int], superseded: list[int]) -> None:
    """Undo `restrictions_follow_merge` (called by `matching.merging.child_unmerge` after ``merged.merged_into`` is
    cleared): the restrictions that moved go back to the merged record, and one superseded by the merge is in force
    again if the one that superseded it still is (the record was never unrestricted, Art 18(2)). A restriction
    lifted meanwhile stays lifted: the DPO lifted it for both requests (Art 18(3))."""
    back = list(ProcessingRestriction.objects.select_for_update().filter(pk__in=moved, child=kept))
    ProcessingRestriction.objects.filter(pk__in=[row.pk for row in back]).update(child=merged)
    for row in back:
        actor.record(AuditEvent.Action.UPDATE, row, child_id=merged.pk, summary=MOVED_BACK_SUMMARY,
                     reason=f"merge of child record {merged.pk} into child record {kept.pk} undone")
    # of=self: only these rows are locked; PostgreSQL cannot lock the nullable side of the superseded_by join
    for row in ProcessingRestriction.objects.select_for_update(of=("self",)).filter(
            pk__in=superseded, superseded_by__lifted_at__isnull=True).select_related("superseded_by"):
        if row.superseded_by is None or row.superseded_by.child_id == row.child_id:
            continue
        row.lifted_at, row.lifted_by, row.superseded_by, row.lift_reason = None, None, None, ""
        row.save(update_fields=["lifted_at", "lifted_by", "superseded_by", "lift_reason"])
        actor.record(AuditEvent.Action.UPDATE, row, child_id=row.child_id, summary=REOPENED_SUMMARY,
                     reason=f"merge of child record {merged.pk} into child record {kept.pk} undone")
    for child in (kept, merged):
        child.processing_restricted = flag_restricted(child.pk)
