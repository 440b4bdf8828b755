"""Reads for intake and triage. Every function takes the user and starts from their scope (`for_user`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from cme.core.models import LocalAuthority
from cme.notifications.models import LAEnquiry, Notification, NotificationAttachment
from cme.settings.env import env

if TYPE_CHECKING:
    from cme.accounts.models import User

Kind = Notification.Kind


@dataclass
class QueueCounts:
    total: int = 0
    overdue: int = 0
    due_today: int = 0
    urgent: int = 0
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)


def queue_counts(*, user: User, today: dt.date) -> QueueCounts:
    """Counts of what awaits triage: in all, overdue, due today, urgent, and by route (one query)."""
    kinds = {f"kind_{value}": Count("id", filter=Q(kind=value)) for value in Kind.values}
    row = Notification.objects.for_user(user).awaiting_triage().aggregate(
        total=Count("id"), overdue=Count("id", filter=Q(triage_due__lt=today)),
        due_today=Count("id", filter=Q(triage_due=today)), urgent=Count("id", filter=Q(is_urgent=True)), **kinds,
    )
    return QueueCounts(
        total=row["total"], overdue=row["overdue"], due_today=row["due_today"], urgent=row["urgent"],
        by_kind=[(value, label, row[f"kind_{value}"]) for value, label in Kind.choices],
    )


def queue_list(*, user: User, today: dt.date, kind: str = "", overdue: bool = False,
               safeguarding: bool = False) -> QuerySet[Notification]:
    """What awaits triage, urgent first then by target; the list page needs nothing else (no N+1)."""
    items = Notification.objects.for_user(user).awaiting_triage()
    if kind:
        items = items.filter(kind=kind)
    if overdue:
        items = items.filter(triage_due__lt=today)
    if safeguarding:
        items = items.filter(Q(is_urgent=True) | Q(safeguarding_concern=True))
    return (items.select_related("source_organisation", "child")
            .annotate(attached_count=Count("duplicates", distinct=True))
            .defer("details", "summary", "safeguarding_detail", "outcome_reason")
            .in_queue_order())


def notification_for_triage(*, user: User, pk: int) -> Notification:
    """One notification with what the triage page shows, or 404 outside the user's scope."""
    notification = (
        Notification.objects.for_user(user)
        .select_related("local_authority", "child", "source_organisation", "submitted_by", "triaged_by",
                        "duplicate_of", "upload")
        .prefetch_related(
            Prefetch("duplicates", queryset=Notification.objects.select_related("source_organisation")
                     .order_by("received_at")),
            Prefetch("attachments", queryset=NotificationAttachment.objects.defer("content")),
            Prefetch("la_enquiries", queryset=LAEnquiry.objects.order_by("-asked_on")),
        )
        .filter(pk=pk)
        .first()
    )
    if notification is None:
        raise Http404("No notification found")
    return notification


def attachment_get(*, user: User, pk: int) -> NotificationAttachment:
    attachment = NotificationAttachment.objects.filter(
        pk=pk, notification__in=Notification.objects.for_user(user).values("pk")
    ).select_related("notification").first()
    if attachment is None:
        raise Http404("No attachment found")
    return attachment


def my_submissions(*, user: User) -> QuerySet[Notification]:
    """What the user's school or agency has sent (their scope), newest first."""
    return (Notification.objects.for_user(user).select_related("submitted_by")
            .defer("details", "summary", "safeguarding_detail", "outcome_reason").order_by("-received_at", "-pk"))


def submission_get(*, user: User, pk: int) -> Notification:
    notification = Notification.objects.for_user(user).select_related("submitted_by", "upload").filter(pk=pk).first()
    if notification is None:
        raise Http404("No submission found")
    return notification


def enquiry_list(*, user: User, show: str = "open", direction: str = "") -> QuerySet[LAEnquiry]:
    enquiries = LAEnquiry.objects.for_user(user).select_related("notification", "child")
    if show == "open":
        enquiries = enquiries.open()
    if direction:
        enquiries = enquiries.filter(direction=direction)
    return enquiries.order_by("responded_on", "response_due", "pk")


def enquiry_counts(*, user: User, today: dt.date) -> dict[str, int]:
    return LAEnquiry.objects.for_user(user).open().aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(response_due__lt=today)),
        received=Count("id", filter=Q(direction=LAEnquiry.Direction.RECEIVED)),
        sent=Count("id", filter=Q(direction=LAEnquiry.Direction.SENT)),
    )


def enquiry_get(*, user: User, pk: int) -> LAEnquiry:
    enquiry = (LAEnquiry.objects.for_user(user).select_related("notification", "child", "created_by", "responded_by")
               .filter(pk=pk).first())
    if enquiry is None:
        raise Http404("No enquiry found")
    return enquiry


def public_local_authority() -> LocalAuthority | None:
    """The council whose public pages these are (setting CME_PUBLIC_LA_CODE, else the first one set up)."""
    code = getattr(settings, "CME_PUBLIC_LA_CODE", "") or env("CME_PUBLIC_LA_CODE")
    authorities = LocalAuthority.objects.order_by("pk")
    if code:
        return authorities.filter(code=code).first()
    return authorities.first()
