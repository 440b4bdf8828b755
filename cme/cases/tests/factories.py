"""Helpers that build cases the way the service does (status history, checklist), for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.ctf import ctf_lost_pupil_generate, ctf_s2s_upload_record
from cme.cases.models import Case, CaseType
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory

S = services.S


def open_case(*, user: User, child: Child | None = None, case_type: str = CaseType.WHEREABOUTS_UNKNOWN,
              **kwargs: Any) -> Case:
    child = child or ChildFactory(local_authority=user.local_authority)
    return services.case_open(actor=Auditor.for_user(user), user=user, child=child, case_type=case_type, **kwargs)


def move(case: Case, user: User, *statuses: str) -> Case:
    for status in statuses:
        case = services.case_transition(actor=Auditor.for_user(user), user=user, case=case, to=status)
    return case


def complete_checklist(case: Case, user: User, *, not_applicable: int = 0) -> None:
    actor = Auditor.for_user(user)
    for index, enquiry in enumerate(case.enquiries.all()):
        if index < not_applicable:
            services.enquiry_not_applicable(actor=actor, user=user, enquiry=enquiry, reason="No sibling at school")
        else:
            services.enquiry_record(actor=actor, user=user, enquiry=enquiry, done_on=timezone.localdate(),
                                    method="phone", person="Office", outcome="Not known there")


def lost_pupil_ready(case: Case, user: User) -> None:
    """Checklist done, panel reviewed, lost-pupil CTF generated and uploaded: a not-located closure may pass."""
    complete_checklist(case, user)
    services.case_panel_review_record(actor=Auditor.for_user(user), case=case, decided_on=timezone.localdate(),
                                      outcome_label="Agree to close as not located")
    ctf = ctf_lost_pupil_generate(actor=Auditor.for_user(user), user=user, case=case)
    ctf_s2s_upload_record(actor=Auditor.for_user(user), user=user, ctf_file=ctf, uploaded_on=timezone.localdate())


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)
