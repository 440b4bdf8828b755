"""Routes in and the triage queue. Thin: parse the form, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.policy import permission_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, client_ip
from cme.children import restriction
from cme.children import selectors as children
from cme.children.presenters import ChildRow
from cme.notifications import csv_returns, selectors, services
from cme.notifications.forms import (
    DeletionReturnForm,
    LAEnquiryForm,
    LAEnquiryResponseForm,
    LinkChildForm,
    MailboxForm,
    NewEntrantReturnForm,
    PartnerReferralForm,
    QueueFilterForm,
    ResidentReportForm,
    ReturnUploadForm,
    TriageOutcomeForm,
    form_errors_from,
)
from cme.notifications.inputs import PARTNER_TYPE_AGENCY
from cme.notifications.presenters import NotificationPresenter, QueueRow, optional_url

PAGE_SIZE = 50
PUBLIC_REFERENCE = "cme_public_report_reference"


def _user(request: HttpRequest) -> Any:
    return request.user


# --- Triage ------------------------------------------------------------------------------------------------


@permission_required("notification.triage")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = QueueFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    items = selectors.queue_list(user=_user(request), today=today, kind=wanted.get("kind") or "",
                                 overdue=bool(wanted.get("overdue")), safeguarding=bool(wanted.get("safeguarding")))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [QueueRow(n, today) for n in page.object_list]
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, page.object_list, child_id_attr="child_id",
                                              summary="triage queue")
    return render(request, "notifications/queue.html", {
        "title": "Triage", "page": page, "rows": rows, "filters": filters,
        "counts": selectors.queue_counts(user=_user(request), today=today),
    })


def _triage_page(request: HttpRequest, pk: int, *, outcome_form: TriageOutcomeForm | None = None,
                 status: int = 200) -> HttpResponse:
    user = _user(request)
    notification = selectors.notification_for_triage(user=user, pk=pk)
    restriction.require_reason(request, notification.child)  # DP-6
    matches = services.possible_matches(user=user, notification=notification)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, notification, child_id=notification.child_id,
                                         summary="triage page")
    if matches:
        Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, [hit.child for hit in matches],
                                                  child_id_attr="pk", summary=f"possible match for "
                                                  f"{notification.reference}")
    return render(request, "notifications/triage_detail.html", {
        "title": f"Triage {notification.reference}",
        "n": NotificationPresenter(notification, today=timezone.localdate()),
        "matches": [(hit, ChildRow(hit.child, hit.score)) for hit in matches],
        "outcome_form": outcome_form or TriageOutcomeForm(),
        "open_case_url": optional_url("cases:open-from-notification", pk=notification.pk),
        "add_to_case_url": optional_url("cases:add-notification", pk=notification.pk),
        "child_cases_url": optional_url("cases:list"),
    }, status=status)


@permission_required("notification.triage")
@require_GET
def triage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _triage_page(request, pk)


@permission_required("notification.triage")
@require_POST
def triage_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_for_triage(user=_user(request), pk=pk)
    restriction.require_reason(request, notification.child)  # DP-6
    form = TriageOutcomeForm(request.POST)
    if form.is_valid():
        try:
            done = services.notification_triage(
                actor=Auditor.from_request(request), user=_user(request), notification=notification,
                outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"])
        except services.TriageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{done.reference} triaged: {done.get_outcome_display()}")
            return redirect("notifications:queue")
    return _triage_page(request, pk, outcome_form=form, status=400)


@permission_required("notification.triage")
@require_POST
def triage_link_child(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_for_triage(user=_user(request), pk=pk)
    restriction.require_reason(request, notification.child)  # DP-6
    form = LinkChildForm(request.POST)
    if not form.is_valid():
        raise Http404("No child chosen")
    child = children.child_get(user=_user(request), pk=form.cleaned_data["child"])
    services.notification_link_child(actor=Auditor.from_request(request), notification=notification, child=child)
    messages.success(request, f"{notification.reference} linked to {child.full_name}")
    return redirect("notifications:triage-detail", pk=pk)


@permission_required("notification.triage")
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=_user(request), pk=pk)
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, attachment,
                                         child_id=attachment.notification.child_id, summary="attachment downloaded")
    response = HttpResponse(bytes(attachment.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{attachment.pk}.eml"'
    return response


# --- School returns ----------------------------------------------------------------------------------------


@permission_required("return.submit")
@require_GET
def return_start(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/return_start.html", {"title": "Send a return"})


def _return_form(request: HttpRequest, *, form_class: Any, service: Any, template: str, title: str) -> HttpResponse:
    context = services.school_return_context(user=_user(request))
    form = form_class(request.POST or None, context=context)
    if request.method == "POST" and form.is_valid():
        try:
            notification = service(actor=Auditor.from_request(request), user=_user(request), data=form.to_input())
        except services.IntakeInvalid as exc:
            form_errors_from(form, exc.errors)
        else:
            messages.success(request, f"Return sent. Your reference is {notification.reference}")
            return redirect("notifications:submission-detail", pk=notification.pk)
    return render(request, template, {"title": title, "form": form}, status=400 if form.errors else 200)


@permission_required("return.submit")
@require_http_methods(["GET", "POST"])
def deletion_return_new(request: HttpRequest) -> HttpResponse:
    return _return_form(request, form_class=DeletionReturnForm, service=services.deletion_return_submit,
                        template="notifications/deletion_return_form.html", title="Deletion from the roll")


@permission_required("return.submit")
@require_http_methods(["GET", "POST"])
def new_entrant_return_new(request: HttpRequest) -> HttpResponse:
    return _return_form(request, form_class=NewEntrantReturnForm, service=services.new_entrant_return_submit,
                        template="notifications/new_entrant_return_form.html", title="New pupil")


@permission_required("return.submit")
@require_http_methods(["GET", "POST"])
def return_upload(request: HttpRequest) -> HttpResponse:
    form = ReturnUploadForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.return_upload_submit(
                actor=Auditor.from_request(request), user=_user(request), kind=form.cleaned_data["kind"],
                filename=upload.name, content=upload.read())
        except services.UploadRejected as exc:
            rejected = exc
        else:
            if result.already_received:
                messages.info(request, f"This file was already received on "
                                       f"{timezone.localtime(result.upload.created_at):%d %B %Y at %H:%M} "
                                       f"({result.upload.row_count} returns). Nothing new was saved.")
            else:
                messages.success(request, f"{len(result.notifications)} returns received: references "
                                          f"{result.notifications[0].reference} to "
                                          f"{result.notifications[-1].reference}")
            return redirect("notifications:my-submissions")
    status = 400 if (form.errors or rejected) else 200
    return render(request, "notifications/return_upload.html", {
        "title": "Upload returns", "form": form, "rejected": rejected,
        "columns": csv_returns.COLUMNS,
    }, status=status)


def _template_response(kind: str) -> HttpResponse:
    response = HttpResponse(csv_returns.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_returns.TEMPLATE_FILENAMES[kind]}"'
    return response


@permission_required("return.submit")
@require_GET
def deletion_template(request: HttpRequest) -> HttpResponse:
    return _template_response("deletion_return")


@permission_required("return.submit")
@require_GET
def new_entrant_template(request: HttpRequest) -> HttpResponse:
    return _template_response("new_entrant_return")


# --- Partner referrals and what an organisation has sent ------------------------------------------------------


@permission_required("referral.submit_partner")
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = user.organisation
    initial = {"referrer_name": user.full_name, "referrer_email": user.email, "referrer_role": user.job_title,
               "referrer_agency": PARTNER_TYPE_AGENCY.get(organisation.partner_type if organisation else "", "")}
    form = PartnerReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notification = services.partner_referral_submit(actor=Auditor.from_request(request), user=user,
                                                            data=form.to_input())
        except services.IntakeInvalid as exc:
            form_errors_from(form, exc.errors)
        else:
            messages.success(request, f"Referral sent. Your reference is {notification.reference}")
            return redirect("notifications:submission-detail", pk=notification.pk)
    return render(request, "notifications/referral_form.html", {"title": "Refer a child", "form": form},
                  status=400 if form.errors else 200)


@permission_required("notification.view_own")
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_submissions(user=_user(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "notifications/my_submissions.html", {
        "title": "What you have sent", "page": page, "rows": [NotificationPresenter(n, today=today)
                                                            for n in page.object_list]})


@permission_required("notification.view_own")
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.submission_get(user=_user(request), pk=pk)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, notification, child_id=notification.child_id,
                                         summary="own submission")
    return render(request, "notifications/submission_detail.html", {
        "title": notification.reference, "n": NotificationPresenter(notification, today=timezone.localdate())})


# --- Residents (no sign-in) ----------------------------------------------------------------------------------


def _public_actor(request: HttpRequest) -> Auditor:
    # No raw IP address is kept for public reports (the rate limit keeps only a keyed hash).
    return Auditor(system_id="public.report_a_child", user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                   path=request.path[:300])


@login_not_required
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    la = selectors.public_local_authority()
    form = ResidentReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam:
            request.session.pop(PUBLIC_REFERENCE, None)
            return redirect("notifications:public-report-sent")
        if form.is_valid() and la is not None:
            try:
                notification = services.resident_report_submit(
                    actor=_public_actor(request), local_authority=la, data=form.to_input(),
                    ip_address=client_ip(request))
            except services.RateLimited:
                return render(request, "notifications/public_report_limited.html",
                              {"title": "Too many reports", "la": la}, status=429)
            except services.IntakeInvalid as exc:
                form_errors_from(form, exc.errors)
            else:
                request.session[PUBLIC_REFERENCE] = notification.reference
                return redirect("notifications:public-report-sent")
        status = 400
    return render(request, "notifications/public_report.html", {
        "title": "Tell us about a child who may be missing education", "form": form, "la": la}, status=status)


@login_not_required
@require_GET
def public_report_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop(PUBLIC_REFERENCE, None)
    return render(request, "notifications/public_report_sent.html", {
        "title": "Report sent", "reference": reference, "la": selectors.public_local_authority()})


# --- Mailbox ----------------------------------------------------------------------------------------------


@permission_required("mailbox.log")
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            notification = services.mailbox_log(actor=Auditor.from_request(request), user=_user(request),
                                                 data=form.to_input())
        except services.IntakeInvalid as exc:
            form_errors_from(form, exc.errors)
        else:
            messages.success(request, f"Email logged as {notification.reference}")
            return redirect("notifications:triage-detail", pk=notification.pk)
    return render(request, "notifications/mailbox_form.html", {"title": "Log an email", "form": form},
                  status=400 if form.errors else 200)


# --- Other local authorities ------------------------------------------------------------------------------


@permission_required("la_enquiry.record")
@require_GET
def enquiry_list(request: HttpRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "open"
    direction = request.GET.get("direction", "")
    direction = direction if direction in ("received", "sent") else ""
    enquiries = selectors.enquiry_list(user=_user(request), show=show, direction=direction)
    page = Paginator(enquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, page.object_list, child_id_attr="child_id",
                                              summary="enquiries with other LAs")
    today = timezone.localdate()
    return render(request, "notifications/enquiry_list.html", {
        "title": "Enquiries with other local authorities", "page": page, "today": today, "show": show,
        "direction": direction, "counts": selectors.enquiry_counts(user=_user(request), today=today),
    })


@permission_required("la_enquiry.record")
@require_http_methods(["GET", "POST"])
def enquiry_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"asked_on": timezone.localdate(), "direction": request.GET.get("direction", "received")}
    if request.GET.get("notification", "").isdigit():
        source = selectors.notification_for_triage(user=user, pk=int(request.GET["notification"]))
        initial.update({"notification_id": source.pk, "forename": source.forename, "surname": source.surname,
                        "date_of_birth": source.date_of_birth, "upn": source.upn, "address": source.address,
                        "postcode": source.postcode, "direction": "sent",
                        "question": "Is this child known to you? Are they on a school roll in your area?"})
    form = LAEnquiryForm(request.POST or None, initial=initial, local_authority=user.local_authority)
    if request.method == "POST" and form.is_valid():
        try:
            enquiry = services.la_enquiry_record(actor=Auditor.from_request(request), user=user,
                                                 data=form.to_input())
        except services.IntakeInvalid as exc:
            form_errors_from(form, exc.errors)
        else:
            messages.success(request, f"Enquiry recorded: response due {enquiry.response_due:%d %B %Y}")
            return redirect("notifications:enquiry-detail", pk=enquiry.pk)
    return render(request, "notifications/enquiry_form.html", {
        "title": "Record an enquiry with another local authority", "form": form, "la": user.local_authority},
        status=400 if form.errors else 200)


def _enquiry_page(request: HttpRequest, pk: int, *, form: LAEnquiryResponseForm | None = None, status: int = 200
                  ) -> HttpResponse:
    enquiry = selectors.enquiry_get(user=_user(request), pk=pk)
    restriction.require_reason(request, enquiry.child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, enquiry, child_id=enquiry.child_id,
                                         summary="enquiry with another LA")
    return render(request, "notifications/enquiry_detail.html", {
        "title": f"Enquiry {enquiry.get_direction_display().lower()}", "enquiry": enquiry,
        "form": form or LAEnquiryResponseForm(), "today": timezone.localdate()}, status=status)


@permission_required("la_enquiry.record")
@require_GET
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _enquiry_page(request, pk)


@permission_required("la_enquiry.record")
@require_POST
def enquiry_response(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.enquiry_get(user=_user(request), pk=pk)
    restriction.require_reason(request, enquiry.child)  # DP-6
    form = LAEnquiryResponseForm(request.POST)
    if form.is_valid():
        try:
            services.la_enquiry_respond(
                actor=Auditor.from_request(request), user=_user(request), enquiry=enquiry,
                answer=form.cleaned_data["answer"], response=form.cleaned_data["response"],
                responded_on=form.cleaned_data.get("responded_on"))
        except services.IntakeInvalid as exc:
            form_errors_from(form, exc.errors)
        else:
            messages.success(request, "Response recorded")
            return redirect("notifications:enquiry-detail", pk=pk)
    return _enquiry_page(request, pk, form=form, status=400)
