"""Demo cases for the synthetic council (called by seed_demo after the children are loaded).

Opens cases, through the real services, for a share of the children whose records say they are missing education
(their last enrolment ended with the destination unknown and nothing since), in a spread of states: just opened,
making enquiries with part of the checklist done, located, not located, and closed on roll. Tasks and notes are
added. Deterministic for a seed. The panel meeting is seeded by `cme.panels.demo` (a higher layer).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import Case, CaseType, SchoolWhere
from cme.children.models import Child, EducationOtherwise, Enrolment, School
from cme.children.selectors import child_facts, child_list_queryset
from cme.children.status import EducationStatus, status_on
from cme.core import calendar
from cme.core.models import LocalAuthority

MAX_CASES = 80
SHARE = 0.6
S = services.S
#: (state, share of the demo cases)
STATES = [("open", 0.2), ("enquiries", 0.45), ("located", 0.1), ("not_located", 0.12), ("closed", 0.13)]
NOTES = [
    "School confirmed the family said they were moving away but gave no address.",
    "Neighbour says the family left in the half-term holiday.",
    "Older sibling still on roll at the secondary school; head of year contacted.",
    "Health visitor has no recent contact; GP registration still local.",
]
TASKS = ["Chase the GP practice", "Second letter to the last known address", "Ask housing about the tenancy",
         "Check S2S for a new CTF"]


def cme_children(*, local_authority: LocalAuthority, on: dt.date) -> list[Child]:
    """Children whose derived education status is CME (R2.1) because their last enrolment ended with the
    destination unknown and nothing followed (no later enrolment, no home education, still in the area)."""
    later = Enrolment.objects.filter(child=OuterRef("child_id"), start__gt=OuterRef("end"))
    current = Enrolment.objects.filter(child=OuterRef("pk")).filter(Q(end__isnull=True) | Q(end__gte=on))
    ehe = EducationOtherwise.objects.filter(child=OuterRef("pk"), end__isnull=True)
    lost = (Enrolment.objects.filter(child__local_authority=local_authority, end__isnull=False, end__lte=on)
            .filter(Q(destination_laestab="") | Q(destination_laestab__in=["XXXXXXX", "MMMMMMM"]))
            .exclude(Exists(later)).values("child_id"))
    children = child_list_queryset(
        Child.objects.filter(local_authority=local_authority, merged_into__isnull=True, pk__in=lost)
        .exclude(Exists(current)).exclude(Exists(ehe)).exclude(cases__isnull=False).order_by("pk")
    )
    return [child for child in children if status_on(child_facts(child), on) == EducationStatus.CME]


def _state_for(index: int, total: int) -> str:
    edge = 0.0
    for state, share in STATES:
        edge += share
        if index < round(edge * total):
            return state
    return STATES[-1][0]


@transaction.atomic
def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    rng = random.Random(f"cases-{seed}")  # noqa: S311 - synthetic demo data, not security
    actor = Auditor.system("demo.seed_cases")
    officers = list(User.objects.filter(local_authority=local_authority, is_active=True,
                                        role__in=[Role.CME_OFFICER, Role.ATTENDANCE_MANAGER]).order_by("pk"))
    officer = next((u for u in officers if u.role == Role.CME_OFFICER), None)
    schools = list(School.objects.filter(local_authority=local_authority, is_open=True).order_by("pk")[:50])
    candidates = cme_children(local_authority=local_authority, on=on)
    chosen = sorted(rng.sample(candidates, min(MAX_CASES, int(len(candidates) * SHARE) or len(candidates))),
                    key=lambda c: c.pk)
    terms = local_authority.term_calendar()
    today = min(on, timezone.localdate())
    counts = {"cases": 0, "enquiries done": 0, "tasks": 0, "notes": 0, "closed": 0}
    for index, child in enumerate(chosen):
        state = _state_for(index, len(chosen))
        age = {"open": rng.randint(0, 4), "enquiries": rng.randint(5, 40), "located": rng.randint(10, 40),
               "not_located": rng.randint(35, 70), "closed": rng.randint(20, 60)}[state]
        opened_on = calendar.add_working_days(on, -age)
        opened_at = timezone.make_aware(dt.datetime.combine(opened_on, dt.time(9 + index % 7, 15)))
        case = services.case_open(actor=actor, user=None, child=child, case_type=CaseType.WHEREABOUTS_UNKNOWN,
                                  summary="Deleted from roll with the destination not known (ground I).",
                                  allocated_to=officer if officer and index % 5 else None, opened_at=opened_at,
                                  terms=terms)
        counts["cases"] += 1
        if state == "open":
            continue
        case = services.case_transition(actor=actor, user=None, case=case, to=S.ENQUIRIES)
        enquiries = list(case.enquiries.all())
        done = len(enquiries) if state in ("not_located", "closed") else rng.randint(1, len(enquiries) - 2)
        for enquiry in enquiries[:done]:
            when = min(max(calendar.add_working_days(enquiry.due, -rng.randint(0, 2)), opened_on), today)
            if enquiry.code in ("border_force", "social_media"):
                services.enquiry_not_applicable(actor=actor, user=None, enquiry=enquiry,
                                                reason="No indication the family left the country.")
            else:
                services.enquiry_record(actor=actor, user=None, enquiry=enquiry, done_on=when,
                                        method=rng.choice(["phone", "letter", "email", "system"]),
                                        person=rng.choice(["School office", "Health visitor", "Housing officer",
                                                           "Neighbour", "Police CME liaison"]),
                                        outcome="No information about where the child is now.")
            counts["enquiries done"] += 1
        services.note_add(actor=actor, user=None, case=case, text=rng.choice(NOTES))
        counts["notes"] += 1
        if state == "enquiries" and index % 2 == 0:
            services.task_create(actor=actor, local_authority_id=local_authority.pk, case=case,
                                 title=rng.choice(TASKS), due=calendar.add_working_days(on, rng.randint(-3, 5)),
                                 assignee=case.allocated_to)
            counts["tasks"] += 1
        if state in ("located", "closed"):
            case = services.case_transition(actor=actor, user=None, case=case, to=S.LOCATED,
                                            reason="Family found at a new address in the county.")
        elif state == "not_located":
            case = services.case_transition(actor=actor, user=None, case=case, to=S.NOT_LOCATED,
                                            reason="All reasonable enquiries made; whereabouts still not known.")
        if state == "closed" and schools:
            school = schools[index % len(schools)]
            services.case_close(actor=actor, user=None, case=case, outcome="on_roll", on=today,
                                evidence=services.ClosureEvidence(
                                    school_where=SchoolWhere.IN_LA, school_id=school.pk,
                                    start_date=calendar.add_working_days(today, -2), confirmed_by="School admissions"))
            counts["closed"] += 1
    services.case_priorities_refresh(local_authority_id=local_authority.pk, on=on)
    counts["open cases"] = Case.objects.filter(local_authority=local_authority).open().count()
    return counts
