"""CSV and Excel downloads for any list: `export_response(rows, columns, filename, fmt)`.

Generic on purpose: the caller decides the rows (already scoped to the user) and audits the export.
Spreadsheet formula injection is neutralised: any text cell starting with = + - @, a tab or a carriage
return is prefixed with an apostrophe, so Excel and LibreOffice show it as text and never run it (OWASP
"CSV injection"). Numbers and dates are written as numbers and dates, untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportFormatError(ValueError):
    pass


def neutralise(value: Any) -> Any:
    """A text value that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(neutralise(value) if isinstance(value, str) else value)


def _excel_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int | float | dt.date):
        return value
    return neutralise(str(value))


def export_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def export_xlsx(rows: Iterable[Sequence[Any]], columns: Sequence[str], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([_excel_value(c) for c in columns])
    for row in rows:
        sheet.append([_excel_value(v) for v in row])  # text is neutralised: openpyxl reads "=..." as a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(rows: Iterable[Sequence[Any]], columns: Sequence[str], filename: str, fmt: str) -> HttpResponse:
    """A download of `rows` under the header `columns`, as "csv" or "xlsx". `filename` has no extension."""
    if fmt not in FORMATS:
        raise ExportFormatError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    safe_name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in filename) or "export"
    body = export_csv(rows, columns) if fmt == "csv" else export_xlsx(rows, columns, title=safe_name)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    return response


__all__ = ["FORMATS", "ExportFormatError", "export_csv", "export_response", "export_xlsx", "neutralise"]
