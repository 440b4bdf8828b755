"""Demo data for the feeds: the synthetic council's school feed and partner extracts, written as files.

`demo_seed` writes, under VAR_DIR/feeds/demo/:
- school-feed/<YYYY-MM-DD>/<LAESTAB>/<endpoint>/<page>.json: Wonde pages for the last `history_days` school
  days before `on` and for `on` itself (the first day a full sync, then daily `updated_after` syncs);
- <source>/<YYYY-MM-DD>/<file>: the partner extracts on `on`, each in its partner's own format (headings,
  date format, delimiter, encoding, Excel for social care), with the synthetic noise (typos, nicknames,
  swapped day and month, old surnames and addresses, missing fields) and a few malformed rows;
and configures a FeedSource (and column-mapping profile) for each. The hidden truth is written by seed_demo.
With `run=True` it imports them and runs detection (the notifications app raises the concerns:
`cme.notifications.detection.demo_seed` does both).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from cme.audit.services import Auditor
from cme.children.models import Child
from cme.core.models import LocalAuthority
from cme.feeds.models import ColumnMapping, FeedSource
from cme.feeds.sources.wonde import page_name
from cme.synthetic import Council, ExtractRecord, generate_council
from cme.synthetic.extracts import partner_extract
from cme.synthetic.feed import iter_school_feed
from cme.synthetic.feed_increments import iter_school_feed_since
from cme.synthetic.terms import SchoolDays, school_year_of

DEMO_SOURCES = ("health", "hmrc_child_benefit", "social_care", "admissions", "border_force")


def demo_root() -> Path:
    return Path(settings.VAR_DIR) / "feeds" / "demo"


# --------------------------------------------------------------------------------------------------
# Partner formats: each partner has its own headings, dates, delimiter and encoding
# --------------------------------------------------------------------------------------------------


def _d(day: dt.date | None, fmt: str) -> str:
    return day.strftime(fmt) if day else ""


def _iso_to(value: str | None, fmt: str) -> str:
    return dt.date.fromisoformat(value).strftime(fmt) if value else ""


PROFILES: dict[str, dict[str, Any]] = {
    "health": {
        "name": "GP registrations (synthetic NHS extract)", "file": "gp-registrations.csv", "delimiter": ",",
        "encoding": "utf-8-sig", "date_format": "%d/%m/%Y",
        "columns": {"Patient ID": "source_record_id", "NHS Number": "nhs_number", "Forename": "forename",
                    "Middle Names": "middle_names", "Surname": "surname", "Date of Birth": "date_of_birth",
                    "Gender": "sex", "Address": "address", "Postcode": "postcode", "Practice Code": "practice",
                    "Registration Date": "registered_on"},
    },
    "hmrc_child_benefit": {
        "name": "HMRC Child Benefit (synthetic extract)", "file": "child-benefit.csv", "delimiter": ";",
        "encoding": "cp1252", "date_format": "%d-%m-%Y",
        "columns": {"Child Reference": "source_record_id", "Child Forename": "forename",
                    "Child Middle Names": "middle_names", "Child Surname": "surname", "Child DOB": "date_of_birth",
                    "Sex": "sex", "Address": "address", "Postcode": "postcode", "Claimant Name": "claimant",
                    "Claim Start": "claim_start"},
    },
    "social_care": {
        "name": "Children's social care LCS (synthetic extract)", "file": "lcs-children.xlsx", "delimiter": "",
        "encoding": "auto", "date_format": "",
        "columns": {"LCS Person ID": "source_record_id", "First Name": "forename", "Last Name": "surname",
                    "DOB": "date_of_birth", "Gender": "sex", "Address": "address", "Post Code": "postcode",
                    "UPN": "upn", "Involvement": "status"},
    },
    "admissions": {
        "name": "Admissions offers (synthetic extract)", "file": "admissions-offers.csv", "delimiter": ",",
        "encoding": "utf-8", "date_format": "%Y-%m-%d",
        "columns": {"Application ID": "source_record_id", "Forename": "forename", "Middle": "middle_names",
                    "Surname": "surname", "DOB": "date_of_birth", "Sex": "sex", "Address": "address",
                    "Postcode": "postcode", "UPN": "upn", "Offered School DfE": "offered_laestab",
                    "Offered School": "offered_school_name", "Start Date": "start_date", "Status": "offer_status"},
    },
    "border_force": {
        "name": "Border Force arrivals (synthetic extract)", "file": "arrivals.tsv", "delimiter": "\\t",
        "encoding": "utf-8", "date_format": "%d/%m/%Y",
        "columns": {"Case Ref": "source_record_id", "Given Names": "forename", "Family Name": "surname",
                    "Date Of Birth": "date_of_birth", "Sex": "sex", "Intended Address": "address",
                    "Intended Postcode": "postcode", "Arrival Date": "arrival_date", "Nationality": "country_from"},
    },
}


def _row(source: str, r: ExtractRecord, days: SchoolDays) -> list[str]:
    e = r.extra
    if source == "health":
        return [r.record_id, r.nhs_number or "", r.first_name or "", r.middle_name or "", r.last_name or "",
                _d(r.dob, "%d/%m/%Y"), r.sex or "", r.address or "", r.postcode or "", e.get("practice_code", ""),
                _iso_to(e.get("registered_on"), "%d/%m/%Y")]
    if source == "hmrc_child_benefit":
        claimant = f"{e.get('claimant_forename', '')} {e.get('claimant_surname', '')}".strip()
        return [r.record_id, r.first_name or "", r.middle_name or "", r.last_name or "", _d(r.dob, "%d-%m-%Y"),
                {"M": "Male", "F": "Female"}.get(r.sex or "", ""), r.address or "", r.postcode or "", claimant,
                _iso_to(e.get("claim_start"), "%d-%m-%Y")]
    if source == "social_care":
        return [r.record_id, r.first_name or "", r.last_name or "", r.dob.isoformat() if r.dob else "",
                r.sex or "", r.address or "", r.postcode or "", r.upn or "", e.get("involvement", "")]
    if source == "admissions":
        start = ""
        if e.get("offered_laestab"):
            intake = int(str(e.get("round", "0")).split(" ", 1)[0] or 0)
            start = days.autumn_start(intake).isoformat() if intake else ""
        return [r.record_id, r.first_name or "", r.middle_name or "", r.last_name or "",
                r.dob.isoformat() if r.dob else "", r.sex or "", r.address or "", r.postcode or "", r.upn or "",
                e.get("offered_laestab", ""), e.get("offered_school", ""), start, e.get("status", "")]
    return [r.record_id, r.first_name or "", r.last_name or "", _d(r.dob, "%d/%m/%Y"), r.sex or "",
            r.address or "", r.postcode or "", _iso_to(e.get("arrival_date"), "%d/%m/%Y"), e.get("nationality", "")]


def _malformed(source: str, rows: list[list[str]]) -> None:
    """A few rows as partners really send them: an impossible date, a missing id, a row cut short."""
    if len(rows) < 50:
        return
    width = len(rows[0])
    bad_date = list(rows[len(rows) // 3])
    date_index = 5 if source in ("health",) else (4 if source in ("hmrc_child_benefit", "admissions") else 3)
    bad_date[date_index] = "31/02/2015" if source != "admissions" else "2015-02-31"
    bad_date[0] = f"{bad_date[0]}X"
    no_id = list(rows[len(rows) // 2])
    no_id[0] = ""
    rows.insert(len(rows) // 3, bad_date)
    rows.insert(len(rows) // 2, no_id)
    rows.append([f"{rows[-1][0]}Z", *(["="] * (width - 1))][:width])


def write_extract(source: str, records: Iterable[ExtractRecord], path: Path, days: SchoolDays) -> int:
    profile = PROFILES[source]
    rows = [_row(source, r, days) for r in records]
    _malformed(source, rows)
    headings = list(profile["columns"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Children")
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        workbook.save(path)
        return len(rows)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=profile["delimiter"].replace("\\t", "\t"), lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(profile["encoding"], errors="replace"))
    return len(rows)


# --------------------------------------------------------------------------------------------------
# The school feed
# --------------------------------------------------------------------------------------------------


def _write_payload(day_dir: Path, payload: dict[str, Any]) -> int:
    school = payload["school"]
    laestab = f"{school['la_code']}{school['establishment_number']}"
    (day_dir / laestab).mkdir(parents=True, exist_ok=True)
    (day_dir / laestab / "school.json").write_text(json.dumps({"data": school}), encoding="utf-8")
    files = 1
    for endpoint in ("students", "students-leaver", "students-pre-admission", "attendance/session"):
        for number, page in enumerate(payload[endpoint], start=1):
            if not page["data"] and number > 1:
                continue
            path = day_dir / page_name(laestab, endpoint, number)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(page, separators=(",", ":")), encoding="utf-8")
            files += 1
    return files


def write_school_feed(council: Council, *, root: Path, on: dt.date, seed: int, history_days: int) -> dict[str, int]:
    days = SchoolDays(school_year_of(on) - 1, school_year_of(on) + 1)
    feed_days = [d for d in days.days if d < on][-history_days:] if history_days else []
    feed_days.append(on)
    counts = {"school feed days": 0, "school feed files": 0}
    previous: dt.date | None = None
    for day in feed_days:
        day_dir = root / day.isoformat()
        if day_dir.exists():
            shutil.rmtree(day_dir)
        payloads = (iter_school_feed(council, day=day, seed=seed) if previous is None
                    else iter_school_feed_since(council, day=day, since=previous, seed=seed))
        for payload in payloads:
            counts["school feed files"] += _write_payload(day_dir, payload)
        counts["school feed days"] += 1
        previous = day
    return counts


# --------------------------------------------------------------------------------------------------
# Sources and the seed
# --------------------------------------------------------------------------------------------------


def demo_sources_ensure(*, local_authority: LocalAuthority, root: Path) -> list[FeedSource]:
    sources = []
    school_feed, _ = FeedSource.objects.update_or_create(
        local_authority=local_authority, slug="school-feed",
        defaults={"name": "Daily school feed (synthetic Wonde pages)", "kind": FeedSource.Kind.WONDE,
                  "source": "school_feed", "transport": FeedSource.Transport.FOLDER,
                  "folder_path": str(root / "school-feed"), "create_children": True, "in_daily_run": True},
    )
    sources.append(school_feed)
    for source in DEMO_SOURCES:
        profile = PROFILES[source]
        mapping, _ = ColumnMapping.objects.update_or_create(
            local_authority=local_authority, name=profile["name"],
            defaults={"source": source, "columns": profile["columns"], "date_format": profile["date_format"],
                      "encoding": "auto" if profile["encoding"] in ("utf-8", "utf-8-sig") else profile["encoding"],
                      "delimiter": profile["delimiter"]},
        )
        feed, _ = FeedSource.objects.update_or_create(
            local_authority=local_authority, slug=source.replace("_", "-"),
            defaults={"name": profile["name"], "kind": FeedSource.Kind.CSV, "source": source,
                      "transport": FeedSource.Transport.FOLDER, "folder_path": str(root / source), "mapping": mapping,
                      "create_children": source in ("health", "hmrc_child_benefit", "border_force"),
                      "in_daily_run": True},
        )
        sources.append(feed)
    return sources


def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int, council: Council | None = None,
              children: int | None = None, history_days: int | None = None, run: bool = True,
              root: Path | None = None) -> dict[str, int]:
    """Write the demo feed files and configure their sources; with `run`, import them and run detection.

    `history_days` school days of feed before `on` (default: 5, or 2 above 30,000 children: each day is an import
    of the whole register, and the first is a full sync of every pupil).
    """
    root = root or demo_root()
    if council is None:
        # The children seed_demo loaded from the generator (other demo data may have added more since).
        count = children or Child.objects.filter(local_authority=local_authority, names__kind="legal",
                                                 names__source="synthetic").distinct().count()
        council = generate_council(children=count, seed=seed, on=on, la_code=local_authority.code)
    if history_days is None:
        history_days = 5 if len(council.children) <= 30_000 else 2
    counts = write_school_feed(council, root=root / "school-feed", on=on, seed=seed, history_days=history_days)
    days = SchoolDays(school_year_of(on) - 2, school_year_of(on) + 2)
    for source in DEMO_SOURCES:
        records = partner_extract(council, source, seed=seed, on=on)
        folder = root / source / on.isoformat()
        if folder.exists():
            shutil.rmtree(folder)
        counts[f"{source} rows"] = write_extract(source, records, folder / PROFILES[source]["file"], days)
    demo_sources_ensure(local_authority=local_authority, root=root)
    if run:
        from cme.feeds.detection import detection_run
        from cme.feeds.services import feeds_run_all

        actor = Auditor.system("feeds.demo")
        runs = feeds_run_all(actor=actor, local_authority=local_authority, on=on)
        counts["feed runs"] = len(runs)
        counts["detection hits"] = detection_run(actor=actor, local_authority=local_authority, on=on).found
    return counts
