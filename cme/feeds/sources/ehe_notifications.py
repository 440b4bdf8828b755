"""EHE notifications: parents' or schools' notices that a child is (to be) educated at home.

A written notice leads to a ground F deletion and an EHE record, not a CME case (R2.3, R5.5); the
`withdrawn_for_ehe` rule routes children with a notice but no EHE record to the EHE team.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from pydantic import BaseModel, field_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "ehe_notification"
ALIASES = aliases(
    source_record_id=("notification id", "notice reference"),
    notified_on=("notification date", "date notified", "notice date", "received"),
    school_laestab=("school laestab", "laestab", "school"),
    notified_by=("notified by", "from"),
)
REQUIRED = ("source_record_id", "date_of_birth", "notified_on")


class EHENoticeRow(DatedRow):
    notified_on: dt.date
    school_laestab: str = ""
    notified_by: str = ""

    @field_validator("notified_on", mode="before")
    @classmethod
    def _notified(cls, value: Any, info: Any) -> dt.date | None:
        day = cls._date(value, info)
        if day is None:
            raise ValueError("is missing")
        return day

    @field_validator("school_laestab", mode="before")
    @classmethod
    def _laestab(cls, value: Any) -> str:
        text = re.sub(r"\s", "", str(value or ""))
        if text and not re.fullmatch(r"\d{7}", text):
            raise ValueError(f"{value!r} is not a LAESTAB (7 digits)")
        return text


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(EHENoticeRow, row)
    return json_safe({"notified_on": row.notified_on, "school_laestab": row.school_laestab,
                      "notified_by": row.notified_by})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE,
                         schema=EHENoticeRow, aliases=ALIASES, required=REQUIRED, extras=extras,
                         labels={**LABELS, "notified_on": "date notified"})
