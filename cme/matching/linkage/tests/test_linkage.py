from __future__ import annotations

import importlib.util
import subprocess
import sys

import pandas as pd
import pytest

from cme.matching.linkage.link import (
    BackendUnavailable,
    cluster,
    explain_pair,
    link_frames,
    make_db_api,
)
from cme.matching.linkage.model import TWIN_GUARD_MATCH_WEIGHT, LinkageModel, load_model, save_model
from cme.matching.linkage.synthetic import Extracts, dedupe_extract
from cme.matching.linkage.tests.conftest import Scored, precision_recall


def test_mohammed_ali_in_hmrc_is_muhammad_aly_on_the_roll(shipped: Scored) -> None:
    assert shipped.probability("LX1", "RX1") >= 0.5


def test_cousins_with_the_same_name_are_not_linked(shipped: Scored) -> None:
    # same first name and surname, different date of birth and postcode
    for left_id, right_id in [("LX2", "RX1"), ("LX1", "RX2"), ("LX2", "RX2")]:
        assert shipped.probability(left_id, right_id) < 0.5, (left_id, right_id)


def test_twins_are_not_linked_to_each_other(shipped: Scored) -> None:
    # same surname, date of birth, postcode and address; different first names (and sex for LT1/LT2)
    for left_id, right_id in [("LT1", "RT2"), ("LT2", "RT1"), ("LT3", "RT4"), ("LT4", "RT3")]:
        assert shipped.probability(left_id, right_id) < 0.5, (left_id, right_id)
    for left_id, right_id in [("LT1", "RT1"), ("LT2", "RT2"), ("LT3", "RT3"), ("LT4", "RT4")]:
        assert shipped.probability(left_id, right_id) >= 0.5, (left_id, right_id)


def test_a_day_month_swap_is_linked(shipped: Scored) -> None:
    assert shipped.probability("LS1", "RS1") >= 0.5


def test_shipped_model_precision_and_recall_on_noisy_extracts(shipped: Scored) -> None:
    precision, recall = precision_recall(shipped.pairs, shipped.extracts.truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_results_are_sorted_and_typed(shipped: Scored) -> None:
    pairs = shipped.pairs
    assert list(pairs.columns) == ["left_id", "right_id", "probability", "match_weight"]
    assert pairs.probability.is_monotonic_decreasing
    assert pairs.left_id.str.startswith("L").all() and pairs.right_id.str.startswith("R").all()


def test_the_synthetic_councils_extracts_link_well() -> None:
    if importlib.util.find_spec("cme.synthetic") is None:
        pytest.skip("cme.synthetic is not available")
    from cme.synthetic import generate_council
    from cme.synthetic.extracts import partner_extract

    council = generate_council(children=1500, seed=5)

    def frame(source: str) -> tuple[pd.DataFrame, dict[str, int]]:
        records = partner_extract(council, source, seed=2, on=council.on)
        rows = [
            {"id": r.record_id, "first_name": r.first_name, "last_name": r.last_name,
             "dob": r.dob.isoformat() if r.dob else None, "sex": r.sex, "postcode": r.postcode,
             "address": r.address, "upn": r.upn, "nhs_number": r.nhs_number}
            for r in records
        ]
        return pd.DataFrame(rows), {r.record_id: r.true_child_key for r in records}

    left, left_keys = frame("health")
    right, right_keys = frame("hmrc_child_benefit")
    truth = frozenset((a, b) for a, ka in left_keys.items() for b, kb in right_keys.items() if ka == kb)
    precision, recall = precision_recall(link_frames(left, right, progress=False), truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_training_on_the_input_reaches_the_same_quality(extracts: Extracts, trained: LinkageModel) -> None:
    pairs = link_frames(extracts.left, extracts.right, model=trained, progress=False)
    precision, recall = precision_recall(pairs, extracts.truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert trained.metadata["trained_on"] == "test fixture"


def test_a_saved_model_loads_and_predicts_identically(
    extracts: Extracts, trained: LinkageModel, tmp_path: pytest.TempPathFactory
) -> None:
    path = save_model(trained, tmp_path / "model.json")  # type: ignore[operator]
    loaded = load_model(path)
    assert loaded.settings == trained.settings and loaded.version == trained.version
    before = link_frames(extracts.left, extracts.right, model=trained, threshold=0.2, progress=False)
    after = link_frames(extracts.left, extracts.right, model_path=path, threshold=0.2, progress=False)
    pd.testing.assert_frame_equal(before, after)


def test_the_shipped_model_is_versioned_and_describes_its_training_data() -> None:
    model = load_model()
    assert model.version == "child_linkage_v1"
    assert "linkage_extracts" in model.metadata["trained_on"]
    assert model.metadata["splink_version"].startswith("5.")
    assert 0 < model.deterministic_recall <= 1


def test_explain_pair_gives_each_comparisons_level_and_weight() -> None:
    left = {"id": "1", "first_name": "Mohammed", "last_name": "Ali", "dob": "2016-04-03", "postcode": "OX4 1AB"}
    right = {"id": "2", "first_name": "MUHAMMAD", "last_name": "ALY", "dob": "03/04/2016", "postcode": "OX4"}
    explanation = explain_pair(left, right)
    by_name = {c.comparison: c for c in explanation.comparisons}
    assert by_name["first_name"].level.startswith("Same name or a known variant")
    assert by_name["dob"].level == "Same date of birth"
    assert (by_name["first_name"].left, by_name["first_name"].right) == ("mohammed", "muhammad")
    assert by_name["sex"].match_weight == 0  # missing on one side: no evidence either way
    total = explanation.prior_match_weight + sum(c.match_weight for c in explanation.comparisons)
    assert total == pytest.approx(explanation.match_weight, abs=0.01)
    assert explanation.probability > 0.5
    frame = explanation.to_frame()
    assert list(frame.columns) == ["comparison", "level", "left", "right", "match_weight"]
    assert frame.iloc[0]["comparison"] == "prior"


def test_explain_pair_shows_the_twin_guard() -> None:
    twin = {"first_name": "Amira", "last_name": "Khan", "dob": "2015-06-01", "sex": "F", "postcode": "OX4 2AB",
            "address": "12 Iffley Road"}
    explanation = explain_pair({**twin, "id": "a"}, {**twin, "id": "b", "first_name": "Yusuf", "sex": "M"})
    guard = next(c for c in explanation.comparisons if c.comparison == "twin_guard")
    assert guard.level.startswith("Different first names, same birthday")
    assert guard.match_weight == pytest.approx(TWIN_GUARD_MATCH_WEIGHT, abs=0.01)
    assert explanation.probability < 0.01


def test_deduplicating_one_file() -> None:
    extract = dedupe_extract(1200, seed=7)
    pairs = link_frames(extract.left, dedupe=True, progress=False)
    precision, recall = precision_recall(pairs, extract.truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert (pairs.left_id < pairs.right_id).all()


def test_link_and_dedupe_needs_ids_unique_across_files() -> None:
    frame = pd.DataFrame({"id": ["1"], "first_name": ["Ann"]})
    with pytest.raises(ValueError, match="unique across both files"):
        link_frames(frame, frame, dedupe=True, progress=False)
    with pytest.raises(ValueError, match="dedupe=True"):
        link_frames(frame, progress=False)


def test_cluster_groups_pairs_into_persons() -> None:
    pairs = pd.DataFrame(
        {"left_id": ["a", "b", "x", "c"], "right_id": ["b", "c", "y", "z"], "probability": [0.99, 0.95, 0.97, 0.4]}
    )
    clusters = cluster(pairs, threshold=0.9, ids=["lonely"])
    assert clusters["a"] == clusters["b"] == clusters["c"] == "a"
    assert clusters["x"] == clusters["y"] == "x"
    assert clusters["lonely"] == "lonely"
    assert "z" not in clusters  # only in a pair below the threshold


def test_spark_backend_explains_how_to_install_pyspark() -> None:
    if importlib.util.find_spec("pyspark") is not None:
        pytest.skip("pyspark is installed")
    with pytest.raises(BackendUnavailable, match="pip install 'pyspark"):
        make_db_api("spark")


def test_the_engine_does_not_import_django() -> None:
    code = (
        "import sys, cme.matching.linkage.link, cme.matching.linkage.cli, cme.matching.linkage.stream,"
        " cme.matching.linkage.train;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603
