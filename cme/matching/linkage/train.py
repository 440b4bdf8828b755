"""Train the shipped model on synthetic extracts and save it (``models/child_linkage_v1.json``).

    .venv/bin/python -m cme.matching.linkage.train            # the shipped model
    .venv/bin/python -m cme.matching.linkage.train --n 20000 --out /tmp/model.json

Training is unsupervised (u by random sampling, m by EM, see ``model.train_linker``). The labels
the generator knows are used for one thing only: measuring the recall of the deterministic rule,
which the engine needs to set the prior on new data. Retrain, and bump ``MODEL_VERSION``, whenever
the comparisons, the standardisation or the generator change.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from cme.matching.linkage.link import train_model
from cme.matching.linkage.model import DEFAULT_MODEL_PATH, LinkageModel, save_model
from cme.matching.linkage.standardise import prepare
from cme.matching.linkage.synthetic import HMRC_STYLE, SCHOOL_ROLL_STYLE, linkage_extracts

__all__ = ["deterministic_recall", "main", "train_shipped_model"]

#: The training sample: a council-sized pair of extracts (u for household levels depends on scale).
TRAINING_RECORDS = 100_000
TRAINING_SEED = 931  # distinct from every seed the tests and the benchmark use
MAX_U_PAIRS = 1e7


def deterministic_recall(left: pd.DataFrame, right: pd.DataFrame, truth: frozenset[tuple[str, str]]) -> float:
    """Share of true pairs that agree exactly on canonical first name, surname and date of birth."""
    keys = ["first_name_canonical", "surname", "dob"]
    prepared_left = prepare(left).set_index("unique_id")[keys]
    prepared_right = prepare(right).set_index("unique_id")[keys]
    truth_frame = pd.DataFrame(sorted(truth), columns=["left_id", "right_id"])
    joined = truth_frame.merge(prepared_left, left_on="left_id", right_index=True).merge(
        prepared_right, left_on="right_id", right_index=True, suffixes=("", "_r")
    )
    agree = pd.Series(True, index=joined.index)
    for key in keys:
        agree &= joined[key].notna() & (joined[key] == joined[f"{key}_r"])
    return float(agree.mean())


def train_shipped_model(n: int = TRAINING_RECORDS, *, seed: int = TRAINING_SEED) -> LinkageModel:
    """Train on a school roll against an HMRC-style extract; 30 % of HMRC rows carry a UPN or
    NHS number so that the identifier comparisons are estimated too."""
    right_style = replace(HMRC_STYLE, upn=0.3, nhs_number=0.3)
    left_style = replace(SCHOOL_ROLL_STYLE, nhs_number=0.3)
    extracts = linkage_extracts(n, seed=seed, left_style=left_style, right_style=right_style)
    if extracts.right is None:  # pragma: no cover - linkage_extracts always makes two
        raise RuntimeError("linkage_extracts returned one extract")
    recall = deterministic_recall(extracts.left, extracts.right, extracts.truth)
    description = (
        f"cme.matching.linkage.synthetic.linkage_extracts(n={n}, seed={seed}): a school roll "
        f"(UPN 97 %, NHS number 30 %) against an HMRC-style extract (UPN 30 %, NHS number 30 %), "
        f"{len(extracts.truth)} true pairs; unsupervised training (u: random sampling, "
        f"{MAX_U_PAIRS:.0e} pairs; m: EM)"
    )
    return train_model(extracts.left, extracts.right, description=description, recall=recall, max_u_pairs=MAX_U_PAIRS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=TRAINING_RECORDS, help="records per extract")
    parser.add_argument("--seed", type=int, default=TRAINING_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = train_shipped_model(args.n, seed=args.seed)
    path = save_model(model, args.out)
    print(f"saved {model.version} to {path} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
