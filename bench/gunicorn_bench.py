"""gunicorn configuration for bench/perf_plan.py only (`gunicorn -c bench/gunicorn_bench.py`); never production.

PERF-5 (audit overhead) compares the service with and without read auditing. The "without" side is this
benchmark-only switch: when the bench starts gunicorn with CME_BENCH_NO_READ_AUDIT=1, each worker, once it has
loaded the application, replaces `Auditor.record` / `Auditor.record_many` with versions that skip VIEW, SEARCH
and EXPORT events (every other event, changes and sign-ins included, is still written). Production code has no
such switch: this file is read by no other entry point, and without the variable it changes nothing.
"""

from __future__ import annotations

import os
from typing import Any

READ_ACTIONS = frozenset({"view", "search", "export"})


def post_worker_init(worker: Any) -> None:
    if os.environ.get("CME_BENCH_NO_READ_AUDIT") != "1":
        return
    from cme.audit.services import Auditor

    record, record_many = Auditor.record, Auditor.record_many

    def record_unless_read(self: Auditor, action: str, obj: Any = None, **kwargs: Any) -> Any:
        if str(action) in READ_ACTIONS:
            return self._event(action, obj, **kwargs)  # built as usual, not saved
        return record(self, action, obj, **kwargs)

    def record_many_unless_read(self: Auditor, action: str, objects: Any, **kwargs: Any) -> int:
        if str(action) in READ_ACTIONS:
            return len(list(objects))
        return record_many(self, action, objects, **kwargs)

    Auditor.record = record_unless_read  # type: ignore[method-assign]
    Auditor.record_many = record_many_unless_read  # type: ignore[method-assign]
    worker.log.warning("bench: read auditing (view, search, export) is OFF in this worker")
