from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.children.models import Child, ChildContact, Contact, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.timetables.models import PartTimeTimetable
from cme.timetables.services import Consent, TimetablePlan, timetable_submit


def pupil(school: School, **fields: object) -> Child:
    child = ChildFactory(local_authority=school.local_authority, date_of_birth=dt.date(2013, 5, 5), **fields)
    EnrolmentFactory(child=child, school=school, start=dt.date(2024, 9, 4))
    contact = Contact.objects.create(forename="Sara", surname=child.legal_surname)
    ChildContact.objects.create(child=child, contact=contact, relationship="mother", lives_with=True)
    return child


def submit(school: School, child: Child | None = None, *, user: User | None = None,
           start: dt.date = dt.date(2026, 1, 12), end: dt.date = dt.date(2026, 3, 20), hours: str = "12.5",
           consent: bool = True, today: dt.date = dt.date(2026, 1, 12), **plan: object) -> PartTimeTimetable:
    child = child or pupil(school)
    actor = Auditor.for_user(user) if user else Auditor.system("test")
    return timetable_submit(
        actor=actor, user=user, school=school, child=child, today=today,
        plan=TimetablePlan(reason=str(plan.pop("reason", "mental_health")), hours_per_week=Decimal(hours),
                           start_date=start, planned_end_date=end, reintegration_plan="Build up a session a week",
                           **plan),  # type: ignore[arg-type]
        consent=Consent(given=True, by_name="Sara Thompson", on=start, how="meeting") if consent else Consent(),
    )
