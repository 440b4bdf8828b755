"""Display logic for the queue, the triage page and submissions (no queries: everything comes loaded)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cme.core import calendar
from cme.core.formatting import govuk_date
from cme.notifications.models import Notification

Kind = Notification.Kind

KIND_TAG_CLASSES: dict[str, str] = {
    Kind.DELETION_RETURN: "govuk-tag--purple",
    Kind.NEW_ENTRANT_RETURN: "govuk-tag--grey",
    Kind.PARTNER_REFERRAL: "govuk-tag--blue",
    Kind.RESIDENT_REPORT: "govuk-tag--light-blue",
    Kind.LA_ENQUIRY: "govuk-tag--turquoise",
    Kind.MAILBOX: "govuk-tag--yellow",
    Kind.CTF_RECEIVED: "govuk-tag--grey",
    Kind.DETECTION_ALERT: "govuk-tag--orange",
}

ROUTE_HINTS = {
    "none": ("The destination is known or the child is no longer of concern: probably not CME.", "not_cme"),
    "ehe": ("Elective home education: pass to the EHE team, not a CME case (R5.5).", "ehe_team"),
    "cme_check": ("The child may be missing education: check where they are (R2.4, R2.7).", "new_case"),
}


def optional_url(name: str, **kwargs: Any) -> str | None:
    """The URL if that view exists yet (the cases app adds its triage outcomes), else None."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _date(value: str) -> str:
    if not value:
        return ""
    try:
        return govuk_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def _yes(value: Any) -> str:
    return "Yes" if value else "No"


@dataclass
class QueueRow:
    """One line of the triage queue: how old it is against the next-working-day target."""

    notification: Notification
    today: dt.date

    @property
    def received_on(self) -> dt.date:
        return timezone.localdate(self.notification.received_at)

    @property
    def age_working_days(self) -> int:
        return max(0, calendar.working_days_between(self.received_on, self.today))

    @property
    def is_overdue(self) -> bool:
        return self.today > self.notification.triage_due

    @property
    def due_label(self) -> str:
        due = self.notification.triage_due
        if self.is_overdue:
            late = calendar.working_days_between(due, self.today)
            return f"Overdue by {late} working day{'s' if late != 1 else ''}"
        if due == self.today:
            return "Due today"
        return f"Due {govuk_date(due)}"

    @property
    def age_label(self) -> str:
        days = self.age_working_days
        return "Today" if days == 0 else f"{days} working day{'s' if days != 1 else ''}"

    @property
    def kind_class(self) -> str:
        return KIND_TAG_CLASSES.get(self.notification.kind, "govuk-tag--grey")

    @property
    def source(self) -> str:
        n = self.notification
        if n.source_organisation_id and n.source_organisation is not None:
            return n.source_organisation.name
        return n.reporter_name or n.get_kind_display()


class NotificationPresenter(QueueRow):
    """The triage page and a submitter's view of one notification."""

    def __init__(self, notification: Notification, *, today: dt.date) -> None:
        super().__init__(notification=notification, today=today)
        self.details: dict[str, Any] = notification.details or {}

    def reported_rows(self) -> list[tuple[str, str]]:
        n, d = self.notification, self.details
        name = " ".join(p for p in (n.forename, d.get("middle_names", ""), n.surname) if p)
        rows = [
            ("Name", name or "Not given"),
            ("Date of birth", govuk_date(n.date_of_birth, "Not given")),
            ("Sex", {"F": "Female", "M": "Male", "U": "Not known"}.get(n.sex, "Not given")),
            ("UPN", n.upn or "Not given"),
            ("Address", ", ".join(p for p in (n.address, n.postcode) if p) or "Not given"),
        ]
        for i, parent in enumerate(d.get("parents") or [], start=1):
            text = f"{parent.get('name', '')}, {parent.get('phone', '')}"
            if parent.get("address"):
                text += f" ({parent['address']})"
            rows.append((f"Parent {i} (lives with)", text))
        return rows

    def route_rows(self) -> list[tuple[str, str]]:
        kind = self.notification.kind
        builders: dict[str, Callable[[], list[tuple[str, Any]]]] = {
            Kind.DELETION_RETURN: self._deletion_rows, Kind.NEW_ENTRANT_RETURN: self._new_entrant_rows,
            Kind.PARTNER_REFERRAL: self._referral_rows, Kind.RESIDENT_REPORT: self._resident_rows,
            Kind.MAILBOX: self._mailbox_rows, Kind.LA_ENQUIRY: self._la_enquiry_rows,
        }
        builder = builders.get(kind, self._generic_rows)
        return [(label, value) for label, value in builder() if value not in ("", None)]

    def _deletion_rows(self) -> list[tuple[str, Any]]:
        n, d = self.notification, self.details
        new_school = " ".join(p for p in (d.get("new_school_name", ""), f"({d['new_school_laestab']})"
                                          if d.get("new_school_laestab") else "") if p)
        rows: list[tuple[str, Any]] = [
            ("School", f"{d.get('school_name', '')} ({n.school_laestab})"),
            ("Ground for deletion", f"{n.deletion_ground} – {d.get('ground_title', '')} ({d.get('regulation', '')})"),
            ("Date of deletion", govuk_date(n.deletion_date)),
            ("New address", ", ".join(p for p in (d.get("new_address", ""), d.get("new_postcode", "")) if p)),
            ("Will live with", d.get("lives_with", "")),
            ("Moving on", _date(d.get("new_address_from", ""))),
            ("New school", new_school),
            ("Starting at the new school", _date(d.get("new_school_start", ""))),
            ("Parent's written notice of home education", _date(d.get("parent_notice_date", ""))),
            ("Leave of absence ended", _date(d.get("leave_end_date", ""))),
            ("First day of continuous absence", _date(d.get("first_day_of_absence", ""))),
        ]
        if n.deletion_ground == "I":
            rows.append(("Every session G, N or O", _yes(d.get("every_session_unexplained"))))
        if n.deletion_ground in ("H", "I"):
            rows += [
                ("No reason to believe sickness or unavoidable cause", _yes(d.get("no_sickness_or_unavoidable_cause"))),
                ("Joint enquiries with the LA made, pupil not found", _yes(d.get("joint_enquiries_completed"))),
                ("LA officer for the joint enquiries", d.get("joint_enquiries_la_officer", "")),
            ]
        rows.append(("Notes", d.get("notes", "")))
        return rows

    def _new_entrant_rows(self) -> list[tuple[str, Any]]:
        n, d = self.notification, self.details
        year = d.get("nc_year")
        return [
            ("School", f"{d.get('school_name', '')} ({n.school_laestab})"),
            ("Joined the roll", _date(d.get("start_date", ""))),
            ("Year group", "Reception" if year == 0 else (f"Year {year}" if year is not None else "")),
            ("Previous school", " ".join(p for p in (d.get("previous_school_name", ""),
                                                     d.get("previous_school_laestab", "")) if p)),
            ("Sent on time (R3.4)", "No: more than 5 school days after joining" if d.get("late") else "Yes"),
            ("Notes", d.get("notes", "")),
        ]

    def _referral_rows(self) -> list[tuple[str, Any]]:
        n, d = self.notification, self.details
        return [
            ("Concern", d.get("concern_label", "")),
            ("Referred by", ", ".join(p for p in (n.reporter_name, d.get("referrer_role", "")) if p)),
            ("Agency", d.get("agency_label", "")),
            ("Organisation", d.get("organisation_name", "")),
            ("Referrer's phone", d.get("referrer_phone", "")),
            ("Referrer's email", d.get("referrer_email", "")),
            ("Other names", d.get("other_names", "")),
            ("Age (if no date of birth)", d.get("age_estimate", "")),
            ("Parents or carers", d.get("parents", "")),
            ("Last school", d.get("last_school", "")),
            ("Last seen", _date(d.get("last_seen", ""))),
        ]

    def _resident_rows(self) -> list[tuple[str, Any]]:
        n, d = self.notification, self.details
        return [
            ("Reported by", n.reporter_name or "Did not give a name"),
            ("Their email or phone", n.reporter_contact),
            ("Their phone", d.get("reporter_phone", "")),
            ("How they know the child", d.get("relationship", "")),
            ("Age (as they think)", d.get("age_estimate", "")),
            ("They think the child is in danger", _yes(d.get("in_danger"))),
        ]

    def _mailbox_rows(self) -> list[tuple[str, Any]]:
        d = self.details
        return [
            ("From", d.get("from", "")),
            ("Subject", d.get("subject", "")),
            ("Sent", govuk_date(timezone.localtime(self.notification.received_at))),
            ("Attachments in the email", ", ".join(d.get("attachment_names") or [])),
            ("Logged by", d.get("logged_by", "")),
        ]

    def _la_enquiry_rows(self) -> list[tuple[str, Any]]:
        n, d = self.notification, self.details
        return [
            ("From", f"{d.get('other_la_name', '')} ({d.get('other_la_code', '')})"),
            ("Contact", ", ".join(p for p in (n.reporter_name, n.reporter_contact) if p)),
            ("Response due", _date(d.get("response_due", ""))),
        ]

    def _generic_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = []
        if self.notification.detection_rule:
            rows.append(("Detection rule", self.notification.detection_rule))
        for key, value in self.details.items():
            if isinstance(value, str | int | float | bool):
                rows.append((key.replace("_", " ").capitalize(), str(value)))
        return rows

    @property
    def warnings(self) -> list[str]:
        return list(self.details.get("warnings") or [])

    @property
    def route_hint(self) -> tuple[str, str] | None:
        """For deletion returns: where the ground says the return goes (cme.law.deletion_grounds.route_deletion)."""
        route = self.details.get("routes_to")
        return ROUTE_HINTS.get(route) if route else None

    @property
    def submitter_status(self) -> str:
        """What a school or partner is told about their own submission: never the outcome about the child."""
        n = self.notification
        if n.submitter_status == "new":  # an attached report too, until the first one is triaged (AC-6)
            return "Received: awaiting triage"
        when = govuk_date(timezone.localtime(n.triaged_at)) if n.triaged_at else ""
        return f"Acted on{(' ' + when) if when else ''}"
