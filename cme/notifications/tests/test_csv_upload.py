"""School returns by CSV: the template, row-level errors, all-or-nothing, encodings and idempotency."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.notifications import csv_returns, services
from cme.notifications.models import Notification, ReturnUpload

HEADER = ["forename", "surname", "date_of_birth", "address", "postcode", "parent1_name", "parent1_phone", "ground",
          "deletion_date", "new_school_name", "first_day_of_absence", "every_session_unexplained",
          "no_sickness_or_unavoidable_cause", "joint_enquiries_completed"]
GOOD = ["Amelia", "Thompson", "2016-05-14", "12 Cowley Road", "OX4 1AB", "Sarah Thompson", "07700 900982", "A",
        "2026-11-25", "Cherwell Primary", "", "", "", ""]
GROUND_I = ["Leo", "Okafor", "14/05/2015", "4 Iffley Road", "OX4 1EA", "Grace Okafor", "01632 960001", "I",
            "25/11/2026", "", "2026-10-20", "yes", "yes", "yes"]


def make_csv(*rows: list[str], header: list[str] = HEADER, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def upload(user: User, content: bytes, kind: str = "deletion_return") -> services.UploadResult:
    return services.return_upload_submit(actor=Auditor.for_user(user), user=user, kind=kind, filename="returns.csv",
                                         content=content, notify=False)


def test_a_valid_file_makes_one_notification_per_row(school_user: User) -> None:
    result = upload(school_user, make_csv(GOOD, GROUND_I, bom=True))
    assert len(result.notifications) == 2 and not result.already_received
    grounds = sorted(n.deletion_ground for n in Notification.objects.all())
    assert grounds == ["A", "I"]
    assert all(n.upload == result.upload for n in Notification.objects.all())
    assert result.upload.row_count == 2 and len(result.upload.sha256) == 64


def test_one_bad_row_and_nothing_is_saved_with_a_row_level_report(school_user: User) -> None:
    bad_ground = [*GOOD[:7], "Q", *GOOD[8:]]
    bad_date = [*GOOD[:2], "31/02/2016", *GOOD[3:]]
    short_absence = [*GROUND_I[:10], "2026-11-16", *GROUND_I[11:]]
    with pytest.raises(services.UploadRejected) as rejected:
        upload(school_user, make_csv(GOOD, bad_ground, bad_date, short_absence))
    errors = [(e.row, e.column) for e in rejected.value.errors]
    assert (3, "ground") in errors and (4, "date_of_birth") in errors and (5, "first_day_of_absence") in errors
    assert 2 not in {e.row for e in rejected.value.errors}
    assert "nothing was saved" in rejected.value.message
    assert not Notification.objects.exists() and not ReturnUpload.objects.exists()


def test_the_same_file_twice_is_received_once(school_user: User) -> None:
    content = make_csv(GOOD)
    first = upload(school_user, content)
    again = upload(school_user, content)
    assert again.already_received and again.upload == first.upload
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param("forename,surname\nZoë,Brontë\n".encode("cp1252"), "UTF-8", id="windows-1252-refused"),
        pytest.param(b"", "empty", id="empty-file"),
        pytest.param(make_csv(header=HEADER), "no returns", id="header-only"),
        pytest.param(b"%PDF-1.7\n" + make_csv(GOOD), "must be a CSV file: its name ends .csv but it is a PDF",
                     id="pdf-named-csv"),
        pytest.param(b"<html><body>" + make_csv(GOOD) + b"</body></html>", "web page", id="html-named-csv"),
        pytest.param(make_csv(["x" * 200_000, *GOOD[1:]]), "not a readable CSV", id="value-over-the-csv-field-limit"),
    ],
)
def test_files_that_cannot_be_read(school_user: User, content: bytes, message: str) -> None:
    with pytest.raises(services.UploadRejected) as rejected:
        upload(school_user, content)
    assert message in rejected.value.message
    assert not Notification.objects.exists() and not ReturnUpload.objects.exists()


def test_unknown_and_missing_columns_are_reported_against_the_header(school_user: User) -> None:
    header = [c for c in HEADER if c != "ground"] + ["favourite_colour"]
    with pytest.raises(services.UploadRejected) as rejected:
        upload(school_user, make_csv(GOOD[:7] + GOOD[8:] + ["blue"], header=header))
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert (1, "ground") in found and (1, "favourite_colour") in found


def test_the_template_has_every_documented_column_and_reads_back(school_user: User) -> None:
    for kind, columns in csv_returns.COLUMNS.items():
        text = csv_returns.template_csv(kind)
        assert text.startswith("\ufeff")
        assert next(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [c.name for c in columns]


def test_new_pupil_returns_by_csv(school_user: User) -> None:
    header = ["forename", "surname", "date_of_birth", "address", "postcode", "parent1_name", "parent1_phone",
              "start_date", "nc_year"]
    row = ["Leo", "Okafor", "2015-02-03", "4 Iffley Road", "OX4 1EA", "Grace Okafor", "01632 960001", "2026-11-24",
           "6"]
    result = upload(school_user, make_csv(row, header=header), kind="new_entrant_return")
    assert result.notifications[0].kind == Notification.Kind.NEW_ENTRANT_RETURN
    assert result.notifications[0].details["nc_year"] == 6


def test_the_upload_page_shows_the_row_report_and_the_template_downloads(client_for: Any, school_user: User) -> None:
    client = client_for(school_user)
    bad = io.BytesIO(make_csv([*GOOD[:7], "Q", *GOOD[8:]]))
    bad.name = "returns.csv"
    response = client.post(reverse("notifications:return-upload"), {"kind": "deletion_return", "file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing was saved" in html and "Select the ground for deletion, A to O" in html and ">2</td>" in html
    good = io.BytesIO(make_csv(GOOD))
    good.name = "returns.csv"
    response = client.post(reverse("notifications:return-upload"), {"kind": "deletion_return", "file": good})
    assert response.status_code == 302 and Notification.objects.count() == 1
    good.seek(0)
    again = client.post(reverse("notifications:return-upload"), {"kind": "deletion_return", "file": good},
                        follow=True)
    assert "already received" in again.content.decode()
    template = client.get(reverse("notifications:return-template-deletion"))
    assert template["Content-Type"].startswith("text/csv") and b"deletion_date" in template.content
