"""Load a synthetic council (cme.synthetic) into the database with fast bulk inserts (cme.core.bulk).

`council_batches_load` streams the council in household batches (`cme.synthetic.iter_council`), so memory does
not grow with the number of children: nothing is kept across batches but the schools' ids, the risk flag types
and the open truth file (every household, its contacts and its children's records are in one batch, and the
ids of a batch's rows are reserved for that batch). `council_load` loads a council already in memory.

The hidden truth (which children are really missing) is written to a CSV beside the database, never into
the product's tables: detection and linkage are measured against it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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
from cme.children.services import risk_flag_types_ensure, search_keys
from cme.core import calendar
from cme.core.bulk import bulk_insert, next_ids
from cme.core.models import LocalAuthority, Organisation, TermDate
from cme.law import school_age
from cme.law import upn as upns
from cme.synthetic.specs import AddressSpec, ChildSpec, Council, CouncilBatch, LASpec, SchoolSpec

Progress = Callable[[str, int], None]


#: The loader's stages, in the order they are reported ("generated": time spent generating the batches).
STAGES = ("generated", "schools", "addresses", "children", "names and addresses", "contacts and siblings",
          "enrolments", "flags and EHE")


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    #: rows, wall seconds and CPU seconds of each loader stage, summed over the batches
    stages: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


class _Clock:
    """Charges the time since the last mark to a stage (wall and CPU), with its rows."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.mark()

    def mark(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stage(self, name: str, rows: int) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        totals = self.report.stages.setdefault(name, [0, 0.0, 0.0])
        totals[0] += rows
        totals[1] += wall - self.wall
        totals[2] += cpu - self.cpu
        self.wall, self.cpu = wall, cpu


def _noop(stage: str, n: int) -> None:
    return None


def la_ensure(spec: LASpec, on: dt.date) -> LocalAuthority:
    la, _ = LocalAuthority.objects.get_or_create(
        code=spec.code,
        defaults={
            "name": spec.name,
            "cme_officer_name": "Sam Okafor (synthetic demo officer)",
            "cme_mailbox": f"cme@{spec.name.lower()}.example.org",
            "cme_phone": "01632 960000",
        },
    )
    if not la.term_dates.exists():
        year = school_age.school_year_start(on)
        terms = []
        for sy in range(year - 3, year + 2):
            for index, (start, end) in enumerate(calendar.default_term_dates(sy)):
                terms.append(TermDate(local_authority=la, name=f"{sy}/{sy + 1 - 2000} half-term {index + 1}",
                                      start=start, end=end))
        TermDate.objects.bulk_create(terms)
    return la


def _name_row(child_id: int, kind: str, forename: str, middle: str, surname: str) -> tuple[object, ...]:
    keys = search_keys(forename=forename, surname=surname)
    return (child_id, kind, forename, middle, surname, "synthetic", keys["forename_key"], keys["surname_key"],
            keys["forename_phonetic"], keys["surname_phonetic"])


NAME_FIELDS = ["child_id", "kind", "forename", "middle_names", "surname", "source", "forename_key", "surname_key",
               "forename_phonetic", "surname_phonetic"]


def council_load(council: Council, *, progress: Progress = _noop, truth_path: Path | None = None) -> LoadReport:
    """Insert a whole synthetic council held in memory, in one transaction (all or nothing)."""
    whole = CouncilBatch(council.households, council.children, council.contacts, council.enrolments,
                         council.risk_flags, council.ehe, council.truth)
    return council_batches_load(la=council.la, on=council.on, schools=council.schools, batches=[whole],
                                progress=progress, truth_path=truth_path)


@transaction.atomic
def council_batches_load(*, la: LASpec, on: dt.date, schools: list[SchoolSpec], batches: Iterable[CouncilBatch],
                         progress: Progress = _noop, truth_path: Path | None = None) -> LoadReport:
    """Insert a synthetic council batch by batch (`iter_council`), in one transaction (all or nothing).

    Only the current batch is in memory. Each stage is reported once, at the end, with its rows summed over the
    batches; `LoadReport.stages` has its wall and CPU time as well (generating the batches: "generated").
    """
    report = LoadReport()
    clock = _Clock(report)
    authority = la_ensure(la, on)
    risk_flag_types_ensure()
    school_id = _schools_load(authority, schools)
    clock.stage("schools", len(school_id))
    report.add("schools", len(school_id))
    context = _Context(authority, school_id, {t.code: t.pk for t in RiskFlagType.objects.all()}, report, clock)
    with _truth_writer(truth_path) as truth:
        context.truth = truth
        stream: Iterator[CouncilBatch] = iter(batches)
        clock.mark()
        for batch in stream:
            clock.stage("generated", len(batch.children))
            _batch_load(context, batch)
            clock.mark()
    for stage in STAGES:
        if stage in report.stages:
            progress(stage, int(report.stages[stage][0]))
    return report


@dataclass
class _Context:
    """What is kept across batches."""

    la: LocalAuthority
    school_id: dict[int, int]
    flag_types: dict[str, int]
    report: LoadReport
    clock: _Clock
    truth: Any = None


@contextlib.contextmanager
def _truth_writer(path: Path | None) -> Iterator[Any]:
    """The truth CSV (child id, status, since), written as the batches are loaded; None without a path."""
    if path is None:
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["child_id", "status", "since"])
        yield writer


def _schools_load(la: LocalAuthority, specs: list[SchoolSpec]) -> dict[int, int]:
    """Schools (a few hundred: the ORM is fine), with an organisation for each school in the LA; key -> id."""
    school_orgs = Organisation.objects.bulk_create([
        Organisation(local_authority=la, kind=Organisation.Kind.SCHOOL, name=s.name, laestab=s.laestab)
        for s in specs if s.la_code == la.code
    ])
    org_by_laestab = {o.laestab: o for o in school_orgs}
    schools = School.objects.bulk_create([
        School(local_authority=la, organisation=org_by_laestab.get(s.laestab), laestab=s.laestab, urn=s.urn,
               name=s.name, phase=s.phase, establishment_type=s.establishment_type, low_nc_year=s.low_nc_year,
               high_nc_year=s.high_nc_year, postcode=s.postcode or "", town=s.town, is_open=s.is_open,
               closed_on=s.closed_on)
        for s in specs
    ])
    return {spec.key: school.pk for spec, school in zip(specs, schools, strict=True)}


def _batch_load(ctx: _Context, batch: CouncilBatch) -> None:
    """Every row of one batch of whole households (their addresses, children, contacts and records)."""
    la, report, clock = ctx.la, ctx.report, ctx.clock

    # Addresses: each household's current address, then its previous ones.
    households = batch.households
    previous: list[tuple[int, AddressSpec]] = [(h.key, p) for h in households for p in h.previous]
    ids = next_ids(Address, len(households) + len(previous))
    current_address_id = {h.key: ids[i] for i, h in enumerate(households)}
    previous_ids = ids[len(households):]
    bulk_insert(Address, ["line1", "line2", "town", "postcode", "uprn", "la_code"], (
        (ids[i], h.address_line1, h.address_line2, h.town, h.postcode or "", "", h.la_code or "")
        for i, h in enumerate(households)
    ), with_ids=True)
    bulk_insert(Address, ["line1", "line2", "town", "postcode", "uprn", "la_code"], (
        (previous_ids[i], p.address_line1, p.address_line2, p.town, p.postcode or "", "", p.la_code or "")
        for i, (_, p) in enumerate(previous)
    ), with_ids=True)
    previous_by_household: dict[int, list[tuple[AddressSpec, int]]] = defaultdict(list)
    for (key, address), address_id in zip(previous, previous_ids, strict=True):
        previous_by_household[key].append((address, address_id))
    household_by_key = {h.key: h for h in households}
    report.add("addresses", len(ids))
    clock.stage("addresses", len(ids))

    # Children, with the search keys the name search uses.
    child_ids = next_ids(Child, len(batch.children))
    child_id = {spec.key: child_ids[i] for i, spec in enumerate(batch.children)}

    def child_rows() -> Iterator[tuple[object, ...]]:
        for spec in batch.children:
            household = household_by_key[spec.household_key]
            keys = search_keys(forename=spec.legal_forename, surname=spec.legal_surname)
            upn = upns.normalise(spec.upn) if spec.upn else ""
            yield (child_id[spec.key], la.pk, spec.legal_forename, spec.middle_names, spec.legal_surname,
                   spec.preferred_forename or "", "", spec.dob, spec.sex, upn, bool(upn) and upns.is_temporary(upn),
                   spec.nhs_number or "", "", spec.first_language, "", spec.ethnicity, False, 1,
                   keys["forename_key"], keys["surname_key"], keys["forename_phonetic"], keys["surname_phonetic"],
                   keys["surname_prefix"], household.postcode or "")

    bulk_insert(Child, [
        "local_authority_id", "legal_forename", "legal_middle_names", "legal_surname", "preferred_forename",
        "preferred_surname", "date_of_birth", "sex", "upn", "upn_is_temporary", "nhs_number",
        "consistent_identifier", "first_language", "other_languages", "ethnicity", "is_restricted", "version",
        "forename_key", "surname_key", "forename_phonetic", "surname_phonetic", "surname_prefix", "current_postcode",
    ], child_rows(), with_ids=True)
    report.add("children", len(child_ids))
    clock.stage("children", len(child_ids))

    names = bulk_insert(ChildName, NAME_FIELDS, (
        row
        for spec in batch.children
        for row in [_name_row(child_id[spec.key], ChildName.Kind.LEGAL, spec.legal_forename, spec.middle_names,
                              spec.legal_surname)]
        + [_name_row(child_id[spec.key], ChildName.Kind.FORMER, spec.legal_forename, "", former)
           for former in spec.former_surnames]
    ))
    bulk_insert(ChildIdentifier, ["child_id", "kind", "value", "source"], (
        (child_id[spec.key], ChildIdentifier.Kind.FORMER_UPN, former, "synthetic")
        for spec in batch.children for former in spec.former_upns
    ))

    def periods(spec: ChildSpec) -> list[tuple[int, dt.date, dt.date | None, bool, str, str]]:
        """(address id, start, end, in area, la code, country) for the child's lifetime in this household."""
        result: list[tuple[int, dt.date, dt.date | None, bool, str, str]] = []
        for prev, address_id in previous_by_household.get(spec.household_key, []):
            if prev.end < spec.dob:
                continue
            result.append((address_id, max(prev.start or spec.dob, spec.dob), prev.end, prev.la_code == la.code,
                           prev.la_code or "", prev.country if prev.country != "England" else ""))
        household = household_by_key[spec.household_key]
        result.append((current_address_id[spec.household_key], max(household.moved_in, spec.dob), None,
                       household.la_code == la.code, household.la_code or "",
                       household.country if household.country != "England" else ""))
        return result

    lived = [(child_id[spec.key], p) for spec in batch.children for p in periods(spec)]
    addresses = bulk_insert(ChildAddress, ["child_id", "address_id", "start", "end", "source"],
                            ((cid, p[0], p[1], p[2], "synthetic") for cid, p in lived))
    bulk_insert(Residence, ["child_id", "in_area", "start", "end", "la_code", "country", "source"],
                ((cid, p[3], p[1], p[2], p[4], p[5], "synthetic") for cid, p in lived))
    report.add("names", names)
    report.add("addresses of children", addresses)
    clock.stage("names and addresses", names + addresses)

    # Parents and carers, linked to every child in their household; siblings linked to each other.
    children_by_household: dict[int, list[ChildSpec]] = defaultdict(list)
    for spec in batch.children:
        children_by_household[spec.household_key].append(spec)
    contact_ids = next_ids(Contact, len(batch.contacts))
    bulk_insert(Contact, ["title", "forename", "surname", "phone", "mobile", "email", "address_id"], (
        (contact_ids[i], "", c.forename, c.surname, "", c.phone or "", c.email or "",
         current_address_id.get(c.household_key))
        for i, c in enumerate(batch.contacts)
    ), with_ids=True)
    child_contacts = bulk_insert(ChildContact, ["child_id", "contact_id", "relationship", "parental_responsibility",
                                                "lives_with", "priority"], (
        (child_id[member.key], contact_ids[i], c.relationship, c.parental_responsibility, c.lives_with, c.order)
        for i, c in enumerate(batch.contacts)
        for member in children_by_household.get(c.household_key, [])
    ))
    links = bulk_insert(ChildLink, ["child_id", "other_id", "kind"], (
        (child_id[a.key], child_id[b.key], ChildLink.Kind.TWIN if a.dob == b.dob else ChildLink.Kind.SIBLING)
        for members in children_by_household.values() for a in members for b in members if a.key != b.key
    ))
    report.add("contacts", len(contact_ids))
    report.add("sibling links", links)
    clock.stage("contacts and siblings", child_contacts + links)

    school_id = ctx.school_id
    enrolments = bulk_insert(Enrolment, ["child_id", "school_id", "start", "end", "nc_year_actual",
                                         "deletion_ground", "destination_laestab", "destination_name",
                                         "is_dual_registration", "source"], (
        (child_id[e.child_key], school_id[e.school_key], e.start, e.end, e.nc_year_actual, e.deletion_ground or "",
         e.destination_laestab or "", "", False, "synthetic")
        for e in batch.enrolments
    ))
    report.add("enrolments", enrolments)
    clock.stage("enrolments", enrolments)

    flag_types = ctx.flag_types
    flags = bulk_insert(RiskFlag, ["child_id", "flag_type_id", "source", "identified_on", "note",
                                   "recorded_by_label", "recorded_at"], (
        (child_id[f.child_key], flag_types[f.code], f.source, f.recorded_on, "", "synthetic",
         dt.datetime.combine(f.recorded_on, dt.time(9), tzinfo=dt.UTC))
        for f in batch.risk_flags if f.code in flag_types
    ))
    ehe = bulk_insert(EducationOtherwise, ["child_id", "kind", "start", "end", "suitability", "source"], (
        (child_id[e.child_key], EducationOtherwise.Kind.EHE, e.start, None, EducationOtherwise.Suitability.UNKNOWN,
         f"synthetic: {e.reason}")
        for e in batch.ehe
    ))
    report.add("risk flags", flags)
    report.add("home educated", ehe)
    if ctx.truth is not None:
        for t in batch.truth:
            ctx.truth.writerow([child_id[t.child_key], t.status, t.since.isoformat() if t.since else ""])
    clock.stage("flags and EHE", flags + ehe)
