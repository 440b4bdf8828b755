"""Routes in through the JSON API: partner referrals and school returns (deletion from roll, new pupil).

Each endpoint builds the intake app's input dataclass and calls its service (one validation, one write path);
the answer is 201 with the reference given to whoever told us. Validation problems come back as 422 with one
detail per field, in the common error body.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictStr, create_model

from cme.api.base import error_body, require
from cme.api.routers import strict
from cme.audit.services import Auditor
from cme.notifications.inputs import DeletionReturnInput, NewEntrantReturnInput, PartnerReferralInput
from cme.notifications.models import Notification
from cme.notifications.services.returns import deletion_return_submit, new_entrant_return_submit
from cme.notifications.services.routes import partner_referral_submit
from cme.notifications.services.triage import IntakeInvalid

router = Router(tags=["referrals and returns"])

#: Longest text each field may have (the columns it is stored in); other text fields take up to 200 characters.
MAX_LENGTHS = {
    "upn": 13, "postcode": 10, "new_postcode": 10, "sex": 1, "ground": 1, "school_laestab": 7,
    "new_school_laestab": 7, "previous_school_laestab": 7, "forename": 100, "surname": 100, "address": 300,
    "new_address": 300, "parent1_address": 300, "parent2_address": 300, "what_is_known": 5000, "notes": 5000,
    "safeguarding_detail": 5000, "parents": 1000,
}
DEFAULT_MAX_LENGTH = 200


def _schema_for(name: str, input_class: type[Any]) -> type[Schema]:
    """A request schema with exactly the fields of the intake input dataclass (so the two never drift)."""
    hints = typing.get_type_hints(input_class)
    fields: dict[str, Any] = {}
    for item in dataclasses.fields(input_class):
        kind = hints[item.name]
        default = item.default if item.default is not dataclasses.MISSING else None
        if kind is str:
            fields[item.name] = (StrictStr, Field(default, max_length=MAX_LENGTHS.get(item.name,
                                                                                       DEFAULT_MAX_LENGTH)))
        elif item.name == "attendance_marks":
            fields[item.name] = (list[typing.Annotated[StrictStr, Field(max_length=2)]] | None,
                                 Field(None, max_length=800))
        else:
            fields[item.name] = (strict(kind), default)
    return create_model(name, __base__=Schema, **fields)  # type: ignore[call-overload, no-any-return]


PartnerReferralIn = _schema_for("PartnerReferralIn", PartnerReferralInput)
DeletionReturnIn = _schema_for("DeletionReturnIn", DeletionReturnInput)
NewEntrantReturnIn = _schema_for("NewEntrantReturnIn", NewEntrantReturnInput)


class ReceiptOut(Schema):
    reference: str
    kind: str
    status: str
    received_at: dt.datetime
    triage_due: dt.date


def _receipt(notification: Notification) -> ReceiptOut:
    # The submitter's view of the status: an attached report reads "new" like any other (AC-6, no matching oracle).
    return ReceiptOut(reference=notification.reference, kind=notification.kind, status=notification.submitter_status,
                      received_at=notification.received_at, triage_due=notification.triage_due)


def _invalid(request: HttpRequest, exc: IntakeInvalid) -> Any:
    details = [{"field": key, "message": message} for key, message in exc.errors.items()]
    return error_body(request, 422, "invalid", "The request is not valid.", details)


@router.post("/referrals", response={201: ReceiptOut}, summary="Submit a partner referral")
def submit_referral(request: HttpRequest, body: PartnerReferralIn) -> Any:  # type: ignore[valid-type]
    require(request, "referral.submit_partner")
    try:
        notification = partner_referral_submit(actor=Auditor.from_request(request), user=request.user,  # type: ignore[arg-type]
                                               data=PartnerReferralInput(**body.dict()))  # type: ignore[attr-defined]
    except IntakeInvalid as exc:
        return _invalid(request, exc)
    return Status(201, _receipt(notification))


@router.post("/returns/deletions", response={201: ReceiptOut}, summary="Submit a deletion-from-roll return")
def submit_deletion_return(request: HttpRequest, body: DeletionReturnIn) -> Any:  # type: ignore[valid-type]
    require(request, "return.submit")
    try:
        notification = deletion_return_submit(actor=Auditor.from_request(request), user=request.user,  # type: ignore[arg-type]
                                              data=DeletionReturnInput(**body.dict()))  # type: ignore[attr-defined]
    except IntakeInvalid as exc:
        return _invalid(request, exc)
    return Status(201, _receipt(notification))


@router.post("/returns/new-entrants", response={201: ReceiptOut}, summary="Submit a new-pupil return")
def submit_new_entrant_return(request: HttpRequest, body: NewEntrantReturnIn) -> Any:  # type: ignore[valid-type]
    require(request, "return.submit")
    try:
        notification = new_entrant_return_submit(actor=Auditor.from_request(request), user=request.user,  # type: ignore[arg-type]
                                                 data=NewEntrantReturnInput(**body.dict()))  # type: ignore[attr-defined]
    except IntakeInvalid as exc:
        return _invalid(request, exc)
    return Status(201, _receipt(notification))
