"""Writes for record linkage (issue 7): source records in, links to children, review decisions.
(Merging two child records is in `matching.merging`.)

Contract with the feeds app (engineer F): feeds never write `SourceRecord` rows directly, only through
`source_records_upsert` and `source_records_link` (or `source_records_import`, the two in one pass). Every write
here is audited (`audit.services.Auditor`).

Linking one batch (`source_records_link`):
1. a person's earlier "same child" answer for a record links it again;
2. deterministic: a valid UPN or NHS number that identifies exactly one live child links the record;
3. the Splink engine (`cme.matching.linkage`, called once for the whole batch) scores the rest against the
   LA's children: probability >= `linkage_upper_threshold` links it, between the thresholds queues a
   `MatchCandidate` for review, below `linkage_lower_threshold` makes a new child (``create_children``) or
   leaves the record unlinked.
A pair a person rejected ("not the same child") is never linked or proposed again, whatever the engine says.

Why: the LA must establish, so far as possible, the identities of children missing education (R2.2); a child
is only "on no roll" once every source's record of them is tied to the one child (DESIGN: Link). UPNs are
checked as in formats.md §2, postcodes as in §5 (`cme.law`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.db.models import DateTimeField, Field, Max, Model, QuerySet
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import (
    Child,
    ChildAddress,
    ChildName,
)
from cme.children.services import NewChild, address_add, children_create_many, name_add
from cme.core import names
from cme.core.bulk import bulk_insert, value_converter
from cme.law import nhs_number as nhs_numbers
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.matching import frames
from cme.matching.models import LinkDecision, MatchCandidate, SourceRecord

if TYPE_CHECKING:
    from cme.accounts.models import User
    from cme.core.models import LocalAuthority

logger = logging.getLogger(__name__)

#: At most this many children are proposed for one record in the review queue (best first).
MAX_CANDIDATES_PER_RECORD = 5
#: The source slug of child-against-child candidates (possible duplicate child records).
CHILDREN_SOURCE = "children"
_IN_CHUNK = 900  # ids per `pk__in` (SQLite's bound-parameter limit on older builds is 999)
#: Above this many live children, linking reads them into the engine window by window (`_children_for_linking`).
STREAM_CHILDREN_ABOVE = 20_000
_LINK_BATCH = 10_000  # records written per batch by `source_records_link_identified` (bounded memory)
_INSERT_BATCH = 5_000  # new source records inserted per batch by `_upsert`

# ------------------------------------------------------------------------------------------------ errors


class LinkageError(Exception):
    """A review decision or merge that cannot be made (the message is for the person who tried)."""


# --------------------------------------------------------------------------------------- the contract


@dataclass(frozen=True, slots=True)
class RecordIn:
    source: str
    source_record_id: str
    forename: str = ""
    middle_names: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""  # "M"/"F"/"U"/""
    postcode: str = ""
    address: str = ""
    upn: str = ""
    nhs_number: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    #: True when the sender already checked ``upn`` and ``nhs_number`` (a feed's parser, ``PersonRow.checked``):
    #: each is then either "" or a valid number in normal form, and ``normalise_record`` does not check it again.
    identifiers_checked: bool = False


@dataclass
class UpsertResult:
    created: int
    changed: int
    unchanged: int
    records: list[SourceRecord]  # the created and changed ones (what needs linking)


@dataclass
class LinkResult:
    auto_linked: int
    queued_for_review: int
    new_children: int
    unlinked: int


# ---------------------------------------------------------------------------------------- normalising

NORMALISED_FIELDS = (
    "forename", "middle_names", "surname", "date_of_birth", "sex", "postcode", "address", "upn", "nhs_number",
)
_SPACES = re.compile(r"\s+")
_SEXES = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "U", "unknown": "U", "not known": "U"}


def _name(value: str, limit: int) -> str:
    """Trimmed, single-spaced; an all-capitals or all-lower-case name is put in title case."""
    text = _SPACES.sub(" ", str(value or "")).strip()
    if text and (text.isupper() or text.islower()):
        text = text.title()
    return text[:limit]


def _postcode(value: str) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    # A full postcode in standard form; otherwise what was given (a district such as "OX4" still helps).
    return postcodes.normalise(text) or _SPACES.sub(" ", text.upper())[:8]


def _upn(value: str) -> str:
    text = upns.normalise(str(value or "")).replace(" ", "")
    return text if text and upns.is_valid(text) else ""


def _nhs_number(value: str) -> str:
    text = nhs_numbers.normalise(str(value or ""))
    return text if text and nhs_numbers.is_valid(text) else ""


def normalise_record(record: RecordIn) -> dict[str, Any]:
    """The normalised copy kept beside the raw row. UPNs and NHS numbers that fail their checks are dropped
    (kept in ``raw``), so a typo or a placeholder can never link two children. A record whose sender checked
    them already (``identifiers_checked``) keeps them as given: each UPN is checked once per import."""
    return {
        "forename": _name(record.forename, 100),
        "middle_names": _name(record.middle_names, 150),
        "surname": _name(record.surname, 100),
        "date_of_birth": record.date_of_birth,
        "sex": _SEXES.get(str(record.sex or "").strip().lower(), ""),
        "postcode": _postcode(record.postcode),
        "address": _SPACES.sub(" ", str(record.address or "")).strip()[:300],
        "upn": record.upn if record.identifiers_checked else _upn(record.upn),
        "nhs_number": record.nhs_number if record.identifiers_checked else _nhs_number(record.nhs_number),
    }


def row_hash(values: dict[str, Any]) -> str:
    """sha256 of the normalised fields: the same row twice has the same hash (idempotent imports)."""
    parts = []
    for name in NORMALISED_FIELDS:
        value = values.get(name)
        parts.append(value.isoformat() if isinstance(value, dt.date) else str(value or ""))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> int:
    """Write these fields of these rows, one prepared UPDATE executed many times.

    Django's bulk_update builds a CASE per field, capped at 999 parameters a statement on SQLite; for tens of
    thousands of rows that is the slowest part of linking. ``executemany`` is several times faster everywhere.
    """
    if not objects:
        return 0
    columns = [cast("Field[Any, Any]", model._meta.get_field(name)) for name in fields]
    prepared: list[dict[Any, Any]] = [{} for _ in columns]  # most values repeat (a status, "now"): prepare once

    def prepare(index: int, value: Any) -> Any:
        try:
            return prepared[index][value]
        except KeyError:
            result = prepared[index][value] = columns[index].get_db_prep_save(value, connection)
            return result
        except TypeError:  # unhashable (JSON)
            return columns[index].get_db_prep_save(value, connection)

    params = [[prepare(i, getattr(obj, c.attname)) for i, c in enumerate(columns)] + [obj.pk] for obj in objects]
    return update_values(model, fields, params)


def update_values(model: type[Model], fields: Sequence[str], params: Sequence[Sequence[Any]]) -> int:
    """One prepared ``UPDATE model SET fields... WHERE pk = %s`` executed for each row of ``params`` (values
    already in database form, in the order of ``fields``, then the primary key): no model instances."""
    if not params:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    assignments = ", ".join(f"{quote(str(c.column))} = %s" for c in columns)
    pk_column = str(meta.pk.column) if meta.pk is not None else "id"
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(pk_column)} = %s"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def insert_rows(model: type[Model], objects: Sequence[Model]) -> int:
    """Insert new rows with one prepared INSERT executed many times. Values are converted per field type once
    (``value_converter``) instead of through ``get_db_prep_save`` per value, which was the slowest part of a
    large import. auto_now/auto_now_add fields get one "now". The caller reads the new primary keys back."""
    if not objects:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608  # nosec B608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    now = timezone.now()
    stamped = [f.attname for f in fields
               if isinstance(f, DateTimeField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))]
    attnames = [f.attname for f in fields]
    converters = [value_converter(f, connection.vendor, connection.ops) for f in fields]
    params = []
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
        values = obj.__dict__
        params.append([value if convert is None or value is None else convert(value)
                       for value, convert in zip((values[a] for a in attnames), converters, strict=True)])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


# -------------------------------------------------------------------------------------------- upsert

#: The columns a new record is inserted with: the link fields too, so a record linked at insert is written once.
_INSERTED = ("local_authority", "source", "source_record_id", "raw", "first_seen_run_id", "last_seen_run_id",
             *NORMALISED_FIELDS, "row_hash", "child", "link_status", "link_probability", "link_method", "linked_at")


@dataclass
class _Upserted:
    result: UpsertResult
    linked_at_insert: int = 0
    index: frames.ChildrenIndex | None = None
    sources: set[str] = field(default_factory=set)


def _upsert(*, actor: Auditor, local_authority: LocalAuthority, run_id: int | None, records: Sequence[RecordIn],
            link: bool, read_back: bool = True, index: frames.ChildrenIndex | None = None,
            audit: bool = True, later_part: bool = False) -> _Upserted:
    """Store rows as received with a normalised copy (see `source_records_upsert`). New rows are inserted as tuples
    (no model instances). With ``link``, a new record whose valid UPN or NHS number identifies exactly one live
    child (linking step 2) is inserted already linked: a new record has no id yet, so no person's decision can be
    about it, and the engine is not needed. ``result.records`` are the created (unless ``read_back`` is False) and
    changed records that still need linking, as model instances.

    For a later part of the same run (``later_part``, `RecordsImport`), a record an earlier part already stored
    (``last_seen_run_id`` is this run) is updated if it differs (the last row for an id wins, as within a part)
    but not counted again. ``index``: the children's identifiers an earlier part read (reused, not read again)."""
    incoming: dict[tuple[str, str], RecordIn] = {}
    for record in records:
        incoming[(record.source, str(record.source_record_id))] = record  # the last row for an id wins
    if not incoming:
        return _Upserted(UpsertResult(0, 0, 0, []))
    existing_rows = SourceRecord.objects.filter(local_authority=local_authority,
                                                source__in={s for s, _ in incoming})
    if len(incoming) <= _IN_CHUNK:
        existing_rows = existing_rows.filter(source_record_id__in=[i for _, i in incoming])
    existing = {
        (source, record_id): (pk, digest, last_seen)
        for pk, source, record_id, digest, last_seen in existing_rows.values_list(
            "pk", "source", "source_record_id", "row_hash", "last_seen_run_id")
    }
    now = timezone.now()
    upserted = _Upserted(UpsertResult(0, 0, 0, []), index=index)
    repeated_pks: set[int] = set()  # stored by an earlier part of this run: counted there
    # New rows are inserted _INSERT_BATCH at a time as they are made (not all held first: a 100,000-row extract).
    last_pk: int | None = None  # the largest id before the first row to read back was inserted
    rows: list[tuple[Any, ...]] = []
    inserted = 0
    unlinked: set[tuple[str, str]] = set()  # created and not linked at insert
    changed_values: dict[int, tuple[dict[str, Any], str, dict[str, Any]]] = {}
    to_stamp: list[int] = []
    for key, record in incoming.items():
        values = normalise_record(record)
        digest = row_hash(values)
        found = existing.get(key)
        if found is None:
            identified = None
            if link and (values["upn"] or values["nhs_number"]):
                if upserted.index is None:
                    upserted.index = frames.children_identifiers(local_authority)
                identified = _identified_child(upserted.index, values["upn"], values["nhs_number"])
            if identified is None:
                if read_back and last_pk is None:
                    last_pk = SourceRecord.objects.aggregate(last=Max("pk"))["last"] or 0
                unlinked.add(key)
                linked: tuple[Any, ...] = (None, SourceRecord.LinkStatus.UNLINKED, None, "", None)
            else:
                upserted.linked_at_insert += 1
                linked = (identified[0], SourceRecord.LinkStatus.LINKED, 1.0, identified[1], now)
            rows.append((local_authority.pk, record.source, key[1], record.raw, run_id, run_id,
                         *[values[name] for name in NORMALISED_FIELDS], digest, *linked))
            if len(rows) >= _INSERT_BATCH:
                inserted += bulk_insert(SourceRecord, _INSERTED, rows)
                rows = []
        else:
            if later_part and run_id is not None and found[2] == run_id:
                repeated_pks.add(found[0])
            if found[1] != digest:
                changed_values[found[0]] = (values, digest, record.raw)
            elif run_id is not None and found[2] != run_id:
                to_stamp.append(found[0])
    inserted += bulk_insert(SourceRecord, _INSERTED, rows)
    created: list[SourceRecord] = []
    if unlinked and last_pk is not None:  # ids come after every committed one: one query, whatever the rows
        created = [row for row in SourceRecord.objects.filter(
            local_authority=local_authority, source__in={s for s, _ in unlinked}, pk__gt=last_pk).order_by("pk")
            if (row.source, row.source_record_id) in unlinked]
    changed: list[SourceRecord] = []
    for ids in chunks(list(changed_values)):
        for row in SourceRecord.objects.filter(pk__in=ids):
            values, digest, raw = changed_values[row.pk]
            for name, value in values.items():
                setattr(row, name, value)
            row.row_hash, row.raw, row.updated_at = digest, raw, now
            if run_id is not None:
                row.last_seen_run_id = run_id
            changed.append(row)
    update_rows(SourceRecord, changed, [*NORMALISED_FIELDS, "row_hash", "raw", "updated_at", "last_seen_run_id"])
    for ids in chunks(to_stamp):
        SourceRecord.objects.filter(pk__in=ids).update(last_seen_run_id=run_id)
    repeated_changed = sum(1 for row in changed if row.pk in repeated_pks) if repeated_pks else 0
    upserted.result = UpsertResult(created=inserted, changed=len(changed) - repeated_changed,
                                   unchanged=len(incoming) - inserted - len(changed)
                                   - (len(repeated_pks) - repeated_changed),
                                   records=[*created, *changed])
    upserted.sources = {s for s, _ in incoming}
    if audit:
        _upsert_audit(actor=actor, local_authority=local_authority, run_id=run_id, sources=upserted.sources,
                      result=upserted.result)
    return upserted


def _upsert_audit(*, actor: Auditor, local_authority: LocalAuthority, run_id: int | None, sources: set[str],
                  result: UpsertResult) -> None:
    actor.record(
        AuditEvent.Action.CREATE if result.created else AuditEvent.Action.UPDATE,
        object_type="matching.sourcerecord", local_authority_id=local_authority.pk,
        summary=f"{', '.join(sorted(sources))}: {result.created} new, {result.changed} changed, "
                f"{result.unchanged} unchanged records",
        changes={"run_id": run_id, "created": result.created, "changed": result.changed},
    )


@transaction.atomic
def source_records_upsert(*, actor: Auditor, local_authority: LocalAuthority, run_id: int | None,
                          records: Sequence[RecordIn]) -> UpsertResult:
    """Store rows as received with a normalised copy; unchanged rows (same ``row_hash``) are not rewritten.

    Idempotent: the same file twice gives 0 created and 0 changed (the second run only stamps
    ``last_seen_run_id`` on the rows it saw, so a feed can tell which rows stopped arriving).
    """
    return _upsert(actor=actor, local_authority=local_authority, run_id=run_id, records=records, link=False).result


@transaction.atomic
def source_records_import(*, actor: Auditor, local_authority: LocalAuthority, run_id: int | None,
                          records: Sequence[RecordIn], link: bool = True,
                          create_children: bool = False) -> tuple[UpsertResult, LinkResult]:
    """A feed run's people-level rows: `source_records_upsert`, then (``link``) `source_records_link` for what it
    created or changed, with the same outcome as calling the two in turn but faster for a large first load: a new
    record that a UPN or NHS number ties to one live child is written linked at insert (not inserted, read back
    and updated), reading only the children's identifiers; the engine's frame of the LA's children is built only
    if some record needs the engine. ``UpsertResult.records`` are the changed records and the created ones not
    linked at insert (without ``link``, the changed ones only)."""
    importer = RecordsImport(actor=actor, local_authority=local_authority, run_id=run_id, link=link,
                             create_children=create_children)
    importer.add(records)
    return importer.finish()


class RecordsImport:
    """`source_records_import` fed in parts, so a large run need not hold all its rows at once (the school feed's
    first load: 100,000 pupils parsed page by page): each `add` stores its part (and links at insert what a
    UPN or NHS number identifies); `finish` writes one audit event for the whole and links the rest in one engine
    pass, as one call with every row would. A record in two parts is stored once, the last row winning (as
    within a part), and counted in the first part that had it. Inside the caller's transaction."""

    def __init__(self, *, actor: Auditor, local_authority: LocalAuthority, run_id: int | None, link: bool = True,
                 create_children: bool = False) -> None:
        self.actor, self.local_authority, self.run_id = actor, local_authority, run_id
        self.link, self.create_children = link, create_children
        self.result = UpsertResult(0, 0, 0, [])
        self.linked_at_insert = 0
        self.sources: set[str] = set()
        self._index: frames.ChildrenIndex | None = None
        self._parts = 0

    def add(self, records: Sequence[RecordIn]) -> None:
        if not records:
            return
        part = _upsert(actor=self.actor, local_authority=self.local_authority, run_id=self.run_id, records=records,
                       link=self.link, read_back=self.link, index=self._index, audit=False,
                       later_part=self._parts > 0)
        self._parts += 1
        self._index = part.index
        self.linked_at_insert += part.linked_at_insert
        self.sources |= part.sources
        done = self.result
        known = {r.pk for r in done.records}
        self.result = UpsertResult(done.created + part.result.created, done.changed + part.result.changed,
                                   done.unchanged + part.result.unchanged,
                                   [*done.records, *(r for r in part.result.records if r.pk not in known)])
        if self._parts > 1:  # a record changed again by a later part: its latest values are the ones read
            latest = {r.pk: r for r in part.result.records}
            self.result.records = [latest.get(r.pk, r) for r in self.result.records]

    def finish(self) -> tuple[UpsertResult, LinkResult]:
        upsert = self.result
        if self.sources:
            _upsert_audit(actor=self.actor, local_authority=self.local_authority, run_id=self.run_id,
                          sources=self.sources, result=upsert)
        pending = [r for r in upsert.records if r.child_id is None] if self.link else []
        if not (pending or self.linked_at_insert):  # as `source_records_link` with nothing to link: no event
            return upsert, LinkResult(0, 0, 0, 0)
        result, queued = LinkResult(0, 0, 0, 0), 0
        if pending:
            result, queued = _link(actor=self.actor, local_authority=self.local_authority, records=pending,
                                   create_children=self.create_children,
                                   index=_children_for_linking(self.local_authority, pending))
        result = LinkResult(result.auto_linked + self.linked_at_insert, result.queued_for_review,
                            result.new_children, result.unlinked)
        _link_audit(actor=self.actor, local_authority=self.local_authority, result=result, queued=queued)
        return upsert, result


# ---------------------------------------------------------------------------------------------- linking


def _merged_into_map(local_authority: LocalAuthority) -> dict[int, int]:
    """Merged child -> the live child it now lives in (following chains of merges)."""
    parent = dict(Child.objects.filter(local_authority=local_authority, merged_into__isnull=False)
                  .values_list("pk", "merged_into_id"))
    resolved: dict[int, int] = {}
    for pk in parent:
        seen, node = {pk}, parent[pk]
        while node in parent and node not in seen:
            seen.add(node)
            node = parent[node]
        resolved[pk] = node
    return resolved


@dataclass
class _Decisions:
    rejected: set[tuple[int, int]]  # (source record, live child)
    same: dict[int, int]  # source record -> live child


def _record_decisions(local_authority: LocalAuthority, record_ids: set[int]) -> _Decisions:
    live = _merged_into_map(local_authority)
    rejected: set[tuple[int, int]] = set()
    same: dict[int, int] = {}
    for record_id, child_id, decision in LinkDecision.objects.filter(
        local_authority=local_authority, source_record__isnull=False
    ).values_list("source_record_id", "child_id", "decision"):
        if record_id not in record_ids:
            continue
        child_id = live.get(child_id, child_id)
        if decision == LinkDecision.Decision.DIFFERENT:
            rejected.add((record_id, child_id))
        else:
            same[record_id] = child_id
    return _Decisions(rejected=rejected, same=same)


@dataclass
class _Plan:
    links: dict[int, tuple[int, float | None, str]] = field(default_factory=dict)  # record -> child, p, method
    reviews: dict[int, list[tuple[int, float, float]]] = field(default_factory=dict)  # record -> [(child, p, w)]
    below: list[int] = field(default_factory=list)


def _engine_pairs(left: Any, right: Any, *, threshold: float, dedupe: bool = False) -> Any:
    from cme.matching.linkage.link import link_frames

    if dedupe:
        return link_frames(left, dedupe=True, threshold=threshold, progress=False)
    return link_frames(left, right, threshold=threshold, progress=False)


def _engine_pairs_chunked(left: Any, right_chunks: Iterable[Any], *, threshold: float) -> Any:
    """`_engine_pairs(left, right)` with the right-hand side given as frames, loaded one at a time into an on-disk
    DuckDB database (the same pairs in bounded memory)."""
    from cme.matching.linkage.stream import link_frame_chunks

    return link_frame_chunks([left], right_chunks, threshold=threshold)


def _best_per_child(pairs: Any) -> Any:
    """Engine pairs as (record pk, child pk, probability, weight): a child's best row only (a child may appear
    under several names), best first within each record."""
    import pandas as pd

    if pairs.empty:
        return pd.DataFrame(columns=["record", "child", "probability", "match_weight"])
    frame = pd.DataFrame({
        "record": pairs["left_id"].str.slice(1).astype("int64"),
        "child": pairs["right_id"].str.slice(1).str.split("a", n=1).str[0].astype("int64"),
        "probability": pairs["probability"].astype(float),
        "match_weight": pairs["match_weight"].astype(float),
    })
    frame = frame.sort_values(["record", "probability", "child"], ascending=[True, False, True], kind="stable")
    return frame.drop_duplicates(["record", "child"], keep="first")


def _children_for_linking(local_authority: LocalAuthority, records: Sequence[SourceRecord]) -> frames.ChildrenIndex:
    """The children's index for `_plan_links` on these records: whole (engine rows in memory) for an LA of up to
    `STREAM_CHILDREN_ABOVE` live children; above that only the look-ups of these records' UPNs and NHS numbers,
    and the engine reads the children in windows into an on-disk DuckDB database
    (`linkage.stream.link_frame_chunks`): the same links without every child's row, its standardised copy and
    numbers in memory at once (SECURITY-PLAN PERF-4: a large import's memory)."""
    live = Child.objects.filter(local_authority=local_authority, merged_into__isnull=True).count()
    if live <= STREAM_CHILDREN_ABOVE:
        return frames.children_index(local_authority)
    return frames.children_identifiers(local_authority, upns=[r.upn for r in records],
                                       nhs_numbers=[r.nhs_number for r in records])


def _identified_child(index: frames.ChildrenIndex, upn: str, nhs_number: str) -> tuple[int, str] | None:
    """Linking step 2: (child, method) when a valid UPN or NHS number (current or former) identifies exactly one
    live child. A number shared by two children, or two numbers pointing at different children, identifies none."""
    live = index.live
    by_upn = {c for c in index.by_upn.get(upn, ()) if c in live} if upn else set()
    by_nhs = {c for c in index.by_nhs_number.get(nhs_number, ()) if c in live} if nhs_number else set()
    found = by_upn | by_nhs
    if len(found) != 1:
        return None
    (child_id,) = found
    return child_id, SourceRecord.LinkMethod.UPN if by_upn else SourceRecord.LinkMethod.NHS_NUMBER


def _plan_links(local_authority: LocalAuthority, records: list[SourceRecord], decisions: _Decisions,
                index: frames.ChildrenIndex) -> _Plan:
    plan = _Plan()
    upper = local_authority.linkage_upper_threshold
    lower = local_authority.linkage_lower_threshold
    live_children = index.live
    rest: list[SourceRecord] = []
    for record in records:
        same = decisions.same.get(record.pk)
        if same is not None and same in live_children:
            plan.links[record.pk] = (same, None, SourceRecord.LinkMethod.REVIEWED)
            continue
        identified = _identified_child(index, record.upn, record.nhs_number)
        if identified is not None and (record.pk, identified[0]) not in decisions.rejected:
            plan.links[record.pk] = (identified[0], 1.0, identified[1])
            continue
        rest.append(record)
    if not rest:
        return plan
    scores: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    if index.live:
        if index.rows:
            pairs = _engine_pairs(frames.records_frame(rest), index.frame(), threshold=min(lower, upper))
        else:  # a large LA (`_children_for_linking`): its children are read into the engine window by window
            pairs = _engine_pairs_chunked(frames.records_frame(rest), frames.children_frame_chunks(local_authority),
                                          threshold=min(lower, upper))
        for record_id, child_id, probability, weight in _best_per_child(pairs).itertuples(index=False, name=None):
            if (record_id, child_id) not in decisions.rejected:
                scores[record_id].append((child_id, probability, weight))
    for record in rest:
        ranked = scores.get(record.pk, [])  # best first
        above_upper = [item for item in ranked if item[1] >= upper]
        if len(above_upper) == 1:
            child_id, probability, _ = above_upper[0]
            plan.links[record.pk] = (child_id, probability, SourceRecord.LinkMethod.PROBABILISTIC)
        elif ranked and ranked[0][1] >= lower:
            plan.reviews[record.pk] = [item for item in ranked if item[1] >= lower][:MAX_CANDIDATES_PER_RECORD]
        else:
            plan.below.append(record.pk)
    return plan


def _can_create_child(record: SourceRecord) -> bool:
    return bool(record.forename and record.surname and record.date_of_birth)


def _new_children(*, actor: Auditor, local_authority: LocalAuthority, records: list[SourceRecord]) -> dict[int, int]:
    """A new child for each person among the records nobody matched (records of one person share a child)."""
    candidates = [r for r in records if _can_create_child(r)]
    if not candidates:
        return {}
    groups: dict[str, list[SourceRecord]] = defaultdict(list)
    if len(candidates) > 1:
        from cme.matching.linkage.link import cluster

        pairs = _engine_pairs(frames.records_frame(candidates), None, threshold=local_authority.linkage_upper_threshold,
                              dedupe=True)
        clusters = cluster(pairs, threshold=local_authority.linkage_upper_threshold,
                           ids=[frames.record_key(r.pk) for r in candidates])
    else:
        clusters = {frames.record_key(candidates[0].pk): frames.record_key(candidates[0].pk)}
    for record in candidates:
        groups[clusters[frames.record_key(record.pk)]].append(record)
    firsts = [min(members, key=lambda r: r.pk) for members in groups.values()]
    children = children_create_many(actor=actor, local_authority_id=local_authority.pk, new=[
        NewChild(
            fields={"legal_forename": first.forename, "legal_middle_names": first.middle_names,
                    "legal_surname": first.surname, "date_of_birth": first.date_of_birth,
                    "sex": first.sex or Child.Sex.UNKNOWN, "upn": first.upn, "nhs_number": first.nhs_number,
                    "current_postcode": first.postcode if postcodes.is_valid(first.postcode) else ""},
            source=f"{first.source_label} record", address=_address_parts(first),
        ) for first in firsts
    ])
    made: dict[int, int] = {}
    for members, child in zip(groups.values(), children, strict=True):
        if child is not None:
            made.update((member.pk, child.pk) for member in members)
    return made


def _address_parts(record: SourceRecord) -> tuple[str, str, str, str] | None:
    """A source's address ("line 1, line 2..., town, postcode") as (line1, line2, town, postcode)."""
    if not record.address:
        return None
    parts = [p.strip() for p in record.address.split(",") if p.strip() and p.strip().upper() != record.postcode]
    if not parts:
        return None
    return parts[0], ", ".join(parts[1:-1]), parts[-1] if len(parts) > 1 else "", record.postcode


def _address_add_if_new(*, actor: Auditor, child: Child, record: SourceRecord) -> ChildAddress | None:
    """Keep an address a source gives for a child as address history ("line 1, line 2..., town, postcode")."""
    parts = _address_parts(record)
    if parts is None:
        return None
    line1, line2, town, postcode = parts
    return address_add(actor=actor, child=child, line1=line1, line2=line2, town=town, postcode=postcode,
                       source=f"{record.source_label} record")


def source_records_link(*, actor: Auditor, local_authority: LocalAuthority, records: Sequence[SourceRecord],
                        create_children: bool = False) -> LinkResult:
    """Link each record to a child (see the module docstring). Records already linked are left alone.

    The engine runs once for the whole batch, before the write transaction (so a long batch does not hold the
    database's write lock while it scores); the decisions are read again inside the transaction.
    """
    pending = [r for r in records if r.local_authority_id == local_authority.pk and r.child_id is None]
    if not pending:
        return LinkResult(0, 0, 0, 0)
    result, queued = _link(actor=actor, local_authority=local_authority, records=pending,
                           create_children=create_children, index=_children_for_linking(local_authority, pending))
    _link_audit(actor=actor, local_authority=local_authority, result=result, queued=queued)
    return result


def source_records_link_identified(*, actor: Auditor, local_authority: LocalAuthority,
                                   records: QuerySet[SourceRecord]) -> int:
    """Linking step 2 alone for many records, without model instances: each of these unlinked records whose valid
    UPN or NHS number identifies exactly one live child is linked to it, as `source_records_link` would link it.

    For a large deferred link (a partner extract where almost every record carries an NHS number) this keeps
    tens of thousands of records out of memory; the others go to `source_records_link` afterwards. Records a
    person decided about (step 1 comes first) and records with open review candidates (`source_records_link`
    supersedes those) are left to `source_records_link`. Returns the number linked (audited when above 0).
    """
    decided = set(LinkDecision.objects.filter(local_authority=local_authority, source_record__isnull=False)
                  .values_list("source_record_id", flat=True))
    decided |= set(MatchCandidate.objects.filter(local_authority=local_authority, source_record__isnull=False,
                                                 status=MatchCandidate.Status.OPEN)
                   .values_list("source_record_id", flat=True))
    index: frames.ChildrenIndex | None = None
    found: list[tuple[int, int, str]] = []
    for pk, upn, nhs_number in records.filter(local_authority=local_authority, child__isnull=True).values_list(
            "pk", "upn", "nhs_number"):
        if pk in decided or not (upn or nhs_number):
            continue
        if index is None:
            index = frames.children_identifiers(local_authority)
        identified = _identified_child(index, upn, nhs_number)
        if identified is not None:
            found.append((pk, *identified))
    del index
    now = SourceRecord._meta.get_field("linked_at").get_db_prep_save(timezone.now(), connection)
    status = str(SourceRecord.LinkStatus.LINKED)
    with transaction.atomic():
        for start in range(0, len(found), _LINK_BATCH):
            update_values(SourceRecord, ["child", "link_status", "link_probability", "link_method", "linked_at",
                                         "updated_at"],
                          [(child_id, status, 1.0, str(method), now, now, pk)
                           for pk, child_id, method in found[start:start + _LINK_BATCH]])
        if found:
            _link_audit(actor=actor, local_authority=local_authority, result=LinkResult(len(found), 0, 0, 0),
                        queued=0)
    return len(found)


def _link(*, actor: Auditor, local_authority: LocalAuthority, records: list[SourceRecord], create_children: bool,
          index: frames.ChildrenIndex) -> tuple[LinkResult, int]:
    """Plan (engine outside the write transaction), then apply: (result, candidate pairs queued)."""
    plan = _plan_links(local_authority, records, _record_decisions(local_authority, {r.pk for r in records}), index)
    with transaction.atomic():
        return _apply_plan(actor=actor, local_authority=local_authority, records=records, plan=plan,
                           create_children=create_children)


def _link_audit(*, actor: Auditor, local_authority: LocalAuthority, result: LinkResult, queued: int) -> None:
    actor.record(
        AuditEvent.Action.UPDATE, object_type="matching.sourcerecord", local_authority_id=local_authority.pk,
        summary=f"linkage: {result.auto_linked} linked, {result.queued_for_review} for review "
                f"({queued} pairs), {result.new_children} new children, {result.unlinked} not linked",
        changes={"auto_linked": result.auto_linked, "queued_for_review": result.queued_for_review,
                 "new_children": result.new_children, "unlinked": result.unlinked},
    )


def _apply_plan(*, actor: Auditor, local_authority: LocalAuthority, records: list[SourceRecord], plan: _Plan,
                create_children: bool) -> tuple[LinkResult, int]:
    now = timezone.now()
    by_id = {r.pk: r for r in records}
    rejected = _record_decisions(local_authority, set(by_id)).rejected  # decided while the engine ran
    plan.links = {r: link for r, link in plan.links.items() if (r, link[0]) not in rejected}
    for record_id, items in list(plan.reviews.items()):
        plan.reviews[record_id] = [item for item in items if (record_id, item[0]) not in rejected]
        if not plan.reviews[record_id]:
            del plan.reviews[record_id]
            plan.below.append(record_id)
    new_child_of: dict[int, int] = {}
    if create_children and plan.below:
        new_child_of = _new_children(actor=actor, local_authority=local_authority,
                                     records=[by_id[r] for r in plan.below])

    before = {r.pk: (r.child_id, r.link_status, r.link_probability, r.link_method) for r in records}
    changed: list[SourceRecord] = []
    for record_id, (child_id, probability, method) in plan.links.items():
        record = by_id[record_id]
        record.child_id, record.link_status, record.link_method = child_id, SourceRecord.LinkStatus.LINKED, method
        record.link_probability, record.linked_at = probability, now
        changed.append(record)
    for record_id, items in plan.reviews.items():
        record = by_id[record_id]
        record.link_status, record.link_probability = SourceRecord.LinkStatus.REVIEW, items[0][1]
        changed.append(record)
    unlinked = 0
    for record_id in plan.below:
        record = by_id[record_id]
        new_child = new_child_of.get(record_id)
        if new_child is not None:
            record.child_id, record.link_status, record.link_method = (
                new_child, SourceRecord.LinkStatus.NEW_CHILD, SourceRecord.LinkMethod.NEW_CHILD)
            record.link_probability, record.linked_at = None, now
        else:
            unlinked += 1
            record.link_status, record.link_probability = SourceRecord.LinkStatus.UNLINKED, None
        changed.append(record)
    changed = [r for r in changed if (r.child_id, r.link_status, r.link_probability, r.link_method) != before[r.pk]]
    for record in changed:
        record.updated_at = now
    update_rows(SourceRecord, changed, ["child", "link_status", "link_probability", "link_method", "linked_at",
                                        "updated_at"])
    queued = _candidates_sync(local_authority=local_authority, records=by_id, reviews=plan.reviews, now=now)
    return LinkResult(auto_linked=len(plan.links), queued_for_review=len(plan.reviews),
                      new_children=len(new_child_of), unlinked=unlinked), queued


def _candidates_sync(*, local_authority: LocalAuthority, records: dict[int, SourceRecord],
                     reviews: dict[int, list[tuple[int, float, float]]], now: dt.datetime) -> int:
    """Make the open candidates of these records exactly ``reviews`` (update, reopen, create, supersede)."""
    existing: dict[tuple[int, int], MatchCandidate] = {}
    for candidate in MatchCandidate.objects.filter(
        local_authority=local_authority, source_record__isnull=False
    ).exclude(status=MatchCandidate.Status.REJECTED).only(
        "pk", "source_record_id", "child_id", "status", "probability", "match_weight", "explanation"
    ):
        if candidate.source_record_id in records:
            existing[(candidate.source_record_id, candidate.child_id)] = candidate  # type: ignore[index]
    wanted: set[tuple[int, int]] = set()
    to_create: list[MatchCandidate] = []
    to_update: list[MatchCandidate] = []
    for record_id, items in reviews.items():
        for child_id, probability, weight in items:
            wanted.add((record_id, child_id))
            found = existing.get((record_id, child_id))
            if found is None:
                to_create.append(MatchCandidate(
                    local_authority=local_authority, source_record_id=record_id, child_id=child_id,
                    source=records[record_id].source, probability=probability, match_weight=weight,
                ))
                continue
            unchanged = (found.status, found.probability, found.match_weight) == (
                MatchCandidate.Status.OPEN, probability, weight)
            if not unchanged:
                if found.status != MatchCandidate.Status.OPEN:
                    found.explanation = {}
                found.status, found.probability, found.match_weight = MatchCandidate.Status.OPEN, probability, weight
                found.resolved_at, found.updated_at = None, now
                to_update.append(found)
    for key, candidate in existing.items():
        if key not in wanted and candidate.status == MatchCandidate.Status.OPEN:
            candidate.status, candidate.resolved_at, candidate.updated_at = MatchCandidate.Status.SUPERSEDED, now, now
            to_update.append(candidate)
    insert_rows(MatchCandidate, to_create)
    update_rows(MatchCandidate, to_update,
                ["status", "probability", "match_weight", "resolved_at", "updated_at", "explanation"])
    return len(wanted)


# ------------------------------------------------------------------------------- possible duplicate children


def child_pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def child_duplicates_find(*, actor: Auditor, local_authority: LocalAuthority) -> int:
    """Queue pairs of live child records that may be one child (never merged automatically: a manager merges).

    Pairs a person already decided are not proposed again. Returns the number of open pairs after the run.
    """
    index = frames.children_index(local_authority)
    if index.count < 2:
        return 0
    lower = local_authority.linkage_lower_threshold
    pairs = _engine_pairs(index.frame(with_other_names=False), None, threshold=lower, dedupe=True)
    decided = set(LinkDecision.objects.filter(local_authority=local_authority, other_child__isnull=False)
                  .values_list("child_id", "other_child_id"))
    found: dict[tuple[int, int], tuple[float, float]] = {}
    for left_id, right_id, probability, weight in pairs.itertuples(index=False, name=None):
        key = child_pair(frames.child_pk_from_key(left_id), frames.child_pk_from_key(right_id))
        if key[0] != key[1] and key not in decided and key not in found:
            found[key] = (float(probability), float(weight))
    now = timezone.now()
    with transaction.atomic():
        existing = {(c.child_id, c.other_child_id): c for c in MatchCandidate.objects.filter(
            local_authority=local_authority, other_child__isnull=False)}
        to_create, to_update = [], []
        for (child_id, other_id), (probability, weight) in found.items():
            candidate = existing.get((child_id, other_id))
            if candidate is None:
                to_create.append(MatchCandidate(local_authority=local_authority, child_id=child_id,
                                                other_child_id=other_id, source=CHILDREN_SOURCE,
                                                probability=probability, match_weight=weight))
            elif candidate.status in (MatchCandidate.Status.OPEN, MatchCandidate.Status.SUPERSEDED):
                if candidate.status != MatchCandidate.Status.OPEN:
                    candidate.explanation = {}
                candidate.status, candidate.probability, candidate.match_weight = (
                    MatchCandidate.Status.OPEN, probability, weight)
                candidate.resolved_at, candidate.updated_at = None, now
                to_update.append(candidate)
        for key, candidate in existing.items():  # no longer scored as a possible duplicate
            if key not in found and candidate.status == MatchCandidate.Status.OPEN:
                candidate.status, candidate.resolved_at, candidate.updated_at = (
                    MatchCandidate.Status.SUPERSEDED, now, now)
                to_update.append(candidate)
        insert_rows(MatchCandidate, to_create)
        update_rows(MatchCandidate, to_update,
                    ["status", "probability", "match_weight", "resolved_at", "updated_at", "explanation"])
        actor.record(AuditEvent.Action.UPDATE, object_type="matching.matchcandidate",
                     local_authority_id=local_authority.pk,
                     summary=f"possible duplicate child records: {len(to_create)} new pairs for review")
    return len(found)


# ------------------------------------------------------------------------------------------ explanations

COMPARISON_LABELS = {
    "prior": "Starting point",
    "first_name": "First name",
    "surname_and_home": "Surname and home",
    "dob": "Date of birth",
    "sex": "Sex",
    "upn": "UPN",
    "nhs_number": "NHS number",
    "twin_guard": "Twin check",
}


def explanation_as_json(explanation: Any) -> dict[str, Any]:
    return {
        "probability": explanation.probability,
        "match_weight": explanation.match_weight,
        "prior_match_weight": explanation.prior_match_weight,
        "comparisons": [
            {"comparison": c.comparison, "label": COMPARISON_LABELS.get(c.comparison, c.comparison),
             "level": c.level, "left": c.left, "right": c.right, "match_weight": c.match_weight}
            for c in explanation.comparisons
        ],
    }


def match_candidate_explain(*, candidate: MatchCandidate) -> dict[str, Any]:
    """Ask the engine why this pair scored as it did and keep the answer on the candidate (cached).

    Not audited: it stores the engine's output for a pair already in the queue and changes nothing about a child.
    """
    if candidate.explanation:
        return cast("dict[str, Any]", candidate.explanation)
    from cme.matching.linkage.link import explain_pair

    child = Child.objects.prefetch_related("addresses__address").get(pk=candidate.child_id)
    if candidate.source_record_id is not None:
        left = frames.record_row(candidate.source_record)  # type: ignore[arg-type]
    else:
        left = frames.child_row(Child.objects.prefetch_related("addresses__address").get(
            pk=cast(int, candidate.other_child_id)))
    try:
        explanation = explain_pair(left, frames.child_row(child))
    except Exception:  # the engine or its model is unavailable: the page says so, the queue still works
        logger.exception("Could not explain candidate %s", candidate.pk)
        return {}
    result = explanation_as_json(explanation)
    candidate.explanation = result
    MatchCandidate.objects.filter(pk=candidate.pk).update(explanation=result)
    return result


# -------------------------------------------------------------------------------------------- decisions


def link_decision_record(*, local_authority_id: int, user: User | None, actor: Auditor, decision: str,
                         reason: str, child_id: int, probability: float | None, source_record_id: int | None = None,
                         other_child_id: int | None = None) -> LinkDecision:
    """Remember a person's answer for a pair (one row per pair: a later answer replaces the earlier one).
    The caller records the AuditEvent."""
    keys: dict[str, Any] = {"child_id": child_id}
    if source_record_id is not None:
        keys["source_record_id"] = source_record_id
    else:
        keys["other_child_id"] = other_child_id
    decision_row, _ = LinkDecision.objects.update_or_create(
        **keys,
        defaults={"local_authority_id": local_authority_id, "decision": decision, "reason": reason,
                  "probability": probability, "decided_by": user, "decided_by_label": actor.label,
                  "decided_at": timezone.now()},
    )
    return decision_row


def _lock_open(candidate: MatchCandidate) -> MatchCandidate:
    fresh: MatchCandidate = MatchCandidate.objects.select_for_update(of=("self",)).select_related(
        "source_record", "child").get(pk=candidate.pk)
    if fresh.status != MatchCandidate.Status.OPEN:
        raise LinkageError("Someone has already decided this pair.")
    return fresh


def _name_add_if_new(*, actor: Auditor, child: Child, record: SourceRecord) -> ChildName | None:
    if not (record.forename and record.surname):
        return None
    wanted = (names.name_key(record.forename), names.name_key(record.surname))
    known = {(names.name_key(child.legal_forename), names.name_key(child.legal_surname))}
    known |= {(names.name_key(f), names.name_key(s)) for f, s in child.names.values_list("forename", "surname")}
    if wanted in known:
        return None
    return name_add(actor=actor, child=child, kind=ChildName.Kind.ALIAS, forename=record.forename,
                    surname=record.surname, source=f"{record.source_label} record")


@transaction.atomic
def match_accept(*, actor: Auditor, user: User | None, candidate: MatchCandidate, reason: str = "") -> SourceRecord:
    """"Same child": link the record to the child, remember the answer, keep a new name or address as history."""
    candidate = _lock_open(candidate)
    if candidate.source_record_id is None:
        raise LinkageError("Two child records are made one by merging them, not here.")
    record: SourceRecord = candidate.source_record  # type: ignore[assignment]
    child = candidate.child
    if child.merged_into_id is not None:
        raise LinkageError("That child record has been merged into another one.")
    now = timezone.now()
    link_decision_record(local_authority_id=candidate.local_authority_id, user=user, actor=actor,
                         decision=LinkDecision.Decision.SAME, reason=reason, child_id=child.pk,
                         probability=candidate.probability, source_record_id=record.pk)
    previous_child = record.child_id
    record.child, record.link_status = child, SourceRecord.LinkStatus.LINKED
    record.link_method = SourceRecord.LinkMethod.REVIEWED
    record.link_probability, record.linked_at = candidate.probability, now
    record.save(update_fields=["child", "link_status", "link_method", "link_probability", "linked_at", "updated_at"])
    MatchCandidate.objects.filter(pk=candidate.pk).update(status=MatchCandidate.Status.ACCEPTED, resolved_at=now,
                                                          updated_at=now)
    MatchCandidate.objects.filter(source_record=record, status=MatchCandidate.Status.OPEN).update(
        status=MatchCandidate.Status.SUPERSEDED, resolved_at=now, updated_at=now)
    _name_add_if_new(actor=actor, child=child, record=record)
    _address_add_if_new(actor=actor, child=child, record=record)
    actor.record(AuditEvent.Action.UPDATE, record, child_id=child.pk, reason=reason,
                 local_authority_id=candidate.local_authority_id,
                 summary=f"linkage review: {record.source_label} record is the same child",
                 changes={"decision": ["", "same child"], "child": [previous_child, child.pk],
                          "probability": [None, f"{candidate.probability:.3f}"]})
    return record


@transaction.atomic
def match_reject(*, actor: Auditor, user: User | None, candidate: MatchCandidate, reason: str) -> MatchCandidate:
    """"Not the same child": remembered for good, so the pair is never proposed or linked again."""
    if not reason.strip():
        raise LinkageError("Say why these are not the same child.")
    candidate = _lock_open(candidate)
    now = timezone.now()
    link_decision_record(local_authority_id=candidate.local_authority_id, user=user, actor=actor,
                         decision=LinkDecision.Decision.DIFFERENT, reason=reason, child_id=candidate.child_id,
                         probability=candidate.probability, source_record_id=candidate.source_record_id,
                         other_child_id=candidate.other_child_id)
    MatchCandidate.objects.filter(pk=candidate.pk).update(status=MatchCandidate.Status.REJECTED, resolved_at=now,
                                                          updated_at=now)
    candidate.status, candidate.resolved_at = MatchCandidate.Status.REJECTED, now
    what = "two child records" if candidate.other_child_id else f"{candidate.source_label} record"
    for child_id in filter(None, (candidate.child_id, candidate.other_child_id)):
        actor.record(AuditEvent.Action.UPDATE, candidate, child_id=child_id, reason=reason,
                     local_authority_id=candidate.local_authority_id,
                     summary=f"linkage review: {what} not the same child",
                     changes={"decision": ["", "not the same child"],
                              "probability": [None, f"{candidate.probability:.3f}"]})
    record = candidate.source_record
    if record is not None and record.child_id is None and not record.candidates.filter(
            status=MatchCandidate.Status.OPEN).exists():
        SourceRecord.objects.filter(pk=record.pk).update(link_status=SourceRecord.LinkStatus.UNLINKED, updated_at=now)
    return candidate
