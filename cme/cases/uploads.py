"""What kind of file an upload really is, from its bytes (never its name or the browser's word for it).

Allowed: PDF, PNG, JPEG, GIF, Word (.docx) and Excel (.xlsx), and plain text. Office files are zip archives,
so the archive's `[Content_Types].xml` must name a Word document or a workbook (macro-enabled ones are refused),
and the archive must not be a zip bomb. Everything else is refused with a message for the officer.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype

_SIMPLE = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
}
_OFFICE = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
_MACROS = (b"macroEnabled", b"vbaProject")
_MAX_ZIP_MEMBERS = 2000
_MAX_ZIP_RATIO = 100
_MAX_CONTENT_TYPES_BYTES = 200_000

ALLOWED_DESCRIPTION = "a PDF, a picture (PNG, JPEG or GIF), a Word or Excel file (.docx, .xlsx) or a text file"


class UploadRejected(ValueError):
    """The file cannot be accepted; the message says why, for the officer."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def _office(data: bytes) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UploadRejected("The file looks like an Office file but is damaged.") from error
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_ZIP_MEMBERS:
            raise UploadRejected("The file contains too many parts to be a normal Office file.")
        uncompressed = sum(m.file_size for m in members)
        if uncompressed > max(len(data), 1) * _MAX_ZIP_RATIO:
            raise UploadRejected("The file expands to far more than its size, so it was refused.")
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError as error:
            raise UploadRejected(f"This zip file is not an Office document. Upload {ALLOWED_DESCRIPTION}.") from error
        if info.file_size > _MAX_CONTENT_TYPES_BYTES:
            raise UploadRejected("The file's Office content list is too large, so it was refused.")
        content_types = archive.read(info)
    if any(marker in content_types for marker in _MACROS):
        raise UploadRejected("Office files with macros are not accepted. Save it as .docx or .xlsx and try again.")
    for marker, (content_type, extension) in _OFFICE.items():
        if marker in content_types:
            return Sniffed(content_type, extension)
    raise UploadRejected(f"This Office file is not a Word document or a workbook. Upload {ALLOWED_DESCRIPTION}.")


def _plain_text(data: bytes) -> Sniffed | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    if printable < len(text) * 0.95:
        return None
    return Sniffed("text/plain", "txt")


def sniff(data: bytes, *, max_bytes: int) -> Sniffed:
    """The file's real type, or UploadRejected (too big, empty, or not an allowed kind)."""
    if not data:
        raise UploadRejected("The selected file is empty.")
    if len(data) > max_bytes:
        raise UploadRejected(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB.")
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in _SIMPLE:
            return Sniffed(kind.mime, _SIMPLE[kind.mime])
        if kind.mime in ("application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
            return _office(data)
        raise UploadRejected(f"Files of this type ({kind.extension}) are not accepted. Upload {ALLOWED_DESCRIPTION}.")
    if data[:4] == b"PK\x03\x04":
        return _office(data)
    text = _plain_text(data)
    if text is not None:
        return text
    raise UploadRejected(f"The file's type could not be recognised. Upload {ALLOWED_DESCRIPTION}.")
