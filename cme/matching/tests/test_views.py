from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.matching.merging import child_merge
from cme.matching.models import LinkDecision, MatchCandidate, MergeRecord, SourceRecord
from cme.matching.tests.factories import MatchCandidateFactory, SourceRecordFactory

pytestmark = pytest.mark.usefixtures("fake_explain")


def child_pair_candidate(officer: User) -> MatchCandidate:
    a = ChildFactory(local_authority=officer.local_authority, legal_forename="Ann")
    b = ChildFactory(local_authority=officer.local_authority, legal_forename="Anne")
    low, high = sorted((a, b), key=lambda c: c.pk)
    return MatchCandidate.objects.create(local_authority=officer.local_authority, child=low, other_child=high,
                                         source="children", probability=0.75, match_weight=1.6)


# --- who may see what -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["school_user", "partner_user", "readonly_manager", "la_admin", "panel_member"])
def test_roles_without_linkage_review_are_refused(request: pytest.FixtureRequest, client_for, officer: User,  # type: ignore[no-untyped-def]
                                                  persona: str) -> None:
    candidate = MatchCandidateFactory(child=ChildFactory(local_authority=officer.local_authority))
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("matching:review-queue")).status_code == 403
    assert client.get(reverse("matching:review", args=[candidate.pk])).status_code == 403


def test_an_ehe_officer_cannot_review(client_for, la) -> None:  # type: ignore[no-untyped-def]
    ehe = UserFactory(role=Role.EHE_OFFICER, local_authority=la)
    assert client_for(ehe).get(reverse("matching:review-queue")).status_code == 403


def test_another_councils_pairs_are_not_found(client_for, officer: User, outsider: User) -> None:  # type: ignore[no-untyped-def]
    candidate = MatchCandidateFactory(child=ChildFactory(local_authority=officer.local_authority))
    client = client_for(outsider)
    response = client.get(reverse("matching:review-queue"))
    assert response.status_code == 200
    assert "Amelia Thompson" not in response.content.decode()
    assert client.get(reverse("matching:review", args=[candidate.pk])).status_code == 404
    assert client.post(reverse("matching:review", args=[candidate.pk]),
                       {"decision": "same"}).status_code == 404
    assert MatchCandidate.objects.get().status == "open"


def test_merge_pages_are_for_managers_only(client_for, officer: User, manager: User, outsider: User) -> None:  # type: ignore[no-untyped-def]
    a, b = ChildFactory(local_authority=officer.local_authority), ChildFactory(local_authority=officer.local_authority)
    record = child_merge(actor=Auditor.for_user(manager), user=manager, keep=a, merge=b, reason="Same")
    c = ChildFactory(local_authority=a.local_authority)
    for name, kwargs in (("merge-start", {}), ("merge-list", {}), ("merge-detail", {"pk": record.pk}),
                         ("merge-confirm", {"keep": a.pk, "merge": c.pk})):
        assert client_for(officer).get(reverse(f"matching:{name}", kwargs=kwargs)).status_code == 403
        assert client_for(manager).get(reverse(f"matching:{name}", kwargs=kwargs)).status_code == 200
    outsider.role = Role.ATTENDANCE_MANAGER
    outsider.save()
    client = client_for(outsider)
    assert client.get(reverse("matching:merge-detail", kwargs={"pk": record.pk})).status_code == 404
    assert client.get(reverse("matching:merge-confirm", kwargs={"keep": a.pk, "merge": ChildFactory(
        local_authority=a.local_authority).pk})).status_code == 404


# --- the queue --------------------------------------------------------------------------------------------------


def test_queue_query_count_does_not_grow_with_the_rows(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    la = officer.local_authority
    MatchCandidateFactory(child=ChildFactory(local_authority=la))
    child_pair_candidate(officer)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("matching:review-queue")).status_code == 200
    for i in range(20):
        MatchCandidateFactory(child=ChildFactory(local_authority=la), source_record__source=("health", "dwp")[i % 2])
        child_pair_candidate(officer)
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("matching:review-queue"))
    assert response.status_code == 200
    assert len(small.captured_queries) == len(big.captured_queries)
    assert "Page 1 of 2" in response.content.decode()


def test_queue_counts_by_source_and_age_and_orders_oldest_first(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    la = officer.local_authority
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        old = MatchCandidateFactory(child=ChildFactory(local_authority=la, legal_forename="Oldest"), probability=0.6)
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.UTC), tick=False):
        middle = MatchCandidateFactory(child=ChildFactory(local_authority=la, legal_forename="Middle"),
                                       source_record__source="dwp", probability=0.9)
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        new = MatchCandidateFactory(child=ChildFactory(local_authority=la, legal_forename="Newest"), probability=0.7)
        MatchCandidateFactory(child=ChildFactory(local_authority=la), status="rejected")
        client = client_for(officer)
        html = client.get(reverse("matching:review-queue")).content.decode()
        assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0" id="open-count">3</span>' in html
        assert html.index("Oldest Thompson") < html.index("Middle Thompson") < html.index("Newest Thompson")
        for age in ("35 working days", "6 working days", "0 working days"):  # counted by core.calendar
            assert age in html
        by_probability = client.get(reverse("matching:review-queue"), {"order": "probability"}).content.decode()
        assert by_probability.index("Middle Thompson") < by_probability.index("Newest Thompson") < (
            by_probability.index("Oldest Thompson"))
        dwp = client.get(reverse("matching:review-queue"), {"source": "dwp"}).content.decode()
        assert "Middle Thompson" in dwp and "Newest Thompson" not in dwp and "Oldest Thompson" not in dwp
        MatchCandidateFactory(child=ChildFactory(local_authority=la, legal_forename="Fresh"),
                              source_record__source="new_feed")
        fresh = client.get(reverse("matching:review-queue"), {"source": "new_feed"}).content.decode()
        assert "Fresh Thompson" in fresh and "Middle Thompson" not in fresh
        for key, band in (("new", "Up to 5 working days"), ("weeks", "6 to 20 working days"),
                          ("old", "Over 20 working days")):
            cell = '<td class="govuk-table__cell govuk-table__cell--numeric">1<'
            assert f'?age={key}">{band}</a></th>\n        {cell}' in html
        old_only = client.get(reverse("matching:review-queue"), {"age": "old"}).content.decode()
        assert reverse("matching:review", args=[old.pk]) in old_only
        assert all(reverse("matching:review", args=[c.pk]) not in old_only for c in (middle, new))


# --- reviewing a pair -------------------------------------------------------------------------------------------


def test_review_page_shows_both_records_field_by_field_and_the_weights(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    la = officer.local_authority
    child = ChildFactory(local_authority=la, legal_forename="Catherine", upn="")
    record = SourceRecordFactory(local_authority=la, forename="Kate", source="hmrc_child_benefit",
                                 date_of_birth=dt.date(2016, 5, 14), link_status="review")
    candidate = MatchCandidateFactory(source_record=record, child=child, probability=0.83)
    other = MatchCandidateFactory(source_record=record, child=ChildFactory(local_authority=la,
                                                                          legal_forename="Kathryn"))
    html = client_for(officer).get(reverse("matching:review", args=[candidate.pk])).content.decode()
    assert "Other possible matches for this record" in html
    assert reverse("matching:review", args=[other.pk]) in html
    for text in ("HMRC Child Benefit record", f"Child record {child.pk}", "Kate", "Catherine",
                 "Same name, another form", "Exact match on date of birth", "+6.5", "83.0%", "Starting point",
                 "<meter"):
        assert text in html, text
    candidate.refresh_from_db()
    assert candidate.explanation["comparisons"][0]["label"] == "First name"
    event = AuditEvent.objects.get(action="view", child_id=child.pk)
    assert event.actor == officer


def test_accepting_a_pair_links_the_record_and_is_audited(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    candidate = MatchCandidateFactory(child=ChildFactory(local_authority=officer.local_authority))
    response = client_for(officer).post(reverse("matching:review", args=[candidate.pk]),
                                        {"decision": "same", "reason": ""})
    assert response.status_code == 302 and response["Location"] == reverse("matching:review-queue")
    record = SourceRecord.objects.get()
    assert (record.child_id, record.link_status) == (candidate.child_id, "linked")
    assert AuditEvent.objects.filter(child_id=candidate.child_id, action="update", actor=officer).exists()


def test_rejecting_needs_a_reason_and_is_remembered(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    candidate = MatchCandidateFactory(child=ChildFactory(local_authority=officer.local_authority))
    client = client_for(officer)
    url = reverse("matching:review", args=[candidate.pk])
    response = client.post(url, {"decision": "different", "reason": ""})
    assert response.status_code == 200
    assert "Enter why these are not the same child" in response.content.decode()
    assert client.post(url, {"decision": "different", "reason": "Different date of birth"}).status_code == 302
    decision = LinkDecision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by) == ("different", "Different date of birth",
                                                                          officer)
    assert AuditEvent.objects.filter(child_id=candidate.child_id, reason="Different date of birth").exists()
    again = client.post(url, {"decision": "same"})
    assert "Someone has already decided this pair" in again.content.decode()


def test_a_possible_duplicate_child_offers_a_merge_to_managers_only(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                   manager: User) -> None:
    candidate = child_pair_candidate(officer)
    url = reverse("matching:review", args=[candidate.pk])
    merge_url = reverse("matching:merge-confirm", kwargs={"keep": candidate.child_id,
                                                          "merge": candidate.other_child_id})
    officer_html = client_for(officer).get(url).content.decode()
    assert "Are these two records one child?" in officer_html and merge_url not in officer_html
    assert "ask an attendance team manager" in officer_html
    assert merge_url in client_for(manager).get(url).content.decode()
    assert AuditEvent.objects.filter(action="view", child_id=candidate.other_child_id).exists()
    response = client_for(officer).post(url, {"decision": "same"})  # not a choice for two child records
    assert response.status_code == 200
    assert MatchCandidate.objects.get().status == "open"


# --- merging ----------------------------------------------------------------------------------------------------


def test_merge_start_checks_the_record_numbers(client_for, manager: User, outsider: User) -> None:  # type: ignore[no-untyped-def]
    la = manager.local_authority
    a, b = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    elsewhere = ChildFactory(local_authority=outsider.local_authority)
    client = client_for(manager)
    assert f'value="{a.pk}"' in client.get(reverse("matching:merge-start"), {"child": a.pk}).content.decode()
    response = client.post(reverse("matching:merge-start"), {"keep": a.pk, "merge": elsewhere.pk})
    assert f"There is no child record {elsewhere.pk} that you can merge" in response.content.decode()
    response = client.post(reverse("matching:merge-start"), {"keep": a.pk, "merge": a.pk})
    assert "Enter two different child record numbers" in response.content.decode()
    response = client.post(reverse("matching:merge-start"), {"keep": a.pk, "merge": b.pk})
    assert response["Location"] == reverse("matching:merge-confirm", kwargs={"keep": a.pk, "merge": b.pk})


def test_merge_confirmation_merges_and_refuses_stale_pages(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    la = manager.local_authority
    keep = ChildFactory(local_authority=la, legal_forename="Amelia")
    merge = ChildFactory(local_authority=la, legal_forename="Millie")
    client = client_for(manager)
    url = reverse("matching:merge-confirm", kwargs={"keep": keep.pk, "merge": merge.pk})
    html = client.get(url).content.decode()
    assert "Millie" in html and "Amelia" in html and f"Keep child record {merge.pk} instead" in html
    assert "What each record holds" in html
    assert AuditEvent.objects.filter(action="view", child_id=merge.pk, actor=manager).exists()
    Child.objects.filter(pk=merge.pk).update(version=5)  # someone edited it after the page was opened
    stale = client.post(url, {"reason": "Same child", "keep_version": 1, "merge_version": 1})
    assert "changed by someone else" in stale.content.decode()
    assert 'value="5"' in stale.content.decode()
    assert client.post(url, {"reason": "", "keep_version": 1, "merge_version": 5}).status_code == 200
    response = client.post(url, {"reason": "Same child", "keep_version": 1, "merge_version": 5})
    assert response["Location"] == reverse("children:detail", args=[keep.pk])
    assert Child.objects.get(pk=merge.pk).merged_into_id == keep.pk
    assert client.get(url).status_code == 404  # the merged record is no longer found


def test_merge_list_and_undo(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    la = manager.local_authority
    client = client_for(manager)

    def merge_one() -> MergeRecord:
        a, b = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
        return child_merge(actor=Auditor.for_user(manager), user=manager, keep=a, merge=b, reason="Same")

    record = merge_one()
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("matching:merge-list")).status_code == 200
    for _ in range(8):
        merge_one()
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("matching:merge-list"))
    assert len(small.captured_queries) == len(big.captured_queries)
    url = reverse("matching:merge-detail", args=[record.pk])
    assert "Undo this merge" in client.get(url).content.decode()
    assert "Enter why the merge is being undone" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Two children"}).status_code == 302
    assert Child.objects.get(pk=record.merged_id).merged_into_id is None
    assert "Undone by" in client.get(url).content.decode()


def test_the_merge_page_links_the_kept_record_and_its_name_stays_text(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    la = manager.local_authority
    kept = ChildFactory(local_authority=la, legal_forename="<script>alert(1)</script>", legal_surname="Ali")
    record = child_merge(actor=Auditor.for_user(manager), user=manager, keep=kept,
                         merge=ChildFactory(local_authority=la), reason="Same")
    html = client_for(manager).get(reverse("matching:merge-detail", args=[record.pk])).content.decode()
    assertInHTML(f'<a class="govuk-link" href="{reverse("children:detail", args=[kept.pk])}">'
                 f"&lt;script&gt;alert(1)&lt;/script&gt; Ali (record {kept.pk})</a>", html)
    assert "<script>alert(1)" not in html and "&lt;a class" not in html
