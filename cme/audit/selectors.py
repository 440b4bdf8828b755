from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent


def audit_event_list(*, user: User, actor: str = "", action: str = "", object_type: str = "",
                     child_id: int | None = None, date_from: date | None = None,
                     date_to: date | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the admin's own local authority, newest first, filtered."""
    events = AuditEvent.objects.filter(local_authority_id=user.local_authority_id)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if child_id is not None:
        events = events.filter(child_id=child_id)
    if date_from:
        events = events.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        events = events.filter(at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    return events.order_by("-at", "-id")
