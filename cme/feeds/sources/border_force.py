"""Border Force / Home Office arrivals: children who arrived in the UK with an address in the area.

A newly arrived child with no school place is a CME concern (R2.1; newly arrived migrants are a vulnerable
group in the CME guidance). Border Force checks are a local option (R2.5, UNCONFIRMED).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel, field_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "border_force"
ALIASES = aliases(
    source_record_id=("arrival reference", "case reference", "travel document"),
    arrival_date=("arrival date", "date of arrival", "arrived"),
    country_from=("country", "arrived from", "country of departure"),
)
REQUIRED = ("source_record_id", "date_of_birth", "arrival_date")


class ArrivalRow(DatedRow):
    arrival_date: dt.date
    country_from: str = ""

    @field_validator("arrival_date", mode="before")
    @classmethod
    def _arrival(cls, value: Any, info: Any) -> dt.date | None:
        day = cls._date(value, info)
        if day is None:
            raise ValueError("is missing")
        return day


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(ArrivalRow, row)
    return json_safe({"arrival_date": row.arrival_date, "country_from": row.country_from})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE,
                         schema=ArrivalRow, aliases=ALIASES, required=REQUIRED, extras=extras,
                         labels={**LABELS, "arrival_date": "arrival date"})
