"""Every uploaded file is checked by its content against the type its name declares (SECURITY-PLAN FILE-2).

One checker for every upload point: case documents, enquiry evidence and panel terms of reference (cases), partner
extracts (feeds, in the browser and the API), school returns and mailbox emails (notifications) and received CTFs
(cases). Each point passes the name endings it allows (`DOCUMENTS`, `EXTRACTS`, `RETURNS`, `EMAIL`, `CTF`,
`SCHOOL_FEED`); the file is refused unless

- its name ends in one of them, and
- its bytes are that kind of file: a PDF starts with ``%PDF-``; PNG, JPEG and GIF pictures by their magic number;
  .docx and .xlsx are zip archives whose ``[Content_Types].xml`` names a Word document or a workbook (no macros,
  no zip bombs); .txt and .csv are text (UTF-8, UTF-16 with a byte-order mark, or Windows-1252) with no web-page
  markup in them; .xml is XML that is not a web page; .json starts with { or [; .eml starts with an email header
  line.

So an HTML page named .pdf, a PDF named .csv or an SVG named .txt is refused with a message for the user, and
nothing is stored. The caller stores the canonical extension and content type returned (never the browser's).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import filetype

from cme.core import antivirus, quarantine

_PICTURES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}
_OFFICE = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_ZIPS = ("application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_MACROS = (b"macroEnabled", b"vbaProject")
_MAX_ZIP_MEMBERS = 2000
_MAX_ZIP_RATIO = 100
_MAX_CONTENT_TYPES_BYTES = 200_000
_PAGE = re.compile(r"<(!doctype\s+html|html|svg|script|iframe|object|embed)\b", re.IGNORECASE)
_MARKUP = re.compile(r"<(!doctype\s+html|html|svg|script|iframe|object|embed|head|body|meta|img|style|link)\b",
                     re.IGNORECASE)
_HEADER_LINE = re.compile(r"^[!-9;-~]+:")  # RFC 5322 field name, then a colon

#: name ending -> (canonical extension, content type stored, what the user is told it must be)
KINDS: dict[str, tuple[str, str, str]] = {
    "pdf": ("pdf", "application/pdf", "a PDF"),
    "png": ("png", "image/png", "a PNG picture"),
    "jpg": ("jpg", "image/jpeg", "a JPEG picture"),
    "jpeg": ("jpg", "image/jpeg", "a JPEG picture"),
    "gif": ("gif", "image/gif", "a GIF picture"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel workbook"),
    "txt": ("txt", "text/plain", "a plain text file"),
    "csv": ("csv", "text/csv", "a CSV file"),
    "xml": ("xml", "application/xml", "an XML file"),
    "json": ("json", "application/json", "a JSON file"),
    "eml": ("eml", "message/rfc822", "an email saved as a .eml file"),
}
DOCUMENTS = ("pdf", "png", "jpg", "jpeg", "gif", "docx", "xlsx", "txt", "csv")
DOCUMENTS_DESCRIPTION = ("a PDF, a picture (PNG, JPEG or GIF), a Word or Excel file (.docx, .xlsx) or a text or CSV "
                         "file (.txt, .csv)")
EXTRACTS = ("csv", "txt", "xlsx")
RETURNS = ("csv",)
EMAIL = ("eml",)
CTF = ("xml",)
SCHOOL_FEED = ("json",)


class UploadRejected(ValueError):
    """The file cannot be accepted; the message says why, for the user (GOV.UK error message style)."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def _office(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UploadRejected("The selected file looks like an Office file but is damaged.") from error
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_ZIP_MEMBERS:
            raise UploadRejected("The selected file contains too many parts to be a normal Office file.")
        if sum(m.file_size for m in members) > max(len(data), 1) * _MAX_ZIP_RATIO:
            raise UploadRejected("The selected file expands to far more than its size, so it was refused.")
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError:
            return "a zip archive"
        if info.file_size > _MAX_CONTENT_TYPES_BYTES:
            raise UploadRejected("The selected file's Office content list is too large, so it was refused.")
        content_types = archive.read(info)
    if any(marker in content_types for marker in _MACROS):
        raise UploadRejected("Office files with macros are not accepted. Save it as .docx or .xlsx and try again.")
    for marker, extension in _OFFICE.items():
        if marker in content_types:
            return extension
    return "an Office file that is not a Word document or a workbook"


def _text(data: bytes) -> str | None:
    """The text of a text file (UTF-8, UTF-16 with a byte-order mark, or Windows-1252), or None if it is binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t\f")
    return text if printable >= len(text) * 0.95 else None


def _content(data: bytes) -> tuple[str, str | None]:
    """What the bytes are: a canonical extension (pdf, png, jpg, gif, docx, xlsx), or "text" with the text, or a
    description of something we never accept."""
    if data.startswith(b"%PDF-"):
        return "pdf", None
    kind = filetype.guess(data)
    if kind is not None and kind.mime in _PICTURES:
        return _PICTURES[kind.mime], None
    if (kind is not None and kind.mime in _ZIPS) or data.startswith(b"PK\x03\x04"):
        return _office(data), None
    if kind is not None:
        return f"a file of another type ({kind.extension})", None
    text = _text(data)
    if text is None:
        return "not a file type we recognise", None
    return "text", text


def _what(content: str, text: str | None) -> str:
    if content == "text":
        return "a web page (HTML or SVG)" if text is not None and _MARKUP.search(text[:65536]) else "text"
    return next((label for ext, (canon, _, label) in KINDS.items() if canon == content and ext == canon), content)


def _matches(declared: str, content: str, text: str | None) -> bool:
    canonical = KINDS[declared][0]
    if content != "text" or text is None:
        return content == canonical
    head = text[:65536].lstrip("\ufeff \r\n\t")
    if declared == "eml":
        return bool(_HEADER_LINE.match(head))
    if declared == "xml":
        return head.startswith("<") and not _PAGE.search(head)
    if declared == "json":
        return head.startswith(("{", "["))
    return declared in ("txt", "csv") and not _MARKUP.search(head)


def _allowed_description(allowed: Sequence[str]) -> str:
    if tuple(allowed) == DOCUMENTS:
        return DOCUMENTS_DESCRIPTION
    labels = list(dict.fromkeys(KINDS[ext][2] for ext in allowed))
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def sniff(data: bytes, *, name: str, allowed: Sequence[str], max_bytes: int) -> Sniffed:
    """The checked type of an upload (see the module docstring), or UploadRejected saying why."""
    if not data:
        raise UploadRejected("The selected file is empty.")
    if len(data) > max_bytes:
        raise UploadRejected(f"The selected file must be smaller than {max(max_bytes // (1024 * 1024), 1)} MB.")
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    declared = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if declared not in allowed or declared not in KINDS:
        raise UploadRejected(f"The selected file must be {_allowed_description(allowed)}.")
    content, text = _content(data)
    canonical, content_type, label = KINDS[declared]
    if not _matches(declared, content, text):
        raise UploadRejected(f"The selected file must be {label}: its name ends .{declared} but it is "
                             f"{_what(content, text)}. Upload the file itself, not a renamed one.")
    _scan(data, name=base)
    return Sniffed(content_type, canonical)


def _scan(data: bytes, *, name: str) -> None:
    """FILE-4: clamd, fail closed (off when CME_CLAMD_ADDRESS is empty). An infected file goes to the quarantine,
    unless a system administrator released that exact file (its SHA-256) as a false positive."""
    try:
        antivirus.scan(data)
    except antivirus.Infected as exc:
        if quarantine.released(hashlib.sha256(data).hexdigest()):
            return
        quarantine.hold(data, name=name, signature=exc.signature)
        raise UploadRejected(str(exc)) from exc
    except antivirus.ScanRefused as exc:
        raise UploadRejected(str(exc)) from exc
