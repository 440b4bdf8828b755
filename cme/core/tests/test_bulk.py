"""core.bulk.gc_paused: cyclic collection off inside the block, back on after, whoever paused it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cme.core.bulk import gc_paused


@pytest.fixture(autouse=True)
def _collection_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_collection_is_off_inside_and_on_again_after_nested_pauses() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_collection_comes_back_after_an_error_in_the_block() -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_collection_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def _cache_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_a_bulk_write_gets_a_bigger_sqlite_cache_for_its_duration_only() -> None:
    from django.db import connection

    from cme.core.bulk import bulk_write_cache

    if connection.vendor != "sqlite":
        pytest.skip("the page cache is SQLite's")
    before = _cache_size()
    with pytest.raises(RuntimeError), bulk_write_cache(mebibytes=64):
        assert _cache_size() == -64 * 1024
        raise RuntimeError("the import failed")
    assert _cache_size() == before
