"""Writes to children's records. Every write is audited; edits use an optimistic lock (Child.version)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, diff
from cme.children.models import Address, Child, ChildAddress, ChildName, RiskFlag, RiskFlagType
from cme.children.taxonomy import DEFAULT_RISK_FLAGS
from cme.core import names
from cme.law import postcode as postcodes
from cme.law import upn as upns

logger = logging.getLogger(__name__)


class ChildChangedError(Exception):
    """Someone else saved the child's record after this user loaded it (optimistic lock)."""

    def __init__(self, child: Child) -> None:
        self.child = child
        super().__init__(f"This record was changed at {child.updated_at:%H:%M on %d %B %Y} by someone else.")


def search_keys(*, forename: str, surname: str) -> dict[str, str]:
    """The indexed keys that make name search tolerant of typos, variants and sound-alikes."""
    surname_key = names.surname_key(surname)
    return {
        "forename_key": names.canonical_forename(forename),
        "surname_key": surname_key,
        "forename_phonetic": names.phonetic_key(names.canonical_forename(forename)),
        "surname_phonetic": names.phonetic_key(surname),
        "surname_prefix": surname_key[:3],
    }


def apply_search_keys(child: Child) -> None:
    for key, value in search_keys(forename=child.legal_forename, surname=child.legal_surname).items():
        setattr(child, key, value)
    child.upn = upns.normalise(child.upn) if child.upn else ""
    child.upn_is_temporary = bool(child.upn) and upns.is_temporary(child.upn)


EDITABLE_FIELDS = [
    "legal_forename", "legal_middle_names", "legal_surname", "preferred_forename", "preferred_surname",
    "date_of_birth", "sex", "upn", "nhs_number", "first_language", "other_languages", "ethnicity",
]


@transaction.atomic
def child_create(*, actor: Auditor, local_authority_id: int, source: str = "", **fields: Any) -> Child:
    child = Child(local_authority_id=local_authority_id, **fields)
    apply_search_keys(child)
    if child.current_postcode:
        child.current_postcode = postcodes.normalise(child.current_postcode) or ""
    child.full_clean(exclude=["local_authority", "merged_into"])
    child.save()
    ChildName.objects.create(
        child=child, kind=ChildName.Kind.LEGAL, forename=child.legal_forename, middle_names=child.legal_middle_names,
        surname=child.legal_surname, source=source, **_name_keys(child.legal_forename, child.legal_surname),
    )
    actor.record(AuditEvent.Action.CREATE, child, child_id=child.pk, summary=f"child record created ({source})")
    return child


@dataclass(frozen=True)
class NewChild:
    """One child to create in bulk: the Child fields, where the record came from, and an address if known."""

    fields: dict[str, Any]
    source: str = ""
    address: tuple[str, str, str, str] | None = None  # line1, line2, town, postcode


@transaction.atomic
def children_create_many(*, actor: Auditor, local_authority_id: int, new: Sequence[NewChild]) -> list[Child | None]:
    """Create many children at once (a council's first feed or extract): what `child_create` and `address_add` do
    for each, with a few bulk inserts instead of five statements a child. Returns one entry per item, in order:
    the child, or None where its details are not valid (the reason is logged, the others are still created)."""
    made: list[Child | None] = []
    for item in new:
        child = Child(local_authority_id=local_authority_id, **item.fields)
        apply_search_keys(child)
        if child.current_postcode:
            child.current_postcode = postcodes.normalise(child.current_postcode) or ""
        try:
            child.full_clean(exclude=["local_authority", "merged_into"])
        except ValidationError as exc:
            logger.info("No child created from %s: %s", item.source, exc)
            made.append(None)
            continue
        made.append(child)
    valid = [(item, child) for item, child in zip(new, made, strict=True) if child is not None]
    Child.objects.bulk_create([child for _, child in valid], batch_size=500)
    ChildName.objects.bulk_create([
        ChildName(child=child, kind=ChildName.Kind.LEGAL, forename=child.legal_forename,
                  middle_names=child.legal_middle_names, surname=child.legal_surname, source=item.source,
                  **_name_keys(child.legal_forename, child.legal_surname))
        for item, child in valid
    ], batch_size=500)
    events = [actor._event(AuditEvent.Action.CREATE, child, child_id=child.pk,
                           summary=f"child record created ({item.source})") for item, child in valid]
    homes: list[tuple[NewChild, Child, dict[str, str]]] = []
    for item, child in valid:
        fields = _address_fields(*item.address) if item.address else None
        if fields is not None:
            homes.append((item, child, fields))
    addresses = Address.objects.bulk_create([Address(**fields) for _, _, fields in homes], batch_size=500)
    links = ChildAddress.objects.bulk_create([
        ChildAddress(child=child, address=address, source=item.source[:100])
        for (item, child, _), address in zip(homes, addresses, strict=True)
    ], batch_size=500)
    events += [actor._event(AuditEvent.Action.CREATE, link, child_id=link.child_id,
                            local_authority_id=local_authority_id,
                            summary=f"address added to the address history ({link.source or 'no source given'})")
               for link in links]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return made


def _address_fields(line1: str, line2: str, town: str, postcode: str) -> dict[str, str] | None:
    """An address as `address_add` keeps it: first line required, postcode only if valid."""
    line1 = line1.strip()[:150]
    if not line1:
        return None
    postcode = (postcodes.normalise(postcode) or "") if postcode and postcodes.is_valid(postcode) else ""
    return {"line1": line1, "line2": line2.strip()[:150], "town": town.strip()[:100], "postcode": postcode}


def _name_keys(forename: str, surname: str) -> dict[str, str]:
    keys = search_keys(forename=forename, surname=surname)
    keys.pop("surname_prefix")
    return keys


@transaction.atomic
def child_update(*, actor: Auditor, child: Child, expected_version: int, reason: str = "", **changes: Any) -> Child:
    """Change a child's identity details. Refuses with ChildChangedError if the record moved on since it was
    loaded (two officers editing at once: the second is told, nothing is lost). Name changes keep history."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    before = {name: getattr(child, name) for name in changes}
    updated = Child.objects.filter(pk=child.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise ChildChangedError(Child.objects.get(pk=child.pk))
    fresh = Child.objects.select_for_update().get(pk=child.pk)
    old_names = (fresh.legal_forename, fresh.legal_middle_names, fresh.legal_surname)
    for name, value in changes.items():
        setattr(fresh, name, value)
    apply_search_keys(fresh)
    fresh.full_clean(exclude=["local_authority", "merged_into"])
    fresh.save()
    if (fresh.legal_forename, fresh.legal_middle_names, fresh.legal_surname) != old_names:
        today = timezone.localdate()
        ChildName.objects.filter(child=fresh, kind=ChildName.Kind.LEGAL, valid_to__isnull=True).update(
            kind=ChildName.Kind.FORMER, valid_to=today
        )
        ChildName.objects.create(
            child=fresh, kind=ChildName.Kind.LEGAL, forename=fresh.legal_forename,
            middle_names=fresh.legal_middle_names, surname=fresh.legal_surname, valid_from=today,
            source=f"changed by {actor.label}", **_name_keys(fresh.legal_forename, fresh.legal_surname),
        )
    actor.record(AuditEvent.Action.UPDATE, fresh, child_id=fresh.pk, changes=diff(before, changes), reason=reason,
                 summary="identity details changed")
    return fresh


@transaction.atomic
def name_add(*, actor: Auditor, child: Child, kind: str, forename: str, surname: str, source: str = "",
             valid_from: dt.date | None = None) -> ChildName:
    name = ChildName.objects.create(child=child, kind=kind, forename=forename, surname=surname, source=source,
                                    valid_from=valid_from, **_name_keys(forename, surname))
    actor.record(AuditEvent.Action.CREATE, name, child_id=child.pk, summary=f"{name.get_kind_display()} added")
    return name


@dataclass(frozen=True)
class FlagInput:
    code: str
    source: str
    identified_on: dt.date
    note: str = ""


@transaction.atomic
def address_add(*, actor: Auditor, child: Child, line1: str, line2: str = "", town: str = "", postcode: str = "",
                source: str = "") -> ChildAddress | None:
    """Add an address to the child's address history unless the child already has it (same first line, by its
    name key, and postcode). The postcode is kept only if valid. Audited. Returns the new link, or None."""
    fields = _address_fields(line1, line2, town, postcode)
    if fields is None:
        return None
    key = names.name_key(fields["line1"])
    for known in ChildAddress.objects.filter(child=child).select_related("address"):
        if names.name_key(known.address.line1) == key and known.address.postcode == fields["postcode"]:
            return None
    address = Address.objects.create(**fields)
    link = ChildAddress.objects.create(child=child, address=address, source=source[:100])
    actor.record(AuditEvent.Action.CREATE, link, child_id=child.pk, local_authority_id=child.local_authority_id,
                 summary=f"address added to the address history ({source or 'no source given'})")
    return link


def risk_flag_record(*, actor: Auditor, user: User | None, child: Child, flag: FlagInput) -> RiskFlag:
    flag_type = RiskFlagType.objects.get(code=flag.code, is_active=True)
    record = RiskFlag.objects.create(
        child=child, flag_type=flag_type, source=flag.source, identified_on=flag.identified_on, note=flag.note,
        recorded_by=user, recorded_by_label=actor.label,
    )
    actor.record(AuditEvent.Action.CREATE, record, child_id=child.pk, summary=f"risk flag: {flag_type.label}")
    return record


@transaction.atomic
def risk_flag_end(*, actor: Auditor, flag: RiskFlag, ended_on: dt.date, reason: str) -> RiskFlag:
    flag.ended_on = ended_on
    flag.save(update_fields=["ended_on"])
    actor.record(AuditEvent.Action.UPDATE, flag, child_id=flag.child_id, reason=reason, summary="risk flag ended")
    return flag


def risk_flag_types_ensure() -> int:
    """Create the default taxonomy where missing (used by the data migration, seed_demo and tests)."""
    created = 0
    for order, (code, label, severity, immediate) in enumerate(DEFAULT_RISK_FLAGS):
        _, was_created = RiskFlagType.objects.get_or_create(
            code=code,
            defaults={"label": label, "severity": severity, "needs_immediate_referral": immediate, "ordering": order},
        )
        created += int(was_created)
    return created
