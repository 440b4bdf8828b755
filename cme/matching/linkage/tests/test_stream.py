"""Streamed linkage (``stream.link_csv_files``, what ``link_files`` runs on DuckDB): same pairs as the
in-memory path, file errors found across chunks, DuckDB's memory cap and spill directory in force."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cme.matching.linkage.files import InputFileError, iter_input_csv
from cme.matching.linkage.link import make_db_api
from cme.matching.linkage.progress import Stages
from cme.matching.linkage.stream import link_csv_files, link_frame_chunks, load_csv_table
from cme.matching.linkage.tests.conftest import Scored, with_specials

STAGES = ("read", "prepare", "block", "predict", "write")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_streamed_pairs_equal_the_in_memory_pairs(shipped: Scored, tmp_path: Path) -> None:
    left, right = with_specials(shipped.extracts)
    left.to_csv(tmp_path / "left.csv", index=False)
    right.to_csv(tmp_path / "right.csv", index=False)
    stages = Stages(STAGES, enabled=False)
    written = link_csv_files(
        tmp_path / "left.csv", tmp_path / "right.csv", tmp_path / "pairs.csv", stages=stages, threshold=0.001,
        chunk_rows=500,  # several chunks a file, and several batches of pairs on the way out
    )
    streamed = pd.read_csv(tmp_path / "pairs.csv", dtype={"left_id": str, "right_id": str})
    assert written == len(streamed) == len(shipped.pairs) > 500
    expected = shipped.pairs.set_index(["left_id", "right_id"])["probability"].round(6)
    got = streamed.set_index(["left_id", "right_id"])["probability"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_exact=False, atol=1e-6)
    assert streamed.probability.is_monotonic_decreasing
    assert set(stages.timings) == set(STAGES)


def test_blank_ids_are_reported_by_line_across_chunks(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "id,first_name\n1,Ann\n2,Bob\n3,Cy\n,Dee\n5,Eve\n,Fay\n")
    with pytest.raises(InputFileError, match=r"2 row\(s\) have no id \(line 5, 7\)"):
        list(iter_input_csv(path, chunk_rows=2))


def test_ids_repeated_in_different_chunks_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "id,first_name\nA1,Ann\nA2,Bob\nA3,Cy\nA1,Dee\n")
    con = duckdb.connect()
    with pytest.raises(InputFileError, match=r"ids must be unique; 1 id\(s\) .*'A1'"):
        load_csv_table(con, path, "records", source_dataset="left", chunk_rows=2)


def test_loaded_table_holds_the_standardised_records(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "ID,Forename,Surname,DOB\n 007 ,Zoë,O'Brien-Smith,03/04/2016\n8,,,\n")
    con = duckdb.connect()
    assert load_csv_table(con, path, "records", source_dataset="left", chunk_rows=1) == 2
    rows = con.sql("SELECT unique_id, first_name, surname, dob FROM records ORDER BY unique_id").fetchall()
    assert rows == [("007", "zoe", "obrien smith", "2016-04-03"), ("8", None, None, None)]


def test_link_and_dedupe_refuses_ids_in_both_files(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "id,first_name\nX1,Ann\n")
    with pytest.raises(ValueError, match="unique across both files.*'X1'"):
        link_csv_files(path, path, tmp_path / "out.csv", stages=Stages(STAGES, enabled=False), dedupe=True)


def test_duckdb_memory_limit_and_spill_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CME_LINKAGE_MEMORY_LIMIT", "300MB")
    api = make_db_api("duckdb", workdir=tmp_path)
    con = api.duckdb_con  # type: ignore[attr-defined]
    limit, spill = con.sql("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    assert limit == "286.1 MiB"  # 300 MB in DuckDB's units
    assert Path(spill) == tmp_path / "spill"
    assert con.sql("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall() == [
        (str(tmp_path / "linkage.duckdb"),)
    ]
    con.close()
    monkeypatch.delenv("CME_LINKAGE_MEMORY_LIMIT")
    con = make_db_api("duckdb").duckdb_con  # type: ignore[attr-defined]
    assert con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0] == "953.6 MiB"  # the 1GB default


# --- link_frame_chunks: the services' path for a large LA (SECURITY-PLAN PERF-4) ---------------------------------


def _chunks(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[start:start + size] for start in range(0, len(frame), size)]


def test_pairs_from_frame_chunks_equal_the_in_memory_pairs(shipped: Scored) -> None:
    """The same pairs, probabilities and order as ``link_frames`` when both inputs come in several chunks."""
    left, right = with_specials(shipped.extracts)
    got = link_frame_chunks(_chunks(left, 700), iter(_chunks(right, 300)), threshold=0.001)
    expected = shipped.pairs.reset_index(drop=True)
    assert len(got) == len(expected) > 500
    pd.testing.assert_frame_equal(got[["left_id", "right_id"]], expected[["left_id", "right_id"]])
    pd.testing.assert_series_equal(got.probability, expected.probability, check_exact=False, atol=1e-9)


def test_scoring_out_of_memory_is_retried_with_the_usual_limit(shipped: Scored,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond its small memory limit DuckDB raises instead of spilling in places: the scoring is then done again
    under the usual limit (same pairs) rather than the link failing."""
    from cme.matching.linkage import stream

    calls: list[str] = []
    real = stream.predict_pairs

    def predict_once_out_of_memory(linker: object, db_api: object, *args: object, **kwargs: object) -> object:
        limit = db_api.duckdb_con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]  # type: ignore[attr-defined]
        calls.append(limit)
        if len(calls) == 1:
            raise RuntimeError("Splink failed") from duckdb.OutOfMemoryException("Out of Memory Error: test")
        return real(linker, db_api, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stream, "predict_pairs", predict_once_out_of_memory)
    left, right = with_specials(shipped.extracts)
    got = link_frame_chunks([left], [right], threshold=0.5)
    assert len(calls) == 2 and calls[0] != calls[1]  # the second try under the larger, usual limit
    assert len(got) == int((shipped.pairs.probability >= 0.5).sum())
    monkeypatch.setattr(stream, "predict_pairs",
                        lambda *a, **k: (_ for _ in ()).throw(ValueError("not a memory problem")))
    with pytest.raises(ValueError, match="not a memory problem"):  # anything else is not retried
        link_frame_chunks([left], [right], threshold=0.5)
