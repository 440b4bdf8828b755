"""CME case work: a case from 'missing' to 'in education' or to a justified, documented end (rules.md §2, §7).

- `Case` with an append-only `CaseStatus` history (the current status is denormalised on the case and changed
  only by `cases.services.case_transition`); allocation, a derived priority, closure outcome and its evidence.
- The reasonable-enquiries checklist (R2.5): `EnquiryTemplate` / `EnquiryTemplateItem` (configurable per case
  type) and the case's `Enquiry` rows with due dates, evidence, or 'not applicable' with a reason.
- `Task` (something someone must do by a date), the chronology (`Note`, `ContactRecord`, `Document`),
  `CTFFile` (S2S, R7.2) and `CaseTransfer` (another LA takes the case over, R2.8).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from cme.accounts.policy import scope_for
from cme.children.models import ChildAccessGrant, EducationOtherwise, School, hide_restricted
from cme.core.models import LocalAuthority, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User


class CaseType(models.TextChoices):
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown", "Whereabouts not known"
    NOT_ON_ROLL = "not_on_roll", "Known address, not on a school roll"
    EHE_NOT_SUITABLE = "ehe_not_suitable", "Home education does not appear suitable (R5.5)"


class CaseStatusChoice(models.TextChoices):
    OPEN = "open", "Open"
    ENQUIRIES = "enquiries", "Making enquiries"
    LOCATED = "located", "Located"
    NOT_LOCATED = "not_located", "Not located"
    CLOSED = "closed", "Closed"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class ClosureOutcome(models.TextChoices):
    """The lawful ends of a case (R2.7): the child is in education, has left, or cannot be found."""

    ON_ROLL = "on_roll", "On roll at a school"
    EHE_SUITABLE = "ehe_suitable", "Electively home educated: education appears suitable"
    MOVED_LA = "moved_la", "Moved to another local authority (confirmed)"
    NOT_LOCATED = "not_located", "Not located after reasonable enquiries"


class SchoolWhere(models.TextChoices):
    IN_LA = "in_la", "A school in this local authority"
    UK = "uk", "A school elsewhere in the UK"
    OVERSEAS = "overseas", "A school overseas"


class CaseQuerySet(models.QuerySet["Case"]):
    def for_user(self, user: User) -> CaseQuerySet:
        """LA casework roles see the LA's cases; panel members only the children granted to them for a meeting
        they attend (ChildAccessGrant, created by panels.services); everyone else none."""
        scope = scope_for(user)
        base = hide_restricted(self.filter(local_authority_id=scope.local_authority_id), scope, "child_id")  # Art 18
        if scope.kind == "la":
            return base
        if scope.kind == "panel":
            granted = ChildAccessGrant.objects.active().filter(user=user).values("child_id")
            return base.filter(child_id__in=Subquery(granted))
        return self.none()

    def open(self) -> CaseQuerySet:
        return self.exclude(status=CaseStatusChoice.CLOSED)

    def closed(self) -> CaseQuerySet:
        return self.filter(status=CaseStatusChoice.CLOSED)

    def overdue(self, today: dt.date | None = None) -> CaseQuerySet:
        """Cases with a reasonable enquiry or a task past its due date."""
        return self.filter(overdue_condition(today or timezone.localdate()))


#: Statuses in which the reasonable-enquiries checklist is still being worked (once located, it no longer falls due).
ENQUIRING = ("open", "enquiries", "not_located")


def overdue_condition(today: dt.date) -> Q:
    late_enquiry = Enquiry.objects.filter(case=OuterRef("pk"), case__status__in=ENQUIRING, done_on__isnull=True,
                                          not_applicable=False, due__lt=today)
    late_task = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due__lt=today)
    return Q(Exists(late_enquiry)) | Q(Exists(late_task))


class Case(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cases")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="cases")
    case_type = models.CharField(max_length=30, choices=CaseType.choices, default=CaseType.WHEREABOUTS_UNKNOWN)
    status = models.CharField(
        max_length=20, choices=CaseStatusChoice.choices, default=CaseStatusChoice.OPEN,
        help_text="The latest CaseStatus row; written only by cases.services.case_transition.",
    )
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.LOW,
        help_text="Derived (cases.rules.case_priority) from risk flags and the age of the case; refreshed by services.",
    )
    allocated_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="allocated_cases")
    opened_at = models.DateTimeField()
    opened_on = models.DateField(help_text="The day the case opened: enquiry due dates count from it.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    summary = models.TextField(blank=True, help_text="Why the case was opened.")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every edit.")
    last_changed_by_label = models.CharField(max_length=200, blank=True)
    notifications = models.ManyToManyField("notifications.Notification", through="CaseNotification",
                                           related_name="cases", blank=True)
    # The multi-agency panel's review (recorded by panels.services through case_panel_review_record).
    panel_reviewed_on = models.DateField(null=True, blank=True)
    panel_outcome = models.CharField(max_length=200, blank=True)
    # Closure (R2.7) and its evidence.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closure_outcome = models.CharField(max_length=20, choices=ClosureOutcome.choices, blank=True)
    closure_note = models.TextField(blank=True)
    closure_school_where = models.CharField(max_length=10, choices=SchoolWhere.choices, blank=True)
    closure_school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closure_school_laestab = models.CharField(max_length=7, blank=True)
    closure_school_name = models.CharField(max_length=200, blank=True)
    closure_school_country = models.CharField(max_length=60, blank=True)
    closure_start_date = models.DateField(null=True, blank=True)
    closure_confirmed_by = models.CharField(max_length=200, blank=True,
                                            help_text="Who confirmed it (school, EHE team, receiving LA).")
    closure_education_otherwise = models.ForeignKey(EducationOtherwise, on_delete=models.PROTECT, null=True,
                                                    blank=True, related_name="+")

    objects: ClassVar[CaseQuerySet] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-priority", "opened_at"]
        indexes = [
            models.Index(fields=["local_authority", "status", "-priority", "opened_at"]),
            models.Index(fields=["allocated_to", "status"]),
            models.Index(fields=["child", "status"]),
        ]
        constraints = [
            # CONC-3: one open case per child, whatever the race (a second open is refused by the database).
            models.UniqueConstraint(fields=["child"], condition=~Q(status="closed"), name="one_open_case_per_child"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(closure_outcome=""),
                                   name="closed_case_has_outcome"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CASE-{self.pk:06d}" if self.pk else "CASE-new"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatusChoice.CLOSED


class CaseStatus(models.Model):
    """One step in a case's life: append-only (who, when, why). Rows are never changed or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=20, choices=CaseStatusChoice.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+")
    by_label = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name_plural = "case status history"

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Case status history is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class CaseNotification(models.Model):
    """A notification that opened or joined a case (a duplicate referral is attached, never a second case)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_notifications")
    notification = models.OneToOneField("notifications.Notification", on_delete=models.PROTECT,
                                        related_name="case_link")
    opened_case = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by_label = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.case_id}"


# --- Reasonable enquiries (R2.5) -----------------------------------------------------------------------


class DueUnit(models.TextChoices):
    SCHOOL_DAYS = "school_days", "school days"
    WORKING_DAYS = "working_days", "working days"


class EnquiryTemplate(models.Model):
    """The checklist for a case type. A template with no LA is the default; an LA's own one replaces it."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="enquiry_templates")
    case_type = models.CharField(max_length=30, choices=CaseType.choices)
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "case_type"], name="one_template_per_la_case_type"),
            models.UniqueConstraint(fields=["case_type"], condition=Q(local_authority__isnull=True),
                                    name="one_default_template_per_case_type"),
        ]

    def __str__(self) -> str:
        return self.name


class EnquiryTemplateItem(models.Model):
    template = models.ForeignKey(EnquiryTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    due_in = models.PositiveSmallIntegerField(help_text="Days after the case opens.")
    due_unit = models.CharField(max_length=20, choices=DueUnit.choices, default=DueUnit.WORKING_DAYS)
    escalate_when_missed = models.BooleanField(
        default=True, help_text="A missed due date is escalated to the attendance team manager."
    )
    source = models.CharField(max_length=60, blank=True, help_text="Where the check comes from, e.g. R2.5 [L].")
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="unique_template_item_code")]

    def __str__(self) -> str:
        return self.label


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    VISIT = "visit", "Home visit"
    SYSTEM = "system", "System or database check"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class EnquiryQuerySet(models.QuerySet["Enquiry"]):
    def outstanding(self) -> EnquiryQuerySet:
        return self.filter(done_on__isnull=True, not_applicable=False)


class Enquiry(models.Model):
    """One reasonable-enquiry check on a case: due date, then evidence (or 'not applicable' with a reason)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    template_item = models.ForeignKey(EnquiryTemplateItem, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=100)
    due = models.DateField()
    escalate_when_missed = models.BooleanField(default=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Evidence.
    done_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=ContactMethod.choices, blank=True)
    person = models.CharField(max_length=200, blank=True, help_text="Who was contacted or checked.")
    outcome = models.TextField(blank=True)
    attachment = models.ForeignKey("Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[EnquiryQuerySet] = EnquiryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "enquiries"
        indexes = [models.Index(fields=["case", "order"]), models.Index(fields=["due", "done_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                                   name="not_applicable_needs_reason"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_complete(self) -> bool:
        return self.done_on is not None or (self.not_applicable and bool(self.not_applicable_reason.strip()))


# --- Tasks ------------------------------------------------------------------------------------------------


class TaskQuerySet(models.QuerySet["Task"]):
    def for_user(self, user: User) -> TaskQuerySet:
        scope = scope_for(user)
        if scope.kind != "la":
            return self.none()
        return hide_restricted(self.filter(local_authority_id=scope.local_authority_id), scope,
                               "case__child_id")  # Art 18

    def outstanding(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)


class Task(models.Model):
    """Something someone must do by a date (case work, panel actions, escalations)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by an officer"
        PANEL = "panel", "Panel action"
        ESCALATION = "escalation", "Missed timescale escalated"
        SYSTEM = "system", "System"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due = models.DateField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="tasks")
    for_managers = models.BooleanField(default=False, help_text="A team task for the attendance team managers.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    escalation_key = models.CharField(max_length=80, null=True, blank=True, unique=True,
                                      help_text="Makes escalations idempotent (one task per missed timescale).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    done_note = models.TextField(blank=True)

    objects: ClassVar[TaskQuerySet] = TaskQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due"]),
            models.Index(fields=["case", "done_at"]),
            models.Index(fields=["local_authority", "for_managers", "done_at"]),
        ]

    def __str__(self) -> str:
        return self.title


# --- Chronology -------------------------------------------------------------------------------------------


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    author_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.case_id}"


class ContactRecord(models.Model):
    """A call, letter, email, visit or meeting about the case."""

    class Direction(models.TextChoices):
        OUT = "out", "We contacted them"
        IN = "in", "They contacted us"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    with_whom = models.CharField(max_length=200)
    occurred_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_by_label = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-recorded_at"]
        indexes = [models.Index(fields=["case", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} with {self.with_whom}"


def document_storage_path(instance: Document, filename: str) -> str:
    """Random storage names (never the uploaded name) under MEDIA_ROOT, which is outside the web root."""
    return f"documents/{instance.storage_token[:2]}/{instance.storage_token}"


class Document(models.Model):
    """An uploaded file (type sniffed from its content, size-limited), served only by a permission-checked view."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    title = models.CharField(max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_token = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=document_storage_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_by_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["case", "uploaded_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        stem = "".join(c if c.isalnum() or c in "-_ " else "_" for c in self.title)[:80].strip() or "document"
        return f"{stem}.{self.extension}"


# --- S2S / CTF (R7.2) -------------------------------------------------------------------------------------


class CTFFile(models.Model):
    """A Common Transfer File this LA generated (e.g. a lost-pupil CTF for S2S) or received."""

    class Direction(models.TextChoices):
        GENERATED = "generated", "Generated here"
        RECEIVED = "received", "Received"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="ctf_files")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="ctf_files")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="ctf_files")
    file_name = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    ctf_version = models.CharField(max_length=10, blank=True)
    source_laestab = models.CharField(max_length=7, blank=True)
    dest_laestab = models.CharField(max_length=7, blank=True)
    is_lost_pupil = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_by_label = models.CharField(max_length=200)
    warnings = models.JSONField(default=list, blank=True)
    s2s_uploaded_on = models.DateField(null=True, blank=True, help_text="When it was uploaded to S2S (R7.2).")
    s2s_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    s2s_recorded_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["child", "created_at"]),
            models.Index(fields=["local_authority", "direction", "file_name"]),
        ]

    def __str__(self) -> str:
        return self.file_name


# --- Another LA takes over (R2.8) -------------------------------------------------------------------------


class CaseTransfer(models.Model):
    class Response(models.TextChoices):
        AWAITING = "awaiting", "Awaiting a response"
        ACCEPTED = "accepted", "Accepted: the child lives in their area"
        DECLINED = "declined", "Declined"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    receiving_la_code = models.CharField(max_length=3)
    contact = models.CharField(max_length=200, blank=True, help_text="The receiving LA's CME officer or mailbox.")
    new_address = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    requested_by_label = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.AWAITING)
    response_note = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    confirmed_on = models.DateField(null=True, blank=True, help_text="When the receiving LA confirmed.")
    confirmed_by = models.CharField(max_length=200, blank=True, help_text="Who at the receiving LA confirmed.")

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["case", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} to LA {self.receiving_la_code}"
