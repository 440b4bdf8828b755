"""The Auditor: the explicit way every write and every read of a child's record is recorded.

    auditor = Auditor.from_request(request)
    auditor.record(AuditEvent.Action.VIEW, child, child_id=child.pk)

Jobs and commands use `Auditor.system("feeds.run_feeds")`. There is no anonymous audit: an Auditor
without an actor or a system id raises AnonymousAuditError (after breast screening's ADR-004).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from cme.audit.models import AuditEvent

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from cme.accounts.models import User


class AnonymousAuditError(Exception):
    pass


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy (CME_TRUST_X_FORWARDED_FOR, set by
    BEHIND_TLS_PROXY in production) the last X-Forwarded-For entry, the one the proxy wrote. deploy/nginx/cme.conf
    replaces any X-Forwarded-For the client sent with the address it connected from, and the app listens only on a
    unix socket or loopback, so that entry cannot be forged. Not trusted by default: anyone could send the header."""
    if settings.CME_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header, or not an address: fall back to the connection's address
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class Auditor:
    actor: User | None = None
    system_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Auditor:
        user = request.user if request.user.is_authenticated else None
        return cls(
            actor=user,  # type: ignore[arg-type]
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.path[:300],
        )

    @classmethod
    def for_user(cls, user: User) -> Auditor:
        return cls(actor=user)

    @classmethod
    def system(cls, system_id: str) -> Auditor:
        return cls(system_id=system_id)

    @property
    def label(self) -> str:
        if self.actor is not None:
            return self.actor.email
        if self.system_id:
            return f"system:{self.system_id}"
        raise AnonymousAuditError("An audit event needs a user or a system job id.")

    def _event(
        self,
        action: str,
        obj: Model | None = None,
        *,
        child_id: int | None = None,
        summary: str = "",
        changes: dict[str, Any] | None = None,
        reason: str = "",
        object_type: str = "",
        object_id: str = "",
        local_authority_id: int | None = None,
        actor_label: str | None = None,
    ) -> AuditEvent:
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
        la_id = local_authority_id
        if la_id is None and self.actor is not None:
            la_id = self.actor.local_authority_id
        return AuditEvent(
            actor=self.actor,
            actor_label=actor_label or self.label,
            actor_role=self.actor.role if self.actor is not None else "",
            local_authority_id=la_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            child_id=child_id,
            summary=summary[:300],
            changes=changes or {},
            reason=reason,
            ip_address=self.ip_address,
            user_agent=self.user_agent,
            path=self.path,
        )

    def record(self, action: str, obj: Model | None = None, **kwargs: Any) -> AuditEvent:
        event = self._event(action, obj, **kwargs)
        event.save()
        return event

    def record_many(self, action: str, objects: Iterable[Model], *, child_id_attr: str | None = None,
                    summary: str = "") -> int:
        """One row per object, written in bulk (list pages, imports)."""
        events = [
            self._event(action, obj, child_id=getattr(obj, child_id_attr) if child_id_attr else None, summary=summary)
            for obj in objects
        ]
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        return len(events)


#: Set on a request when a view (or an API endpoint) refuses it: the reason, written by `denial_record`.
DENIAL_ATTRIBUTE = "_cme_denial"
DENIAL_OUTCOMES = {403: "refused", 404: "not found in the user's scope"}


def denial_mark(request: HttpRequest, exception: BaseException) -> None:
    """Note that the request is being refused (PermissionDenied -> 403, Http404 -> 404) and why."""
    setattr(request, DENIAL_ATTRIBUTE, str(exception)[:120])


def denial_record(request: HttpRequest, *, status: int) -> AuditEvent | None:
    """One ACCESS_DENIED event for a refused request of a signed-in user (SECURITY-PLAN LOG-3): who, which route
    and object ids, the outcome (403 refused / 404 outside the scope or absent) and the reason. One insert.

    Anonymous requests are not audited as denials: they are sent to sign-in (HTML) or get a 401 (API), which the
    request log records; an unauthenticated client must not be able to fill the append-only audit table.
    """
    reason = getattr(request, DENIAL_ATTRIBUTE, None)
    user = getattr(request, "user", None)
    if reason is None or status not in DENIAL_OUTCOMES or user is None or not user.is_authenticated:
        return None
    match = request.resolver_match
    route = (match.view_name if match else "")[:60]
    target = ",".join(f"{key}={value}" for key, value in sorted((match.kwargs if match else {}).items()))[:64]
    return Auditor.from_request(request).record(
        AuditEvent.Action.ACCESS_DENIED, object_type=route, object_id=target,
        summary=f"{status} {DENIAL_OUTCOMES[status]}: {request.method} {route or request.path} ({reason})",
        changes={"status": status, "method": request.method or ""},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed (values made JSON-safe as strings)."""
    return {
        key: [None if before.get(key) is None else str(before.get(key)), None if value is None else str(value)]
        for key, value in after.items()
        if before.get(key) != value
    }
