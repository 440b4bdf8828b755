"""Everything that reaches the triage inbox, whatever route it came by (DESIGN: Notification).

One model for every route so the queue really is one queue; the route-specific answers are kept as
received in `details` (and reg 13 deletion-return fields in their own columns where the rules need them).
Triage outcomes that open or extend a case are recorded here by the cases app's services (higher layer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from cme.accounts.policy import scope_for
from cme.children.models import Child
from cme.core.models import LocalAuthority, Organisation, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        """LA casework roles see the LA's inbox; schools and partners see only what their organisation sent."""
        scope = scope_for(user)
        base = self.filter(local_authority_id=scope.local_authority_id)
        if scope.kind == "la":
            return base
        if scope.kind == "organisation" and scope.organisation_id:
            return base.filter(source_organisation_id=scope.organisation_id)
        return self.none()

    def awaiting_triage(self) -> NotificationQuerySet:
        return self.filter(status=Notification.Status.NEW)

    def open_for_child(self, child_id: int) -> NotificationQuerySet:
        return self.filter(child_id=child_id, status=Notification.Status.NEW)


class Notification(TimeStampedModel):
    class Kind(models.TextChoices):
        DELETION_RETURN = "deletion_return", "Deletion from roll (school return)"
        NEW_ENTRANT_RETURN = "new_entrant_return", "New pupil (school return)"
        PARTNER_REFERRAL = "partner_referral", "Partner referral"
        RESIDENT_REPORT = "resident_report", "Report from a member of the public"
        LA_ENQUIRY = "la_enquiry", "Enquiry from another local authority"
        MAILBOX = "mailbox", "Email to the CME mailbox"
        CTF_RECEIVED = "ctf_received", "Common transfer file received"
        DETECTION_ALERT = "detection_alert", "Found in the daily data"

    class Status(models.TextChoices):
        NEW = "new", "Awaiting triage"
        TRIAGED = "triaged", "Triaged"

    class Outcome(models.TextChoices):
        NEW_CASE = "new_case", "New CME case opened"
        ADDED_TO_CASE = "added_to_case", "Added to an existing case"
        ATTENDANCE_MATTER = "attendance_matter", "Attendance matter for the school (on roll, not CME)"
        EHE_TEAM = "ehe_team", "Passed to the EHE team"
        NOT_CME = "not_cme", "Not CME"
        SAFEGUARDING_REFERRAL = "safeguarding_referral", "Immediate safeguarding referral (MASH/police)"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="notifications")
    reference = models.CharField(max_length=20, unique=True, help_text="Given to whoever told us, e.g. CME-26-000123.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    received_at = models.DateTimeField()
    triage_due = models.DateField(help_text="Next working day after receipt (LA triage target).")
    # Who told us.
    source_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="notifications_sent")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="notifications_submitted")
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_contact = models.CharField(max_length=200, blank=True)
    referrer_agency = models.CharField(max_length=40, blank=True, help_text="Agency type of the referrer.")
    # The child as reported (kept as received; the matched record is `child`).
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    summary = models.TextField(blank=True, help_text="What is known.")
    details = models.JSONField(default=dict, blank=True, help_text="Route-specific answers, as received.")
    safeguarding_concern = models.BooleanField(default=False)
    safeguarding_detail = models.TextField(blank=True)
    # Deletion returns (reg 9 ground and reg 13 fields) and detection alerts.
    deletion_ground = models.CharField(max_length=1, blank=True)
    deletion_date = models.DateField(null=True, blank=True)
    school_laestab = models.CharField(max_length=7, blank=True)
    detection_rule = models.CharField(max_length=60, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True,
                                  help_text="Same key, same concern: a second one is attached, not duplicated.")
    # Matching and triage.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications")
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="notifications_triaged")
    triaged_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["triage_due", "received_at"]
        indexes = [
            models.Index(fields=["local_authority", "status", "triage_due"]),
            models.Index(fields=["local_authority", "kind", "received_at"]),
            models.Index(fields=["child", "status"]),
            models.Index(fields=["source_organisation", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new") | ~Q(outcome=""), name="triaged_notification_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reported_name(self) -> str:
        return f"{self.forename} {self.surname}".strip() or "Name not known"

