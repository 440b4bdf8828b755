"""CONC-2 and CONC-3 (SECURITY-PLAN; ASVS v4.0.3-11.1.6, v5.0.0-15.4.2): case edits and case opening under real
concurrency, with threads, each on its own database connection.

- CONC-2: 20 threads x 50 edits of one case through `case_update` (the optimistic lock: a conditional UPDATE on
  `Case.version`). Every edit either wins (version + 1) or is refused with CaseChangedError; none is lost:
  final version == 1 + successes, conflicts == attempts - successes.
- CONC-3: two officers open a case for the same child at the same moment (both past the service's "already open?"
  check before either saves): exactly one case; the other officer gets CaseAlreadyOpenError naming it (the partial
  unique constraint `one_open_case_per_child` decides).

These need PostgreSQL (row locks, concurrent writers); on SQLite, which lets one writer in at a time and has no
`SELECT ... FOR UPDATE`, they are skipped. CI runs the suite on both (.ci/run).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import Case
from cme.cases.tests.factories import open_case
from cme.children.tests.factories import ChildFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, EDITS = 20, 50


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers and has no row locks (DATABASE_URL=postgres://...)")


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads started together; each thread closes its own connection."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def test_conc2_twenty_threads_fifty_conditional_updates_lose_nothing(officer: User) -> None:
    case = open_case(user=officer)
    assert case.version == 1

    def edit(i: int) -> Counter[str]:
        tally: Counter[str] = Counter()
        actor = Auditor.system(f"conc2-thread-{i}")
        for n in range(EDITS):
            fresh = Case.objects.get(pk=case.pk)  # what this "officer" loaded
            tally["attempts"] += 1
            try:
                services.case_update(actor=actor, user=None, case=fresh, expected_version=fresh.version,
                                     case_type=fresh.case_type, summary=f"edit {i}-{n}")
            except services.CaseChangedError:
                tally["conflicts"] += 1
            else:
                tally["successes"] += 1
        return tally

    total: Counter[str] = sum(_in_threads(THREADS, edit), Counter())
    case.refresh_from_db()
    print(f"\nCONC-2: {total['attempts']} attempts, {total['successes']} successes, "  # noqa: T201
          f"{total['conflicts']} conflicts, final version {case.version}")
    assert total["attempts"] == THREADS * EDITS
    assert case.version == 1 + total["successes"]
    assert total["conflicts"] == total["attempts"] - total["successes"]
    assert total["successes"] > 0
    assert case.summary.startswith("edit ")  # the last winner's summary, whole


def test_conc3_two_officers_opening_a_case_for_one_child_at_once_get_one_case_and_one_clean_error(
        officer: User, manager: User, monkeypatch: pytest.MonkeyPatch) -> None:
    child = ChildFactory(local_authority=officer.local_authority)
    both_checked = threading.Barrier(2)
    original_save = Case.save

    def save_after_both_checked(self: Case, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            both_checked.wait(timeout=30)  # both officers are past "is a case already open?"
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Case, "save", save_after_both_checked)

    def open_for(i: int) -> str:
        user = (officer, manager)[i]
        try:
            case = services.case_open(actor=Auditor.for_user(user), user=user, child=child, summary=f"by {i}")
        except services.CaseAlreadyOpenError as error:
            return f"refused: {error}"
        return f"opened {case.reference}"

    outcomes = _in_threads(2, open_for)
    cases = list(Case.objects.filter(child=child))
    print(f"\nCONC-3: {outcomes}")  # noqa: T201
    assert len(cases) == 1 and cases[0].is_open
    assert sorted(o.split(":")[0].split(" ")[0] for o in outcomes) == ["opened", "refused"]
    refused = next(o for o in outcomes if o.startswith("refused"))
    assert cases[0].reference in refused  # the clean error names the case that won
    assert cases[0].status_history.count() == 1 and cases[0].enquiries.count() > 0


def test_conc3_two_referrals_about_one_child_at_once_make_one_queue_item(
        la: Any, partner_user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two agencies refer the same child at the same moment (both past the "already awaiting triage?" check): one
    queue item, the other report attached to it, two distinct references (constraint
    one_new_notification_per_dedupe_key and the unique reference; notification_receive retries the loser)."""
    import datetime as dt

    from cme.notifications.models import Notification
    from cme.notifications.services import triage

    both_checked = threading.Barrier(2)
    original_reference_next = triage.reference_next
    waited: set[int] = set()

    def reference_after_both_checked(**kwargs: Any) -> str:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_checked.wait(timeout=30)
        return original_reference_next(**kwargs)

    monkeypatch.setattr(triage, "reference_next", reference_after_both_checked)
    reported = triage.Reported(forename="Ada", surname="Example", date_of_birth=dt.date(2015, 3, 1))
    key = triage.identity_key(forename="Ada", surname="Example", date_of_birth=dt.date(2015, 3, 1))

    def refer(i: int) -> str:
        notification = triage.notification_receive(
            actor=Auditor.system(f"conc3-referral-{i}"), local_authority=la, kind=Notification.Kind.PARTNER_REFERRAL,
            reported=reported, summary=f"referral {i}", submitted_by=partner_user, dedupe_key=key, notify=False)
        return notification.reference

    references = _in_threads(2, refer)
    rows = list(Notification.objects.filter(dedupe_key=key).order_by("pk"))
    print(f"\nCONC-3 referrals: {[(r.reference, r.status) for r in rows]}")  # noqa: T201
    assert len(rows) == 2 and len(set(references)) == 2
    assert sorted(r.status for r in rows) == ["attached", "new"]
    queued = next(r for r in rows if r.status == "new")
    assert next(r for r in rows if r.status == "attached").duplicate_of_id == queued.pk
