"""The Children Not In School register's pages (s436B-G; R6.1-R6.5).

Behind `LocalAuthority.cnis_register_enabled`: while the duty awaits commencement regulations, every page shows
that notice and no data entry is possible (the services refuse too).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.policy import has_permission, permission_required
from cme.accounts.reauth import reauth_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction
from cme.children.selectors import ChildSearch, child_detail, child_search
from cme.cnis import selectors, services
from cme.cnis.forms import (
    EntryForm,
    FindChildForm,
    ListFilterForm,
    ParentForm,
    ProviderForm,
    RemoveForm,
    RequestForm,
    SettingForm,
    tri_state,
)
from cme.cnis.rules import CONDITION_C, next_provider_request
from cme.core.exports import export_response
from cme.core.formatting import govuk_date

PAGE_SIZE = 25


def commenced(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Show the "awaiting commencement regulations" page unless the LA has turned the register on."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.register_enabled(request.user.local_authority):  # type: ignore[union-attr]
            return render(request, "cnis/not_commenced.html", {"title": "Children not in school register"})
        return view(request, *args, **kwargs)

    return wrapped


def _filters(request: HttpRequest) -> tuple[ListFilterForm, selectors.CNISFilters]:
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "active"
    return form, selectors.CNISFilters(status="" if status == "all" else status,
                                       condition_c=data.get("condition_c", ""))


@permission_required("cnis.view")
@commenced
def entry_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = Paginator(selectors.cnis_list(user=request.user, filters=filters), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    return render(request, "cnis/list.html", {
        "title": "Children not in school register", "form": form, "page": page, "find_form": FindChildForm(),
        "can_work": has_permission(request.user, "cnis.work"), "query": request.GET.urlencode(),
    })


@permission_required("cnis.view")
@reauth_required()
@commenced
def entry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _, filters = _filters(request)
    rows = selectors.export_rows(selectors.cnis_list(user=request.user, filters=filters),  # type: ignore[arg-type]
                                 masked=restriction.masker(request))
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, object_type="cnis.cnisentry",
                                         summary=f"CNIS register export ({fmt}): {len(rows)} rows",
                                         changes={"filters": request.GET.urlencode()})
    return export_response(rows, selectors.EXPORT_COLUMNS, f"cnis-register-{timezone.localdate():%Y-%m-%d}", fmt)


def _form_page(request: HttpRequest, form: Any, *, title: str, caption: str = "", back: str = "", submit: str = "Save",
               intro: str = "", errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "cnis/form.html", {"title": title, "form": form, "caption": caption, "back": back,
                                              "submit": submit, "intro": intro, "extra_errors": errors or []},
                  status=status)


@permission_required("cnis.work")
@commenced
@require_POST
def find_child(request: HttpRequest) -> HttpResponse:
    form = FindChildForm(request.POST)
    if form.is_valid():
        hits = child_search(user=request.user, search=ChildSearch(upn=form.cleaned_data["upn"]), limit=2)  # type: ignore[arg-type]
        if len(hits) == 1:
            return redirect("cnis:new", pk=hits[0].child.pk)
        form.add_error("upn", "No child with that UPN is in our records" if not hits
                       else "More than one child has that UPN: use Find a child")
    return _form_page(request, form, title="Put a child on the register", back=reverse("cnis:list"), submit="Continue",
                      status=400)


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6
    address = next((a.address for a in child.addresses.all() if a.end is None), None)
    form = EntryForm(request.POST or None, initial={
        "registered_on": timezone.localdate(), "lives_in_area": True,
        "home_address": str(address) if address else "", "postcode": child.current_postcode,
    })
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.cnis_entry_create(
                actor=Auditor.from_request(request), user=request.user, child=child,  # type: ignore[arg-type]
                registered_on=d["registered_on"], home_address=d["home_address"], postcode=d["postcode"],
                lives_in_area=d["lives_in_area"], condition_c=d["condition_c"],
                hours_with_parents=d["hours_with_parents"], hours_with_others=d["hours_with_others"],
                optional=services.OptionalInformation(
                    eligibility_reason=d["eligibility_reason"],
                    special_educational_needs=d["special_educational_needs"],
                    protected_characteristics=d["protected_characteristics"],
                    s47_enquiries=tri_state(d["s47_enquiries"]), child_in_need=tri_state(d["child_in_need"]),
                    looked_after=tri_state(d["looked_after"]), looked_after_reason=d["looked_after_reason"],
                ),
            )
        except services.CNISError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "The child is on the register. Add each parent and any other provider.")
            return redirect("cnis:detail", pk=entry.pk)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk,
                                         summary="CNIS: put a child on the register")
    return _form_page(request, form, title="Put a child on the register", caption=child.legal_full_name,
                      back=reverse("cnis:list"), errors=errors,
                      intro="A child is registered if they live in the area (A), are of compulsory school age (B) "
                            "and one limb of condition C applies (s436B).")


@permission_required("cnis.view")
@commenced
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.cnis_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, entry.child)  # DP-6
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, entry, child_id=entry.child_id,
                                         summary="CNIS register entry")
    return render(request, "cnis/detail.html", {
        "title": f"Children not in school: {entry.child.full_name}", "entry": entry,
        "condition": CONDITION_C.get(entry.condition_c, ""), "can_work": has_permission(request.user, "cnis.work"),
    })


def _entry_write(request: HttpRequest, pk: int, form: Any, *, title: str,
                 act: Callable[[Any, dict[str, Any], Auditor], str], intro: str = "") -> HttpResponse:
    entry = selectors.cnis_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, entry.child)  # DP-6
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            message = act(entry, form.cleaned_data, Auditor.from_request(request))
        except services.CNISError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, message)
            return redirect("cnis:detail", pk=entry.pk)
    # the page shows the child's name and register entry: a read (LOG-2)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, entry, child_id=entry.child_id,
                                         summary=f"CNIS form: {title}"[:300])
    return _form_page(request, form, title=title, caption=entry.child.legal_full_name,
                      back=reverse("cnis:detail", args=[entry.pk]), errors=errors, intro=intro)


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def parent_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.cnis_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, entry.child)  # DP-6
    links = list(entry.child.child_contacts.select_related("contact", "contact__address"))
    form = ParentForm(request.POST or None, contacts=[
        (str(link.contact_id), f"{link.contact.forename} {link.contact.surname} ({link.relationship})")
        for link in links])

    def act(entry: Any, d: dict[str, Any], actor: Auditor) -> str:
        link = next((x for x in links if str(x.contact_id) == d["contact"]), None)
        contact = link.contact if link else None
        name = d["name"] or (f"{contact.forename} {contact.surname}" if contact else "")
        address = d["address"] or (str(contact.address) if contact and contact.address else "")
        services.cnis_parent_add(actor=actor, entry=entry, name=name, address=address, contact=contact,
                                 provides_education=d["provides_education"], hours_per_week=d["hours_per_week"])
        return "Parent added."

    return _entry_write(request, pk, form, title="Add a parent", act=act,
                        intro="Record each parent, their home address, and whether and for how long they educate "
                              "the child (s436C(1)(b)-(d)).")


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest, pk: int) -> HttpResponse:
    settings = {s.pk: s for s in selectors.settings_list(user=request.user)}  # type: ignore[arg-type]
    form = ProviderForm(request.POST or None, settings=[(pk_, s.name) for pk_, s in settings.items()])

    def act(entry: Any, d: dict[str, Any], actor: Auditor) -> str:
        services.cnis_provider_add(
            actor=actor, entry=entry, name=d["name"], provider_type=d["provider_type"], address=d["address"],
            online_address=d["online_address"], hours_per_week=d["hours_per_week"],
            hours_without_parent=d["hours_without_parent"],
            setting=settings.get(int(d["setting"])) if d.get("setting") else None,
        )
        return "Provider added."

    return _entry_write(request, pk, form, title="Add another provider of education", act=act,
                        intro="For each provider: name, type, the address of each place (or website or email if "
                              "online), and the time spent, with and without a parent present (s436C(1)(e)).")


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    form = RemoveForm(request.POST or None, initial={"removed_on": timezone.localdate()})

    def act(entry: Any, d: dict[str, Any], actor: Auditor) -> str:
        services.cnis_entry_remove(actor=actor, entry=entry, removed_on=d["removed_on"], reason=d["reason"])
        return "Removed from the register."

    return _entry_write(request, pk, form, title="Remove from the register", act=act)


@permission_required("cnis.view")
@commenced
def setting_list(request: HttpRequest) -> HttpResponse:
    settings = Paginator(selectors.settings_list(user=request.user), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    for s in settings.object_list:
        s.next_request_on = next_provider_request(s.last_request_on)
    return render(request, "cnis/settings.html", {
        "title": "Out-of-school settings and other providers", "page": settings,
        "can_work": has_permission(request.user, "cnis.work"), "today": timezone.localdate(),
    })


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def setting_new(request: HttpRequest) -> HttpResponse:
    form = SettingForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.out_of_school_setting_create(actor=Auditor.from_request(request),
                                                  local_authority=request.user.local_authority,  # type: ignore[union-attr]
                                                  **form.cleaned_data)
        except services.CNISError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "Provider added.")
            return redirect("cnis:settings")
    return _form_page(request, form, title="Add an out-of-school setting or provider", back=reverse("cnis:settings"),
                      errors=errors)


@permission_required("cnis.work")
@commenced
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    setting = selectors.setting_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    entries = {e.pk: e for e in selectors.entries_provided_for(user=request.user, setting=setting)}  # type: ignore[arg-type]
    form = RequestForm(request.POST or None, initial={"sent_on": timezone.localdate()},
                       entries=[(pk_, e.child.legal_full_name) for pk_, e in entries.items()])
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.provider_request_send(actor=Auditor.from_request(request), user=request.user, setting=setting,  # type: ignore[arg-type]
                                           sent_on=d["sent_on"], entries=[entries[int(i)] for i in d["entries"]],
                                           notes=d["notes"])
        except services.CNISError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, "Request recorded.")
            return redirect("cnis:settings")
    allowed = next_provider_request(setting.last_request_on)
    intro = "Requests to a provider may be made at most once every 3 months."
    if allowed:
        intro += (f" The last was on {govuk_date(setting.last_request_on)}; the next may be made from "
                  f"{govuk_date(allowed)}.")
    return _form_page(request, form, title=f"Ask {setting.name} for information", back=reverse("cnis:settings"),
                      errors=errors, intro=intro, submit="Record the request")
