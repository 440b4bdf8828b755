"""Retention schedules, legal holds and the destruction log (UK GDPR Art 5(1)(e); rules.md R8.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RetentionRule(models.Model):
    """How long one category of record is kept. R8.3: no statutory period exists; each LA sets its schedule, so
    the defaults (migration 0002) are data, marked `confirmed=False` until the LA's DPO signs them off."""

    class Basis(models.TextChoices):
        CHILD_AGE = "child_age", "Child's age"
        AFTER_CLOSED = "after_closed", "Years after the case closed"
        AFTER_DATE = "after_date", "Years after the record's date"

    class Action(models.TextChoices):
        DELETE = "delete", "Delete"
        ANONYMISE = "anonymise", "Anonymise"

    category = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    years = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    confirmed = models.BooleanField(default=False, help_text="False: a default still to be confirmed by the DPO.")
    source = models.CharField(max_length=300, blank=True, help_text="Where the period comes from (rule id, LA).")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_basis_display()} {self.years} years, {self.get_action_display()}"


class LegalHold(models.Model):
    """Nothing about this child is destroyed while the hold is in force (e.g. the IICSA retention instruction)."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    until = models.DateField(null=True, blank=True, help_text="Blank: until lifted.")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["child", "lifted_at"])]

    def __str__(self) -> str:
        return f"Legal hold on {self.child_id}: {self.reason}"


class DestructionLog(models.Model):
    """What the retention purge destroyed: category, count, rule, when. Never any content."""

    run_at = models.DateTimeField(auto_now_add=True, db_index=True)
    category = models.CharField(max_length=40)
    rule = models.CharField(max_length=200)
    action = models.CharField(max_length=10)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-run_at", "category"]

    def __str__(self) -> str:
        return f"{self.run_at:%Y-%m-%d} {self.category}: {self.count} ({self.action})"


class ProcessingRestriction(models.Model):
    """UK GDPR Art 18 restriction of processing, one row per restriction (history kept: never deleted or reused).

    While a row is in force (`lifted_at` empty) the child's record is only stored: hidden from every role but the
    data protection officer (`Child.processing_restricted`, kept in step by
    `privacy.restrictions.flag_restricted`), kept by the retention purge, and left out of the daily detection rules
    and the panel agenda. Art 18(3): the data subject is told before the restriction is lifted; `subject_told_on`
    records when and `subject_told_how` how.

    When two child records are merged and both are restricted, the later restriction is closed as superseded by the
    earlier one (`superseded_by`; not lifted: the record stays restricted, so no Art 18(3) notice is due), see
    `privacy.restrictions.restrictions_follow_merge`."""

    class Ground(models.TextChoices):
        ACCURACY_CONTESTED = "accuracy_contested", "The accuracy of the data is contested (Art 18(1)(a))"
        UNLAWFUL_ERASURE_OPPOSED = "unlawful_erasure_opposed", (
            "The processing is unlawful and the data subject opposes erasure (Art 18(1)(b))")
        LEGAL_CLAIMS = "legal_claims", (
            "The data subject needs the data for legal claims; the council no longer does (Art 18(1)(c))")
        OBJECTION_PENDING = "objection_pending", (
            "The data subject has objected (Art 21(1)); the council's grounds are being checked (Art 18(1)(d))")

    local_authority = models.ForeignKey("core.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="processing_restrictions")
    ground = models.CharField(max_length=30, choices=Ground.choices)
    requested_by = models.CharField(max_length=200, help_text="Who asked: the child, a parent, their solicitor...")
    requested_on = models.DateField()
    detail = models.TextField(blank=True, help_text="What is contested or objected to, and what was checked.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lift_reason = models.CharField(max_length=500, blank=True)
    subject_told_on = models.DateField(null=True, blank=True, help_text="Art 18(3): told before the lifting.")
    subject_told_how = models.CharField(max_length=200, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="supersedes",
                                      help_text="Closed on a merge of two restricted records: this one continues.")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(lifted_at__isnull=True),
                                    name="one_processing_restriction_in_force"),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | models.Q(subject_told_on__isnull=False)
                | models.Q(superseded_by__isnull=False),
                name="restriction_lifted_only_after_telling_the_subject"),
        ]
        indexes = [models.Index(fields=["local_authority", "lifted_at"])]

    def __str__(self) -> str:
        return f"Restriction of processing on {self.child_id} ({self.get_ground_display()})"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
