"""The child linkage model: Splink 5 settings, training, and the saved, versioned model.

Pinned to splink 5.0 and duckdb 2.0 (``linkage-notes.md`` §4-5). The comparisons are built from
Splink's level classes plus ``substr`` and plain equality, so the same model runs on DuckDB and on
Spark (``LinkageModel.settings_for(..., dialect="spark")`` rebuilds them in Spark SQL).

Comparisons (each level's label is what a reviewer reads in ``link.explain_pair``):

* ``first_name``: exact (term-frequency adjusted); same canonical name (Katie = Catherine,
  Muhammad = Mohammed, from ``variants``); Jaro-Winkler >= 0.92; similar (Jaro-Winkler >= 0.88, same
  metaphone, or one edit apart); first name and surname swapped; else.
* ``surname_and_home``: surname and home judged *together*. Siblings share both, and scoring them
  separately counts a family's shared home twice (notes §5.3, where dropping the address was the
  fix). Levels: same surname and same postcode + house number; same surname and same postcode or
  address; same surname, same sector or district (a partial "OX4" still agrees here); same surname
  elsewhere; similar surname (typo, spelling, half of a double-barrelled name, swap) at home, in the
  area, elsewhere; different surname at the same home; surname missing; else. Term frequencies
  adjust the levels where the surname alone is the evidence.
* ``dob``: exact; day and month transposed; one character different; same day and month in another
  year; same year and month (also partial dates); else. No "within ten years" level: every pair of
  school-age children is within ten years, so it would reward siblings (notes §5.5).
* ``sex``; ``upn``; ``nhs_number``: same, different, or missing (no evidence).
* ``twin_guard``: a fixed, untrained correction for the dependence Fellegi-Sunter ignores (notes
  §5.6). Twins share a birthday and a family or home, so the model would add those weights as if
  independent. When the birthday agrees (or is transposed), the surname or home agrees, and the
  first names are clearly different names (not a variant, not one edit, not the same sound), the
  pair loses ``TWIN_GUARD_MATCH_WEIGHT`` bits.

Blocking (a true pair must agree on one rule to be scored; counts measured with
``count_comparisons_from_blocking_rules``): canonical first name + surname, surname + dob,
canonical first name + dob, postcode + dob, surname metaphone + birth month, first-name metaphone +
birth month, first-name metaphone + surname metaphone, postcode + canonical first name, postcode +
surname, first-name metaphone + dob, names swapped, UPN, NHS number. (Surname metaphone + birth
*year* found fewer true pairs than the two birth-month rules and made 80 % of all candidate pairs
at 100,000 x 100,000, so it was replaced.)

Training (``train_linker``): the prior from ``deterministic_rules`` and a stated recall; u by seeded
random sampling; m by EM over ``training_sessions`` with the prior held, every comparison kept in
the E-step (see there for why), and each m floored at ``M_FLOOR``.

The saved model (``models/child_linkage_v1.json``) wraps Splink's settings JSON with a version, a
description of its training data, the deterministic rule's recall and the matches per record, so
the prior can be set on new data without retraining. Regenerate it with
``python -m cme.matching.linkage.train``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

__all__ = [
    "DEFAULT_MODEL_PATH",
    "LinkType",
    "LinkageModel",
    "MODEL_NAME",
    "MODEL_VERSION",
    "TWIN_GUARD_MATCH_WEIGHT",
    "build_settings",
    "comparisons",
    "deterministic_rules",
    "load_model",
    "model_from_linker",
    "prediction_blocking_rules",
    "save_model",
    "train_linker",
    "TrainingSession",
    "training_sessions",
]

LinkType = Literal["link_only", "dedupe_only", "link_and_dedupe"]

MODEL_NAME = "child_linkage"
MODEL_VERSION = "1"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / f"{MODEL_NAME}_v{MODEL_VERSION}.json"

#: The twin guard's fixed match weight (log2 Bayes factor). Twins agree on birthday (about +12
#: bits) and surname and home (about +16 together); the guard has to outweigh that at any input size,
#: as the prior shrinks with size. On the engine's extracts (5,000 a side) -12 left twin pairs linked
#: and -20 removed them (precision at p >= 0.5 0.966 -> 0.979, recall -0.1 point). The cost: a true
#: pair whose first names are unrelated (a middle name used as a first name) is not linked unless
#: an identifier agrees. For this product a missed link goes to review; a false one hides a child.
TWIN_GUARD_MATCH_WEIGHT = -20.0
_TWIN_GUARD_U = 0.001

#: Recall of ``deterministic_rules`` among true pairs, used when a caller has no better figure.
DEFAULT_DETERMINISTIC_RECALL = 0.7
#: Smallest m a trained level keeps (``_floor_m_probabilities``): about -10 bits at most per level.
M_FLOOR = 0.001
#: Seed for u sampling: the same input and seed give the same model.
DEFAULT_SEED = 20_160_403


def _similar_first_names() -> ComparisonLevelCreator:
    """First names that one typing error, a spelling or a variant's misspelling can explain."""
    return cll.Or(
        cll.JaroWinklerLevel("first_name", 0.88),
        cll.ExactMatchLevel("first_name_metaphone"),
        cll.DamerauLevenshteinLevel("first_name", 1),
        cll.DamerauLevenshteinLevel("first_name_canonical", 1),
    )


def _first_name_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First name",
        comparison_levels=[
            cll.NullLevel("first_name").configure(label_for_charts="First name missing"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True).configure(
                label_for_charts="Same first name"
            ),
            cll.ExactMatchLevel("first_name_canonical").configure(
                label_for_charts="Same name or a known variant (Katie = Catherine)"
            ),
            cll.JaroWinklerLevel("first_name", 0.92).configure(
                label_for_charts="Nearly the same (Jaro-Winkler >= 0.92)"
            ),
            _similar_first_names().configure(
                label_for_charts="Similar: one letter different, sounds the same, or Jaro-Winkler >= 0.88"
            ),
            cll.ColumnsReversedLevel("first_name", "surname").configure(
                label_for_charts="First name and surname swapped"
            ),
            cll.ElseLevel().configure(label_for_charts="Different first names"),
        ],
    )


_SURNAME_PART_SQL = (
    "surname_first_token_l = surname_first_token_r OR surname_last_token_l = surname_last_token_r "
    "OR surname_first_token_l = surname_last_token_r OR surname_last_token_l = surname_first_token_r"
)


def _similar_surnames() -> ComparisonLevelCreator:
    """Surnames a typing error, a spelling, half of a double-barrelled name or a swap explains."""
    return cll.Or(
        cll.JaroWinklerLevel("surname", 0.85),
        cll.ExactMatchLevel("surname_metaphone"),
        cll.CustomLevel(_SURNAME_PART_SQL),
        cll.ColumnsReversedLevel("surname", "first_name"),
    )


def _same_dwelling() -> ComparisonLevelCreator:
    return cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("address_numbers"))


def _same_home() -> ComparisonLevelCreator:
    """Same postcode, or the same address text (house numbers equal) when the postcode is off."""
    return cll.Or(
        cll.ExactMatchLevel("postcode"),
        cll.And(cll.ExactMatchLevel("address_numbers"), cll.JaroWinklerLevel("address", 0.9)),
    )


def _same_area() -> ComparisonLevelCreator:
    return cll.Or(cll.ExactMatchLevel("postcode_sector"), cll.ExactMatchLevel("postcode_district"))


_FAMILY_NULL_SQL = (
    "(surname_l IS NULL OR surname_r IS NULL) AND (postcode_district_l IS NULL OR postcode_district_r IS NULL) "
    "AND (address_l IS NULL OR address_r IS NULL)"
)


def _surname_and_home_comparison() -> ComparisonCreator:
    """Surname and home judged together, because siblings share both.

    Scored separately, a sibling pair would collect the surname's weight *and* the home's weight
    as if they were independent evidence (linkage-notes §5.3). Here the u of "same surname, same
    home" is measured jointly, so it is about the chance of being a sibling, and counted once. Term
    frequencies adjust only the levels where the surname is the evidence (not the home).
    """
    same_surname = cll.ExactMatchLevel("surname")
    return cl.CustomComparison(
        output_column_name="surname_and_home",
        comparison_description="Surname and home (postcode, address)",
        comparison_levels=[
            cll.CustomLevel(_FAMILY_NULL_SQL, "Surname, postcode and address missing").configure(is_null_level=True),
            cll.And(same_surname, _same_dwelling()).configure(
                label_for_charts="Same surname, same postcode and house number"
            ),
            cll.And(same_surname, _same_home()).configure(label_for_charts="Same surname, same postcode or address"),
            cll.And(same_surname, _same_area()).configure(
                label_for_charts="Same surname, same postcode sector or district",
                tf_adjustment_column="surname",
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            ),
            cll.ExactMatchLevel("surname").configure(
                label_for_charts="Same surname, home differs or unknown",
                tf_adjustment_column="surname",
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            ),
            cll.And(_similar_surnames(), _same_home()).configure(
                label_for_charts="Similar surname (typing error, spelling, part), same home"
            ),
            cll.And(_similar_surnames(), _same_area()).configure(label_for_charts="Similar surname, same area"),
            _similar_surnames().configure(label_for_charts="Similar surname, home differs or unknown"),
            _same_home().configure(label_for_charts="Different or missing surname, same home"),
            cll.NullLevel("surname").configure(label_for_charts="Surname missing, home differs", is_null_level=False),
            cll.ElseLevel().configure(label_for_charts="Different surname and home"),
        ],
    )


_DOB_SWAPPED_SQL = (
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
    "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
)


def _dob_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.CustomLevel("dob_ym_l IS NULL OR dob_ym_r IS NULL", "Date of birth missing").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("dob").configure(label_for_charts="Same date of birth"),
            cll.CustomLevel(_DOB_SWAPPED_SQL, "Day and month transposed"),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One character different"),
            cll.CustomLevel("substr(dob_l, 6, 5) = substr(dob_r, 6, 5)", "Same day and month, another year"),
            cll.ExactMatchLevel("dob_ym").configure(label_for_charts="Same year and month (day differs or unknown)"),
            cll.ElseLevel().configure(label_for_charts="Different dates of birth"),
        ],
    )


def _sex_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex").configure(label_for_charts="Sex missing"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="Same sex"),
            cll.ElseLevel().configure(label_for_charts="Different sex"),
        ],
    )


def _identifier_comparison(column: str, label: str) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=label,
        comparison_levels=[
            cll.NullLevel(column).configure(label_for_charts=f"{label} missing"),
            cll.ExactMatchLevel(column).configure(label_for_charts=f"Same {label}"),
            cll.ElseLevel().configure(label_for_charts=f"Different {label}"),
        ],
    )


def _twin_guard_comparison() -> ComparisonCreator:
    m_guard = _TWIN_GUARD_U * 2.0**TWIN_GUARD_MATCH_WEIGHT
    same_birthday = cll.Or(cll.ExactMatchLevel("dob"), cll.CustomLevel(_DOB_SWAPPED_SQL))
    same_family_or_home = cll.Or(
        cll.JaroWinklerLevel("surname", 0.92),
        cll.ExactMatchLevel("surname_metaphone"),
        cll.ExactMatchLevel("postcode"),
        cll.And(cll.ExactMatchLevel("address_numbers"), cll.JaroWinklerLevel("address", 0.9)),
    )
    different_names = cll.And(
        cll.Not(cll.ExactMatchLevel("first_name_canonical")),
        cll.Not(_similar_first_names()),
        cll.Not(cll.ColumnsReversedLevel("first_name", "surname")),
    )
    return cl.CustomComparison(
        output_column_name="twin_guard",
        comparison_description="Twin guard (fixed, not trained)",
        comparison_levels=[
            cll.Or(cll.NullLevel("first_name"), cll.NullLevel("dob")).configure(
                label_for_charts="Not applicable (first name or date of birth missing)", is_null_level=True
            ),
            cll.And(same_birthday, same_family_or_home, different_names).configure(
                label_for_charts="Different first names, same birthday and family or home (twins?)",
                m_probability=m_guard,
                u_probability=_TWIN_GUARD_U,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(
                label_for_charts="No twin pattern",
                m_probability=1.0 - m_guard,
                u_probability=1.0 - _TWIN_GUARD_U,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
        ],
    )


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    """The model's comparisons, in the order they appear in explanations."""
    return [
        _first_name_comparison(),
        _surname_and_home_comparison(),
        _dob_comparison(),
        _sex_comparison(),
        _identifier_comparison("upn", "UPN"),
        _identifier_comparison("nhs_number", "NHS number"),
        _twin_guard_comparison(),
    ]


def prediction_blocking_rules() -> list[BlockingRuleCreator | dict[str, Any]]:
    """Rules that choose the pairs to score: a true pair needs to agree on one of them."""
    return [
        block_on("first_name_canonical", "surname"),
        block_on("surname", "dob"),
        block_on("first_name_canonical", "dob"),
        block_on("postcode", "dob"),
        block_on("surname_metaphone", "dob_ym"),
        block_on("first_name_metaphone", "dob_ym"),
        block_on("first_name_metaphone", "surname_metaphone"),
        block_on("postcode", "first_name_canonical"),
        block_on("postcode", "surname"),
        block_on("first_name_metaphone", "dob"),
        CustomRule("l.first_name = r.surname AND l.surname = r.first_name"),
        block_on("upn"),
        block_on("nhs_number"),
    ]


@dataclass(frozen=True)
class TrainingSession:
    """One EM pass: the pairs it looks at, and the comparison held fixed because the block implies it."""

    rule: str
    frozen: str


def training_sessions() -> list[TrainingSession]:
    """EM passes. Each blocks on *copies* of columns (``block_*``) that no comparison reads.

    Splink's own behaviour is to drop a comparison from EM when the blocking rule uses its columns,
    and to fold its weight into the prior. That discards the twin guard (it reads ``dob``) and, at a
    council's scale, lets pairs that share only a first name and a birthday pull the "different
    surname and home" m up several-fold. Blocking on copies keeps every comparison in the E-step;
    the comparison the block conditions on is held at its current m (``frozen``) instead.

    * same date of birth and surname initial: estimates first name, surname and home, sex, ids.
      The initial keeps each cell small (a birthday alone puts ~25 children of a council in a cell,
      and first-name coincidences swamp EM); it loses only matches whose surname changed initial.
    * same postcode: estimates first name, date of birth, sex, ids.
    """
    return [
        TrainingSession("l.block_dob = r.block_dob AND l.block_surname_initial = r.block_surname_initial", "dob"),
        TrainingSession("l.block_postcode = r.block_postcode", "surname_and_home"),
    ]


def deterministic_rules() -> list[str | BlockingRuleCreator]:
    """Rules that admit almost no false pairs, used to estimate the prior on new data."""
    return [block_on("first_name_canonical", "surname", "dob")]


def build_settings(link_type: LinkType) -> SettingsCreator:
    """Untrained settings for ``link_type``."""
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=prediction_blocking_rules(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=25,
        em_convergence=0.0001,
    )


def _levels(linker: Linker, comparison_name: str) -> list[Any]:
    """The non-null levels of one comparison in the linker's *current* settings (splink 5.0)."""
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name == comparison_name:
            return [level for level in comparison.comparison_levels if not level.is_null_level]
    raise KeyError(comparison_name)


def train_linker(
    linker: Linker,
    *,
    recall: float = DEFAULT_DETERMINISTIC_RECALL,
    seed: int = DEFAULT_SEED,
    max_u_pairs: float = 5e6,
    max_em_pairs: float = 5e6,
) -> None:
    """Estimate the prior, u and m on the linker's own data (unsupervised).

    The prior comes from ``deterministic_rules`` and the stated recall, u from seeded random
    sampling, m from EM over ``training_sessions`` with the prior held fixed.
    """
    linker.training.estimate_probability_two_random_records_match(deterministic_rules(), recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=seed)
    for session in training_sessions():
        # Hold the frozen comparison's m for this pass. Splink copies the settings during EM, so
        # the flags and the record of "trained" values are undone on the settings it leaves behind.
        recorded = [len(level._trained_m_probabilities) for level in _levels(linker, session.frozen)]
        for level in _levels(linker, session.frozen):
            level._fix_m_probability = True
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                session.rule,
                estimate_without_term_frequencies=False,
                fix_probability_two_random_records_match=True,
                max_pairs=max_em_pairs,
            )
        finally:
            for level, count in zip(_levels(linker, session.frozen), recorded, strict=True):
                level._fix_m_probability = False
                del level._trained_m_probabilities[count:]
    _floor_m_probabilities(linker, M_FLOOR)


def _floor_m_probabilities(linker: Linker, floor: float) -> None:
    """Raise every trained m below ``floor`` to it and renormalise the comparison.

    EM can drive a level's m to zero (no true pair seemed to fall there), which would make that
    level veto any pair at -30 bits or more. Real records always carry some errors, so an m of zero
    is never right; the floor caps a level's penalty near log2(floor).
    """
    for comparison in linker._settings_obj.comparisons:
        levels = [level for level in comparison.comparison_levels if not level.is_null_level]
        if any(level._fix_m_probability for level in levels):
            continue
        values = [level.m_probability if isinstance(level.m_probability, float) else None for level in levels]
        if all(value is None for value in values):
            continue
        raised = [max(value if value is not None else 0.0, floor) for value in values]
        total = sum(raised)
        for level, value in zip(levels, raised, strict=True):
            level.m_probability = value / total


# ------------------------------------------------------------------------------ the saved model
@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink's settings plus what the engine needs to reuse them."""

    settings: dict[str, Any]
    version: str = f"{MODEL_NAME}_v{MODEL_VERSION}"
    deterministic_recall: float = DEFAULT_DETERMINISTIC_RECALL
    matches_per_record: float = 0.8
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def probability_two_random_records_match(self) -> float:
        return float(self.settings["probability_two_random_records_match"])

    def settings_for(
        self,
        link_type: LinkType,
        *,
        prior: float | None = None,
        explain: bool = False,
        dialect: str = "duckdb",
    ) -> dict[str, Any]:
        """A copy of the settings for ``link_type``, with ``prior`` as the match probability.

        For another SQL dialect (Spark) the comparisons are rebuilt from this module in that
        dialect and the trained parameters copied across level by level.
        """
        settings: dict[str, Any] = json.loads(json.dumps(self.settings))
        if settings.get("sql_dialect", "duckdb") != dialect:
            settings = _translated(settings, link_type, dialect)
        settings["link_type"] = link_type
        settings.pop("linker_uid", None)
        if prior is not None:
            settings["probability_two_random_records_match"] = prior
        if explain:
            settings["retain_matching_columns"] = True
            settings["retain_intermediate_calculation_columns"] = True
        return settings

    def scaled_prior(self, link_type: LinkType, sizes: Sequence[int]) -> float:
        """The prior for inputs of these sizes, assuming the training data's overlap.

        ``matches_per_record`` is the expected number of true partners per record of the smaller
        side; spread over every possible pair it gives the probability that two random records
        match. Used when the input is too small to estimate the prior from its own data.
        """
        total = sum(sizes)
        if link_type == "link_only" and len(sizes) == 2:
            denominator = max(max(sizes), 1)
        else:
            denominator = max(total - 1, 1)
        return _clamp_prior(self.matches_per_record / denominator)

    def to_json(self) -> dict[str, Any]:
        return {
            "cme_model": {
                "version": self.version,
                "deterministic_recall": self.deterministic_recall,
                "matches_per_record": self.matches_per_record,
                **self.metadata,
            },
            "splink_settings": self.settings,
        }


def _translated(saved: dict[str, Any], link_type: LinkType, dialect: str) -> dict[str, Any]:
    """``build_settings`` in ``dialect`` carrying the saved model's trained parameters."""
    fresh = build_settings(link_type).create_settings_dict(dialect)
    saved_comparisons = saved["comparisons"]
    if [c["output_column_name"] for c in saved_comparisons] != [c["output_column_name"] for c in fresh["comparisons"]]:
        raise ValueError("The saved model's comparisons differ from this engine's; retrain it.")
    for saved_comparison, comparison in zip(saved_comparisons, fresh["comparisons"], strict=True):
        saved_levels, levels = saved_comparison["comparison_levels"], comparison["comparison_levels"]
        if [lv["label_for_charts"] for lv in saved_levels] != [lv["label_for_charts"] for lv in levels]:
            raise ValueError(f"The saved model's {comparison['output_column_name']} levels differ; retrain it.")
        for saved_level, level in zip(saved_levels, levels, strict=True):
            for key in ("m_probability", "u_probability"):
                if key in saved_level:
                    level[key] = saved_level[key]
    fresh["probability_two_random_records_match"] = saved["probability_two_random_records_match"]
    return fresh


def _clamp_prior(prior: float) -> float:
    if not math.isfinite(prior):
        return 1e-6
    return min(max(prior, 1e-12), 0.99)


def model_from_linker(
    linker: Linker,
    *,
    sizes: Sequence[int],
    deterministic_recall: float,
    description: str,
    extra: dict[str, Any] | None = None,
) -> LinkageModel:
    """Capture a trained linker as a ``LinkageModel`` (``sizes``: records per input)."""
    import duckdb
    import splink

    settings = linker.misc.save_model_to_json(out_path=None)
    link_type: LinkType = settings["link_type"]
    prior = float(settings["probability_two_random_records_match"])
    if link_type == "link_only" and len(sizes) == 2:
        matches_per_record = prior * max(sizes)
    else:
        matches_per_record = prior * max(sum(sizes) - 1, 1)
    metadata: dict[str, Any] = {
        "trained_on": description,
        "trained_link_type": link_type,
        "trained_sizes": list(sizes),
        "created": dt.date.today().isoformat(),
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
    }
    metadata.update(extra or {})
    return LinkageModel(
        settings=settings,
        deterministic_recall=deterministic_recall,
        matches_per_record=matches_per_record,
        metadata=metadata,
    )


def save_model(model: LinkageModel, path: Path | str = DEFAULT_MODEL_PATH) -> Path:
    """Write the model as JSON (stable key order, so a retrain shows as a readable diff)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(model.to_json(), indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return target


def load_model(path: Path | str | None = None) -> LinkageModel:
    """Read a saved model (the shipped one by default)."""
    source = Path(path) if path is not None else DEFAULT_MODEL_PATH
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"No linkage model at {source}. Train one with `python -m cme.matching.linkage.train`."
        ) from exc
    if "splink_settings" not in data or "cme_model" not in data:
        raise ValueError(f"{source} is not a cme linkage model (no 'cme_model'/'splink_settings').")
    meta = dict(data["cme_model"])
    version = str(meta.pop("version"))
    recall = float(meta.pop("deterministic_recall", DEFAULT_DETERMINISTIC_RECALL))
    per_record = float(meta.pop("matches_per_record", 0.8))
    return LinkageModel(
        settings=data["splink_settings"],
        version=version,
        deterministic_recall=recall,
        matches_per_record=per_record,
        metadata=meta,
    )
