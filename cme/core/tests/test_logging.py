from __future__ import annotations

import json
import logging

from cme.core.logging import JSONFormatter, redact


def test_personal_data_and_secrets_are_redacted() -> None:
    text = redact("child X931200024001 at OX4 1AB, parent jo@example.org, NHS 943 476 5919, Bearer abc.def")
    for leaked in ("X931200024001", "OX4 1AB", "jo@example.org", "943 476 5919", "abc.def"):
        assert leaked not in text


def test_json_lines_are_utc_and_redacted() -> None:
    record = logging.LogRecord("cme", logging.INFO, __file__, 1, "import of %s", ("X931200024001",), None)
    line = json.loads(JSONFormatter().format(record))
    assert line["time"].endswith("+00:00") and line["message"] == "import of [upn]"
