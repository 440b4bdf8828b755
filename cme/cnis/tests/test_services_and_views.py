"""The CNIS register: behind the LA's setting (R6.1, awaiting commencement), the s436C fields, provider requests at
most once every 3 months (R6.3), scope, exports and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.accounts.models import User
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import ChildContact, Contact
from cme.children.tests.factories import ChildFactory
from cme.cnis import services
from cme.cnis.models import CNISEntry, ProviderRequest
from cme.core.models import LocalAuthority

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
ACTOR = Auditor.system("test")


@pytest.fixture
def enabled(la: LocalAuthority) -> LocalAuthority:
    la.cnis_register_enabled = True
    la.save()
    return la


@pytest.fixture
def ehe_officer(la: LocalAuthority) -> User:
    return UserFactory(email="ehe@example.org", role="ehe_officer", local_authority=la)


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def entry(la: LocalAuthority, **fields: object) -> CNISEntry:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 6, 1), **fields)
    return services.cnis_entry_create(actor=ACTOR, user=None, child=child, registered_on=dt.date(2026, 3, 2),
                                      home_address="1 High Street, Oxford", postcode="OX1 1AA", lives_in_area=True,
                                      condition_c="a", hours_with_parents=Decimal("20"))


def test_R6_1_nothing_is_entered_until_the_register_is_turned_on(la: LocalAuthority) -> None:
    with pytest.raises(services.CNISNotCommenced, match="awaiting commencement regulations"):
        entry(la)
    assert not CNISEntry.objects.exists()


def test_R6_2_entry_needs_all_three_conditions_and_is_audited(enabled: LocalAuthority) -> None:
    toddler = ChildFactory(local_authority=enabled, date_of_birth=dt.date(2023, 1, 1))
    with pytest.raises(services.CNISError, match="Condition B"):
        services.cnis_entry_create(actor=ACTOR, user=None, child=toddler, registered_on=dt.date(2026, 3, 2),
                                   home_address="x", lives_in_area=True, condition_c="a")
    e = entry(enabled)
    assert AuditEvent.objects.filter(object_type="cnis.cnisentry", action="create", child_id=e.child_id).exists()
    with pytest.raises(services.CNISError, match="already on the register"):
        services.cnis_entry_create(actor=ACTOR, user=None, child=e.child, registered_on=dt.date(2026, 3, 2),
                                   home_address="x", lives_in_area=True, condition_c="a")


def test_R6_3_parents_and_providers(enabled: LocalAuthority) -> None:
    e = entry(enabled)
    contact = Contact.objects.create(forename="Sara", surname="Thompson")
    ChildContact.objects.create(child=e.child, contact=contact, relationship="mother")
    services.cnis_parent_add(actor=ACTOR, entry=e, name="Sara Thompson", address="1 High Street",
                             provides_education=True, hours_per_week=Decimal("20"), contact=contact)
    services.cnis_parent_add(actor=ACTOR, entry=e, name="Tom Thompson", provides_education=False,
                             hours_per_week=Decimal("5"))
    assert [(p.name, p.hours_per_week) for p in e.parents.all()] == [("Sara Thompson", Decimal("20.0")),
                                                                      ("Tom Thompson", None)]
    with pytest.raises(services.CNISError, match="address of each place"):
        services.cnis_provider_add(actor=ACTOR, entry=e, name="Tutor", provider_type="tutor")
    with pytest.raises(services.CNISError, match="without a parent"):
        services.cnis_provider_add(actor=ACTOR, entry=e, name="Tutor", provider_type="tutor", address="x",
                                   hours_per_week=Decimal("2"), hours_without_parent=Decimal("3"))
    provider = services.cnis_provider_add(actor=ACTOR, entry=e, name="Maths online", provider_type="online",
                                          online_address="maths.example", hours_per_week=Decimal("4"),
                                          hours_without_parent=Decimal("4"))
    assert provider.online_address == "maths.example"


def test_R6_3_provider_requests_at_most_every_3_months(enabled: LocalAuthority) -> None:
    setting = services.out_of_school_setting_create(actor=ACTOR, local_authority=enabled, name="Forest school",
                                                    provider_type="setting", address="Wood Lane")
    e = entry(enabled)
    services.cnis_provider_add(actor=ACTOR, entry=e, name="", provider_type="setting", setting=setting)
    services.provider_request_send(actor=ACTOR, user=None, setting=setting, sent_on=dt.date(2025, 11, 30),
                                   entries=[e])
    with pytest.raises(services.CNISError, match="next one from 28 February 2026"):
        services.provider_request_send(actor=ACTOR, user=None, setting=setting, sent_on=dt.date(2026, 2, 27))
    services.provider_request_send(actor=ACTOR, user=None, setting=setting, sent_on=dt.date(2026, 2, 28))
    assert ProviderRequest.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="cnis.cnisentry", child_id=e.child_id,
                                     summary__startswith="named in a request").count() == 1


@pytest.mark.parametrize("path", ["cnis:list", "cnis:settings", "cnis:setting-new"])
def test_R6_1_pages_show_the_awaiting_commencement_notice_when_off(client_for, manager: User, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(manager).get(reverse(path))
    html = response.content.decode()
    assert response.status_code == 200 and "Awaiting commencement regulations" in html
    assert "<form" not in html.split("govuk-main-wrapper")[-1]


def test_R6_1_no_data_entry_by_post_when_off(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=manager.local_authority)
    response = client_for(manager).post(reverse("cnis:new", args=[child.pk]), {"condition_c": "a"})
    assert "Awaiting commencement regulations" in response.content.decode()
    assert not CNISEntry.objects.exists()


@pytest.mark.parametrize("persona, status", [("officer", 200), ("manager", 200), ("school_user", 403),
                                             ("partner_user", 403), ("readonly_manager", 403)])
def test_who_sees_the_register(request: pytest.FixtureRequest, client_for, enabled: LocalAuthority,  # type: ignore[no-untyped-def]
                               persona: str, status: int) -> None:
    assert client_for(request.getfixturevalue(persona)).get(reverse("cnis:list")).status_code == status


@time_machine.travel(NOW)
def test_officer_puts_a_child_on_the_register(client_for, enabled: LocalAuthority, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=enabled, date_of_birth=dt.date(2015, 6, 1))
    client = client_for(ehe_officer)
    response = client.post(reverse("cnis:find"), {"upn": child.upn})
    assert response["Location"] == reverse("cnis:new", args=[child.pk])
    response = client.post(response["Location"], {
        "home_address": "1 High Street", "postcode": "OX1 1AA", "lives_in_area": "on", "condition_c": "b",
        "hours_with_parents": "10", "s47_enquiries": "no", **date_fields("registered_on", dt.date(2026, 3, 2))})
    assert response.status_code == 302
    e = CNISEntry.objects.get()
    assert e.condition_c == "b" and e.s47_enquiries is False and e.child_in_need is None
    response = client.post(reverse("cnis:parent-new", args=[e.pk]), {"contact": "other", "name": "Sara Thompson",
                                                                       "provides_education": "on",
                                                                       "hours_per_week": "10"})
    assert response.status_code == 302
    html = client.get(reverse("cnis:detail", args=[e.pk])).content.decode()
    assert "Sara Thompson" in html and "C(b)" in html
    assert AuditEvent.objects.filter(action="view", object_type="cnis.cnisentry", child_id=child.pk).exists()


def test_scope_officer_of_another_la_and_cme_officer_without_work(client_for, enabled: LocalAuthority,  # type: ignore[no-untyped-def]
                                                                  outsider: User, officer: User) -> None:
    e = entry(enabled)
    outsider.local_authority.cnis_register_enabled = True
    outsider.local_authority.save()
    assert client_for(outsider).get(reverse("cnis:detail", args=[e.pk])).status_code == 404
    assert client_for(officer).get(reverse("cnis:detail", args=[e.pk])).status_code == 200
    assert client_for(officer).get(reverse("cnis:parent-new", args=[e.pk])).status_code == 403


def test_list_query_count_and_export(client_for, enabled: LocalAuthority, manager: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    entry(enabled)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("cnis:list"))
    for _ in range(5):
        e = entry(enabled)
        services.cnis_parent_add(actor=ACTOR, entry=e, name="P", provides_education=True)
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("cnis:list"))
    assert len(small.captured_queries) == len(big.captured_queries)
    body = client.get(reverse("cnis:export-csv")).content.decode("utf-8-sig")
    assert body.count("1 High Street") == 6
    assert AuditEvent.objects.filter(action="export", object_type="cnis.cnisentry").count() == 1


@time_machine.travel(NOW)
def test_settings_page_shows_when_a_provider_may_next_be_asked(client_for, enabled: LocalAuthority,  # type: ignore[no-untyped-def]
                                                               manager: User) -> None:
    setting = services.out_of_school_setting_create(actor=ACTOR, local_authority=enabled, name="Forest school",
                                                    provider_type="setting")
    client = client_for(manager)
    response = client.post(reverse("cnis:request-new", args=[setting.pk]),
                           date_fields("sent_on", dt.date(2026, 2, 1)))
    assert response.status_code == 302
    html = client.get(reverse("cnis:settings")).content.decode()
    assert "From 1 May 2026" in html
    response = client.post(reverse("cnis:request-new", args=[setting.pk]),
                           date_fields("sent_on", dt.date(2026, 3, 2)))
    assert "at most once every 3 months" in response.content.decode()


def test_entry_page_links_to_the_child_and_escapes_names(client_for, enabled: LocalAuthority,  # type: ignore[no-untyped-def]
                                                         manager: User) -> None:
    e = entry(enabled, legal_forename="<b>Bo</b>")
    html = client_for(manager).get(reverse("cnis:detail", args=[e.pk])).content.decode()
    assert f'<a class="govuk-link" href="{reverse("children:detail", args=[e.child_id])}">' in html
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt;" in html
