"""The local authority that owns the data, its settings, and the organisations users belong to."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from cme.core import calendar
from cme.law.school_age import school_year_start

la_code_validator = RegexValidator(r"^\d{3}$", "An LA code is 3 digits, for example 931.")
laestab_validator = RegexValidator(r"^\d{7}$", "A LAESTAB is 7 digits: the LA code and the establishment number.")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LocalAuthority(TimeStampedModel):
    """The council that owns the data. Settings the law leaves to councils live here with documented defaults."""

    code = models.CharField("LA code", max_length=3, unique=True, validators=[la_code_validator])
    name = models.CharField(max_length=100)
    cme_officer_name = models.CharField("named CME officer", max_length=120, blank=True)
    cme_mailbox = models.EmailField("CME mailbox", blank=True)
    cme_phone = models.CharField("CME phone number", max_length=40, blank=True)
    # Triage: every notification is acted on by the next working day (policy promise).
    triage_target_working_days = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    # Part-time timetables: reviews on a configurable cycle (R4.2: no national interval; 6 weeks is local practice).
    part_time_review_weeks = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    # Record linkage thresholds (issue 7): auto-link above upper, review between, new child below lower.
    linkage_upper_threshold = models.FloatField(default=0.95)
    linkage_lower_threshold = models.FloatField(default=0.50)
    # Detection (issue 6): school days before an unknown destination raises a concern.
    destination_grace_school_days = models.PositiveSmallIntegerField(default=10)
    # Children Not In School register (R6.1): not commenced; kept behind this flag.
    cnis_register_enabled = models.BooleanField(default=False)
    # Council policy the law leaves open. Blank: the service-wide setting (CME_*), else the documented default.
    sao_notice_days = models.PositiveSmallIntegerField(
        "days a s437(1) notice gives the parent", null=True, blank=True, validators=[MinValueValidator(15)],
        help_text="At least 15 (s437(2), R5.4). Blank: CME_SAO_NOTICE_DAYS, default 15.")
    full_time_hours = models.DecimalField(
        "full-time hours a week", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(1)], help_text="For part-time timetables (R4.2). Blank: CME_FULL_TIME_HOURS, "
                                                     "default 32.5.")
    part_time_max_extensions = models.PositiveSmallIntegerField(
        "extensions before a timetable is flagged", null=True, blank=True,
        help_text="Blank: CME_PART_TIME_MAX_EXTENSIONS, default 2.")
    deletion_return_backdate_school_days = models.PositiveSmallIntegerField(
        "school days a deletion date may lie in the past", null=True, blank=True,
        help_text="Deletion returns (R3.3). Blank: CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS, default 5.")

    class Meta:
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def term_calendar(self) -> calendar.TermCalendar:
        """This LA's school term dates (configurable) as a calendar for school-day arithmetic."""
        terms = [(t.start, t.end) for t in self.term_dates.all()]
        closures = [c.day for c in self.closure_days.all()]
        if not terms:
            year = school_year_start(timezone.localdate())
            terms = calendar.default_term_dates(year - 1) + calendar.default_term_dates(year) + (
                calendar.default_term_dates(year + 1)
            )
        return calendar.TermCalendar(terms=tuple(terms), closures=frozenset(closures))


class TermDate(models.Model):
    """One school term for the LA (community schools' pattern; academies may differ)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="term_dates")
    name = models.CharField(max_length=60)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="term_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d %b %Y} to {self.end:%d %b %Y})"


class ClosureDay(models.Model):
    """A day inside a term when schools are closed (INSET days, polling days)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="closure_days")
    day = models.DateField()
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        unique_together = [("local_authority", "day")]

    def __str__(self) -> str:
        return f"{self.day:%d %b %Y} {self.reason}"


class Organisation(TimeStampedModel):
    """A school, a partner agency or the LA's own teams: what a user belongs to, and the scope of what they see."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "la", "Local authority team"
        SCHOOL = "school", "School"
        PARTNER = "partner", "Partner agency"

    class PartnerType(models.TextChoices):
        POLICE = "police", "Police"
        HEALTH = "health", "Health (GP, health visitor, school nurse, A&E)"
        HOUSING = "housing", "Housing"
        CAMHS = "camhs", "CAMHS"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        SOCIAL_CARE = "social_care", "Children's social care"
        BORDER_FORCE = "border_force", "Border Force / Home Office"
        OTHER_LA = "other_la", "Another local authority"
        YOUNG_CARERS = "young_carers", "Young carers service"
        YOUTH_SERVICES = "youth_services", "Youth services"
        ADMISSIONS = "admissions", "Admissions"
        INDEPENDENT_SCHOOL = "independent_school", "Independent school"
        OTHER = "other", "Other agency"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices, blank=True)
    name = models.CharField(max_length=200)
    laestab = models.CharField("LAESTAB", max_length=7, blank=True, validators=[laestab_validator])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["local_authority", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["laestab"], condition=~models.Q(laestab=""), name="unique_organisation_laestab"
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuarantinedFile(models.Model):
    """An upload clamd found infected (SECURITY-PLAN FILE-4, ASVS v5 5.4.3): refused to the user, kept here.

    The bytes are never in MEDIA_ROOT: they are encrypted (AES-GCM) under `CME_QUARANTINE_DIR` by
    `core.quarantine`, and no URL serves them. System administrators list the entries in the admin, and release
    (a false positive: the same file may be uploaded again in that council) or delete them; each step is audited.
    """

    class Status(models.TextChoices):
        QUARANTINED = "quarantined", "In quarantine"
        RELEASED = "released", "Released (false positive)"
        DELETED = "deleted", "Deleted"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="quarantined_files")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    original_name = models.CharField(max_length=200, help_text="The name the file was uploaded with.")
    upload_point = models.CharField(max_length=300, help_text="Where it was uploaded (the page or API path).")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_by_label = models.CharField(max_length=200)
    signature = models.CharField(max_length=200, help_text="What clamd found.")
    quarantined_at = models.DateTimeField(default=timezone.now, db_index=True)
    storage_token = models.CharField(max_length=40, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUARANTINED)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was released or deleted.")

    class Meta:
        ordering = ["-quarantined_at"]
        verbose_name = "quarantined upload"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.signature}, {self.sha256[:12]})"
