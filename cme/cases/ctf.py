"""S2S and Common Transfer Files for case work (rules.md R7.1, R7.2; formats.md §1).

- `ctf_lost_pupil_generate`: the child's lost-pupil CTF, sent by the LA (estab "LLLL"), destination XXXXXXX,
  one pupil per file, named by the convention, and kept with the case (`CTFFile`).
- `ctf_s2s_upload_record`: the date it was uploaded to S2S (a not-located closure needs it, R2.7(f)).
- `ctf_import`: a CTF received for a child, parsed safely (`cme.law.ctf.parse_ctf`, defusedxml), matched to a
  child (UPN first, then name and date of birth), its data attached as records with source "CTF" (audited);
  anything that cannot be matched goes to the triage inbox as a `ctf_received` notification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import Case, CTFFile
from cme.cases.services import CaseError, note_add
from cme.children.models import (
    Address,
    Child,
    ChildAddress,
    ChildContact,
    ChildIdentifier,
    ChildName,
    Contact,
    Enrolment,
    School,
)
from cme.children.selectors import ChildSearch, SearchHit, child_search
from cme.children.services import name_add
from cme.core.uploads import CTF as CTF_NAMES
from cme.core.uploads import UploadRejected, sniff
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.law.ctf import (
    LA_SENDER_ESTAB,
    CTFContact,
    CTFError,
    CTFPhone,
    CTFPupil,
    CTFSchoolHistoryEntry,
    build_lost_pupil_ctf,
    ctf_academic_year,
    ctf_version,
    parse_ctf,
)
from cme.law.deletion_grounds import DeletionGround
from cme.notifications.models import Notification
from cme.notifications.services import Reported, notification_receive

if TYPE_CHECKING:
    from cme.accounts.models import User

SOURCE = "CTF"
#: A name-and-date-of-birth match must be at least this similar to attach without an officer's check.
MIN_NAME_MATCH = 0.92


# --- Export ---------------------------------------------------------------------------------------------------


def _nc_code(year: int | None) -> str | None:
    if year is None:
        return None
    return {0: "R", -1: "N2", -2: "N1"}.get(year, str(year))


def ctf_pupil_for_child(child: Child, *, today: dt.date) -> CTFPupil:
    """The child's record as a CTF pupil: names, UPN, date of birth, sex, address, contacts, school history."""
    names = list(child.names.all())
    former = next((n for n in names if n.kind == ChildName.Kind.FORMER), None)
    former_upn = child.identifiers.filter(kind=ChildIdentifier.Kind.FORMER_UPN).values_list("value", flat=True).first()
    current = (child.addresses.select_related("address").filter(Q(end__isnull=True) | Q(end__gte=today))
               .order_by("-start").first())
    address_lines: tuple[str, ...] = ()
    postcode = child.current_postcode or None
    if current is not None:
        address = current.address
        address_lines = tuple(line for line in (address.line1, address.line2, address.town) if line)
        postcode = address.postcode or postcode
    contacts = []
    for link in child.child_contacts.select_related("contact").order_by("priority"):
        person = link.contact
        numbers = ((person.mobile, "M"), (person.phone, "H"))
        phones = tuple(CTFPhone(number=n, telephone_type=t) for n, t in numbers if n)
        contacts.append(CTFContact(forename=person.forename, surname=person.surname, title=person.title or None,
                                   relationship=link.relationship[:40] or None,
                                   responsibility=link.parental_responsibility, phones=phones,
                                   email=person.email or None, order=link.priority))
    enrolments = list(child.enrolments.select_related("school").order_by("start"))
    history = tuple(
        CTFSchoolHistoryEntry(lea=e.school.laestab[:3], estab=e.school.laestab[3:], school_name=e.school.name,
                              entry_date=e.start, leaving_date=e.end, leaving_reason=e.deletion_ground or None)
        for e in enrolments
    )
    latest_year = enrolments[-1].nc_year_actual if enrolments else None
    return CTFPupil(
        upn=child.upn,
        surname=child.legal_surname,
        forename=child.legal_forename,
        dob=child.date_of_birth,
        sex=child.sex if child.sex in (Child.Sex.FEMALE, Child.Sex.MALE) else None,
        former_upn=former_upn,
        preferred_surname=child.preferred_surname or None,
        preferred_forename=child.preferred_forename or None,
        former_surname=former.surname if former else None,
        former_forename=former.forename if former else None,
        middle_names=child.legal_middle_names or None,
        nc_year_actual=_nc_code(latest_year),
        address_lines=address_lines[:5],
        postcode=postcode,
        contacts=tuple(contacts),
        school_history=history,
    )


@transaction.atomic
def ctf_lost_pupil_generate(*, actor: Auditor, user: User | None, case: Case,
                            generated_at: dt.datetime | None = None) -> CTFFile:
    """R7.2: a lost-pupil CTF for the case's child (destination XXXXXXX, one pupil), kept with the case."""
    moment = generated_at or timezone.now()
    la = case.local_authority
    previous = CTFFile.objects.filter(local_authority=la, direction=CTFFile.Direction.GENERATED,
                                      is_lost_pupil=True).count()
    pupil = ctf_pupil_for_child(case.child, today=timezone.localdate(moment))
    try:
        name, content = build_lost_pupil_ctf(source_la=la.code, source_estab=LA_SENDER_ESTAB,
                                             source_school_name=la.name, pupil=pupil,
                                             generated_at=moment, seq=previous % 999 + 1)
    except ValueError as error:
        raise CaseError(f"The CTF could not be written: {error}") from error
    ctf = CTFFile.objects.create(
        local_authority=la, direction=CTFFile.Direction.GENERATED, child=case.child, case=case, file_name=name,
        content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        source_laestab=f"{la.code}{LA_SENDER_ESTAB}", dest_laestab="XXXXXXX", is_lost_pupil=True,
        created_at=moment, created_by=user, created_by_label=actor.label,
        ctf_version=ctf_version(ctf_academic_year(timezone.localdate(moment))),
    )
    actor.record(AuditEvent.Action.EXPORT, ctf, child_id=case.child_id,
                 summary=f"lost-pupil CTF {name} generated for {case.reference}")
    return ctf


@transaction.atomic
def ctf_s2s_upload_record(*, actor: Auditor, user: User | None, ctf_file: CTFFile, uploaded_on: dt.date) -> CTFFile:
    """The day the file was uploaded to S2S (the upload itself happens in the DfE's S2S service)."""
    if ctf_file.direction != CTFFile.Direction.GENERATED:
        raise CaseError("Only a CTF generated here is uploaded to S2S.")
    if uploaded_on > timezone.localdate():
        raise CaseError("The upload date must be today or in the past.")
    if uploaded_on < timezone.localdate(ctf_file.created_at):
        raise CaseError("The upload date cannot be before the file was generated.")
    before = ctf_file.s2s_uploaded_on
    ctf_file.s2s_uploaded_on, ctf_file.s2s_recorded_by, ctf_file.s2s_recorded_by_label = uploaded_on, user, actor.label
    ctf_file.save(update_fields=["s2s_uploaded_on", "s2s_recorded_by", "s2s_recorded_by_label"])
    actor.record(AuditEvent.Action.UPDATE, ctf_file, child_id=ctf_file.child_id,
                 changes={"s2s_uploaded_on": [str(before) if before else None, str(uploaded_on)]},
                 summary=f"{ctf_file.file_name} uploaded to S2S")
    return ctf_file


# --- Import ---------------------------------------------------------------------------------------------------


@dataclass
class PupilImport:
    pupil: CTFPupil
    child: Child | None = None
    matched_by: str = ""
    added: dict[str, int] = field(default_factory=dict)
    notification: Notification | None = None
    possible: list[SearchHit] = field(default_factory=list)


@dataclass
class CTFImportResult:
    ctf_file: CTFFile
    pupils: list[PupilImport]
    warnings: tuple[str, ...] = ()


def ctf_match(*, user: User, pupil: CTFPupil) -> tuple[Child | None, str, list[SearchHit]]:
    """The child this pupil is: by UPN (current or former) first, then by name and date of birth. Ambiguity or a
    weak match returns no child (an officer decides at triage), with the possible matches."""
    upn = upns.normalise(pupil.upn) if pupil.upn else ""
    if upn and upns.is_valid(upn):
        hits = child_search(user=user, search=ChildSearch(upn=upn), limit=3, for_list=False)
        if len(hits) == 1:
            return hits[0].child, "UPN", hits
        if len(hits) > 1:
            return None, "", hits
    hits = []
    name = f"{pupil.forename} {pupil.surname}".strip()
    if name and pupil.dob is not None:
        hits = child_search(user=user, search=ChildSearch(name=name, date_of_birth=pupil.dob), limit=5,
                            for_list=False)
        strong = [hit for hit in hits if hit.score >= MIN_NAME_MATCH]
        if len(strong) == 1:
            return strong[0].child, "name and date of birth", hits
    return None, "", hits


def _norm(value: str | None) -> str:
    return " ".join((value or "").lower().split())


def _attach_names(*, actor: Auditor, child: Child, pupil: CTFPupil) -> int:
    known = {(_norm(n.forename), _norm(n.surname)) for n in child.names.all()}
    known.add((_norm(child.legal_forename), _norm(child.legal_surname)))
    wanted = [
        (ChildName.Kind.ALIAS, pupil.forename, pupil.surname),
        (ChildName.Kind.PREFERRED, pupil.preferred_forename or pupil.forename, pupil.preferred_surname
         or pupil.surname),
        (ChildName.Kind.FORMER, pupil.former_forename or pupil.forename, pupil.former_surname),
    ]
    added = 0
    for kind, forename, surname in wanted:
        if not forename or not surname or (_norm(forename), _norm(surname)) in known:
            continue
        name_add(actor=actor, child=child, kind=kind, forename=forename.strip()[:100], surname=surname.strip()[:100],
                 source=SOURCE)
        known.add((_norm(forename), _norm(surname)))
        added += 1
    if pupil.former_upn:
        former = upns.normalise(pupil.former_upn)
        if former and former != child.upn:
            identifier, created = ChildIdentifier.objects.get_or_create(
                child=child, kind=ChildIdentifier.Kind.FORMER_UPN, value=former, defaults={"source": SOURCE})
            if created:
                actor.record(AuditEvent.Action.CREATE, identifier, child_id=child.pk, summary="former UPN from CTF")
                added += 1
    return added


def _attach_address(*, actor: Auditor, child: Child, pupil: CTFPupil) -> int:
    lines = [line for line in pupil.address_lines if line]
    if not lines and not pupil.postcode:
        return 0
    postcode = postcodes.normalise(pupil.postcode or "") or (pupil.postcode or "").strip().upper()[:8]
    line1 = (lines[0] if lines else "")[:150]
    for link in child.addresses.select_related("address"):
        if _norm(link.address.postcode) == _norm(postcode) and _norm(link.address.line1) == _norm(line1):
            return 0
    address = Address.objects.create(line1=line1 or "Not given", line2=", ".join(lines[1:-1])[:150] if len(lines) > 2
                                     else "", town=(lines[-1] if len(lines) > 1 else "")[:100], postcode=postcode)
    link = ChildAddress.objects.create(child=child, address=address, source=SOURCE)
    actor.record(AuditEvent.Action.CREATE, link, child_id=child.pk, summary="address from CTF")
    return 1


def _attach_contacts(*, actor: Auditor, child: Child, pupil: CTFPupil) -> int:
    known = {(_norm(link.contact.forename), _norm(link.contact.surname))
             for link in child.child_contacts.select_related("contact")}
    added = 0
    for item in pupil.contacts:
        if not item.forename or not item.surname or (_norm(item.forename), _norm(item.surname)) in known:
            continue
        mobile = next((p.number for p in item.phones if (p.telephone_type or "").upper() == "M"), "")
        phone = next((p.number for p in item.phones if p.number != mobile), "")
        contact = Contact.objects.create(title=(item.title or "")[:20], forename=item.forename[:100],
                                         surname=item.surname[:100], mobile=mobile[:30], phone=phone[:30],
                                         email=(item.email or "")[:254])
        link = ChildContact.objects.create(child=child, contact=contact, relationship=(item.relationship or "")[:40],
                                           parental_responsibility=bool(item.responsibility),
                                           priority=item.order if item.order is not None else 9)
        actor.record(AuditEvent.Action.CREATE, link, child_id=child.pk, summary="contact from CTF")
        known.add((_norm(item.forename), _norm(item.surname)))
        added += 1
    return added


def _attach_schools(*, actor: Auditor, child: Child, pupil: CTFPupil) -> int:
    grounds = {g.value for g in DeletionGround}
    added = 0
    for entry in pupil.school_history:
        if not entry.lea or not entry.estab or entry.entry_date is None:
            continue
        school = School.objects.filter(laestab=f"{entry.lea}{entry.estab}").first()
        if school is None or Enrolment.objects.filter(child=child, school=school, start=entry.entry_date).exists():
            continue
        end = entry.leaving_date if entry.leaving_date and entry.leaving_date >= entry.entry_date else None
        ground = entry.leaving_reason if entry.leaving_reason in grounds else ""
        enrolment = Enrolment.objects.create(child=child, school=school, start=entry.entry_date, end=end,
                                             deletion_ground=ground, source=SOURCE)
        actor.record(AuditEvent.Action.CREATE, enrolment, child_id=child.pk, summary=f"school history from CTF: "
                     f"{school.name}"[:300])
        added += 1
    return added


def ctf_attach(*, actor: Auditor, child: Child, pupil: CTFPupil) -> dict[str, int]:
    """Add what the CTF knows and the child's record does not: names, former UPN, address, contacts, schools."""
    return {
        "names": _attach_names(actor=actor, child=child, pupil=pupil),
        "addresses": _attach_address(actor=actor, child=child, pupil=pupil),
        "contacts": _attach_contacts(actor=actor, child=child, pupil=pupil),
        "schools": _attach_schools(actor=actor, child=child, pupil=pupil),
    }


@transaction.atomic
def ctf_import(*, actor: Auditor, user: User, data: bytes, file_name: str, case: Case | None = None,
               today: dt.date | None = None) -> CTFImportResult:
    """Read a CTF received for a child (hostile or malformed files are refused with a CTFError that says why),
    keep it, match each pupil and attach their data. From a case page the pupil must be the case's child.
    The file must be named .xml and hold XML (core.uploads, FILE-2) before it is parsed."""
    try:
        sniff(data, name=file_name, allowed=CTF_NAMES, max_bytes=settings.CME_MAX_UPLOAD_BYTES)
    except UploadRejected as exc:
        raise CTFError(str(exc)) from exc
    parsed = parse_ctf(data, max_bytes=settings.CME_MAX_UPLOAD_BYTES, today=today or timezone.localdate())
    la = user.local_authority
    digest = hashlib.sha256(data).hexdigest()
    earlier = CTFFile.objects.filter(local_authority=la, direction=CTFFile.Direction.RECEIVED, sha256=digest).first()
    if earlier is not None:
        when = timezone.localtime(earlier.created_at)
        raise CTFError(f"This file was already imported on {when.day} {when:%B %Y} at {when:%H:%M}.")
    header = parsed.header
    results = [PupilImport(pupil=pupil) for pupil in parsed.pupils]
    for result in results:
        result.child, result.matched_by, result.possible = ctf_match(user=user, pupil=result.pupil)
    if case is not None:
        if len(results) != 1 or results[0].child is None or results[0].child.pk != case.child_id:
            raise CTFError(f"This CTF is not about {case.reference}'s child (UPN, or name and date of birth, do not "
                           "match). Import it from the 'Import a CTF' page instead, so it can be triaged.")
    single_child = results[0].child if len(results) == 1 else None
    ctf = CTFFile.objects.create(
        local_authority=la, direction=CTFFile.Direction.RECEIVED, child=single_child,
        case=case or (Case.objects.open().filter(child=single_child).first() if single_child else None),
        file_name=file_name.rsplit("/", 1)[-1][:100] or "received.xml", content=data, sha256=digest, size=len(data),
        ctf_version=header.version or "", source_laestab=f"{header.source_lea}{header.source_estab}"[:7],
        dest_laestab=f"{header.dest_lea}{header.dest_estab}"[:7],
        is_lost_pupil=f"{header.dest_lea}{header.dest_estab}" == "XXXXXXX", created_at=timezone.now(),
        created_by=user, created_by_label=actor.label, warnings=list(parsed.warnings),
    )
    actor.record(AuditEvent.Action.CREATE, ctf, child_id=single_child.pk if single_child else None,
                 summary=f"CTF {ctf.file_name} received ({len(results)} pupil(s))")
    for position, result in enumerate(results, start=1):
        if result.child is not None:
            result.added = ctf_attach(actor=actor, child=result.child, pupil=result.pupil)
            open_case = case or Case.objects.open().filter(child=result.child).first()
            if open_case is not None:
                added = ", ".join(f"{n} {k}" for k, n in result.added.items() if n) or "nothing new"
                note_add(actor=actor, user=user, case=open_case,
                         text=f"CTF {ctf.file_name} received and matched by {result.matched_by}: {added} added.")
            continue
        pupil = result.pupil
        result.notification = notification_receive(
            actor=actor, local_authority=la, kind=Notification.Kind.CTF_RECEIVED,
            reported=Reported(forename=pupil.forename, surname=pupil.surname, date_of_birth=pupil.dob,
                              sex=pupil.sex or "", upn=pupil.upn, address=", ".join(pupil.address_lines),
                              postcode=pupil.postcode or ""),
            summary=f"CTF {ctf.file_name} received: pupil {position} could not be matched to one child "
                    f"({len(result.possible)} possible).",
            details={"ctf_file_id": ctf.pk, "ctf_file_name": ctf.file_name, "pupil": position},
            submitted_by=user, dedupe_key=f"ctf:{digest[:40]}:{position}",
        )
    return CTFImportResult(ctf_file=ctf, pupils=results, warnings=parsed.warnings)
