"""Build the engine's input frames from the database, in a fixed number of queries (no per-row queries).

The engine (`cme.matching.linkage`) reads frames with the columns ``id, first_name, last_name, dob, sex,
postcode, address, upn, nhs_number`` and standardises them itself. Ids are namespaced so that one frame can
hold source records (``r<pk>``) and children (``c<pk>``, and ``c<pk>a<n>`` for a child's other names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cme.children.models import Child, ChildAddress, ChildIdentifier, ChildName

if TYPE_CHECKING:
    import pandas as pd

    from cme.core.models import LocalAuthority
    from cme.matching.models import SourceRecord

FRAME_COLUMNS = ("id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn", "nhs_number")
UPN_KINDS = (ChildIdentifier.Kind.FORMER_UPN, ChildIdentifier.Kind.TEMPORARY_UPN)


def record_key(pk: int) -> str:
    return f"r{pk}"


def child_key(pk: int) -> str:
    return f"c{pk}"


def child_pk_from_key(key: str) -> int:
    """``c12`` and ``c12a3`` (the child's third other name) both mean child 12."""
    return int(key[1:].split("a", 1)[0])


def record_pk_from_key(key: str) -> int:
    return int(key[1:])


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def record_row(record: SourceRecord) -> dict[str, Any]:
    return {
        "id": record_key(record.pk),
        "first_name": _blank_to_none(record.forename),
        "last_name": _blank_to_none(record.surname),
        "dob": _iso(record.date_of_birth),
        "sex": _blank_to_none(record.sex if record.sex in ("M", "F") else ""),
        "postcode": _blank_to_none(record.postcode),
        "address": _blank_to_none(record.address),
        "upn": _blank_to_none(record.upn),
        "nhs_number": _blank_to_none(record.nhs_number),
    }


def records_frame(records: Sequence[SourceRecord]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([record_row(r) for r in records], columns=list(FRAME_COLUMNS))


def address_text(line1: str, line2: str, town: str) -> str:
    return ", ".join(p for p in (line1, line2, town) if p)


@dataclass
class ChildrenIndex:
    """The LA's live (not merged) children as the engine's right-hand frame, plus identifier look-ups."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    live: set[int] = field(default_factory=set)
    by_upn: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_nhs_number: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    count: int = 0

    def frame(self, *, with_other_names: bool = True) -> pd.DataFrame:
        import pandas as pd

        rows = self.rows if with_other_names else [r for r in self.rows if "a" not in r["id"][1:]]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def children_index(local_authority: LocalAuthority, *, only: Iterable[int] | None = None) -> ChildrenIndex:
    """Four queries whatever the number of children: children, current addresses, other names, identifiers."""
    children = Child.objects.filter(local_authority=local_authority, merged_into__isnull=True)
    if only is not None:
        children = children.filter(pk__in=list(only))
    live = children.values("pk")
    addresses: dict[int, tuple[str, str]] = {}
    for child_id, line1, line2, town, postcode in (
        ChildAddress.objects.filter(child__in=live, end__isnull=True)
        .order_by("child_id", "-start", "-pk")
        .values_list("child_id", "address__line1", "address__line2", "address__town", "address__postcode")
    ):
        addresses.setdefault(child_id, (address_text(line1, line2, town), postcode))
    index = ChildrenIndex()
    legal: dict[int, tuple[str, str, dict[str, Any]]] = {}
    for pk, forename, surname, preferred, dob, sex, postcode, upn, nhs in children.values_list(
        "pk", "legal_forename", "legal_surname", "preferred_forename", "date_of_birth", "sex", "current_postcode",
        "upn", "nhs_number",
    ).order_by("pk"):
        address, address_postcode = addresses.get(pk, ("", ""))
        row = {
            "id": child_key(pk),
            "first_name": forename or None,
            "last_name": surname or None,
            "dob": _iso(dob),
            "sex": sex if sex in ("M", "F") else None,
            "postcode": postcode or address_postcode or None,
            "address": address or None,
            "upn": upn or None,
            "nhs_number": nhs or None,
        }
        index.rows.append(row)
        legal[pk] = (forename.lower(), surname.lower(), row)
        if upn:
            index.by_upn[upn].add(pk)
        if nhs:
            index.by_nhs_number[nhs].add(pk)
        if preferred and preferred.lower() != forename.lower():
            index.rows.append({**row, "id": f"{child_key(pk)}a0", "first_name": preferred})
    index.count = len(legal)
    index.live = set(legal)
    seen: set[tuple[int, str, str]] = set()
    for n, (child_id, forename, surname) in enumerate(
        ChildName.objects.filter(child__in=live).exclude(kind=ChildName.Kind.LEGAL)
        .order_by("child_id", "pk").values_list("child_id", "forename", "surname"),
        start=1,
    ):
        base = legal.get(child_id)
        key = (child_id, forename.lower(), surname.lower())
        if base is None or key in seen or (key[1], key[2]) == base[:2] or not (forename or surname):
            continue
        seen.add(key)
        row = base[2]
        index.rows.append({**row, "id": f"{child_key(child_id)}a{n}", "first_name": forename or row["first_name"],
                           "last_name": surname or row["last_name"]})
    _add_identifiers(index, live)
    return index


def children_identifiers(local_authority: LocalAuthority) -> ChildrenIndex:
    """Only the identifier look-ups of `children_index` (no frame rows): two queries, for linking by UPN or NHS
    number alone (a feed's first load, where almost every record is identified that way)."""
    index = ChildrenIndex()
    children = Child.objects.filter(local_authority=local_authority, merged_into__isnull=True)
    for pk, upn, nhs in children.values_list("pk", "upn", "nhs_number"):
        index.live.add(pk)
        if upn:
            index.by_upn[upn].add(pk)
        if nhs:
            index.by_nhs_number[nhs].add(pk)
    index.count = len(index.live)
    _add_identifiers(index, children.values("pk"))
    return index


def _add_identifiers(index: ChildrenIndex, live: Any) -> None:
    """Former and temporary UPNs and NHS numbers kept as identifiers also identify the child."""
    for child_id, kind, value in ChildIdentifier.objects.filter(
        child__in=live, kind__in=[*UPN_KINDS, ChildIdentifier.Kind.NHS_NUMBER]
    ).values_list("child_id", "kind", "value"):
        if kind == ChildIdentifier.Kind.NHS_NUMBER:
            index.by_nhs_number[value].add(child_id)
        else:
            index.by_upn[value].add(child_id)


def child_row(child: Child) -> dict[str, Any]:
    """One child as the engine's input (for explanations); uses prefetched addresses when present."""
    current = [a for a in child.addresses.all() if a.end is None]
    address = current[0].address if current else None
    return {
        "id": child_key(child.pk),
        "first_name": child.legal_forename or None,
        "last_name": child.legal_surname or None,
        "dob": _iso(child.date_of_birth),
        "sex": child.sex if child.sex in ("M", "F") else None,
        "postcode": child.current_postcode or (address.postcode if address else None) or None,
        "address": address_text(address.line1, address.line2, address.town) if address else None,
        "upn": child.upn or None,
        "nhs_number": child.nhs_number or None,
    }
