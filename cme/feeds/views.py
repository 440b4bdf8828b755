"""Feed runs, run reports, uploading a partner extract, detection rule settings. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cme.accounts.policy import has_permission, permission_required
from cme.audit.services import Auditor
from cme.feeds import selectors
from cme.feeds.detection import detection_rule_update, detection_rules_ensure
from cme.feeds.forms import DetectionRuleForm, ExtractUploadForm
from cme.feeds.rules import RULES_BY_CODE
from cme.feeds.services import FeedBusyError, extract_upload
from cme.feeds.sources import SOURCE_NAMES

RUNS_PER_PAGE = 50
ROWS_PER_PAGE = 50
FILES_SHOWN = 200  # a day of the school feed is a file per school and endpoint


@permission_required("feeds.view")
def run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.feed_run_list(user=request.user), RUNS_PER_PAGE).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    return render(request, "feeds/run_list.html", {
        "title": "Data feeds", "page": page, "daily_runs": selectors.daily_runs(user=request.user),  # type: ignore[arg-type]
        "can_run": has_permission(request.user, "feeds.run"),
        "can_set_rules": has_permission(request.user, "la.settings"),
    })


@permission_required("feeds.view")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.feed_run_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    rows = Paginator(selectors.rejected_rows(run=run), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    files = list(run.files.all()[:FILES_SHOWN + 1])
    return render(request, "feeds/run_detail.html", {
        "title": f"{run.source.name}: run of {run.started_at:%d %B %Y}", "run": run, "files": files[:FILES_SHOWN],
        "more_files": len(files) > FILES_SHOWN,
        "page": rows, "source_label": SOURCE_NAMES.get(run.source.source, run.source.source),
    })


@permission_required("feeds.run")
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    mappings = list(selectors.sources_for_upload(user=request.user))  # type: ignore[arg-type]
    form = ExtractUploadForm(request.POST or None, request.FILES or None, mappings=mappings)
    if request.method == "POST" and form.is_valid():
        mapping = form.cleaned_data["mapping_object"]
        upload_file = form.cleaned_data["file"]
        try:
            run = extract_upload(actor=Auditor.from_request(request), local_authority=request.user.local_authority,  # type: ignore[union-attr]
                                 source=form.cleaned_data["source"], mapping_id=mapping.pk if mapping else None,
                                 name=upload_file.name, data=upload_file.read())
        except FeedBusyError as exc:
            form.add_error(None, str(exc))
        else:
            if run.status == run.Status.SUCCEEDED:
                messages.success(request, f"Imported: {run.accepted:,} rows accepted, {run.rejected:,} rejected.")
            return redirect("feeds:run-detail", pk=run.pk)
    return render(request, "feeds/upload.html", {"title": "Upload a partner extract", "form": form})


@permission_required("feeds.view")
def rule_list(request: HttpRequest) -> HttpResponse:
    detection_rules_ensure(local_authority=request.user.local_authority)  # type: ignore[union-attr]
    rules = list(selectors.detection_rule_list(user=request.user))  # type: ignore[arg-type]
    return render(request, "feeds/rule_list.html", {
        "title": "Detection rules", "rules": rules, "specs": RULES_BY_CODE,
        "can_edit": has_permission(request.user, "la.settings"),
    })


@permission_required("la.settings")
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = selectors.detection_rule_get(user=request.user, code=code)  # type: ignore[arg-type]
    spec = RULES_BY_CODE[rule.code]
    form = DetectionRuleForm(request.POST or None, spec=spec, parameters=rule.parameters,
                             initial={"enabled": rule.enabled})
    if request.method == "POST" and form.is_valid():
        detection_rule_update(actor=Auditor.from_request(request), rule=rule, enabled=form.cleaned_data["enabled"],
                              parameters=form.parameters())
        messages.success(request, f"Settings saved for '{rule.name}'.")
        return redirect("feeds:rule-list")
    return render(request, "feeds/rule_edit.html", {"title": rule.name, "rule": rule, "spec": spec, "form": form})
