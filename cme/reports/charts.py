"""Server-rendered, accessible SVG charts (no JavaScript, no CDN, no inline styles: CSP allows only self).

Each chart is an `<svg role="img">` labelled by its `<title>` and `<desc>`; the same numbers are in a table right
under it on the page (the table is the accessible alternative, the chart is a picture of it). Labels are escaped
with markupsafe; the SVG string is our own markup, so it is returned as Markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from cme.reports.kpis import Table

BAR_COLOUR = "#1d70b8"  # GOV.UK blue
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
FONT = 'font-family="GDS Transport, arial, sans-serif"'
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#28a197", "#6f72af", "#b58840"]


def _num(value: int | float | None) -> str:
    return "1–5" if value is None else f"{value:,}"


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    cid = escape(chart_id)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="cme-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{cid}-title {cid}-desc">'
            f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>')
    # nosec B704: every interpolated label is escaped above; the rest is markup we generate ourselves.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704


def _describe(table: Table, column: int = 0) -> str:
    parts = [f"{label}: {_num(values[column])}" for label, values in table.rows]
    return f"{table.title}. " + "; ".join(parts) + ". The table below has the same numbers."


def bar_chart(table: Table, column: int = 0) -> Markup:
    """Horizontal bars, one per row (suppressed cells drawn as no bar and labelled 1–5)."""
    label_width, bar_width, row_height, top = 230, 380, 26, 8
    values = [values[column] or 0 for _, values in table.rows]
    largest = max(values, default=0) or 1
    height = top * 2 + row_height * max(1, len(table.rows))
    body = []
    for index, (label, cells) in enumerate(table.rows):
        y = top + index * row_height
        value = cells[column]
        length = 0 if value is None else round(bar_width * value / largest)
        body.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT_COLOUR}" '
                    f'font-size="14" {FONT}>{escape(label[:34])}</text>')
        if length:
            body.append(f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="{row_height - 8}" '
                        f'fill="{BAR_COLOUR}"/>')
        body.append(f'<text x="{label_width + length + 6}" y="{y + 17}" fill="{TEXT_COLOUR}" font-size="14" '
                    f'{FONT}>{escape(_num(value))}</text>')
    body.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" '
                f'stroke="{GRID_COLOUR}"/>')
    return _svg(f"chart-{table.key}", table.title, _describe(table, column), label_width + bar_width + 70, height,
                body)


def column_chart(table: Table) -> Markup:
    """Vertical columns in row order (a histogram for ordered bands); several columns are stacked by series."""
    plot_height, left, top, bottom = 180, 40, 12, 64
    series = len(table.columns)
    totals = [sum(v or 0 for v in values) for _, values in table.rows]
    largest = max(totals, default=0) or 1
    slot = max(18, min(60, 640 // max(1, len(table.rows))))
    width = left + slot * max(1, len(table.rows)) + 20
    height = top + plot_height + bottom + (18 * ((series + 2) // 3) if series > 1 else 0)
    base = top + plot_height
    body = [f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{GRID_COLOUR}"/>',
            f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="{TEXT_COLOUR}" font-size="12" {FONT}>'
            f'{largest:,}</text>',
            f'<text x="{left - 6}" y="{base}" text-anchor="end" fill="{TEXT_COLOUR}" font-size="12" {FONT}>0</text>']
    for index, (label, values) in enumerate(table.rows):
        x = left + index * slot + 3
        y = base
        for s, value in enumerate(values):
            if not value:
                continue
            h = round(plot_height * value / largest)
            y -= h
            body.append(f'<rect x="{x}" y="{y}" width="{slot - 6}" height="{h}" fill="{PALETTE[s % len(PALETTE)]}"/>')
        shown = "1–5" if series == 1 and values[0] is None else f"{totals[index]:,}"
        if series == 1 or totals[index]:
            body.append(f'<text x="{x + (slot - 6) / 2:g}" y="{y - 3}" text-anchor="middle" fill="{TEXT_COLOUR}" '
                        f'font-size="11" {FONT}>{escape(shown)}</text>')
        body.append(f'<text transform="translate({x + (slot - 6) / 2:g},{base + 12}) rotate(35)" '
                    f'fill="{TEXT_COLOUR}" font-size="11" {FONT}>{escape(label[:16])}</text>')
    if series > 1:  # a key for the stacked series
        for s, name in enumerate(table.columns):
            kx = left + (s % 3) * 200
            ky = base + bottom + (s // 3) * 18
            body.append(f'<rect x="{kx}" y="{ky - 10}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                        f'<text x="{kx + 16}" y="{ky}" fill="{TEXT_COLOUR}" font-size="11" {FONT}>'
                        f'{escape(name[:30])}</text>')
    desc = (f"{table.title}. " + "; ".join(f"{label}: {_num(t)}" for (label, _), t in zip(table.rows, totals,
                                                                                          strict=True))
            + ". The table below has the same numbers.")
    return _svg(f"chart-{table.key}", table.title, desc, max(width, 620 if series > 1 else width), height, body)


def chart_for(table: Table) -> Markup:
    if table.chart == "column":
        return column_chart(table)
    if table.chart == "bar":
        return bar_chart(table)
    return Markup("")
