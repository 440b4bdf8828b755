"""Running the detection rules (cme.feeds.rules) over an LA's children and keeping their hits.

`detection_run` loads every child's facts in a fixed number of bulk queries (no per-child query), runs the
enabled rules, and keeps one open DetectionHit per dedupe key (rule + child): a hit found again is updated, a
hit no longer found is cleared. The notifications app turns open, unconverted hits into concerns in the
triage queue (feeds may not import notifications).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, EducationOtherwise, Enrolment, Residence, School
from cme.core.models import LocalAuthority
from cme.feeds import rules
from cme.feeds.models import AttendanceSession, DailyRun, DetectionHit, DetectionRule, FeedRun, PlaceAllocation
from cme.feeds.sources import RESIDENCE_SOURCES
from cme.law import school_age
from cme.law.attendance_codes import UNEXPLAINED_ABSENCE_CODES
from cme.law.deletion_grounds import continuous_unexplained_absence_days
from cme.matching.models import SourceRecord

_IN = 900
_ABSENCE_WINDOW = dt.timedelta(days=70)  # enough calendar days to hold 20+ school days


def detection_rules_ensure(*, local_authority: LocalAuthority) -> dict[str, DetectionRule]:
    """The LA's rule settings, created with the documented defaults where missing."""
    existing = {r.code: r for r in DetectionRule.objects.filter(local_authority=local_authority)}
    missing = [
        DetectionRule(local_authority=local_authority, code=spec.code, name=spec.name,
                      description=f"{spec.description} ({spec.rule_ids})", parameters=dict(spec.defaults))
        for spec in rules.RULES if spec.code not in existing
    ]
    for rule in DetectionRule.objects.bulk_create(missing):
        existing[rule.code] = rule
    return existing


@transaction.atomic
def detection_rule_update(*, actor: Auditor, rule: DetectionRule, enabled: bool, parameters: dict[str, Any]) -> \
        DetectionRule:
    spec = rules.RULES_BY_CODE[rule.code]
    unknown = set(parameters) - set(spec.defaults) - set(spec.parameter_help)
    if unknown:
        raise ValueError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    before = {"enabled": rule.enabled, "parameters": rule.parameters}
    rule.enabled, rule.parameters = enabled, parameters
    rule.save(update_fields=["enabled", "parameters", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, rule, local_authority_id=rule.local_authority_id,
                 summary=f"detection rule {rule.code} settings changed",
                 changes={"before": before, "after": {"enabled": enabled, "parameters": parameters}})
    return rule


# --------------------------------------------------------------------------------------------------
# Facts for every child, in bulk
# --------------------------------------------------------------------------------------------------


def school_days_for(local_authority: LocalAuthority) -> rules.SchoolDays:
    calendar = local_authority.term_calendar()
    if calendar.first_day is None or calendar.last_day is None:
        return rules.SchoolDays([])
    days = calendar.school_days(calendar.first_day, calendar.last_day)
    years = range(calendar.first_day.year - 1, calendar.last_day.year + 1)
    autumn = {y: d for y in years if (d := calendar.autumn_term_first_day(y)) is not None}
    return rules.SchoolDays(days, autumn)


def _current_runs(local_authority: LocalAuthority) -> set[int]:
    """The latest run that imported something, for each partner source: its records are 'current'."""
    latest = (FeedRun.objects.filter(source__local_authority=local_authority, status=FeedRun.Status.SUCCEEDED,
                                     accepted__gt=0)
              .values("source_id").annotate(last=Max("pk")).values_list("last", flat=True))
    return set(latest)


def _absence_runs(*, local_authority: LocalAuthority, days: rules.SchoolDays, children: Iterable[int],
                  until: dict[int, dt.date] | None = None) -> dict[int, tuple[int, dt.date, dt.date, int]]:
    """child -> (consecutive G/N/O school days ending on the last marked day, first day, last day, school id)."""
    wanted = sorted(set(children))
    marks: dict[int, dict[dt.date, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    school_of: dict[int, int] = {}
    for start in range(0, len(wanted), _IN):
        chunk = wanted[start:start + _IN]
        query = AttendanceSession.objects.filter(child_id__in=chunk)
        if until is not None:
            query = query.filter(date__lte=max(until[c] for c in chunk),
                                 date__gte=min(until[c] for c in chunk) - _ABSENCE_WINDOW)
        else:
            latest = AttendanceSession.objects.filter(child_id__in=chunk).aggregate(m=Max("date"))["m"]
            if latest is None:
                continue
            query = query.filter(date__gte=latest - _ABSENCE_WINDOW)
        for child_id, school_id, day, session, code in query.order_by("date").values_list(
                "child_id", "school_id", "date", "session", "code"):
            if until is not None and (day > until[child_id] or day < until[child_id] - _ABSENCE_WINDOW):
                continue
            marks[child_id][day][session] = code
            school_of[child_id] = school_id
    result = {}
    for child_id, by_day in marks.items():
        last_day = max(by_day)
        first_day = min(by_day)
        pairs: list[tuple[str, str]] = []
        school_days = [d for d in days.days if first_day <= d <= last_day] or sorted(by_day)
        for day in school_days:
            got = by_day.get(day, {})
            pairs.append((got.get("AM", "-"), got.get("PM", "-")))
        run = continuous_unexplained_absence_days(pairs)
        if run:
            held = [d for d in school_days if d in by_day]
            first = held[-run] if run <= len(held) else first_day
            result[child_id] = (run, first, last_day, school_of[child_id])
    return result


def _rows(queryset: Any) -> Iterable[tuple[Any, ...]]:
    """The rows of a values_list query straight from the cursor (the SQL is Django's, so it is the same on SQLite
    and PostgreSQL): reading hundreds of thousands of rows without per-value conversion is several times faster."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch


def _day(value: Any) -> Any:
    """A date from the cursor: SQLite gives ISO text, PostgreSQL a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def children_facts(*, local_authority: LocalAuthority, on: dt.date,
                   school_days: rules.SchoolDays | None = None) -> list[rules.ChildData]:
    """Every live child of the LA with the facts the rules read, in a fixed number of queries."""
    days = school_days or school_days_for(local_authority)
    la = local_authority
    # Only children who may be of compulsory school age on the day are read (R1.1, R1.2: from about 4 to 16).
    born = {"date_of_birth__gte": dt.date(on.year - 18, 1, 1), "date_of_birth__lte": dt.date(on.year - 4, 12, 31)}
    of_age = {f"child__{key}": value for key, value in born.items()}
    schools = {pk: (laestab, name, high, phase) for pk, laestab, name, high, phase in
               School.objects.values_list("pk", "laestab", "name", "high_nc_year", "phase")}
    name_of_laestab = {laestab: name for laestab, name, _, _ in schools.values()}
    enrolments: dict[int, list[rules.EnrolmentFact]] = defaultdict(list)
    for child_id, school_id, start, end, nc, ground, dest, dest_name in _rows(Enrolment.objects.filter(
            child__local_authority=la, **of_age).values_list("child_id", "school_id", "start", "end", "nc_year_actual",
                                                   "deletion_ground", "destination_laestab", "destination_name")):
        laestab, name, high, phase = schools[school_id]
        enrolments[child_id].append(rules.EnrolmentFact(
            laestab=laestab, school_name=name, start=_day(start), end=_day(end), nc_year_at_start=nc,
            high_nc_year=high,
            phase=phase, deletion_ground=ground, destination_laestab=dest,
            destination_name=dest_name or name_of_laestab.get(dest, "")))
    otherwise: dict[int, list[rules.PeriodFact]] = defaultdict(list)
    for child_id, kind, start, end in _rows(EducationOtherwise.objects.filter(
            child__local_authority=la, **of_age).values_list("child_id", "kind", "start", "end")):
        otherwise[child_id].append(rules.PeriodFact(kind, _day(start), _day(end)))
    residences: dict[int, list[rules.PeriodFact]] = defaultdict(list)
    for child_id, in_area, start, end in _rows(Residence.objects.filter(child__local_authority=la, **of_age)
                                               .values_list("child_id", "in_area", "start", "end")):
        residences[child_id].append(rules.PeriodFact("in" if in_area else "out", _day(start), _day(end)))
    current_runs = _current_runs(la)
    records: dict[int, list[rules.RecordFact]] = defaultdict(list)
    for child_id, source, record_id, postcode, last_seen in _rows(SourceRecord.objects.filter(
            local_authority=la, child__isnull=False, source__in=RESIDENCE_SOURCES, **of_age).values_list(
            "child_id", "source", "source_record_id", "postcode", "last_seen_run_id")):
        current = not current_runs or last_seen is None or last_seen in current_runs
        records[child_id].append(rules.RecordFact(source, record_id, postcode, current))
    for child_id, record_id, postcode, raw in SourceRecord.objects.filter(
            local_authority=la, child__isnull=False, source="ehe_notification").values_list(
            "child_id", "source_record_id", "postcode", "raw"):
        detail = {k: raw.get(k) for k in ("notified_on", "school_laestab", "notified_by") if isinstance(raw, dict)}
        records[child_id].append(rules.RecordFact("ehe_notification", record_id, postcode, True, detail))
    allocations: dict[int, list[rules.AllocationFact]] = defaultdict(list)
    linked = SourceRecord.objects.filter(local_authority=OuterRef("local_authority"), source=OuterRef("source"),
                                         source_record_id=OuterRef("source_record_id")).values("child_id")[:1]
    for kind, source, record_id, laestab, start, child_id in PlaceAllocation.objects.filter(
            local_authority=la).annotate(child_id=Subquery(linked)).values_list(
            "kind", "source", "source_record_id", "laestab", "start", "child_id"):
        if child_id is not None:
            allocations[child_id].append(rules.AllocationFact(kind, laestab, start, name_of_laestab.get(laestab, ""),
                                                              source, record_id))
    # Unexplained absence: only children with a G/N/O mark on the latest day held need their marks read.
    absence: dict[int, rules.AbsenceFact] = {}
    latest = AttendanceSession.objects.filter(school__local_authority=la, date__lte=on).aggregate(m=Max("date"))["m"]
    if latest is not None:
        candidates = AttendanceSession.objects.filter(school__local_authority=la, date=latest,
                                                      code__in=UNEXPLAINED_ABSENCE_CODES).values_list("child_id",
                                                                                                      flat=True)
        for child_id, (run, first_day, last_day, school_id) in _absence_runs(
                local_authority=la, days=days, children=candidates).items():
            laestab, name, _, _ = schools[school_id]
            absence[child_id] = rules.AbsenceFact(laestab, name, run, first_day, last_day)
    lost: dict[int, dt.date] = {}  # children whose last roll ended under ground H or I, and when
    for child_id, facts in enrolments.items():
        ended = [e for e in facts if e.end is not None and e.end < on]
        if ended:
            last = max(ended, key=lambda e: (e.end, e.start))
            if last.deletion_ground in rules.LOST_GROUNDS and last.end is not None:
                lost[child_id] = last.end
    before_deletion = {child_id: run for child_id, (run, *_rest) in _absence_runs(
        local_authority=la, days=days, children=lost, until=lost).items()} if lost else {}
    result = []
    for child_id, dob in _rows(Child.objects.filter(local_authority=la, merged_into__isnull=True, **born)
                               .values_list("pk", "date_of_birth").order_by("pk")):
        result.append(rules.ChildData(
            child_id=child_id, date_of_birth=_day(dob), enrolments=tuple(enrolments.get(child_id, ())),
            otherwise=tuple(otherwise.get(child_id, ())), residences=tuple(residences.get(child_id, ())),
            records=tuple(records.get(child_id, ())), allocations=tuple(allocations.get(child_id, ())),
            absence=absence.get(child_id),
            absence_before_deletion=before_deletion.get(child_id, 0 if child_id in lost else None),
        ))
    return result


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


@dataclass
class DetectionSummary:
    children: int = 0
    found: int = 0
    new: int = 0
    updated: int = 0
    cleared: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    by_route: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"children": self.children, "found": self.found, "new": self.new, "updated": self.updated,
                "cleared": self.cleared, "by_rule": self.by_rule, "by_route": self.by_route}


def dedupe_key(rule: str, child_id: int) -> str:
    return f"{rule}:{child_id}"


@lru_cache(maxsize=200_000)
def _csa(dob: dt.date, on: dt.date) -> bool:
    return school_age.is_compulsory_school_age(dob, on)


def detection_run(*, actor: Auditor, local_authority: LocalAuthority, on: dt.date, daily_run: DailyRun | None = None,
                  progress: Callable[[str], None] | None = None) -> DetectionSummary:
    """Run the enabled rules for every child and keep the hits (new, found again, or cleared)."""
    la = local_authority
    settings = detection_rules_ensure(local_authority=la)
    enabled = {code: rule for code, rule in settings.items() if rule.enabled and code in rules.RULES_BY_CODE}
    parameters = {code: dict(rule.parameters) for code, rule in enabled.items()}
    days = school_days_for(la)
    ctx = rules.Context(on=on, la_code=la.code, school_days=days,
                        destination_grace_school_days=la.destination_grace_school_days)
    if progress:
        progress("reading children's records")
    children = children_facts(local_authority=la, on=on, school_days=days)
    if progress:
        progress(f"checking {len(children):,} children")
    # UK GDPR Art 18(2): a restricted child's record is only stored. No rule runs on it, and its open hits are
    # neither found again nor cleared (they stay as they were until the restriction is lifted).
    restricted = set(Child.objects.filter(local_authority=la, processing_restricted=True).values_list("pk", flat=True))
    summary = DetectionSummary(children=len(children))
    found: dict[str, rules.Hit] = {}
    for child in children:
        if child.child_id in restricted or not _csa(child.date_of_birth, on):
            continue
        for hit in rules.evaluate(child, ctx, parameters):
            found[dedupe_key(hit.rule, hit.child_id)] = hit
    summary.found = len(found)
    for hit in found.values():
        summary.by_rule[hit.rule] = summary.by_rule.get(hit.rule, 0) + 1
        summary.by_route[hit.route] = summary.by_route.get(hit.route, 0) + 1
    with transaction.atomic():
        _hits_store(actor=actor, la=la, on=on, found=found, enabled=enabled, daily_run=daily_run, summary=summary,
                    restricted=restricted)
    return summary


def _hits_store(*, actor: Auditor, la: LocalAuthority, on: dt.date, found: dict[str, rules.Hit],
                enabled: dict[str, DetectionRule], daily_run: DailyRun | None, summary: DetectionSummary,
                restricted: set[int]) -> None:
    open_hits = {h.dedupe_key: h for h in DetectionHit.objects.filter(local_authority=la, cleared_on__isnull=True)
                 .select_related("rule")}
    to_create, to_update, seen_again = [], [], []
    for key, hit in found.items():
        evidence = {"summary": hit.summary, "rule": hit.rule, "route": hit.route,
                    "rule_name": enabled[hit.rule].name, **hit.evidence}
        existing = open_hits.pop(key, None)
        if existing is None:
            to_create.append(DetectionHit(local_authority=la, rule=enabled[hit.rule], child_id=hit.child_id,
                                          route=hit.route, evidence=evidence, daily_run=daily_run, first_found=on,
                                          last_found=on, dedupe_key=key))
        elif existing.evidence != evidence or existing.route != hit.route:
            existing.evidence, existing.route, existing.last_found = evidence, hit.route, max(existing.last_found, on)
            to_update.append(existing)
        elif existing.last_found < on:
            seen_again.append(existing.pk)
    cleared = [h for h in open_hits.values() if h.rule.code in enabled and h.first_found <= on
               and h.child_id not in restricted]
    DetectionHit.objects.bulk_create(to_create, batch_size=1000)
    DetectionHit.objects.bulk_update(to_update, ["evidence", "route", "last_found"], batch_size=1000)
    for start in range(0, len(seen_again), _IN):
        DetectionHit.objects.filter(pk__in=seen_again[start:start + _IN]).update(last_found=on)
    for start in range(0, len(cleared), _IN):
        DetectionHit.objects.filter(pk__in=[h.pk for h in cleared[start:start + _IN]]).update(cleared_on=on)
    events = [actor._event(AuditEvent.Action.CREATE, h, child_id=h.child_id, local_authority_id=la.pk,
                           summary=f"detection: {h.evidence['rule_name']}") for h in to_create]
    events += [actor._event(AuditEvent.Action.UPDATE, h, child_id=h.child_id, local_authority_id=la.pk,
                            summary=f"detection: {h.rule.name} no longer found") for h in cleared]
    events.append(actor._event(
        AuditEvent.Action.SYSTEM, object_type="feeds.detectionhit", local_authority_id=la.pk,
        summary=f"detection on {on:%d/%m/%Y}: {len(found)} found, {len(to_create)} new, {len(cleared)} cleared",
        changes={"by_rule": summary.by_rule}))
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    summary.new, summary.updated, summary.cleared = len(to_create), len(to_update), len(cleared)


# --------------------------------------------------------------------------------------------------
# Accuracy against the synthetic council's hidden truth (demo and benchmark only)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TruthScore:
    missing: int
    found: int
    concerns: int
    false_concerns: int

    @property
    def recall(self) -> float:
        return self.found / self.missing if self.missing else 1.0

    @property
    def false_share(self) -> float:
        return self.false_concerns / self.concerns if self.concerns else 0.0

    def line(self) -> str:
        return (f"hidden missing children {self.missing:,}; found {self.found:,} (recall {self.recall:.1%}); "
                f"concerns raised {self.concerns:,}; false concerns {self.false_concerns:,} "
                f"({self.false_share:.1%}; precision {1 - self.false_share:.1%})")


def truth_score(*, local_authority: LocalAuthority, path: Path) -> TruthScore:
    """Open CME concerns (route cme) against the truth list written by seed_demo (child_id,status,since)."""
    missing = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("status", "").startswith("cme_"):
                missing.add(int(row["child_id"]))
    concerned = set(DetectionHit.objects.filter(local_authority=local_authority, cleared_on__isnull=True,
                                                route="cme").values_list("child_id", flat=True))
    return TruthScore(missing=len(missing), found=len(missing & concerned), concerns=len(concerned),
                      false_concerns=len(concerned - missing))
