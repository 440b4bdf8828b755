"""Display logic for child and school pages (no queries: everything comes prefetched)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from cme.children.models import Child, Enrolment, RiskFlag
from cme.children.selectors import child_facts
from cme.children.status import EducationStatus, TimelineEntry, status_on, timeline
from cme.law import school_age

STATUS_TAG_CLASSES = {
    EducationStatus.CME: "govuk-tag--red",
    EducationStatus.ON_ROLL: "govuk-tag--green",
    EducationStatus.EHE: "govuk-tag--blue",
    EducationStatus.EOTAS: "govuk-tag--blue",
    EducationStatus.LEFT_AREA: "govuk-tag--grey",
    EducationStatus.BELOW_CSA: "govuk-tag--grey",
    EducationStatus.ABOVE_CSA: "govuk-tag--grey",
    EducationStatus.UNKNOWN: "govuk-tag--yellow",
}


def _current_enrolment(child: Child, today: dt.date) -> Enrolment | None:
    return next((e for e in child.enrolments.all() if e.start <= today and (e.end is None or e.end >= today)), None)


@dataclass
class ChildRow:
    """One line of a list of children."""

    child: Child
    score: float = 1.0

    @cached_property
    def current_school(self) -> str:
        enrolment = _current_enrolment(self.child, timezone.localdate())
        return enrolment.school.name if enrolment else ""

    @cached_property
    def status(self) -> EducationStatus:
        return status_on(child_facts(self.child), timezone.localdate())

    @property
    def status_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status]

    @cached_property
    def flag_count(self) -> int:
        return len(self.child.risk_flags.all())


class ChildPresenter:
    def __init__(self, child: Child, *, today: dt.date, can_see_flags: bool) -> None:
        self.child = child
        self.today = today
        self.can_see_flags = can_see_flags

    def __getattr__(self, name: str) -> object:
        return getattr(self.child, name)

    @cached_property
    def status(self) -> EducationStatus:
        return status_on(child_facts(self.child), self.today)

    @property
    def status_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status]

    @cached_property
    def timeline(self) -> list[TimelineEntry]:
        return list(reversed(timeline(child_facts(self.child), until=self.today)))

    @cached_property
    def age(self) -> int:
        return school_age.age_on(self.child.date_of_birth, max(self.today, self.child.date_of_birth))

    @cached_property
    def school_age(self) -> dict[str, object]:
        return school_age.school_age_summary(self.child.date_of_birth, self.today)

    @property
    def csa_start(self) -> dt.date:
        return school_age.csa_start(self.child.date_of_birth)

    @property
    def csa_end(self) -> dt.date:
        return school_age.csa_end(self.child.date_of_birth)

    @cached_property
    def current_enrolment(self) -> Enrolment | None:
        return _current_enrolment(self.child, self.today)

    @cached_property
    def active_flags(self) -> list[RiskFlag]:
        return [f for f in self.child.risk_flags.all() if f.ended_on is None or f.ended_on >= self.today]

    @cached_property
    def past_flags(self) -> list[RiskFlag]:
        return [f for f in self.child.risk_flags.all() if f.ended_on is not None and f.ended_on < self.today]

    @cached_property
    def highest_severity(self) -> int:
        return max((f.flag_type.severity for f in self.active_flags), default=0)

    @cached_property
    def current_address(self) -> object | None:
        current = [a for a in self.child.addresses.all() if a.end is None or a.end >= self.today]
        return current[0].address if current else None
