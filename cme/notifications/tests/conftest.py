"""Intake tests run on a fixed school day: Wednesday 25 November 2026, 10:00 in London (autumn term, second half,
in the default term calendar: 2 Nov to 18 Dec 2026). Every test in this folder runs on that day (autouse),
including the detection-alert tests that live here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def on_a_school_day() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield
