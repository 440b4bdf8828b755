from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cme.accounts.policy import permission_required
from cme.audit.forms import AuditFilterForm
from cme.audit.selectors import audit_event_list


@permission_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(user=request.user, **{k: v for k, v in filters.items() if v})  # type: ignore[arg-type]
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"title": "Audit log", "form": form, "page": page})
