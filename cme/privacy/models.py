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
