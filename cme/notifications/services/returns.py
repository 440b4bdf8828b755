"""School returns: deletion-from-roll and new-pupil returns by form, API and CSV upload (R3.3-R3.6)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, School
from cme.children.services import search_keys
from cme.core.uploads import RETURNS as RETURN_NAMES
from cme.core.uploads import UploadRejected as FileRejected
from cme.core.uploads import sniff
from cme.law import postcode as postcodes
from cme.law.deletion_grounds import GROUNDS
from cme.notifications import csv_returns
from cme.notifications.inputs import DeletionReturnInput, NewEntrantReturnInput, PupilDetails
from cme.notifications.models import Notification, ReturnUpload
from cme.notifications.services.triage import (
    IntakeInvalid,
    Reported,
    acknowledge,
    identity_key,
    iso_or_blank,
    notification_receive,
    send_after_commit,
    setting_int,
)
from cme.notifications.validation import (
    ReturnContext,
    deletion_return_warnings,
    deletion_route,
    new_entrant_return_late,
    return_context,
    validate_deletion_return,
    validate_new_entrant_return,
)

Kind = Notification.Kind


class UploadRejected(Exception):
    """A CSV file was not taken: nothing was saved. `errors` lists each row's problems."""

    def __init__(self, message: str, errors: list[csv_returns.RowError] | None = None) -> None:
        self.message = message
        self.errors = errors or []
        super().__init__(message)


# --- School returns ----------------------------------------------------------------------------------------


def _school_for(user: User) -> School | None:
    organisation = user.organisation
    return getattr(organisation, "school", None) if organisation is not None else None


def _own_laestab(user: User) -> str:
    school = _school_for(user)
    if school is not None:
        return school.laestab
    return user.organisation.laestab if user.organisation is not None else ""


def school_return_context(*, user: User) -> ReturnContext:
    return return_context(local_authority=user.local_authority, own_laestab=_own_laestab(user))


def _pupil_at_school(*, school: School | None, data: PupilDetails) -> Child | None:
    """The pupil in our records: by UPN (in notification_receive), else by name and date of birth on the roll."""
    if school is None or not data.date_of_birth:
        return None
    keys = search_keys(forename=data.forename, surname=data.surname)
    found = list(Child.objects.filter(
        local_authority_id=school.local_authority_id, merged_into__isnull=True, enrolments__school=school,
        date_of_birth=data.date_of_birth, forename_key=keys["forename_key"], surname_key=keys["surname_key"],
    ).distinct()[:2])
    return found[0] if len(found) == 1 else None


def _parents(data: PupilDetails) -> list[dict[str, str]]:
    parents = []
    for n in (1, 2):
        name = getattr(data, f"parent{n}_name").strip()
        if name:
            parents.append({"name": name, "phone": getattr(data, f"parent{n}_phone").strip(),
                            "address": getattr(data, f"parent{n}_address").strip()})
    return parents


def _pupil_reported(data: PupilDetails) -> Reported:
    return Reported(forename=data.forename, surname=data.surname, date_of_birth=data.date_of_birth,
                    sex=data.sex.strip().upper(), upn=data.upn, address=data.address, postcode=data.postcode)


def _create_deletion_return(*, actor: Auditor, user: User, data: DeletionReturnInput, received_at: dt.datetime | None,
                            upload: ReturnUpload | None, notify: bool) -> Notification:
    school = _school_for(user)
    ground = data.ground.strip().upper()
    info = GROUNDS[ground]
    route = deletion_route(data)
    details = {
        "school_name": school.name if school else (user.organisation.name if user.organisation else ""),
        "middle_names": data.middle_names.strip(),
        "parents": _parents(data),
        "ground_title": info.title,
        "regulation": f"reg {info.regulation}",
        "routes_to": route,
        "new_address": data.new_address.strip(),
        "new_postcode": postcodes.normalise(data.new_postcode) or data.new_postcode.strip().upper(),
        "lives_with": data.lives_with.strip(),
        "new_address_from": iso_or_blank(data.new_address_from),
        "new_school_name": data.new_school_name.strip(),
        "new_school_laestab": data.new_school_laestab.strip(),
        "new_school_start": iso_or_blank(data.new_school_start),
        "parent_notice_date": iso_or_blank(data.parent_notice_date),
        "leave_end_date": iso_or_blank(data.leave_end_date),
        "first_day_of_absence": iso_or_blank(data.first_day_of_absence),
        "every_session_unexplained": data.every_session_unexplained,
        "no_sickness_or_unavoidable_cause": data.no_sickness_or_unavoidable_cause,
        "joint_enquiries_completed": data.joint_enquiries_completed,
        "joint_enquiries_la_officer": data.joint_enquiries_la_officer.strip(),
        "warnings": deletion_return_warnings(data),
        "notes": data.notes.strip(),
    }
    deletion = data.deletion_date
    assert deletion is not None  # noqa: S101 - validated
    notification = notification_receive(
        actor=actor, local_authority=user.local_authority, kind=Kind.DELETION_RETURN,
        reported=_pupil_reported(data), child=_pupil_at_school(school=school, data=data),
        summary=f"Deleted from the roll on {deletion.day} {deletion:%B %Y}, ground {ground}: {info.title}.",
        details=details, submitted_by=user, source_organisation_id=user.organisation_id,
        reporter_name=user.full_name, reporter_contact=user.email, referrer_agency="school",
        safeguarding_concern=data.safeguarding_concern, safeguarding_detail=data.safeguarding_detail.strip(),
        received_at=received_at, dedupe_key=identity_key(upn=data.upn, forename=data.forename, surname=data.surname,
                                                         date_of_birth=data.date_of_birth),
        notify=notify, deletion_ground=ground, deletion_date=deletion,
        school_laestab=school.laestab if school else _own_laestab(user), upload=upload,
    )
    return notification


@transaction.atomic
def deletion_return_submit(*, actor: Auditor, user: User, data: DeletionReturnInput,
                           received_at: dt.datetime | None = None, notify: bool = True) -> Notification:
    """A school's deletion-from-roll return (R3.3, R3.5, R3.6). Raises IntakeInvalid with {field: message}.

    The return is recorded and linked to the pupil if they are in our records; the school's roll itself is not
    changed here (the feeds and children services keep rolls).
    """
    errors = validate_deletion_return(data, context=school_return_context(user=user))
    if errors:
        raise IntakeInvalid(errors)
    notification = _create_deletion_return(actor=actor, user=user, data=data, received_at=received_at, upload=None,
                                           notify=notify)
    if notify:
        acknowledge(notification=notification, to=user.email, what="deletion return")
    return notification


def _create_new_entrant_return(*, actor: Auditor, user: User, data: NewEntrantReturnInput, context: ReturnContext,
                               received_at: dt.datetime | None, upload: ReturnUpload | None, notify: bool
                               ) -> Notification:
    school = _school_for(user)
    start = data.start_date
    assert start is not None  # noqa: S101 - validated
    late = new_entrant_return_late(data, context=context)
    details = {
        "school_name": school.name if school else (user.organisation.name if user.organisation else ""),
        "middle_names": data.middle_names.strip(),
        "parents": _parents(data),
        "start_date": start.isoformat(),
        "nc_year": data.nc_year,
        "previous_school_name": data.previous_school_name.strip(),
        "previous_school_laestab": data.previous_school_laestab.strip(),
        "late": late,
        "warnings": ["Sent more than 5 school days after the pupil joined (R3.4)."] if late else [],
        "notes": data.notes.strip(),
    }
    return notification_receive(
        actor=actor, local_authority=user.local_authority, kind=Kind.NEW_ENTRANT_RETURN,
        reported=_pupil_reported(data), child=_pupil_at_school(school=school, data=data),
        summary=f"Joined the roll on {start.day} {start:%B %Y}.", details=details, submitted_by=user,
        source_organisation_id=user.organisation_id, reporter_name=user.full_name, reporter_contact=user.email,
        referrer_agency="school", safeguarding_concern=data.safeguarding_concern,
        safeguarding_detail=data.safeguarding_detail.strip(), received_at=received_at,
        dedupe_key=identity_key(upn=data.upn, forename=data.forename, surname=data.surname,
                                date_of_birth=data.date_of_birth),
        notify=notify, school_laestab=school.laestab if school else _own_laestab(user), upload=upload,
    )


@transaction.atomic
def new_entrant_return_submit(*, actor: Auditor, user: User, data: NewEntrantReturnInput,
                              received_at: dt.datetime | None = None, notify: bool = True) -> Notification:
    """A school's new-pupil return (R3.4). Raises IntakeInvalid with {field: message}."""
    context = school_return_context(user=user)
    errors = validate_new_entrant_return(data, context=context)
    if errors:
        raise IntakeInvalid(errors)
    notification = _create_new_entrant_return(actor=actor, user=user, data=data, context=context,
                                              received_at=received_at, upload=None, notify=notify)
    if notify:
        acknowledge(notification=notification, to=user.email, what="new pupil return")
    return notification


@dataclass
class UploadResult:
    upload: ReturnUpload
    notifications: list[Notification]
    already_received: bool = False


def _max_upload_bytes() -> int:
    return setting_int("CME_RETURN_UPLOAD_MAX_BYTES", csv_returns.DEFAULT_MAX_BYTES)


@transaction.atomic
def return_upload_submit(*, actor: Auditor, user: User, kind: str, filename: str, content: bytes,
                         notify: bool = True) -> UploadResult:
    """A CSV file of deletion or new-pupil returns: all rows or none (UploadRejected lists every row's problems).

    The same file twice (same SHA-256 from the same school) is not taken again: the result says it was already
    received, with the first upload's returns.
    """
    if kind not in csv_returns.COLUMNS:
        raise UploadRejected("Choose the kind of return in the file")
    if user.organisation_id is None:
        raise UploadRejected("Your account is not linked to a school")
    if len(content) > _max_upload_bytes():
        raise UploadRejected(f"The file must be smaller than {_max_upload_bytes() // (1024 * 1024)} MB")
    try:  # named .csv and text, not a renamed PDF, picture or web page (FILE-2)
        sniff(content, name=filename, allowed=RETURN_NAMES, max_bytes=_max_upload_bytes())
    except FileRejected as exc:
        raise UploadRejected(str(exc)) from exc
    digest = hashlib.sha256(content).hexdigest()
    earlier = ReturnUpload.objects.filter(organisation_id=user.organisation_id, sha256=digest).first()
    if earlier is not None:
        return UploadResult(upload=earlier, notifications=list(earlier.notifications.order_by("pk")),
                            already_received=True)
    try:
        rows, errors = csv_returns.parse(kind, csv_returns.decode(content))
    except csv_returns.CsvInvalid as exc:
        raise UploadRejected(str(exc)) from exc
    context = school_return_context(user=user)
    validate = validate_deletion_return if kind == Kind.DELETION_RETURN else validate_new_entrant_return
    columns = {column.name for column in csv_returns.COLUMNS[kind]}
    bad_rows = {error.row for error in errors}
    for number, data in rows:
        if number in bad_rows:
            continue
        for name, message in validate(data, context=context).items():  # type: ignore[arg-type]
            errors.append(csv_returns.RowError(number, name if name in columns else "", message))
    if errors:
        raise UploadRejected(f"{len({e.row for e in errors})} row(s) have problems: nothing was saved",
                             sorted(errors, key=lambda e: (e.row, e.column)))
    try:
        with transaction.atomic():
            upload = ReturnUpload.objects.create(
                local_authority=user.local_authority, organisation_id=user.organisation_id, uploaded_by=user,
                kind=kind, filename=filename[:200], sha256=digest, size=len(content), row_count=len(rows),
            )
    except IntegrityError:  # the same file, uploaded at the same moment
        earlier = ReturnUpload.objects.get(organisation_id=user.organisation_id, sha256=digest)
        return UploadResult(upload=earlier, notifications=list(earlier.notifications.order_by("pk")),
                            already_received=True)
    actor.record(AuditEvent.Action.CREATE, upload, local_authority_id=user.local_authority_id,
                 summary=f"{len(rows)} returns uploaded ({filename[:100]})")
    received_at = timezone.now()
    created = []
    for _, data in rows:
        if kind == Kind.DELETION_RETURN:
            created.append(_create_deletion_return(actor=actor, user=user, data=data, received_at=received_at,
                                                   upload=upload, notify=notify))
        else:
            created.append(_create_new_entrant_return(actor=actor, user=user, data=data, context=context,
                                                      received_at=received_at, upload=upload, notify=notify))
    if notify and created:
        what = f"file of {len(created)} returns"
        send_after_commit(
            to=[user.email],
            subject=f"We have received your {what}: {created[0].reference} to {created[-1].reference}",
            body=(f"Thank you. The {user.local_authority.name} children missing education team has received your "
                  f"{what} ({filename[:100]}).\n\nThe references are {created[0].reference} to "
                  f"{created[-1].reference}."),
        )
    return UploadResult(upload=upload, notifications=created)


