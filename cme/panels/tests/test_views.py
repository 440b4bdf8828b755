"""Panel pages end to end (schedule, agenda, attendees, decisions, minutes PDF), and the scoping of panel members:
they see only their meetings and, while their access lasts, only the cases on those agendas."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import Task
from cme.cases.tests.factories import open_case
from cme.children.models import ChildAccessGrant
from cme.children.tests.factories import ChildFactory
from cme.panels import services
from cme.panels.models import Decision, PanelMeeting
from cme.panels.tests.factories import meeting


def pdf_text(content: bytes) -> str:
    """The text drawn on the pages (fpdf2 compresses page streams with zlib)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    return "\n".join(out)


def date_fields(name: str, day: dt.date) -> dict[str, int]:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def test_schedule_build_invite_decide_and_minutes_end_to_end(client_for, manager: User, officer: User,  # type: ignore[no-untyped-def]
                                                             panel_member: User) -> None:
    client = client_for(manager)
    held_on = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(reverse("panels:new"), {
        "term": "Autumn term 2026", "location": "County Hall", "starts_at": "10:00", **date_fields("held_on", held_on),
        "terms_of_reference": SimpleUploadedFile("tor.pdf", b"%PDF-1.4\nterms\n%%EOF", "application/pdf")})
    panel = PanelMeeting.objects.get()
    assert response["Location"] == reverse("panels:detail", args=[panel.pk])
    assertInHTML(f'<a class="govuk-link" href="{reverse("panels:terms-of-reference", args=[panel.pk])}">'
                 "Download the terms of reference</a>", client.get(response["Location"]).content.decode())
    case = open_case(user=officer, opened_at=timezone.now() - dt.timedelta(days=80))
    client.post(reverse("panels:agenda-build", args=[panel.pk]))
    item = panel.items.get()
    assert "Open more than 6 weeks" in item.reasons
    client.post(reverse("panels:attendee-add", args=[panel.pk]), {"user": panel_member.pk})
    client.post(reverse("panels:attendee-add", args=[panel.pk]), {"name": "DS Kaur", "agency": "Thames Valley Police"})
    assert panel.attendees.count() == 2
    client.post(reverse("panels:item", args=[item.pk]), {"action": "discussion",
                                                         "discussion": "Family thought to be in Leeds."})
    response = client.post(reverse("panels:item", args=[item.pk]), {
        "action": "decision", "outcome": "continue_enquiries", "text": "Ask Leeds CME team.",
        "action_1": "Email Leeds CME officer", "action_1_owner": officer.pk, **date_fields("action_1_due", held_on)})
    assert response.status_code == 302
    assert Task.objects.get(case=case).title == "Email Leeds CME officer"
    response = client.get(reverse("panels:minutes", args=[panel.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("OFFICIAL-SENSITIVE", case.reference, "Amelia Thompson", "Continue enquiries",
                     "Email Leeds CME officer", "DS Kaur", "Family thought to be in Leeds."):
        assert expected in text, expected
    assert "OX4" not in text and case.child.upn not in text  # no child details beyond name, DOB and case ref
    tor = client_for(panel_member).get(reverse("panels:terms-of-reference", args=[panel.pk]))
    assert tor.status_code == 200 and tor["Content-Disposition"].startswith("attachment")


def test_panel_members_see_only_their_meetings_and_agenda_children(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                   panel_member: User, la) -> None:
    actor = Auditor.for_user(officer)
    mine, theirs = meeting(user=officer), meeting(user=officer, term="Spring term 2027")
    on_agenda = open_case(user=officer, child=ChildFactory(local_authority=la, legal_forename="Agenda"))
    other_meeting_case = open_case(user=officer, child=ChildFactory(local_authority=la, legal_forename="Elsewhere"))
    not_on_any = ChildFactory(local_authority=la, legal_forename="Nowhere")
    item = services.panel_item_add(actor=actor, meeting=mine, case=on_agenda)
    other_item = services.panel_item_add(actor=actor, meeting=theirs, case=other_meeting_case)
    services.panel_attendee_add(actor=actor, meeting=mine, user=panel_member)
    client = client_for(panel_member)
    listing = client.get(reverse("panels:list")).content.decode()
    assert reverse("panels:detail", args=[mine.pk]) in listing
    assert reverse("panels:detail", args=[theirs.pk]) not in listing
    page = client.get(reverse("panels:detail", args=[mine.pk])).content.decode()
    assert "Agenda Thompson" in page and "Elsewhere" not in page
    assert "Build the agenda" not in page and "Invite someone" not in page
    assert client.get(reverse("panels:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("panels:item", args=[item.pk])).status_code == 200
    assert client.get(reverse("panels:item", args=[other_item.pk])).status_code == 404
    assert client.get(reverse("children:detail", args=[on_agenda.child_id])).status_code == 200
    assert client.get(reverse("children:detail", args=[other_meeting_case.child_id])).status_code == 404
    assert client.get(reverse("children:detail", args=[not_on_any.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[on_agenda.pk])).status_code == 403
    assert client.get(reverse("cases:list")).status_code == 403
    minutes = pdf_text(client.get(reverse("panels:minutes", args=[mine.pk])).content)
    assert "Agenda Thompson" in minutes and "Elsewhere" not in minutes
    assert AuditEvent.objects.filter(actor=panel_member, action="view", child_id=on_agenda.child_id).exists()


def test_panel_members_cannot_manage_or_decide(client_for, officer: User, panel_member: User) -> None:  # type: ignore[no-untyped-def]
    actor = Auditor.for_user(officer)
    panel = meeting(user=officer)
    item = services.panel_item_add(actor=actor, meeting=panel, case=open_case(user=officer))
    services.panel_attendee_add(actor=actor, meeting=panel, user=panel_member)
    client = client_for(panel_member)
    assert client.get(reverse("panels:new")).status_code == 403
    assert client.post(reverse("panels:agenda-build", args=[panel.pk])).status_code == 403
    assert client.get(reverse("panels:attendee-add", args=[panel.pk])).status_code == 403
    assert client.get(reverse("panels:settings")).status_code == 403
    response = client.post(reverse("panels:item", args=[item.pk]), {"action": "decision",
                                                                    "outcome": "other", "text": "x"})
    assert response.status_code == 403 and not Decision.objects.exists()


def test_panel_members_lose_the_agenda_when_their_access_expires(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                 panel_member: User) -> None:
    actor = Auditor.for_user(officer)
    panel = meeting(user=officer)
    case = open_case(user=officer)
    item = services.panel_item_add(actor=actor, meeting=panel, case=case)
    services.panel_attendee_add(actor=actor, meeting=panel, user=panel_member)
    expiry = ChildAccessGrant.objects.get(user=panel_member).expires_at
    with time_machine.travel(expiry + dt.timedelta(minutes=1)):
        client = client_for(panel_member)
        page = client.get(reverse("panels:detail", args=[panel.pk])).content.decode()
        assert "Your access to this meeting" in page and "Amelia Thompson" not in page
        assert client.get(reverse("panels:item", args=[item.pk])).status_code == 404
        assert client.get(reverse("children:detail", args=[case.child_id])).status_code == 404


def test_outsiders_and_other_roles(client_for, officer: User, outsider: User, school_user: User,  # type: ignore[no-untyped-def]
                                   partner_user: User, la) -> None:
    panel = meeting(user=officer)
    item = services.panel_item_add(actor=Auditor.for_user(officer), meeting=panel, case=open_case(user=officer))
    for url in (reverse("panels:detail", args=[panel.pk]), reverse("panels:item", args=[item.pk]),
                reverse("panels:minutes", args=[panel.pk])):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(school_user).get(url).status_code == 403
        assert client_for(partner_user).get(url).status_code == 403
    uninvited = UserFactory(role=Role.PANEL_MEMBER, local_authority=la)
    assert client_for(uninvited).get(reverse("panels:detail", args=[panel.pk])).status_code == 404
    assert client_for(uninvited).get(reverse("panels:minutes", args=[panel.pk])).status_code == 404


def test_panel_home_shows_the_next_meeting(client_for, officer: User, panel_member: User) -> None:  # type: ignore[no-untyped-def]
    panel = meeting(user=officer)
    services.panel_attendee_add(actor=Auditor.for_user(officer), meeting=panel, user=panel_member)
    html = client_for(panel_member).get(reverse("core:home")).content.decode()
    assert "Multi-agency CME panel" in html and reverse("panels:detail", args=[panel.pk]) in html
    assert "Next panel" in client_for(officer).get(reverse("core:home")).content.decode()


def test_meeting_list_query_count_is_fixed(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    meeting(user=officer)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("panels:list"))
    for n in range(6):
        meeting(user=officer, held_on=timezone.localdate() - dt.timedelta(days=100 + n))
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("panels:list"))
    assert len(small.captured_queries) == len(big.captured_queries)


def test_agenda_page_query_count_is_fixed(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    panel = meeting(user=officer)
    first = services.panel_item_add(actor=Auditor.for_user(officer), meeting=panel, case=open_case(user=officer))
    services.panel_decision_record(actor=Auditor.for_user(officer), user=officer, item=first, outcome="other",
                                   text="noted")
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("panels:detail", args=[panel.pk]))
    for _ in range(5):
        item = services.panel_item_add(actor=Auditor.for_user(officer), meeting=panel, case=open_case(user=officer))
        services.panel_decision_record(actor=Auditor.for_user(officer), user=officer, item=item, outcome="other",
                                       text="noted")
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("panels:detail", args=[panel.pk]))
    assert len(small.captured_queries) == len(big.captured_queries)
