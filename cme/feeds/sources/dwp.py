"""DWP: children in benefit households in the area (e.g. Universal Credit child element), from a DWP extract.

Evidence of residence (R2.1). DWP checks are a local option, not national guidance (R2.5, UNCONFIRMED).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel

from cme.feeds.sources.base import LABELS, DatedRow, MappingSpec, ParsedFile, aliases, json_safe
from cme.feeds.sources.tabular import parse_extract

SOURCE = "dwp"
ALIASES = aliases(
    source_record_id=("dwp reference", "household child id", "claim child id"),
    benefit=("benefit", "benefit type"),
)
REQUIRED = ("source_record_id", "date_of_birth")


class DWPRow(DatedRow):
    benefit: str = ""


def extras(row: BaseModel) -> dict[str, Any]:
    row = cast(DWPRow, row)
    return json_safe({"benefit": row.benefit})


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    return parse_extract(data, name=name, mapping=mapping or MappingSpec(), on=on, source=SOURCE, schema=DWPRow,
                         aliases=ALIASES, required=REQUIRED, extras=extras, labels=LABELS)
