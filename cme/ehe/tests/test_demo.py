from __future__ import annotations

import datetime as dt

from cme.children.models import EducationOtherwise
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.ehe.demo import demo_seed
from cme.ehe.models import EHERecord


def test_demo_gives_every_home_educated_child_a_record(la: LocalAuthority) -> None:
    for i in range(12):
        child = ChildFactory(local_authority=la, legal_forename=f"C{i}", date_of_birth=dt.date(2013, 1, 1))
        start = dt.date(2024, 1, 8) + dt.timedelta(weeks=i * 6)
        EducationOtherwise.objects.create(child=child, kind="ehe", start=start,
                                          source="synthetic: dissatisfied with school")
    counts = demo_seed(local_authority=la, on=dt.date(2026, 3, 2), seed=1)
    assert counts["EHE records"] == 12
    assert EHERecord.objects.filter(reason="dissatisfaction", education_otherwise__isnull=False).count() == 12
    assert EducationOtherwise.objects.count() == 12  # adopted, not duplicated
    assert demo_seed(local_authority=la, on=dt.date(2026, 3, 2), seed=1)["EHE records"] == 0  # nothing left to do
