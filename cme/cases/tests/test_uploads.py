"""File types are sniffed from the bytes: PDF, pictures, .docx/.xlsx (by their content list), text; nothing else."""

from __future__ import annotations

import io
import zipfile

import pytest

from cme.cases.uploads import UploadRejected, sniff

MAX = 1024 * 1024


def office(content_type: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<Types><Override ContentType="' + content_type + b'"/></Types>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM = b"application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.mark.parametrize(("data", "extension"), [
    (b"%PDF-1.7\n1 0 obj\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg"),
    (b"GIF89a" + b"\x00" * 20, "gif"),
    (office(DOCX), "docx"),
    (office(XLSX), "xlsx"),
    ("Visited on Monday; nobody home. Café closed.".encode(), "txt"),
], ids=["pdf", "png", "jpeg", "gif", "docx", "xlsx", "text"])
def test_allowed_types(data: bytes, extension: str) -> None:
    assert sniff(data, max_bytes=MAX).extension == extension


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"a" * 11, "smaller than"),
    (b"MZ\x90\x00" + b"\x00" * 100, r"\(exe\) are not accepted"),
    (b"\x00\x01\x02binary" * 10, "could not be recognised"),
    (b"\x7fELF" + b"\x00" * 100, "not accepted"),
    (office(DOCM), "macros"),
    (office(b"application/x-other"), "not a Word document"),
    (b"PK\x03\x04garbage", "damaged"),
], ids=["empty", "too-big", "exe", "binary", "elf", "macro-docm", "other-zip", "broken-zip"])
def test_refused_types(data: bytes, message: str) -> None:
    with pytest.raises(UploadRejected, match=message):
        sniff(data, max_bytes=10 if message == "smaller than" else MAX)


def test_a_zip_bomb_is_refused() -> None:
    bomb = office(DOCX, {"word/document.xml": b"0" * 5_000_000})
    with pytest.raises(UploadRejected, match="expands"):
        sniff(bomb, max_bytes=MAX)
