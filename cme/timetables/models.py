"""The part-time (reintegration) timetables register (rules.md R4.2; absent sessions are coded C2, R3.7).

Schools submit a timetable for one of their pupils; the attendance team reviews it on the LA's cycle
(`LocalAuthority.part_time_review_weeks`, default 6: there is no national interval, R4.2). The next review date,
the number of extensions and the status are kept on the row so the register's filters are indexed conditions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from cme.accounts.policy import scope_for
from cme.children.models import Child, Contact, School, hide_restricted
from cme.core.models import LocalAuthority, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User


class PartTimeTimetableQuerySet(models.QuerySet["PartTimeTimetable"]):
    def for_user(self, user: User) -> PartTimeTimetableQuerySet:
        """LA casework roles see the LA's register; a school sees only the timetables of its own school."""
        scope = scope_for(user)
        base = hide_restricted(self.filter(local_authority_id=scope.local_authority_id,
                                           child__merged_into__isnull=True), scope, "child_id")  # Art 18
        if scope.kind == "la":
            return base
        if scope.kind == "organisation" and user.role == "school_user" and scope.organisation_id:
            return base.filter(school__organisation_id=scope.organisation_id)
        return self.none()

    def active(self) -> PartTimeTimetableQuerySet:
        return self.filter(status=PartTimeTimetable.Status.ACTIVE)


class PartTimeTimetable(TimeStampedModel):
    class Reason(models.TextChoices):
        # R4.2: only in exceptional circumstances and in the pupil's best interests; never to manage behaviour.
        MEDICAL = "medical", "Physical health or medical condition"
        MENTAL_HEALTH = "mental_health", "Mental health, or emotionally based school avoidance"
        REINTEGRATION = "reintegration", "Reintegration after long absence or exclusion"
        SEND = "send", "Special educational needs: support being put in place"
        TRANSITION = "transition", "Phased start: new arrival or transition"
        OTHER = "other", "Other exceptional circumstances"

    class Status(models.TextChoices):
        ACTIVE = "active", "In place"
        FULL_TIME = "full_time", "Returned to full-time education"
        ENDED = "ended", "Ended"

    class ConsentHow(models.TextChoices):
        WRITING = "writing", "Signed in writing"
        EMAIL = "email", "By email"
        MEETING = "meeting", "At a meeting"
        PHONE = "phone", "By phone"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="part_time_timetables")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="part_time_timetables")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="part_time_timetables")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_detail = models.TextField(blank=True)
    hours_per_week = models.DecimalField("hours a week in school", max_digits=4, decimal_places=1,
                                         validators=[MinValueValidator(Decimal("0.5"))])
    full_time_hours = models.DecimalField("full-time hours a week", max_digits=4, decimal_places=1,
                                          default=Decimal("32.5"))
    start_date = models.DateField()
    planned_end_date = models.DateField()
    reintegration_plan = models.TextField(help_text="How and by when the pupil returns to full time (R4.2).")
    # Consent of the parent the pupil normally lives with (R4.2).
    consent_given = models.BooleanField(default=False)
    consent_by = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consent_by_name = models.CharField("consent given by", max_length=150, blank=True)
    consent_on = models.DateField(null=True, blank=True)
    consent_how = models.CharField(max_length=10, choices=ConsentHow.choices, blank=True)
    # Relevant professionals must be involved if the pupil has a social worker or an EHCP (R4.2).
    has_social_worker = models.BooleanField(default=False)
    social_worker_involved = models.BooleanField(default=False)
    has_ehcp = models.BooleanField("has an EHCP", default=False)
    ehcp_involved = models.BooleanField("SEN team involved", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(help_text="Last review (or the start) plus the LA's review cycle.")
    extensions = models.PositiveSmallIntegerField(default=0, help_text="Times the end date has been extended.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_by_label = models.CharField(max_length=200, blank=True)

    objects: ClassVar[PartTimeTimetableQuerySet] = PartTimeTimetableQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["next_review_due", "id"]
        verbose_name = "part-time timetable"
        indexes = [
            models.Index(fields=["local_authority", "status", "next_review_due"]),
            models.Index(fields=["local_authority", "status", "planned_end_date"]),
            models.Index(fields=["school", "status", "next_review_due"]),
            models.Index(fields=["child", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["child", "school"], condition=Q(status="active"),
                                    name="one_active_timetable_per_pupil"),
            models.CheckConstraint(condition=Q(planned_end_date__gt=models.F("start_date")),
                                   name="timetable_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(hours_per_week__lt=models.F("full_time_hours")),
                                   name="timetable_is_part_time"),
        ]

    def __str__(self) -> str:
        return f"Part-time timetable {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class TimetableReview(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue as planned"
        EXTEND = "extend", "Extend to a new end date"
        END = "end", "End the timetable"
        FULL_TIME = "full_time", "Return to full time"

    timetable = models.ForeignKey(PartTimeTimetable, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    new_end_date = models.DateField(null=True, blank=True)
    pupil_and_parents_involved = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["timetable", "-reviewed_on"])]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}: {self.get_outcome_display()}"


class ReminderSent(models.Model):
    """What the register reminders sent, so a second run on the same day sends nothing again."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    recipient = models.EmailField()
    sent_on = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "kind", "recipient", "sent_on"],
                                    name="one_reminder_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} on {self.sent_on}"
