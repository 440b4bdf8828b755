"""Merge two child records into one, and undo it (issue 7): audited, with an optimistic lock (Child.version).

A merge moves what is recorded about one child onto the other and records exactly which rows moved
(`MergeRecord`), so `child_unmerge` can put them back. The merged record stays in the database with
``merged_into`` set: `Child.objects.for_user` no longer finds it, and links follow it to the kept record.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import (
    Child,
    ChildAddress,
    ChildContact,
    ChildIdentifier,
    ChildLink,
    ChildName,
    EducationOtherwise,
    Enrolment,
    Residence,
    RiskFlag,
)
from cme.children.services import ChildChangedError, child_update
from cme.matching.models import LinkDecision, MatchCandidate, MergeRecord, SourceRecord
from cme.matching.services import LinkageError, child_pair, chunks, link_decision_record
from cme.privacy.restrictions import restrictions_follow_merge, restrictions_follow_unmerge

if TYPE_CHECKING:
    from cme.accounts.models import User


def _lock_children(keep: Child, merge: Child) -> tuple[Child, Child]:
    """Optimistic lock (Child.version): refuse if either record changed since the person loaded it."""
    if keep.pk == merge.pk:
        raise LinkageError("Choose two different child records.")
    if keep.local_authority_id != merge.local_authority_id:
        raise LinkageError("Both records must belong to the same local authority.")
    fresh = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    for loaded in (keep, merge):
        current = fresh[loaded.pk]
        if current.merged_into_id is not None:
            raise LinkageError(f"Child record {current.pk} has already been merged into record "
                               f"{current.merged_into_id}.")
        if current.version != loaded.version:
            raise ChildChangedError(current)
    Child.objects.filter(pk__in=[keep.pk, merge.pk]).update(version=F("version") + 1)
    return Child.objects.get(pk=keep.pk), Child.objects.get(pk=merge.pk)


def _ids(queryset: Any) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


@transaction.atomic
def child_merge(*, actor: Auditor, user: User | None, keep: Child, merge: Child, reason: str) -> MergeRecord:
    """Make two child records one: everything recorded about ``merge`` moves to ``keep``.

    Moves enrolments, names (a legal or preferred name becomes "also known as"), identifiers, addresses,
    contacts, risk flags, periods of education otherwise and residence, sibling links and source records;
    the merged record's UPN and NHS number are kept (filled in on ``keep`` if it has none, else as other
    identifiers). ``merge.merged_into = keep``, so ``Child.objects.for_user`` no longer finds it. What moved is
    kept on the MergeRecord, so `child_unmerge` can put it back. Both records' versions are checked and bumped.
    Notifications, cases and registers are not touched (higher layers follow ``merged_into``).
    A restriction of processing (UK GDPR Art 18) of either record follows the child: the kept record is restricted
    (`privacy.restrictions.restrictions_follow_merge`: that module imports only the layers below matching).
    """
    if not reason.strip():
        raise LinkageError("Say why these records are the same child.")
    keep, merge = _lock_children(keep, merge)
    now = timezone.now()
    moved: dict[str, Any] = {}

    for key, model in (("enrolments", Enrolment), ("addresses", ChildAddress), ("risk_flags", RiskFlag),
                       ("education_otherwise", EducationOtherwise), ("residences", Residence)):
        rows = model.objects.filter(child=merge)  # type: ignore[attr-defined]
        moved[key] = _ids(rows)
        rows.update(child=keep)
    name_rows = list(ChildName.objects.filter(child=merge).values_list("pk", "kind"))
    moved["names"] = [[pk, kind] for pk, kind in name_rows]
    ChildName.objects.filter(child=merge).update(child=keep)
    ChildName.objects.filter(pk__in=[pk for pk, kind in name_rows if kind in (ChildName.Kind.LEGAL,
                                                                              ChildName.Kind.PREFERRED)]
                             ).update(kind=ChildName.Kind.ALIAS, valid_to=None)
    keep_identifiers = set(ChildIdentifier.objects.filter(child=keep).values_list("kind", "value"))
    identifiers = [pk for pk, kind, value in ChildIdentifier.objects.filter(child=merge).values_list(
        "pk", "kind", "value") if (kind, value) not in keep_identifiers]
    moved["identifiers"] = identifiers
    ChildIdentifier.objects.filter(pk__in=identifiers).update(child=keep)
    keep_contacts = ChildContact.objects.filter(child=keep).values("contact_id")
    moved["contacts"] = _ids(ChildContact.objects.filter(child=merge).exclude(contact_id__in=keep_contacts))
    ChildContact.objects.filter(pk__in=moved["contacts"]).update(child=keep)
    keep_others = ChildLink.objects.filter(child=keep).values("other_id")
    moved["links"] = _ids(ChildLink.objects.filter(child=merge).exclude(other=keep).exclude(other_id__in=keep_others))
    ChildLink.objects.filter(pk__in=moved["links"]).update(child=keep)
    keep_sources = ChildLink.objects.filter(other=keep).values("child_id")
    moved["links_other"] = _ids(ChildLink.objects.filter(other=merge).exclude(child=keep)
                                .exclude(child_id__in=keep_sources))
    ChildLink.objects.filter(pk__in=moved["links_other"]).update(other=keep)
    moved["source_records"] = _ids(SourceRecord.objects.filter(child=merge))
    SourceRecord.objects.filter(pk__in=moved["source_records"]).update(child=keep, updated_at=now)

    pair = child_pair(keep.pk, merge.pk)
    involved = MatchCandidate.objects.filter(Q(child=merge) | Q(other_child=merge), status=MatchCandidate.Status.OPEN)
    moved["candidates_superseded"] = _ids(involved.exclude(child_id=pair[0], other_child_id=pair[1]))
    MatchCandidate.objects.filter(pk__in=moved["candidates_superseded"]).update(
        status=MatchCandidate.Status.SUPERSEDED, resolved_at=now, updated_at=now)
    pair_candidate = MatchCandidate.objects.filter(child_id=pair[0], other_child_id=pair[1]).first()
    if pair_candidate is not None:
        MatchCandidate.objects.filter(pk=pair_candidate.pk).update(status=MatchCandidate.Status.ACCEPTED,
                                                                   resolved_at=now, updated_at=now)
    link_decision_record(local_authority_id=keep.local_authority_id, user=user, actor=actor,
                         decision=LinkDecision.Decision.SAME, reason=reason, child_id=pair[0], other_child_id=pair[1],
                         probability=pair_candidate.probability if pair_candidate else None)

    created_identifiers: list[int] = []
    fill: dict[str, Any] = {}
    for name, kind in (("upn", ChildIdentifier.Kind.TEMPORARY_UPN if merge.upn_is_temporary
                        else ChildIdentifier.Kind.FORMER_UPN), ("nhs_number", ChildIdentifier.Kind.NHS_NUMBER)):
        value = getattr(merge, name)
        if not value or value == getattr(keep, name):
            continue
        if not getattr(keep, name):
            fill[name] = value
        elif not ChildIdentifier.objects.filter(child=keep, kind=kind, value=value).exists():
            created_identifiers.append(ChildIdentifier.objects.create(
                child=keep, kind=kind, value=value, source=f"merged child record {merge.pk}").pk)
    kept_before = {name: getattr(keep, name) for name in fill}
    if fill:
        keep = child_update(actor=actor, child=keep, expected_version=keep.version, reason=reason, **fill)
    Child.objects.filter(pk=merge.pk).update(merged_into=keep, updated_at=now)
    moved.update(restrictions_follow_merge(actor=actor, user=user, keep=keep, merge=merge))

    record = MergeRecord.objects.create(
        local_authority_id=keep.local_authority_id, kept=keep, merged=merge, reason=reason, moved=moved,
        created={"identifiers": created_identifiers}, kept_before=kept_before, merged_by=user,
        merged_by_label=actor.label, merged_at=now,
    )
    counts = {key: len(value) for key, value in moved.items()}
    for child_id, text in ((keep.pk, f"child record {merge.pk} merged into this record"),
                           (merge.pk, f"this record merged into child record {keep.pk}")):
        actor.record(AuditEvent.Action.UPDATE, record, child_id=child_id, reason=reason,
                     local_authority_id=keep.local_authority_id, summary=text, changes=counts)
    return record


@transaction.atomic
def child_unmerge(*, actor: Auditor, user: User | None, merge_record: MergeRecord, reason: str) -> MergeRecord:
    """Undo a merge: what moved goes back (rows added to the kept record since stay there), the merged record
    is found again, and the pair is remembered as "not the same child" so it is not proposed again."""
    if not reason.strip():
        raise LinkageError("Say why the merge is being undone.")
    merge_record = MergeRecord.objects.select_for_update().get(pk=merge_record.pk)
    if merge_record.is_undone:
        raise LinkageError("This merge has already been undone.")
    fresh = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[merge_record.kept_id,
                                                                                merge_record.merged_id])}
    kept, merged = fresh[merge_record.kept_id], fresh[merge_record.merged_id]
    if kept.merged_into_id is not None:
        raise LinkageError(f"The kept record has since been merged into child record {kept.merged_into_id}: "
                           "undo that merge first.")
    if merged.merged_into_id != kept.pk:
        raise LinkageError("The merged record is no longer merged into the kept one.")
    now = timezone.now()
    moved = merge_record.moved
    for key, model in (("enrolments", Enrolment), ("addresses", ChildAddress), ("risk_flags", RiskFlag),
                       ("education_otherwise", EducationOtherwise), ("residences", Residence),
                       ("identifiers", ChildIdentifier), ("contacts", ChildContact), ("links", ChildLink)):
        for ids in chunks(moved.get(key, [])):
            model.objects.filter(pk__in=ids, child=kept).update(child=merged)  # type: ignore[attr-defined]
    for ids in chunks(moved.get("links_other", [])):
        ChildLink.objects.filter(pk__in=ids, other=kept).update(other=merged)
    for ids in chunks(moved.get("source_records", [])):
        SourceRecord.objects.filter(pk__in=ids, child=kept).update(child=merged, updated_at=now)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for pk, kind in moved.get("names", []):
        by_kind[kind].append(pk)
    for kind, ids in by_kind.items():
        ChildName.objects.filter(pk__in=ids, child=kept).update(child=merged, kind=kind)
    ChildIdentifier.objects.filter(pk__in=merge_record.created.get("identifiers", []), child=kept).delete()
    for ids in chunks(moved.get("candidates_superseded", [])):
        MatchCandidate.objects.filter(pk__in=ids, status=MatchCandidate.Status.SUPERSEDED).update(
            status=MatchCandidate.Status.OPEN, resolved_at=None, updated_at=now)
    restore = {name: value for name, value in merge_record.kept_before.items()
               if getattr(kept, name) == getattr(merged, name)}
    Child.objects.filter(pk=merged.pk).update(merged_into=None, version=F("version") + 1, updated_at=now)
    Child.objects.filter(pk=kept.pk).update(version=F("version") + 1)
    restrictions_follow_unmerge(actor=actor, user=user, kept=kept, merged=merged, moved=moved.get("restrictions", []),
                                superseded=moved.get("restrictions_superseded", []))
    kept.refresh_from_db()
    if restore:
        child_update(actor=actor, child=kept, expected_version=kept.version, reason=reason, **restore)
    pair = child_pair(kept.pk, merged.pk)
    MatchCandidate.objects.filter(child_id=pair[0], other_child_id=pair[1]).update(
        status=MatchCandidate.Status.REJECTED, resolved_at=now, updated_at=now)
    link_decision_record(local_authority_id=kept.local_authority_id, user=user, actor=actor,
                         decision=LinkDecision.Decision.DIFFERENT, reason=reason, child_id=pair[0],
                         other_child_id=pair[1], probability=None)
    merge_record.unmerged_by, merge_record.unmerged_by_label = user, actor.label
    merge_record.unmerged_at, merge_record.unmerge_reason = now, reason
    merge_record.save(update_fields=["unmerged_by", "unmerged_by_label", "unmerged_at", "unmerge_reason"])
    for child_id, text in ((kept.pk, f"merge of child record {merged.pk} into this record undone"),
                           (merged.pk, f"merge of this record into child record {kept.pk} undone")):
        actor.record(AuditEvent.Action.UPDATE, merge_record, child_id=child_id, reason=reason,
                     local_authority_id=kept.local_authority_id, summary=text)
    return merge_record
