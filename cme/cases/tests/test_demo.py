"""The demo cases and panel (seed_demo calls cases.demo then panels.demo) on a small synthetic council."""

from __future__ import annotations

import datetime as dt

from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.cases import demo as cases_demo
from cme.cases.models import Case, CaseStatus
from cme.children.status import EducationStatus, status_on
from cme.core.models import LocalAuthority
from cme.demo.loader import council_load
from cme.panels import demo as panels_demo
from cme.panels.models import PanelMeeting
from cme.synthetic import generate_council

ON = dt.date(2026, 11, 2)


def test_demo_cases_and_panel(db) -> None:  # type: ignore[no-untyped-def]
    council = generate_council(children=1500, seed=3, on=ON)
    council_load(council)
    la = LocalAuthority.objects.get(code=council.la.code)
    for role in (Role.CME_OFFICER, Role.ATTENDANCE_MANAGER, Role.PANEL_MEMBER):
        UserFactory(role=role, local_authority=la)
    candidates = cases_demo.cme_children(local_authority=la, on=ON)
    assert candidates, "the synthetic council has children missing education"
    counts = cases_demo.demo_seed(local_authority=la, on=ON, seed=3)
    assert counts["cases"] == Case.objects.count() > 0
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses and statuses <= {"open", "enquiries", "located", "not_located", "closed"}
    for case in Case.objects.select_related("child"):
        assert CaseStatus.objects.filter(case=case).exists()
    panel = panels_demo.demo_seed(local_authority=la, on=ON, seed=3)
    assert panel["panel meetings"] == 1 and PanelMeeting.objects.get().attendees.count() >= 3
    assert panels_demo.demo_seed(local_authority=la, on=ON, seed=3)["panel meetings"] == 0
    # the chosen children really were missing education (derived status, R2.1)
    from cme.children.selectors import child_facts, child_list_queryset

    child = child_list_queryset(la.children.filter(cases__isnull=False).exclude(cases__status="closed")).first()
    assert status_on(child_facts(child), ON) == EducationStatus.CME
