"""Reads for the feeds pages. Every function takes the user and starts from their local authority."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from cme.feeds.models import ColumnMapping, DailyRun, DetectionRule, FeedRun, FeedSource, RejectedRow

if TYPE_CHECKING:
    from cme.accounts.models import User


def feed_run_list(*, user: User) -> QuerySet[FeedRun]:
    return (FeedRun.objects.for_local_authority(user.local_authority_id).select_related("source")
            .order_by("-started_at", "-pk"))


def feed_run_get(*, user: User, pk: int) -> FeedRun:
    run = (FeedRun.objects.for_local_authority(user.local_authority_id).select_related("source", "daily_run")
           .filter(pk=pk).first())
    if run is None:
        raise Http404("No feed run found")
    return run


def rejected_rows(*, run: FeedRun) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(run=run).select_related("file").order_by("file_id", "row_number", "pk")


def daily_runs(*, user: User, limit: int = 5) -> list[DailyRun]:
    return list(DailyRun.objects.filter(local_authority_id=user.local_authority_id).order_by("-started_at")[:limit])


def sources_for_upload(*, user: User) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(local_authority_id=user.local_authority_id).order_by("source", "name")


def feed_sources(*, user: User) -> QuerySet[FeedSource]:
    return FeedSource.objects.filter(local_authority_id=user.local_authority_id).select_related("mapping")


def detection_rule_list(*, user: User) -> QuerySet[DetectionRule]:
    return DetectionRule.objects.filter(local_authority_id=user.local_authority_id).order_by("code")


def detection_rule_get(*, user: User, code: str) -> DetectionRule:
    rule = DetectionRule.objects.filter(local_authority_id=user.local_authority_id, code=code).first()
    if rule is None:
        raise Http404("No detection rule found")
    return rule
