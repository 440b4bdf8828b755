"""Reads for the review queue and merges. Every function takes the user and starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cme.children.models import Child, ChildAddress, ChildName
from cme.core import calendar
from cme.matching.models import MatchCandidate, MergeRecord, source_label

if TYPE_CHECKING:
    from cme.accounts.models import User

#: Age bands of the review queue, in working days since the pair was queued: (key, label, from, to).
AGE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("new", "Up to 5 working days", 0, 5),
    ("weeks", "6 to 20 working days", 6, 20),
    ("old", "Over 20 working days", 21, None),
)
ORDERS = {
    "oldest": ("created_at", "-probability", "pk"),
    "probability": ("-probability", "created_at", "pk"),
}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _age_condition(key: str, today: dt.date) -> Q:
    """Queued within the band: working days counted by `core.calendar` (the only date arithmetic)."""
    _, _, low, high = next(band for band in AGE_BANDS if band[0] == key)
    condition = Q(created_at__lt=_start_of(calendar.add_working_days(today, -low + 1))) if low else Q()
    if high is not None:
        condition &= Q(created_at__gte=_start_of(calendar.add_working_days(today, -high)))
    return condition


@dataclass(frozen=True)
class QueueCounts:
    open: int
    by_source: list[tuple[str, str, int]]  # (source, label, open pairs)
    by_age: list[tuple[str, str, int]]  # (band key, label, open pairs)


def review_queue_counts(*, user: User, today: dt.date | None = None) -> QueueCounts:
    """Open pairs in the user's LA: in all, by source and by age (two queries, whatever the queue's size)."""
    today = today or timezone.localdate()
    open_pairs = MatchCandidate.objects.for_user(user).open()
    by_source = [(row["source"], source_label(row["source"]), row["n"])
                 for row in open_pairs.values("source").annotate(n=Count("pk")).order_by("source")]
    ages = open_pairs.aggregate(**{key: Count("pk", filter=_age_condition(key, today)) for key, *_ in AGE_BANDS})
    return QueueCounts(
        open=sum(n for *_, n in by_source),
        by_source=by_source,
        by_age=[(key, label, ages[key]) for key, label, *_ in AGE_BANDS],
    )


def review_queue(*, user: User, source: str = "", age: str = "", order: str = "oldest",
                 today: dt.date | None = None) -> QuerySet[MatchCandidate]:
    """Open pairs, oldest first (or most likely first), with both sides loaded in the same query."""
    pairs = MatchCandidate.objects.for_user(user).open().select_related("source_record", "child", "other_child")
    if source:
        pairs = pairs.filter(source=source)
    if age:
        pairs = pairs.filter(_age_condition(age, today or timezone.localdate()))
    return pairs.order_by(*ORDERS.get(order, ORDERS["oldest"]))


def _children_with_details() -> QuerySet[Child]:
    return Child.objects.prefetch_related(
        Prefetch("addresses", queryset=ChildAddress.objects.select_related("address").order_by("-start", "-pk")),
        Prefetch("names", queryset=ChildName.objects.order_by("kind", "-valid_from")),
        "identifiers",
    )


def candidate_get(*, user: User, pk: int) -> MatchCandidate:
    """One pair in the user's scope (404 otherwise), both children within `Child.objects.for_user`."""
    candidate: MatchCandidate | None = (
        MatchCandidate.objects.for_user(user)
        .select_related("source_record")
        .prefetch_related(Prefetch("child", queryset=_children_with_details()),
                          Prefetch("other_child", queryset=_children_with_details()))
        .filter(pk=pk).first()
    )
    if candidate is None:
        raise Http404("No such pair")
    visible = Child.objects.for_user(user).filter(pk__in=[c for c in (candidate.child_id, candidate.other_child_id)
                                                          if c]).count()
    if visible != (2 if candidate.other_child_id else 1) and candidate.status == MatchCandidate.Status.OPEN:
        raise Http404("No such pair")
    return candidate


def other_candidates(*, candidate: MatchCandidate) -> list[MatchCandidate]:
    """The other open pairs of the same source record (one query)."""
    if candidate.source_record_id is None:
        return []
    return list(MatchCandidate.objects.filter(source_record_id=candidate.source_record_id,
                                              status=MatchCandidate.Status.OPEN)
                .exclude(pk=candidate.pk).select_related("child").order_by("-probability"))


HOLDINGS = (("enrolments", "enrolments"), ("addresses", "addresses"), ("contacts", "child_contacts"),
            ("flags", "risk_flags"), ("records", "source_records"), ("names", "names"))
HOLDING_LABELS = ("School enrolments", "Addresses", "Parents and contacts", "Risk flags", "Records from data feeds",
                  "Names")


def child_holdings(child: Child) -> list[tuple[str, int]]:
    """What is recorded on a child record, as counts (what a merge would move). One query."""
    counts = Child.objects.filter(pk=child.pk).aggregate(**{
        key: Count(relation, distinct=True) for key, relation in HOLDINGS
    })
    return [(label, counts[key]) for (key, _), label in zip(HOLDINGS, HOLDING_LABELS, strict=True)]


def child_for_merge(*, user: User, pk: int) -> Child:
    """A live child in the user's scope with what the merge page shows (404 if merged or out of scope)."""
    child = _children_with_details().filter(pk__in=Child.objects.for_user(user).values("pk")).filter(pk=pk).first()
    if child is None:
        raise Http404("No child found")
    return child


def mergeable_children(*, user: User, pks: list[int]) -> list[int]:
    """Which of these child record numbers the user may see and are not merged already."""
    return list(Child.objects.for_user(user).filter(pk__in=pks).values_list("pk", flat=True))


def merge_list(*, user: User) -> QuerySet[MergeRecord]:
    return MergeRecord.objects.for_user(user).select_related("kept", "merged", "merged_by", "unmerged_by")


def merge_get(*, user: User, pk: int) -> MergeRecord:
    record = merge_list(user=user).filter(pk=pk).first()
    if record is None:
        raise Http404("No such merge")
    return record
