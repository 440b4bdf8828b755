"""Demo data for the part-time timetables register: about one timetable per 400 pupils on roll, submitted and
reviewed through the services, with a realistic spread (some reviews overdue, some without consent, some
extended twice or more, some back to full time). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from cme.audit.services import Auditor
from cme.children.models import Enrolment
from cme.core import calendar
from cme.core.models import LocalAuthority
from cme.law.school_age import is_compulsory_school_age
from cme.timetables import services
from cme.timetables.models import PartTimeTimetable, TimetableReview

PUPILS_PER_TIMETABLE = 400
HOURS = [Decimal(h) for h in ("10", "12.5", "15", "15", "17.5", "20", "20", "25")]
REASONS = [
    (PartTimeTimetable.Reason.MENTAL_HEALTH, 35), (PartTimeTimetable.Reason.MEDICAL, 20),
    (PartTimeTimetable.Reason.REINTEGRATION, 20), (PartTimeTimetable.Reason.SEND, 15),
    (PartTimeTimetable.Reason.TRANSITION, 7), (PartTimeTimetable.Reason.OTHER, 3),
]


def _working_day_on_or_before(day: dt.date) -> dt.date:
    return day if calendar.is_working_day(day) else calendar.add_working_days(day, -1)


@transaction.atomic
def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    rng = random.Random(f"timetables-{seed}")  # noqa: S311 - synthetic demo data
    actor = Auditor.system("seed_demo")
    weeks = local_authority.part_time_review_weeks
    current = (Enrolment.objects.filter(school__local_authority=local_authority,
                                        child__local_authority=local_authority, start__lte=on,
                                        is_dual_registration=False)
               .filter(Q(end__isnull=True) | Q(end__gte=on)))
    # Sample from ids and dates of birth only (a county has ~100,000 enrolments; a few hundred get a timetable).
    rows = list(current.order_by("pk").values_list("pk", "child__date_of_birth"))
    eligible = [pk for pk, date_of_birth in rows if is_compulsory_school_age(date_of_birth, on)]
    chosen_ids = rng.sample(eligible, k=min(len(eligible), len(rows) // PUPILS_PER_TIMETABLE))
    by_id = Enrolment.objects.select_related("school", "child", "school__local_authority").in_bulk(chosen_ids)
    chosen = [by_id[pk] for pk in chosen_ids]
    reasons, reason_weights = zip(*REASONS, strict=True)
    counts = {"part-time timetables": 0, "timetable reviews": 0}
    seen: set[int] = set()
    for enrolment in chosen:
        if enrolment.child_id in seen:
            continue
        seen.add(enrolment.child_id)
        settled = enrolment.start <= on - dt.timedelta(weeks=30)  # long enough on roll to have been extended
        target_extensions = rng.choices([0, 1, 2, 3], weights=[40, 20, 20, 20] if settled else [70, 30, 0, 0])[0]
        weeks_ago = rng.randint(26, 34) if target_extensions >= 2 else rng.randint(1, 30)
        start = max(_working_day_on_or_before(on - dt.timedelta(weeks=weeks_ago)), enrolment.start)
        consent = rng.random() > 0.15
        timetable = services.timetable_submit(
            actor=actor, user=None, school=enrolment.school, child=enrolment.child, today=on,
            plan=services.TimetablePlan(
                reason=rng.choices(reasons, weights=reason_weights)[0], hours_per_week=rng.choice(HOURS),
                start_date=start, planned_end_date=start + dt.timedelta(weeks=rng.choice([6, 8, 10, 12])),
                reintegration_plan="Hours increase by a session a week as the pupil settles; key worker check-in "
                                   "each morning; reviewed with the pupil and parents.",
                has_social_worker=rng.random() < 0.15, social_worker_involved=rng.random() < 0.7,
                has_ehcp=rng.random() < 0.2, ehcp_involved=rng.random() < 0.8,
            ),
            consent=services.Consent(given=consent, by_name="Parent (synthetic)" if consent else "",
                                     on=start if consent else None,
                                     how=PartTimeTimetable.ConsentHow.MEETING if consent else ""),
        )
        counts["part-time timetables"] += 1
        skip_last = rng.random() < 0.25  # the last review due was missed: overdue
        while timetable.status == PartTimeTimetable.Status.ACTIVE:
            review_on = timetable.next_review_due
            following = review_on + dt.timedelta(weeks=weeks)
            if review_on > on or (skip_last and following > on):
                break
            if timetable.extensions < target_extensions and (timetable.planned_end_date - review_on).days < 21:
                outcome, new_end = TimetableReview.Outcome.EXTEND, review_on + dt.timedelta(weeks=6)
            elif timetable.extensions >= target_extensions and review_on >= timetable.planned_end_date \
                    and rng.random() < 0.6:
                outcome, new_end = TimetableReview.Outcome.FULL_TIME, None
            else:
                outcome, new_end = TimetableReview.Outcome.CONTINUE, None
            services.timetable_review(actor=actor, user=None, timetable=timetable, reviewed_on=review_on,
                                      outcome=outcome, new_end_date=new_end, today=on,
                                      pupil_and_parents_involved=rng.random() < 0.85,
                                      notes="Reviewed with the pupil, parents and the school.")
            counts["timetable reviews"] += 1
    return counts
