from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildName
from cme.children.services import (
    ChildChangedError,
    FlagInput,
    NewChild,
    address_add,
    child_create,
    child_update,
    children_create_many,
    risk_flag_record,
)
from cme.children.tests.factories import ChildFactory


def test_child_create_validates_and_keeps_a_legal_name(officer: User) -> None:
    child = child_create(actor=Auditor.for_user(officer), local_authority_id=officer.local_authority_id,
                         source="test", legal_forename="Zainab", legal_surname="Hussain",
                         date_of_birth=dt.date(2015, 6, 1), upn="x931200024001", current_postcode="ox41ab")
    assert child.upn == "X931200024001" and child.current_postcode == "OX4 1AB"
    assert child.names.get().kind == ChildName.Kind.LEGAL


def test_second_editor_is_told_and_nothing_is_lost(officer: User, manager: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_surname="Smith")
    loaded_version = child.version
    child_update(actor=Auditor.for_user(officer), child=child, expected_version=loaded_version, legal_surname="Smyth")
    with pytest.raises(ChildChangedError):
        child_update(actor=Auditor.for_user(manager), child=child, expected_version=loaded_version,
                     legal_surname="Smithe")
    child.refresh_from_db()
    assert child.legal_surname == "Smyth" and child.version == loaded_version + 1


def test_a_name_change_keeps_the_old_name_as_history(officer: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_surname="Smith")
    child_update(actor=Auditor.for_user(officer), child=child, expected_version=child.version, legal_surname="Jones")
    kinds = {(n.kind, n.surname) for n in child.names.all()}
    assert (ChildName.Kind.LEGAL, "Jones") in kinds


def test_risk_flag_records_source_date_and_who(officer: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority)
    flag = risk_flag_record(actor=Auditor.for_user(officer), user=officer, child=child,
                            flag=FlagInput("young_carer", "school", dt.date(2026, 1, 5)))
    assert flag.recorded_by == officer and flag.flag_type.severity == 2 and flag.source == "school"


@pytest.mark.django_db
def test_address_add_keeps_history_once_per_address_and_audits_it() -> None:
    from cme.audit.models import AuditEvent
    from cme.children.services import address_add

    child = ChildFactory()
    actor = Auditor.system("test")
    first = address_add(actor=actor, child=child, line1="12 Cowley Road", town="Oxford", postcode="ox41ab",
                        source="health record")
    assert first is not None
    assert (first.address.line1, first.address.postcode, first.source) == ("12 Cowley Road", "OX4 1AB",
                                                                           "health record")
    # the same first line (any case or spacing) and postcode is not added twice
    assert address_add(actor=actor, child=child, line1="12  cowley road", postcode="OX4 1AB") is None
    assert address_add(actor=actor, child=child, line1="", postcode="OX4 1AB") is None
    other = address_add(actor=actor, child=child, line1="3 High Street", postcode="not a postcode")
    assert other is not None and other.address.postcode == ""
    assert child.addresses.count() == 2
    assert AuditEvent.objects.filter(child_id=child.pk, action=AuditEvent.Action.CREATE,
                                     object_type="children.childaddress").count() == 2


def _new(i: int, **overrides: object) -> NewChild:
    fields = {"legal_forename": f"Amira{i}", "legal_middle_names": "", "legal_surname": "Okafor",
              "date_of_birth": dt.date(2014, 3, 1 + i % 28), "sex": "F", "upn": "", "nhs_number": "",
              "current_postcode": "ox41ab"} | overrides
    return NewChild(fields=fields, source="health extract record",
                    address=(f"{i} Mill Lane", "", "Oxford", "OX4 1AB"))


def test_children_create_many_makes_what_child_create_and_address_add_make(officer: User) -> None:
    actor = Auditor.for_user(officer)
    one = child_create(actor=actor, local_authority_id=officer.local_authority_id, source="health extract record",
                       **_new(0).fields)
    address_add(actor=actor, child=one, line1="0 Mill Lane", town="Oxford", postcode="OX4 1AB",
                source="health extract record")
    [many] = children_create_many(actor=actor, local_authority_id=officer.local_authority_id, new=[_new(0)])
    assert many is not None

    def shape(child: Child) -> tuple[object, ...]:
        child = Child.objects.get(pk=child.pk)
        name = child.names.get()
        address = child.addresses.select_related("address").get()
        events = sorted(AuditEvent.objects.filter(child_id=child.pk).values_list("action", "object_type", "summary"))
        return (child.legal_forename, child.current_postcode, child.forename_key, child.surname_phonetic,
                child.surname_prefix, name.kind, name.source, name.forename_key, str(address.address),
                address.source, events)

    assert shape(many) == shape(one)


def test_children_create_many_skips_invalid_details_and_keeps_the_rest(officer: User) -> None:
    made = children_create_many(actor=Auditor.for_user(officer), local_authority_id=officer.local_authority_id,
                                new=[_new(1), _new(2, date_of_birth=dt.date(1985, 1, 1)), _new(3)])
    assert [c is not None for c in made] == [True, False, True]
    assert set(Child.objects.values_list("legal_forename", flat=True)) == {"Amira1", "Amira3"}


def test_children_create_many_uses_a_few_bulk_statements_not_five_a_child(
        officer: User) -> None:
    actor = Auditor.for_user(officer)
    counts = []
    for size in (5, 200):
        with CaptureQueriesContext(connection) as queries:
            children_create_many(actor=actor, local_authority_id=officer.local_authority_id,
                                 new=[_new(i) for i in range(size)])
        counts.append(len(queries))
    # Bulk inserts (split only by the database's limit on parameters), not five statements a child (1,000 here).
    assert counts[0] <= 7 and counts[1] <= 200 // 5 and Child.objects.count() == 205
