"""The Children Not In School register: new s436B-G Education Act 1996 (CWSA 2026 s38; rules.md §6).

AWAITING COMMENCEMENT REGULATIONS (R6.1): the models exist so the register is ready, but nothing is entered
unless `LocalAuthority.cnis_register_enabled` is on. Field content follows s436C(1) as introduced, with the
January 2026 amendments (estimates of time; provider requests at most every 3 months); confirm against the
enacted text and the regulations before commencement (R6.3 is UNCONFIRMED in parts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models

from cme.accounts.policy import scope_for
from cme.children.models import Child, Contact, hide_restricted
from cme.cnis.rules import CONDITION_C
from cme.core.models import LocalAuthority, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User

HOURS = {"max_digits": 4, "decimal_places": 1, "null": True, "blank": True}


class CNISEntryQuerySet(models.QuerySet["CNISEntry"]):
    def for_user(self, user: User) -> CNISEntryQuerySet:
        scope = scope_for(user)
        if scope.kind != "la":
            return self.none()
        return hide_restricted(self.filter(local_authority_id=scope.local_authority_id,
                                           child__merged_into__isnull=True), scope, "child_id")  # Art 18


class ProviderType(models.TextChoices):
    TUTOR = "tutor", "Tutor"
    ONLINE = "online", "Online school or course"
    OUT_OF_SCHOOL_SETTING = "setting", "Out-of-school setting"
    FLEXI_SCHOOL = "flexi", "School (flexi-schooling)"
    OTHER = "other", "Other"


class CNISEntry(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "On the register"
        REMOVED = "removed", "Removed: no longer eligible"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cnis_entries")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cnis_entries")
    registered_on = models.DateField()
    # s436C(1)(a): name and date of birth come from the child's record; the home address as given.
    home_address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=8, blank=True)
    # s436B conditions: A lives in the area, B compulsory school age (checked), C which limb.
    lives_in_area = models.BooleanField(default=True)
    condition_c = models.CharField("condition C", max_length=1, choices=list(CONDITION_C.items()))
    # Jan 2026 amendments: estimated time with parents (d) and with others (da), hours a week.
    hours_with_parents = models.DecimalField("estimated hours a week educated by parents", **HOURS)
    hours_with_others = models.DecimalField("estimated hours a week educated by others", **HOURS)
    # s436C(2): optional/prescribed information, if held or reasonably obtainable (voluntary for parents).
    eligibility_reason = models.TextField("reason the child is eligible", blank=True)
    special_educational_needs = models.TextField(blank=True)
    protected_characteristics = models.TextField(blank=True)
    s47_enquiries = models.BooleanField("current or past s47 enquiries", null=True, blank=True)
    child_in_need = models.BooleanField(null=True, blank=True)
    looked_after = models.BooleanField(null=True, blank=True)
    looked_after_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    created_by_label = models.CharField(max_length=200, blank=True)

    objects: ClassVar[CNISEntryQuerySet] = CNISEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = "CNIS register entry"
        verbose_name_plural = "CNIS register entries"
        indexes = [
            models.Index(fields=["local_authority", "status", "-registered_on"]),
            models.Index(fields=["local_authority", "condition_c"]),
            models.Index(fields=["child", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(status="active"),
                                    name="one_active_cnis_entry"),
        ]

    def __str__(self) -> str:
        return f"CNIS entry {self.pk}"


class CNISParent(models.Model):
    """s436C(1)(b)-(d): each parent, their address, whether they provide education and for how long."""

    entry = models.ForeignKey(CNISEntry, on_delete=models.CASCADE, related_name="parents")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=300, blank=True)
    provides_education = models.BooleanField(default=False)
    hours_per_week = models.DecimalField("estimated hours a week", **HOURS)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class OutOfSchoolSetting(TimeStampedModel):
    """A provider of education outside school that the council knows of (s436E notices go to providers)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="out_of_school_settings")
    name = models.CharField(max_length=200)
    provider_type = models.CharField(max_length=10, choices=ProviderType.choices)
    address = models.CharField(max_length=300, blank=True)
    online_address = models.CharField("website or email", max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["local_authority", "name"])]

    def __str__(self) -> str:
        return self.name


class CNISProvider(models.Model):
    """s436C(1)(e): each other provider of the child's education, where, and for how long (with and without a
    parent present)."""

    entry = models.ForeignKey(CNISEntry, on_delete=models.CASCADE, related_name="providers")
    setting = models.ForeignKey(OutOfSchoolSetting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="children_provided_for")
    name = models.CharField(max_length=200)
    provider_type = models.CharField(max_length=10, choices=ProviderType.choices)
    address = models.CharField("address of each place", max_length=300, blank=True)
    online_address = models.CharField("website or email, if online", max_length=200, blank=True)
    hours_per_week = models.DecimalField("hours a week", **HOURS)
    hours_without_parent = models.DecimalField("hours a week without a parent present", **HOURS)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["setting"])]

    def __str__(self) -> str:
        return self.name


class ProviderRequest(models.Model):
    """A request to a provider for information about named children (s436E): at most once every 3 months per
    provider (R6.3; enforced in `cnis.services.provider_request_send`)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    setting = models.ForeignKey(OutOfSchoolSetting, on_delete=models.PROTECT, related_name="requests")
    sent_on = models.DateField()
    entries = models.ManyToManyField(CNISEntry, blank=True, related_name="provider_requests")
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["setting", "-sent_on"])]

    def __str__(self) -> str:
        return f"Request to {self.setting_id} on {self.sent_on}"
