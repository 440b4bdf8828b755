"""Fixtures for the linkage engine tests (pure Python: run with ``-p no:django``).

Everything slow is built once per session: the synthetic extracts, one scoring run with the shipped
model, and one model trained on the extracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from cme.matching.linkage.link import link_frames, train_model
from cme.matching.linkage.model import LinkageModel
from cme.matching.linkage.synthetic import Extracts, linkage_extracts

COLUMNS = ["id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn"]

#: Hand-made records for the cases the issue names; appended to the synthetic extracts.
SPECIAL_LEFT = [
    ("LX1", "Mohammed", "Ali", "2016-04-03", "M", "OX4 1AB", "12 Cowley Road", None),
    ("LX2", "Mohammed", "Ali", "2014-09-12", "M", "OX1 2JD", "3 Cherwell Street", None),  # a cousin
    ("LT1", "Amira", "Khan", "2015-06-01", "F", "OX4 2AB", "12 Iffley Road", None),  # twins
    ("LT2", "Yusuf", "Khan", "2015-06-01", "M", "OX4 2AB", "12 Iffley Road", None),
    ("LT3", "Oliver", "Pemberton", "2012-11-20", "M", "OX2 6QY", "5 Walton Street", None),  # same-sex twins
    ("LT4", "Harry", "Pemberton", "2012-11-20", "M", "OX2 6QY", "5 Walton Street", None),
    ("LS1", "Zofia", "Nowak", "2014-03-07", "F", "OX4 4XN", "22 Rose Hill", None),
]
SPECIAL_RIGHT = [
    ("RX1", "MUHAMMAD", "ALY", "03/04/2016", None, "OX4", None, None),  # HMRC style
    ("RX2", "MOHAMMED", "ALI", "11/02/2013", "M", "OX3 9DU", "7 Headington Rd", None),  # another cousin
    ("RT1", "AMIRA", "KHAN", "01/06/2015", "F", "OX4 2AB", "12 Iffley Rd", None),
    ("RT2", "YUSUF", "KHAN", "01/06/2015", "M", "OX4 2AB", "12 Iffley Rd", None),
    ("RT3", "OLIVER", "PEMBERTON", "20/11/2012", "M", "OX2 6QY", "5 Walton St", None),
    ("RT4", "HARRY", "PEMBERTON", "20/11/2012", "M", "OX2 6QY", "5 Walton St", None),
    ("RS1", "ZOFIA", "NOWAK", "2014-07-03", "F", "OX4 4XN", "22 Rose Hill", None),  # day and month swapped
]


@dataclass(frozen=True)
class Scored:
    extracts: Extracts
    pairs: pd.DataFrame

    def probability(self, left_id: str, right_id: str) -> float:
        hit = self.pairs[(self.pairs.left_id == left_id) & (self.pairs.right_id == right_id)]
        return float(hit.probability.iloc[0]) if len(hit) else 0.0


def with_specials(extracts: Extracts) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert extracts.right is not None
    left = pd.concat([extracts.left, pd.DataFrame(SPECIAL_LEFT, columns=COLUMNS)], ignore_index=True)
    right = pd.concat([extracts.right, pd.DataFrame(SPECIAL_RIGHT, columns=COLUMNS)], ignore_index=True)
    return left, right


@pytest.fixture(scope="session")
def extracts() -> Extracts:
    """About 2,000 children on a school roll and in an HMRC-style extract (85 % overlap)."""
    return linkage_extracts(2000, seed=101)


@pytest.fixture(scope="session")
def shipped(extracts: Extracts) -> Scored:
    """Every scored pair (p >= 0.001) from the shipped model, specials included."""
    left, right = with_specials(extracts)
    return Scored(extracts, link_frames(left, right, threshold=0.001, progress=False))


@pytest.fixture(scope="session")
def trained(extracts: Extracts) -> LinkageModel:
    """A model trained (unsupervised) on the session's extracts."""
    return train_model(extracts.left, extracts.right, description="test fixture", max_u_pairs=3e5)


def precision_recall(
    pairs: pd.DataFrame, truth: frozenset[tuple[str, str]], threshold: float = 0.5
) -> tuple[float, float]:
    chosen = pairs[pairs.probability >= threshold]
    predicted = set(zip(chosen.left_id, chosen.right_id, strict=True))
    true_positives = len(predicted & truth)
    return true_positives / max(len(predicted), 1), true_positives / max(len(truth), 1)
