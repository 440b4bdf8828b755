"""Health registrations: children in the area from GP and health-visitor records (CSV/Excel extract).

Being on a GP list or a health visitor's caseload here is evidence that the child *lives in the area*, the
first condition of s436A (R2.1); the `never_accessed_education` rule reads it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel, field_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "health"
ALIASES = aliases(
    source_record_id=("patient id", "registration id", "local patient id"),
    registered_on=("registration date", "registered", "date registered"),
    practice=("gp practice", "practice code", "practice", "health visitor team"),
)
REQUIRED = ("source_record_id", "date_of_birth")


class HealthRow(DatedRow):
    registered_on: dt.date | None = None
    practice: str = ""

    @field_validator("registered_on", mode="before")
    @classmethod
    def _registered_on(cls, value: Any, info: Any) -> dt.date | None:
        return cls._date(value, info)


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(HealthRow, row)
    return json_safe({"registered_on": row.registered_on, "practice": row.practice})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE, schema=HealthRow,
                         aliases=ALIASES, required=REQUIRED, extras=extras, labels=LABELS)
