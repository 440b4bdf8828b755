"""Admissions offers: a school place allocated to a child from a start date (extract from the admissions system).

The `allocated_never_attended` rule (R2.4, R3.2) checks that a child offered a place is on a roll some school
days after the start date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from pydantic import BaseModel, field_validator, model_validator

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, RollFact, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "admissions"
ALIASES = aliases(
    source_record_id=("application id", "application reference", "offer id"),
    offered_laestab=("offered school laestab", "laestab", "offered school", "school laestab", "dfe number"),
    offered_school_name=("offered school name", "school name"),
    start_date=("start date", "offer start date", "admission date", "place start date"),
    offer_status=("status", "offer status"),
)
REQUIRED = ("source_record_id", "date_of_birth")
_LAESTAB = re.compile(r"^\d{7}$")


class OfferRow(DatedRow):
    """An application, with the school offered and the start date once a place is offered."""

    offered_laestab: str = ""
    offered_school_name: str = ""
    start_date: dt.date | None = None
    offer_status: str = ""

    @field_validator("offered_laestab", mode="before")
    @classmethod
    def _laestab(cls, value: Any) -> str:
        text = re.sub(r"[\s/-]", "", str(value or ""))
        if text and not _LAESTAB.match(text):
            raise ValueError(f"{value!r} is not a LAESTAB (7 digits: LA code and establishment number)")
        return text

    @field_validator("start_date", mode="before")
    @classmethod
    def _start(cls, value: Any, info: Any) -> dt.date | None:
        return cls._date(value, info)

    @model_validator(mode="after")
    def _offer_has_start(self) -> OfferRow:
        if self.offered_laestab and self.start_date is None:
            raise ValueError("an offered place needs its start date")
        return self


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(OfferRow, row)
    return json_safe({"offered_laestab": row.offered_laestab, "offered_school_name": row.offered_school_name,
                      "start_date": row.start_date, "offer_status": row.offer_status})


def facts(row: BaseModel, record_key: tuple[str, str]) -> tuple[RollFact, ...]:
    """An offered place is a place allocation (R3.2): the child should be on that school's roll from the start."""
    row = cast(OfferRow, row)
    if not (row.offered_laestab and row.start_date):
        return ()
    return (RollFact(kind="offer", record=record_key, laestab=row.offered_laestab, start=row.start_date),)


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE, schema=OfferRow,
                         aliases=ALIASES, required=REQUIRED, extras=extras, facts=facts,
                         labels={**LABELS, "offered_laestab": "offered school LAESTAB", "start_date": "start date"})
