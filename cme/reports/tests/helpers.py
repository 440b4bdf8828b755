"""Build a small, varied caseload through the real services (cases, tasks, notifications, risk flags)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import Case, CaseStatusChoice, Task
from cme.cases.tests.factories import open_case
from cme.children.tests.factories import ChildFactory, RiskFlagFactory
from cme.notifications.models import Notification
from cme.notifications.tests.factories import NotificationFactory


def build_caseload(user: User, *, n: int, start: int = 0) -> list[Case]:
    """n open cases (a third making enquiries, a third located), an overdue task on every other case, n new
    notifications, a risk flag on every third child."""
    la = user.local_authority
    today = timezone.localdate()
    cases = []
    for i in range(start, start + n):
        child = ChildFactory(local_authority=la, date_of_birth=dt.date(2012 + i % 6, 1 + i % 12, 10),
                             current_postcode=["OX4 1AB", "OX1 2JD", ""][i % 3])
        if i % 3 == 0:
            RiskFlagFactory(child=child)
        case = open_case(user=user, child=child)
        steps = {0: [], 1: [CaseStatusChoice.ENQUIRIES], 2: [CaseStatusChoice.ENQUIRIES, CaseStatusChoice.LOCATED]}
        for to in steps[i % 3]:
            case = services.case_transition(actor=Auditor.for_user(user), user=user, case=case, to=to)
        if i % 2 == 0:
            Task.objects.create(local_authority=la, case=case, title="Visit", due=today - dt.timedelta(days=3),
                                created_by_label="test", assignee=user)
        NotificationFactory(local_authority=la, kind=Notification.Kind.PARTNER_REFERRAL if i % 2 else
                            Notification.Kind.DELETION_RETURN, triage_due=today)
        cases.append(case)
    return cases
