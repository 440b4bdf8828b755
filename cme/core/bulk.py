"""Fast bulk inserts for generated and imported data (seed_demo, feeds): parameterised executemany, no model
instances. Rows are tuples in the order of `fields`; foreign keys are given as ids (`child_id`).

Django's bulk_create spends most of its time building model instances and SQL per batch; this is 5-10x faster
for hundreds of thousands of rows. Primary keys are allocated up front (max(id)+1...) so callers can link rows
without reading them back; on PostgreSQL the id sequence is moved past them afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

BATCH = 5000
_gc_lock = threading.Lock()
_gc_pauses = 0


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees memory as usual).

    Parsing and importing a feed builds millions of small objects that live to the end of the run; each new
    batch of them sets off a collection that walks all the earlier ones (a quarter of a school feed's first
    load). Nested and concurrent pauses are counted: collection resumes when the last one ends.
    """
    global _gc_pauses
    with _gc_lock:
        counted = _gc_pauses > 0 or gc.isenabled()  # collection already off by someone else's choice: not ours
        if counted:
            _gc_pauses += 1
            gc.disable()
    try:
        yield
    finally:
        if counted:
            with _gc_lock:
                _gc_pauses -= 1
                if _gc_pauses == 0:
                    gc.enable()


@contextlib.contextmanager
def bulk_write_cache(*, using: str = "default", mebibytes: int = 128) -> Iterator[None]:
    """SQLite only: a page cache of this size while a large write runs (a feed run), the usual one after.

    SQLite's default cache (2 MB) is far smaller than the indexes a feed run writes into: one transaction of
    hundreds of thousands of rows spills the same pages to the WAL and reads them back again and again (a school
    feed's first load for 100,000 pupils moved 2.7 GB in and 1.2 GB out through system calls for 0.25 GB of
    data). The cache grows only as pages are used and shrinks back when the block ends. PostgreSQL: nothing.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        # A PRAGMA takes no parameters; the value is an int.
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")  # nosemgrep: cme-raw-sql
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")  # nosemgrep: cme-raw-sql


def value_converter(field: models.Field[Any, Any], vendor: str, ops: Any) -> Callable[[Any], Any] | None:
    """How to turn a Python value of this field into a database parameter (None: pass it as it is).

    The few types the drivers cannot take directly (JSON, datetimes, dates on SQLite); everything else (text,
    numbers, booleans, foreign-key ids) goes through unchanged, which is what makes bulk writes fast.
    """
    if isinstance(field, models.JSONField):
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return lambda v: None if v is None else Jsonb(v)
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(field, models.DateTimeField):
        seen: dict[Any, Any] = {}  # a bulk write mostly repeats one instant ("now"): adapt each value once

        def adapt_datetime(value: Any) -> Any:
            if value is None:
                return None
            try:
                return seen[value]
            except KeyError:
                if len(seen) > 1000:
                    seen.clear()
                adapted = seen[value] = ops.adapt_datetimefield_value(value)
                return adapted

        return adapt_datetime
    if isinstance(field, models.DateField) and vendor == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    return None


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys after the current maximum (call inside the loading transaction)."""
    current = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
    return list(range(current + 1, current + 1 + count))


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *,
                with_ids: bool = False) -> int:
    """INSERT rows (tuples in `fields` order; if with_ids, the first value of each row is the primary key).

    auto_now/auto_now_add fields (created_at, updated_at, recorded_at...) not given are filled with now().
    """
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    names = list(fields)
    columns = ([meta.pk.column] if with_ids else []) + [meta.get_field(name).column for name in names]
    auto = [f.name for f in meta.concrete_fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add) and f.name not in names]
    columns += [meta.get_field(name).column for name in auto]
    field_objs = ([meta.pk] if with_ids else []) + [meta.get_field(name) for name in names]
    converters = [value_converter(f, connection.vendor, connection.ops) for f in field_objs]
    now = timezone.now()
    stamp = tuple(connection.ops.adapt_datetimefield_value(now) for _ in auto)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608  # nosec B608 - identifiers from model metadata, values are parameters
    total = 0
    batch: list[tuple[Any, ...]] = []
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]  # most columns need no conversion
    width = len(field_objs)
    with connection.cursor() as cursor:
        for row in rows:
            if len(row) != width:
                raise ValueError(f"a row has {len(row)} values for {width} columns")
            if convert:
                values = list(row)
                for i, c in convert:
                    values[i] = c(values[i])
                row = values
            batch.append((*row, *stamp))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
    if with_ids and connection.vendor == "postgresql":
        reset = connection.ops.sequence_reset_sql(_NoStyle(), [model])
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)
    return total


class _NoStyle:
    def __getattr__(self, name: str) -> Callable[[str], str]:
        return lambda text: text

