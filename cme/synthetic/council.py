"""``generate_council``: a whole synthetic council, household by household.

Order of work for each household: children's dates of birth and sexes; where the family lives and how
long it has been there (born here, moved from another LA, from abroad long ago or recently; some moved
within the county, some moved away); what happens to its children (quotas keep elective home education
and each kind of missing education near their target shares at any scale); names and contacts; each
child's school history; the truth; risk flags.

Everything is drawn from random generators seeded from ``seed``, so a council is reproducible. Memory
stays bounded: ``iter_council`` yields households in batches for callers that stream into a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from cme.law import nhs_number, school_age
from cme.law.la_codes import la_name
from cme.synthetic.education import Move, Pupil, Schooling, UpnAllocator
from cme.synthetic.families import FamilyDraft, KidDraft, make_family, skeleton
from cme.synthetic.flags import ChildFlagContext, HouseholdFlags, child_flags, ehe_reason
from cme.synthetic.names import CULTURES, MIGRANT_CULTURES, SETTLED_CULTURES
from cme.synthetic.places import FAR_LAS, NEIGHBOUR_LAS, TOWNS, AddressBook, Location, OtherLA, abroad_address
from cme.synthetic.rand import Quota, Weighted, derive_rng
from cme.synthetic.schools import SchoolIndex, build_schools
from cme.synthetic.specs import (
    AddressSpec,
    ChildSpec,
    ContactSpec,
    Council,
    CouncilBatch,
    EHESpec,
    EnrolmentSpec,
    HouseholdSpec,
    LASpec,
    RiskFlagSpec,
    SchoolSpec,
    TruthSpec,
)
from cme.synthetic.terms import SchoolDays, school_year_of
from cme.synthetic.truth import derive_status

__all__ = ["DEFAULT_ON", "CouncilGenerator", "TargetRates", "fingerprint", "generate_council", "iter_council"]

DEFAULT_ON: Final = dt.date(2026, 11, 27)
_DAY: Final = dt.timedelta(days=1)
#: The 999 range holds about 909,000 valid NHS numbers; keep some headroom for generate().
_NHS_POOL_CAP: Final = 880_000


@dataclass(frozen=True, slots=True)
class TargetRates:
    """Target shares of compulsory-school-age children (and of households for moves)."""

    ehe: float = 0.010
    cme_left_no_destination: float = 0.0026
    cme_never_started: float = 0.0010
    cme_missed_transfer: float = 0.0016
    cme_arrived_no_school: float = 0.0020
    resolved_gap: float = 0.003
    moved_out_households: float = 0.022
    newly_arrived_households: float = 0.014
    migrant_households: float = 0.04
    domestic_in_households: float = 0.11


_TOWN_CHOICE: Final = Weighted((t, t.weight) for t in TOWNS)
_TOWNS_BY_NAME: Final = {t.name: t for t in TOWNS}


@dataclass(slots=True)
class _Home:
    """A household's addresses, oldest first, with move-in dates."""

    locations: list[tuple[dt.date, Location]]
    arrived_uk: dt.date | None
    arrival: dt.date | None  # first day in the area (None: always lived here)
    arrived_from: str
    origin_la: str
    left_area: dt.date | None
    left_to_la: str | None


class CouncilGenerator:
    """Holds the council-wide state (schools, postcodes, UPN serials, NHS numbers, quotas)."""

    def __init__(
        self,
        *,
        children: int = 20_000,
        seed: int = 0,
        on: dt.date = DEFAULT_ON,
        la_code: str = "931",
        rates: TargetRates | None = None,
    ) -> None:
        if children < 1:
            raise ValueError("children must be at least 1")
        self.children = children
        self.seed = seed
        self.on = on
        self.la_code = la_code
        self.rates = rates or TargetRates()
        self.year_on = school_year_of(on)
        self.la = LASpec(la_code, la_name(la_code) or f"LA {la_code}")
        self.days = SchoolDays(self.year_on - 17, self.year_on + 3)
        self.addresses = AddressBook(derive_rng(seed, "addresses"), la_code=la_code)
        self.schools, localities = build_schools(
            derive_rng(seed, "schools"),
            children=children,
            la_code=la_code,
            addresses=self.addresses,
            days=self.days,
            on=on,
        )
        self.index = SchoolIndex(self.schools, localities, la_code)
        self.rng = derive_rng(seed, "households", children)
        self.schooling = Schooling(
            derive_rng(seed, "schooling"),
            index=self.index,
            days=self.days,
            upns=UpnAllocator(derive_rng(seed, "upn")),
            on=on,
        )
        self.flag_rng = derive_rng(seed, "flags")
        self._nhs = iter(nhs_number.generate(min(children, _NHS_POOL_CAP), seed=seed))
        # Above ~890,000 children the 999 range runs short: spread the shortfall evenly over everyone.
        self._nhs_share = min(1.0, _NHS_POOL_CAP / (children * 0.99))
        r = self.rates
        self.quotas = {
            "arrived": Quota(r.cme_arrived_no_school),
            "never": Quota(r.cme_never_started),
            "ehe": Quota(r.ehe),
            "cme_left": Quota(r.cme_left_no_destination),
            "missed": Quota(r.cme_missed_transfer),
        }
        self._neighbours = [la for la in NEIGHBOUR_LAS if la.code != la_code]
        self._far = [la for la in FAR_LAS if la.code != la_code]

    # ----------------------------------------------------------------------------------------------
    def batches(self, batch_households: int = 2_000) -> Iterator[CouncilBatch]:
        """Yield the council's households in batches; the union over batches is the whole council."""
        child_key = household_key = contact_key = 1
        cousin: tuple[FamilyDraft, str] | None = None
        batch = _empty_batch()
        while child_key <= self.children:
            remaining = self.children - child_key + 1
            kids = skeleton(self.rng, self.year_on)
            if len(kids) > remaining:
                kids = kids[:remaining]
                for kid in kids:
                    if kid.twin_of is not None and kid.twin_of >= remaining:
                        kid.twin_of = None
            family, town = self._household(
                batch, kids, household_key=household_key, child_key=child_key, contact_key=contact_key, cousin=cousin
            )
            child_key += len(kids)
            household_key += 1
            contact_key += len(family.contacts)
            cousin = (family, town) if self.rng.random() < 0.02 else None
            if len(batch.households) >= batch_households:
                yield batch
                batch = _empty_batch()
        if batch.households:
            yield batch

    # ----------------------------------------------------------------------------------------------
    def _household(
        self,
        batch: CouncilBatch,
        kids: list[KidDraft],
        *,
        household_key: int,
        child_key: int,
        contact_key: int,
        cousin: tuple[FamilyDraft, str] | None,
    ) -> tuple[FamilyDraft, str]:
        rng, on, r = self.rng, self.on, self.rates
        town = _TOWN_CHOICE.pick(rng) if cousin is None else _TOWNS_BY_NAME[cousin[1]]
        military = town.military and rng.random() < 0.2

        # Culture and how the family came to live here.
        roll = rng.random()
        if cousin is not None:
            settle = "settled"
        elif roll < r.newly_arrived_households:
            settle = "newly_arrived"
        elif roll < r.newly_arrived_households + r.migrant_households:
            settle = "migrant"
        elif military and rng.random() < 0.55:
            settle = "uk"
        elif roll < r.newly_arrived_households + r.migrant_households + r.domestic_in_households:
            settle = "uk"
        else:
            settle = "settled"
        if cousin is not None:
            culture = cousin[0].culture
        elif settle == "newly_arrived" or (settle == "migrant" and rng.random() < 0.5):
            culture = MIGRANT_CULTURES.pick(rng)
        else:
            culture = SETTLED_CULTURES.pick(rng)
            if settle == "migrant" and culture == "british":
                culture = MIGRANT_CULTURES.pick(rng)
        traveller = culture == "traveller"
        moved_out = (
            rng.random() < (r.moved_out_households * (3.0 if military else 1.0) * (2.5 if traveller else 1.0))
            and settle != "newly_arrived"
        )

        # Stories (at most one per household) decided against the quotas.
        csa = [i for i, k in enumerate(kids) if school_age.is_compulsory_school_age(k.dob, on)]
        ncs = [(school_age.nc_year_for_school_year(k.dob, self.year_on) or 14) + k.cohort_offset for k in kids]
        units = len(csa)
        story = ""
        q = self.quotas
        in_area = not moved_out
        if q["arrived"].offer(rng, units, eligible=in_area and settle == "newly_arrived"):
            story = "arrived"
        elif q["never"].offer(rng, units, eligible=in_area and settle == "settled" and bool(csa) and max(ncs) <= 4):
            story = "never"
        elif q["ehe"].offer(
            rng, units, eligible=in_area and settle != "newly_arrived", boost=4.0 if traveller else 1.0
        ):
            story = "ehe"
        elif q["cme_left"].offer(
            rng, units, eligible=in_area and any(ncs[i] >= 2 for i in csa), boost=3.0 if traveller else 1.0
        ):
            story = "cme_left"
        elif q["missed"].offer(rng, units, eligible=in_area and any(ncs[i] in (3, 7, 8) for i in csa)):
            story = "missed"

        home = self._home(kids, town.name, settle, moved_out, story, culture, military)
        family = make_family(
            rng,
            kids,
            culture=culture,
            newly_arrived=settle == "newly_arrived"
            and home.arrived_uk is not None
            and (on - home.arrived_uk).days < 730,
            cousin=cousin[0] if cousin else None,
        )
        if traveller and rng.random() < 0.55:
            first_date, first_loc = home.locations[0]
            if first_loc.la_code == self.la_code:
                home.locations[0] = (first_date, self.addresses.traveller_site(town.name))

        # Per-child stories.
        child_story = [""] * len(kids)
        story_date: list[dt.date | None] = [None] * len(kids)
        if story in ("arrived", "never"):
            for i in range(len(kids)):
                child_story[i] = story
        elif story == "ehe":
            chosen = [i for i in csa if rng.random() < 0.7] or [csa[int(rng.random() * len(csa))]]
            when = self._story_date(kids, chosen, home)
            for i in chosen:
                child_story[i], story_date[i] = "ehe", when
        elif story == "cme_left":
            candidates = [i for i in csa if ncs[i] >= 2]
            chosen = [candidates[int(rng.random() * len(candidates))]]
            others = [i for i in candidates if i not in chosen]
            if others and rng.random() < 0.35:
                chosen.append(others[0])
            when = self._story_date(kids, chosen, home)
            for i in chosen:
                child_story[i], story_date[i] = "cme_left", when
        elif story == "missed":
            candidates = [i for i in csa if ncs[i] in (3, 7, 8)]
            i = candidates[int(rng.random() * len(candidates))]
            transfer_year = self.year_on - (ncs[i] - 7 if ncs[i] >= 7 else ncs[i] - 3)
            child_story[i], story_date[i] = "missed", dt.date(transfer_year, 9, 1)
        for i in csa:
            if not child_story[i] and rng.random() < r.resolved_gap:
                lo = max(
                    school_age.csa_start(kids[i].dob),
                    on - dt.timedelta(days=1400),
                    (home.arrival or dt.date.min) + dt.timedelta(days=150),
                )
                hi = on - dt.timedelta(days=200)
                when_gap = self.days.between(rng, lo, hi) if lo < hi else None
                if when_gap is not None:
                    child_story[i], story_date[i] = "gap", when_gap

        # The household record.
        current_date, current = home.locations[-1]
        previous = tuple(
            AddressSpec(
                loc.address_line1,
                loc.address_line2,
                loc.town,
                loc.postcode,
                loc.la_code,
                loc.country,
                start,
                home.locations[j + 1][0] - _DAY,
            )
            for j, (start, loc) in enumerate(home.locations[:-1])
        )
        household = HouseholdSpec(
            key=household_key,
            address_line1=current.address_line1,
            address_line2=current.address_line2,
            town=current.town,
            postcode=current.postcode,
            la_code=current.la_code,
            country=current.country,
            moved_in=current_date,
            previous=previous,
            arrived_uk=home.arrived_uk,
        )
        batch.households.append(household)
        for order, contact in enumerate(family.contacts, start=1):
            batch.contacts.append(
                ContactSpec(
                    contact_key + order - 1,
                    household_key,
                    contact.forename,
                    contact.surname,
                    contact.relationship,
                    contact.parental_responsibility,
                    contact.lives_with,
                    contact.phone,
                    contact.email,
                    order,
                )
            )

        # Moves inside the area, for the school walk.
        first_in_area = next((j for j, (_, loc) in enumerate(home.locations) if loc.la_code == self.la_code), None)
        if first_in_area is None:  # pragma: no cover - every household lived in the area at some time
            raise RuntimeError("household never lived in the area")
        home_loc = home.locations[first_in_area][1]
        moves = [
            Move(start, loc.town, loc.address_line2)
            for start, loc in home.locations[first_in_area + 1 :]
            if loc.la_code == self.la_code
        ]
        independent = (
            settle in ("settled", "uk")
            and not traveller
            and culture in ("british", "indian", "chinese", "european")
            and rng.random() < min(0.2, 0.06 * _TOWNS_BY_NAME[home_loc.town].affluent)
        )
        hh_flags = HouseholdFlags(
            traveller=traveller,
            military=military,
            refuge=rng.random() < 0.0012,
            temporary_accommodation=rng.random() < 0.005,
            newly_arrived=home.arrived_uk
            if home.arrived_uk is not None and (on - home.arrived_uk).days < 730
            else None,
            foster=family.kind == "foster",
            since=home.arrival or current_date,
        )
        border = _TOWNS_BY_NAME[home_loc.town].border_la
        ehe_reason_for_household = ehe_reason(rng, traveller=traveller) if story == "ehe" else None
        for i, kid in enumerate(kids):
            key = child_key + i
            pupil = Pupil(
                key=key,
                dob=kid.dob,
                cohort_offset=kid.cohort_offset,
                home_town=home_loc.town,
                home_locality=home_loc.address_line2,
                arrival=home.arrival,
                arrived_from=home.arrived_from,
                origin_la=home.origin_la,
                moves=moves,
                left_area=home.left_area,
                left_to_la=home.left_to_la,
                track="independent" if independent else ("special" if rng.random() < 0.014 else "mainstream"),
                story=child_story[i],
                story_date=story_date[i],
                cross_border=0.07 if border else 0.0,
            )
            schooling = self.schooling.walk(pupil)
            status, since = derive_status(
                kid.dob, schooling.enrolments, household, ehe_start=schooling.ehe_start, on=on, la_code=self.la_code
            )
            self._record_quota(child_story[i], status)
            nhs = self._nhs_number(home.arrived_uk)
            batch.children.append(
                ChildSpec(
                    key=key,
                    legal_forename=kid.forename,
                    middle_names=kid.middle,
                    legal_surname=kid.surname,
                    preferred_forename=kid.preferred,
                    former_surnames=kid.former_surnames,
                    sex=kid.sex,
                    dob=kid.dob,
                    upn=schooling.upn,
                    former_upns=schooling.former_upns,
                    nhs_number=nhs,
                    household_key=household_key,
                    first_language=kid.language,
                    ethnicity=kid.ethnicity,
                    truth_status=status,
                    cohort_offset=kid.cohort_offset,
                )
            )
            batch.enrolments.extend(schooling.enrolments)
            batch.truth.append(TruthSpec(key, status, since))
            reason = None
            if schooling.ehe_start is not None and status == "ehe":
                reason = ehe_reason_for_household or ehe_reason(rng, traveller=traveller)
                batch.ehe.append(EHESpec(key, schooling.ehe_start, reason))
            left_on = schooling.enrolments[-1].end if schooling.enrolments and status.startswith("cme_") else None
            batch.risk_flags.extend(
                child_flags(
                    self.flag_rng,
                    ChildFlagContext(
                        key=key,
                        dob=kid.dob,
                        sex=kid.sex,
                        status=status,
                        ehe_reason=reason,
                        ehe_start=schooling.ehe_start,
                        excluded_on=schooling.excluded_on,
                        left_independent_on=schooling.left_independent_on,
                        left_roll_on=left_on,
                    ),
                    hh_flags,
                    on,
                )
            )
        return family, town.name

    # ----------------------------------------------------------------------------------------------
    def _record_quota(self, story: str, status: str) -> None:
        wanted = {
            "arrived": "cme_arrived_no_school",
            "never": "cme_never_started",
            "ehe": "ehe",
            "cme_left": "cme_left_no_destination",
            "missed": "cme_missed_transfer",
        }.get(story)
        if wanted is not None and wanted == status:
            self.quotas[story].record(1)

    def _nhs_number(self, arrived_uk: dt.date | None) -> str | None:
        rng = self.rng
        if arrived_uk is not None and (self.on - arrived_uk).days < 180:
            p = 0.5
        elif arrived_uk is not None:
            p = 0.96
        else:
            p = 0.985
        if rng.random() >= p * self._nhs_share:
            return None
        return next(self._nhs, None)

    def _story_date(self, kids: list[KidDraft], chosen: list[int], home: _Home) -> dt.date:
        """A school day when every chosen child was of compulsory school age, in the last 18 months."""
        on = self.on
        lo = max(
            max(school_age.csa_start(kids[i].dob) for i in chosen) + dt.timedelta(days=20),
            on - dt.timedelta(days=540),
            (home.arrival or dt.date.min) + dt.timedelta(days=120),
        )
        hi = on - dt.timedelta(days=12)
        when = self.days.between(self.rng, lo, hi) if lo <= hi else None
        return when or self.days.on_or_before(hi)

    def _other_la(self) -> OtherLA:
        rng = self.rng
        pool = self._neighbours if rng.random() < 0.6 or not self._far else self._far
        return pool[int(rng.random() * len(pool))]

    def _home(
        self,
        kids: list[KidDraft],
        town: str,
        settle: str,
        moved_out: bool,
        story: str,
        culture: str,
        military: bool,
    ) -> _Home:
        rng, on, book = self.rng, self.on, self.addresses
        eldest = kids[0].dob
        days = dt.timedelta

        def between(lo: dt.date, hi: dt.date) -> dt.date:
            if hi <= lo:
                return hi
            return lo + days(days=int(rng.random() * (hi - lo).days))

        locations: list[tuple[dt.date, Location]] = []
        arrival: dt.date | None = None
        arrived_uk: dt.date | None = None
        arrived_from = origin_la = ""
        countries = CULTURES[culture].countries or ("Spain",)
        if settle == "settled":
            first = eldest - days(days=int(rng.random() * 6 * 365))
            locations.append((first, book.address(town)))
        else:
            if settle == "uk":
                lo = max(eldest, on - days(days=(3 if military else 10) * 365))
                arrival = between(lo, on - days(days=25))
                origin = self._other_la()
                origin_la = origin.code
                origin_town = origin.towns[int(rng.random() * len(origin.towns))][0]
                before = book.address(origin_town, origin.code)
                arrived_from = "uk"
            else:
                if settle == "newly_arrived":
                    lo, hi = on - days(days=700), on - days(days=20)
                    if story == "arrived":
                        lo, hi = on - days(days=240), on - days(days=15)
                else:
                    lo, hi = on - days(days=10 * 365), on - days(days=735)
                arrival = between(lo, hi)
                arrived_uk = arrival
                before = abroad_address(rng, countries[int(rng.random() * len(countries))])
                arrived_from = "abroad"
            locations.append((arrival - days(days=365 + int(rng.random() * 8 * 365)), before))
            locations.append((arrival, book.address(town)))
        in_area_since = locations[-1][0]
        # A move inside the county.
        if story not in ("arrived",) and rng.random() < (0.35 if settle == "settled" else 0.2):
            lo = max(in_area_since + days(days=200), eldest + days(days=60))
            hi = on - days(days=30)
            if lo < hi:
                when = between(lo, hi)
                new_town = town if rng.random() < 0.6 else _TOWN_CHOICE.pick(rng).name
                locations.append((when, book.address(new_town)))
        left_area: dt.date | None = None
        left_to: str | None = None
        if moved_out:
            lo = max(locations[-1][0] + days(days=120), on - days(days=1000))
            hi = on - days(days=5)
            left_area = between(lo, hi) if lo < hi else hi
            roll = rng.random()
            if roll < 0.8:
                other = self._other_la()
                other_town = other.towns[int(rng.random() * len(other.towns))][0]
                locations.append((left_area, book.address(other_town, other.code)))
                left_to = other.code
            else:
                locations.append((left_area, abroad_address(rng, countries[int(rng.random() * len(countries))])))
        return _Home(locations, arrived_uk, arrival, arrived_from, origin_la, left_area, left_to)


def _empty_batch() -> CouncilBatch:
    return CouncilBatch([], [], [], [], [], [], [])


def iter_council(
    *,
    children: int = 20_000,
    seed: int = 0,
    on: dt.date = DEFAULT_ON,
    la_code: str = "931",
    batch_households: int = 2_000,
) -> tuple[LASpec, list[SchoolSpec], Iterator[CouncilBatch]]:
    """The council's LA and schools, and a lazy stream of household batches (bounded memory).

    Concatenating the batches gives exactly ``generate_council`` with the same arguments.
    """
    generator = CouncilGenerator(children=children, seed=seed, on=on, la_code=la_code)
    return generator.la, generator.schools, generator.batches(batch_households)


def generate_council(
    *,
    children: int = 20_000,
    seed: int = 0,
    on: dt.date = DEFAULT_ON,
    la_code: str = "931",
) -> Council:
    """A whole synthetic council of ``children`` children on date ``on`` (deterministic for a seed)."""
    generator = CouncilGenerator(children=children, seed=seed, on=on, la_code=la_code)
    households: list[HouseholdSpec] = []
    kids: list[ChildSpec] = []
    contacts: list[ContactSpec] = []
    enrolments: list[EnrolmentSpec] = []
    flags: list[RiskFlagSpec] = []
    ehe: list[EHESpec] = []
    truth: list[TruthSpec] = []
    for batch in generator.batches(10_000):
        households += batch.households
        kids += batch.children
        contacts += batch.contacts
        enrolments += batch.enrolments
        flags += batch.risk_flags
        ehe += batch.ehe
        truth += batch.truth
    return Council(
        la=generator.la,
        on=on,
        seed=seed,
        schools=generator.schools,
        households=households,
        children=kids,
        contacts=contacts,
        enrolments=enrolments,
        risk_flags=flags,
        ehe=ehe,
        truth=truth,
    )


def fingerprint(council: Council) -> str:
    """A SHA-256 over every record of the council (same seed and arguments -> same fingerprint)."""
    digest = hashlib.sha256()
    digest.update(repr((council.la, council.on, council.seed)).encode())
    for records in (
        council.schools,
        council.households,
        council.children,
        council.contacts,
        council.enrolments,
        council.risk_flags,
        council.ehe,
        council.truth,
    ):
        for record in records:
            digest.update(repr(record).encode())
            digest.update(b"\n")
    return digest.hexdigest()
