"""Common Transfer File: build, name and safely parse CTF XML (formats.md §1; rules.md R7.1-R7.3).

Public interface (import from ``cme.law.ctf``):

* data: ``CTFHeader``, ``CTFPupil``, ``CTFContact``, ``CTFPhone``, ``CTFSchoolHistoryEntry``,
  ``ParsedCTF``, ``CTFError``;
* rules: ``ctf_academic_year``, ``ctf_version``, ``default_accepted_versions``, ``nc_year_from_code``;
* file names: ``ctf_file_name``, ``lost_pupil_file_name``;
* XML: ``build_ctf``, ``build_lost_pupil_ctf``, ``parse_ctf``.
"""

from __future__ import annotations

from cme.law.ctf.build import build_ctf, build_lost_pupil_ctf, format_ctf_datetime
from cme.law.ctf.model import (
    DOCUMENT_NAME,
    LA_SENDER_ESTAB,
    LOST_PUPIL_DEST_ESTAB,
    LOST_PUPIL_DEST_LA,
    CTFContact,
    CTFError,
    CTFHeader,
    CTFPhone,
    CTFPupil,
    CTFSchoolHistoryEntry,
    ParsedCTF,
    ctf_academic_year,
    ctf_file_name,
    ctf_version,
    lost_pupil_file_name,
    nc_year_from_code,
)
from cme.law.ctf.parse import DEFAULT_MAX_BYTES, default_accepted_versions, parse_ctf

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOCUMENT_NAME",
    "LA_SENDER_ESTAB",
    "LOST_PUPIL_DEST_ESTAB",
    "LOST_PUPIL_DEST_LA",
    "CTFContact",
    "CTFError",
    "CTFHeader",
    "CTFPhone",
    "CTFPupil",
    "CTFSchoolHistoryEntry",
    "ParsedCTF",
    "build_ctf",
    "build_lost_pupil_ctf",
    "ctf_academic_year",
    "ctf_file_name",
    "ctf_version",
    "default_accepted_versions",
    "format_ctf_datetime",
    "lost_pupil_file_name",
    "nc_year_from_code",
    "parse_ctf",
]
