"""The policy module: the one place that says which role may do what.

Two questions, answered here and nowhere else:
1. May this role perform this action at all?  `has_permission(user, "child.view")` (function level, 403).
2. Which records may this user reach?  Each app's queryset `for_user(user)` asks `scope_for(user)`
   (object level: anything outside the scope is simply not found, 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied

from cme.accounts.roles import LA_CASEWORK_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest, HttpResponse

    from cme.accounts.models import User

R = Role
CASEWORK = set(LA_CASEWORK_ROLES)

#: action -> roles allowed. A missing action is refused (fail closed).
PERMISSIONS: dict[str, frozenset[str]] = {
    # Children and schools (issue 3)
    # The DPO finds a child to answer a data subject's request (Art 15-18): search and the child page, no casework.
    "child.search": frozenset(CASEWORK | {R.SCHOOL_USER, R.DATA_PROTECTION_OFFICER}),
    "child.view": frozenset(CASEWORK | {R.SCHOOL_USER, R.PANEL_MEMBER, R.DATA_PROTECTION_OFFICER}),
    "child.edit": frozenset(CASEWORK),
    "child.view_restricted_fields": frozenset(CASEWORK),
    "riskflag.record": frozenset(CASEWORK),
    "school.list": frozenset(CASEWORK | {R.READONLY_MANAGER}),
    "school.view": frozenset(CASEWORK | {R.SCHOOL_USER}),
    # Administration
    "audit.view": frozenset({R.SYSTEM_ADMIN}),
    "la.settings": frozenset({R.SYSTEM_ADMIN, R.ATTENDANCE_MANAGER}),
    # Reporting (aggregates only for read-only managers)
    "reports.aggregate": frozenset(CASEWORK | {R.READONLY_MANAGER}),
}


def has_permission(user: User | AnonymousUser, action: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        return False
    return user.role in allowed  # type: ignore[union-attr]


def check_permission(user: User | AnonymousUser, action: str) -> None:
    if not has_permission(user, action):
        raise PermissionDenied(f"Your role cannot {action}.")


V = TypeVar("V", bound=Callable[..., "HttpResponse"])


def permission_required(action: str) -> Callable[[V], V]:
    """View decorator: 403 unless the user's role has `action` (the object scope is the queryset's job)."""
    if action not in PERMISSIONS:
        raise KeyError(f"Unknown action {action!r}: add it to accounts.policy.PERMISSIONS")

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            check_permission(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.cme_permission = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


#: AUTH-3 (SECURITY-PLAN; ASVS v5.0.0 6.3.3): two-factor sign-in (a security code from an authenticator app, after
#: the password) is required for EVERY role, school and partner users included: they too see children's names,
#: addresses and (partners) the risks they report. No role is exempt and there is no setting to exempt one.
#: Built from `Role` itself, so a role added later needs two-factor without anyone remembering to add it here.
#: Enforced by `MFARequiredMiddleware` (pages) and `VerifiedSessionAuth` (the API with a browser session); API
#: bearer tokens are machine credentials issued by a system administrator and are not a sign-in.
#: Tested by tests/security/test_mfa_walk.py (every role x every route).
TWO_FACTOR_ROLES: frozenset[str] = frozenset(Role)


def two_factor_required(role: str) -> bool:
    """Whether a person with this role must pass the second step (a security code) before using the service.
    A role the service does not know is asked too (fail closed)."""
    return role in TWO_FACTOR_ROLES or role not in Role.values


@dataclass(frozen=True)
class Scope:
    """What part of the data a user reaches.

    kind: "la" (whole local authority), "organisation" (their school's pupils / their agency's submissions),
    "panel" (children on the agendas of their meetings) or "none" (aggregates only).
    """

    kind: str
    local_authority_id: int
    organisation_id: int | None = None
    #: UK GDPR Art 18 (DP-6): a child whose processing is restricted is reached by the DPO only. Every `for_user`
    #: drops such children (and every record about them) unless this is True (`children.models.hide_restricted`).
    sees_processing_restricted: bool = False


def scope_for(user: User) -> Scope:
    role = user.role
    if role == R.DATA_PROTECTION_OFFICER:
        return Scope("la", user.local_authority_id, sees_processing_restricted=True)
    if role in LA_CASEWORK_ROLES:
        return Scope("la", user.local_authority_id)
    if role in (R.SCHOOL_USER, R.PARTNER_USER):
        return Scope("organisation", user.local_authority_id, user.organisation_id)
    if role == R.PANEL_MEMBER:
        return Scope("panel", user.local_authority_id)
    return Scope("none", user.local_authority_id)


#: AC-4 (field level, ASVS v5.0.0-8.2.3): what "child.view_restricted_fields" (LA casework roles) adds to a child's
#: page. School users, panel members and partners see identity, school history and contacts, never these: the risk
#: flags (statutory vulnerable groups: exploitation, trafficking, FGM, forced marriage, honour-based violence,
#: radicalisation, care, ...) and the NHS number (health-sourced, not needed to find a pupil). Ethnicity is shown
#: to nobody on the page. Read-only managers see aggregates only (scope "none"). Tested by
#: tests/security/test_field_level.py against the data inventory (cme.privacy.inventory).
RESTRICTED_CHILD_FIELDS = ("risk_flags", "nhs_number")

# Every later capability's actions, declared here so the role table stays in one place.
PANEL_AND_CASEWORK = frozenset(CASEWORK | {R.PANEL_MEMBER})
PERMISSIONS.update({
    # Intake and triage (issue 4)
    "notification.triage": frozenset(CASEWORK),
    "notification.view_own": frozenset({R.SCHOOL_USER, R.PARTNER_USER}),
    "return.submit": frozenset({R.SCHOOL_USER}),
    "referral.submit_partner": frozenset({R.PARTNER_USER}),
    "mailbox.log": frozenset(CASEWORK),
    "la_enquiry.record": frozenset(CASEWORK),
    # Case work (issue 5)
    "case.view": frozenset(CASEWORK),
    "case.work": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "case.allocate": frozenset({R.ATTENDANCE_MANAGER}),
    "case.close": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "case.reopen": frozenset({R.ATTENDANCE_MANAGER}),
    "ctf.export": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "ctf.import": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "panel.view": PANEL_AND_CASEWORK,
    "panel.manage": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "panel.record_decision": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    # Feeds and linkage (issues 6, 7)
    "feeds.view": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER, R.SYSTEM_ADMIN}),
    "feeds.run": frozenset({R.ATTENDANCE_MANAGER, R.SYSTEM_ADMIN}),
    "linkage.review": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "child.merge": frozenset({R.ATTENDANCE_MANAGER}),
    # Registers (issue 8)
    "ehe.view": frozenset({R.EHE_OFFICER, R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "ehe.work": frozenset({R.EHE_OFFICER, R.ATTENDANCE_MANAGER}),
    "timetable.view": frozenset(CASEWORK | {R.SCHOOL_USER}),
    "timetable.submit": frozenset({R.SCHOOL_USER}),
    "timetable.review": frozenset({R.CME_OFFICER, R.ATTENDANCE_MANAGER}),
    "cnis.view": frozenset(CASEWORK),
    "cnis.work": frozenset({R.EHE_OFFICER, R.ATTENDANCE_MANAGER}),
    # Reporting and exports (issue 9): personal-data exports need a casework role
    "reports.export_personal": frozenset(CASEWORK),
    "api.token_manage": frozenset({R.SYSTEM_ADMIN}),
    # Data protection (issue 11): the DPO answers data subjects' rights (Art 15 access, Art 16 rectification,
    # Art 18 restriction) and oversees retention, legal holds and break-glass reads.
    **{a: frozenset(CASEWORK | {R.DATA_PROTECTION_OFFICER}) for a in ("privacy.sar", "privacy.rectify")},
    **{a: frozenset({R.ATTENDANCE_MANAGER, R.SYSTEM_ADMIN, R.DATA_PROTECTION_OFFICER})
       for a in ("privacy.retention", "privacy.breakglass_report")},
    # Art 18 restriction of processing (DP-6): recorded, lifted and listed by the DPO only.
    "privacy.restrict": frozenset({R.DATA_PROTECTION_OFFICER}),
})
