"""Build the engine's input frames from the database, in a fixed number of queries (no per-row queries).

The engine (`cme.matching.linkage`) reads frames with the columns ``id, first_name, last_name, dob, sex,
postcode, address, upn, nhs_number`` and standardises them itself. Ids are namespaced so that one frame can
hold source records (``r<pk>``) and children (``c<pk>``, and ``c<pk>a<n>`` for a child's other names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cme.children.models import Child, ChildAddress, ChildIdentifier, ChildName

if TYPE_CHECKING:
    import pandas as pd
    from django.db.models import QuerySet

    from cme.core.models import LocalAuthority
    from cme.matching.models import SourceRecord

FRAME_COLUMNS = ("id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn", "nhs_number")
UPN_KINDS = (ChildIdentifier.Kind.FORMER_UPN, ChildIdentifier.Kind.TEMPORARY_UPN)
_IN = 900  # values per IN list (SQLite's bound-parameter limit on older builds is 999)


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
    index = ChildrenIndex()
    _add_rows(index, children, names_before=0)
    _add_identifiers(index, children.values("pk"))
    return index


def children_frame_chunks(local_authority: LocalAuthority, *, chunk_size: int = 2_000) -> Iterator[pd.DataFrame]:
    """The rows of ``children_index(local_authority).frame()``, as frames of about ``chunk_size`` children each
    (children in primary-key windows, each window's other names after its legal rows): the engine's right-hand
    side for a large LA without all of it in memory at once (``linkage.stream.link_frame_chunks``)."""
    children = Child.objects.filter(local_authority=local_authority, merged_into__isnull=True)
    pks = list(children.order_by("pk").values_list("pk", flat=True))
    names_before = 0
    for start in range(0, len(pks), chunk_size):
        window = children.filter(pk__gte=pks[start], pk__lte=pks[min(start + chunk_size, len(pks)) - 1])
        part = ChildrenIndex()
        names_before = _add_rows(part, window, names_before=names_before)
        yield part.frame()


def _add_rows(index: ChildrenIndex, children: QuerySet[Child], *, names_before: int) -> int:
    """Append the engine rows of ``children`` to ``index`` (legal and preferred names, then the other names) and
    fill ``live``, ``count`` and the UPN and NHS number look-ups. Other names are numbered in (child, name) order
    from ``names_before`` + 1 (so windows of one LA number them as a single pass would); returns the last number."""
    live = children.values("pk")
    addresses: dict[int, tuple[str, str]] = {}
    for child_id, line1, line2, town, postcode in (
        ChildAddress.objects.filter(child__in=live, end__isnull=True)
        .order_by("child_id", "-start", "-pk")
        .values_list("child_id", "address__line1", "address__line2", "address__town", "address__postcode")
    ):
        addresses.setdefault(child_id, (address_text(line1, line2, town), postcode))
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
    index.count += len(legal)
    index.live |= set(legal)
    seen: set[tuple[int, str, str]] = set()
    n = names_before
    for n, (child_id, forename, surname) in enumerate(
        ChildName.objects.filter(child__in=live).exclude(kind=ChildName.Kind.LEGAL)
        .order_by("child_id", "pk").values_list("child_id", "forename", "surname"),
        start=names_before + 1,
    ):
        base = legal.get(child_id)
        key = (child_id, forename.lower(), surname.lower())
        if base is None or key in seen or (key[1], key[2]) == base[:2] or not (forename or surname):
            continue
        seen.add(key)
        row = base[2]
        index.rows.append({**row, "id": f"{child_key(child_id)}a{n}", "first_name": forename or row["first_name"],
                           "last_name": surname or row["last_name"]})
    return n


def children_identifiers(local_authority: LocalAuthority, *, upns: Iterable[str] | None = None,
                         nhs_numbers: Iterable[str] | None = None) -> ChildrenIndex:
    """Only the identifier look-ups of `children_index` (no frame rows): two queries, for linking by UPN or NHS
    number alone (a feed's first load, where almost every record is identified that way).

    With ``upns`` and ``nhs_numbers``, the look-ups hold only those numbers (``live`` still holds every live
    child): enough to identify a given set of records without every child's numbers in memory."""
    index = ChildrenIndex()
    children = Child.objects.filter(local_authority=local_authority, merged_into__isnull=True)
    if upns is None and nhs_numbers is None:
        for pk, upn, nhs in children.values_list("pk", "upn", "nhs_number"):
            index.live.add(pk)
            if upn:
                index.by_upn[upn].add(pk)
            if nhs:
                index.by_nhs_number[nhs].add(pk)
        index.count = len(index.live)
        _add_identifiers(index, children.values("pk"))
        return index
    index.live = set(children.values_list("pk", flat=True))
    index.count = len(index.live)
    wanted_upns, wanted_nhs = sorted({u for u in upns or () if u}), sorted({n for n in nhs_numbers or () if n})
    for column, wanted, lookup in (("upn", wanted_upns, index.by_upn), ("nhs_number", wanted_nhs, index.by_nhs_number)):
        for start in range(0, len(wanted), _IN):
            chunk = wanted[start:start + _IN]
            for pk, value in children.filter(**{f"{column}__in": chunk}).values_list("pk", column):
                lookup[value].add(pk)
            kinds = UPN_KINDS if column == "upn" else (ChildIdentifier.Kind.NHS_NUMBER,)
            for child_id, value in ChildIdentifier.objects.filter(
                child__in=children.values("pk"), kind__in=list(kinds), value__in=chunk
            ).values_list("child_id", "value"):
                lookup[value].add(child_id)
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
