from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cme.matching.linkage.cli import run_link_files
from cme.matching.linkage.files import InputFileError, read_input_csv, write_pairs_csv


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_reads_with_bom_ignores_extra_columns_and_allows_missing_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "\ufeffID,First Name,Surname,School,dob\n1,Zoë,Smith,X,2016-04-03\n2,,Jones,Y,\n")
    frame = read_input_csv(path)
    assert list(frame.columns) == ["id", "first_name", "last_name", "dob"]
    assert frame.to_dict("records")[0] == {"id": "1", "first_name": "Zoë", "last_name": "Smith", "dob": "2016-04-03"}
    assert pd.isna(frame.loc[1, "first_name"]) and pd.isna(frame.loc[1, "dob"])


def test_ids_stay_text(tmp_path: Path) -> None:
    frame = read_input_csv(write(tmp_path / "in.csv", "id,first_name\n007,Ann\n"))
    assert frame.loc[0, "id"] == "007"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first_name,last_name\nAnn,Lee\n", "no 'id' column"),
        ("id,first_name\n1,Ann\n1,Bob\n", "ids must be unique"),
        ("id,first_name\n1,Ann\n,Bob\n", "have no id"),
        ("", "empty"),
    ],
)
def test_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        read_input_csv(write(tmp_path / "in.csv", text))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_input_csv(tmp_path / "nope.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,first_name\n1,Zo\xeb\n".encode("latin-1"))
    with pytest.raises(InputFileError, match="not UTF-8"):
        read_input_csv(path)


def test_write_pairs_csv(tmp_path: Path) -> None:
    pairs = pd.DataFrame({"left_id": ["a"], "right_id": ["b"], "probability": [0.98765432], "match_weight": [5.0]})
    assert write_pairs_csv(pairs, tmp_path / "out" / "pairs.csv") == 1
    assert (tmp_path / "out" / "pairs.csv").read_text() == "left_id,right_id,probability\na,b,0.987654\n"


ROLL = """id,first_name,last_name,dob,sex,postcode,address,upn,school
L1,Mohammed,Ali,2016-04-03,M,OX4 1AB,12 Cowley Road,,Oxford Primary
L2,Amira,Khan,2015-06-01,F,OX4 2AB,12 Iffley Road,,Oxford Primary
L3,Yusuf,Khan,2015-06-01,M,OX4 2AB,12 Iffley Road,,Oxford Primary
L4,Zofia,Nowak,2014-03-07,F,OX4 4XN,22 Rose Hill,,Oxford Primary
"""
HMRC = """id,first_name,last_name,dob,sex,postcode,address,claimant
R1,MUHAMMAD,ALY,2016-04-03,,OX4,,Mr Ali
R2,AMIRA,KHAN,2015-06-01,F,OX4 2AB,12 Iffley Rd,Ms Khan
R3,YUSUF,KHAN,2015-06-01,M,OX4 2AB,12 Iffley Rd,Ms Khan
R4,ZOFIA,NOWAK,2014-07-03,F,OX4 4XN,22 Rose Hill,Ms Nowak
R5,Someone,Else,2011-01-01,F,OX1 1AA,1 High Street,Mx Else
"""


def test_link_files_end_to_end(tmp_path: Path) -> None:
    """The command (``manage.py link_files``) is covered here, through the function it calls."""
    out = tmp_path / "pairs.csv"
    result = run_link_files(write(tmp_path / "roll.csv", ROLL), write(tmp_path / "hmrc.csv", HMRC), out, progress=False)
    written = pd.read_csv(out, dtype={"left_id": str, "right_id": str})
    assert list(written.columns) == ["left_id", "right_id", "probability"]
    expected = {("L1", "R1"), ("L2", "R2"), ("L3", "R3"), ("L4", "R4")}
    assert set(zip(written.left_id, written.right_id, strict=True)) == expected
    assert written.probability.is_monotonic_decreasing and (written.probability >= 0.5).all()
    assert result.pairs == 4
    assert set(result.timings) == {"read", "prepare", "block", "predict", "write"}
    assert "total" in result.summary


def test_link_files_dedupe_and_argument_errors(tmp_path: Path) -> None:
    both = write(tmp_path / "both.csv", ROLL + HMRC.split("\n", 1)[1].replace("R", "D"))
    out = tmp_path / "dupes.csv"
    run_link_files(both, None, out, dedupe=True, progress=False)
    written = set(pd.read_csv(out).itertuples(index=False, name=None))
    assert {(p[0], p[1]) for p in written} >= {("D1", "L1"), ("D2", "L2"), ("D3", "L3")}
    with pytest.raises(ValueError, match="--dedupe"):
        run_link_files(both, None, out, progress=False)
