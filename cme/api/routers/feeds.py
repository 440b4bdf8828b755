"""Feed files through the JSON API: list the LA's feed sources, and post a file to one (imported at once as a run,
under the same run lock as the daily run; the feeds app's `feed_run_execute` does the work)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from cme.api.base import error_body, require
from cme.audit.services import Auditor
from cme.core.uploads import CTF, EXTRACTS, SCHOOL_FEED, UploadRejected, sniff
from cme.feeds import selectors
from cme.feeds.models import FeedSource
from cme.feeds.services import ReceivedFile, feed_run_execute, lock_acquire, lock_holder_name, lock_release

router = Router(tags=["feeds"])

#: Largest feed file taken through the API (bytes).
MAX_FEED_FILE_BYTES = 50 * 1024 * 1024
#: Name endings each kind of source takes (core.uploads checks the content matches).
FILE_NAMES = {FeedSource.Kind.WONDE: SCHOOL_FEED, FeedSource.Kind.CSV: EXTRACTS, FeedSource.Kind.CTF: CTF}


class FeedSourceOut(Schema):
    slug: str
    name: str
    kind: str
    source: str
    enabled: bool


class FeedRunOut(Schema):
    id: int
    source: str
    on: dt.date
    status: str
    received: int
    accepted: int
    rejected: int
    new: int
    changed: int
    skipped_files: int
    error: str


@router.get("/sources", response=list[FeedSourceOut], summary="List your local authority's feed sources")
def list_sources(request: HttpRequest) -> Any:
    require(request, "feeds.view")
    return list(selectors.feed_sources(user=request.user).order_by("name"))  # type: ignore[arg-type]


@router.post("/{slug}/files", response={201: FeedRunOut}, summary="Post a feed file to a source (imported at once)")
def post_feed_file(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    require(request, "feeds.run")
    source = selectors.feed_sources(user=request.user).filter(slug=slug, enabled=True).first()  # type: ignore[arg-type]
    if source is None:
        raise Http404("No feed source")
    if file.size is None or file.size > MAX_FEED_FILE_BYTES:
        return error_body(request, 422, "invalid", "The file is too large.",
                          [{"field": "file", "message": "The file must be smaller than 50 MB"}])
    data = file.read()
    try:  # the file must be what its name says and what the source takes (FILE-2)
        sniff(data, name=file.name or "", allowed=FILE_NAMES[source.kind], max_bytes=MAX_FEED_FILE_BYTES)
    except UploadRejected as exc:
        return error_body(request, 422, "invalid", "The file was refused.", [{"field": "file", "message": str(exc)}])
    holder = lock_holder_name()
    if not lock_acquire(holder=holder):
        return error_body(request, 409, "busy", "The daily run is importing data now. Post the file again later.")
    try:
        run = feed_run_execute(actor=Auditor.from_request(request), source=source, on=timezone.localdate(),
                               files=[ReceivedFile(name=file.name or "upload", data=data)])
    finally:
        lock_release(holder=holder)
    return Status(201, FeedRunOut(id=run.pk, source=source.slug, on=run.on, status=run.status,
                                  received=run.received, accepted=run.accepted, rejected=run.rejected, new=run.new,
                                  changed=run.changed, skipped_files=run.skipped_files, error=run.error))
