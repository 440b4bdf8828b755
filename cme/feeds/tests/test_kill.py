"""Kill the import half-way (SIGKILL, in a subprocess on a file-based SQLite database) and run it again: the
database ends the same as after one clean run. The offsets are seeded, so a failure is reproducible."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cme.feeds.tests.factories import csv_bytes, mark, page, student
from cme.law import nhs_number
from cme.law import upn as upns

SCRIPT = Path(__file__).with_name("killable_import.py")
ON = dt.date(2026, 11, 27)


def write_feed(folder: Path) -> int:
    """Two school days of feed pages and a health extract; returns the rows the daily import reads."""
    rows = 0
    for day in (dt.date(2026, 11, 26), ON):
        base = folder / "school-feed" / day.isoformat() / "9312001"
        students = [student(f"A{i}", upn=upns.make_upn("931", "2001", 20, i), forename=f"Pupil{i}")
                    for i in range(1, 31)]
        marks = [mark(f"A{i}", day, s, "N" if i % 7 == 0 else "/") for i in range(1, 31) for s in ("AM", "PM")]
        for endpoint, items in (("students", students), ("attendance-session", marks)):
            (base / endpoint).mkdir(parents=True, exist_ok=True)
            (base / endpoint / "0001.json").write_bytes(page(items))
            rows += len(items)
    numbers = nhs_number.generate(30, seed=3)
    health = [["Patient ID", "NHS Number", "Forename", "Surname", "DOB"],
              *[[f"GP{i}", numbers[i], f"Pupil{i}", "Thompson", "14/05/2016"] for i in range(30)]]
    (folder / "health" / ON.isoformat()).mkdir(parents=True)
    (folder / "health" / ON.isoformat() / "gp.csv").write_bytes(csv_bytes(health))
    return rows + 30


def call(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "cme.settings.test",
           "CME_VAR_DIR": str(database.parent)}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)


def dump_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr[-2000:]
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    data.pop("audit")  # the killed attempt leaves no audit rows; each clean run writes its own summary
    return data


@pytest.mark.slow
def test_killing_the_import_half_way_and_running_again_gives_the_clean_result(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    write_feed(folder)
    template = tmp_path / "template.sqlite3"
    setup = call(template, "setup", str(folder))
    assert setup.returncode == 0, setup.stderr
    empty = dump_of(call(template, "dump"))

    clean = tmp_path / "clean" / "db.sqlite3"
    clean.parent.mkdir()
    shutil.copy(template, clean)
    expected = dump_of(call(clean, "import"))
    assert len(expected["attendance"]) == 120 and len(expected["records"]) == 60

    rows_in_first_run = 90  # the first day's pages: 30 pupils and 60 marks
    offsets = sorted(random.Random(20261127).sample(range(rows_in_first_run), 2))
    for number, kill_at in enumerate([f"row:{offsets[0]}", f"row:{offsets[1]}", "finished:0", "linked-pending:0"]):
        database = tmp_path / f"killed{number}" / "db.sqlite3"
        database.parent.mkdir()
        shutil.copy(template, database)
        killed = call(database, "import", kill_at)
        assert killed.returncode == -9, (kill_at, killed.stderr[-2000:])
        if not kill_at.startswith("linked-pending"):  # killed inside a run: nothing partial was kept
            assert dump_of(call(database, "dump")) == empty, kill_at
        # (killed while linking the partner records after their runs committed: the next run links them)
        again = call(database, "import")
        assert "busy" not in again.stdout  # the dead process's lock is taken over
        assert dump_of(again) == expected, kill_at


@pytest.fixture(autouse=True)
def _no_db_needed() -> None:
    """The subprocesses use their own file-based databases; this test needs no test database."""
