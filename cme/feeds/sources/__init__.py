"""One module per source (STYLE 2.4: a Pydantic row schema and a ``parse()`` each, with its own tests).

``PARSERS`` maps a source slug (the SourceRecord ``source``) to its module's ``parse``.
"""

from __future__ import annotations

from collections.abc import Callable

from cme.feeds.sources import (
    admissions,
    border_force,
    ctf,
    dwp,
    ehe_notifications,
    health,
    hmrc,
    social_care,
    wonde,
)
from cme.feeds.sources.base import ParsedFile

Parser = Callable[..., ParsedFile]

PARSERS: dict[str, Parser] = {
    wonde.SOURCE: wonde.parse,
    health.SOURCE: health.parse,
    hmrc.SOURCE: hmrc.parse,
    social_care.SOURCE: social_care.parse,
    admissions.SOURCE: admissions.parse,
    dwp.SOURCE: dwp.parse,
    border_force.SOURCE: border_force.parse,
    ehe_notifications.SOURCE: ehe_notifications.parse,
    ctf.SOURCE: ctf.parse,
}

#: The partner sources whose records are evidence that a child lives in the area (R2.1, never_accessed_education).
RESIDENCE_SOURCES = (health.SOURCE, hmrc.SOURCE, social_care.SOURCE, dwp.SOURCE, border_force.SOURCE)

#: Display names for the partner extracts (the upload form, run pages).
SOURCE_NAMES: dict[str, str] = {
    wonde.SOURCE: "Daily school feed (Wonde)",
    health.SOURCE: "Health registrations (GP and health visitors)",
    hmrc.SOURCE: "HMRC Child Benefit",
    social_care.SOURCE: "Children's social care (LCS)",
    admissions.SOURCE: "Admissions offers",
    dwp.SOURCE: "DWP",
    border_force.SOURCE: "Border Force arrivals",
    ehe_notifications.SOURCE: "Elective home education notifications",
    ctf.SOURCE: "Common transfer files",
}
