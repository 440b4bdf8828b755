from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.accounts.models import User
from cme.children.models import Child, ChildContact, ChildLink, Contact, EducationOtherwise, Residence
from cme.children.tests.factories import (
    ChildAddressFactory,
    ChildFactory,
    EnrolmentFactory,
    RiskFlagFactory,
    SchoolFactory,
)


def rich_child(officer: User, n_extra: int) -> Child:
    la = officer.local_authority
    child = ChildFactory(local_authority=la)
    for i in range(n_extra):
        school = SchoolFactory(local_authority=la)
        EnrolmentFactory(child=child, school=school, start=dt.date(2018 + i, 9, 1), end=dt.date(2018 + i, 12, 1))
        RiskFlagFactory(child=child)
        ChildAddressFactory(child=child)
        contact = Contact.objects.create(forename=f"Parent{i}", surname="Thompson")
        ChildContact.objects.create(child=child, contact=contact, relationship="mother", priority=i)
        sibling = ChildFactory(local_authority=la, legal_forename=f"Sib{i}")
        ChildLink.objects.create(child=child, other=sibling, kind=ChildLink.Kind.SIBLING)
        Residence.objects.create(child=child, in_area=True, start=dt.date(2016 + i, 1, 1))
        EducationOtherwise.objects.create(child=child, kind="ehe", start=dt.date(2010 + i, 1, 1),
                                          end=dt.date(2010 + i, 2, 1))
    return child


def test_child_page_query_count_does_not_grow_with_the_record(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    small, big = rich_child(officer, 1), rich_child(officer, 8)
    counts = []
    for child in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("children:detail", args=[child.pk]))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_child_page_shows_identity_status_flags_contacts_and_schools(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    child = rich_child(officer, 2)
    html = client_for(officer).get(reverse("children:detail", args=[child.pk])).content.decode()
    for text in ("Amelia Thompson", "Education status over time", "Child we care for", "Parent0 Thompson",
                 "School history", "Sib1 Thompson", child.upn):
        assert text in html


def test_outsider_and_other_school_get_404(client_for, officer: User, outsider: User, school_user: User,  # type: ignore[no-untyped-def]
                                           other_school_user: User, school) -> None:
    child = ChildFactory(local_authority=officer.local_authority)
    EnrolmentFactory(child=child, school=school)
    url = reverse("children:detail", args=[child.pk])
    assert client_for(officer).get(url).status_code == 200
    assert client_for(school_user).get(url).status_code == 200
    assert client_for(other_school_user).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_school_user_sees_only_their_own_school_page(client_for, school_user: User, school, other_school) -> None:  # type: ignore[no-untyped-def]
    client = client_for(school_user)
    assert client.get(reverse("children:school-detail", args=[school.pk])).status_code == 200
    assert client.get(reverse("children:school-detail", args=[other_school.pk])).status_code == 404
    assert client.get(reverse("children:my-school"))["Location"] == reverse("children:school-detail", args=[school.pk])
    assert client.get(reverse("children:school-list")).status_code == 403


@pytest.mark.parametrize("persona", ["partner_user", "readonly_manager", "la_admin"])
def test_roles_without_child_access_are_refused(request: pytest.FixtureRequest, client_for, officer: User,  # type: ignore[no-untyped-def]
                                                persona: str) -> None:
    child = ChildFactory(local_authority=officer.local_authority)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 403


def test_school_page_counts_roll_by_year_group(client_for, officer: User, school) -> None:  # type: ignore[no-untyped-def]
    for year in (1, 1, 2):
        EnrolmentFactory(child=ChildFactory(local_authority=officer.local_authority), school=school,
                         nc_year_actual=year)
    EnrolmentFactory(child=ChildFactory(local_authority=officer.local_authority), school=school, nc_year_actual=3,
                     end=dt.date(2022, 1, 1))
    html = client_for(officer).get(reverse("children:school-detail", args=[school.pk])).content.decode()
    assert "Pupils on roll today" in html
    assert ">2</td>" in html and ">1</td>" in html


def test_school_list_query_count_is_independent_of_size(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    SchoolFactory(local_authority=officer.local_authority)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("children:school-list"))
    for _ in range(30):
        SchoolFactory(local_authority=officer.local_authority)
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("children:school-list"))
    assert len(small.captured_queries) == len(big.captured_queries)


def test_a_restricted_record_needs_a_reason_which_is_audited(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    from cme.audit.models import AuditEvent

    child = ChildFactory(local_authority=officer.local_authority, is_restricted=True, legal_forename="Hidden")
    client = client_for(officer)
    url = reverse("children:detail", args=[child.pk])
    asked = client.get(url)
    assert asked.status_code == 302
    first = client.get(asked.url).content.decode()
    assert "This record is restricted" in first and "Hidden" not in first
    assert "govuk-error-summary" in client.post(asked.url, {"reason": ""}).content.decode()
    assert client.post(asked.url, {"reason": "Home visit planned today"}).url == url
    assert "Hidden" in client.get(url).content.decode()
    event = AuditEvent.objects.get(child_id=child.pk, summary__startswith="break-glass")
    assert event.reason == "Home visit planned today"


def test_ac4_school_user_is_not_shown_risk_flags_nhs_number_or_a_sibling_outside_their_school(  # type: ignore[no-untyped-def]
        client_for, officer: User, school_user: User, school, other_school) -> None:
    """AC-4 (accounts.policy.RESTRICTED_CHILD_FIELDS): the school sees its pupil's identity, not the risk flags or the
    NHS number; a sibling at another school is not named. The LA officer sees all of it."""
    child = ChildFactory(local_authority=officer.local_authority, nhs_number="9434765919")
    EnrolmentFactory(child=child, school=school)
    RiskFlagFactory(child=child)
    at_school = ChildFactory(local_authority=officer.local_authority, legal_forename="Samesch")
    EnrolmentFactory(child=at_school, school=school)
    elsewhere = ChildFactory(local_authority=officer.local_authority, legal_forename="Elsewhen")
    EnrolmentFactory(child=elsewhere, school=other_school)
    for other in (at_school, elsewhere):
        ChildLink.objects.create(child=child, other=other, kind=ChildLink.Kind.SIBLING)
    url = reverse("children:detail", args=[child.pk])
    officer_page = client_for(officer).get(url).content.decode()
    school_page = client_for(school_user).get(url).content.decode()
    for text in ("Risk flags", "Child we care for", "943 476 5919", "9434765919", "Elsewhen"):
        assert text not in school_page
    assert "Samesch" in school_page and child.upn in school_page
    assert "Child we care for" in officer_page and "9434765919" in officer_page and "Elsewhen" in officer_page
