"""Shared councils for the generator's tests.

The default is a 2,000-child council (fast). To run the same checks at scale or on another seed:
``CME_SYNTHETIC_CHILDREN=20000 CME_SYNTHETIC_SEED=3 pytest cme/synthetic -p no:django``.
"""

from __future__ import annotations

import os

import pytest

from cme.synthetic import Council, generate_council

CHILDREN = int(os.environ.get("CME_SYNTHETIC_CHILDREN", "2000"))
SEED = int(os.environ.get("CME_SYNTHETIC_SEED", "0"))


@pytest.fixture(scope="session")
def council() -> Council:
    return generate_council(children=CHILDREN, seed=SEED)
