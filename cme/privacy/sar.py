"""Subject access request export for one child (UK GDPR Art 15; SECURITY-PLAN DP-4).

Every record reachable from the Child is found by introspection: the reverse foreign keys, one-to-ones and
many-to-manys of Child (in every app), then of those records, and so on, so a model added later with a foreign key
to Child is exported without any change here (`test_sar.py` fails if one is not reached). The audit events about
the child (who viewed or changed the record, and when) are added. Third parties' details (contacts, parents,
staff) are marked for redaction before disclosure.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import models

from cme.audit.models import AuditEvent
from cme.children.models import Child

#: Models whose rows describe someone other than the child: the whole row is marked for redaction review.
THIRD_PARTY_MODELS = {"children.contact", "children.childcontact", "cnis.cnisparent", "ehe.ehecontact",
                      "cases.contactrecord"}
#: Field names that identify a third party wherever they appear.
THIRD_PARTY_FIELDS = {"email", "phone", "telephone", "mobile", "address", "name", "forename", "surname",
                      "relationship", "person", "contact", "submitted_by", "recorded_by", "by", "author",
                      "officer", "created_by", "uploaded_by", "decided_by", "requested_by", "done_by"}
#: Relations not followed (accounts and audit are reported separately; other children are not the subject).
SKIP_MODELS = {"accounts.user", "audit.auditevent", "children.child", "core.localauthority", "core.organisation"}
MAX_DEPTH = 3


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def row(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _value(getattr(obj, field.attname))
    return data


def reverse_relations(model: type[models.Model]) -> list[Any]:
    """Reverse FK / one-to-one / many-to-many relations pointing at `model` (auto-created relation objects)."""
    return [rel for rel in model._meta.get_fields() if rel.auto_created and not rel.concrete
            and (rel.one_to_many or rel.one_to_one or rel.many_to_many)]


def models_reached(model: type[models.Model] = Child, depth: int = 0,
                   seen: set[str] | None = None) -> set[str]:
    """Labels of every model the exporter walks into from `model` (used by the coverage test)."""
    seen = set() if seen is None else seen
    if depth >= MAX_DEPTH:
        return seen
    for rel in reverse_relations(model):
        label = rel.related_model._meta.label_lower
        if label in SKIP_MODELS or label in seen:
            continue
        seen.add(label)
        models_reached(rel.related_model, depth + 1, seen)
    return seen


def _walk(obj: models.Model, depth: int, path: str, seen: set[tuple[str, Any]]) -> Iterator[tuple[str, models.Model]]:
    if depth >= MAX_DEPTH:
        return
    for rel in reverse_relations(type(obj)):
        label = rel.related_model._meta.label_lower
        if label in SKIP_MODELS:
            continue
        accessor = rel.get_accessor_name()
        if rel.one_to_one:
            related = getattr(obj, accessor, None) if hasattr(obj, accessor) else None
            items = [related] if related is not None else []
        else:
            items = list(getattr(obj, accessor).all())
        for item in items:
            key = (label, item.pk)
            if key in seen:
                continue
            seen.add(key)
            yield label, item
            yield from _walk(item, depth + 1, f"{path}.{accessor}", seen)


def sar_collect(*, child: Child) -> dict[str, Any]:
    """Everything held about one child, as JSON-safe data."""
    records: dict[str, list[dict[str, Any]]] = {}
    documents: list[str] = []
    seen: set[tuple[str, Any]] = set()
    for label, item in _walk(child, 0, "child", seen):
        data = row(item)
        redact = sorted(k for k in data if label in THIRD_PARTY_MODELS or k.removesuffix("_id") in THIRD_PARTY_FIELDS)
        if redact:
            data["_redact_before_disclosure"] = redact
        for field in item._meta.concrete_fields:
            if isinstance(field, models.FileField) and getattr(item, field.attname):
                documents.append(getattr(item, field.attname).name)
        records.setdefault(label, []).append(data)
    views = AuditEvent.objects.for_child(child.pk).order_by("at", "id").values(
        "at", "actor_label", "actor_role", "action", "summary", "reason")
    return {
        "subject": row(child),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "records": records,
        "record_counts": {label: len(items) for label, items in sorted(records.items())},
        "audit": [{k: _value(v) for k, v in event.items()} for event in views],
        "documents": documents,
        "notes": "Fields listed in _redact_before_disclosure identify other people (contacts, parents, staff): "
                 "review and redact them before disclosure (UK GDPR Art 15(4)).",
    }


def sar_json(*, child: Child) -> bytes:
    return json.dumps(sar_collect(child=child), indent=2, ensure_ascii=False, default=str).encode()
