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
from cme.children.models import Child, hide_restricted
from cme.core.models import LocalAuthority, Organisation, TimeStampedModel, la_code_validator

if TYPE_CHECKING:
    from cme.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        """LA casework roles see the LA's inbox; schools and partners see only what their organisation sent."""
        scope = scope_for(user)
        base = hide_restricted(self.filter(local_authority_id=scope.local_authority_id), scope, "child_id")  # Art 18
        if scope.kind == "la":
            return base
        if scope.kind == "organisation" and scope.organisation_id:
            return base.filter(source_organisation_id=scope.organisation_id)
        return self.none()

    def awaiting_triage(self) -> NotificationQuerySet:
        return self.filter(status=Notification.Status.NEW)

    def in_queue_order(self) -> NotificationQuerySet:
        """Urgent (safeguarding) first, then by triage target, oldest first."""
        return self.order_by("-is_urgent", "triage_due", "received_at", "pk")

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
        #: A second report about the same child or concern while the first is still open: it is attached to
        #: that one (`duplicate_of`) and is not a second queue item; it takes the first one's outcome.
        ATTACHED = "attached", "Attached to an earlier notification"

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
    # Escalation: a safeguarding concern, or a child with a risk flag needing an immediate referral, goes to the
    # top of the queue and to the CME mailbox and attendance managers at once.
    is_urgent = models.BooleanField(default=False)
    urgent_reason = models.CharField(max_length=200, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    upload = models.ForeignKey("ReturnUpload", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="notifications", help_text="The CSV file this return came in.")
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
            models.Index(fields=["local_authority", "status", "-is_urgent", "triage_due", "received_at"],
                         name="notification_queue_order"),
            models.Index(fields=["local_authority", "status", "dedupe_key"], name="notification_open_dedupe"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "attached"]) | ~Q(outcome=""),
                name="triaged_notification_has_outcome",
            ),
            # CONC-3: one queue item per concern, whatever the race (a second report is attached to it).
            models.UniqueConstraint(
                fields=["local_authority", "dedupe_key"], condition=Q(status="new") & ~Q(dedupe_key=""),
                name="one_new_notification_per_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reported_name(self) -> str:
        return f"{self.forename} {self.surname}".strip() or "Name not known"

    @property
    def submitter_status(self) -> str:
        """The status a school or partner may see for their own submission: "new" until it is triaged (its own or,
        when attached, the first report's triage), then "triaged". Never "attached": that would tell them someone
        else has already reported the child (AC-6, no matching oracle)."""
        return "triaged" if self.triaged_at is not None else "new"



class ReturnUpload(TimeStampedModel):
    """One CSV file of school returns, recorded by its SHA-256 so the same file is never taken twice."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="return_uploads")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="return_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    row_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "sha256"], name="unique_return_upload_file")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count} rows)"


class NotificationAttachment(models.Model):
    """A file kept exactly as received with a notification (for example the .eml of a mailbox enquiry)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.filename


class LAEnquiryQuerySet(models.QuerySet["LAEnquiry"]):
    def for_user(self, user: User) -> LAEnquiryQuerySet:
        """Enquiries between LAs are the LA casework team's (schools and partners never see them)."""
        scope = scope_for(user)
        if scope.kind != "la":
            return self.none()
        return hide_restricted(self.filter(local_authority_id=scope.local_authority_id), scope, "child_id")  # Art 18

    def open(self) -> LAEnquiryQuerySet:
        return self.filter(responded_on__isnull=True)


class LAEnquiry(TimeStampedModel):
    """'Is this child known to you?' between CME officers of two local authorities (R2.5 check 6, R2.8).

    Received enquiries also land in the triage queue as a notification (kind la_enquiry); both directions
    carry a response deadline, and the response when it comes.
    """

    class Direction(models.TextChoices):
        RECEIVED = "received", "Received from another local authority"
        SENT = "sent", "Sent to another local authority"

    class Answer(models.TextChoices):
        KNOWN = "known", "Known: on roll or otherwise known"
        KNOWN_CME = "known_cme", "Known: missing education there too"
        NOT_KNOWN = "not_known", "Not known"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="la_enquiries")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    other_la_code = models.CharField("other LA code", max_length=3, validators=[la_code_validator])
    other_la_name = models.CharField("other LA", max_length=100)
    other_la_contact_name = models.CharField(max_length=150, blank=True)
    other_la_contact_email = models.EmailField(blank=True)
    # The child asked about, as given.
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    question = models.TextField()
    asked_on = models.DateField(help_text="Date the enquiry was received or sent.")
    response_due = models.DateField()
    # The answer.
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    # Links.
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="la_enquiries")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="la_enquiries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[LAEnquiryQuerySet] = LAEnquiryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "enquiry with another local authority"
        verbose_name_plural = "enquiries with other local authorities"
        ordering = ["response_due", "pk"]
        indexes = [
            models.Index(fields=["local_authority", "responded_on", "response_due"]),
            models.Index(fields=["local_authority", "direction", "asked_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.other_la_name} {self.asked_on}"

    @property
    def is_open(self) -> bool:
        return self.responded_on is None

    @property
    def reported_name(self) -> str:
        return f"{self.forename} {self.surname}".strip() or "Name not given"


class PublicReportAttempt(models.Model):
    """Rate limit for the public form: one row per accepted report, keyed by a keyed hash of the IP address
    (the raw address is never stored). Rows older than a day are pruned as new ones are written."""

    ip_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ip_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.ip_hash[:8]} {self.at:%Y-%m-%d %H:%M}"
