"""Case pages. Thin: parse the form, call a service or selector, render. Objects outside the user's scope are 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.accounts.policy import has_permission, permission_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases import ctf as ctf_services
from cme.cases import selectors, services
from cme.cases.forms import (
    AddNotificationForm,
    AllocateForm,
    CaseEditForm,
    CaseloadFilterForm,
    CloseForm,
    ContactForm,
    CTFImportForm,
    DocumentForm,
    EnquiryForm,
    NotApplicableForm,
    NoteForm,
    OpenCaseForm,
    ReopenForm,
    S2SUploadForm,
    TaskDoneForm,
    TaskForm,
    TransferForm,
    TransferResponseForm,
    TransitionForm,
)
from cme.cases.models import ENQUIRING, Case, CaseStatusChoice, Document
from cme.cases.presenters import CasePresenter, check_row, priority_tag, status_tag, task_tag
from cme.children import restriction
from cme.children.selectors import child_get
from cme.core.forms import field_error_id
from cme.core.uploads import UploadRejected
from cme.law.ctf import CTFError
from cme.notifications.models import Notification

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # LoginRequiredMiddleware: always signed in here


def _officers(request: HttpRequest) -> list[tuple[int, str]]:
    return [(u.pk, u.full_name) for u in selectors.allocatable_officers(user=_user(request))]


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk})


def _case_page(request: HttpRequest, template: str, context: dict[str, Any], *, case: Case) -> HttpResponse:
    """Render a page that shows a case (its child's name and reference): every render is a read (LOG-2), and a
    restricted child's case needs the reason first (DP-6)."""
    restriction.require_reason(request, case.child)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, case, child_id=case.child_id,
                                         summary=f"case page: {context.get('title', '')}"[:300])
    return render(request, template, context)


def _render_detail(request: HttpRequest, pk: int, *, close_form: CloseForm | None = None,
                   problems: list[str] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    case = selectors.case_detail(user=user, pk=pk)
    restriction.require_reason(request, case.child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, case, child_id=case.child_id, summary="case page")
    presenter = CasePresenter(case, user=user, today=timezone.localdate())
    schools = selectors.schools_in_la(user=user) if presenter.can_close else []
    if close_form is None:
        close_form = CloseForm(initial={"version": case.version}, schools=schools)
    else:
        close_form.fields["school"].choices = [("", "Choose a school")] + [(str(p), n) for p, n in schools]
    error_items = [{"text": p, "href": "#close-case" if close_form.is_bound else "#case-actions"}
                   for p in problems or []]
    if close_form.is_bound:
        for name, errors in close_form.errors.items():
            href = f"#{field_error_id(close_form[name])}" if name != "__all__" else "#close-case"
            error_items += [{"text": str(e), "href": href} for e in errors]
    context = {
        "title": f"{case.reference}: {case.child.full_name}",
        "error_items": error_items,
        "case": presenter,
        "timeline": selectors.case_timeline(case),
        "close_form": close_form,
        "form": close_form if error_items else None,
        "problems": problems or [],
        "allocate_form": AllocateForm(initial={"version": case.version, "officer": case.allocated_to_id},
                                      officers=_officers(request)) if presenter.can_allocate else None,
        "note_form": NoteForm(),
        "closure_outcomes": services.ClosureOutcome,
    }
    return render(request, "cases/detail.html", context, status=status)


@permission_required("case.view")
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    officers = _officers(request)
    form = CaseloadFilterForm(request.GET or None, officers=officers)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "mine"
    filters = selectors.CaseloadFilter(view=view, status=data.get("status") or "", priority=data.get("priority"),
                                       case_type=data.get("case_type") or "", officer_id=data.get("officer"))
    cases = selectors.caseload(user=_user(request), filters=filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {
        "title": "Cases", "form": None, "filter_form": form, "page": page, "view": view,
        "views": selectors.CASELOAD_VIEWS, "can_import_ctf": has_permission(request.user, "ctf.import"),
        "counts": selectors.caseload_counts(user=_user(request)),
        "status_tag": status_tag, "priority_tag": priority_tag, "today": timezone.localdate(),
    })


@permission_required("case.view")
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    tasks = selectors.my_tasks(user=_user(request))
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(request, "cases/my_tasks.html", {"title": "Your tasks", "page": page, "task_tag": task_tag,
                                                   "today": timezone.localdate()})


@permission_required("case.view")
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a case for a child (pk is the child's)."""
    child = child_get(user=_user(request), pk=pk)
    restriction.require_reason(request, child)  # DP-6
    existing = selectors.open_case_for_child(user=_user(request), child=child)
    if existing is not None:
        messages.info(request, f"{child.full_name} already has an open case, {existing.reference}.")
        return redirect(_case_url(existing))
    form = OpenCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=Auditor.from_request(request), user=_user(request), child=child,
                                      case_type=form.cleaned_data["case_type"], summary=form.cleaned_data["summary"])
        except services.CaseAlreadyOpenError as error:
            messages.info(request, str(error))
            return redirect(_case_url(error.case)) if error.case else redirect("cases:list")
        messages.success(request, f"Case {case.reference} opened")
        return redirect(_case_url(case))
    return render(request, "cases/open.html", {"title": "Open a CME case", "form": form, "child": child})


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = CaseEditForm(request.POST or None, initial={"version": case.version, "case_type": case.case_type,
                                                       "summary": case.summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=Auditor.from_request(request), user=_user(request), case=case,
                                 expected_version=form.cleaned_data["version"],
                                 case_type=form.cleaned_data["case_type"], summary=form.cleaned_data["summary"])
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Case details saved")
            return redirect(_case_url(case))
    return _case_page(request, "cases/edit.html", {"title": f"Change {case.reference}", "form": form, "case": case},
                      case=case)


@permission_required("case.work")
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, problems=["Choose a step for the case."], status=400)
    try:
        services.case_transition(actor=Auditor.from_request(request), user=_user(request), case=case,
                                 to=form.cleaned_data["to"], reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data["version"])
    except services.CaseError as error:
        return _render_detail(request, pk, problems=[str(error)], status=409)
    messages.success(request, f"Case is now: {CaseStatusChoice(form.cleaned_data['to']).label.lower()}")
    return redirect(_case_url(case))


@permission_required("case.allocate")
@require_POST
def case_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = AllocateForm(request.POST, officers=_officers(request))
    if not form.is_valid():
        return _render_detail(request, pk, problems=["Choose an officer."], status=400)
    officer_id = form.cleaned_data["officer"]
    officer = selectors.allocatable_officers(user=_user(request)).filter(pk=officer_id).first() if officer_id else None
    try:
        services.case_allocate(actor=Auditor.from_request(request), user=_user(request), case=case, officer=officer,
                               expected_version=form.cleaned_data["version"])
    except services.CaseError as error:
        return _render_detail(request, pk, problems=[str(error)], status=409)
    messages.success(request, f"Allocated to {officer.full_name}" if officer else "Case unallocated")
    return redirect(_case_url(case))


def _evidence(data: dict[str, Any]) -> services.ClosureEvidence:
    return services.ClosureEvidence(
        school_where=data.get("school_where") or "", school_id=data.get("school"),
        school_laestab=data.get("school_laestab") or "", school_name=data.get("school_name") or "",
        school_country=data.get("school_country") or "", start_date=data.get("start_date"),
        confirmed_by=data.get("confirmed_by") or "", note=data.get("note") or "",
    )


@permission_required("case.close")
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = CloseForm(request.POST)
    form.fields["school"].choices = [("", "")] + [(str(pk), name) for pk, name in selectors.schools_in_la(
        user=_user(request))]
    if not form.is_valid():
        return _render_detail(request, pk, close_form=form, status=400)
    try:
        services.case_close(actor=Auditor.from_request(request), user=_user(request), case=case,
                            outcome=form.cleaned_data["outcome"], evidence=_evidence(form.cleaned_data),
                            expected_version=form.cleaned_data["version"])
    except services.ClosureRefused as error:
        return _render_detail(request, pk, close_form=form, problems=error.problems, status=400)
    except services.CaseError as error:
        return _render_detail(request, pk, close_form=form, problems=[str(error)], status=409)
    messages.success(request, f"Case {case.reference} closed")
    return redirect(_case_url(case))


@permission_required("case.reopen")
@require_http_methods(["GET", "POST"])
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(actor=Auditor.from_request(request), user=_user(request), case=case,
                                 reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"])
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Case {case.reference} re-opened")
            return redirect(_case_url(case))
    return _case_page(request, "cases/reopen.html", {"title": f"Re-open {case.reference}", "form": form, "case": case},
                      case=case)


# --- Checklist, tasks, chronology --------------------------------------------------------------------------


@permission_required("case.view")
@require_http_methods(["GET", "POST"])
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.enquiry_get(user=_user(request), pk=pk)
    case = enquiry.case
    restriction.require_reason(request, case.child)  # DP-6
    can_work = case.is_open and has_permission(request.user, "case.work")
    action = request.POST.get("action", "record")
    form = EnquiryForm(request.POST if action == "record" else None, request.FILES if action == "record" else None,
                       initial={"done_on": enquiry.done_on, "method": enquiry.method, "person": enquiry.person,
                                "outcome": enquiry.outcome})
    na_form = NotApplicableForm(request.POST if action == "not_applicable" else None,
                                initial={"reason": enquiry.not_applicable_reason})
    if request.method == "POST":
        if not can_work:
            raise Http404("No enquiry found")
        actor = Auditor.from_request(request)
        active = form if action == "record" else na_form
        if active.is_valid():
            try:
                if action == "record":
                    attachment = None
                    if form.cleaned_data.get("attachment"):
                        attachment = services.document_store(
                            actor=actor, user=_user(request), local_authority_id=case.local_authority_id,
                            upload=form.cleaned_data["attachment"], title=f"Evidence: {enquiry.label}", case=case)
                    services.enquiry_record(actor=actor, user=_user(request), enquiry=enquiry,
                                            done_on=form.cleaned_data["done_on"], method=form.cleaned_data["method"],
                                            person=form.cleaned_data["person"], outcome=form.cleaned_data["outcome"],
                                            attachment=attachment)
                else:
                    services.enquiry_not_applicable(actor=actor, user=_user(request), enquiry=enquiry,
                                                    reason=na_form.cleaned_data["reason"])
            except UploadRejected as error:
                form.add_error("attachment", str(error))
            except services.CaseError as error:
                active.add_error(None, str(error))
            else:
                messages.success(request, f"Enquiry saved: {enquiry.label}")
                return redirect(_case_url(case))
    errors_form = form if form.errors else (na_form if na_form.errors else None)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, enquiry, child_id=case.child_id,
                                         summary=f"case enquiry: {enquiry.label}"[:300])  # LOG-2
    return render(request, "cases/enquiry.html", {
        "title": enquiry.label, "enquiry": enquiry,
        "row": check_row(enquiry, timezone.localdate(), enquiring=case.status in ENQUIRING),
        "case": case, "form": errors_form, "record_form": form, "na_form": na_form, "can_work": can_work,
    })


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = TaskForm(request.POST or None, officers=_officers(request), initial={"assignee": request.user.pk})
    if request.method == "POST" and form.is_valid():
        assignee_id = form.cleaned_data["assignee"]
        assignee = selectors.allocatable_officers(user=_user(request)).filter(pk=assignee_id).first() if assignee_id \
            else None
        try:
            services.task_create(actor=Auditor.from_request(request), local_authority_id=case.local_authority_id,
                                 case=case, title=form.cleaned_data["title"], detail=form.cleaned_data["detail"],
                                 due=form.cleaned_data["due"], assignee=assignee)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Task added")
            return redirect(_case_url(case))
    return _case_page(request, "cases/task_new.html", {"title": "Add a task", "form": form, "case": case}, case=case)


@permission_required("case.work")
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=_user(request), pk=pk)
    form = TaskDoneForm(request.POST)
    form.is_valid()
    try:
        services.task_complete(actor=Auditor.from_request(request), user=_user(request), task=task,
                               note=form.cleaned_data.get("note", ""))
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Task done: {task.title}")
    if request.POST.get("next") == "tasks" or task.case is None:
        return redirect("cases:my-tasks")
    return redirect(_case_url(task.case))


@permission_required("case.work")
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, problems=["Enter the note."], status=400)
    services.note_add(actor=Auditor.from_request(request), user=_user(request), case=case,
                      text=form.cleaned_data["text"])
    messages.success(request, "Note added")
    return redirect(_case_url(case))


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record_add(actor=Auditor.from_request(request), user=_user(request), case=case,
                                        **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Contact recorded")
            return redirect(_case_url(case))
    return _case_page(request, "cases/contact_new.html", {"title": "Record a contact", "form": form, "case": case},
                      case=case)


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_store(actor=Auditor.from_request(request), user=_user(request),
                                    local_authority_id=case.local_authority_id, upload=form.cleaned_data["file"],
                                    title=form.cleaned_data["title"], case=case)
        except UploadRejected as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, "Document uploaded")
            return redirect(_case_url(case))
    return _case_page(request, "cases/document_new.html", {
        "title": "Upload a document", "form": form, "case": case,
        "max_mb": settings.CME_MAX_UPLOAD_BYTES // (1024 * 1024)}, case=case)


def document_response(request: HttpRequest, document: Document) -> FileResponse:
    """Serve a stored document to an authorised user: as an attachment, never sniffed, never cached; audited."""
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, document,
                                         child_id=document.case.child_id if document.case_id else None,  # type: ignore[union-attr]
                                         summary=f"document downloaded: {document.title}"[:300])
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.download_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@permission_required("case.view")
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(user=_user(request), pk=pk)
    return document_response(request, document)


# --- S2S / CTF -------------------------------------------------------------------------------------------------


@permission_required("ctf.export")
@require_POST
def ctf_generate(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    try:
        ctf = ctf_services.ctf_lost_pupil_generate(actor=Auditor.from_request(request), user=_user(request), case=case)
    except services.CaseError as error:
        return _render_detail(request, pk, problems=[str(error)], status=400)
    messages.success(request, f"Lost-pupil CTF {ctf.file_name} generated. Download it and upload it to S2S, then "
                              "record the upload date.")
    return redirect(_case_url(case))


@permission_required("case.view")
@require_GET
def ctf_download(request: HttpRequest, pk: int) -> HttpResponse:
    ctf = selectors.ctf_file_get(user=_user(request), pk=pk)
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, ctf, child_id=ctf.child_id,
                                         summary=f"CTF downloaded: {ctf.file_name}")
    response = HttpResponse(bytes(ctf.content), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{ctf.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required("ctf.export")
@require_POST
def ctf_s2s_record(request: HttpRequest, pk: int) -> HttpResponse:
    ctf = selectors.ctf_file_get(user=_user(request), pk=pk)
    form = S2SUploadForm(request.POST)
    back = _case_url(ctf.case) if ctf.case else reverse("cases:list")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        ctf_services.ctf_s2s_upload_record(actor=Auditor.from_request(request), user=_user(request), ctf_file=ctf,
                                           uploaded_on=form.cleaned_data["uploaded_on"])
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"S2S upload date recorded for {ctf.file_name}")
    return redirect(back)


@permission_required("ctf.import")
@require_http_methods(["GET", "POST"])
def ctf_import(request: HttpRequest) -> HttpResponse:
    case = None
    case_id = request.POST.get("case") or request.GET.get("case")
    if case_id and case_id.isdigit():
        case = selectors.case_get(user=_user(request), pk=int(case_id))
    form = CTFImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.CME_MAX_UPLOAD_BYTES:
            form.add_error("file", f"The selected file must be smaller than "
                                   f"{settings.CME_MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        else:
            try:
                result = ctf_services.ctf_import(actor=Auditor.from_request(request), user=_user(request),
                                                 data=upload.read(), file_name=upload.name or "", case=case)
            except CTFError as error:
                form.add_error("file", str(error))
    return render(request, "cases/ctf_import.html", {
        "title": "Import a CTF", "form": form if form.errors else None, "upload_form": form, "case": case,
        "result": result})


# --- Another LA ------------------------------------------------------------------------------------------------


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=_user(request), pk=pk)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transfer_request(actor=Auditor.from_request(request), user=_user(request), case=case,
                                           **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Transfer request recorded")
            return redirect(_case_url(case))
    return _case_page(request, "cases/transfer_new.html", {"title": "Transfer to another local authority",
                                                           "form": form, "case": case}, case=case)


@permission_required("case.work")
@require_http_methods(["GET", "POST"])
def transfer_respond(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=_user(request), pk=pk)
    form = TransferResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transfer_respond(actor=Auditor.from_request(request), user=_user(request), transfer=transfer,
                                           **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Response recorded" + (
                "; the case is closed" if form.cleaned_data["response"] == "accepted" else ""))
            return redirect(_case_url(transfer.case))
    return _case_page(request, "cases/transfer_respond.html", {"title": "Record the receiving LA's response",
                                                               "form": form, "transfer": transfer}, case=transfer.case)


# --- Triage outcomes (contract with intake) and EHE (contract with the EHE register) ------------------------


def _notification_back(notification: Notification) -> str:
    for name in ("notifications:triage-detail", "notifications:detail"):
        try:
            return reverse(name, kwargs={"pk": notification.pk})
        except NoReverseMatch:
            continue
    return reverse("cases:list")


@permission_required("notification.triage")
@require_POST
def open_from_notification(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_permission(request.user, "case.work"):
        raise PermissionDenied("Your role cannot open or work cases.")
    notification = Notification.objects.for_user(_user(request)).filter(pk=pk).first()
    if notification is None:
        raise Http404("No notification found")
    try:
        case, opened = services.case_open_from_notification(actor=Auditor.from_request(request), user=_user(request),
                                                            notification=notification)
    except services.CaseError as error:
        messages.error(request, str(error))
        return redirect(_notification_back(notification))
    messages.success(request, f"Case {case.reference} opened" if opened
                     else f"{notification.reference} added to the child's open case, {case.reference}")
    return redirect(_case_url(case))


@permission_required("notification.triage")
@require_POST
def add_notification(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_permission(request.user, "case.work"):
        raise PermissionDenied("Your role cannot open or work cases.")
    notification = Notification.objects.for_user(_user(request)).filter(pk=pk).first()
    if notification is None:
        raise Http404("No notification found")
    form = AddNotificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the case number, for example CASE-000123.")
        return redirect(_notification_back(notification))
    case = selectors.case_get(user=_user(request), pk=form.cleaned_data["case"])
    try:
        services.case_add_notification(actor=Auditor.from_request(request), user=_user(request), case=case,
                                       notification=notification)
    except services.CaseError as error:
        messages.error(request, str(error))
        return redirect(_notification_back(notification))
    messages.success(request, f"{notification.reference} added to {case.reference}")
    return redirect(_case_url(case))


@permission_required("ehe.work")
@require_POST
def open_from_ehe(request: HttpRequest, pk: int) -> HttpResponse:
    """R5.5: the EHE record's education does not appear suitable and the child is on no roll: open a CME case."""
    try:
        from cme.ehe.selectors import ehe_get  # layer 7, the EHE register
    except ImportError as error:
        raise Http404("The home education register is not available") from error
    record = ehe_get(user=_user(request), pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    try:
        case = services.case_open_from_ehe(actor=Auditor.from_request(request), user=_user(request),
                                           record=record, reason=reason)
    except services.CaseError as error:
        messages.error(request, str(error))
        try:
            return redirect(reverse("ehe:detail", kwargs={"pk": record.pk}))
        except NoReverseMatch:
            return redirect("cases:list")
    messages.success(request, f"Case {case.reference} opened: home education does not appear suitable")
    return redirect(_case_url(case))
