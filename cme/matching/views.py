"""The linkage review queue, the review of one pair, and merging child records. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.policy import has_permission, permission_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction
from cme.children.services import ChildChangedError
from cme.matching import selectors, services
from cme.matching.forms import (
    SAME,
    MergeConfirmForm,
    MergeStartForm,
    QueueFilterForm,
    ReviewDecisionForm,
    UnmergeForm,
)
from cme.matching.merging import child_merge, child_unmerge
from cme.matching.presenters import PairPresenter, QueueRow, child_side, field_rows, moved_rows

PAGE_SIZE = 25


@permission_required("linkage.review")
def review_queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = selectors.review_queue_counts(user=request.user, today=today)  # type: ignore[arg-type]
    filters = QueueFilterForm(request.GET or None, sources=[(s, label) for s, label, _ in counts.by_source])
    wanted = filters.cleaned()
    pairs = selectors.review_queue(user=request.user, today=today, **wanted)  # type: ignore[arg-type]
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [QueueRow(candidate, today) for candidate in page.object_list]
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, object_type="matching.matchcandidate",
                                         summary=f"linkage review queue page {page.number}: {len(rows)} pairs")
    return render(request, "matching/review_queue.html", {
        "title": "Linkage review", "counts": counts, "filters": filters, "page": page, "rows": rows,
        "can_merge": has_permission(request.user, "child.merge"),
    })


@permission_required("linkage.review")
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, candidate.child, candidate.other_child)  # DP-6
    form = ReviewDecisionForm(request.POST if request.method == "POST" else None,
                              child_pair=candidate.is_child_pair)
    actor = Auditor.from_request(request)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == SAME:
                services.match_accept(actor=actor, user=request.user, candidate=candidate,  # type: ignore[arg-type]
                                      reason=form.cleaned_data["reason"])
                messages.success(request, "Linked: the record is now part of the child's record.")
            else:
                services.match_reject(actor=actor, user=request.user, candidate=candidate,  # type: ignore[arg-type]
                                      reason=form.cleaned_data["reason"])
                messages.success(request, "Saved: this pair will not be proposed again.")
            return redirect("matching:review-queue")
        except services.LinkageError as exc:
            form.add_error(None, str(exc))
    explanation = services.match_candidate_explain(candidate=candidate)
    for child_id in filter(None, (candidate.child_id, candidate.other_child_id)):
        actor.record(AuditEvent.Action.VIEW, candidate, child_id=child_id, summary="linkage review of a pair")
    return render(request, "matching/review.html", {
        "title": "Review a possible match", "candidate": candidate, "pair": PairPresenter(candidate, explanation),
        "form": form, "can_merge": has_permission(request.user, "child.merge"),
        "others": selectors.other_candidates(candidate=candidate),
    })


@permission_required("child.merge")
@require_http_methods(["GET", "POST"])
def merge_start(request: HttpRequest) -> HttpResponse:
    """Choose two child records by number (POST, so nothing about a child sits in a URL but record numbers)."""
    initial = {"keep": request.GET.get("child")} if (request.GET.get("child") or "").isdigit() else None
    form = MergeStartForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        keep, merge = form.cleaned_data["keep"], form.cleaned_data["merge"]
        found = set(selectors.mergeable_children(user=request.user, pks=[keep, merge]))  # type: ignore[arg-type]
        for name, pk in (("keep", keep), ("merge", merge)):
            if pk not in found:
                form.add_error(name, f"There is no child record {pk} that you can merge")
        if form.is_valid():
            return redirect("matching:merge-confirm", keep=keep, merge=merge)
    return render(request, "matching/merge_start.html", {"title": "Merge two child records", "form": form})


@permission_required("child.merge")
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, keep: int, merge: int) -> HttpResponse:
    kept = selectors.child_for_merge(user=request.user, pk=keep)  # type: ignore[arg-type]
    merged = selectors.child_for_merge(user=request.user, pk=merge)  # type: ignore[arg-type]
    restriction.require_reason(request, kept, merged)  # DP-6
    actor = Auditor.from_request(request)
    form = MergeConfirmForm(request.POST if request.method == "POST" else None,
                            initial={"keep_version": kept.version, "merge_version": merged.version})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        kept.version, merged.version = form.cleaned_data["keep_version"], form.cleaned_data["merge_version"]
        try:
            child_merge(actor=actor, user=request.user, keep=kept, merge=merged,  # type: ignore[arg-type]
                        reason=form.cleaned_data["reason"])
        except ChildChangedError:
            errors.append("One of these records was changed by someone else after you opened this page. "
                          "Check both records again, then confirm.")
        except services.LinkageError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, f"Child record {merged.pk} has been merged into this record.")
            return redirect("children:detail", pk=kept.pk)
        kept = selectors.child_for_merge(user=request.user, pk=keep)  # type: ignore[arg-type]
        merged = selectors.child_for_merge(user=request.user, pk=merge)  # type: ignore[arg-type]
        restriction.require_reason(request, kept, merged)  # DP-6
        form = MergeConfirmForm(initial={"keep_version": kept.version, "merge_version": merged.version,
                                         "reason": form.cleaned_data["reason"]})
    for child in (kept, merged):
        actor.record(AuditEvent.Action.VIEW, child, child_id=child.pk, summary="merge confirmation page")
    return render(request, "matching/merge_confirm.html", {
        "title": "Check and merge two child records", "keep": child_side(kept), "merge": child_side(merged),
        "rows": field_rows(child_side(merged), child_side(kept)),
        "holdings": list(zip(selectors.child_holdings(merged), selectors.child_holdings(kept), strict=True)),
        "form": form, "errors": errors,
        "swap_url": reverse("matching:merge-confirm", kwargs={"keep": merge, "merge": keep}),
    })


@permission_required("child.merge")
def merge_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.merge_list(user=request.user), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    return render(request, "matching/merge_list.html", {"title": "Merged child records", "page": page})


@permission_required("child.merge")
@require_http_methods(["GET", "POST"])
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.merge_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    restriction.require_reason(request, record.kept, record.merged)  # DP-6
    actor = Auditor.from_request(request)
    form = UnmergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            child_unmerge(actor=actor, user=request.user, merge_record=record,  # type: ignore[arg-type]
                          reason=form.cleaned_data["reason"])
        except services.LinkageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The merge has been undone: child record {record.merged_id} is back.")
            return redirect("matching:merge-detail", pk=record.pk)
    for child_id in (record.kept_id, record.merged_id):
        actor.record(AuditEvent.Action.VIEW, record, child_id=child_id, summary="merge record page")
    return render(request, "matching/merge_detail.html", {
        "title": f"Merge of child record {record.merged_id}", "record": record, "moved": moved_rows(record),
        "form": form,
    })
