"""Writes to the Children Not In School register (s436B-G; R6.1-R6.4). Every write is audited.

Nothing is written unless the LA has turned the register on (`cnis_register_enabled`): the duty is not yet in
force (R6.1: commencement by regulations, no date announced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, Contact
from cme.cnis import rules
from cme.cnis.models import CNISEntry, CNISParent, CNISProvider, OutOfSchoolSetting, ProviderRequest
from cme.core.formatting import govuk_date
from cme.core.models import LocalAuthority

NOT_COMMENCED = ("The Children Not In School register is awaiting commencement regulations (Children's Wellbeing "
                 "and Schools Act 2026, s38). Nothing can be entered until the council turns it on.")


class CNISError(Exception):
    """A register rule refused the change; the message is shown to the officer."""


class CNISNotCommenced(CNISError):
    def __init__(self) -> None:
        super().__init__(NOT_COMMENCED)


def register_enabled(local_authority: LocalAuthority) -> bool:
    return bool(local_authority.cnis_register_enabled)


def _require_enabled(local_authority: LocalAuthority) -> None:
    if not register_enabled(local_authority):
        raise CNISNotCommenced()


@dataclass(frozen=True)
class OptionalInformation:
    """s436C(2): held or reasonably obtainable information; voluntary for parents (R6.3)."""

    eligibility_reason: str = ""
    special_educational_needs: str = ""
    protected_characteristics: str = ""
    s47_enquiries: bool | None = None
    child_in_need: bool | None = None
    looked_after: bool | None = None
    looked_after_reason: str = ""


@transaction.atomic
def cnis_entry_create(*, actor: Auditor, user: User | None, child: Child, registered_on: dt.date, home_address: str,
                      postcode: str = "", lives_in_area: bool, condition_c: str,
                      hours_with_parents: Decimal | None = None, hours_with_others: Decimal | None = None,
                      optional: OptionalInformation | None = None) -> CNISEntry:
    """Put a child on the register: all three conditions of s436B must be met (R6.2)."""
    la = child.local_authority
    _require_enabled(la)
    problems = rules.eligibility_problems(lives_in_area=lives_in_area, date_of_birth=child.date_of_birth,
                                          on=registered_on, condition_c=condition_c)
    if problems:
        raise CNISError(" ".join(problems))
    if not home_address.strip():
        raise CNISError("Enter the child's home address (s436C(1)(a)).")
    if CNISEntry.objects.filter(child=child, status=CNISEntry.Status.ACTIVE).exists():
        raise CNISError("This child is already on the register.")
    info = optional or OptionalInformation()
    entry = CNISEntry.objects.create(
        local_authority=la, child=child, registered_on=registered_on, home_address=home_address.strip(),
        postcode=postcode.strip().upper(), lives_in_area=lives_in_area, condition_c=condition_c,
        hours_with_parents=hours_with_parents, hours_with_others=hours_with_others,
        eligibility_reason=info.eligibility_reason, special_educational_needs=info.special_educational_needs,
        protected_characteristics=info.protected_characteristics, s47_enquiries=info.s47_enquiries,
        child_in_need=info.child_in_need, looked_after=info.looked_after,
        looked_after_reason=info.looked_after_reason, created_by_label=actor.label,
    )
    actor.record(AuditEvent.Action.CREATE, entry, child_id=child.pk, local_authority_id=la.pk,
                 summary=f"CNIS register entry ({entry.get_condition_c_display()[:4]})")
    return entry


@transaction.atomic
def cnis_parent_add(*, actor: Auditor, entry: CNISEntry, name: str, address: str = "", provides_education: bool,
                    hours_per_week: Decimal | None = None, contact: Contact | None = None) -> CNISParent:
    """s436C(1)(b)-(d): a parent, their address, whether they educate the child, and for how long."""
    _require_enabled(entry.local_authority)
    if contact is not None and not contact.child_links.filter(child_id=entry.child_id).exists():
        raise CNISError("Choose a parent or carer of this child.")
    if not name.strip():
        raise CNISError("Enter the parent's name.")
    parent = CNISParent.objects.create(entry=entry, contact=contact, name=name.strip(), address=address.strip(),
                                       provides_education=provides_education,
                                       hours_per_week=hours_per_week if provides_education else None)
    actor.record(AuditEvent.Action.CREATE, parent, child_id=entry.child_id, local_authority_id=entry.local_authority_id,
                 summary="CNIS parent added")
    return parent


@transaction.atomic
def cnis_provider_add(*, actor: Auditor, entry: CNISEntry, name: str, provider_type: str, address: str = "",
                      online_address: str = "", hours_per_week: Decimal | None = None,
                      hours_without_parent: Decimal | None = None,
                      setting: OutOfSchoolSetting | None = None) -> CNISProvider:
    """s436C(1)(e): another provider of the child's education."""
    _require_enabled(entry.local_authority)
    if setting is not None and setting.local_authority_id != entry.local_authority_id:
        raise CNISError("Choose one of the council's out-of-school settings.")
    if not (name.strip() or setting):
        raise CNISError("Enter the provider's name.")
    if not (address.strip() or online_address.strip() or setting):
        raise CNISError("Enter the address of each place, or the website or email if the education is online.")
    if hours_per_week is not None and hours_without_parent is not None and hours_without_parent > hours_per_week:
        raise CNISError("Hours without a parent present cannot be more than the hours with the provider.")
    provider = CNISProvider.objects.create(
        entry=entry, setting=setting, name=(name.strip() or (setting.name if setting else "")),
        provider_type=provider_type, address=address.strip() or (setting.address if setting else ""),
        online_address=online_address.strip() or (setting.online_address if setting else ""),
        hours_per_week=hours_per_week, hours_without_parent=hours_without_parent,
    )
    actor.record(AuditEvent.Action.CREATE, provider, child_id=entry.child_id,
                 local_authority_id=entry.local_authority_id, summary="CNIS provider added")
    return provider


@transaction.atomic
def cnis_entry_remove(*, actor: Auditor, entry: CNISEntry, removed_on: dt.date, reason: str) -> CNISEntry:
    _require_enabled(entry.local_authority)
    if entry.status != CNISEntry.Status.ACTIVE:
        raise CNISError("This entry was already removed.")
    if removed_on < entry.registered_on:
        raise CNISError("The removal date must be on or after the registration date.")
    if not reason.strip():
        raise CNISError("Say why the child is no longer eligible.")
    entry.status = CNISEntry.Status.REMOVED
    entry.removed_on = removed_on
    entry.removal_reason = reason.strip()
    entry.save()
    actor.record(AuditEvent.Action.UPDATE, entry, child_id=entry.child_id, local_authority_id=entry.local_authority_id,
                 reason=reason, summary="removed from the CNIS register")
    return entry


@transaction.atomic
def out_of_school_setting_create(*, actor: Auditor, local_authority: LocalAuthority, name: str, provider_type: str,
                                 address: str = "", online_address: str = "",
                                 contact_email: str = "") -> OutOfSchoolSetting:
    _require_enabled(local_authority)
    if not name.strip():
        raise CNISError("Enter the provider's name.")
    setting = OutOfSchoolSetting.objects.create(
        local_authority=local_authority, name=name.strip(), provider_type=provider_type, address=address.strip(),
        online_address=online_address.strip(), contact_email=contact_email.strip(),
    )
    actor.record(AuditEvent.Action.CREATE, setting, local_authority_id=local_authority.pk,
                 summary="out-of-school setting added")
    return setting


def last_request(setting: OutOfSchoolSetting) -> ProviderRequest | None:
    return setting.requests.order_by("-sent_on", "-id").first()


@transaction.atomic
def provider_request_send(*, actor: Auditor, user: User | None, setting: OutOfSchoolSetting, sent_on: dt.date,
                          entries: Iterable[CNISEntry] = (), notes: str = "") -> ProviderRequest:
    """Record a request to a provider for information about named children (s436E), at most once every 3 months
    per provider (R6.3)."""
    _require_enabled(setting.local_authority)
    OutOfSchoolSetting.objects.select_for_update().filter(pk=setting.pk).first()
    previous = last_request(setting)
    previous_on = previous.sent_on if previous else None
    if not rules.provider_request_allowed(previous_on, sent_on):
        allowed = rules.next_provider_request(previous_on)
        raise CNISError(f"The last request to this provider was on {govuk_date(previous_on)}. Requests may be made "
                        f"at most once every 3 months: the next one from {govuk_date(allowed)}.")
    chosen = list(entries)
    if any(e.local_authority_id != setting.local_authority_id for e in chosen):
        raise CNISError("Choose children on the council's register.")
    request = ProviderRequest.objects.create(local_authority=setting.local_authority, setting=setting,
                                             sent_on=sent_on, notes=notes.strip(), by=user, by_label=actor.label)
    request.entries.set(chosen)
    actor.record(AuditEvent.Action.CREATE, request, local_authority_id=setting.local_authority_id,
                 summary=f"request to a provider about {len(chosen)} children")
    for entry in chosen:
        actor.record(AuditEvent.Action.UPDATE, entry, child_id=entry.child_id,
                     local_authority_id=entry.local_authority_id, summary=f"named in a request to {setting.name}")
    return request
