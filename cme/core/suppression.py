"""The small-number rule for aggregate-only roles (read-only managers, AC-7): counts of 1 to 5 are not shown.

It lives in `core` so that every app showing a count to such a role applies the same rule (the school list in
`children`, the reports in `reports`, which adds table-level rules on top: cme.reports.suppression).
"""

from __future__ import annotations

LOWEST_SHOWN = 6
SUPPRESSED_TEXT = "1–5"


def suppress_count(value: int | None) -> int | None:
    """R-reporting: 1-5 becomes None (shown as "1–5"); 0 and 6 or more are shown as they are."""
    if value is None or value == 0 or value >= LOWEST_SHOWN:
        return value
    return None
