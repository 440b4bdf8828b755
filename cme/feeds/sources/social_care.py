"""Children's social care (the LCS case system): children known to social care, with their legal status.

Evidence of residence (R2.1); a child who is looked after, on a child-protection plan or a child in need is
high risk if missing education (R2.5 step 8), so the status is kept for the officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel, field_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "social_care"
ALIASES = aliases(
    source_record_id=("lcs id", "person id", "lcs person id", "child id"),
    status=("legal status", "category", "cin cp lac", "involvement"),
    status_start=("start date", "status start", "open date"),
)
REQUIRED = ("source_record_id", "date_of_birth")


class SocialCareRow(DatedRow):
    status: str = ""
    status_start: dt.date | None = None

    @field_validator("status_start", mode="before")
    @classmethod
    def _status_start(cls, value: Any, info: Any) -> dt.date | None:
        return cls._date(value, info)


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(SocialCareRow, row)
    return json_safe({"status": row.status, "status_start": row.status_start})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE,
                         schema=SocialCareRow, aliases=ALIASES, required=REQUIRED, extras=extras, labels=LABELS)
