"""cme.core.exports: CSV and Excel downloads with spreadsheet formula injection neutralised."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cme.core.exports import ExportFormatError, export_response, neutralise


@pytest.mark.parametrize(
    "value, expected",
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("Smith", "Smith"), ("", ""), (-5, -5), (Decimal("1.5"), Decimal("1.5"))],
)
def test_formula_prefixes_are_neutralised(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_csv_download() -> None:
    response = export_response([["=cmd", dt.date(2026, 3, 2), True, None, Decimal("12.5")]],
                               ["Name", "Date", "Flag", "Empty", "Hours"], "my list/2026", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="my-list-2026.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == ["Name,Date,Flag,Empty,Hours",
                                                                 "'=cmd,2026-03-02,Yes,,12.5"]


def test_excel_download_keeps_types_and_never_writes_formulas() -> None:
    response = export_response([["=cmd", dt.date(2026, 3, 2), Decimal("12.5"), 3]], ["Name", "Date", "Hours", "N"],
                               "list", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[0] == "'=cmd" and sheet["A2"].data_type == "s"
    assert row[1].date() == dt.date(2026, 3, 2) and row[2] == 12.5 and row[3] == 3


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ExportFormatError):
        export_response([], ["A"], "x", "pdf")
