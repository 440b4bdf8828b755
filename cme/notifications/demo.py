"""Demo intake: a realistic morning's triage queue built through the real services (no email is sent).

`demo_seed` uses the demo council's existing children, schools and users: returns from the demo school, referrals
from the demo partners, public reports, enquiries with other LAs and mailbox emails, spread over the last few
working days so some are overdue, some urgent, some attached as duplicates, and some already triaged.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.core import calendar
from cme.core.models import LocalAuthority
from cme.notifications import services
from cme.notifications.inputs import (
    DeletionReturnInput,
    LAEnquiryInput,
    MailboxInput,
    NewEntrantReturnInput,
    PartnerReferralInput,
    ResidentReportInput,
)
from cme.notifications.models import Notification

Outcome = Notification.Outcome
DEMO_PHONE = "01632 960 {:03d}"  # Ofcom's range for drama: never a real number
NEIGHBOUR_REPORTS = [
    "The children next door have not been to school since the spring. They are at home all day.",
    "A girl of about 12 is often in the park during school hours. I think she has moved in recently.",
    "A family moved into the flat above us in September; the boy says he does not have a school.",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _first(la: LocalAuthority, role: str, **filters: Any) -> User | None:
    return User.objects.filter(local_authority=la, role=role, is_active=True, **filters).order_by("pk").first()


def _pupil_fields(child: Child, laestab: str, n: int) -> dict[str, Any]:
    contact = next(iter(child.child_contacts.all()), None)
    parent = f"{contact.contact.forename} {contact.contact.surname}" if contact else f"Parent of {child.legal_forename}"
    return dict(school_laestab=laestab, upn=child.upn if child.upn and not child.upn_is_temporary else "",
                forename=child.legal_forename, surname=child.legal_surname, date_of_birth=child.date_of_birth,
                sex=child.sex, address=f"{10 + n} Demo Street", postcode=child.current_postcode or "OX4 1AB",
                parent1_name=parent, parent1_phone=DEMO_PHONE.format(100 + n))


@transaction.atomic
def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    """Fill the triage queue for the demo council (deterministic for a seed). Returns counts by what was made."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    counts = {"deletion returns": 0, "new pupil returns": 0, "partner referrals": 0, "public reports": 0,
              "enquiries with other LAs": 0, "mailbox emails": 0, "triaged": 0, "skipped": 0}
    la = local_authority
    days = [calendar.add_working_days(on, -k) for k in range(5)]  # today and the four working days before
    officer = _first(la, Role.CME_OFFICER)
    school_user = _first(la, Role.SCHOOL_USER, organisation__school__isnull=False)
    partners = list(User.objects.filter(local_authority=la, role=Role.PARTNER_USER, is_active=True).order_by("pk"))
    made: list[Notification] = []

    def attempt(kind: str, make: Any) -> None:
        try:
            result = make()
        except services.IntakeInvalid:
            counts["skipped"] += 1
            return
        counts[kind] += 1
        if isinstance(result, Notification):
            made.append(result)

    if school_user is not None:
        school = school_user.organisation.school  # type: ignore[union-attr]
        on_roll = list(
            Child.objects.filter(local_authority=la, merged_into__isnull=True, enrolments__school=school,
                                 enrolments__end__isnull=True).prefetch_related("child_contacts__contact")
            .order_by("pk")[:400]
        )
        pupils = rng.sample(on_roll, min(8, len(on_roll)))
        term = la.term_calendar()
        actor = Auditor.for_user(school_user)
        grounds = ["A", "G", "F", "O", "I", "N"]
        for i, (child, ground) in enumerate(zip(pupils, grounds, strict=False)):
            extra: dict[str, Any] = {"ground": ground, "deletion_date": on}
            if ground == "A":
                extra.update(new_school_name="Oakwood Academy (demo)", new_school_laestab=f"{la.code}4001")
            elif ground == "G":
                extra.update(new_address="", notes="Family said they were moving abroad.")
            elif ground == "F":
                extra.update(parent_notice_date=on - dt.timedelta(days=3))
            elif ground == "I":
                try:
                    first = term.add_school_days(on, -24)
                except ValueError:
                    first = on - dt.timedelta(days=40)
                extra.update(first_day_of_absence=first, every_session_unexplained=True,
                             no_sickness_or_unavoidable_cause=True, joint_enquiries_completed=True,
                             joint_enquiries_la_officer=officer.full_name if officer else "CME officer")
            data = DeletionReturnInput(**_pupil_fields(child, school.laestab, i), **extra)
            attempt("deletion returns", lambda data=data, i=i: services.deletion_return_submit(
                actor=actor, user=school_user, data=data, received_at=_at(days[i % 3], 9 + i), notify=False))
        for i, child in enumerate(pupils[len(grounds):]):
            data_new = NewEntrantReturnInput(**_pupil_fields(child, school.laestab, 50 + i), start_date=on,
                                             nc_year=None)
            attempt("new pupil returns", lambda data_new=data_new: services.new_entrant_return_submit(
                actor=actor, user=school_user, data=data_new, received_at=_at(on, 8, 30), notify=False))

    children = list(Child.objects.filter(local_authority=la, merged_into__isnull=True)
                    .filter(~Q(upn="")).order_by("pk").values_list("pk", flat=True)[:2000])
    picked = Child.objects.in_bulk(rng.sample(children, min(6, len(children))))
    for i, partner in enumerate(partners[:2] * 3):
        about: Child | None = list(picked.values())[i] if i < len(picked) else None
        referral = PartnerReferralInput(
            referrer_agency="police" if "police" in (partner.organisation.partner_type if partner.organisation
                                                     else "") else "gp",
            referrer_name=partner.full_name, concern="whereabouts_unknown" if i % 2 else "missing_education",
            forename=about.legal_forename if about else "Kacper", surname=about.legal_surname if about else "Nowicki",
            date_of_birth=about.date_of_birth if about else None, upn=about.upn if about else "",
            what_is_known="Family not seen at the address for three weeks; neighbours say they moved."
            if i % 2 else "Child seen at A&E; mother said he has not been at school since September.",
            safeguarding_concern=i == 3, safeguarding_detail="Concerns about neglect at home." if i == 3 else "",
        )
        attempt("partner referrals", lambda referral=referral, partner=partner, i=i: services.partner_referral_submit(
            actor=Auditor.for_user(partner), user=partner, data=referral, received_at=_at(days[i % 5], 11, i),
            notify=False))
    # The same child referred again by the other partner: attached to the open one, not a second queue item.
    if picked and len(partners) > 1:
        referred = next(iter(picked.values()))
        again = PartnerReferralInput(referrer_agency="gp", referrer_name=partners[1].full_name,
                                     forename=referred.legal_forename, surname=referred.legal_surname,
                                     date_of_birth=referred.date_of_birth, upn=referred.upn,
                                     what_is_known="Registered with our practice but missed two appointments.")
        attempt("partner referrals", lambda: services.partner_referral_submit(
            actor=Auditor.for_user(partners[1]), user=partners[1], data=again, received_at=_at(on, 9, 45),
            notify=False))

    public = Auditor.system("public.report_a_child")
    for i, text in enumerate(NEIGHBOUR_REPORTS):
        report = ResidentReportInput(forename=["Jayden", "", "Ali"][i], address=["Cowley Road", "Rose Hill",
                                                                                   "Blackbird Leys"][i],
                                     what_is_known=text, reporter_email="" if i else "neighbour@example.com")
        attempt("public reports", lambda report=report, i=i: services.resident_report_submit(
            actor=public, local_authority=la, data=report, ip_address=f"192.0.2.{10 + i}",
            received_at=_at(days[(i + 1) % 5], 20, 15), notify=False))

    if officer is not None:
        actor = Auditor.for_user(officer)
        # Children not already referred above, so the enquiries are their own queue items.
        others = [pk for pk in children if pk not in picked]
        asked = list(Child.objects.in_bulk(rng.sample(others, min(2, len(others)))).values())
        for i, (direction, code) in enumerate([("received", "825"), ("received", "936"), ("sent", "880")]):
            asked_about: Child | None = asked[i] if i < len(asked) else None
            enquiry = LAEnquiryInput(
                direction=direction, other_la_code=code, other_la_contact_email=f"cme@la{code}.example.org",
                forename=asked_about.legal_forename if asked_about else "Maya",
                surname=asked_about.legal_surname if asked_about else "Kaur",
                date_of_birth=asked_about.date_of_birth if asked_about else None,
                upn=asked_about.upn if asked_about else "",
                question="Is this child known to you? The family may have moved to your area.", asked_on=days[i + 1])
            attempt("enquiries with other LAs", lambda enquiry=enquiry: services.la_enquiry_record(
                actor=actor, user=officer, data=enquiry, notify=False))
        for i, (sender, subject) in enumerate([
            ("Head teacher <head@school.example>", "Pupil not seen since half term"),
            ("Housing Options <housing@council.example>", "Family placed in temporary accommodation"),
        ]):
            mail_in = MailboxInput(sender=sender, subject=subject, sent_at=_at(days[i + 2], 14, 5),
                                   body=f"{subject}. Please could the CME team check this child is in school.",
                                   message_id=f"<demo-{seed}-{i}@example>")
            attempt("mailbox emails", lambda mail_in=mail_in: services.mailbox_log(
                actor=actor, user=officer, data=mail_in, notify=False))
        # Triage the oldest few, as the team would have done on earlier days.
        outcomes = [(Outcome.NOT_CME, "Registered at a school in another LA (confirmed by phone)."),
                    (Outcome.ATTENDANCE_MATTER, ""), (Outcome.EHE_TEAM, "")]
        waiting = [n for n in made if n.status == Notification.Status.NEW and not n.is_urgent]
        for n, (outcome, reason) in zip(sorted(waiting, key=lambda n: n.received_at)[:3], outcomes, strict=False):
            services.notification_triage(actor=actor, user=officer, notification=n, outcome=outcome, reason=reason)
            counts["triaged"] += 1
    return counts
