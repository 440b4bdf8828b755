"""Thin API routers for apps that have no `api.py` of their own (cases, intake, feeds): each parses the request,
calls that app's selector or service, and shapes the answer. Mounted in `cme/api/urls.py`."""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import BeforeValidator, StrictBool, StrictInt, StrictStr


class ErrorDetail(Schema):
    code: str
    message: str
    details: list[Any]


class ErrorOut(Schema):
    """The common error body: {"error": {"code", "message", "details"}} (cme.api.base)."""

    error: ErrorDetail


#: Error responses every operation may give (declared on each operation by cme.api.urls).
ERROR_CODES = (400, 401, 403, 404, 409, 422, 429)


# --- Strict JSON types: a request that does not match the document is refused (422), never coerced -------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD")


#: A date given as "YYYY-MM-DD" text (pydantic would otherwise take numbers as timestamps).
ApiDate = Annotated[dt.date, BeforeValidator(_date_text)]
STRICT_TYPES: dict[Any, Any] = {int: StrictInt, bool: StrictBool, dt.date: ApiDate, str: StrictStr}


def strict(kind: Any) -> Any:
    """The strict counterpart of a field type (int, bool, date, str, and their `| None` forms)."""
    if kind in STRICT_TYPES:
        return STRICT_TYPES[kind]
    args = typing.get_args(kind)
    if args and type(None) in args and len(args) == 2:
        inner = next(a for a in args if a is not type(None))
        return strict(inner) | None
    return kind


class Pagination(PageNumberPagination):
    """Page-number pagination with bounded inputs (a page past 100,000 or a page size over 200 is refused, 422)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=200)
