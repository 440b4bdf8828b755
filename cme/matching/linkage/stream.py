"""Link CSV files of any size in bounded memory: records go into DuckDB tables chunk by chunk, Splink
links them there, and the pairs come back out chunk by chunk.

No file is ever whole in Python: ``iter_input_csv`` reads ``CHUNK_ROWS`` records at a time, each
chunk is standardised (``prepare``) and appended to a DuckDB table, and Splink reads those tables.
DuckDB's own working memory is capped (``link.DUCKDB_MEMORY_LIMIT``, environment variable
``CME_LINKAGE_MEMORY_LIMIT``, default 1GB) and spills to a temporary directory beyond that. This is
the path ``manage.py link_files`` takes on DuckDB; ``link.link_frames`` is for frames already in memory.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from cme.matching.linkage.files import CHUNK_ROWS, duplicate_ids_error, iter_input_csv, write_pairs_csv_chunks
from cme.matching.linkage.link import (
    DUCKDB_MEMORY_LIMIT,
    LINK_STAGES,
    PAIR_COLUMNS,
    link_type_for,
    make_db_api,
    make_linker,
    pairs_sql,
    predict_pairs,
)
from cme.matching.linkage.progress import Stages
from cme.matching.linkage.standardise import MODEL_COLUMNS, prepare

__all__ = ["link_csv_files", "link_frame_chunks", "load_csv_table", "load_frames_table"]

_SCHEMA = pa.schema([(column, pa.string()) for column in MODEL_COLUMNS])
#: The two inputs' names (``source_dataset``; the tables are ``cme_records_<name>``).
_NAMES = ("left", "right")
#: DuckDB's working memory when a service links records to an LA's children inside a web or feed process
#: (``link_frame_chunks``): a feed import must stay within 500 MB in all (SECURITY-PLAN PERF-4).
SERVICE_MEMORY_LIMIT = "128MB"
#: Examples named when ids repeat.
_EXAMPLES = 10


def load_csv_table(
    con: Any, path: Path | str, table: str, *, source_dataset: str, chunk_rows: int = CHUNK_ROWS
) -> int:
    """Read, standardise and append ``path`` to a new DuckDB table ``table`` (``MODEL_COLUMNS``),
    ``chunk_rows`` records at a time; returns the records loaded.

    Raises ``InputFileError`` for the problems ``read_input_csv`` reports, repeated ids included.
    ``table`` is the caller's constant, never input.
    """
    loaded = load_frames_table(con, iter_input_csv(path, chunk_rows=chunk_rows), table,
                               source_dataset=source_dataset)
    repeated = f"SELECT unique_id FROM {table} GROUP BY unique_id HAVING count(*) > 1"  # noqa: S608 # nosec B608
    count = con.execute(f"SELECT count(*) FROM ({repeated})").fetchall()[0][0]  # noqa: S608 # nosec B608 # nosemgrep
    if count:
        examples = con.execute(f"{repeated} ORDER BY unique_id LIMIT {_EXAMPLES}").fetchall()  # nosemgrep
        raise duplicate_ids_error(path, int(count), [row[0] for row in examples])
    return loaded


def load_frames_table(con: Any, chunks: Iterable[pd.DataFrame], table: str, *, source_dataset: str) -> int:
    """Standardise (``prepare``) and append frames of input columns to a new DuckDB table ``table``
    (``MODEL_COLUMNS``), one frame at a time; returns the records loaded. ``table`` is the caller's constant."""
    # DuckDB working tables of the pure engine (not the service's database); names are constants, values never SQL.
    columns = ", ".join(f"{column} VARCHAR" for column in MODEL_COLUMNS)
    con.execute(f"CREATE TABLE {table} ({columns})")  # nosemgrep: cme-raw-sql
    loaded = 0
    for chunk in chunks:
        prepared = prepare(chunk, source_dataset=source_dataset)
        arrow = pa.Table.from_pandas(prepared, schema=_SCHEMA, preserve_index=False)
        con.register("cme_chunk", arrow)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM cme_chunk")  # noqa: S608 # nosec B608 # nosemgrep
        finally:
            con.unregister("cme_chunk")
        loaded += arrow.num_rows
    return loaded


def link_frame_chunks(
    left: Iterable[pd.DataFrame],
    right: Iterable[pd.DataFrame],
    *,
    threshold: float = 0.5,
    model_path: Path | str | None = None,
    memory_limit: str | None = SERVICE_MEMORY_LIMIT,
) -> pd.DataFrame:
    """``link.link_frames(left, right)`` (link only, the saved model) with each input given as frames that
    are loaded into an on-disk DuckDB database one at a time, so neither input is ever whole in Python:
    for linking records against all of an LA's children (``matching.services``). Same pairs, same order.
    DuckDB works within ``memory_limit`` (spilling to the database's directory beyond it)."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1.")
    stages = Stages(LINK_STAGES, enabled=False)
    with tempfile.TemporaryDirectory(prefix="cme-linkage-") as workdir:
        db_api = make_db_api("duckdb", workdir=Path(workdir), memory_limit=memory_limit)
        con = db_api.duckdb_con  # type: ignore[attr-defined]
        try:
            sizes = [load_frames_table(con, chunks, f"cme_records_{name}", source_dataset=name)
                     for chunks, name in zip((left, right), _NAMES, strict=True)]
            sdfs = [db_api.register(f"cme_records_{name}", dataset_display_name=name, table_name=f"cme_input_{name}")
                    for name in _NAMES]
            linker = make_linker(db_api, sdfs, "link_only", sizes, model_path=model_path)
            try:
                predictions = predict_pairs(linker, db_api, stages, threshold=threshold)
            except Exception as exc:
                if not _out_of_memory(exc):
                    raise
                # More candidate pairs than the limit holds: score them with DuckDB's usual limit rather than fail.
                con.execute(f"SET memory_limit = '{_usual_limit()}'")  # nosemgrep: cme-raw-sql
                predictions = predict_pairs(linker, db_api, stages, threshold=threshold)
            result = con.sql(pairs_sql(predictions.physical_name, "link_only")).df()
        finally:
            con.close()
            stages.close()
    result = result.astype({"left_id": str, "right_id": str, "probability": float, "match_weight": float})
    return result.reset_index(drop=True)[list(PAIR_COLUMNS)]


def _out_of_memory(exc: BaseException | None) -> bool:
    """True if DuckDB ran out of its memory limit somewhere in this exception's chain (Splink wraps it)."""
    import duckdb

    while exc is not None:
        if isinstance(exc, duckdb.OutOfMemoryException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _usual_limit() -> str:
    """DuckDB's limit outside ``link_frame_chunks`` (``CME_LINKAGE_MEMORY_LIMIT``, else the default), checked to be a
    size such as 1GB or 512MB before it is written into a SET statement."""
    limit = os.environ.get("CME_LINKAGE_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        limit = DUCKDB_MEMORY_LIMIT
    return limit


def _check_no_shared_ids(con: Any) -> None:
    rows = con.execute(
        "SELECT count(*), min(l.unique_id) FROM cme_records_left l JOIN cme_records_right r USING (unique_id)"
    ).fetchall()
    shared, example = int(rows[0][0]), rows[0][1]
    if shared:
        raise ValueError(
            f"With dedupe and two files, ids must be unique across both files; {shared} are "
            f"in both (for example {example!r})."
        )


def _pair_chunks(con: Any, sql: str, rows: int) -> Iterator[pd.DataFrame]:
    reader = con.sql(sql).to_arrow_reader(rows)
    for batch in reader:
        frame = batch.to_pandas()
        yield frame.astype({"left_id": str, "right_id": str, "probability": float, "match_weight": float})[
            list(PAIR_COLUMNS)
        ]


def link_csv_files(
    left: Path | str,
    right: Path | str | None,
    out: Path | str,
    *,
    stages: Stages,
    dedupe: bool = False,
    threshold: float = 0.5,
    model_path: Path | str | None = None,
    train: bool = False,
    num_chunks: int = 1,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Link ``left`` to ``right`` (or deduplicate, as ``link_frames``) on DuckDB; write the pairs at or
    above ``threshold`` to ``out``, highest first; returns the pairs written.

    Stages: ``read`` (read, standardise and load in chunks), ``prepare`` (checks, model, prior),
    ``block``, ``predict``, ``write``.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1.")
    link_type = link_type_for(right, dedupe)
    files = [Path(left)] + ([Path(right)] if right is not None else [])
    with tempfile.TemporaryDirectory(prefix="cme-linkage-") as workdir:
        db_api = make_db_api("duckdb", workdir=Path(workdir))
        con = db_api.duckdb_con  # type: ignore[attr-defined]
        try:
            with stages.stage("read"):
                sizes = [
                    load_csv_table(con, path, f"cme_records_{name}", source_dataset=name, chunk_rows=chunk_rows)
                    for path, name in zip(files, _NAMES, strict=False)
                ]
                stages.note("read", " + ".join(f"{size:,}" for size in sizes) + " records")
            with stages.stage("prepare"):
                if link_type == "link_and_dedupe":
                    _check_no_shared_ids(con)
                sdfs = [
                    db_api.register(f"cme_records_{name}", dataset_display_name=name, table_name=f"cme_input_{name}")
                    for name in _NAMES[: len(files)]
                ]
                linker = make_linker(db_api, sdfs, link_type, sizes, model_path=model_path, train=train)
            predictions = predict_pairs(linker, db_api, stages, threshold=threshold, num_chunks=num_chunks)
            with stages.stage("write"):
                sql = pairs_sql(predictions.physical_name, link_type)
                return write_pairs_csv_chunks(_pair_chunks(con, sql, chunk_rows), out)
        finally:
            con.close()
