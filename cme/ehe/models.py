"""The elective home education (EHE) register (rules.md §5; DfE EHE guidance 2019, S7).

An EHE child receiving suitable education is not CME (R5.2). The register keeps the child's EHE record,
contact history, suitability enquiries, the school attendance order (SAO) pathway (R5.3, R5.4) and the two
concern routes of the policy (safety or wellbeing: MASH referral; quality only: the EHE process).

Education status is never stored here: each record keeps the child's `EducationOtherwise(kind="ehe")`
period in step (children.status derives the status), so the status has one source (R5.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from cme.accounts.policy import scope_for
from cme.children.models import Child, Contact, EducationOtherwise, hide_restricted
from cme.core.models import LocalAuthority, TimeStampedModel
from cme.notifications.models import Notification

if TYPE_CHECKING:
    from cme.accounts.models import User


class EHERecordQuerySet(models.QuerySet["EHERecord"]):
    def for_user(self, user: User) -> EHERecordQuerySet:
        """Only LA casework roles reach the EHE register, and only their own LA's records."""
        scope = scope_for(user)
        if scope.kind != "la":
            return self.none()
        return hide_restricted(self.filter(local_authority_id=scope.local_authority_id,
                                           child__merged_into__isnull=True), scope, "child_id")  # Art 18

    def active(self) -> EHERecordQuerySet:
        return self.filter(status=EHERecord.Status.ACTIVE)


class EHERecord(TimeStampedModel):
    class Reason(models.TextChoices):
        DISSATISFACTION = "dissatisfaction", "Dissatisfaction with the school"
        PHILOSOPHICAL = "philosophical", "Philosophical or cultural reasons"
        RELIGIOUS = "religious", "Religious reasons"
        HEALTH = "health", "Physical or mental health"
        SEND = "send_needs_not_met", "Special educational needs not met at school"
        BULLYING = "bullying", "Bullying"
        SCHOOL_PLACE = "school_place", "Did not get a preferred school place"
        NOT_GIVEN = "not_given", "No reason given (parents need not give one)"
        OTHER = "other", "Other"

    class Source(models.TextChoices):
        SCHOOL_DELETION = "school_deletion", "School deletion return (ground F)"
        PARENT = "parent", "Parent or carer"
        OTHER_LA = "other_la", "Another local authority"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Home educated"
        ENDED = "ended", "No longer home educated"

    class EndReason(models.TextChoices):
        SCHOOL = "school", "Registered at a school"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        ABOVE_CSA = "above_csa", "No longer of compulsory school age"
        SAO = "sao", "School attendance order complied with"
        OTHER = "other", "Other"

    class Suitability(models.TextChoices):
        NOT_ASSESSED = "not_assessed", "Not yet assessed"
        SUITABLE = "suitable", "Appears suitable"
        NOT_SUITABLE = "not_suitable", "Does not appear suitable"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="ehe_records")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="ehe_records")
    education_otherwise = models.OneToOneField(
        EducationOtherwise, on_delete=models.SET_NULL, null=True, blank=True, related_name="ehe_record",
        help_text="The child's EHE period this record keeps in step (education status reads it).",
    )
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="ehe_records", help_text="The notification that told us.")
    start_date = models.DateField("home education started")
    reason = models.CharField("reason given", max_length=30, choices=Reason.choices, default=Reason.NOT_GIVEN)
    reason_detail = models.TextField(blank=True)
    source = models.CharField("told us", max_length=20, choices=Source.choices)
    educating_parents = models.ManyToManyField(Contact, blank=True, related_name="+",
                                               help_text="The parents or carers providing the education.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_detail = models.TextField(blank=True)
    suitability = models.CharField(max_length=20, choices=Suitability.choices, default=Suitability.NOT_ASSESSED)
    suitability_decided_on = models.DateField(null=True, blank=True)
    suitability_reason = models.TextField(blank=True)
    next_annual_contact = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="ehe_records", help_text="EHE officer responsible.")

    objects: ClassVar[EHERecordQuerySet] = EHERecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "EHE record"
        indexes = [
            models.Index(fields=["local_authority", "status", "next_annual_contact"]),
            models.Index(fields=["local_authority", "suitability"]),
            models.Index(fields=["local_authority", "-start_date"]),
            models.Index(fields=["child", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="active"), name="one_active_ehe_record"),
            models.CheckConstraint(condition=Q(status="active") | Q(ended_on__isnull=False),
                                   name="ended_ehe_record_has_end_date"),
        ]

    def __str__(self) -> str:
        return f"EHE record {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class EHEContact(models.Model):
    """The contact history: every visit, call, letter or report, and the annual contact (EHE guidance 2019)."""

    class Method(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        MEETING = "meeting", "Meeting elsewhere"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        REPORT = "report", "Written report from the parents"

    record = models.ForeignKey(EHERecord, on_delete=models.CASCADE, related_name="contacts")
    contact_on = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    is_annual_contact = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contact_on", "-id"]
        indexes = [models.Index(fields=["record", "-contact_on"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.contact_on}"


class SuitabilityEnquiry(models.Model):
    """An informal enquiry into whether the education is suitable, and what it found (R5.2, R5.3)."""

    class Method(models.TextChoices):
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"
        HOME_VISIT = "home_visit", "Home visit"
        MEETING = "meeting", "Meeting"
        PHONE = "phone", "Phone call"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting information"
        SUITABLE = "suitable", "Education appears suitable"
        NOT_SUITABLE = "not_suitable", "Education does not appear suitable"
        NO_INFORMATION = "no_information", "Parents gave no information (R5.3)"

    record = models.ForeignKey(EHERecord, on_delete=models.CASCADE, related_name="enquiries")
    made_on = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    information_received = models.TextField(blank=True)
    information_received_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name_plural = "suitability enquiries"
        indexes = [models.Index(fields=["record", "-made_on"])]

    def __str__(self) -> str:
        return f"Enquiry {self.made_on}: {self.get_outcome_display()}"


class SAOStage(models.Model):
    """One step of the school attendance order pathway (s437-s443 Education Act 1996; R5.3, R5.4).

    Steps follow each other in the order of `ehe.rules.SAO_NEXT`; "withdrawn" closes the pathway at any step.
    """

    class Stage(models.TextChoices):
        NOTICE_437_1 = "notice_437_1", "s437(1) notice served: satisfy the LA that education is suitable"
        INTENTION_438 = "intention_438", "s438 notice of intention to serve a school attendance order"
        SAO_437_3 = "sao_437_3", "s437(3) school attendance order served"
        PROSECUTION_443 = "prosecution_443", "Referred for prosecution: order not complied with (s443)"
        WITHDRAWN = "withdrawn", "Pathway closed: education now appears suitable, or order revoked"

    record = models.ForeignKey(EHERecord, on_delete=models.CASCADE, related_name="sao_stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    served_on = models.DateField("date served or decided")
    response_due = models.DateField(null=True, blank=True, help_text="The parent must satisfy the LA by this date.")
    school_named = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["served_on", "id"]
        verbose_name = "SAO stage"
        indexes = [models.Index(fields=["record", "served_on"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.served_on}"


class EHEConcern(models.Model):
    """A concern about a home-educated child and the route it took (the policy's two routes)."""

    class Kind(models.TextChoices):
        SAFETY = "safety", "Safety or wellbeing concern: refer to the MASH"
        QUALITY = "quality", "Concern about the quality of education only: the EHE process"

    class SocialCareOutcome(models.TextChoices):
        AWAITING = "awaiting", "Awaiting the outcome"
        NO_FURTHER_ACTION = "nfa", "No further action"
        EARLY_HELP = "early_help", "Early help"
        CHILD_IN_NEED = "child_in_need", "Child in need (s17 Children Act 1989)"
        S47 = "s47", "Child protection enquiry (s47 Children Act 1989)"
        ALREADY_OPEN = "already_open", "Already open to children's social care"
        OTHER = "other", "Other"

    record = models.ForeignKey(EHERecord, on_delete=models.CASCADE, related_name="concerns")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    raised_on = models.DateField()
    description = models.TextField()
    # Safety or wellbeing: MASH referral and what social care decided.
    mash_referral_on = models.DateField("MASH referral made on", null=True, blank=True)
    mash_reference = models.CharField("MASH reference", max_length=60, blank=True)
    social_care_outcome = models.CharField(max_length=20, choices=SocialCareOutcome.choices, blank=True)
    social_care_outcome_on = models.DateField(null=True, blank=True)
    social_care_notes = models.TextField(blank=True)
    # Quality only: the suitability enquiry it started.
    enquiry = models.OneToOneField(SuitabilityEnquiry, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="concern")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["record", "-raised_on"]), models.Index(fields=["kind", "social_care_outcome"])]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="safety") | Q(mash_referral_on__isnull=False),
                                   name="safety_concern_has_mash_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.raised_on})"

    @property
    def route(self) -> str:
        return "MASH referral" if self.kind == self.Kind.SAFETY else "EHE process (suitability enquiry)"
