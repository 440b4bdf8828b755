from __future__ import annotations

import pytest
from django.urls import reverse

from cme.accounts.models import User
from cme.audit.models import AuditEvent, AuditImmutableError
from cme.audit.services import AnonymousAuditError, Auditor
from cme.children import services as child_services
from cme.children.tests.factories import ChildFactory


def test_viewing_a_child_writes_an_audit_row(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    client_for(officer).get(reverse("children:detail", args=[child.pk]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, child_id=child.pk)
    assert event.actor == officer
    assert event.ip_address == "127.0.0.1"


def test_changing_a_child_writes_an_audit_row_with_the_change(officer: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_surname="Smith")
    child_services.child_update(actor=Auditor.for_user(officer), child=child, expected_version=child.version,
                                legal_surname="Smyth", reason="spelling corrected by parent")
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, child_id=child.pk)
    assert event.changes == {"legal_surname": ["Smith", "Smyth"]}
    assert event.reason == "spelling corrected by parent"


def test_audit_rows_cannot_be_changed_or_deleted(officer: User) -> None:
    event = Auditor.for_user(officer).record(AuditEvent.Action.VIEW, summary="x")
    event.summary = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_there_is_no_anonymous_audit(db: None) -> None:
    with pytest.raises(AnonymousAuditError):
        Auditor().record(AuditEvent.Action.VIEW)


def test_only_system_admins_see_the_audit_log_and_only_their_la(client_for, la_admin: User, officer: User,  # type: ignore[no-untyped-def]
                                                              outsider: User) -> None:
    Auditor.for_user(officer).record(AuditEvent.Action.VIEW, summary="seen in LA A")
    Auditor.for_user(outsider).record(AuditEvent.Action.VIEW, summary="seen in LA B")
    assert client_for(officer).get(reverse("audit:list")).status_code == 403
    page = client_for(la_admin).get(reverse("audit:list")).content.decode()
    assert "seen in LA A" in page and "seen in LA B" not in page
    filtered = client_for(la_admin).get(reverse("audit:list"), {"actor": "nobody"}).content.decode()
    assert "seen in LA A" not in filtered
