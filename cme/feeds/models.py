"""Data feeds and detection: where data comes from, each import run, and what the detection rules found.

DESIGN words: a **FeedSource** is one configured source (the school feed, a partner extract, CTF files);
a **FeedRun** is one import of it, with the raw **FeedFile**s it received (checksums; raw bytes kept under
MEDIA_ROOT/feeds, content-addressed) and every **RejectedRow** with its reasons. People-level rows become
`matching.SourceRecord`s (through matching.services); school-roll facts update `children.Enrolment` and
**AttendanceSession**. **DetectionRule**s turn the data into **DetectionHit**s, which the notifications app
converts into concerns in the triage queue (feeds may not import notifications: layer 5 below layer 6).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from cme.children.models import Child, School
from cme.core.models import LocalAuthority, TimeStampedModel


class ColumnMapping(TimeStampedModel):
    """A saved column-mapping profile for a partner's CSV/Excel extract: their column -> our field."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=40, help_text="Which source module reads it, e.g. health.")
    columns = models.JSONField(default=dict, help_text="Their column heading -> our field name.")
    date_format = models.CharField(
        max_length=40, blank=True, help_text="strptime format of their dates, e.g. %d/%m/%Y (blank: ISO or UK)."
    )
    encoding = models.CharField(max_length=20, default="auto",
                                help_text="auto (UTF-8, else Windows-1252 with a warning), utf-8 or cp1252.")
    delimiter = models.CharField(max_length=2, blank=True, help_text="Blank: detect , ; or tab.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"], name="unique_mapping_name")]

    def __str__(self) -> str:
        return self.name


class FeedSource(TimeStampedModel):
    class Kind(models.TextChoices):
        WONDE = "wonde_school_feed", "Daily school feed (Wonde)"
        CSV = "csv_extract", "Partner extract (CSV or Excel)"
        CTF = "ctf", "Common transfer files"

    class Transport(models.TextChoices):
        FOLDER = "folder", "Files in a folder"
        HTTP = "http", "HTTP endpoint with a token"
        UPLOAD = "upload", "Uploaded in the browser"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="feed_sources")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    source = models.CharField(max_length=40, help_text="Source module and SourceRecord source, e.g. health.")
    transport = models.CharField(max_length=10, choices=Transport.choices, default=Transport.FOLDER)
    folder_path = models.CharField(max_length=500, blank=True)
    base_url = models.URLField(blank=True)
    token_env_var = models.CharField(
        max_length=80, blank=True,
        help_text="NAME of the environment variable that holds the token (the token is never stored here).",
    )
    school_ids = models.JSONField(default=list, blank=True, help_text="Wonde school ids to fetch (HTTP).")
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="sources")
    create_children = models.BooleanField(
        default=False, help_text="Create a child record for people not matched to one (children living here).",
    )
    in_daily_run = models.BooleanField(default=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "slug"], name="unique_feed_source_slug")]

    def __str__(self) -> str:
        return self.name


class DailyRun(models.Model):
    """One orchestrated run of every configured feed, then linkage and detection (run_feeds / the daily task)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="daily_runs")
    on = models.DateField(help_text="The day the data describes.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    triggered_by = models.CharField(max_length=200)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["local_authority", "-started_at"])]

    def __str__(self) -> str:
        return f"Daily run {self.on} ({self.get_status_display()})"


class FeedLock(models.Model):
    """A named lock row taken with a conditional UPDATE (works on SQLite and PostgreSQL): one run at a time."""

    name = models.CharField(max_length=60, unique=True)
    holder = models.CharField(max_length=120, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or 'free'}"


class FeedRunQuerySet(models.QuerySet["FeedRun"]):
    def for_local_authority(self, local_authority_id: int) -> FeedRunQuerySet:
        return self.filter(source__local_authority_id=local_authority_id)


class FeedRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        FAILED = "failed", "Failed: nothing imported"

    source = models.ForeignKey(FeedSource, on_delete=models.PROTECT, related_name="runs")
    daily_run = models.ForeignKey(DailyRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs")
    on = models.DateField(help_text="The day the data describes.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    triggered_by = models.CharField(max_length=200)
    received = models.PositiveIntegerField(default=0, help_text="Rows received.")
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0, help_text="Records and facts we did not hold before.")
    changed = models.PositiveIntegerField(default=0)
    skipped_files = models.PositiveIntegerField(default=0, help_text="Files already imported (same checksum).")
    details = models.JSONField(default=dict, blank=True, help_text="Linkage and roll counts, warnings.")
    error = models.TextField(blank=True)

    objects = FeedRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["source", "-started_at"]),
            models.Index(fields=["status", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class FeedFile(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IMPORTED = "imported", "Imported"
        SKIPPED = "skipped", "Already imported (same checksum)"
        FAILED = "failed", "Not imported"

    run = models.ForeignKey(FeedRun, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    storage_path = models.CharField(max_length=300, help_text="Raw bytes, under MEDIA_ROOT (content-addressed).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    rows = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["sha256", "status"]), models.Index(fields=["run", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class RejectedRow(models.Model):
    run = models.ForeignKey(FeedRun, on_delete=models.CASCADE, related_name="rejected_rows")
    file = models.ForeignKey(FeedFile, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField(help_text="Line or item number in the file (header = 1 for CSV).")
    raw = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["file_id", "row_number"]
        indexes = [models.Index(fields=["run", "file", "row_number"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {'; '.join(self.reasons)}"


class AttendanceSession(models.Model):
    """One register mark (formats.md §4): a child at a school on a date, AM or PM."""

    class Session(models.TextChoices):
        AM = "AM", "Morning"
        PM = "PM", "Afternoon"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance_sessions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="attendance_sessions")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=3)

    class Meta:
        ordering = ["date", "session"]
        indexes = [models.Index(fields=["date", "code"]), models.Index(fields=["child", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["child", "school", "date", "session"], name="unique_attendance_session")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.date} {self.session} {self.code}"


class PlaceAllocation(models.Model):
    """A school place allocated to a child: an admissions offer, or a pre-admission on a school's feed (R3.2).

    Keyed on the SourceRecord it came from (`source`, `source_record_id`); the child is that record's link.
    """

    class Kind(models.TextChoices):
        OFFER = "offer", "Admissions offer"
        PRE_ADMISSION = "pre_admission", "Pre-admission on the school's roll feed"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="place_allocations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=40)
    source_record_id = models.CharField(max_length=100)
    laestab = models.CharField("LAESTAB", max_length=7)
    start = models.DateField(help_text="The day the place starts.")
    last_seen_run_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["local_authority", "start"])]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "source", "source_record_id"],
                                    name="unique_place_allocation")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.laestab} from {self.start}"


class DetectionRule(TimeStampedModel):
    """A named detection rule's settings for one LA (defaults and documentation in cme.feeds.rules)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="detection_rules")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "code"], name="unique_rule_code")]

    def __str__(self) -> str:
        return self.name

    def parameter(self, name: str, default: Any) -> Any:
        return self.parameters.get(name, default)


class DetectionHit(models.Model):
    """A rule found something about a child. Open while the rule still finds it; one per dedupe key while open.

    `converted_notification_id` is the id of the notification (triage queue) it became or was attached to
    (a plain integer: feeds may not import notifications).
    """

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="detection_hits")
    rule = models.ForeignKey(DetectionRule, on_delete=models.PROTECT, related_name="hits")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="detection_hits")
    route = models.CharField(max_length=30, help_text="Where it should go: cme, ehe_team, attendance_matter.")
    evidence = models.JSONField(default=dict)
    daily_run = models.ForeignKey(DailyRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="hits")
    first_found = models.DateField()
    last_found = models.DateField()
    cleared_on = models.DateField(null=True, blank=True, help_text="The rule stopped finding it on this day.")
    dedupe_key = models.CharField(max_length=120)
    converted_notification_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-first_found", "id"]
        indexes = [
            models.Index(fields=["local_authority", "cleared_on", "converted_notification_id"]),
            models.Index(fields=["child", "cleared_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "dedupe_key"], condition=Q(cleared_on__isnull=True),
                                    name="one_open_hit_per_dedupe_key"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.child_id} from {self.first_found}"
