"""The EHE register's pages. Thin: parse the form, call a selector or service, audit reads, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.policy import has_permission, permission_required
from cme.accounts.reauth import reauth_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction
from cme.children.selectors import ChildSearch, child_get, child_search
from cme.core.exports import export_response
from cme.core.formatting import govuk_date
from cme.ehe import selectors, services
from cme.ehe.forms import (
    ConcernForm,
    ConcernOutcomeForm,
    ContactForm,
    DecisionForm,
    EnquiryForm,
    EnquiryOutcomeForm,
    FindChildForm,
    ListFilterForm,
    NotificationOpenForm,
    RecordEditForm,
    RecordEndForm,
    RecordOpenForm,
    SAOStageForm,
)
from cme.ehe.models import EHERecord
from cme.ehe.presenters import EHERecordPresenter, EHERow
from cme.notifications.services import possible_matches

PAGE_SIZE = 25


def _filters(request: HttpRequest) -> tuple[ListFilterForm, selectors.EHEFilters]:
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "active"
    return form, selectors.EHEFilters(
        status="" if status == "all" else status, suitability=data.get("suitability", ""),
        reason=data.get("reason", ""), contact=data.get("contact", ""), concern=data.get("concern", ""),
        sao=data.get("sao", ""),
    )


@permission_required("ehe.view")
def record_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    today = timezone.localdate()
    records = selectors.ehe_list(user=request.user, filters=filters, today=today)  # type: ignore[arg-type]
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [EHERow(r, today) for r in page.object_list]
    return render(request, "ehe/list.html", {
        "title": "Elective home education register", "form": form, "page": page, "rows": rows,
        "find_form": FindChildForm(), "can_work": has_permission(request.user, "ehe.work"),
        "query": request.GET.urlencode(),
    })


@permission_required("ehe.view")
@reauth_required()
def record_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _, filters = _filters(request)
    today = timezone.localdate()
    records = selectors.ehe_list(user=request.user, filters=filters, today=today)  # type: ignore[arg-type]
    rows = selectors.ehe_export_rows(records, today=today, masked=restriction.masker(request))
    Auditor.from_request(request).record(
        AuditEvent.Action.EXPORT, object_type="ehe.eherecord", summary=f"EHE register export ({fmt}): {len(rows)} rows",
        changes={"filters": request.GET.urlencode()},
    )
    return export_response(rows, selectors.EXPORT_COLUMNS, f"ehe-register-{today:%Y-%m-%d}", fmt)


@permission_required("ehe.view")
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.ehe_notifications(user=request.user)  # type: ignore[arg-type]
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ehe/notifications.html", {
        "title": "Home education notifications", "page": page, "can_work": has_permission(request.user, "ehe.work"),
    })


def _parent_choices(child: Any) -> list[tuple[int, str]]:
    return [(link.contact_id, f"{link.contact.forename} {link.contact.surname} ({link.relationship})")
            for link in child.child_contacts.select_related("contact").all()]


def _form_page(request: HttpRequest, form: Any, *, title: str, caption: str = "", back: str = "",
               submit: str = "Save", intro: str = "", record: Any = None, status: int = 200,
               extra_errors: list[str] | None = None) -> HttpResponse:
    if record is not None:  # the page shows the child's name and EHE record: a read (LOG-2), with a reason (DP-6)
        restriction.require_reason(request, record.child)
        Auditor.from_request(request).record(AuditEvent.Action.VIEW, record, child_id=record.child_id,
                                             summary=f"EHE form: {title}"[:300])
    return render(request, "ehe/form.html", {
        "title": title, "form": form, "caption": caption, "back": back, "submit": submit, "intro": intro,
        "record": record, "extra_errors": extra_errors or [],
    }, status=status)


OPEN_SOURCE_BY_KIND = {"deletion_return": "school_deletion", "la_enquiry": "other_la", "resident_report": "other"}


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an EHE record from a notification (R2.3, R5.5): ground F deletions and triage to the EHE team."""
    user = request.user
    notification = selectors.ehe_notification_get(user=user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, notification.child)  # DP-6
    if notification.ehe_records.exists():
        messages.info(request, "An EHE record was already opened from this notification.")
        return redirect("ehe:detail", pk=notification.ehe_records.first().pk)  # type: ignore[union-attr]
    candidates = None
    if notification.child_id is None:
        hits = possible_matches(user=user, notification=notification)  # type: ignore[arg-type]
        candidates = [(h.child.pk, f"{h.child.legal_full_name}, born {govuk_date(h.child.date_of_birth)}"
                       + (f", UPN {h.child.upn}" if h.child.upn else "")) for h in hits]
    parents = _parent_choices(notification.child) if notification.child_id else None
    initial = {"source": OPEN_SOURCE_BY_KIND.get(notification.kind, "other"),
               "start_date": notification.deletion_date or timezone.localdate(notification.received_at)}
    form = NotificationOpenForm(request.POST or None, initial=initial, candidates=candidates, parents=parents)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = notification.child if notification.child_id else child_get(user=user, pk=int(data["child"]))  # type: ignore[arg-type]
        try:
            record = services.ehe_record_open(
                actor=Auditor.from_request(request), user=user, child=child,  # type: ignore[arg-type]
                start_date=data["start_date"], source=data["source"], reason=data["reason"],
                reason_detail=data["reason_detail"], educating_parent_ids=data.get("educating_parents") or [],
                notification=notification, officer=user if user.role == "ehe_officer" else None,  # type: ignore[union-attr]
            )
        except services.EHEError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "EHE record opened.")
            return redirect("ehe:detail", pk=record.pk)
    if candidates == [] and notification.child_id is None:
        errors.append("No child in our records matches this notification. Match it to a child at triage first.")
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, notification, child_id=notification.child_id,
                                         summary="EHE: open a record from a notification")
    return render(request, "ehe/notification_open.html", {
        "title": "Open an EHE record", "form": form, "notification": notification, "extra_errors": errors,
        "can_submit": not (candidates == [] and notification.child_id is None),
    })


@permission_required("ehe.work")
@require_POST
def find_child(request: HttpRequest) -> HttpResponse:
    """Find a child by UPN (by POST: no identifiers in URLs) to open an EHE record for them."""
    form = FindChildForm(request.POST)
    if form.is_valid():
        hits = child_search(user=request.user, search=ChildSearch(upn=form.cleaned_data["upn"]), limit=2)  # type: ignore[arg-type]
        if len(hits) == 1:
            return redirect("ehe:new", pk=hits[0].child.pk)
        form.add_error("upn", "No child with that UPN is in our records" if not hits
                       else "More than one child has that UPN: use Find a child")
    return _form_page(request, form, title="Open an EHE record", back="ehe:list", submit="Continue",
                      status=400)


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    child = child_get(user=user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    form = RecordOpenForm(request.POST or None, parents=_parent_choices(child),
                          initial={"source": "parent", "start_date": timezone.localdate()})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.ehe_record_open(
                actor=Auditor.from_request(request), user=user, child=child,  # type: ignore[arg-type]
                start_date=data["start_date"], source=data["source"], reason=data["reason"],
                reason_detail=data["reason_detail"], educating_parent_ids=data["educating_parents"],
                officer=user if user.role == "ehe_officer" else None,  # type: ignore[union-attr]
            )
        except services.EHEError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "EHE record opened.")
            return redirect("ehe:detail", pk=record.pk)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk,
                                         summary="EHE: open a record")
    return _form_page(request, form, title="Open an EHE record", caption=child.legal_full_name, back="ehe:list",
                      submit="Open the record", extra_errors=errors)


@permission_required("ehe.view")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ehe_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, record.child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, record, child_id=record.child_id,
                                         summary="EHE record")
    presenter = EHERecordPresenter(record, today=timezone.localdate())
    return render(request, "ehe/detail.html", {
        "title": f"EHE record: {record.child.full_name}", "record": presenter,
        "can_work": has_permission(request.user, "ehe.work"),
    })


def _write_page(request: HttpRequest, pk: int, form_class: type, *, title: str, submit: str = "Save",
                form_kwargs: dict[str, Any] | None = None, initial: dict[str, Any] | None = None,
                intro: str = "", act: Any) -> HttpResponse:
    """GET: the form; POST: validate, call `act(record, data, actor)`, back to the record (or show errors)."""
    record = selectors.ehe_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, record.child)  # DP-6: before any write too
    form = form_class(request.POST or None, initial=initial, **(form_kwargs or {}))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            message = act(record, form.cleaned_data, Auditor.from_request(request))
        except services.EHEError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, message)
            return redirect("ehe:detail", pk=record.pk)
    return _form_page(request, form, title=title, caption=record.child.legal_full_name, back="ehe:detail",
                      submit=submit, intro=intro, record=record, extra_errors=errors)


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ehe_get(user=request.user, pk=pk)  # type: ignore[arg-type]

    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        services.ehe_record_update(actor=actor, record=record, educating_parent_ids=data["educating_parents"],
                                   reason=data["reason"], reason_detail=data["reason_detail"],
                                   next_annual_contact=data["next_annual_contact"])
        return "EHE record changed."

    initial = {"reason": record.reason, "reason_detail": record.reason_detail,
               "next_annual_contact": record.next_annual_contact,
               "educating_parents": [str(c.pk) for c in record.educating_parents.all()]}
    return _write_page(request, pk, RecordEditForm, title="Change the EHE record", initial=initial, act=act,
                       form_kwargs={"parents": _parent_choices(record.child)})


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def record_end(request: HttpRequest, pk: int) -> HttpResponse:
    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        services.ehe_record_end(actor=actor, user=request.user, record=record, ended_on=data["ended_on"],  # type: ignore[arg-type]
                                end_reason=data["end_reason"], detail=data["detail"])
        return "The EHE record has ended."

    return _write_page(request, pk, RecordEndForm, title="End home education", submit="End the record", act=act)


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def record_decision(request: HttpRequest, pk: int) -> HttpResponse:
    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        decide = services.ehe_mark_suitable if data["decision"] == "suitable" else services.ehe_mark_unsuitable
        decide(actor=actor, user=request.user, record=record, reason=data["reason"])  # type: ignore[arg-type]
        return "Decision recorded."

    return _write_page(request, pk, DecisionForm, title="Is the education suitable?", act=act,
                       intro="Parents do not have to prove suitability; the approach must be proportionate (R5.2). "
                             "If the education does not appear suitable, the s437 pathway starts and, if the child "
                             "is on no school roll, the child is missing education (R5.5).")


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        services.ehe_contact_record(actor=actor, user=request.user, record=record, contact_on=data["contact_on"],  # type: ignore[arg-type]
                                    method=data["method"], notes=data["notes"],
                                    is_annual_contact=data["is_annual_contact"])
        return "Contact recorded."

    return _write_page(request, pk, ContactForm, title="Record a contact", act=act,
                       initial={"contact_on": timezone.localdate()})


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def enquiry_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        services.suitability_enquiry_record(actor=actor, user=request.user, record=record,  # type: ignore[arg-type]
                                            made_on=data["made_on"], method=data["method"], notes=data["notes"])
        return "Enquiry recorded."

    return _write_page(request, pk, EnquiryForm, title="Make a suitability enquiry", act=act,
                       initial={"made_on": timezone.localdate()})


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def enquiry_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.enquiry_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = EnquiryOutcomeForm(request.POST or None, initial={"outcome_on": timezone.localdate()})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.suitability_enquiry_outcome(
                actor=Auditor.from_request(request), user=request.user, enquiry=enquiry,  # type: ignore[arg-type]
                outcome=data["outcome"], outcome_on=data["outcome_on"],
                information_received=data["information_received"],
                information_received_on=data["information_received_on"],
            )
        except services.EHEError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "Enquiry outcome recorded.")
            return redirect("ehe:detail", pk=enquiry.record_id)
    return _form_page(request, form, title="What did the enquiry find?", caption=enquiry.record.child.legal_full_name,
                      back="ehe:detail", record=enquiry.record, extra_errors=errors,
                      intro="If the parents give no information at all, the education does not appear suitable "
                            "and in most cases a s437(1) notice must be served (R5.3).")


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def sao_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ehe_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    presenter = EHERecordPresenter(record, today=timezone.localdate())

    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        services.sao_stage_record(actor=actor, user=request.user, record=record, stage=data["stage"],  # type: ignore[arg-type]
                                  served_on=data["served_on"], school_named=data["school_named"], notes=data["notes"])
        return "School attendance order step recorded."

    days = services.sao_notice_days(record.local_authority)
    return _write_page(request, pk, SAOStageForm, title="Record the next school attendance order step", act=act,
                       form_kwargs={"allowed": presenter.sao_next_steps},
                       initial={"served_on": timezone.localdate()},
                       intro=f"A s437(1) notice gives the parent {days} days to satisfy the council that the "
                             "education is suitable (at least 15 days, s437(2)). Only if they do not may the next "
                             "step follow (R5.4).")


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def concern_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(record: EHERecord, data: dict[str, Any], actor: Auditor) -> str:
        concern = services.ehe_concern_record(
            actor=actor, user=request.user, record=record, kind=data["kind"], raised_on=data["raised_on"],  # type: ignore[arg-type]
            description=data["description"], mash_referral_on=data["mash_referral_on"],
            mash_reference=data["mash_reference"],
        )
        return f"Concern recorded: {concern.route}."

    return _write_page(request, pk, ConcernForm, title="Record a concern", act=act,
                       initial={"raised_on": timezone.localdate()},
                       intro="A concern about the child's safety or wellbeing goes to the MASH now: record the "
                             "referral here. A concern only about the quality of education goes into the EHE process "
                             "as a suitability enquiry.")


@permission_required("ehe.work")
@require_http_methods(["GET", "POST"])
def concern_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    if concern.kind != concern.Kind.SAFETY:
        raise Http404("Only MASH referrals have a social care outcome")
    form = ConcernOutcomeForm(request.POST or None, initial={"outcome_on": timezone.localdate(),
                                                             "outcome": concern.social_care_outcome})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ehe_concern_outcome(actor=Auditor.from_request(request), user=request.user, concern=concern,  # type: ignore[arg-type]
                                         outcome=data["outcome"], outcome_on=data["outcome_on"], notes=data["notes"])
        except services.EHEError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "Social care outcome recorded.")
            return redirect("ehe:detail", pk=concern.record_id)
    return _form_page(request, form, title="Social care outcome of the MASH referral",
                      caption=concern.record.child.legal_full_name, back="ehe:detail", record=concern.record,
                      extra_errors=errors)
