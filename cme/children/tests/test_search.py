"""Find a child by UPN, name (typos, swapped names, sound-alikes), date of birth and postcode; scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cme.accounts.models import User
from cme.children.models import ChildIdentifier, ChildName
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


def test_a_upn_finds_the_child_holding_it_or_holding_it_as_another_identifier_in_scope_only(
        officer: User, outsider: User, children: dict) -> None:  # type: ignore[type-arg]
    katie, jonathan = children["katie"], children["jonathan"]
    former = "A801200100001"
    ChildIdentifier.objects.create(child=katie, kind=ChildIdentifier.Kind.FORMER_UPN, value=former)
    ChildIdentifier.objects.create(child=jonathan, kind=ChildIdentifier.Kind.TEMPORARY_UPN, value=former)
    elsewhere = ChildFactory(local_authority=outsider.local_authority, upn=former)
    assert sorted(names_found(officer, upn=former)) == ["Jonathan Smith", "Katie Fletcher"]
    assert names_found(officer, upn=katie.upn) == ["Katie Fletcher"]  # the child's own UPN as before
    assert names_found(officer, upn=former, name="Katie Fletcher") == ["Katie Fletcher"]  # combined with a name
    assert names_found(outsider, upn=former) == [f"{elsewhere.legal_forename} {elsewhere.legal_surname}"]
    assert names_found(officer, upn="B801200100001") == []


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


def _former(child, kind: str, forename: str, surname: str, **extra: object) -> None:  # type: ignore[no-untyped-def]
    ChildName.objects.create(child=child, kind=kind, forename=forename, surname=surname, **extra,
                             **{k: v for k, v in search_keys(forename=forename, surname=surname).items()
                                if k != "surname_prefix"})


def test_a_former_legal_name_and_an_alias_are_searched_but_history_stays_scoped(
        officer: User, outsider: User, children: dict) -> None:  # type: ignore[type-arg]
    katie, jonathan = children["katie"], children["jonathan"]
    _former(katie, ChildName.Kind.LEGAL, "Katie", "Okafor", valid_to=dt.date(2020, 1, 1))  # renamed in 2020
    _former(jonathan, ChildName.Kind.ALIAS, "Jay", "Pemberton")
    assert names_found(officer, name="Katie Okafor") == ["Katie Fletcher"]
    assert names_found(officer, name="Jay Pemberton") == ["Jonathan Smith"]
    # a child of another council with the same former name is not found by this council, nor ours by theirs
    _former(ChildFactory(local_authority=outsider.local_authority, legal_forename="Amy", legal_surname="Lee"),
            ChildName.Kind.FORMER, "Katie", "Okafor")
    assert names_found(officer, name="Katie Okafor") == ["Katie Fletcher"]
    assert names_found(outsider, name="Katie Okafor") == ["Amy Lee"]


def test_a_restricted_child_is_not_found_by_a_former_name(officer: User, children: dict) -> None:  # type: ignore[type-arg]
    """DP-6 (UK GDPR Art 18): the name-history query is scoped like the rest of the search."""
    katie = children["katie"]
    _former(katie, ChildName.Kind.FORMER, "Katie", "Brown")
    type(katie).objects.filter(pk=katie.pk).update(processing_restricted=True)
    assert names_found(officer, name="Katie Brown") == []
    assert names_found(officer, name="Katie Fletcher") == []


def test_equal_scores_are_listed_alphabetically(officer: User) -> None:
    for forename, surname in [("Amir", "Zane"), ("Amir", "Baker"), ("Amir", "Moss")]:
        ChildFactory(local_authority=officer.local_authority, legal_forename=forename, legal_surname=surname)
    assert names_found(officer, name="Amir") == ["Amir Baker", "Amir Moss", "Amir Zane"]


def test_results_page_loads_only_the_children_it_shows(client_for, officer: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """PERF-1: a common name ranks up to 200 children; the page shows 25 and loads just those 25."""
    from cme.children import selectors

    for n in range(30):
        ChildFactory(local_authority=officer.local_authority, legal_forename=f"Aaron{'x' * (n % 3)}",
                     legal_surname="Whitfield")
    loaded: list[int] = []
    hits = selectors.RankedSearch.hits

    def spy(self, ranked=None):  # type: ignore[no-untyped-def]
        found = hits(self, ranked)
        loaded.append(len(found))
        return found

    monkeypatch.setattr(selectors.RankedSearch, "hits", spy)
    client = client_for(officer)
    page_one = client.post(reverse("children:search"), {"name": "Whitfield"})
    page_two = client.post(reverse("children:search"), {"name": "Whitfield", "page": "2"})
    assert "30 children found" in page_one.content.decode()
    assert page_one.content.decode().count("Whitfield</a>") == 25
    assert page_two.content.decode().count("Whitfield</a>") == 5
    assert loaded == [25, 5]
