"""Find a child, the child page, schools. Thin: parse, call a selector, audit the read, render."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cme.accounts.policy import has_permission, permission_required, scope_for
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, denial_mark
from cme.children import restriction, selectors
from cme.children.forms import BreakGlassForm, ChildSearchForm
from cme.children.presenters import ChildPresenter, ChildRow
from cme.core.suppression import SUPPRESSED_TEXT, suppress_count
from cme.law import school_age

PAGE_SIZE = 25


@permission_required("child.search")
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search by POST so names, UPNs and postcodes never appear in URLs or server logs."""
    form = ChildSearchForm(request.POST if request.method == "POST" else None)
    page = None
    if request.method == "POST" and form.is_valid():
        query = selectors.ChildSearch(**{k: v for k, v in form.cleaned_data.items() if k != "page" and v})
        found = selectors.child_search_ranked(user=request.user, search=query)  # type: ignore[arg-type]
        page = Paginator(found.ranked, PAGE_SIZE).get_page(form.cleaned_data.get("page") or 1)
        page.object_list = [ChildRow(hit.child, hit.score) for hit in found.hits(list(page.object_list))]
        Auditor.from_request(request).record(
            AuditEvent.Action.SEARCH, object_type="children.child", summary=f"{len(found.ranked)} results",
            changes={k: str(v) for k, v in form.cleaned_data.items() if v and k != "page"},
        )
    return render(request, "children/search.html", {"title": "Find a child", "form": form, "page": page})


@permission_required("child.view")
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk, summary="child page")
    can_see_flags = has_permission(request.user, "child.view_restricted_fields")
    presenter = ChildPresenter(child, today=timezone.localdate(), can_see_flags=can_see_flags)
    return render(request, "children/detail.html", {
        "title": child.full_name, "child": presenter, "can_work_cases": has_permission(request.user, "case.work"),
        "is_dpo": has_permission(request.user, "privacy.restrict"),
    })


@require_http_methods(["GET", "POST"])
def restricted_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """The reason form for a restricted record (DP-6). Only for a child whose page just asked for it in this session
    (the page checked the user's role and scope), so it names no one and cannot be used to probe ids."""
    back = restriction.pending(request, pk)
    if back is None or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        raise Http404("No page asked for a reason for this record.")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        restriction.give_reason(request, pk, form.cleaned_data["reason"])
        return redirect(back)
    return render(request, "children/break_glass.html", {"title": "Restricted record", "form": form})


@permission_required("school.list")
def school_list(request: HttpRequest) -> HttpResponse:
    schools = selectors.school_list(user=request.user)  # type: ignore[arg-type]
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    rolls: dict[int, int | None] = dict(selectors.school_rolls(school_ids=[s.pk for s in page.object_list]))
    if scope_for(request.user).kind == "none":  # type: ignore[arg-type]  # aggregate-only role: AC-7 small numbers
        rolls = {pk: suppress_count(n) for pk, n in rolls.items()}
    return render(request, "children/school_list.html", {"title": "Schools", "page": page, "rolls": rolls,
                                                          "suppressed_text": SUPPRESSED_TEXT})


@permission_required("school.view")
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    today = timezone.localdate()
    roll = selectors.school_roll_by_year(school=school, on=today)
    leavers = list(selectors.school_recent_leavers(user=request.user, school=school,  # type: ignore[arg-type]
                                                   since=today - dt.timedelta(days=90))[:50])
    # The leavers' names are shown: one read event per child listed (LOG-2).
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, leavers, child_id_attr="child_id",
                                              summary=f"school page: recent leavers of {school.name}"[:300])
    return render(request, "children/school_detail.html", {
        "title": school.name, "school": school, "roll": roll, "total": sum(n for _, n in roll),
        "leavers": leavers, "key_stage": school_age.key_stage,
    })


@permission_required("school.view")
def my_school(request: HttpRequest) -> HttpResponse:
    school = getattr(request.user.organisation, "school", None)  # type: ignore[union-attr]
    if school is None:
        denial_mark(request, "no school is linked to the account")  # audited as a 404 denial (LOG-3)
        return render(request, "children/no_school.html", {"title": "Your school"}, status=404)
    return redirect("children:school-detail", pk=school.pk)
