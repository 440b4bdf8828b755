"""Restricted records: a reason before any page shows them ("break glass"; SECURITY-PLAN DP-6, UK GDPR Art 18).

A child marked `Child.is_restricted` (for example living in a refuge, at risk of being traced) is still worked on,
but no page, form or API read shows the child's record until the user has said why they need it. The reason is
audited (a VIEW event carrying it) and reported to managers (privacy: "Access to restricted records").

How a view uses it: after fetching its record through the user's scope, call `require_reason(request, child)` with
every child the page would show. It returns when the record is not restricted or a reason was given in this
session; otherwise it raises `ReasonRequired`. `RestrictedRecordMiddleware` turns that into a redirect to the reason
form (`children:reason`), which sends the user back to the page. The API answers 403 with a clear message unless the
request carries the reason in the `X-CME-Access-Reason` header (audited for each request).

Lists (search results, queues, registers, the panel agenda) show "Restricted record" in place of the name and date
of birth (the `restricted(child)` template global, cme/jinja2.py), and link to the record, which asks for the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

    from cme.children.models import Child

SESSION_KEY = "cme_break_glass"  # child ids the user gave a reason for, this session
PENDING_KEY = "cme_break_glass_pending"  # the child and page that asked for a reason last
SUMMARY = "break-glass access to a restricted record"
API_HEADER = "X-CME-Access-Reason"
MIN_API_REASON = 10


#: What lists and exports show in place of a restricted child's name (DP-6).
LABEL = "Restricted record"


class ReasonRequired(Exception):
    """A page or API read would show a restricted child's record without a reason given."""

    def __init__(self, child_id: int) -> None:
        super().__init__(f"Child {child_id} is a restricted record: a reason is needed to see it.")
        self.child_id = child_id


def reason_given(request: HttpRequest, child_id: int) -> bool:
    session = getattr(request, "session", None)
    return session is not None and child_id in session.get(SESSION_KEY, [])


def needs_reason(request: HttpRequest, child: Child | None) -> bool:
    return child is not None and child.is_restricted and not reason_given(request, child.pk)


def masker(request: HttpRequest) -> Callable[[Child], bool]:
    """For a list export: which children's identity cells to leave out (restricted, no reason given this session).

    The row stays, with its record number, so the officer can open the record and give the reason."""
    return lambda child: needs_reason(request, child)


def require_reason(request: HttpRequest, *children: Child | None) -> None:
    """Raise ReasonRequired for the first restricted child on the page the user has given no reason for.

    An API request may give the reason in the X-CME-Access-Reason header instead: it is audited each time."""
    for child in children:
        if child is None or not needs_reason(request, child):
            continue
        header = request.headers.get(API_HEADER, "").strip()
        if len(header) >= MIN_API_REASON:
            _audit(request, child.pk, header[:500])
            continue
        raise ReasonRequired(child.pk)


def give_reason(request: HttpRequest, child_id: int, reason: str) -> None:
    """Record the reason (audited, reported) and let this session see the child's record."""
    _audit(request, child_id, reason)
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), child_id]


def _audit(request: HttpRequest, child_id: int, reason: str) -> None:
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, object_type="children.child",
                                         object_id=str(child_id), child_id=child_id, summary=SUMMARY, reason=reason)


def remember_pending(request: HttpRequest, child_id: int, next_path: str) -> None:
    request.session[PENDING_KEY] = {"child": child_id, "next": next_path}


def pending(request: HttpRequest, child_id: int) -> str | None:
    """The page to go back to, if a page about this child asked this session for a reason; else None."""
    value: Any = request.session.get(PENDING_KEY)
    if isinstance(value, dict) and value.get("child") == child_id and isinstance(value.get("next"), str):
        return str(value["next"])
    return None

