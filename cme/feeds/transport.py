"""Fetching the school feed from Wonde's API (formats.md §3) as pages, named like the folder layout.

The token is read from the environment variable named on the FeedSource (`token_env_var`): it is never stored
in the database or the repository. Pages are followed through `meta.pagination.next` until `more` is false;
pupils, leavers and deletions are asked for `updated_after` the last successful run (Wonde recommends
`updated_after` syncs with frequent full syncs: a run with no earlier success fetches everything).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

from cme.feeds.models import FeedRun, FeedSource
from cme.feeds.sources.wonde import page_name
from cme.feeds.storage import raw_store

#: Endpoints read for each school, and whether they take `updated_after`.
ENDPOINTS: tuple[tuple[str, bool], ...] = (
    ("students", True),
    ("students-leaver", True),
    ("students-pre-admission", True),
    ("deletions", True),
    ("attendance/session", False),
)
INCLUDES = "education_details,contact_details,contacts.contact_details"
PER_PAGE = 200
MAX_PAGES = 10_000
TIMEOUT = 60


class TransportError(Exception):
    pass


def _token(source: FeedSource) -> str:
    if not source.token_env_var:
        raise TransportError("No token: set the name of the environment variable that holds it on the source.")
    token = os.environ.get(source.token_env_var, "")
    if not token:
        raise TransportError(f"The environment variable {source.token_env_var} is not set.")
    return token


def _get(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> tuple[bytes, dict[str, Any]]:
    response = session.get(url, params=params, timeout=TIMEOUT)
    if response.status_code in (401, 403):
        raise TransportError(f"Wonde refused the token ({response.status_code}) for {url}.")
    response.raise_for_status()
    try:
        return response.content, response.json()
    except ValueError as exc:
        raise TransportError(f"Wonde sent something that is not JSON from {url}.") from exc


def _spooled(name: str, body: bytes) -> Any:
    """A fetched page kept where the run keeps raw files (by checksum, `raw_store`) and handed on by path: a
    county's day is thousands of pages, not held in memory until the run reads them."""
    from cme.feeds.services import ReceivedFile

    return ReceivedFile(name=name, path=Path(settings.MEDIA_ROOT) / raw_store(body))


def wonde_fetch(*, source: FeedSource, on: dt.date, session: requests.Session | None = None) -> list[Any]:
    """Every page for every school of the source, as ReceivedFiles named <LAESTAB>/<endpoint>/<page>.json."""
    session = session or requests.Session()
    session.headers["Authorization"] = f"Bearer {_token(source)}"
    base = source.base_url.rstrip("/")
    last = (FeedRun.objects.filter(source=source, status=FeedRun.Status.SUCCEEDED).order_by("-started_at")
            .values_list("started_at", flat=True).first())
    since = last.strftime("%Y-%m-%d %H:%M:%S") if last else None
    files: list[Any] = []
    for school_id in source.school_ids:
        body, school = _get(session, f"{base}/{school_id}")
        data = school.get("data", school)
        laestab = f"{data.get('la_code', '')}{data.get('establishment_number', '')}"
        if len(laestab) != 7 or not laestab.isdigit():
            raise TransportError(f"Wonde school {school_id} has no LA code and establishment number.")
        files.append(_spooled(f"{laestab}/school.json", body))
        for endpoint, incremental in ENDPOINTS:
            params: dict[str, Any] = {"per_page": PER_PAGE}
            if endpoint.startswith("students"):
                params["include"] = INCLUDES
            if incremental and since:
                params["updated_after"] = since
            if endpoint == "attendance/session":
                params["date"] = on.isoformat()
            url: str | None = f"{base}/{school_id}/{endpoint}"
            number = 0
            while url and number < MAX_PAGES:
                number += 1
                body, page = _get(session, url, params if number == 1 else None)
                files.append(_spooled(page_name(laestab, endpoint, number),
                                      json.dumps(page, separators=(",", ":")).encode() if not body else body))
                pagination = (page.get("meta") or {}).get("pagination") or {}
                url = pagination.get("next") if pagination.get("more") else None
    return files
