from __future__ import annotations

from typing import Any

from django.core import mail

from cme.accounts.models import User
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.notifications.demo import demo_seed
from cme.notifications.models import LAEnquiry, Notification
from cme.notifications.tests.conftest import TODAY


def test_demo_seed_fills_the_queue_through_the_services_without_sending(
        la: Any, school: Any, school_user: User, partner_user: User, officer: User,
        django_capture_on_commit_callbacks: Any) -> None:
    for i in range(10):
        EnrolmentFactory(child=ChildFactory(local_authority=la, legal_forename=f"Pupil{i}"), school=school)
    with django_capture_on_commit_callbacks(execute=True):
        counts = demo_seed(local_authority=la, on=TODAY, seed=1)
    assert counts["deletion returns"] == 6 and counts["new pupil returns"] == 2, counts
    assert counts["partner referrals"] >= 3 and counts["public reports"] == 3 and counts["mailbox emails"] == 2
    assert counts["enquiries with other LAs"] == 3 and counts["triaged"] == 3 and counts["skipped"] == 0
    assert Notification.objects.filter(status="new").exists() and LAEnquiry.objects.count() == 3
    assert Notification.objects.filter(kind="deletion_return", deletion_ground="I").exists()
    assert mail.outbox == []
    again = demo_seed(local_authority=la, on=TODAY, seed=1)
    assert again["deletion returns"] == 6  # runs again (new references), deterministic choices
