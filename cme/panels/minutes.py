"""The panel's minutes as a PDF (fpdf2). Only what panel members may see: per case the reference, the child's
name and date of birth, why it was discussed, the discussion, the decision and the actions. Every page is marked
OFFICIAL-SENSITIVE (Government Security Classifications), top and bottom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cme.panels.models import PanelAttendee, PanelItem, PanelMeeting

MARKING = "OFFICIAL-SENSITIVE"
_REPLACEMENTS = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                 "\u2026": "...", "\u00a0": " ", "\u2022": "-"}


def _text(value: object) -> str:
    """The PDF core fonts are Latin-1: keep what fits, swap common punctuation, mark anything else with '?'."""
    text = str(value)
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


class _Minutes(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 6, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 6, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def minutes_pdf(*, meeting: PanelMeeting, items: Sequence[PanelItem], attendees: Sequence[PanelAttendee],
                generated_at: dt.datetime | None = None) -> bytes:
    moment = timezone.localtime(generated_at or timezone.now())
    pdf = _Minutes(format="A4")
    pdf.set_title(_text(f"CME panel minutes {meeting.held_on.isoformat()}"))
    pdf.set_author(_text(meeting.local_authority.name))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    def heading(text: str, size: int = 14) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(0, 7, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def para(text: str, bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.multi_cell(0, 5, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading(f"{meeting.local_authority.name}: multi-agency children missing education panel", 16)
    when = _day(meeting.held_on) + (f" at {meeting.starts_at:%H:%M}" if meeting.starts_at else "")
    para(f"Minutes of the meeting on {when}. {meeting.term}." + (f" {meeting.location}." if meeting.location else ""))
    para(f"Produced {_day(moment.date())} at {moment:%H:%M}. Do not forward outside the panel.")
    pdf.ln(3)

    heading("Attendees", 12)
    for person in attendees:
        state = {True: "present", False: "apologies", None: "invited"}[person.attended]
        para(f"- {person.name}" + (f", {person.agency}" if person.agency else "") + f" ({state})")
    if not attendees:
        para("None recorded.")
    pdf.ln(3)

    heading("Cases discussed", 12)
    if not items:
        para("No cases on the agenda.")
    for number, item in enumerate(items, start=1):
        child = item.case.child
        heading(f"{number}. {item.case.reference}: {child.legal_full_name}, born {_day(child.date_of_birth)}", 11)
        para(f"On the agenda because: {item.reasons}")
        if item.discussion:
            para("Discussion:", bold=True)
            para(item.discussion)
        for decision in item.decisions.all():
            para(f"Decision: {decision.get_outcome_display()}", bold=True)
            para(decision.text)
            for action in decision.actions.all():
                task = action.task
                owner = task.assignee.full_name if task.assignee else "not assigned"
                para(f"- Action: {task.title} (owner: {owner}; due {_day(task.due)})")
        if not item.decisions.all():
            para("No decision recorded.")
        pdf.ln(3)
    return bytes(pdf.output())
