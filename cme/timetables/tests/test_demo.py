from __future__ import annotations

import datetime as dt

import pytest

from cme.children.models import School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.core.models import LocalAuthority
from cme.timetables import demo
from cme.timetables.models import PartTimeTimetable


@pytest.mark.usefixtures("terms")
def test_demo_submits_and_reviews_timetables_for_pupils_on_roll(la: LocalAuthority, school: School,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "PUPILS_PER_TIMETABLE", 2)
    for i in range(12):
        child = ChildFactory(local_authority=la, legal_forename=f"P{i}", date_of_birth=dt.date(2013, 1, 1))
        EnrolmentFactory(child=child, school=school, start=dt.date(2024, 9, 4))
    counts = demo.demo_seed(local_authority=la, on=dt.date(2026, 6, 19), seed=3)
    assert counts["part-time timetables"] == 6 == PartTimeTimetable.objects.count()
    assert counts["timetable reviews"] >= 1
    assert all(t.school == school for t in PartTimeTimetable.objects.all())
