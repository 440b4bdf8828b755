"""Demo data for the Children Not In School register: none. The register awaits commencement regulations
(R6.1) and is off in the demo council (`cnis_register_enabled` is False), so there is nothing to show."""

from __future__ import annotations

import datetime as dt

from cme.core.models import LocalAuthority


def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    return {"CNIS entries": 0}
