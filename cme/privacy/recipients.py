"""Who has received a child's personal data from the service: the recipients to tell after a rectification
(UK GDPR Art 19; SECURITY-PLAN DP-5; rules.md R8.2 "record what was shared, with whom and why").

Built from what the service records when data leaves the council:
- lost-pupil and other CTFs generated for the child (cases.CTFFile; uploaded to S2S, R7.2);
- requests to another council to take the case over (cases.CaseTransfer, R2.8);
- people and agencies the officers contacted about the case (cases.ContactRecord made by us) and the people asked
  in the reasonable-enquiry checks (cases.Enquiry, R2.5);
- enquiries sent to another council about the child, and answers to theirs (notifications.LAEnquiry);
- immediate safeguarding referrals at triage (notifications.Notification outcome);
- safeguarding referrals to the MASH about a home-educated child (ehe.EHEConcern);
- panel meetings with the child's case on the agenda: the attendees from outside the council's casework team
  (panels.PanelAttendee), and referrals the panel agreed (panels.Decision);
- requests to an out-of-school setting naming the child (cnis.ProviderRequest, s436E);
- time-limited access to the child's record given to users outside the casework team (children.ChildAccessGrant).
Files taken out of the service about the child (audit EXPORT events: CTF and document downloads, subject access
exports) are listed apart: the service does not know where they went, the officer does.

The child has already been fetched through the user's scope; every query below is also limited to the child's
local authority (the audit events are the child's own, by id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.policy import scope_for
from cme.audit.models import AuditEvent
from cme.children.models import Child, ChildAccessGrant
from cme.core.formatting import govuk_date
from cme.law import la_codes

LOST_PUPIL_DESTINATION = "XXXXXXX"  # R7.2: destination not known, held in S2S's Lost Pupil Database


@dataclass(frozen=True)
class Recipient:
    source: str  # what recorded it: ctf, transfer, la_enquiry, safeguarding, mash, panel, panel_referral, ...
    who: str
    what: str
    on: dt.date | None
    status: str = ""


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _la(code: str, contact: str = "") -> str:
    name = la_codes.la_name(code)
    label = f"{name} (LA {code})" if name else f"Local authority {code}"
    return f"{label}, {contact}" if contact else label


def _ctf_files(child: Child) -> list[Recipient]:
    from cme.cases.models import CTFFile

    rows = []
    for ctf in CTFFile.objects.filter(child=child, local_authority_id=child.local_authority_id,
                                      direction=CTFFile.Direction.GENERATED).order_by("created_at"):
        lost = ctf.is_lost_pupil or ctf.dest_laestab == LOST_PUPIL_DESTINATION
        who = ("DfE School to School (S2S): Lost Pupil Database, searched by every council" if lost
               else f"School {ctf.dest_laestab} through S2S")
        status = (f"uploaded to S2S on {govuk_date(ctf.s2s_uploaded_on)}" if ctf.s2s_uploaded_on
                  else "generated; upload to S2S not recorded")
        rows.append(Recipient("ctf", who, f"Common transfer file {ctf.file_name}", ctf.s2s_uploaded_on
                              or _day(ctf.created_at), status))
    return rows


def _transfers(child: Child) -> list[Recipient]:
    from cme.cases.models import CaseTransfer

    return [Recipient("transfer", _la(t.receiving_la_code, t.contact),
                      f"Request to take over case {t.case.reference} (identity and new address)",
                      _day(t.requested_at), t.get_response_display())
            for t in CaseTransfer.objects.filter(case__child=child, case__local_authority_id=child.local_authority_id)
            .select_related("case").order_by("requested_at")]


def _case_contacts(child: Child) -> list[Recipient]:
    """Who the officers contacted about the child (case contacts made by us, reasonable-enquiry checks done)."""
    from cme.cases.models import ContactRecord, Enquiry

    scope = {"case__child": child, "case__local_authority_id": child.local_authority_id}
    rows = [Recipient("contact", c.with_whom, f"Contact about case {c.case.reference}", c.occurred_on,
                      c.get_method_display())
            for c in ContactRecord.objects.filter(direction=ContactRecord.Direction.OUT, **scope)
            .select_related("case").order_by("occurred_on")]
    rows += [Recipient("enquiry", e.person, f"Reasonable-enquiry check: {e.label}", e.done_on,
                       e.get_method_display())
             for e in Enquiry.objects.filter(done_on__isnull=False, **scope).exclude(person="").order_by("done_on")]
    return rows


def _la_enquiries(child: Child) -> list[Recipient]:
    from cme.notifications.models import LAEnquiry

    rows = []
    for enquiry in LAEnquiry.objects.filter(child=child, local_authority_id=child.local_authority_id).order_by(
            "asked_on", "pk"):
        contact = enquiry.other_la_contact_name or enquiry.other_la_contact_email
        who = f"{enquiry.other_la_name} (LA {enquiry.other_la_code})" + (f", {contact}" if contact else "")
        if enquiry.direction == LAEnquiry.Direction.SENT:
            rows.append(Recipient("la_enquiry", who, "Enquiry sent: is this child known to you?", enquiry.asked_on,
                                  "answered" if enquiry.responded_on else "awaiting their answer"))
        elif enquiry.responded_on:
            rows.append(Recipient("la_enquiry", who, f"Our answer to their enquiry: {enquiry.get_answer_display()}",
                                  enquiry.responded_on))
    return rows


def _safeguarding_referrals(child: Child) -> list[Recipient]:
    from cme.ehe.models import EHEConcern
    from cme.notifications.models import Notification

    rows = [Recipient("safeguarding", "Multi-agency safeguarding hub (MASH) or the police",
                      f"Immediate safeguarding referral at triage of {n.reference}", _day(n.triaged_at))
            for n in Notification.objects.filter(child=child, local_authority_id=child.local_authority_id,
                                                 outcome=Notification.Outcome.SAFEGUARDING_REFERRAL)
            .order_by("triaged_at")]
    rows += [Recipient("mash", "Multi-agency safeguarding hub (MASH)",
                       "Safeguarding referral about a home-educated child"
                       + (f" (MASH reference {c.mash_reference})" if c.mash_reference else ""), c.mash_referral_on)
             for c in EHEConcern.objects.filter(record__child=child, mash_referral_on__isnull=False,
                                                record__local_authority_id=child.local_authority_id)
             .order_by("mash_referral_on")]
    return rows


def _panels(child: Child) -> list[Recipient]:
    from cme.panels.models import Decision, PanelAttendee, PanelItem

    items = PanelItem.objects.filter(case__child=child, meeting__local_authority_id=child.local_authority_id)
    rows = []
    for attendee in (PanelAttendee.objects.filter(meeting_id__in=items.values("meeting_id"))
                     .select_related("meeting", "user", "user__organisation").order_by("meeting__held_on", "name")):
        if attendee.user is not None and scope_for(attendee.user).kind == "la":
            continue  # the council's own casework team: not a recipient
        organisation = attendee.user.organisation if attendee.user and attendee.user.organisation_id else None
        agency = attendee.agency or (organisation.name if organisation else "")
        if attendee.attended is not None:
            status = "attended" if attendee.attended else "did not attend"
        else:
            status = "meeting to come" if attendee.meeting.held_on > timezone.localdate() else ""
        rows.append(Recipient("panel", f"{attendee.name} ({agency})" if agency else attendee.name,
                              f"Panel papers and minutes, {attendee.meeting}", attendee.meeting.held_on, status))
    referral = {Decision.Outcome.REFER_SOCIAL_CARE: "Children's social care",
                Decision.Outcome.REFER_POLICE: "The police"}
    rows += [Recipient("panel_referral", referral[Decision.Outcome(d.outcome)],
                       f"Referral agreed by the panel: {d.text[:120]}", d.decided_on)
             for d in Decision.objects.filter(item__in=items, outcome__in=list(referral)).order_by("decided_on")]
    return rows


def _provider_requests(child: Child) -> list[Recipient]:
    from cme.cnis.models import ProviderRequest

    return [Recipient("cnis_provider", r.setting.name, "Request for information about named children (s436E)",
                      r.sent_on)
            for r in ProviderRequest.objects.filter(entries__child=child, local_authority_id=child.local_authority_id)
            .select_related("setting").distinct().order_by("sent_on")]


def _access_grants(child: Child) -> list[Recipient]:
    now = timezone.now()
    rows = []
    for grant in (ChildAccessGrant.objects.filter(child=child, user__local_authority_id=child.local_authority_id)
                  .select_related("user", "user__organisation").order_by("created_at")):
        user = grant.user
        who = f"{user.full_name} ({user.organisation.name})" if user.organisation_id else user.full_name  # type: ignore[union-attr]
        ended = grant.revoked_at or (grant.expires_at if grant.expires_at and grant.expires_at <= now else None)
        rows.append(Recipient("access_grant", who, f"Access to the child's record in the service: {grant.reason}",
                              _day(grant.created_at), f"ended {govuk_date(_day(ended))}" if ended else "active"))
    return rows


SOURCES = (_ctf_files, _transfers, _case_contacts, _la_enquiries, _safeguarding_referrals, _panels, _provider_requests,
           _access_grants)


def disclosure_recipients(*, child: Child) -> list[Recipient]:
    """Everyone recorded as having received the child's personal data, oldest first."""
    rows = [row for source in SOURCES for row in source(child)]
    return sorted(rows, key=lambda r: (r.on or dt.date.min, r.source, r.who))


def exports(*, child: Child) -> QuerySet[AuditEvent]:
    """Files about the child taken out of the service (recipient not recorded), newest first."""
    return AuditEvent.objects.for_child(child.pk).filter(action=AuditEvent.Action.EXPORT).order_by("-at", "-id")
