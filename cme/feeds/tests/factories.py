"""Factories and small builders for feeds tests: sources, Wonde pages, CSV extracts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import factory

from cme.core.tests.factories import LocalAuthorityFactory
from cme.feeds.models import ColumnMapping, FeedSource


class FeedSourceFactory(factory.django.DjangoModelFactory[FeedSource]):
    class Meta:
        model = FeedSource

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    slug = factory.Sequence(lambda n: f"source-{n}")
    name = factory.Sequence(lambda n: f"Source {n}")
    kind = FeedSource.Kind.CSV
    source = "health"
    transport = FeedSource.Transport.UPLOAD


class ColumnMappingFactory(factory.django.DjangoModelFactory[ColumnMapping]):
    class Meta:
        model = ColumnMapping

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Profile {n}")
    source = "health"
    columns: Any = factory.LazyFunction(dict)


def wonde_date(day: dt.date | None) -> dict[str, Any] | None:
    return None if day is None else {"date": f"{day.isoformat()} 00:00:00.000000", "timezone_type": 3,
                                     "timezone": "Europe/London"}


def student(wonde_id: str, *, upn: str = "", forename: str = "Amelia", surname: str = "Thompson",
            dob: dt.date = dt.date(2016, 5, 14), admitted: dt.date = dt.date(2021, 9, 1),
            left: dt.date | None = None, year: str = "5", postcode: str = "OX4 1AB",
            gender: str = "FEMALE") -> dict[str, Any]:
    return {
        "id": wonde_id, "upi": f"upi-{wonde_id}", "mis_id": "1", "forename": forename, "surname": surname,
        "legal_forename": forename, "legal_surname": surname, "middle_names": None, "gender": gender,
        "date_of_birth": wonde_date(dob),
        "education_details": {"data": {"upn": upn, "current_nc_year": year, "admission_date": wonde_date(admitted),
                                       "leaving_date": wonde_date(left)}},
        "contact_details": {"data": {"addresses": {"home": {"house_number": "12", "street": "Cowley Road",
                                                            "town": "Oxford", "postcode": postcode}}}},
    }


def mark(student_id: str, day: dt.date, session: str, code: str) -> dict[str, Any]:
    return {"id": f"{student_id}-{day}-{session}", "student": student_id, "date": wonde_date(day),
            "session": session, "attendance_code": {"data": {"code": code}}}


def page(items: Iterable[dict[str, Any]]) -> bytes:
    return json.dumps({"data": list(items), "meta": {"pagination": {"next": None, "more": False}}}).encode()


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)
