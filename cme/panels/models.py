"""The termly multi-agency CME panel: meetings, their agenda (cases meeting configurable criteria), attendees,
per-case discussion, decisions and actions (which become cases.Task), and the minutes.

Panel members see only the meetings they attend and, while their access lasts, the cases on those meetings'
agendas (children.ChildAccessGrant, created when a case joins the agenda and expiring after the meeting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery

from cme.accounts.policy import scope_for
from cme.children.models import ChildAccessGrant, RiskFlagType, hide_restricted
from cme.core.models import LocalAuthority, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User


def grant_reason(meeting_id: int) -> str:
    """The ChildAccessGrant reason that ties a grant to one meeting (so it can be revoked with the meeting)."""
    return f"panel meeting {meeting_id}"


class PanelSettings(models.Model):
    """Agenda criteria and access for an LA's panel (local practice [L]: all configurable)."""

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, related_name="panel_settings")
    not_located_after_weeks = models.PositiveSmallIntegerField(
        default=6, help_text="Cases still open after this many weeks (counted in working days) go on the agenda.")
    include_not_located = models.BooleanField(default=True, help_text="Every case recorded as not located.")
    min_risk_severity = models.PositiveSmallIntegerField(
        choices=RiskFlagType.Severity.choices, null=True, blank=True, default=RiskFlagType.Severity.HIGH,
        help_text="Cases whose child has an active risk flag at least this severe (blank: none on this ground).")
    include_missed_timescales = models.BooleanField(default=True,
                                                    help_text="Cases with a reasonable enquiry past its due date.")
    access_working_days_after = models.PositiveSmallIntegerField(
        default=1, help_text="Working days after the meeting that panel members keep access to its cases.")

    class Meta:
        verbose_name_plural = "panel settings"

    def __str__(self) -> str:
        return f"Panel settings for {self.local_authority_id}"


class PanelMeetingQuerySet(models.QuerySet["PanelMeeting"]):
    def for_user(self, user: User) -> PanelMeetingQuerySet:
        """LA casework roles see the LA's meetings; panel members the meetings they are invited to."""
        scope = scope_for(user)
        base = self.filter(local_authority_id=scope.local_authority_id)
        if scope.kind == "la":
            return base
        if scope.kind == "panel":
            return base.filter(pk__in=Subquery(PanelAttendee.objects.filter(user=user).values("meeting_id")))
        return self.none()

    def upcoming(self) -> PanelMeetingQuerySet:
        from django.utils import timezone

        return self.filter(held_on__gte=timezone.localdate()).order_by("held_on", "id")


class PanelMeeting(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="panel_meetings")
    held_on = models.DateField("date of the meeting")
    starts_at = models.TimeField(null=True, blank=True)
    term = models.CharField(max_length=60, help_text="For example 'Autumn term 2026'.")
    location = models.CharField(max_length=200, blank=True)
    terms_of_reference = models.ForeignKey("cases.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by_label = models.CharField(max_length=200)
    minutes_generated_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[PanelMeetingQuerySet] = PanelMeetingQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["local_authority", "held_on"])]

    def __str__(self) -> str:
        return f"Panel {self.held_on:%d %b %Y} ({self.term})"


class PanelAttendeeQuerySet(models.QuerySet["PanelAttendee"]):
    def upcoming(self) -> PanelAttendeeQuerySet:
        from django.utils import timezone

        return self.filter(meeting__held_on__gte=timezone.localdate()).select_related("meeting").order_by(
            "meeting__held_on")


class PanelAttendee(models.Model):
    """Someone invited: a user of the service, or an outside attendee (name and agency only)."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="panel_attendances")
    name = models.CharField(max_length=150)
    agency = models.CharField(max_length=150, blank=True)
    attended = models.BooleanField(null=True, blank=True, help_text="Recorded at the meeting.")

    objects: ClassVar[PanelAttendeeQuerySet] = PanelAttendeeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["user", "meeting"])]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="one_attendance_per_user_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})" if self.agency else self.name


class PanelItemQuerySet(models.QuerySet["PanelItem"]):
    def for_user(self, user: User) -> PanelItemQuerySet:
        """LA casework roles: every item of the LA's meetings. Panel members: items of the meetings they attend,
        while their access grant to the item's child is active."""
        scope = scope_for(user)
        base = hide_restricted(self.filter(meeting__local_authority_id=scope.local_authority_id), scope,
                               "case__child_id")  # Art 18
        if scope.kind == "la":
            return base
        if scope.kind == "panel":
            meetings = PanelAttendee.objects.filter(user=user).values("meeting_id")
            granted = ChildAccessGrant.objects.active().filter(user=user).values("child_id")
            return base.filter(meeting_id__in=Subquery(meetings), case__child_id__in=Subquery(granted))
        return self.none()


class PanelItem(models.Model):
    """A case on a meeting's agenda, why it is there, and what was said."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panel_items")
    order = models.PositiveSmallIntegerField(default=100)
    reasons = models.CharField(max_length=300, help_text="Why it is on the agenda (the criteria it met).")
    discussion = models.TextField(blank=True)
    added_by_label = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[PanelItemQuerySet] = PanelItemQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["meeting", "order"]), models.Index(fields=["case"])]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_agenda")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: case {self.case_id}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue_enquiries", "Continue enquiries"
        CLOSE_NOT_LOCATED = "close_not_located", "Agree to close as not located"
        REFER_SOCIAL_CARE = "refer_social_care", "Refer to children's social care"
        REFER_POLICE = "refer_police", "Refer to the police"
        REFER_EHE = "refer_ehe", "Pass to the EHE team"
        OTHER = "other", "Other"

    item = models.ForeignKey(PanelItem, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    text = models.TextField()
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_by_label = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["item", "recorded_at"])]

    def __str__(self) -> str:
        return self.get_outcome_display()


class DecisionAction(models.Model):
    """An action the panel agreed: a cases.Task with a due date and an owner."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    task = models.OneToOneField("cases.Task", on_delete=models.CASCADE, related_name="panel_action")

    def __str__(self) -> str:
        return f"{self.decision_id}: task {self.task_id}"
