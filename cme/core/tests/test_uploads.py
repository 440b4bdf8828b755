"""FILE-2: every upload is checked by its bytes against the type its name declares (cme.core.uploads).

PDF, pictures, .docx/.xlsx (by their content list) and text are accepted only under their own name endings; a
renamed file (HTML named .pdf, a PDF named .csv, SVG named .txt, a program named anything) is refused.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from cme.core.uploads import CTF, DOCUMENTS, EMAIL, EXTRACTS, RETURNS, SCHOOL_FEED, UploadRejected, sniff

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

PDF = b"%PDF-1.7\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 20
TEXT = "Visited on Monday; nobody home. Café closed. 3 < 4.".encode()
CSV = b"forename,surname\nAmelia,Thompson\n"
HTML = b"<html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
EML = b"From: school@example.org\r\nSubject: Pupil left\r\n\r\n<p>Hello</p>\r\n"


@pytest.mark.parametrize(("name", "data", "extension", "content_type"), [
    ("letter.pdf", PDF, "pdf", "application/pdf"),
    ("LETTER.PDF", PDF, "pdf", "application/pdf"),
    ("door.png", PNG, "png", "image/png"),
    ("door.jpg", JPEG, "jpg", "image/jpeg"),
    ("door.jpeg", JPEG, "jpg", "image/jpeg"),
    ("door.gif", GIF, "gif", "image/gif"),
    ("letter.docx", office(DOCX), "docx", None),
    ("list.xlsx", office(XLSX), "xlsx", None),
    ("note.txt", TEXT, "txt", "text/plain"),
    ("list.csv", CSV, "csv", "text/csv"),
    ("note.txt", "Zoë Brontë".encode("cp1252"), "txt", "text/plain"),
    ("note.txt", "Zoë".encode("utf-16"), "txt", "text/plain"),
], ids=["pdf", "pdf-upper-case-name", "png", "jpg", "jpeg", "gif", "docx", "xlsx", "text", "csv", "cp1252-text",
        "utf16-text"])
def test_documents_of_the_declared_type_are_accepted(name: str, data: bytes, extension: str,
                                                     content_type: str | None) -> None:
    sniffed = sniff(data, name=name, allowed=DOCUMENTS, max_bytes=MAX)
    assert sniffed.extension == extension
    assert content_type is None or sniffed.content_type == content_type


@pytest.mark.parametrize(("name", "data", "message"), [
    ("x.pdf", HTML, "must be a PDF: its name ends .pdf but it is a web page"),
    ("x.pdf", TEXT, "must be a PDF: its name ends .pdf but it is text"),
    ("x.pdf", EXE, r"must be a PDF: .* another type \(exe\)"),
    ("x.pdf", ELF, "must be a PDF"),
    ("x.pdf", b"PK\x03\x04" + b"\x00" * 40, "damaged"),
    ("x.pdf", PNG, "must be a PDF: its name ends .pdf but it is a PNG picture"),
    ("x.csv", PDF, "must be a CSV file: its name ends .csv but it is a PDF"),
    ("x.csv", HTML, "must be a CSV file: .* web page"),
    ("x.txt", SVG, "must be a plain text file: .* web page"),
    ("x.txt", b'Name,Note\nA,"<img src=x onerror=alert(1)>"\n', "web page"),
    ("x.png", JPEG, "must be a PNG picture"),
    ("x.jpg", GIF, "must be a JPEG picture"),
    ("x.docx", office(XLSX), "must be a Word document: its name ends .docx but it is an Excel workbook"),
    ("x.xlsx", TEXT, "must be an Excel workbook"),
    ("x.docx", office(DOCM), "macros"),
    ("x.docx", office(b"application/x-other"), "not a Word document or a workbook"),
    ("x.docx", office(DOCX, {"word/document.xml": b"0" * 5_000_000}), "expands"),
    ("x.html", HTML, "must be a PDF, a picture"),
    ("x.svg", SVG, "must be a PDF, a picture"),
    ("x.exe", EXE, "must be a PDF, a picture"),
    ("no-extension", PDF, "must be a PDF, a picture"),
    ("x.pdf", b"", "empty"),
    ("x.txt", b"\x00\x01\x02binary" * 10, "not a file type we recognise"),
], ids=["html-named-pdf", "text-named-pdf", "exe-named-pdf", "elf-named-pdf", "broken-zip-named-pdf",
        "png-named-pdf", "pdf-named-csv", "html-named-csv", "svg-named-txt", "img-tag-in-txt", "jpeg-named-png",
        "gif-named-jpg", "xlsx-named-docx", "text-named-xlsx", "macro-docm", "other-zip", "zip-bomb", "html",
        "svg", "exe", "no-extension", "empty", "binary-named-txt"])
def test_renamed_or_unknown_files_are_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(UploadRejected, match=message):
        sniff(data, name=name, allowed=DOCUMENTS, max_bytes=MAX)


def test_size_is_checked_before_the_content() -> None:
    with pytest.raises(UploadRejected, match="smaller than"):
        sniff(PDF + b"x" * 20, name="x.pdf", allowed=DOCUMENTS, max_bytes=10)


@pytest.mark.parametrize(("allowed", "good", "bad"), [
    (RETURNS, ("returns.csv", CSV), [("returns.xlsx", office(XLSX)), ("returns.csv", PDF), ("returns.csv", HTML),
                                     ("returns.txt", CSV)]),
    (EXTRACTS, ("gp.xlsx", office(XLSX)), [("gp.csv", office(XLSX)), ("gp.csv", PDF), ("gp.pdf", PDF)]),
    (EMAIL, ("message.eml", EML), [("message.eml", HTML), ("message.eml", TEXT), ("message.txt", EML)]),
    (CTF, ("931_CTF_825_001.xml", b'<?xml version="1.0"?><CTfile/>'), [("x.xml", HTML), ("x.xml", PDF),
                                                                         ("x.xml", TEXT)]),
    (SCHOOL_FEED, ("0001.json", b'{"data": []}'), [("0001.json", HTML), ("0001.json", b"a,b\n")]),
], ids=["school-returns", "partner-extracts", "mailbox-email", "ctf", "school-feed-api"])
def test_every_upload_point_takes_only_its_own_types(allowed: tuple[str, ...], good: tuple[str, bytes],
                                                     bad: list[tuple[str, bytes]]) -> None:
    sniff(good[1], name=good[0], allowed=allowed, max_bytes=MAX)
    for name, data in bad:
        with pytest.raises(UploadRejected):
            sniff(data, name=name, allowed=allowed, max_bytes=MAX)
