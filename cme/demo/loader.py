"""Load a synthetic council (cme.synthetic) into the database with bulk inserts.

The hidden truth (which children are really missing) is written to a CSV beside the database, never into
the product's tables: detection and linkage are measured against it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from cme.children.models import (
    Address,
    Child,
    ChildAddress,
    ChildContact,
    ChildIdentifier,
    ChildLink,
    ChildName,
    Contact,
    EducationOtherwise,
    Enrolment,
    Residence,
    RiskFlag,
    RiskFlagType,
    School,
)
from cme.children.services import apply_search_keys, risk_flag_types_ensure, search_keys
from cme.core import calendar
from cme.core.models import LocalAuthority, Organisation, TermDate
from cme.law import school_age
from cme.synthetic.specs import Council

BATCH = 5000
Progress = Callable[[str, int], None]


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def _noop(stage: str, n: int) -> None:
    return None


def la_ensure(council: Council) -> LocalAuthority:
    la, _ = LocalAuthority.objects.get_or_create(
        code=council.la.code,
        defaults={
            "name": council.la.name,
            "cme_officer_name": "Sam Okafor (synthetic demo officer)",
            "cme_mailbox": f"cme@{council.la.name.lower()}.example.org",
            "cme_phone": "01632 960000",
        },
    )
    if not la.term_dates.exists():
        year = school_age.school_year_start(council.on)
        terms = []
        for sy in range(year - 2, year + 2):
            for index, (start, end) in enumerate(calendar.default_term_dates(sy)):
                terms.append(TermDate(local_authority=la, name=f"{sy}/{sy + 1 - 2000} half-term {index + 1}",
                                      start=start, end=end))
        TermDate.objects.bulk_create(terms)
    return la


@transaction.atomic
def council_load(council: Council, *, progress: Progress = _noop, truth_path: Path | None = None) -> LoadReport:
    """Insert the whole synthetic council in one transaction (all or nothing)."""
    report = LoadReport()
    la = la_ensure(council)
    risk_flag_types_ensure()

    # Schools, and an organisation for each school in the LA (so school users can belong to one).
    school_orgs = Organisation.objects.bulk_create([
        Organisation(local_authority=la, kind=Organisation.Kind.SCHOOL, name=s.name, laestab=s.laestab)
        for s in council.schools if s.la_code == la.code
    ], batch_size=BATCH)
    org_by_laestab = {o.laestab: o for o in school_orgs}
    schools = School.objects.bulk_create([
        School(local_authority=la, organisation=org_by_laestab.get(s.laestab), laestab=s.laestab, urn=s.urn,
               name=s.name, phase=s.phase, establishment_type=s.establishment_type, low_nc_year=s.low_nc_year,
               high_nc_year=s.high_nc_year, postcode=s.postcode or "", town=s.town, is_open=s.is_open,
               closed_on=s.closed_on)
        for s in council.schools
    ], batch_size=BATCH)
    school_by_key = {spec.key: school for spec, school in zip(council.schools, schools, strict=True)}
    report.add("schools", len(schools))
    progress("schools", len(schools))

    # Addresses: each household's current address and its previous ones.
    current_addresses = Address.objects.bulk_create([
        Address(line1=h.address_line1, line2=h.address_line2, town=h.town, postcode=h.postcode or "",
                la_code=h.la_code or "")
        for h in council.households
    ], batch_size=BATCH)
    address_by_household = {h.key: a for h, a in zip(council.households, current_addresses, strict=True)}
    previous_specs = [(h.key, p) for h in council.households for p in h.previous]
    previous_addresses = Address.objects.bulk_create([
        Address(line1=p.address_line1, line2=p.address_line2, town=p.town, postcode=p.postcode or "",
                la_code=p.la_code or "")
        for _, p in previous_specs
    ], batch_size=BATCH)
    previous_by_household: dict[int, list[tuple[Any, Address]]] = defaultdict(list)
    for (key, spec), address in zip(previous_specs, previous_addresses, strict=True):
        previous_by_household[key].append((spec, address))
    household_by_key = {h.key: h for h in council.households}
    report.add("addresses", len(current_addresses) + len(previous_addresses))
    progress("addresses", len(current_addresses) + len(previous_addresses))

    # Children.
    child_rows = []
    for c in council.children:
        household = household_by_key[c.household_key]
        child = Child(
            local_authority=la, legal_forename=c.legal_forename, legal_middle_names=c.middle_names,
            legal_surname=c.legal_surname, preferred_forename=c.preferred_forename or "", date_of_birth=c.dob,
            sex=c.sex, upn=c.upn or "", nhs_number=c.nhs_number or "", first_language=c.first_language,
            ethnicity=c.ethnicity, current_postcode=household.postcode or "",
        )
        apply_search_keys(child)
        child_rows.append(child)
    children = Child.objects.bulk_create(child_rows, batch_size=BATCH)
    child_by_key = {spec.key: child for spec, child in zip(council.children, children, strict=True)}
    report.add("children", len(children))
    progress("children", len(children))

    names, identifiers, child_addresses, residences = [], [], [], []
    for spec in council.children:
        child = child_by_key[spec.key]
        keys = search_keys(forename=spec.legal_forename, surname=spec.legal_surname)
        keys.pop("surname_prefix")
        names.append(ChildName(child=child, kind=ChildName.Kind.LEGAL, forename=spec.legal_forename,
                               middle_names=spec.middle_names, surname=spec.legal_surname, source="synthetic", **keys))
        for former in spec.former_surnames:
            former_keys = search_keys(forename=spec.legal_forename, surname=former)
            former_keys.pop("surname_prefix")
            names.append(ChildName(child=child, kind=ChildName.Kind.FORMER, forename=spec.legal_forename,
                                   surname=former, source="synthetic", **former_keys))
        for former_upn in spec.former_upns:
            identifiers.append(ChildIdentifier(child=child, kind=ChildIdentifier.Kind.FORMER_UPN, value=former_upn,
                                               source="synthetic"))
        household = household_by_key[spec.household_key]
        for previous, address in previous_by_household.get(spec.household_key, []):
            if previous.end < spec.dob:
                continue
            start = max(previous.start or spec.dob, spec.dob)
            child_addresses.append(ChildAddress(child=child, address=address, start=start, end=previous.end,
                                                source="synthetic"))
            residences.append(Residence(child=child, in_area=previous.la_code == la.code, start=start,
                                        end=previous.end, la_code=previous.la_code or "",
                                        country=previous.country if previous.country != "England" else "",
                                        source="synthetic"))
        start = max(household.moved_in, spec.dob)
        child_addresses.append(ChildAddress(child=child, address=address_by_household[spec.household_key],
                                            start=start, source="synthetic"))
        residences.append(Residence(child=child, in_area=household.la_code == la.code, start=start,
                                    la_code=household.la_code or "",
                                    country=household.country if household.country != "England" else "",
                                    source="synthetic"))
    ChildName.objects.bulk_create(names, batch_size=BATCH)
    ChildIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
    ChildAddress.objects.bulk_create(child_addresses, batch_size=BATCH)
    Residence.objects.bulk_create(residences, batch_size=BATCH)
    report.add("names", len(names))
    report.add("addresses of children", len(child_addresses))
    progress("names and addresses", len(names) + len(child_addresses))

    # Parents and carers, linked to every child in their household; siblings linked to each other.
    children_by_household: dict[int, list[Any]] = defaultdict(list)
    for spec in council.children:
        children_by_household[spec.household_key].append(spec)
    contacts = Contact.objects.bulk_create([
        Contact(forename=c.forename, surname=c.surname, mobile=c.phone or "", email=c.email or "",
                address=address_by_household.get(c.household_key))
        for c in council.contacts
    ], batch_size=BATCH)
    child_contacts = [
        ChildContact(child=child_by_key[child_spec.key], contact=contact, relationship=spec.relationship,
                     parental_responsibility=spec.parental_responsibility, lives_with=spec.lives_with,
                     priority=spec.order)
        for spec, contact in zip(council.contacts, contacts, strict=True)
        for child_spec in children_by_household.get(spec.household_key, [])
    ]
    ChildContact.objects.bulk_create(child_contacts, batch_size=BATCH)
    links = []
    for members in children_by_household.values():
        for a in members:
            for b in members:
                if a.key != b.key:
                    kind = ChildLink.Kind.TWIN if a.dob == b.dob else ChildLink.Kind.SIBLING
                    links.append(ChildLink(child=child_by_key[a.key], other=child_by_key[b.key], kind=kind))
    ChildLink.objects.bulk_create(links, batch_size=BATCH)
    report.add("contacts", len(contacts))
    report.add("sibling links", len(links))
    progress("contacts and siblings", len(child_contacts) + len(links))

    enrolments = Enrolment.objects.bulk_create([
        Enrolment(child=child_by_key[e.child_key], school=school_by_key[e.school_key], start=e.start, end=e.end,
                  nc_year_actual=e.nc_year_actual, deletion_ground=e.deletion_ground or "",
                  destination_laestab=e.destination_laestab or "", source="synthetic")
        for e in council.enrolments
    ], batch_size=BATCH)
    report.add("enrolments", len(enrolments))
    progress("enrolments", len(enrolments))

    flag_types = {t.code: t for t in RiskFlagType.objects.all()}
    flags = RiskFlag.objects.bulk_create([
        RiskFlag(child=child_by_key[f.child_key], flag_type=flag_types[f.code], source=f.source,
                 identified_on=f.recorded_on, recorded_by_label="synthetic")
        for f in council.risk_flags if f.code in flag_types
    ], batch_size=BATCH)
    ehe = EducationOtherwise.objects.bulk_create([
        EducationOtherwise(child=child_by_key[e.child_key], kind=EducationOtherwise.Kind.EHE, start=e.start,
                           source=f"synthetic: {e.reason}")
        for e in council.ehe
    ], batch_size=BATCH)
    report.add("risk flags", len(flags))
    report.add("home educated", len(ehe))
    progress("flags and EHE", len(flags) + len(ehe))

    if truth_path is not None:
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        with truth_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["child_id", "status", "since"])
            for t in council.truth:
                writer.writerow([child_by_key[t.child_key].pk, t.status, t.since.isoformat() if t.since else ""])
    return report


def on_date_default() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
