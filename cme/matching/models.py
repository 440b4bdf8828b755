"""Records as received from every source, their links to children, the review queue and merges (issue 7).

- `SourceRecord`: one row about a child from one source, kept as received (`raw`) with a normalised copy beside
  it; `child` is the child it is linked to (DESIGN: SourceRecord, Link).
- `MatchCandidate`: a pair the engine could not decide (probability between the LA's two thresholds), waiting
  in the review queue: a source record against a child, or two child records that may be one child.
- `LinkDecision`: a person's answer for a pair ("same child" / "not the same child"), remembered so that a
  rejected pair is never proposed or linked again (DESIGN: LinkDecision).
- `MergeRecord`: two child records merged into one, with exactly what moved, so the merge can be undone.

Writes happen only in `matching.services`; reads start from the user's scope (`for_user`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from cme.accounts.policy import scope_for
from cme.children.models import Child, hide_restricted
from cme.core.models import LocalAuthority, TimeStampedModel

if TYPE_CHECKING:
    from cme.accounts.models import User

#: Display names of the sources we know of (a source is a slug; new ones need no migration).
SOURCE_LABELS: dict[str, str] = {
    "school_feed": "School roll (daily feed)",
    "health": "Health",
    "hmrc_child_benefit": "HMRC Child Benefit",
    "social_care": "Children's social care",
    "admissions": "Admissions",
    "dwp": "DWP",
    "border_force": "Border Force",
    "ehe_notification": "EHE notification",
    "ctf": "Common transfer file",
    "children": "Child records (possible duplicates)",
}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source.replace("_", " ").capitalize())


class LocalAuthorityScopedQuerySet(models.QuerySet[Any]):
    def for_user(self, user: User) -> Self:
        """LA casework roles reach their LA's records; nobody else reaches them at all (accounts.policy)."""
        scope = scope_for(user)
        if scope.kind != "la":
            return self.none()
        # Art 18 (DP-6): rows about a restricted child (any foreign key to Child: child, other_child, kept...).
        paths = [f.attname for f in self.model._meta.concrete_fields if f.is_relation and f.related_model is Child]
        return hide_restricted(self.filter(local_authority_id=scope.local_authority_id), scope, *paths)


class SourceRecordQuerySet(LocalAuthorityScopedQuerySet):
    def needing_link(self) -> SourceRecordQuerySet:
        return self.filter(child__isnull=True, link_status__in=[SourceRecord.LinkStatus.UNLINKED,
                                                                 SourceRecord.LinkStatus.REVIEW])


class SourceRecord(TimeStampedModel):
    """One row about a child from one source (school feed, health, HMRC, ...), as received and normalised."""

    class LinkStatus(models.TextChoices):
        UNLINKED = "unlinked", "Not linked"
        LINKED = "linked", "Linked to a child"
        REVIEW = "review", "Waiting for review"
        NEW_CHILD = "new_child", "New child record created"

    class LinkMethod(models.TextChoices):
        NONE = "", "Not linked"
        UPN = "upn", "Same UPN"
        NHS_NUMBER = "nhs_number", "Same NHS number"
        PROBABILISTIC = "probabilistic", "Matched on names, date of birth and address"
        REVIEWED = "reviewed", "Confirmed by an officer"
        NEW_CHILD = "new_child", "No match: new child record"
        MERGE = "merge", "Moved by a merge of two child records"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="source_records")
    source = models.SlugField(max_length=40, help_text="Where the row came from, e.g. school_feed, health.")
    source_record_id = models.CharField(max_length=100, help_text="The source's own id for the row.")
    first_seen_run_id = models.BigIntegerField(null=True, blank=True, help_text="feeds.FeedRun id (no FK).")
    last_seen_run_id = models.BigIntegerField(null=True, blank=True, help_text="feeds.FeedRun id (no FK).")
    raw = models.JSONField(default=dict, blank=True, help_text="The fields as received.")
    # Normalised copy (matching.services.normalise_record).
    forename = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=150, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=300, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    row_hash = models.CharField(max_length=64, help_text="sha256 of the normalised fields.")
    # The link.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="source_records")
    link_status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNLINKED)
    link_probability = models.FloatField(null=True, blank=True)
    link_method = models.CharField(max_length=15, choices=LinkMethod.choices, blank=True, default="")
    linked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[SourceRecordQuerySet] = SourceRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["source", "source_record_id"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "source", "source_record_id"],
                                    name="unique_source_record"),
        ]
        indexes = [
            models.Index(fields=["local_authority", "link_status"]),
            models.Index(fields=["local_authority", "source", "last_seen_run_id"]),
            models.Index(fields=["child", "source"]),
            models.Index(fields=["local_authority", "upn"]),
            models.Index(fields=["local_authority", "nhs_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_record_id}"

    @property
    def source_label(self) -> str:
        return source_label(self.source)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.forename, self.middle_names, self.surname) if p) or "Name not known"


class MatchCandidateQuerySet(LocalAuthorityScopedQuerySet):
    def open(self) -> MatchCandidateQuerySet:
        return self.filter(status=MatchCandidate.Status.OPEN)


class MatchCandidate(TimeStampedModel):
    """A pair waiting for a person: a source record against a child, or two child records (possible duplicate)."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        ACCEPTED = "accepted", "Same child"
        REJECTED = "rejected", "Not the same child"
        SUPERSEDED = "superseded", "Settled by another decision"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="match_candidates")
    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="candidates")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="match_candidates")
    other_child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                    help_text="For a possible duplicate: the second child record.")
    source = models.SlugField(max_length=40, help_text="The record's source, or 'children' for a duplicate.")
    probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(default=dict, blank=True,
                                   help_text="explain_pair: each comparison's level and match weight.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[MatchCandidateQuerySet] = MatchCandidateQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "-probability"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source_record__isnull=False) & Q(other_child__isnull=True))
                | (Q(source_record__isnull=True) & Q(other_child__isnull=False)),
                name="candidate_is_record_or_child_pair",
            ),
            models.CheckConstraint(condition=~Q(child=models.F("other_child")), name="candidate_not_self"),
            models.UniqueConstraint(fields=["source_record", "child"], condition=Q(source_record__isnull=False),
                                    name="unique_record_candidate"),
            models.UniqueConstraint(fields=["child", "other_child"], condition=Q(other_child__isnull=False),
                                    name="unique_child_pair_candidate"),
        ]
        indexes = [
            models.Index(fields=["local_authority", "status", "created_at"]),
            models.Index(fields=["local_authority", "status", "-probability"]),
            models.Index(fields=["local_authority", "status", "source"]),
            models.Index(fields=["source_record", "status"]),
            models.Index(fields=["child", "status"]),
            models.Index(fields=["other_child", "status"]),
        ]

    def __str__(self) -> str:
        other = f"record {self.source_record_id}" if self.source_record_id else f"child {self.other_child_id}"
        return f"{other} ~ child {self.child_id} ({self.probability:.2f})"

    @property
    def is_child_pair(self) -> bool:
        return self.other_child_id is not None

    @property
    def source_label(self) -> str:
        return source_label(self.source)


class LinkDecision(models.Model):
    """A person's answer for one pair, kept for good: a rejected pair is never proposed or linked again."""

    class Decision(models.TextChoices):
        SAME = "same", "Same child"
        DIFFERENT = "different", "Not the same child"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="link_decisions")
    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="decisions")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="link_decisions")
    other_child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    probability = models.FloatField(null=True, blank=True, help_text="The engine's probability when decided.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_by_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField()

    objects: ClassVar[LocalAuthorityScopedQuerySet] = LocalAuthorityScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source_record__isnull=False) & Q(other_child__isnull=True))
                | (Q(source_record__isnull=True) & Q(other_child__isnull=False)),
                name="decision_is_record_or_child_pair",
            ),
            models.UniqueConstraint(fields=["source_record", "child"], condition=Q(source_record__isnull=False),
                                    name="unique_record_decision"),
            models.UniqueConstraint(fields=["child", "other_child"], condition=Q(other_child__isnull=False),
                                    name="unique_child_pair_decision"),
        ]
        indexes = [
            models.Index(fields=["local_authority", "decision"]),
            models.Index(fields=["other_child", "decision"]),
        ]

    def __str__(self) -> str:
        other = f"record {self.source_record_id}" if self.source_record_id else f"child {self.other_child_id}"
        return f"{other} / child {self.child_id}: {self.get_decision_display()}"


class MergeRecord(models.Model):
    """Two child records merged into one: who, why, and exactly which rows moved (so it can be undone)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="merges")
    kept = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_merged")
    reason = models.TextField()
    moved = models.JSONField(default=dict, help_text="Row ids per model that moved to the kept record.")
    created = models.JSONField(default=dict, help_text="Row ids per model that the merge created.")
    kept_before = models.JSONField(default=dict, help_text="Fields of the kept record the merge filled in.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    merged_by_label = models.CharField(max_length=200)
    merged_at = models.DateTimeField()
    unmerged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    unmerged_by_label = models.CharField(max_length=200, blank=True)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)

    objects: ClassVar[LocalAuthorityScopedQuerySet] = LocalAuthorityScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [
            models.Index(fields=["local_authority", "-merged_at"]),
            models.Index(fields=["kept", "unmerged_at"]),
            models.Index(fields=["merged", "unmerged_at"]),
        ]

    def __str__(self) -> str:
        return f"child {self.merged_id} merged into {self.kept_id}"

    @property
    def is_undone(self) -> bool:
        return self.unmerged_at is not None
