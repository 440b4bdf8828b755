"""The records the generator produces: the contract with ``seed_demo``, the tests at scale and the benchmarks.

Every record is a frozen, slotted dataclass of plain values (str, int, bool, date, tuples), so a Django
command can map them onto models with ``bulk_create`` and a benchmark can turn them into data frames.

Conventions:

* keys are ints starting at 1 (``SchoolSpec.key``, ``HouseholdSpec.key``, ``ChildSpec.key``,
  ``ContactSpec.key``); other records point at them (``child_key``, ``household_key``, ``school_key``);
* LA codes, LAESTABs, URNs, UPNs, NHS numbers and postcodes are strings, never ints; postcodes are in
  the normalised form of ``cme.law.postcode.normalise`` ("OX4 1AA");
* sequences inside a record are tuples (immutable, and the empty tuple costs nothing at 1M rows);
* an enrolment's ``end`` is the last day on roll (inclusive); ``None`` means still on roll;
* ``EnrolmentSpec.nc_year_actual`` is the actual NC year group at ``start`` (Reception = 0, nursery = -1);
  it goes up by one each 1 September while the enrolment lasts;
* ``truth_status``/``TruthSpec`` and ``ExtractRecord.true_child_key``/``noise`` are the hidden truth for
  tests and benchmarks. The product must never read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "CME_STATUSES",
    "DELETION_GROUNDS",
    "ESTABLISHMENT_TYPES",
    "PHASES",
    "RISK_FLAG_CODES",
    "SOURCES",
    "TRUTH_STATUSES",
    "UNKNOWN_DESTINATION",
    "AddressSpec",
    "ChildSpec",
    "ContactSpec",
    "Council",
    "CouncilBatch",
    "EHESpec",
    "EnrolmentSpec",
    "ExtractRecord",
    "HouseholdSpec",
    "LASpec",
    "RiskFlagSpec",
    "SchoolSpec",
    "TruthSpec",
]

Phase = Literal[
    "nursery",
    "infant",
    "junior",
    "primary",
    "middle",
    "secondary",
    "all_through",
    "special",
    "alternative_provision",
    "independent",
]
PHASES: Final[tuple[str, ...]] = (
    "nursery",
    "infant",
    "junior",
    "primary",
    "middle",
    "secondary",
    "all_through",
    "special",
    "alternative_provision",
    "independent",
)
ESTABLISHMENT_TYPES: Final[tuple[str, ...]] = (
    "community",
    "academy",
    "foundation",
    "voluntary_aided",
    "voluntary_controlled",
    "free_school",
    "special",
    "pupil_referral_unit",
    "independent",
)
#: Reg 9(1) grounds (rules.md R3.3).
DELETION_GROUNDS: Final[tuple[str, ...]] = tuple("ABCDEFGHIJKLMNO")
#: CTF destination for "not known" (formats.md §1.5): the Lost Pupil Database.
UNKNOWN_DESTINATION: Final = "XXXXXXX"

TruthStatus = Literal[
    "on_roll",
    "ehe",
    "cme_left_no_destination",
    "cme_never_started",
    "cme_missed_transfer",
    "cme_arrived_no_school",
    "moved_out_of_area",
    "below_csa",
    "above_csa",
]
TRUTH_STATUSES: Final[tuple[str, ...]] = (
    "on_roll",
    "ehe",
    "cme_left_no_destination",
    "cme_never_started",
    "cme_missed_transfer",
    "cme_arrived_no_school",
    "moved_out_of_area",
    "below_csa",
    "above_csa",
)
CME_STATUSES: Final[frozenset[str]] = frozenset(s for s in TRUTH_STATUSES if s.startswith("cme_"))

RISK_FLAG_CODES: Final[tuple[str, ...]] = (
    "young_offender",
    "refuge",
    "homeless_temporary_accommodation",
    "missing_runaway",
    "medical_emotional_needs",
    "looked_after",
    "newly_arrived_migrant",
    "young_carer",
    "gypsy_roma_traveller",
    "teenage_parent",
    "permanently_excluded",
    "ehe_dissatisfaction",
    "substance_misuse",
    "military_family",
    "trafficked",
    "privately_fostered",
    "radicalisation_risk",
    "harm_neglect",
    "youth_justice_supervision",
    "ceased_attending",
    "forced_marriage",
    "honour_based_violence",
    "fgm",
    "left_independent_school",
)

#: Partner sources ``cme.synthetic.extracts.partner_extract`` can produce.
SOURCES: Final[tuple[str, ...]] = ("health", "hmrc_child_benefit", "social_care", "admissions", "border_force")


@dataclass(frozen=True, slots=True)
class LASpec:
    """The council that owns the data."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class SchoolSpec:
    """An establishment. ``laestab`` = LA (3) + estab (4), a 7-character string."""

    key: int
    laestab: str
    urn: str
    name: str
    phase: str
    establishment_type: str
    low_nc_year: int
    high_nc_year: int
    postcode: str
    town: str
    is_open: bool
    la_code: str
    capacity: int
    closed_on: dt.date | None = None

    @property
    def estab(self) -> str:
        """The 4-digit establishment number (zero-padded string)."""
        return self.laestab[3:]


@dataclass(frozen=True, slots=True)
class AddressSpec:
    """A past address of a household, lived in from ``start`` to ``end`` (inclusive).

    ``postcode`` and ``la_code`` are None for an address abroad (``country`` is then not "England").
    """

    address_line1: str
    address_line2: str
    town: str
    postcode: str | None
    la_code: str | None
    country: str
    start: dt.date | None
    end: dt.date


@dataclass(frozen=True, slots=True)
class HouseholdSpec:
    """Where a family lives now (``moved_in`` onwards) and, in ``previous``, where it lived before (oldest first).

    ``la_code`` is the LA the current address is in (None abroad); a household whose ``la_code`` is not the
    council's has moved out of the area. ``arrived_uk`` is set for families who came from abroad.
    """

    key: int
    address_line1: str
    address_line2: str
    town: str
    postcode: str | None
    la_code: str | None
    country: str
    moved_in: dt.date
    previous: tuple[AddressSpec, ...] = ()
    arrived_uk: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """One real child.

    ``middle_names`` is one string ("" for none), as in the CTF and Wonde. ``cohort_offset`` is the
    number of years the child is taught away from the chronological year group (usually 0; -1 = a year
    behind, e.g. a deferred summer-born child), so actual NC year = expected NC year + ``cohort_offset``.
    """

    key: int
    legal_forename: str
    middle_names: str
    legal_surname: str
    preferred_forename: str | None
    former_surnames: tuple[str, ...]
    sex: str
    dob: dt.date
    upn: str | None
    former_upns: tuple[str, ...]
    nhs_number: str | None
    household_key: int
    first_language: str
    ethnicity: str
    truth_status: str
    cohort_offset: int = 0


@dataclass(frozen=True, slots=True)
class ContactSpec:
    """A parent, carer or other contact for the children of a household; ``order`` 1 is called first."""

    key: int
    household_key: int
    forename: str
    surname: str
    relationship: str
    parental_responsibility: bool
    lives_with: bool
    phone: str | None
    email: str | None
    order: int


@dataclass(frozen=True, slots=True)
class EnrolmentSpec:
    """A child on a school's roll from ``start`` to ``end`` (inclusive; None = still on roll).

    ``deletion_ground`` is the reg 9 ground when the child left (None while on roll, and for post-16
    leavers); ``destination_laestab`` is the next school's LAESTAB, ``"XXXXXXX"`` when not known, or None
    where no destination applies (EHE, end of compulsory schooling).
    """

    child_key: int
    school_key: int
    start: dt.date
    end: dt.date | None
    nc_year_actual: int
    deletion_ground: str | None
    destination_laestab: str | None


@dataclass(frozen=True, slots=True)
class RiskFlagSpec:
    """A vulnerable-group flag on a child, as recorded by a source on a date."""

    child_key: int
    code: str
    source: str
    recorded_on: dt.date


@dataclass(frozen=True, slots=True)
class EHESpec:
    """Elective home education from ``start`` (the day after the ground F deletion)."""

    child_key: int
    start: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class TruthSpec:
    """The hidden truth about a child on the generation date; ``since`` is when the status began, if known."""

    child_key: int
    status: str
    since: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CouncilBatch:
    """A run of whole households with everything about their children (see ``iter_council``)."""

    households: list[HouseholdSpec]
    children: list[ChildSpec]
    contacts: list[ContactSpec]
    enrolments: list[EnrolmentSpec]
    risk_flags: list[RiskFlagSpec]
    ehe: list[EHESpec]
    truth: list[TruthSpec]


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class Council:
    """A whole synthetic council on date ``on``, made by ``generate_council``.

    Compared and hashed by identity (``eq=False``), so look-up indexes can be cached per council.
    """

    la: LASpec
    on: dt.date
    seed: int
    schools: list[SchoolSpec]
    households: list[HouseholdSpec]
    children: list[ChildSpec]
    contacts: list[ContactSpec]
    enrolments: list[EnrolmentSpec]
    risk_flags: list[RiskFlagSpec]
    ehe: list[EHESpec]
    truth: list[TruthSpec]


@dataclass(frozen=True, slots=True)
class ExtractRecord:
    """One row of a partner extract, with realistic noise.

    ``extra`` holds source-specific fields (claimant for child benefit, offered school for admissions,
    arrival date for Border Force...). ``true_child_key`` and ``noise`` (the noise kinds applied to this
    row) are the hidden truth, for scoring linkage; the product must not read them.
    """

    source: str
    record_id: str
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    dob: dt.date | None
    sex: str | None
    postcode: str | None
    address: str | None
    upn: str | None
    nhs_number: str | None
    true_child_key: int
    extra: dict[str, str] = field(default_factory=dict)
    noise: tuple[str, ...] = ()
