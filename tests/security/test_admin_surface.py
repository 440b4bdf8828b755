"""AC-8 (SECURITY-PLAN; ASVS v4.0.3 4.3.1, v5.0.0 8.4.2): the Django admin is for system administrators only,
and only after two-factor authentication.

Every admin URL (the index, each app's page, and each registered model's list, add, change, delete and history
pages, with a real record) is requested by each of the 7 other roles (signed in, past two-factor where the role
needs it) with GET (and POST on the add, change and delete pages): none gets an admin page.
Following the redirects ends on the service's sign-in page (the admin's own login form is replaced by it); nothing
is written. A system administrator who has only passed
the password step is sent to two-factor; after it, the admin opens. Run with `-s` for the figures.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client
from django.urls import reverse

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory

PERSONAS = {Role.CME_OFFICER: "officer", Role.ATTENDANCE_MANAGER: "manager", Role.SCHOOL_USER: "school_user",
            Role.PARTNER_USER: "partner_user", Role.READONLY_MANAGER: "readonly_manager",
            Role.PANEL_MEMBER: "panel_member", Role.SYSTEM_ADMIN: "la_admin"}
ADMIN_MARK = "Children missing education: system administration"


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}") for page in ("changelist", "add")]
        obj = model._default_manager.order_by("pk").first()  # the admin's own view: all rows
        if obj is not None:
            urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])
                     for page in ("change", "delete", "history")]
    return sorted(set(urls))


def _row_counts() -> Counter[str]:
    return Counter({m._meta.label: m._default_manager.count() for m in admin.site._registry if
                    isinstance(m, type) and issubclass(m, models.Model)})


@pytest.fixture
def everyone(request: pytest.FixtureRequest, la) -> dict[str, User]:  # type: ignore[no-untyped-def]
    users = {role: request.getfixturevalue(name) for role, name in PERSONAS.items()}
    users[Role.EHE_OFFICER] = UserFactory(email="ehe@example.org", role=Role.EHE_OFFICER, local_authority=la)
    assert set(users) == set(Role)
    return users


def test_ac8_no_other_role_reaches_an_admin_page(everyone: dict[str, User], client_for) -> None:  # type: ignore[no-untyped-def]
    urls = admin_urls()
    writes = [url for url in urls if url.endswith(("/add/", "/change/", "/delete/"))]
    clients = {role: client_for(user) for role, user in everyone.items() if role != Role.SYSTEM_ADMIN}
    before, log_before = _row_counts(), LogEntry.objects.count()
    outcomes: Counter[str] = Counter()
    reached: list[str] = []
    for role, client in clients.items():
        for url in urls:
            for method in ("get", "post") if url in writes else ("get",):
                response = getattr(client, method)(url, follow=True)
                final = response.redirect_chain[-1][0] if response.redirect_chain else url
                body = response.content.decode()
                outcomes[f"{response.status_code} {final.split('?')[0]}"] += 1
                if ADMIN_MARK in body or (response.status_code == 200 and final.startswith("/admin/")):
                    reached.append(f"{role} {method.upper()} {url}")
    cells = 7 * (len(urls) + len(writes))
    print(f"\nAC-8: 7 roles x ({len(urls)} admin URLs GET + {len(writes)} add/change/delete POST) = {cells} "
          f"requests; admin pages reached "
          f"{len(reached)}; outcomes {dict(outcomes)}")
    assert len(urls) >= 30
    assert reached == []
    assert sum(outcomes.values()) == cells
    assert _row_counts() == before and LogEntry.objects.count() == log_before


def test_ac8_the_system_admin_reaches_the_admin_only_after_two_factor(la_admin: User) -> None:
    urls = admin_urls()
    password_only = Client()
    password_only.force_login(la_admin)
    statuses = {url: password_only.get(url) for url in urls}
    assert all(r.status_code == 302 and r["Location"] == reverse("accounts:two-factor") for r in statuses.values())
    from cme.personas import sign_in

    verified = sign_in(Client(), la_admin)
    pages = [url for url in urls if verified.get(url).status_code == 200]
    print(f"\nAC-8: system admin, password only: {len(urls)} of {len(urls)} admin URLs sent to two-factor; "
          f"after two-factor {len(pages)} open")
    assert reverse("admin:index") in pages and ADMIN_MARK in verified.get(reverse("admin:index")).content.decode()


def test_ac8_anonymous_is_sent_to_the_services_sign_in(db: None) -> None:
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:sign-in"))
    assert ADMIN_MARK not in response.content.decode()


def test_ac8_every_admin_change_is_an_audit_event(la_admin: User, officer: User) -> None:
    from cme.audit.models import AuditEvent
    from cme.core.tests.factories import OrganisationFactory
    from cme.personas import sign_in

    client = sign_in(Client(), la_admin)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    changed = client.post(url, {"email": officer.email, "full_name": "Renamed Officer", "job_title": "",
                                "role": officer.role, "local_authority": officer.local_authority_id,
                                "organisation": "", "is_active": "on"})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    organisation = OrganisationFactory(local_authority=la_admin.local_authority, name="Closed agency")
    deleted = client.post(reverse("admin:core_organisation_delete", args=[organisation.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    events = AuditEvent.objects.filter(summary__startswith="admin:", actor=la_admin)
    assert set(events.values_list("action", flat=True)) == {AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE}
    assert events.get(action=AuditEvent.Action.UPDATE).object_id == str(officer.pk)
