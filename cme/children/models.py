"""One trustworthy record of each child: identity, names history, addresses, contacts, flags; schools and rolls.

A child's *education status* is never typed by hand: it is derived from these records (`children.status`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery

from cme.accounts.policy import Scope, scope_for
from cme.core.models import LocalAuthority, Organisation, TimeStampedModel, laestab_validator
from cme.law.deletion_grounds import DeletionGround

if TYPE_CHECKING:
    from cme.accounts.models import User


def validate_date_of_birth(value: Any) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    if value > timezone.localdate():
        raise ValidationError("Date of birth must be today or in the past")
    if value.year < 1990:
        raise ValidationError("Date of birth must be after 1990")


class School(TimeStampedModel):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        INFANT = "infant", "Infant"
        JUNIOR = "junior", "Junior"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
        INDEPENDENT = "independent", "Independent"

    class EstablishmentType(models.TextChoices):
        COMMUNITY = "community", "Community school"
        ACADEMY = "academy", "Academy"
        FOUNDATION = "foundation", "Foundation school"
        VOLUNTARY_AIDED = "voluntary_aided", "Voluntary aided school"
        VOLUNTARY_CONTROLLED = "voluntary_controlled", "Voluntary controlled school"
        FREE_SCHOOL = "free_school", "Free school"
        SPECIAL = "special", "Special school"
        PUPIL_REFERRAL_UNIT = "pupil_referral_unit", "Pupil referral unit"
        INDEPENDENT = "independent", "Independent school"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    organisation = models.OneToOneField(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="school",
        help_text="The organisation whose users are this school's staff.",
    )
    laestab = models.CharField("LAESTAB", max_length=7, unique=True, validators=[laestab_validator])
    urn = models.CharField("URN", max_length=8, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=30, choices=Phase.choices)
    establishment_type = models.CharField(max_length=30, choices=EstablishmentType.choices)
    low_nc_year = models.SmallIntegerField(default=0)
    high_nc_year = models.SmallIntegerField(default=13)
    postcode = models.CharField(max_length=8, blank=True)
    town = models.CharField(max_length=100, blank=True)
    is_open = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.laestab})"

    @property
    def la_code(self) -> str:
        return self.laestab[:3]

    @property
    def in_local_authority(self) -> bool:
        return self.la_code == self.local_authority.code


Q_ = TypeVar("Q_", bound=models.QuerySet[Any])


def hide_restricted(queryset: Q_, scope: Scope, *child_paths: str) -> Q_:
    """UK GDPR Art 18 (DP-6): while a child's processing is restricted, the child and every record about them is
    hidden from every role but the DPO (`Scope.sees_processing_restricted`). Each `for_user` calls this with the
    path(s) from its model to the child ("pk", "child_id", "case__child_id"...); rows whose child is unknown (null)
    stay. The restricted children are few: the subquery reads a partial index."""
    if scope.sees_processing_restricted:
        return queryset
    restricted = Child.objects.filter(local_authority_id=scope.local_authority_id, processing_restricted=True
                                      ).order_by()  # a set, not a list: no ORDER BY inside NOT IN
    for path in child_paths:
        queryset = queryset.exclude(**{f"{path}__in": Subquery(restricted.values("pk"))})
    return queryset


class ChildQuerySet(models.QuerySet["Child"]):
    def for_user(self, user: User) -> ChildQuerySet:
        """Every query a user's request makes about children starts here (accounts.policy decides the scope)."""
        scope = scope_for(user)
        base = hide_restricted(self.filter(local_authority_id=scope.local_authority_id, merged_into__isnull=True),
                               scope, "pk")
        if scope.kind == "la":
            return base
        if scope.kind == "organisation" and user.role == "school_user" and scope.organisation_id:
            on_roll = Enrolment.objects.filter(school__organisation_id=scope.organisation_id).values("child_id")
            return base.filter(pk__in=Subquery(on_roll))
        if scope.kind == "panel":
            granted = ChildAccessGrant.objects.active().filter(user=user).values("child_id")
            return base.filter(pk__in=Subquery(granted))
        return self.none()


class Child(TimeStampedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Not known"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="children")
    legal_forename = models.CharField(max_length=100)
    legal_middle_names = models.CharField(max_length=150, blank=True)
    legal_surname = models.CharField(max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    upn = models.CharField("UPN", max_length=13, blank=True)
    upn_is_temporary = models.BooleanField(default=False)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    consistent_identifier = models.CharField(
        max_length=40, blank=True, help_text="Slot for the consistent child identifier (CWSA 2026 s4; R6.6)."
    )
    first_language = models.CharField(max_length=60, blank=True)
    other_languages = models.CharField(max_length=200, blank=True)
    ethnicity = models.CharField(max_length=10, blank=True)
    is_restricted = models.BooleanField(default=False, help_text="Extra protection: a reason is needed to view.")
    processing_restricted = models.BooleanField(
        default=False, db_default=False, editable=False,
        help_text="UK GDPR Art 18: processing restricted (privacy.ProcessingRestriction, set only by "
                  "privacy.services); hidden from every role but the DPO, still retained.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every edit.")
    # Search keys, kept in step with the names by children.services (never edited by hand).
    forename_key = models.CharField(max_length=100, blank=True)
    surname_key = models.CharField(max_length=100, blank=True)
    forename_phonetic = models.CharField(max_length=8, blank=True)
    surname_phonetic = models.CharField(max_length=8, blank=True)
    surname_prefix = models.CharField(max_length=3, blank=True)
    current_postcode = models.CharField(max_length=8, blank=True)

    objects: ClassVar[ChildQuerySet] = ChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["legal_surname", "legal_forename"]
        indexes = [
            models.Index(fields=["local_authority", "upn"]),
            models.Index(fields=["local_authority", "nhs_number"]),
            models.Index(fields=["local_authority", "date_of_birth"]),
            models.Index(fields=["local_authority", "surname_phonetic", "forename_phonetic"]),
            models.Index(fields=["local_authority", "forename_phonetic", "surname_prefix"]),
            models.Index(fields=["local_authority", "surname_key"]),
            models.Index(fields=["local_authority", "forename_key"]),
            models.Index(fields=["local_authority", "surname_prefix", "date_of_birth"]),
            models.Index(fields=["local_authority", "current_postcode"]),
            models.Index(fields=["local_authority"], condition=Q(processing_restricted=True),
                         name="child_processing_restricted"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        forename = self.preferred_forename or self.legal_forename
        return f"{forename} {self.legal_surname}".strip()

    @property
    def legal_full_name(self) -> str:
        return " ".join(p for p in (self.legal_forename, self.legal_middle_names, self.legal_surname) if p)


class ChildName(models.Model):
    """Name history and aliases: every name a child has been known by, with when and where from."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "Legal name"
        PREFERRED = "preferred", "Preferred name"
        FORMER = "former", "Former name"
        ALIAS = "alias", "Also known as"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    forename = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=150, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    forename_key = models.CharField(max_length=100, blank=True)
    surname_key = models.CharField(max_length=100, blank=True)
    forename_phonetic = models.CharField(max_length=8, blank=True)
    surname_phonetic = models.CharField(max_length=8, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "kind"]
        indexes = [
            models.Index(fields=["surname_phonetic", "forename_phonetic"]),
            models.Index(fields=["surname_key"]),
            # Child search's name-history arms (children.selectors._name_condition(history=True)): each needs an
            # index, or one unindexed arm makes the whole OR a sequential scan. The pattern index serves
            # `surname_key LIKE 'smi%'` under any database collation (PostgreSQL; other databases ignore opclasses).
            models.Index(fields=["forename_key"], name="childname_forename_key"),
            models.Index(fields=["surname_key"], name="childname_surname_key_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname} ({self.get_kind_display()})"


class ChildIdentifier(models.Model):
    """Other identifiers: former UPNs, temporary UPNs, local ids from partner systems."""

    class Kind(models.TextChoices):
        FORMER_UPN = "former_upn", "Former UPN"
        TEMPORARY_UPN = "temporary_upn", "Temporary UPN"
        NHS_NUMBER = "nhs_number", "NHS number"
        ULN = "uln", "Unique learner number"
        LOCAL = "local", "Local system id"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=40)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [models.UniqueConstraint(fields=["child", "kind", "value"], name="unique_child_identifier")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Address(models.Model):
    line1 = models.CharField(max_length=150)
    line2 = models.CharField(max_length=150, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    la_code = models.CharField(max_length=3, blank=True, help_text="The LA the address is in, if known.")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)


class ChildAddress(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residents")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["child", "end"])]

    def __str__(self) -> str:
        return f"{self.address} from {self.start or '?'}"


class Contact(models.Model):
    """A parent, carer or other contact (one person, possibly linked to several children)."""

    title = models.CharField(max_length=20, blank=True)
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.ForeignKey(Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"


class ChildContact(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="child_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="child_links")
    relationship = models.CharField(max_length=40)
    parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["priority"]
        constraints = [models.UniqueConstraint(fields=["child", "contact"], name="unique_child_contact")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.relationship})"


class ChildLink(models.Model):
    """Siblings and household members (stored once per ordered pair, both directions)."""

    class Kind(models.TextChoices):
        SIBLING = "sibling", "Sibling"
        TWIN = "twin", "Twin"
        HALF_SIBLING = "half_sibling", "Half-sibling"
        HOUSEHOLD = "household", "Lives in the same household"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "other"], name="unique_child_link"),
            models.CheckConstraint(condition=~Q(child=models.F("other")), name="child_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.other_id}"


class RiskFlagType(models.Model):
    """The configurable taxonomy of statutory vulnerable groups (CME guidance), each with a severity."""

    class Severity(models.IntegerChoices):
        HIGH = 3, "High"
        MEDIUM = 2, "Medium"
        LOW = 1, "Low"

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    needs_immediate_referral = models.BooleanField(
        default=False, help_text="Safeguarding: a concern with this flag goes to MASH/police at once."
    )
    is_active = models.BooleanField(default=True)
    ordering = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["ordering", "label"]

    def __str__(self) -> str:
        return self.label


class RiskFlag(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="risk_flags")
    flag_type = models.ForeignKey(RiskFlagType, on_delete=models.PROTECT, related_name="flags")
    source = models.CharField(max_length=100)
    identified_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_by_label = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-identified_on"]
        indexes = [models.Index(fields=["child", "ended_on"]), models.Index(fields=["flag_type", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.flag_type} ({self.identified_on})"


class Enrolment(models.Model):
    """A child on a school's roll between two dates; how and why they left (2024 Regulations reg 9)."""

    UNKNOWN_DESTINATION = "XXXXXXX"  # CTF lost-pupil destination (R7.2)

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    nc_year_actual = models.SmallIntegerField(
        null=True, blank=True, help_text="Year group taught in (may be out of cohort)."
    )
    deletion_ground = models.CharField(max_length=1, choices=[(g.value, g.value) for g in DeletionGround], blank=True)
    destination_laestab = models.CharField(max_length=7, blank=True)
    destination_name = models.CharField(max_length=200, blank=True)
    is_dual_registration = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["school", "end"]),
            models.Index(fields=["child", "start"]),
            models.Index(fields=["end", "deletion_ground"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="enrolment_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} at {self.school_id} from {self.start}"

    @property
    def destination_unknown(self) -> bool:
        return self.end is not None and self.destination_laestab in ("", self.UNKNOWN_DESTINATION, "MMMMMMM")


class EducationOtherwise(models.Model):
    """A period of education otherwise than at school (EHE or EOTAS). The EHE register writes these through
    children.services; education status reads them. Suitability follows the EHE enquiries (R5.2, R5.5)."""

    class Kind(models.TextChoices):
        EHE = "ehe", "Elective home education"
        EOTAS = "eotas", "Education otherwise than at school (arranged by the LA)"

    class Suitability(models.TextChoices):
        UNKNOWN = "unknown", "Not yet known"
        SUITABLE = "suitable", "Appears suitable"
        NOT_SUITABLE = "not_suitable", "Does not appear suitable"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="education_otherwise")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    suitability = models.CharField(max_length=20, choices=Suitability.choices, default=Suitability.UNKNOWN)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["child", "start"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start}"


class Residence(models.Model):
    """Whether the child lives in the LA's area, and from when (moving away ends the LA's s436A duty)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="residences")
    in_area = models.BooleanField()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    la_code = models.CharField(max_length=3, blank=True, help_text="The LA they moved to, if known.")
    country = models.CharField(max_length=60, blank=True, help_text="If they left England.")
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["child", "start"])]

    def __str__(self) -> str:
        return f"{'In area' if self.in_area else 'Out of area'} from {self.start}"


class ChildAccessGrantQuerySet(models.QuerySet["ChildAccessGrant"]):
    def active(self) -> ChildAccessGrantQuerySet:
        from django.utils import timezone

        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), revoked_at__isnull=True)


class ChildAccessGrant(models.Model):
    """Time-limited access to one child for a user outside the LA casework roles (e.g. a panel member
    for the children on their meeting's agenda). Created by the higher apps' services, never by hand."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="child_grants")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="access_grants")
    reason = models.CharField(max_length=200)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[ChildAccessGrantQuerySet] = ChildAccessGrantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["user", "child"])]

    def __str__(self) -> str:
        return f"{self.user_id} may see {self.child_id}: {self.reason}"


def child_field_values(child: Child, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(child, name) for name in fields}
