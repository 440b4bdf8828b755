"""Structured (JSON) logs in UTC, with personal data and secrets redacted as a last line of defence.

The application never logs names or request bodies on purpose; this filter also masks anything that looks
like an email address, a UPN, an NHS number, a UK postcode or a bearer token if it slips into a message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

PATTERNS = [
    (re.compile(r"Bearer\s+\S+", re.I), "Bearer [redacted]"),
    (re.compile(r"cme_[0-9a-f]{8}_[A-Za-z0-9_\-]+"), "[api token]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b"), "[upn]"),
    (re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"), "[number]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I), "[postcode]"),
]


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("request_id", "user_id", "status_code", "path", "duration_ms", "job"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload)
