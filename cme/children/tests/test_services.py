from __future__ import annotations

import datetime as dt

import pytest

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.children.models import ChildName
from cme.children.services import ChildChangedError, FlagInput, child_create, child_update, risk_flag_record
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
