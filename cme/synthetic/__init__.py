"""The single synthetic-data generator for the whole product (pure Python, no Django).

Synthetic data only: no real people. Typical use::

    from cme.synthetic import generate_council, partner_extract, school_feed_day

    council = generate_council(children=20_000, seed=0)          # demo size; 100k / 1M for benchmarks
    health = partner_extract(council, "health", seed=1, on=council.on)
    feed = school_feed_day(council, day=council.on, seed=1)     # Wonde-shaped pages per school

``generate_council`` builds schools, households, children, contacts, enrolment histories, risk flags,
elective home education and the hidden truth (``truth_status``) as frozen dataclasses
(``cme.synthetic.specs``). ``iter_council`` streams the same council in household batches for bounded
memory. ``partner_extract`` gives noisy health, child benefit, social care, admissions and Border Force
records; ``school_feed_day``/``feed_days`` give the daily school feed. ``NAME_VARIANTS`` and
``NICKNAMES`` live in ``cme.synthetic.names``. ``python -m cme.synthetic --children 100000`` prints
what a council holds and how long it took.
"""

from __future__ import annotations

from cme.synthetic.council import DEFAULT_ON, fingerprint, generate_council, iter_council
from cme.synthetic.extracts import partner_extract
from cme.synthetic.feed import feed_days, iter_school_feed, school_feed_day
from cme.synthetic.noise import NoiseRates
from cme.synthetic.specs import (
    AddressSpec,
    ChildSpec,
    ContactSpec,
    Council,
    CouncilBatch,
    EHESpec,
    EnrolmentSpec,
    ExtractRecord,
    HouseholdSpec,
    LASpec,
    RiskFlagSpec,
    SchoolSpec,
    TruthSpec,
)

__all__ = [
    "DEFAULT_ON",
    "AddressSpec",
    "ChildSpec",
    "ContactSpec",
    "Council",
    "CouncilBatch",
    "EHESpec",
    "EnrolmentSpec",
    "ExtractRecord",
    "HouseholdSpec",
    "LASpec",
    "NoiseRates",
    "RiskFlagSpec",
    "SchoolSpec",
    "TruthSpec",
    "feed_days",
    "fingerprint",
    "generate_council",
    "iter_council",
    "iter_school_feed",
    "partner_extract",
    "school_feed_day",
]
