"""Partner extracts: the malformed-file corpus (every file gives row-level results or a clear file error) and
each partner source module's schema."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from cme.feeds.sources import admissions, border_force, dwp, ehe_notifications, health, hmrc, social_care
from cme.feeds.sources.base import Accepted, FileError, MappingSpec, Rejection, RollFact, parse_date
from cme.feeds.sources.tabular import decode, sniff_delimiter
from cme.feeds.tests.factories import csv_bytes
from cme.law import nhs_number

ON = dt.date(2026, 11, 27)
NHS = nhs_number.generate(3, seed=1)
HEADER = ["Patient ID", "NHS Number", "Forename", "Surname", "DOB", "Gender", "Postcode"]
GOOD = [["GP1", NHS[0], "Amelia", "Thompson", "14/05/2016", "F", "OX4 1AB"],
        ["GP2", NHS[1], "Oliver", "Khan", "2015-01-02", "Male", "OX1 1AA"]]


def parse_health(data: bytes, mapping: MappingSpec | None = None, name: str = "gp.csv"):  # type: ignore[no-untyped-def]
    parsed = health.parse(data, name=name, mapping=mapping, on=ON)
    assert len(parsed.items) == len(parsed.accepted) + len(parsed.rejected)
    return parsed


def test_a_plain_csv_is_read_with_the_usual_headings() -> None:
    parsed = parse_health(csv_bytes([HEADER, *GOOD]))
    records = [a.record for a in parsed.accepted]
    assert [r.source_record_id for r in records] == ["GP1", "GP2"]
    assert records[0].date_of_birth == dt.date(2016, 5, 14) and records[0].sex == "F"
    assert records[1].sex == "M" and records[0].nhs_number == NHS[0]
    assert records[0].raw["row"]["Forename"] == "Amelia"
    assert not parsed.rejected


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_utf8_with_or_without_bom(encoding: str) -> None:
    rows = [HEADER, ["GP1", NHS[0], "Zoë", "Ó Súilleabháin", "14/05/2016", "F", "OX4 1AB"]]
    parsed = parse_health(csv_bytes(rows, encoding=encoding))
    assert parsed.accepted[0].record.forename == "Zoë"  # type: ignore[union-attr]
    assert not parsed.warnings


def test_windows_1252_is_read_with_a_warning() -> None:
    rows = [HEADER, ["GP1", NHS[0], "Zoë", "Brontë", "14/05/2016", "F", "OX4 1AB"]]
    parsed = parse_health(csv_bytes(rows, encoding="cp1252"))
    assert parsed.accepted[0].record.surname == "Brontë"  # type: ignore[union-attr]
    assert any("Windows-1252" in w for w in parsed.warnings)


@pytest.mark.parametrize("data", [
    "Patient ID,Forename\r\nGP1,Amelia\r\n".encode("utf-16"),
    "Patient ID,Forename\r\nGP1,Amelia\r\n".encode("utf-16-le"),
])
def test_utf16_is_refused_clearly(data: bytes) -> None:
    with pytest.raises(FileError, match="UTF-16"):
        parse_health(data)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(delimiter: str) -> None:
    parsed = parse_health(csv_bytes([HEADER, *GOOD], delimiter=delimiter))
    assert len(parsed.accepted) == 2
    assert sniff_delimiter(delimiter.join(HEADER)) == delimiter


def test_quoted_newlines_and_delimiters_stay_inside_a_value() -> None:
    header = [*HEADER, "Address"]
    rows = [header, ["GP1", NHS[0], "Amelia", "Thompson", "14/05/2016", "F", "OX4 1AB", "Flat 2,\n12 Cowley Road"]]
    parsed = parse_health(csv_bytes(rows))
    assert parsed.accepted[0].record.address == "Flat 2, 12 Cowley Road"  # type: ignore[union-attr]


def test_formula_cells_are_kept_as_text_never_evaluated() -> None:
    rows = [HEADER, ["GP1", NHS[0], "=HYPERLINK(\"http://x\")", "@SUM(A1)", "14/05/2016", "F", "OX4 1AB"]]
    parsed = parse_health(csv_bytes(rows))
    record = parsed.accepted[0].record
    assert record.forename == '=HYPERLINK("http://x")' and record.surname == "@SUM(A1)"  # type: ignore[union-attr]
    assert record.raw["row"]["Forename"].startswith("=")  # type: ignore[union-attr]


def test_reordered_and_extra_columns_are_found_by_heading() -> None:
    rows = [["Shoe size", "DOB", "Surname", "Patient ID", "Forename", "Notes"],
            ["5", "14/05/2016", "Thompson", "GP1", "Amelia", "hello"]]
    parsed = parse_health(csv_bytes(rows))
    record = parsed.accepted[0].record
    assert (record.forename, record.surname, record.source_record_id) == ("Amelia", "Thompson", "GP1")  # type: ignore[union-attr]
    assert record.raw["row"]["Shoe size"] == "5"  # type: ignore[union-attr]


def test_a_mapping_profile_maps_their_headings_and_date_format() -> None:
    rows = [["Ref", "Given", "Family", "Born"], ["X1", "Amelia", "Thompson", "05-14-2016"]]
    mapping = MappingSpec(columns={"Ref": "source_record_id", "Given": "forename", "Family": "surname",
                                   "Born": "date_of_birth"}, date_format="%m-%d-%Y")
    parsed = parse_health(csv_bytes(rows), mapping=mapping)
    assert parsed.accepted[0].record.date_of_birth == dt.date(2016, 5, 14)  # type: ignore[union-attr]


def test_a_missing_required_column_stops_the_file_naming_it() -> None:
    with pytest.raises(FileError, match="date of birth"):
        parse_health(csv_bytes([["Patient ID", "Forename", "Surname"], ["GP1", "Amelia", "Thompson"]]))


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\r\n\r\n"])
def test_an_empty_file_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(FileError, match="empty"):
        parse_health(data)


def test_duplicate_ids_in_a_file_reject_the_later_row() -> None:
    parsed = parse_health(csv_bytes([HEADER, GOOD[0], [*GOOD[1][:0], "GP1", *GOOD[1][1:]]]))
    assert len(parsed.accepted) == 1
    rejection = parsed.rejected[0]
    assert rejection.row_number == 3 and "duplicate record id 'GP1' (also on row 2)" in rejection.reasons[0]


@pytest.mark.parametrize(("cells", "reason"), [
    (["", NHS[0], "Amelia", "Thompson", "14/05/2016", "F", ""], "record id: the record id is missing"),
    (["GP9", "", "Amelia", "Thompson", "31/02/2016", "F", ""], "date of birth: '31/02/2016' is not a date"),
    (["GP9", "", "Amelia", "Thompson", "01/01/2030", "F", ""], "is in the future"),
    (["GP9", "", "Amelia", "Thompson", "14/05/2016", "Q", ""], "is not a sex we recognise"),
    (["GP9", "", "", "", "14/05/2016", "F", ""], "no name"),
    (["GP9", "", "Amelia", "Thompson", "", "F", ""], "nothing to identify the child by"),
    (["GP9", "", "Amelia", "Thompson", "14/05/2016", "F", "OX4 1AB", "surprise"], "but the header has 7 columns"),
])
def test_bad_rows_are_rejected_with_reasons(cells: list[str], reason: str) -> None:
    parsed = parse_health(csv_bytes([HEADER, GOOD[0], cells]))
    assert len(parsed.accepted) == 1 and len(parsed.rejected) == 1
    assert reason in " ".join(parsed.rejected[0].reasons)
    assert parsed.rejected[0].raw  # kept as received for the report


def test_invalid_identifiers_are_dropped_with_a_warning_not_the_row() -> None:
    rows = [HEADER, ["GP1", "1234567890", "Amelia", "Thompson", "14/05/2016", "F", "NOTAPC"]]
    item = parse_health(csv_bytes(rows)).accepted[0]
    assert item.record.nhs_number == "" and len(item.warnings) == 2  # type: ignore[union-attr]


def test_short_rows_are_padded_and_blank_lines_are_counted_not_dropped_silently() -> None:
    data = csv_bytes([HEADER, ["GP1", NHS[0], "Amelia", "Thompson", "14/05/2016"], [], GOOD[1]])
    parsed = parse_health(data)
    assert len(parsed.accepted) == 2
    assert any("blank line" in w for w in parsed.warnings)


def test_excel_files_are_read_first_sheet_formulas_as_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["GP1", int(NHS[0]), "Amelia", "=A1", dt.datetime(2016, 5, 14), "F", "OX4 1AB"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_health(buffer.getvalue(), name="gp.xlsx")
    record = parsed.accepted[0].record
    assert record.nhs_number == NHS[0] and record.date_of_birth == dt.date(2016, 5, 14)  # type: ignore[union-attr]
    assert record.surname == "=A1"  # type: ignore[union-attr]


def test_binary_and_old_excel_files_are_refused() -> None:
    with pytest.raises(FileError, match="xls"):
        parse_health(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(FileError):
        parse_health(b"PK\x03\x04 not really a zip", name="gp.xlsx")


def test_decode_honours_an_explicit_encoding() -> None:
    assert decode("Brontë".encode("cp1252"), "cp1252") == ("Brontë", [])
    with pytest.raises(FileError):
        decode(b"\xff\xfe\x00", "utf-8")


@pytest.mark.parametrize(("value", "expected"), [
    ("2016-05-14", dt.date(2016, 5, 14)), ("14/05/2016", dt.date(2016, 5, 14)), ("14-05-2016", dt.date(2016, 5, 14)),
    ("14.05.2016", dt.date(2016, 5, 14)), ("2016-05-14 00:00:00", dt.date(2016, 5, 14)),
    ({"date": "2016-05-14 00:00:00.000000"}, dt.date(2016, 5, 14)), ("", None), (None, None),
])
def test_dates_in_the_usual_forms(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


# --------------------------------------------------------------------------------------------------
# Each partner source
# --------------------------------------------------------------------------------------------------


def test_hmrc_child_benefit_keeps_the_claimant() -> None:
    data = csv_bytes([["Claim Reference", "Child Forename", "Child Surname", "Child DOB", "Claimant Name",
                       "Claim Start"], ["CHB1", "Amelia", "Thompson", "14/05/2016", "Jo Thompson", "01/07/2016"]],
                     delimiter=";", encoding="cp1252")
    record = hmrc.parse(data, name="chb.csv", on=ON).accepted[0].record
    assert record.source == "hmrc_child_benefit"  # type: ignore[union-attr]
    assert record.raw["claimant"] == "Jo Thompson" and record.raw["claim_start"] == "2016-07-01"  # type: ignore[union-attr]


def test_social_care_keeps_the_legal_status() -> None:
    data = csv_bytes([["LCS ID", "First Name", "Last Name", "DOB", "Legal Status"],
                      ["1001", "Amelia", "Thompson", "2016-05-14", "looked after"]])
    record = social_care.parse(data, name="lcs.csv", on=ON).accepted[0].record
    assert record.source == "social_care" and record.raw["status"] == "looked after"  # type: ignore[union-attr]


def test_admissions_offers_become_place_allocations() -> None:
    data = csv_bytes([
        ["Application ID", "Forename", "Surname", "DOB", "Offered School LAESTAB", "Start Date", "Status"],
        ["A1", "Amelia", "Thompson", "2015-01-02", "9314001", "2026-09-03", "offered"],
        ["A2", "Oliver", "Khan", "2015-01-02", "", "", "applied"],
        ["A3", "Ava", "Shah", "2015-01-02", "93140", "2026-09-03", "offered"],
        ["A4", "Ava", "Shah", "2015-01-02", "9314001", "", "offered"],
    ])
    parsed = admissions.parse(data, name="offers.csv", on=ON)
    first, second = parsed.accepted
    assert first.facts == (RollFact(kind="offer", record=("admissions", "A1"), laestab="9314001",
                                    start=dt.date(2026, 9, 3)),)
    assert second.facts == ()
    reasons = [" ".join(r.reasons) for r in parsed.rejected]
    assert "is not a LAESTAB" in reasons[0] and "needs its start date" in reasons[1]


def test_dwp_records() -> None:
    data = csv_bytes([["DWP Reference", "Forename", "Surname", "DOB", "Benefit"],
                      ["D1", "Amelia", "Thompson", "2016-05-14", "Universal Credit"]])
    record = dwp.parse(data, name="dwp.csv", on=ON).accepted[0].record
    assert record.source == "dwp" and record.raw["benefit"] == "Universal Credit"  # type: ignore[union-attr]


def test_border_force_needs_an_arrival_date() -> None:
    data = csv_bytes([["Case Reference", "Forename", "Surname", "DOB", "Arrival Date", "Country"],
                      ["BF1", "AMELIA", "THOMPSON", "14/05/2016", "01/10/2026", "Ukraine"],
                      ["BF2", "OLIVER", "KHAN", "14/05/2016", "", "Syria"]], delimiter="\t")
    parsed = border_force.parse(data, name="arrivals.tsv", on=ON)
    assert parsed.accepted[0].record.raw["arrival_date"] == "2026-10-01"  # type: ignore[union-attr]
    assert "arrival date: is missing" in parsed.rejected[0].reasons[0]


def test_ehe_notifications() -> None:
    data = csv_bytes([["Notification ID", "Forename", "Surname", "DOB", "Notification Date", "School LAESTAB"],
                      ["E1", "Amelia", "Thompson", "2016-05-14", "2026-11-01", "9312001"]])
    item = ehe_notifications.parse(data, name="ehe.csv", on=ON).accepted[0]
    assert isinstance(item, Accepted) and item.record.source == "ehe_notification"  # type: ignore[union-attr]
    assert item.record.raw["notified_on"] == "2026-11-01"  # type: ignore[union-attr]


def test_every_partner_source_refuses_a_file_without_its_required_columns() -> None:
    data = csv_bytes([["Forename"], ["Amelia"]])
    for module in (health, hmrc, social_care, admissions, dwp, border_force, ehe_notifications):
        with pytest.raises(FileError):
            module.parse(data, name="x.csv", on=ON)
    assert isinstance(Rejection(1, {}, ("x",)), Rejection)
