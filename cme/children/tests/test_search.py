"""Find a child by UPN, name (typos, swapped names, sound-alikes), date of birth and postcode; scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cme.accounts.models import User
from cme.children.models import ChildName
from cme.children.selectors import ChildSearch, child_search
from cme.children.services import search_keys
from cme.children.tests.factories import ChildFactory, EnrolmentFactory


@pytest.fixture
def children(officer: User):  # type: ignore[no-untyped-def]
    la = officer.local_authority
    return {
        "muhammad": ChildFactory(local_authority=la, legal_forename="Muhammad", legal_surname="Ali",
                                 date_of_birth=dt.date(2016, 4, 3), current_postcode="OX4 1AB"),
        "katie": ChildFactory(local_authority=la, legal_forename="Katie", legal_surname="Fletcher",
                              date_of_birth=dt.date(2014, 1, 20), current_postcode="OX14 3DD"),
        "jonathan": ChildFactory(local_authority=la, legal_forename="Jonathan", legal_surname="Smith",
                                 date_of_birth=dt.date(2012, 7, 1), current_postcode="OX26 6AA"),
        "other": ChildFactory(local_authority=la, legal_forename="Zofia", legal_surname="Kowalska",
                              date_of_birth=dt.date(2013, 2, 2), current_postcode="OX4 2CD"),
    }


def names_found(user: User, **query: object) -> list[str]:
    return [f"{h.child.legal_forename} {h.child.legal_surname}" for h in child_search(user=user,
                                                                                      search=ChildSearch(**query))]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Mohammed Ali", "Muhammad Ali"),  # spelling variant
        ("Mohamed Aly", "Muhammad Ali"),  # variant + sound-alike surname
        ("Ali Muhammad", "Muhammad Ali"),  # transposed
        ("Katy Fletcher", "Katie Fletcher"),  # variant
        ("Katie Fletchr", "Katie Fletcher"),  # typo in surname
        ("Jonathon Smith", "Jonathan Smith"),  # typo in forename
        ("Jon Smyth", "Jonathan Smith"),  # nickname + sound-alike
        ("smith", "Jonathan Smith"),  # one word
    ],
)
def test_name_search_is_tolerant(officer: User, children: dict, query: str, expected: str) -> None:  # type: ignore[type-arg]
    found = names_found(officer, name=query)
    assert found and found[0] == expected
    assert "Zofia Kowalska" not in found


def test_search_by_upn_dob_postcode_and_combined(officer: User, children: dict) -> None:  # type: ignore[type-arg]
    katie = children["katie"]
    assert names_found(officer, upn=katie.upn) == ["Katie Fletcher"]
    assert names_found(officer, date_of_birth=dt.date(2016, 4, 3)) == ["Muhammad Ali"]
    assert names_found(officer, born_from=dt.date(2013, 1, 1), born_to=dt.date(2014, 12, 31)) == [
        "Katie Fletcher", "Zofia Kowalska"]
    assert sorted(names_found(officer, postcode="OX4")) == ["Muhammad Ali", "Zofia Kowalska"]
    assert names_found(officer, postcode="ox41ab") == ["Muhammad Ali"]
    assert names_found(officer, name="Muhammad Ali", date_of_birth=dt.date(2016, 4, 4)) == []


def test_former_names_are_searched(officer: User, children: dict) -> None:  # type: ignore[type-arg]
    katie = children["katie"]
    ChildName.objects.create(child=katie, kind=ChildName.Kind.FORMER, forename="Katie", surname="Brown",
                             **{k: v for k, v in search_keys(forename="Katie", surname="Brown").items()
                                if k != "surname_prefix"})
    assert names_found(officer, name="Katie Brown") == ["Katie Fletcher"]


def test_search_is_scoped_to_the_users_organisation(officer: User, outsider: User, school_user: User,
                                                    school, children: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    assert names_found(outsider, name="Muhammad Ali") == []
    assert names_found(school_user, name="Muhammad Ali") == []
    EnrolmentFactory(child=children["muhammad"], school=school)
    assert names_found(school_user, name="Muhammad Ali") == ["Muhammad Ali"]


def test_search_page_posts_and_keeps_names_out_of_the_url(client_for, officer: User, children: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    client = client_for(officer)
    response = client.post(reverse("children:search"), {"name": "Mohammed Ali"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 child found" in html and "Muhammad" in html
    assert "Mohammed" not in response.request["PATH_INFO"]


def test_search_page_shows_a_govuk_error_for_an_empty_search(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    response = client_for(officer).post(reverse("children:search"), {})
    assert "govuk-error-summary" in response.content.decode()


def test_search_is_audited(client_for, officer: User, children: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    from cme.audit.models import AuditEvent

    client_for(officer).post(reverse("children:search"), {"name": "Katie"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.changes == {"name": "Katie"}
