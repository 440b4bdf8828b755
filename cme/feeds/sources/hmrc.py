"""HMRC Child Benefit: children for whom Child Benefit is paid to a claimant living in the area (extract).

Evidence of residence in the area (R2.1) for the `never_accessed_education` rule. The claimant is kept in the
raw record for the officer's enquiries (R2.5), not used for matching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel, field_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "hmrc_child_benefit"
ALIASES = aliases(
    source_record_id=("claim reference", "child reference", "cb reference"),
    forename=("child forename", "child first name"),
    surname=("child surname", "child last name"),
    date_of_birth=("child dob", "child date of birth"),
    claimant=("claimant name", "claimant"),
    claim_start=("claim start", "award start", "claim start date"),
)
REQUIRED = ("source_record_id", "date_of_birth")


class ChildBenefitRow(DatedRow):
    claimant: str = ""
    claim_start: dt.date | None = None

    @field_validator("claim_start", mode="before")
    @classmethod
    def _claim_start(cls, value: Any, info: Any) -> dt.date | None:
        return cls._date(value, info)


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(ChildBenefitRow, row)
    return json_safe({"claimant": row.claimant, "claim_start": row.claim_start})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE,
                         schema=ChildBenefitRow, aliases=ALIASES, required=REQUIRED, extras=extras, labels=LABELS)
