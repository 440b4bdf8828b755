"""Panel pages. Thin: parse, call a service or selector, render. Panel members see only their meetings and, while
their access lasts, the cases on those agendas; everything else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.accounts.policy import has_permission, permission_required
from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.selectors import allocatable_officers
from cme.cases.views import document_response
from cme.children import restriction
from cme.core.uploads import UploadRejected
from cme.panels import selectors, services
from cme.panels.forms import (
    AddItemForm,
    AttendeeForm,
    DecisionForm,
    DiscussionForm,
    HeldForm,
    MeetingForm,
    SettingsForm,
)
from cme.panels.minutes import minutes_pdf
from cme.panels.models import PanelMeeting

INVITABLE_ROLES = (Role.PANEL_MEMBER, Role.CME_OFFICER, Role.ATTENDANCE_MANAGER, Role.EHE_OFFICER)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # LoginRequiredMiddleware: always signed in here


def _meeting_url(meeting: PanelMeeting) -> str:
    return reverse("panels:detail", kwargs={"pk": meeting.pk})


def _audit_items(request: HttpRequest, items: list, summary: str) -> None:  # type: ignore[type-arg]
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, [i.case for i in items],
                                              child_id_attr="child_id", summary=summary)


@permission_required("panel.view")
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    meetings = list(selectors.meeting_list(user=_user(request)))
    return render(request, "panels/list.html", {
        "title": "Multi-agency panel", "upcoming": [m for m in meetings if m.held_on >= today][::-1],
        "past": [m for m in meetings if m.held_on < today], "can_manage": has_permission(request.user, "panel.manage"),
    })


@permission_required("panel.manage")
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.panel_meeting_create(
                actor=Auditor.from_request(request), user=_user(request),
                local_authority=_user(request).local_authority,
                held_on=data["held_on"], term=data["term"], location=data["location"], starts_at=data["starts_at"],
                terms_of_reference=data["terms_of_reference"])
        except UploadRejected as error:
            form.add_error("terms_of_reference", str(error))
        except services.PanelError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Panel meeting scheduled")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/meeting_form.html", {"title": "Schedule a panel meeting", "form": form})


@permission_required("panel.manage")
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=_user(request), pk=pk)
    form = MeetingForm(request.POST or None, request.FILES or None, initial={
        "held_on": meeting.held_on, "starts_at": meeting.starts_at, "term": meeting.term, "location": meeting.location})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.panel_meeting_update(actor=Auditor.from_request(request), user=_user(request), meeting=meeting,
                                          held_on=data["held_on"], term=data["term"], location=data["location"],
                                          starts_at=data["starts_at"], terms_of_reference=data["terms_of_reference"])
        except UploadRejected as error:
            form.add_error("terms_of_reference", str(error))
        else:
            messages.success(request, "Panel meeting changed")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/meeting_form.html", {"title": "Change the panel meeting", "form": form,
                                                        "meeting": meeting})


@permission_required("panel.view")
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user=user, pk=pk)
    items = selectors.items_for(user=user, meeting=meeting)
    _audit_items(request, items, f"panel meeting {meeting.pk} agenda")
    can_manage = has_permission(user, "panel.manage")
    return render(request, "panels/detail.html", {
        "title": f"Panel meeting, {meeting.held_on.day} {meeting.held_on:%B %Y}", "meeting": meeting, "items": items,
        "can_manage": can_manage, "can_decide": has_permission(user, "panel.record_decision"),
        "candidates": len(selectors.agenda_candidates(meeting=meeting)) if can_manage else 0,
        "add_item_form": AddItemForm(), "form": None,
    })


@permission_required("panel.manage")
@require_POST
def agenda_build(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=_user(request), pk=pk)
    added = services.panel_agenda_build(actor=Auditor.from_request(request), meeting=meeting)
    messages.success(request, f"{added} case(s) added to the agenda")
    return redirect(_meeting_url(meeting))


@permission_required("panel.manage")
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=_user(request), pk=pk)
    form = AddItemForm(request.POST)
    case = selectors.open_case_by_reference(user=_user(request), reference=request.POST.get("reference", "")) \
        if form.is_valid() else None
    if case is None:
        messages.error(request, "No open case has that reference.")
        return redirect(_meeting_url(meeting))
    try:
        services.panel_item_add(actor=Auditor.from_request(request), meeting=meeting, case=case)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{case.reference} added to the agenda")
    return redirect(_meeting_url(meeting))


@permission_required("panel.manage")
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=_user(request), pk=pk)
    restriction.require_reason(request, item.case.child)  # DP-6
    try:
        services.panel_item_remove(actor=Auditor.from_request(request), item=item)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{item.case.reference} taken off the agenda")
    return redirect(_meeting_url(item.meeting))


@permission_required("panel.view")
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get(user=user, pk=pk)
    restriction.require_reason(request, item.case.child)  # DP-6
    can_decide = has_permission(user, "panel.record_decision")
    officers = [(u.pk, u.full_name) for u in allocatable_officers(user=user)] if can_decide else []
    action = request.POST.get("action")
    discussion_form = DiscussionForm(request.POST if action == "discussion" else None,
                                     initial={"discussion": item.discussion})
    decision_form = DecisionForm(request.POST if action == "decision" else None, officers=officers)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Your role cannot record panel decisions.")
        actor = Auditor.from_request(request)
        if action == "discussion" and discussion_form.is_valid():
            services.panel_discussion_record(actor=actor, item=item,
                                             discussion=discussion_form.cleaned_data["discussion"])
            messages.success(request, "Discussion saved")
            return redirect("panels:item", pk=item.pk)
        if action == "decision" and decision_form.is_valid():
            data = decision_form.cleaned_data
            owners = {u.pk: u for u in allocatable_officers(user=user)}
            actions = [services.ActionInput(title=data[f"action_{n}"], due=data[f"action_{n}_due"],
                                            assignee=owners.get(data[f"action_{n}_owner"] or 0))
                       for n in DecisionForm.ACTIONS if (data.get(f"action_{n}") or "").strip()]
            try:
                services.panel_decision_record(actor=actor, user=user, item=item, outcome=data["outcome"],
                                               text=data["text"], actions=actions)
            except services.PanelError as error:
                decision_form.add_error(None, str(error))
            else:
                messages.success(request, "Decision recorded")
                return redirect("panels:item", pk=item.pk)
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, item.case, child_id=item.case.child_id,
                                         summary="panel agenda item")
    decisions = list(item.decisions.prefetch_related("actions__task__assignee"))
    return render(request, "panels/item.html", {
        "title": f"{item.case.reference}: panel", "item": item, "decisions": decisions, "can_decide": can_decide,
        "discussion_form": discussion_form, "decision_form": decision_form,
        "form": decision_form if decision_form.errors else (discussion_form if discussion_form.errors else None),
        "can_manage": has_permission(user, "panel.manage"),
    })


@permission_required("panel.manage")
@require_http_methods(["GET", "POST"])
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user=user, pk=pk)
    invitable = User.objects.filter(local_authority_id=user.local_authority_id, is_active=True,
                                    role__in=INVITABLE_ROLES).order_by("full_name")
    form = AttendeeForm(request.POST or None, users=[(u.pk, f"{u.full_name} ({u.role_label})") for u in invitable])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitee = invitable.filter(pk=data["user"]).first() if data.get("user") else None
        try:
            services.panel_attendee_add(actor=Auditor.from_request(request), meeting=meeting, user=invitee,
                                        name=data.get("name") or "", agency=data.get("agency") or "")
        except services.PanelError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Attendee added")
            return redirect(_meeting_url(meeting))
    return render(request, "panels/attendee_form.html", {"title": "Invite someone", "form": form, "meeting": meeting})


@permission_required("panel.manage")
@require_POST
def attendee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attendee = selectors.attendee_get(user=_user(request), pk=pk)
    meeting = attendee.meeting
    services.panel_attendee_remove(actor=Auditor.from_request(request), attendee=attendee)
    messages.success(request, "Attendee removed")
    return redirect(_meeting_url(meeting))


@permission_required("panel.manage")
@require_http_methods(["GET", "POST"])
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=_user(request), pk=pk)
    attendees = [(a.pk, str(a)) for a in meeting.attendees.all()]
    form = HeldForm(request.POST or None, attendees=attendees,
                    initial={"attended": [str(a.pk) for a in meeting.attendees.all() if a.attended]})
    if request.method == "POST" and form.is_valid():
        services.panel_meeting_mark_held(actor=Auditor.from_request(request), meeting=meeting,
                                         attended_ids=[int(x) for x in form.cleaned_data["attended"]])
        messages.success(request, "Meeting recorded as held")
        return redirect(_meeting_url(meeting))
    return render(request, "panels/held.html", {"title": "Record the meeting as held", "form": form,
                                                "meeting": meeting})


@permission_required("panel.view")
@require_GET
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = selectors.meeting_get(user=user, pk=pk)
    items = selectors.items_for(user=user, meeting=meeting)
    content = minutes_pdf(meeting=meeting, items=items, attendees=list(meeting.attendees.all()))
    services.panel_minutes_mark(actor=Auditor.from_request(request), meeting=meeting)
    _audit_items(request, items, f"panel meeting {meeting.pk} minutes")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cme-panel-minutes-{meeting.held_on.isoformat()}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required("panel.view")
@require_GET
def terms_of_reference(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=_user(request), pk=pk)
    if meeting.terms_of_reference is None:
        raise Http404("No terms of reference")
    return document_response(request, meeting.terms_of_reference)


@permission_required("panel.manage")
@require_http_methods(["GET", "POST"])
def panel_settings(request: HttpRequest) -> HttpResponse:
    settings_obj = selectors.settings_for(user=_user(request))
    initial = {name: getattr(settings_obj, name) for name in services.SETTINGS_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.panel_settings_update(actor=Auditor.from_request(request), settings_obj=settings_obj,
                                       **form.cleaned_data)
        messages.success(request, "Agenda criteria saved")
        return redirect("panels:list")
    return render(request, "panels/settings.html", {"title": "Panel agenda criteria", "form": form})
