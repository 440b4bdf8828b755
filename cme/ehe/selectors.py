"""Reads for the EHE register. Every function takes the user and starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from cme.children.models import ChildContact, EducationOtherwise, Enrolment
from cme.children.restriction import LABEL
from cme.core import calendar
from cme.ehe.models import EHEConcern, EHEContact, EHERecord, SAOStage, SuitabilityEnquiry
from cme.notifications.models import Notification

if TYPE_CHECKING:
    from collections.abc import Callable

    from cme.accounts.models import User
    from cme.children.models import Child

#: "Due soon" for annual contacts: within this many working days.
DUE_SOON_WORKING_DAYS = 10


@dataclass(frozen=True)
class EHEFilters:
    status: str = "active"
    suitability: str = ""
    reason: str = ""
    contact: str = ""  # "overdue" | "due_soon"
    concern: str = ""  # "awaiting_mash" | "any"
    sao: str = ""  # "in_progress"


def _latest_sao() -> Subquery:
    return Subquery(SAOStage.objects.filter(record=OuterRef("pk")).order_by("-served_on", "-id").values("stage")[:1])


def ehe_list(*, user: User, filters: EHEFilters, today: dt.date) -> QuerySet[EHERecord]:
    """The register's list: filters are plain indexed conditions; one query per page whatever the rows."""
    records = EHERecord.objects.for_user(user).select_related("child", "officer").annotate(
        latest_sao=_latest_sao(),
        awaiting_mash=Exists(EHEConcern.objects.filter(record=OuterRef("pk"), kind=EHEConcern.Kind.SAFETY,
                                                       social_care_outcome=EHEConcern.SocialCareOutcome.AWAITING)),
    )
    if filters.status in EHERecord.Status.values:
        records = records.filter(status=filters.status)
    if filters.suitability in EHERecord.Suitability.values:
        records = records.filter(suitability=filters.suitability)
    if filters.reason in EHERecord.Reason.values:
        records = records.filter(reason=filters.reason)
    if filters.contact == "overdue":
        records = records.filter(status=EHERecord.Status.ACTIVE, next_annual_contact__lt=today)
    elif filters.contact == "due_soon":
        soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
        records = records.filter(status=EHERecord.Status.ACTIVE, next_annual_contact__gte=today,
                                 next_annual_contact__lte=soon)
    if filters.concern == "awaiting_mash":
        records = records.filter(awaiting_mash=True)
    elif filters.concern == "any":
        records = records.filter(Exists(EHEConcern.objects.filter(record=OuterRef("pk"))))
    if filters.sao == "in_progress":
        records = records.filter(latest_sao__in=["notice_437_1", "intention_438", "sao_437_3", "prosecution_443"])
    return records.order_by("-start_date", "-id")


def ehe_get(*, user: User, pk: int) -> EHERecord:
    record = EHERecord.objects.for_user(user).select_related("child", "local_authority").filter(pk=pk).first()
    if record is None:
        raise Http404("No EHE record found")
    return record


def ehe_detail(*, user: User, pk: int) -> EHERecord:
    """The record with everything its page shows, in a fixed number of queries."""
    record = (
        EHERecord.objects.for_user(user)
        .select_related("child", "officer", "notification", "local_authority", "education_otherwise")
        .prefetch_related(
            "educating_parents",
            Prefetch("child__child_contacts",
                     queryset=ChildContact.objects.select_related("contact", "contact__address")),
            Prefetch("child__enrolments", queryset=Enrolment.objects.select_related("school").order_by("-start")),
            Prefetch("child__education_otherwise", queryset=EducationOtherwise.objects.order_by("-start")),
            "child__residences",
            "child__addresses",
            Prefetch("contacts", queryset=EHEContact.objects.select_related("by")),
            Prefetch("enquiries", queryset=SuitabilityEnquiry.objects.all()),
            Prefetch("sao_stages", queryset=SAOStage.objects.order_by("served_on", "id")),
            Prefetch("concerns", queryset=EHEConcern.objects.select_related("enquiry")),
        )
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404("No EHE record found")
    return record


def enquiry_get(*, user: User, pk: int) -> SuitabilityEnquiry:
    enquiry = SuitabilityEnquiry.objects.select_related("record", "record__child", "record__local_authority").filter(
        pk=pk, record__in=EHERecord.objects.for_user(user)).first()
    if enquiry is None:
        raise Http404("No enquiry found")
    return enquiry


def concern_get(*, user: User, pk: int) -> EHEConcern:
    concern = EHEConcern.objects.select_related("record", "record__child").filter(
        pk=pk, record__in=EHERecord.objects.for_user(user)).first()
    if concern is None:
        raise Http404("No concern found")
    return concern


def ehe_notifications(*, user: User, include_done: bool = False) -> QuerySet[Notification]:
    """Notifications routed to the EHE team at triage, and every ground F deletion return (R2.3, R5.5)."""
    notifications = Notification.objects.for_user(user).filter(
        Q(outcome=Notification.Outcome.EHE_TEAM)
        | Q(kind=Notification.Kind.DELETION_RETURN, deletion_ground="F")
    )
    if not include_done:
        notifications = notifications.filter(ehe_records__isnull=True)
    return notifications.select_related("child", "source_organisation").order_by("-received_at", "-id")


def ehe_notification_get(*, user: User, pk: int) -> Notification:
    notification = ehe_notifications(user=user, include_done=True).filter(pk=pk).first()
    if notification is None:
        raise Http404("No notification found")
    return notification


def ehe_export_rows(records: QuerySet[EHERecord], *, today: dt.date,
                    masked: Callable[[Child], bool]) -> list[list[object]]:
    """One row per record; for a child `masked` says to hide (DP-6), no name, date of birth or UPN."""
    rows = []
    for r in records:
        identity: list[object] = ([LABEL, "", None, ""] if masked(r.child) else
                                  [r.child.legal_forename, r.child.legal_surname, r.child.date_of_birth, r.child.upn])
        rows.append([
            r.pk, *identity,
            r.get_status_display(), r.start_date, r.get_reason_display(), r.get_source_display(),
            r.get_suitability_display(), r.suitability_decided_on, r.next_annual_contact,
            bool(r.status == EHERecord.Status.ACTIVE and r.next_annual_contact and r.next_annual_contact < today),
            dict(SAOStage.Stage.choices).get(r.latest_sao or "", ""), r.awaiting_mash, r.ended_on,
            r.get_end_reason_display() if r.end_reason else "", r.officer.full_name if r.officer else "",
        ])
    return rows


EXPORT_COLUMNS = [
    "Record", "Forename", "Surname", "Date of birth", "UPN", "Status", "Home education started", "Reason given",
    "Told us", "Suitability", "Decided on", "Next annual contact", "Annual contact overdue", "SAO pathway",
    "Awaiting MASH outcome", "Ended on", "Ended because", "Officer",
]
