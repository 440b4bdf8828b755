"""Data protection: retention purge with legal hold (DP-3, R8.3), subject access export coverage (DP-4),
rectification with history and optimistic lock (DP-5), break-glass report, re-authentication (SESS-6)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from cme.accounts.models import User
from cme.accounts.reauth import REAUTH_SESSION_KEY
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildName
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.privacy import sar
from cme.privacy.models import DestructionLog, RetentionRule
from cme.privacy.services import legal_hold_place, retention_purge

ON = dt.date(2026, 11, 20)


def signed_in_long_ago(client: Client) -> Client:
    """The session started an hour ago (still within the absolute limit): step-up is due."""
    from cme.accounts.middleware import SESSION_STARTED

    session = client.session
    session[SESSION_STARTED] = int(dt.datetime.now(dt.UTC).timestamp()) - 3600
    session.save()
    return client


def reauthed(client: Client) -> Client:
    session = client.session
    session[REAUTH_SESSION_KEY] = int(dt.datetime.now(dt.UTC).timestamp())
    session.save()
    return client


# --- DP-3 retention --------------------------------------------------------------------------------------------

def test_R8_3_default_schedule_marks_unconfirmed_periods(db: None) -> None:
    rules = {r.category: r for r in RetentionRule.objects.all()}
    assert rules["attendance_session"].confirmed and rules["attendance_session"].years == 6  # R3.1
    assert not rules["child_record"].confirmed and rules["child_record"].years == 31  # R8.3 UNCONFIRMED
    assert not rules["closed_case"].confirmed


def test_R8_3_purge_dry_run_first_then_anonymises_expired_except_held_and_is_idempotent(
        la: LocalAuthority, officer: User) -> None:
    expired = ChildFactory(local_authority=la, date_of_birth=dt.date(1990, 1, 1), upn="")
    held = ChildFactory(local_authority=la, date_of_birth=dt.date(1990, 2, 1))
    young = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 1))
    legal_hold_place(actor=Auditor.for_user(officer), user=officer, child=held, reason="IICSA retention instruction")

    report = {line.category: line for line in retention_purge(dry_run=True, on=ON)}
    assert report["child_record"].due == 1 and report["child_record"].done == 0
    assert Child.objects.get(pk=expired.pk).legal_surname == expired.legal_surname  # dry run changed nothing
    assert not DestructionLog.objects.exists()

    first = {line.category: line for line in retention_purge(dry_run=False, on=ON)}
    assert first["child_record"].done == 1
    gone = Child.objects.get(pk=expired.pk)
    assert gone.legal_surname == "Anonymised" and not ChildName.objects.filter(child=gone).exists()
    assert Child.objects.get(pk=held.pk).legal_surname == held.legal_surname
    assert Child.objects.get(pk=young.pk).legal_surname == young.legal_surname
    log = DestructionLog.objects.get(category="child_record")
    assert log.count == 1 and log.rule and expired.legal_surname not in log.rule  # no content

    second = retention_purge(dry_run=False, on=ON)
    assert sum(line.done for line in second) == 0
    assert DestructionLog.objects.count() == 1


def test_purge_command_dry_run_and_task(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("purge_expired", "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    from cme.privacy.tasks import daily_retention_purge

    assert daily_retention_purge.enqueue().return_value == 0


# --- DP-4 subject access ---------------------------------------------------------------------------------------

def test_DP_4_every_model_with_a_foreign_key_to_child_is_in_the_export() -> None:
    pointing = {m._meta.label_lower for m in apps.get_models()
                for f in m._meta.get_fields() if f.is_relation and f.concrete and f.related_model is Child
                and m is not Child}
    reached = sar.models_reached()
    skipped = pointing & sar.SKIP_MODELS
    assert not (pointing - reached - skipped), f"Not exported: {sorted(pointing - reached)}"


def test_DP_4_sar_export_has_records_audit_and_redaction_marks(la: LocalAuthority, officer: User,
                                                               client_for: Callable[[User], Client],
                                                               tmp_path: Path) -> None:
    child = ChildFactory(local_authority=la)
    client = client_for(officer)
    assert client.get(f"/children/{child.pk}/").status_code == 200  # a view to be reported
    assert client.get(f"/privacy/children/{child.pk}/subject-access/").status_code == 200
    response = signed_in_long_ago(client).post(f"/privacy/children/{child.pk}/subject-access/download/")
    assert response.status_code == 302 and "/account/confirm-it-is-you/" in response["Location"]  # SESS-6
    response = reauthed(client).post(f"/privacy/children/{child.pk}/subject-access/download/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["subject"]["id"] == child.pk
    assert any(e["actor_label"] == officer.email and e["action"] == "view" for e in data["audit"])
    assert AuditEvent.objects.filter(child_id=child.pk, action=AuditEvent.Action.EXPORT).exists()
    out = tmp_path / "sar.json"
    call_command("sar_export", str(child.pk), "--out", str(out))
    assert json.loads(out.read_text())["subject"]["id"] == child.pk


def test_sar_outsider_gets_404_and_school_user_403(la: LocalAuthority, outsider: User, school_user: User,
                                                   client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la)
    assert client_for(outsider).get(f"/privacy/children/{child.pk}/subject-access/").status_code == 404
    assert client_for(school_user).get(f"/privacy/children/{child.pk}/subject-access/").status_code == 403


# --- DP-5 rectification ----------------------------------------------------------------------------------------

def _form(child: Child, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"legal_forename": child.legal_forename, "legal_middle_names": "",
                               "legal_surname": child.legal_surname, "date_of_birth-day": child.date_of_birth.day,
                               "date_of_birth-month": child.date_of_birth.month,
                               "date_of_birth-year": child.date_of_birth.year, "version": child.version,
                               "reason": "Birth certificate seen"}
    data.update(overrides)
    return data


def test_DP_5_rectification_keeps_history_and_second_editor_is_told(la: LocalAuthority, officer: User,
                                                                   manager: User,
                                                                   client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la, legal_surname="Smyth")
    first, second = client_for(officer), client_for(manager)
    stale = _form(child, legal_surname="Smith")
    response = first.post(f"/privacy/children/{child.pk}/correct/", stale)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.legal_surname == "Smith" and child.version == 2
    event = AuditEvent.objects.get(child_id=child.pk, action=AuditEvent.Action.UPDATE)
    assert event.changes["legal_surname"] == ["Smyth", "Smith"] and event.reason == "Birth certificate seen"
    page = first.get(f"/privacy/children/{child.pk}/correct/").content.decode()
    assert "Smyth to Smith" in page
    # the second officer loaded version 1: told, nothing lost (CONC-1 on child edits)
    response = second.post(f"/privacy/children/{child.pk}/correct/", _form(child, version=1, legal_surname="Smitt"))
    assert response.status_code == 200 and "Someone else changed this record" in response.content.decode()
    child.refresh_from_db()
    assert child.legal_surname == "Smith"


# --- break-glass report ----------------------------------------------------------------------------------------

def test_breakglass_report_lists_reasons_for_managers_only(la: LocalAuthority, officer: User, manager: User,
                                                           outsider: User, dpo: User,
                                                           client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la, is_restricted=True)
    client = client_for(officer)
    client.get(f"/children/{child.pk}/")  # asks for the reason (DP-6)
    client.post(f"/children/{child.pk}/reason/", {"reason": "Safeguarding strategy meeting today"})
    page = client_for(manager).get("/privacy/restricted-record-access/")
    assert page.status_code == 200 and "Safeguarding strategy meeting today" in page.content.decode()
    for_dpo = client_for(dpo).get("/privacy/restricted-record-access/")
    assert "Safeguarding strategy meeting today" in for_dpo.content.decode()  # the DPO reviews them too
    assert client.get("/privacy/restricted-record-access/").status_code == 403
    other = client_for(outsider)
    assert "Safeguarding strategy" not in other.get("/privacy/restricted-record-access/").content.decode()


def test_retention_page_is_a_dry_run(manager: User, client_for: Callable[[User], Client]) -> None:
    assert client_for(manager).get("/privacy/retention/").status_code == 200
    assert not DestructionLog.objects.exists()


# --- SESS-6 re-authentication ----------------------------------------------------------------------------------

def test_reauth_wrong_password_refused_right_password_continues(officer: User,
                                                                client_for: Callable[[User], Client]) -> None:
    officer.set_password("correct horse battery staple")
    officer.save()
    client = signed_in_long_ago(client_for(officer))
    response = client.get("/ehe/export/csv/")
    assert response.status_code == 302 and "/account/confirm-it-is-you/" in response["Location"]
    bad = client.post("/account/confirm-it-is-you/", {"password": "wrong", "next": "/ehe/export/csv/"})
    assert bad.status_code == 200
    good = client.post("/account/confirm-it-is-you/", {"password": "correct horse battery staple",
                                                       "next": "/ehe/export/csv/"})
    assert good.status_code == 302 and good["Location"] == "/ehe/export/csv/"
    assert client.get("/ehe/export/csv/").status_code == 200
    evil = client.post("/account/confirm-it-is-you/", {"password": "correct horse battery staple",
                                                       "next": "https://evil.example.com/"})
    assert evil["Location"] == "/"


def test_breakglass_report_query_count_does_not_grow_with_rows(la: LocalAuthority, manager: User,
                                                               client_for: Callable[[User], Client]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(manager)
    client.get("/privacy/restricted-record-access/")

    def queries_with(n: int) -> int:
        for _ in range(n):
            child = ChildFactory(local_authority=la, is_restricted=True)
            Auditor.for_user(manager).record(AuditEvent.Action.VIEW, child, child_id=child.pk, reason="Review",
                                             summary="break-glass access to a restricted record")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/privacy/restricted-record-access/").status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(10)
