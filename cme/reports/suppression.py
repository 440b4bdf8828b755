"""Small-number suppression for aggregate-only roles (read-only managers), the rule in docs/KPIS.md:

1. Primary: any count from 1 to 5 is shown as "1–5" (`None` in data, "*" in exports). Zero is shown as 0.
2. Secondary: when a table has a suppressed cell, its totals are rounded to the nearest 5, so a suppressed cell
   cannot be worked out by subtracting the other cells from the total.
3. A median time is shown only when it is based on 10 or more children.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cme.reports.kpis import Table

from cme.core.suppression import LOWEST_SHOWN, SUPPRESSED_TEXT, suppress_count

__all__ = ["EXPLANATION", "LOWEST_SHOWN", "SUPPRESSED_TEXT", "round_to_5", "suppress_count", "suppress_table"]

EXPLANATION = ("Numbers from 1 to 5 are shown as 1–5 and totals of tables with such numbers are rounded to the "
               "nearest 5, so that no child can be identified.")


def round_to_5(value: int) -> int:
    return 5 * round(value / 5)


def suppress_table(table: Table) -> Table:
    rows = [(label, [suppress_count(v) for v in values]) for label, values in table.rows]
    hidden = any(v is None for _, values in rows for v in values)
    totals = [round_to_5(t) if hidden and t is not None else t for t in table.totals]
    return replace(table, rows=rows, totals=totals, suppressed=hidden)
