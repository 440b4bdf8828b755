"""Display logic for the review queue, the review page and merges (no queries: everything comes loaded)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone

from cme.children.models import Child
from cme.core import calendar, names
from cme.law import postcode as postcodes
from cme.matching.models import MatchCandidate, MergeRecord, SourceRecord

SEXES = {"M": "Male", "F": "Female", "U": "Not known"}
MOVED_LABELS = {
    "enrolments": "School enrolments",
    "names": "Names (kept as 'also known as')",
    "identifiers": "Other identifiers",
    "addresses": "Addresses",
    "contacts": "Parents and contacts",
    "risk_flags": "Risk flags",
    "education_otherwise": "Periods of education otherwise than at school",
    "residences": "Residence periods",
    "links": "Sibling and household links",
    "links_other": "Links from other children",
    "source_records": "Records from data sources",
    "candidates_superseded": "Pairs in the review queue set aside",
}


def working_days_old(created_at: dt.datetime, today: dt.date) -> int:
    return max(calendar.working_days_between(timezone.localdate(created_at), today), 0)


@dataclass(frozen=True)
class Side:
    """One side of a pair, as the reviewer reads it."""

    heading: str
    forename: str
    middle_names: str
    surname: str
    date_of_birth: dt.date | None
    sex: str
    postcode: str
    address: str
    upn: str
    nhs_number: str
    other_names: tuple[str, ...] = ()
    child_pk: int | None = None


def record_side(record: SourceRecord) -> Side:
    return Side(heading=f"{record.source_label} record {record.source_record_id}", forename=record.forename,
                middle_names=record.middle_names, surname=record.surname, date_of_birth=record.date_of_birth,
                sex=record.sex, postcode=record.postcode, address=record.address, upn=record.upn,
                nhs_number=record.nhs_number)


def child_side(child: Child) -> Side:
    current = [a for a in child.addresses.all() if a.end is None]
    address = current[0].address if current else None
    others = tuple(dict.fromkeys(
        f"{n.forename} {n.surname} ({n.get_kind_display().lower()})" for n in child.names.all()
        if n.kind != "legal" and (n.forename, n.surname) != (child.legal_forename, child.legal_surname)
    ))
    return Side(heading=f"Child record {child.pk}", forename=child.legal_forename,
                middle_names=child.legal_middle_names, surname=child.legal_surname,
                date_of_birth=child.date_of_birth, sex=child.sex, postcode=child.current_postcode or (
                    address.postcode if address else ""),
                address=", ".join(p for p in (address.line1, address.line2, address.town) if p) if address else "",
                upn=child.upn, nhs_number=child.nhs_number, other_names=others, child_pk=child.pk)


def _agreement(field: str, left: Any, right: Any) -> tuple[str, str]:
    """(text, tag class) for one field: the same, close, different, or missing on one side."""
    if not left or not right:
        return "Missing", "govuk-tag--grey"
    if field == "date_of_birth":
        if left == right:
            return "Same", "govuk-tag--green"
        if (left.month, left.day) == (right.day, right.month) and left.year == right.year:
            return "Day and month swapped", "govuk-tag--yellow"
        if left.year == right.year and left.month == right.month:
            return "Same month", "govuk-tag--yellow"
        return "Different", "govuk-tag--red"
    if field == "postcode":
        a, b = postcodes.normalise(left), postcodes.normalise(right)
        if a and b and a == b or str(left).upper() == str(right).upper():
            return "Same", "govuk-tag--green"
        if a and b and postcodes.district(a) == postcodes.district(b):
            return "Same district", "govuk-tag--yellow"
        return "Different", "govuk-tag--red"
    a, b = names.name_key(str(left)), names.name_key(str(right))
    if a == b:
        return "Same", "govuk-tag--green"
    if field == "forename" and names.canonical_forename(a) == names.canonical_forename(b):
        return "Same name, another form", "govuk-tag--yellow"
    if field in ("forename", "surname", "address") and names.similarity(a, b) >= 0.88:
        return "Similar", "govuk-tag--yellow"
    return "Different", "govuk-tag--red"


FIELDS = (
    ("forename", "First name"), ("middle_names", "Middle names"), ("surname", "Surname"),
    ("date_of_birth", "Date of birth"), ("sex", "Sex"), ("postcode", "Postcode"), ("address", "Address"),
    ("upn", "UPN"), ("nhs_number", "NHS number"),
)


@dataclass(frozen=True)
class FieldRow:
    label: str
    left: str
    right: str
    agreement: str
    tag_class: str


def _display(field: str, value: Any) -> str:
    if field == "date_of_birth":
        return f"{value.day} {value:%B %Y}" if value else ""
    if field == "sex":
        return SEXES.get(value, "")
    return str(value or "")


def field_rows(left: Side, right: Side) -> list[FieldRow]:
    """Each field of the two sides with whether they agree."""
    rows = []
    for field, label in FIELDS:
        a, b = getattr(left, field), getattr(right, field)
        text, tag = _agreement(field, a, b)
        rows.append(FieldRow(label, _display(field, a), _display(field, b), text, tag))
    return rows


class PairPresenter:
    """The two records side by side, field by field, with the engine's explanation beside them."""

    def __init__(self, candidate: MatchCandidate, explanation: dict[str, Any]) -> None:
        self.candidate = candidate
        self.explanation = explanation
        if candidate.source_record is not None:
            self.left = record_side(candidate.source_record)
        else:
            self.left = child_side(candidate.other_child)  # type: ignore[arg-type]
        self.right = child_side(candidate.child)

    @cached_property
    def rows(self) -> list[FieldRow]:
        return field_rows(self.left, self.right)

    @property
    def comparisons(self) -> list[dict[str, Any]]:
        return list(self.explanation.get("comparisons", []))

    @property
    def max_weight(self) -> float:
        weights = [abs(c["match_weight"]) for c in self.comparisons] + [abs(self.explanation.get(
            "prior_match_weight", 0))]
        return float(max(weights + [1.0]))

    @staticmethod
    def direction(weight: float) -> str:
        if abs(weight) < 0.05:
            return "neutral"
        return "for" if weight > 0 else "against"

    def bar_percent(self, weight: float) -> int:
        """Width of a weight's bar, as a share of the largest weight on the page."""
        return max(1, round(50 * abs(weight) / self.max_weight))


class QueueRow:
    def __init__(self, candidate: MatchCandidate, today: dt.date) -> None:
        self.candidate = candidate
        self.today = today

    @property
    def left_name(self) -> str:
        if self.candidate.source_record is not None:
            return self.candidate.source_record.full_name
        return self.candidate.other_child.legal_full_name  # type: ignore[union-attr]

    @property
    def left_dob(self) -> dt.date | None:
        if self.candidate.source_record is not None:
            return self.candidate.source_record.date_of_birth
        return self.candidate.other_child.date_of_birth  # type: ignore[union-attr]

    @cached_property
    def age(self) -> int:
        return working_days_old(self.candidate.created_at, self.today)


@dataclass(frozen=True)
class MovedRow:
    label: str
    count: int


def moved_rows(record: MergeRecord) -> list[MovedRow]:
    return [MovedRow(label, len(record.moved.get(key) or [])) for key, label in MOVED_LABELS.items()
            if record.moved.get(key)]
