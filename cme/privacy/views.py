"""Data protection pages: subject access export, rectification, legal hold, break-glass report, retention, and
restriction of processing (UK GDPR Art 18)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.policy import permission_required
from cme.accounts.reauth import reauth_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction
from cme.children import selectors as child_selectors
from cme.children.services import ChildChangedError, child_update
from cme.privacy import recipients, sar, selectors, services
from cme.privacy.forms import LegalHoldForm, RectifyForm, RestrictionForm, RestrictionLiftForm


@permission_required("privacy.sar")
@require_http_methods(["GET"])
def sar_page(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk,
                                         summary="subject access page")
    return render(request, "privacy/sar.html", {"title": "Subject access request", "child": child,
                                                "models": sorted(sar.models_reached())})


@permission_required("privacy.sar")
@reauth_required()
@require_POST
def sar_download(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    body = sar.sar_json(child=child)
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, child, child_id=child.pk,
                                         summary="subject access export")
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{child.pk}.json"'
    return response


@permission_required("privacy.rectify")
@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a child's name or date of birth (Art 16): optimistic lock, history kept, audited. The page lists who
    has received the child's data, to be told of the correction (Art 19)."""
    child = child_selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    initial = {"legal_forename": child.legal_forename, "legal_middle_names": child.legal_middle_names,
               "legal_surname": child.legal_surname, "date_of_birth": child.date_of_birth, "version": child.version}
    form = RectifyForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, reason = data.pop("version"), data.pop("reason")
        changes = {k: v for k, v in data.items() if getattr(child, k) != v}
        try:
            child_update(actor=Auditor.from_request(request), child=child, expected_version=version,
                         reason=reason, **changes)
            told = len(recipients.disclosure_recipients(child=child))
            messages.success(request, "Correction saved. " + (
                f"Tell the {told} recipient{'s' if told != 1 else ''} listed under \"Who has received this child's "
                "data\" about it (UK GDPR Art 19)." if told else "No one is recorded as having received this "
                "child's data; check the files taken out of the service, if any."))
            return redirect("privacy:rectify", pk=child.pk)
        except ChildChangedError:
            conflict = True
            form.add_error(None, "Someone else changed this record while you were editing it. "
                                 "Check the current details below and make your correction again.")
    history, names = selectors.rectification_history(child=child)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk,
                                         summary="correction page (Art 16)")  # LOG-2
    return render(request, "privacy/rectify.html", {"title": "Correct a child's details", "child": child,
                                                    "form": form, "changes": history[:100], "names": names,
                                                    "conflict": conflict,
                                                    "recipients": recipients.disclosure_recipients(child=child),
                                                    "exports": recipients.exports(child=child)[:100]})


@permission_required("privacy.retention")
@require_POST
def hold_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        services.legal_hold_place(actor=Auditor.from_request(request), user=request.user,  # type: ignore[arg-type]
                                  child=child, reason=form.cleaned_data["reason"])
    return redirect("privacy:rectify", pk=child.pk)


@permission_required("privacy.breakglass_report")
def breakglass_report(request: HttpRequest) -> HttpResponse:
    events = selectors.breakglass_events(user=request.user)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "privacy/breakglass.html", {"title": "Access to restricted records", "page": page})


@permission_required("privacy.retention")
def retention(request: HttpRequest) -> HttpResponse:
    """The schedule and what a purge would do today (dry run: nothing is changed)."""
    lines = services.retention_purge(dry_run=True)
    return render(request, "privacy/retention.html", {"title": "Retention schedule",
                                                      "rules": selectors.retention_rules(), "lines": lines})


@permission_required("privacy.restrict")
def restriction_list(request: HttpRequest) -> HttpResponse:
    """The DPO's list of the Art 18 restrictions in force in their LA (each child shown is an audited read)."""
    page = Paginator(selectors.restrictions_in_force(user=request.user), 50).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, page.object_list, child_id_attr="child_id",
                                              summary="restrictions of processing (Art 18) list")
    return render(request, "privacy/restrictions.html", {"title": "Restrictions of processing", "page": page})


@permission_required("privacy.restrict")
@require_http_methods(["GET", "POST"])
def restriction_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a restriction of processing for a child (Art 18(1)), or lift the one in force (Art 18(3))."""
    child = child_selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6 break-glass (a child at risk of being traced)
    history = selectors.restriction_history(child=child)
    current = next((r for r in history if r.in_force), None)
    form_class = RestrictionLiftForm if current else RestrictionForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actor, data = Auditor.from_request(request), form.cleaned_data
        try:
            if current:
                services.processing_restriction_lift(actor=actor, user=request.user, restriction=current,  # type: ignore[arg-type]
                                                     **data)
                messages.success(request, "Restriction lifted. The record is processed normally again.")
            else:
                services.processing_restriction_place(actor=actor, user=request.user, child=child,  # type: ignore[arg-type]
                                                      **data)
                messages.success(request, "Processing restricted. Only the data protection officer can see this "
                                          "record until the restriction is lifted.")
            return redirect("privacy:restriction", pk=child.pk)
        except services.RestrictionError as error:
            form.add_error(None, str(error))
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk,
                                         summary="restriction of processing page (Art 18)")
    return render(request, "privacy/restriction.html", {
        "title": "Restriction of processing", "child": child, "form": form, "current": current,
        "also": [r for r in history if current and r.superseded_by_id == current.pk], "history": history})
