"""FILE-1 and FILE-3 (SECURITY-PLAN; ASVS v5 5.2.1, 5.3.1/5.3.2, 5.4.1/5.4.2): upload size limits, storage and serving.

FILE-1: a file over CME_MAX_UPLOAD_BYTES is refused with the form's error and nothing stored (no row, no file, and
no temporary upload file left behind); a form body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 400 with nothing written.
FILE-3: a stored document has a random internal name under MEDIA_ROOT (outside the web root: /media/ is not
served), traversal and NUL in the uploaded name are ignored, and the download is an attachment with a sanitised
name, `nosniff`, `no-store` and a sandboxing CSP, through the permission-checked, scope-checked view only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cme.accounts.models import User
from cme.cases.models import Case, Document, Note
from tests.security.crawl import signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> dict[str, Path]:
    media, temp = tmp_path / "media", tmp_path / "upload-temp"
    media.mkdir()
    temp.mkdir()
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes through a temporary file on disk
    return {"media": media, "temp": temp}


@pytest.fixture
def case(officer: User) -> Case:
    from cme.cases.tests.factories import open_case

    return open_case(user=officer)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_file1_an_upload_over_the_limit_is_refused_with_nothing_stored(
        officer: User, case: Case, storage: dict[str, Path], settings: Any) -> None:
    settings.CME_MAX_UPLOAD_BYTES = 1024
    client = signed_in(officer)
    big = PDF + b"%" + b"x" * 2048 + b"\n"
    response = client.post(reverse("cases:document-new", args=[case.pk]),
                           {"title": "Too big", "file": SimpleUploadedFile("big.pdf", big, "application/pdf")})
    assert response.status_code == 200 and "must be smaller than" in response.content.decode()
    assert not Document.objects.exists()
    assert _files(storage["media"]) == [] and _files(storage["temp"]) == []
    # the same file under the limit is kept (so the refusal above is the size check)
    settings.CME_MAX_UPLOAD_BYTES = 1_000_000
    response = client.post(reverse("cases:document-new", args=[case.pk]),
                           {"title": "Fits", "file": SimpleUploadedFile("big.pdf", big, "application/pdf")})
    assert response.status_code == 302 and Document.objects.count() == 1
    assert _files(storage["temp"]) == []


def test_file1_a_form_body_over_the_limit_is_a_400_with_nothing_written(
        officer: User, case: Case, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = signed_in(officer)
    client.raise_request_exception = False
    response = client.post(reverse("cases:note-add", args=[case.pk]), {"text": "n" * 8000})
    assert response.status_code == 400
    assert not Note.objects.filter(case=case, text__startswith="nnnn").exists()


@pytest.mark.parametrize("name", ["../../../etc/evil.pdf", "..\\..\\evil.pdf", "evil\x00.pdf", "/var/evil.pdf",
                                  "<script>.pdf"])
def test_file3_stored_under_a_random_name_outside_the_web_root_and_served_as_an_attachment(
        officer: User, case: Case, storage: dict[str, Path], settings: Any, name: str) -> None:
    client = signed_in(officer)
    response = client.post(reverse("cases:document-new", args=[case.pk]),
                           {"title": "", "file": SimpleUploadedFile(name, PDF, "application/pdf")})
    if response.status_code != 302:  # refused by name (e.g. the NUL): nothing stored
        assert not Document.objects.exists() and _files(storage["media"]) == []
        return
    document = Document.objects.get()
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(storage["media"].resolve())
    assert stored.name == document.storage_token and len(document.storage_token) >= 32
    assert "evil" not in str(stored) and ".." not in document.file.name
    assert "/" not in document.original_name and "\\" not in document.original_name
    assert "\x00" not in document.original_name
    assert [p.resolve() for p in _files(storage["media"])] == [stored]
    # the storage folder is not served: only the view hands out the file
    assert Client().get(f"/media/{document.file.name}").status_code in (302, 404)
    assert signed_in(officer).get(f"/media/{document.file.name}").status_code == 404
    download = client.get(reverse("cases:document", args=[document.pk]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    filename = disposition.split("filename=", 1)[1].strip('"')
    assert not set(filename) & set("/\\\x00<>\"") and ".." not in filename and filename.endswith(".pdf")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-store"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_file3_media_root_is_outside_the_static_files() -> None:
    from django.conf import settings

    from cme.settings import base

    media = Path(base.MEDIA_ROOT).resolve()
    assert not media.is_relative_to(Path(base.STATIC_ROOT).resolve())
    assert not media.is_relative_to((Path(base.BASE_DIR) / "cme").resolve())
    assert not getattr(settings, "MEDIA_URL", "").strip("/") or settings.MEDIA_URL not in ("/", "/static/")
