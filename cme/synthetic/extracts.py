"""Partner extracts: what health, HMRC child benefit, social care, admissions and Border Force hold about
the council's children, with realistic errors.

Coverage follows the notes in the brief: GP registrations for about 97% of children living in the area
(including children on no roll; fewer for families who arrived very recently); child benefit for about
93% (parent claimant named; few newly arrived families can claim); social care for children with a
social-care, police or youth-justice flag and some of their siblings; admissions offers for Reception
and Year 7 (last year's and this year's intakes, and applications for next September, including
children who were offered a place and never started); Border Force arrival records for families who came
from abroad in the last three years.

Each ``ExtractRecord`` carries the hidden ``true_child_key`` and the list of ``noise`` kinds applied, for
scoring linkage. The product must not read either.
"""

from __future__ import annotations

import datetime as dt
import random
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from cme.law import school_age
from cme.synthetic.names import ascii_fold
from cme.synthetic.noise import (
    NoiseRates,
    can_swap_day_month,
    nickname_for,
    swap_day_month,
    typo,
    variant_for,
)
from cme.synthetic.rand import Weighted, derive_rng, stable_int
from cme.synthetic.specs import (
    SOURCES,
    UNKNOWN_DESTINATION,
    ChildSpec,
    ContactSpec,
    Council,
    EnrolmentSpec,
    ExtractRecord,
    HouseholdSpec,
    RiskFlagSpec,
    SchoolSpec,
)
from cme.synthetic.terms import school_year_of

__all__ = ["DEFAULT_RATES", "CouncilIndex", "NoiseRates", "address_on", "council_index", "partner_extract"]

DEFAULT_RATES: Final[dict[str, NoiseRates]] = {
    "health": NoiseRates(nickname=0.03, old_address=0.04, former_surname=0.3),
    "hmrc_child_benefit": NoiseRates(
        nickname=0.01, variant=0.02, old_address=0.08, former_surname=0.6, middle_missing=0.2
    ),
    "social_care": NoiseRates(typo=0.03, nickname=0.08, old_address=0.03, former_surname=0.2),
    "admissions": NoiseRates(typo=0.015, nickname=0.04, old_address=0.03, former_surname=0.1, middle_missing=0.5),
    "border_force": NoiseRates(
        typo=0.03,
        variant=0.15,
        nickname=0.0,
        transposed=0.04,
        postcode_missing=0.3,
        middle_missing=0.1,
        old_address=0.0,
    ),
}

_SOCIAL_CARE_FLAGS: Final = frozenset(
    {
        "looked_after",
        "harm_neglect",
        "privately_fostered",
        "young_carer",
        "missing_runaway",
        "trafficked",
        "fgm",
        "forced_marriage",
        "honour_based_violence",
        "radicalisation_risk",
        "youth_justice_supervision",
        "young_offender",
        "refuge",
        "teenage_parent",
    }
)
_PORTS: Final = Weighted(
    [("LHR", 45.0), ("LGW", 15.0), ("STN", 10.0), ("MAN", 8.0), ("BHX", 6.0), ("DOVER", 10.0), ("LTN", 6.0)]
)
_ROUTES: Final[dict[str, str]] = {
    "Ukraine": "Homes for Ukraine",
    "Afghanistan": "Afghan Citizens Resettlement Scheme",
    "Hong Kong": "British National (Overseas)",
    "Syria": "Asylum",
    "Sudan": "Asylum",
    "Eritrea": "Asylum",
    "Iraq": "Asylum",
    "Yemen": "Asylum",
    "Libya": "Asylum",
    "Somalia": "Asylum",
}


@dataclass(slots=True)
class CouncilIndex:
    """Look-ups over a council, built once per council and reused by extracts and the school feed."""

    households: dict[int, HouseholdSpec]
    children_by_household: dict[int, list[ChildSpec]]
    contacts_by_household: dict[int, list[ContactSpec]]
    enrolments_by_child: dict[int, list[EnrolmentSpec]]
    enrolments_by_school: dict[int, list[EnrolmentSpec]]
    flags_by_child: dict[int, list[RiskFlagSpec]]
    schools: dict[int, SchoolSpec]
    schools_by_laestab: dict[str, SchoolSpec]
    ehe_children: set[int]


_INDEXES: weakref.WeakKeyDictionary[Council, CouncilIndex] = weakref.WeakKeyDictionary()


def council_index(council: Council) -> CouncilIndex:
    """The (cached) look-ups for ``council``."""
    found = _INDEXES.get(council)
    if found is not None:
        return found
    by_household: dict[int, list[ChildSpec]] = defaultdict(list)
    for child in council.children:
        by_household[child.household_key].append(child)
    contacts: dict[int, list[ContactSpec]] = defaultdict(list)
    for contact in council.contacts:
        contacts[contact.household_key].append(contact)
    enrolments: dict[int, list[EnrolmentSpec]] = defaultdict(list)
    by_school: dict[int, list[EnrolmentSpec]] = defaultdict(list)
    for e in council.enrolments:
        enrolments[e.child_key].append(e)
        by_school[e.school_key].append(e)
    flags: dict[int, list[RiskFlagSpec]] = defaultdict(list)
    for f in council.risk_flags:
        flags[f.child_key].append(f)
    index = CouncilIndex(
        households={h.key: h for h in council.households},
        children_by_household=dict(by_household),
        contacts_by_household=dict(contacts),
        enrolments_by_child=dict(enrolments),
        enrolments_by_school=dict(by_school),
        flags_by_child=dict(flags),
        schools={s.key: s for s in council.schools},
        schools_by_laestab={s.laestab: s for s in council.schools},
        ehe_children={e.child_key for e in council.ehe},
    )
    _INDEXES[council] = index
    return index


@dataclass(frozen=True, slots=True)
class _Addr:
    line1: str
    line2: str
    town: str
    postcode: str | None
    la_code: str | None
    country: str


def address_on(household: HouseholdSpec, when: dt.date) -> _Addr:
    """Where the household lived on ``when`` (its earliest known address before that)."""
    if when >= household.moved_in or not household.previous:
        return _Addr(
            household.address_line1,
            household.address_line2,
            household.town,
            household.postcode,
            household.la_code,
            household.country,
        )
    for a in reversed(household.previous):
        if a.start is None or a.start <= when:
            return _Addr(a.address_line1, a.address_line2, a.town, a.postcode, a.la_code, a.country)
    a = household.previous[0]
    return _Addr(a.address_line1, a.address_line2, a.town, a.postcode, a.la_code, a.country)


def _previous_before(household: HouseholdSpec, current: _Addr) -> _Addr | None:
    """The address before ``current`` in England, if any (for stale records)."""
    candidates = [a for a in household.previous if a.country == "England" and a.postcode != current.postcode]
    if not candidates:
        return None
    a = candidates[-1]
    return _Addr(a.address_line1, a.address_line2, a.town, a.postcode, a.la_code, a.country)


def _one_line(a: _Addr) -> str:
    return ", ".join(part for part in (a.line1, a.line2, a.town) if part)


class _Maker:
    """Builds noisy records for one source."""

    def __init__(self, council: Council, source: str, rng: random.Random, rates: NoiseRates, on: dt.date) -> None:
        self.council = council
        self.index = council_index(council)
        self.source = source
        self.rng = rng
        self.rates = rates
        self.on = on
        self.records: list[ExtractRecord] = []
        self.fold = source in ("health", "hmrc_child_benefit", "border_force")
        self.upper = source == "border_force"

    def make(
        self,
        child: ChildSpec,
        record_id: str,
        address: _Addr | None,
        *,
        upn: str | None = None,
        nhs: str | None = None,
        extra: dict[str, str] | None = None,
        duplicate_ok: bool = True,
    ) -> None:
        rng, r = self.rng, self.rates
        tags: list[str] = []
        household = self.index.households[child.household_key]
        first = child.legal_forename
        roll = rng.random()
        nick = nickname_for(rng, first, child.preferred_forename)
        if nick is not None and roll < r.nickname:
            first = nick
            tags.append("nickname")
        else:
            variant = variant_for(rng, first)
            if variant is not None and rng.random() < r.variant:
                first = variant
                tags.append("variant")
        last = child.legal_surname
        if child.former_surnames and rng.random() < r.former_surname:
            last = child.former_surnames[-1]
            tags.append("former_surname")
        elif ("-" in last or " " in last) and rng.random() < r.hyphen_drop:
            parts = last.replace("-", " ").split()
            last = parts[0] if rng.random() < 0.5 else parts[-1]
            tags.append("hyphen_drop")
        elif rng.random() < r.surname_change:
            others = [
                c.surname for c in self.index.contacts_by_household.get(child.household_key, []) if c.surname != last
            ]
            if others:
                last = others[int(rng.random() * len(others))]
                tags.append("surname_change")
        if rng.random() < r.typo:
            if rng.random() < 0.5:
                first = typo(rng, first)
            else:
                last = typo(rng, last)
            tags.append("typo")
        if rng.random() < r.transposed:
            first, last = last, first
            tags.append("transposed")
        middle: str | None = child.middle_names or None
        if middle is not None and rng.random() < r.middle_missing:
            middle = None
            tags.append("middle_missing")
        dob: dt.date | None = child.dob
        if can_swap_day_month(child.dob) and rng.random() < r.dob_swap:
            dob = swap_day_month(child.dob)
            tags.append("dob_swap")
        if rng.random() < r.dob_missing:
            dob = None
            tags.append("dob_missing")
        sex: str | None = child.sex
        if rng.random() < r.sex_missing:
            sex = None
            tags.append("sex_missing")
        addr = address
        if addr is not None:
            older = _previous_before(household, addr)
            if older is not None and rng.random() < r.old_address:
                addr = older
                tags.append("old_address")
        postcode = addr.postcode if addr is not None else None
        if postcode is not None and rng.random() < r.postcode_missing:
            postcode = None
            tags.append("postcode_missing")
        line = _one_line(addr) if addr is not None else None
        if self.fold and rng.random() < r.accents_dropped:
            folded = (ascii_fold(first), ascii_fold(last), ascii_fold(middle) if middle else None)
            if (folded[0], folded[1], folded[2]) != (first, last, middle):
                tags.append("accents_dropped")
            first, last, middle = folded
            line = ascii_fold(line) if line else line
        if self.upper:
            first, last = first.upper(), last.upper()
            middle = middle.upper() if middle else middle
        record = ExtractRecord(
            source=self.source,
            record_id=record_id,
            first_name=first,
            middle_name=middle,
            last_name=last,
            dob=dob,
            sex=sex,
            postcode=postcode,
            address=line,
            upn=upn,
            nhs_number=nhs,
            true_child_key=child.key,
            extra=extra or {},
            noise=tuple(tags),
        )
        self.records.append(record)
        if duplicate_ok and rng.random() < r.duplicate:
            self.make(child, record_id + "D", address, upn=upn, nhs=nhs, extra=extra, duplicate_ok=False)
            last_record = self.records[-1]
            self.records[-1] = replace(last_record, noise=(*last_record.noise, "duplicate"))


def _in_area(addr: _Addr, la_code: str) -> bool:
    return addr.la_code == la_code


def _alive_on(child: ChildSpec, when: dt.date) -> bool:
    return child.dob <= when


# --------------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------------


def _health(m: _Maker) -> None:
    rng, council, on = m.rng, m.council, m.on
    la = council.la.code
    n = 0
    for child in council.children:
        if not _alive_on(child, on):
            continue
        household = m.index.households[child.household_key]
        addr = address_on(household, on)
        p = 0.97
        stale = False
        if not _in_area(addr, la):
            # Moved away: some are still registered at the old practice, at the old address.
            moved = household.moved_in
            if (on - moved).days > 150 or rng.random() >= 0.4:
                continue
            older = _previous_before(household, addr)
            if older is None or older.la_code != la:
                continue
            addr, stale = older, True
        arrived = household.arrived_uk
        if arrived is not None and (on - arrived).days < 365:
            p = 0.7
        if rng.random() >= p:
            continue
        n += 1
        practice = f"K8{4000 + (_town_number(addr.town) % 90) * 10 + int(rng.random() * 10):04d}"
        nhs = child.nhs_number if child.nhs_number is not None and rng.random() < 0.985 else None
        registered = max(child.dob, arrived or child.dob) + dt.timedelta(days=int(rng.random() * 60))
        extra = {"practice_code": practice, "registered_on": min(registered, on).isoformat()}
        if stale:
            extra["note"] = "patient may have moved"
        m.make(child, f"GP{n:08d}", addr, nhs=nhs, extra=extra)


def _town_number(town: str) -> int:
    """A small stable number for a town (practice codes)."""
    return sum(ord(ch) * (i + 1) for i, ch in enumerate(town))


def _nino(rng: random.Random) -> str:
    """A National Insurance number in the QQ range (reserved for examples; never issued)."""
    return f"QQ{int(rng.random() * 1_000_000):06d}{'ABCD'[int(rng.random() * 4)]}"


def _hmrc(m: _Maker) -> None:
    rng, council, on = m.rng, m.council, m.on
    la = council.la.code
    n = 0
    for child in council.children:
        if not _alive_on(child, on):
            continue
        age = school_age.age_on(child.dob, on)
        on_roll = any(
            e.start <= on and (e.end is None or e.end >= on) for e in m.index.enrolments_by_child.get(child.key, [])
        )
        if age >= 20 or (age >= 16 and not on_roll):
            continue
        household = m.index.households[child.household_key]
        addr = address_on(household, on)
        if not _in_area(addr, la):
            if (on - household.moved_in).days > 90 or rng.random() >= 0.5:
                continue  # HMRC not told of the move yet: old address
            older = _previous_before(household, addr)
            if older is None or older.la_code != la:
                continue
            addr = older
        arrived = household.arrived_uk
        p = 0.93
        if arrived is not None and (on - arrived).days < 730:
            p = 0.35
        if rng.random() >= p:
            continue
        contacts = m.index.contacts_by_household.get(child.household_key, [])
        claimants = [c for c in contacts if c.lives_with] or contacts
        if not claimants:
            continue
        claimant = claimants[0]
        n += 1
        extra = {
            "claimant_forename": ascii_fold(claimant.forename),
            "claimant_surname": ascii_fold(claimant.surname),
            "claimant_nino": _nino(rng),
            "claimant_relationship": claimant.relationship,
            "claim_start": max(
                child.dob + dt.timedelta(days=20 + int(rng.random() * 60)), arrived or child.dob
            ).isoformat(),
        }
        m.make(child, f"CHB{n:09d}", addr, extra=extra)


def _social_care(m: _Maker) -> None:
    rng, council, on = m.rng, m.council, m.on
    la = council.la.code
    involved: dict[int, str] = {}
    for child in council.children:
        codes = {f.code for f in m.index.flags_by_child.get(child.key, []) if f.recorded_on <= on}
        sc = codes & _SOCIAL_CARE_FLAGS
        if sc:
            if "looked_after" in sc:
                involved[child.key] = "looked after"
            elif "harm_neglect" in sc:
                involved[child.key] = "child protection plan" if rng.random() < 0.4 else "child in need"
            else:
                involved[child.key] = "child in need"
    siblings: dict[int, str] = {}
    for key in involved:
        household_key = council.children[key - 1].household_key
        for sibling in m.index.children_by_household.get(household_key, []):
            if sibling.key not in involved and rng.random() < 0.5:
                siblings[sibling.key] = "sibling of child in need"
    n = 0
    for child in council.children:
        reason = involved.get(child.key) or siblings.get(child.key)
        if reason is None and rng.random() < 0.012:
            reason = "early help"
        if reason is None or not _alive_on(child, on):
            continue
        household = m.index.households[child.household_key]
        addr = address_on(household, on)
        if not _in_area(addr, la) and (on - household.moved_in).days > 180:
            continue  # case transferred to the new LA
        n += 1
        m.make(child, str(1_000_000 + n), addr, extra={"involvement": reason})


def _admissions(m: _Maker) -> None:
    rng, council, on = m.rng, m.council, m.on
    la = council.la.code
    index = m.index
    year_on = school_year_of(on)
    # (round label, intake school year, year group at entry, status)
    rounds = [
        (f"{year_on - 1} Reception", year_on - 1, 0, "offered"),
        (f"{year_on - 1} Year 7", year_on - 1, 7, "offered"),
        (f"{year_on} Reception", year_on, 0, "offered"),
        (f"{year_on} Year 3", year_on, 3, "offered"),
        (f"{year_on} Year 7", year_on, 7, "offered"),
        (f"{year_on + 1} Reception", year_on + 1, 0, "applied"),
        (f"{year_on + 1} Year 7", year_on + 1, 7, "applied"),
    ]
    n = 0
    for child in council.children:
        expected = year_on - school_year_of(child.dob) - 5
        for label, intake, entry_year_group, status in rounds:
            if expected - (year_on - intake) != entry_year_group:
                continue
            deadline = dt.date(intake, 1, 15) if entry_year_group in (0, 3) else dt.date(intake - 1, 10, 31)
            if deadline > on:
                continue
            household = index.households[child.household_key]
            addr = address_on(household, deadline)
            if addr.la_code != la:
                continue
            enrolments = index.enrolments_by_child.get(child.key, [])
            at_deadline = [e for e in enrolments if e.start <= deadline and (e.end is None or e.end >= deadline)]
            if at_deadline and index.schools[at_deadline[0].school_key].phase == "independent":
                continue  # independent schools admit directly
            offered: SchoolSpec | None = None
            started = [e for e in enrolments if school_year_of(e.start) == intake and e.start.month in (9, 10)]
            if started:
                offered = index.schools[started[0].school_key]
            else:
                before = [e for e in enrolments if e.end is not None and e.end < dt.date(intake, 9, 1)]
                if before and before[-1].destination_laestab not in (None, UNKNOWN_DESTINATION):
                    offered = index.schools_by_laestab.get(before[-1].destination_laestab or "")
            if entry_year_group == 3 and (offered is None or offered.phase not in ("junior", "primary")):
                continue  # only infant-school children apply for a Year 3 place
            if status == "offered" and offered is None:
                if enrolments and not started and rng.random() < 0.9:
                    continue  # started somewhere outside the co-ordinated round
                offered = _plausible_school(index, household, entry_year_group, rng)
            if rng.random() >= 0.97:
                continue
            n += 1
            extra = {"round": label, "status": status, "application_date": deadline.isoformat()}
            if offered is not None and status == "offered":
                extra["offered_laestab"] = offered.laestab
                extra["offered_school"] = offered.name
                extra["offer_date"] = (
                    dt.date(intake, 3, 1) if entry_year_group == 7 else dt.date(intake, 4, 16)
                ).isoformat()
            upn = child.upn if entry_year_group in (3, 7) and rng.random() < 0.9 else None
            m.make(child, f"ADM{intake % 100:02d}{entry_year_group:02d}{n:06d}", addr, upn=upn, extra=extra)


def _plausible_school(
    index: CouncilIndex, household: HouseholdSpec, year_group: int, rng: random.Random
) -> SchoolSpec | None:
    phases = ("primary", "infant") if year_group == 0 else ("secondary", "all_through")
    options = [s for s in index.schools.values() if s.phase in phases and s.is_open and s.town == household.town]
    if not options:
        options = [s for s in index.schools.values() if s.phase in phases and s.is_open]
    return options[int(rng.random() * len(options))] if options else None


def _border_force(m: _Maker) -> None:
    rng, council, on = m.rng, m.council, m.on
    n = 0
    for child in council.children:
        household = m.index.households[child.household_key]
        arrived = household.arrived_uk
        if arrived is None or arrived > on or (on - arrived).days > 3 * 365 or child.dob >= arrived:
            continue
        if stable_int(m.council.seed, "border", household.key) % 10 == 0:
            continue  # the family's arrival was not matched to this area
        origin = next((a.country for a in reversed(household.previous) if a.country != "England"), "Unknown")
        intended = address_on(household, arrived + dt.timedelta(days=1))
        n += 1
        extra = {
            "nationality": origin,
            "arrival_date": arrived.isoformat(),
            "port": _PORTS.pick(rng),
            "route": _ROUTES.get(origin, "Family" if rng.random() < 0.5 else "Skilled Worker dependant"),
        }
        m.make(child, f"BF{n:08d}", intended if intended.country == "England" else None, extra=extra)


_BUILDERS: Final[dict[str, Callable[[_Maker], None]]] = {
    "health": _health,
    "hmrc_child_benefit": _hmrc,
    "social_care": _social_care,
    "admissions": _admissions,
    "border_force": _border_force,
}


def partner_extract(
    council: Council,
    source: str,
    *,
    seed: int,
    on: dt.date,
    rates: NoiseRates | None = None,
) -> list[ExtractRecord]:
    """What partner ``source`` holds about the council's children on ``on``, with noise.

    ``source`` is one of ``SOURCES``; ``rates`` overrides the source's ``DEFAULT_RATES``.
    Deterministic for a council, source, seed and date.
    """
    if source not in _BUILDERS:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    maker = _Maker(
        council, source, derive_rng(council.seed, seed, source, on.isoformat()), rates or DEFAULT_RATES[source], on
    )
    _BUILDERS[source](maker)
    return maker.records
