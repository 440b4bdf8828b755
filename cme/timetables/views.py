"""The part-time timetables register's pages. Schools submit; the attendance team reviews (R4.2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.policy import has_permission, permission_required
from cme.accounts.reauth import reauth_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, denial_mark
from cme.children import restriction
from cme.children.models import Contact
from cme.core.exports import export_response
from cme.timetables import selectors, services
from cme.timetables.forms import ConsentForm, ListFilterForm, ReviewForm, SubmitForm

PAGE_SIZE = 25


def _list_inputs(request: HttpRequest) -> tuple[ListFilterForm, selectors.TimetableFilters]:
    user = request.user
    schools = None
    if user.role != "school_user":  # type: ignore[union-attr]
        schools = [(s.pk, s.name) for s in selectors.schools_with_timetables(user=user)]  # type: ignore[arg-type]
    form = ListFilterForm(request.GET or None, schools=schools)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "active"
    return form, selectors.TimetableFilters(
        status="" if status == "all" else status, school_id=int(data["school"]) if data.get("school") else None,
        flag=data.get("flag", ""), reason=data.get("reason", ""),
    )


def _context(request: HttpRequest) -> tuple[Any, Any, int]:
    la = request.user.local_authority  # type: ignore[union-attr]
    return la, la.term_calendar(), services.max_extensions(la)


@permission_required("timetable.view")
def timetable_list(request: HttpRequest) -> HttpResponse:
    form, filters = _list_inputs(request)
    today = timezone.localdate()
    _, terms, max_ext = _context(request)
    timetables = selectors.timetable_list(user=request.user, filters=filters, today=today,  # type: ignore[arg-type]
                                          max_extensions=max_ext)
    page = Paginator(timetables, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.figures_for(list(page.object_list), today=today, terms=terms, max_extensions=max_ext)
    return render(request, "timetables/list.html", {
        "title": "Part-time timetables", "form": form, "page": page, "rows": rows,
        "query": request.GET.urlencode(), "can_submit": has_permission(request.user, "timetable.submit"),
        "is_school": request.user.role == "school_user",  # type: ignore[union-attr]
    })


@permission_required("timetable.view")
@reauth_required()
def timetable_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _, filters = _list_inputs(request)
    today = timezone.localdate()
    _, terms, max_ext = _context(request)
    timetables = selectors.timetable_list(user=request.user, filters=filters, today=today,  # type: ignore[arg-type]
                                          max_extensions=max_ext)
    rows = selectors.export_rows(selectors.figures_for(list(timetables), today=today, terms=terms,
                                                       max_extensions=max_ext),
                                masked=restriction.masker(request))
    Auditor.from_request(request).record(
        AuditEvent.Action.EXPORT, object_type="timetables.parttimetimetable",
        summary=f"part-time timetables export ({fmt}): {len(rows)} rows", changes={"filters": request.GET.urlencode()},
    )
    return export_response(rows, selectors.EXPORT_COLUMNS, f"part-time-timetables-{today:%Y-%m-%d}", fmt)


@permission_required("timetable.view")
def register_report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    la, terms, max_ext = _context(request)
    report = selectors.register_report(user=request.user, today=today, terms=terms, max_extensions=max_ext)  # type: ignore[arg-type]
    return render(request, "timetables/report.html", {
        "title": "Part-time timetables: register report", "report": report, "today": today,
        "full_time_hours": services.full_time_hours(la), "review_weeks": la.part_time_review_weeks,
    })


@permission_required("timetable.submit")
@require_http_methods(["GET", "POST"])
def timetable_new(request: HttpRequest) -> HttpResponse:
    """A school tells the LA about a part-time timetable for one of its own pupils."""
    user = request.user
    today = timezone.localdate()
    school = selectors.user_school(user)  # type: ignore[arg-type]
    if school is None:
        denial_mark(request, "no school is linked to the account")  # audited as a 404 denial (LOG-3)
        return render(request, "children/no_school.html", {"title": "Your school"}, status=404)
    roll = selectors.pupils_on_roll(user=user, school=school, on=today)  # type: ignore[arg-type]
    choices = [(c.pk, f"{c.legal_surname}, {c.legal_forename} ({c.upn or 'no UPN'})")
               for c in roll.only("pk", "legal_forename", "legal_surname", "upn")]
    form = SubmitForm(request.POST or None, roll=choices)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["upn"]:
            child = selectors.pupil_by_upn(user=user, school=school, upn=data["upn"], on=today)  # type: ignore[arg-type]
        else:
            child = roll.filter(pk=int(data["pupil"])).first()
        if child is None:
            form.add_error("upn", "No pupil with that UPN is on your school's roll")
        else:
            try:
                timetable = services.timetable_submit(
                    actor=Auditor.from_request(request), user=user, school=school, child=child,  # type: ignore[arg-type]
                    plan=services.TimetablePlan(
                        reason=data["reason"], reason_detail=data["reason_detail"],
                        hours_per_week=data["hours_per_week"], start_date=data["start_date"],
                        planned_end_date=data["planned_end_date"], reintegration_plan=data["reintegration_plan"],
                        has_social_worker=data["has_social_worker"],
                        social_worker_involved=data["social_worker_involved"], has_ehcp=data["has_ehcp"],
                        ehcp_involved=data["ehcp_involved"],
                    ),
                    consent=services.Consent(given=data["consent_given"] == "yes", by_name=data["consent_by_name"],
                                             on=data["consent_on"], how=data["consent_how"]),
                    today=today,
                )
            except services.TimetableError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, "Thank you. The attendance team will review the timetable by "
                                          f"{timetable.next_review_due.day} {timetable.next_review_due:%B %Y}.")
                return redirect("timetables:detail", pk=timetable.pk)
    return render(request, "timetables/new.html", {
        "title": "Tell us about a part-time timetable", "form": form, "school": school, "extra_errors": errors,
        "full_time_hours": services.full_time_hours(school.local_authority),
    })


@permission_required("timetable.view")
def timetable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    timetable = selectors.timetable_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, timetable.child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, timetable, child_id=timetable.child_id,
                                         summary="part-time timetable")
    today = timezone.localdate()
    la = timetable.local_authority
    figures = selectors.TimetableFigures(timetable, today, la.term_calendar(), services.max_extensions(la))
    return render(request, "timetables/detail.html", {
        "title": f"Part-time timetable: {timetable.child.full_name}", "t": timetable, "figures": figures,
        "can_review": has_permission(request.user, "timetable.review"),
        "can_submit": has_permission(request.user, "timetable.submit"),
        "review_weeks": la.part_time_review_weeks,
    })


def _form_page(request: HttpRequest, form: Any, *, timetable: Any, title: str, submit: str, intro: str = "",
               errors: list[str] | None = None) -> HttpResponse:
    # The form page shows the pupil's name and timetable: a read of the child's record (LOG-2).
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, timetable, child_id=timetable.child_id,
                                         summary=f"part-time timetable: {title}"[:300])
    return render(request, "timetables/form.html", {
        "title": title, "form": form, "t": timetable, "submit": submit, "intro": intro, "extra_errors": errors or [],
    })


@permission_required("timetable.review")
@require_http_methods(["GET", "POST"])
def timetable_review(request: HttpRequest, pk: int) -> HttpResponse:
    timetable = selectors.timetable_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, timetable.child)  # DP-6
    form = ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.timetable_review(
                actor=Auditor.from_request(request), user=request.user, timetable=timetable,  # type: ignore[arg-type]
                reviewed_on=data["reviewed_on"], outcome=data["outcome"], new_end_date=data["new_end_date"],
                notes=data["notes"], pupil_and_parents_involved=data["pupil_and_parents_involved"],
                today=timezone.localdate(),
            )
        except services.TimetableError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, f"Review recorded: {review.get_outcome_display().lower()}.")
            return redirect("timetables:detail", pk=timetable.pk)
    return _form_page(request, form, timetable=timetable, title="Review the part-time timetable",
                      submit="Record the review", errors=errors,
                      intro="Reviews involve the pupil and parents, so the timetable lasts only the shortest time "
                            "necessary (R4.2).")


@permission_required("timetable.submit")
@require_http_methods(["GET", "POST"])
def timetable_consent(request: HttpRequest, pk: int) -> HttpResponse:
    timetable = selectors.timetable_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, timetable.child)  # DP-6
    links = list(timetable.child.child_contacts.all())
    parents = [(str(link.contact_id), f"{link.contact.forename} {link.contact.surname} ({link.relationship})")
               for link in links]
    form = ConsentForm(request.POST or None, parents=parents, initial={"on": timezone.localdate()})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact: Contact | None = next((link.contact for link in links if str(link.contact_id) == data["by"]), None)
        try:
            services.timetable_consent_record(
                actor=Auditor.from_request(request), user=request.user, timetable=timetable,  # type: ignore[arg-type]
                consent=services.Consent(given=True, by_contact=contact, by_name=data["by_name"], on=data["on"],
                                         how=data["how"]),
            )
        except services.TimetableError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "Parental consent recorded.")
            return redirect("timetables:detail", pk=timetable.pk)
    return _form_page(request, form, timetable=timetable, title="Record the parent's agreement", submit="Save",
                      errors=errors, intro="A part-time timetable needs the agreement of the parent the pupil "
                                           "normally lives with (R4.2).")
