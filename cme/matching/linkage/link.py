"""Link two files of children, or deduplicate one, and explain or cluster the result.

DuckDB is the default backend and needs nothing beyond the lock file. It handles a council's
extracts in seconds and, with chunked prediction, national volumes on one large machine
(``linkage-notes.md`` §6).

Spark backend (``backend="spark"``, ``link_files --backend spark``)
-------------------------------------------------------------------
Use it where a cluster is mandated or the data already lives in Spark. The model, blocking rules
and results are the same as with DuckDB. pyspark is not in the lock file. To run it locally::

    # Java 17 is needed for Spark 4 (Debian: apt-get install -y openjdk-17-jre-headless)
    .venv/bin/pip install 'pyspark>=3.5,<5'
    .venv/bin/python manage.py link_files LEFT.csv RIGHT.csv --out PAIRS.csv --backend spark

The engine then starts a local-mode session (``local[*]``) with Splink's similarity-function jar
on ``spark.jars``, 16 shuffle partitions, and a warehouse and checkpoint directory under a
temporary directory (linkage-notes §5.11). On a cluster, build your own ``SparkSession`` and pass
it as ``spark_session=``; everything else is unchanged. Expect local mode to be several times
slower than DuckDB (notes: about 9x); it is there to prove the path, not for speed.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from splink import Linker
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame

from cme.matching.linkage.model import (
    DEFAULT_DETERMINISTIC_RECALL,
    DEFAULT_SEED,
    LinkageModel,
    LinkType,
    build_settings,
    deterministic_rules,
    load_model,
    model_from_linker,
    train_linker,
)
from cme.matching.linkage.progress import Stages
from cme.matching.linkage.standardise import prepare

__all__ = [
    "Backend",
    "BackendUnavailable",
    "ComparisonExplanation",
    "LINK_STAGES",
    "MIN_RECORDS_FOR_PRIOR_ESTIMATE",
    "PAIR_COLUMNS",
    "PairExplanation",
    "cluster",
    "explain_pair",
    "link_frames",
    "link_type_for",
    "make_db_api",
    "make_linker",
    "pairs_sql",
    "predict_pairs",
    "train_model",
]

Backend = Literal["duckdb", "spark"]

#: Columns of ``link_frames``' result.
PAIR_COLUMNS = ("left_id", "right_id", "probability", "match_weight")
#: The stages ``link_frames`` reports on a ``Stages`` bar.
LINK_STAGES = ("prepare", "block", "predict")
#: Below this many records on the smaller side the prior is scaled from the saved model instead of
#: being estimated from the input (too few exact matches to count).
MIN_RECORDS_FOR_PRIOR_ESTIMATE = 1000
#: Spark: shuffle partitions for local mode (notes §5.11).
SPARK_SHUFFLE_PARTITIONS = 16
#: DuckDB's working memory before it spills to disk (its default is 80% of RAM). Override with the environment
#: variable CME_LINKAGE_MEMORY_LIMIT (e.g. "4GB") on a bigger machine; it is read each time a database is opened.
DUCKDB_MEMORY_LIMIT = "1GB"

_SPLINK_LOG_LEVEL = logging.WARNING


class BackendUnavailable(RuntimeError):
    """The requested backend's dependencies are not installed."""


# ---------------------------------------------------------------------------------------- backends
def _spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise BackendUnavailable(
            "The Spark backend needs pyspark, which is not in the lock file. Install it with "
            "`.venv/bin/pip install 'pyspark>=3.5,<5'` (Spark 4 needs Java 17), or use --backend duckdb."
        ) from exc
    from splink.backends.spark import similarity_jar_location

    workdir = Path(tempfile.mkdtemp(prefix="cme-spark-"))
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("cme-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.warehouse.dir", str(workdir / "warehouse"))
        .config("spark.sql.shuffle.partitions", str(SPARK_SHUFFLE_PARTITIONS))
        .config("spark.default.parallelism", str(SPARK_SHUFFLE_PARTITIONS))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(workdir / "checkpoints"))
    return spark


def make_db_api(
    backend: Backend = "duckdb", *, spark_session: Any = None, workdir: Path | None = None,
    memory_limit: str | None = None,
) -> DatabaseAPISubClass:
    """A Splink database API: DuckDB, or Spark (local mode unless a session is given).

    DuckDB keeps its working memory under ``CME_LINKAGE_MEMORY_LIMIT`` (read at each call; default
    ``DUCKDB_MEMORY_LIMIT``) and spills the rest to a temporary directory. With ``workdir`` the
    database is a file there (tables compressed on disk, read through that memory) and the spill
    goes there too; the caller removes the directory. Without it the database is in memory.
    ``memory_limit`` (e.g. "256MB") overrides the limit for this database.
    """
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        limit = memory_limit or os.environ.get("CME_LINKAGE_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT
        if workdir is None:
            database, spill = ":memory:", Path(tempfile.gettempdir()) / "cme-duckdb"
        else:
            database, spill = str(workdir / "linkage.duckdb"), workdir / "spill"
        return DuckDBAPI(connection=duckdb.connect(database, config={"memory_limit": limit,
                                                                     "temp_directory": str(spill)}))
    if backend == "spark":
        session = spark_session if spark_session is not None else _spark_session()
        from splink.backends.spark import SparkAPI

        return SparkAPI(spark_session=session)  # type: ignore[no-untyped-call]
    raise ValueError(f"Unknown backend {backend!r}: use 'duckdb' or 'spark'.")


def _register(db_api: DatabaseAPISubClass, frame: pd.DataFrame, name: str) -> SplinkDataFrame:
    if db_api.sql_dialect.sql_dialect_str == "spark":
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(column, StringType(), True) for column in frame.columns])
        rows = [tuple(row) for row in frame.itertuples(index=False, name=None)]
        spark_frame = db_api.spark.createDataFrame(rows, schema=schema)  # type: ignore[attr-defined]
        return db_api.register(spark_frame, dataset_display_name=name, table_name=f"cme_input_{name}")
    return db_api.register(frame, dataset_display_name=name, table_name=f"cme_input_{name}")


# ------------------------------------------------------------------------------------- linking
def link_type_for(right: object, dedupe: bool) -> LinkType:
    """``link_only`` (two inputs), ``dedupe_only`` (one, ``dedupe``) or ``link_and_dedupe`` (two, ``dedupe``)."""
    if right is None:
        if not dedupe:
            raise ValueError("Give a right-hand frame to link, or dedupe=True to deduplicate one frame.")
        return "dedupe_only"
    return "link_and_dedupe" if dedupe else "link_only"


def _set_prior(linker: Linker, model: LinkageModel, link_type: LinkType, sizes: list[int]) -> None:
    """Estimate the prior from the input's exact matches, or scale the model's for small inputs."""
    settings_obj = linker._settings_obj  # splink 5.0: the prior lives here (no public setter)
    if min(sizes) >= MIN_RECORDS_FOR_PRIOR_ESTIMATE:
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(), recall=model.deterministic_recall
        )
        estimated = float(settings_obj._probability_two_random_records_match)
        pairs = sizes[0] * sizes[1] if link_type == "link_only" else sum(sizes) * (sum(sizes) - 1) / 2
        floor = 1.0 / max(pairs, 1)
        if math.isfinite(estimated) and estimated > floor:
            settings_obj._probability_two_random_records_match = min(estimated, 0.99)
            return
    settings_obj._probability_two_random_records_match = model.scaled_prior(link_type, sizes)


def pairs_sql(table: str, link_type: LinkType) -> str:
    if link_type == "dedupe_only":
        left, right = "unique_id_l", "unique_id_r"
    else:  # keep the left file's record on the left whenever a pair spans the two files
        swap = "source_dataset_l = 'right' AND source_dataset_r = 'left'"
        left = f"CASE WHEN {swap} THEN unique_id_r ELSE unique_id_l END"
        right = f"CASE WHEN {swap} THEN unique_id_l ELSE unique_id_r END"
    # table names come from Splink, never from input: no injection surface
    return (
        f"SELECT left_id, right_id, probability, match_weight FROM (SELECT {left} AS left_id, "  # noqa: S608  # nosec B608
        f"{right} AS right_id, match_probability AS probability, match_weight FROM {table}) AS pairs "
        "ORDER BY probability DESC, match_weight DESC, left_id, right_id"
    )


def _query(db_api: DatabaseAPISubClass, sql: str) -> pd.DataFrame:
    result = db_api.query_sql(sql, output_type="pandas")
    if not isinstance(result, pd.DataFrame):  # pragma: no cover - splink returns pandas when asked
        raise TypeError(f"expected a pandas frame, got {type(result).__name__}")
    return result


def link_frames(
    left: pd.DataFrame,
    right: pd.DataFrame | None = None,
    *,
    dedupe: bool = False,
    threshold: float = 0.5,
    backend: Backend = "duckdb",
    model_path: Path | str | None = None,
    model: LinkageModel | None = None,
    train: bool = False,
    progress: bool | Stages = True,
    spark_session: Any = None,
    num_chunks: int = 1,
) -> pd.DataFrame:
    """Score candidate pairs and return those with probability >= ``threshold``, highest first.

    ``left``/``right`` hold the input columns (``id, first_name, last_name, dob, sex, postcode,
    address, upn, nhs_number``; any but ``id`` may be missing). With ``right`` and no ``dedupe`` the
    files are linked to each other; with ``dedupe`` and no ``right`` one file is deduplicated; with
    both, duplicates within and links between are found (ids must then be unique across the files).

    The saved model (``model``, else the file at ``model_path``, else the shipped one) is used unless
    ``train`` is set, in which case the model is re-estimated on the input (unsupervised).
    ``num_chunks`` > 1 splits prediction into that many chunks a side to bound memory (notes §5.9).
    Returns ``left_id, right_id, probability, match_weight``.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1.")
    link_type = link_type_for(right, dedupe)
    if link_type == "link_and_dedupe" and right is not None:
        overlap = set(left["id"].astype(str)) & set(right["id"].astype(str))
        if overlap:
            raise ValueError(
                f"With dedupe and two files, ids must be unique across both files; {len(overlap)} are "
                f"in both (for example {sorted(overlap)[0]!r})."
            )
    stages = progress if isinstance(progress, Stages) else Stages(LINK_STAGES, enabled=progress)
    try:
        with stages.stage("prepare"):
            frames = [prepare(left, source_dataset="left")]
            if right is not None:
                frames.append(prepare(right, source_dataset="right"))
            sizes = [len(frame) for frame in frames]
            db_api = make_db_api(backend, spark_session=spark_session)
            sdfs = [_register(db_api, frame, name) for frame, name in zip(frames, ("left", "right"), strict=False)]
            linker = make_linker(db_api, sdfs, link_type, sizes, model=model, model_path=model_path, train=train)
        predictions = predict_pairs(linker, db_api, stages, threshold=threshold, num_chunks=num_chunks)
        result = _query(db_api, pairs_sql(predictions.physical_name, link_type))
    finally:
        if not isinstance(progress, Stages):
            stages.close()
    result = result.astype({"left_id": str, "right_id": str, "probability": float, "match_weight": float})
    return result.reset_index(drop=True)[list(PAIR_COLUMNS)]


def make_linker(
    db_api: DatabaseAPISubClass,
    sdfs: list[SplinkDataFrame],
    link_type: LinkType,
    sizes: list[int],
    *,
    model: LinkageModel | None = None,
    model_path: Path | str | None = None,
    train: bool = False,
) -> Linker:
    """A linker over registered input tables: the saved model with the prior set for this input, or
    (``train``) a model re-estimated on it."""
    if train:
        linker = Linker(sdfs, build_settings(link_type), log_level=_SPLINK_LOG_LEVEL)
        train_linker(linker)
        return linker
    chosen = model if model is not None else load_model(model_path)
    settings = chosen.settings_for(link_type, dialect=db_api.sql_dialect.sql_dialect_str)
    linker = Linker(sdfs, settings, log_level=_SPLINK_LOG_LEVEL)
    _set_prior(linker, chosen, link_type, sizes)
    return linker


def predict_pairs(
    linker: Linker, db_api: DatabaseAPISubClass, stages: Stages, *, threshold: float, num_chunks: int = 1
) -> SplinkDataFrame:
    """Block and score (stages ``block`` and ``predict``); the pairs >= ``threshold`` stay in the database."""
    with stages.stage("block"):
        if num_chunks <= 1:
            blocked = linker.inference.compute_blocked_pairs_for_predict()
            count = _query(db_api, f"SELECT count(*) AS n FROM {blocked.physical_name}")  # noqa: S608 # nosec B608
            stages.note("block", f"{int(count['n'].iloc[0]):,} candidate pairs")
        else:
            stages.note("block", f"done chunk by chunk ({num_chunks} x {num_chunks}) during predict")
    with stages.stage("predict"):
        chunks = {} if num_chunks <= 1 else {"num_chunks_left": num_chunks, "num_chunks_right": num_chunks}
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never", **chunks)
        count = _query(db_api, f"SELECT count(*) AS n FROM {predictions.physical_name}")  # noqa: S608 # nosec B608
        stages.note("predict", f"{int(count['n'].iloc[0]):,} pairs >= {threshold:g}")
    return predictions


def train_model(
    left: pd.DataFrame,
    right: pd.DataFrame | None = None,
    *,
    dedupe: bool = False,
    backend: Backend = "duckdb",
    description: str = "",
    recall: float = DEFAULT_DETERMINISTIC_RECALL,
    seed: int = DEFAULT_SEED,
    max_u_pairs: float = 5e6,
    spark_session: Any = None,
) -> LinkageModel:
    """Train the model on these frames (unsupervised) and return it, ready to save or to use.

    ``recall`` is the share of true pairs that agree exactly on canonical first name, surname and
    date of birth (``deterministic_rules``); measure it on labelled data when you have some.
    """
    link_type = link_type_for(right, dedupe)
    frames = [prepare(left, source_dataset="left")]
    if right is not None:
        frames.append(prepare(right, source_dataset="right"))
    db_api = make_db_api(backend, spark_session=spark_session)
    sdfs = [_register(db_api, frame, name) for frame, name in zip(frames, ("left", "right"), strict=False)]
    linker = Linker(sdfs, build_settings(link_type), log_level=_SPLINK_LOG_LEVEL)
    train_linker(linker, recall=recall, seed=seed, max_u_pairs=max_u_pairs)
    return model_from_linker(
        linker,
        sizes=[len(frame) for frame in frames],
        deterministic_recall=recall,
        description=description or f"{link_type} on {' x '.join(str(len(f)) for f in frames)} records",
        extra={"seed": seed, "max_u_pairs": max_u_pairs},
    )


# ---------------------------------------------------------------------------------- clustering
def cluster(pairs: pd.DataFrame, threshold: float = 0.9, *, ids: Iterable[str] = ()) -> dict[str, str]:
    """Group ids into persons: connected components of pairs with probability >= ``threshold``.

    Returns id -> cluster id, the cluster id being the smallest member id, so the result is stable.
    Ids listed in ``ids`` that are in no pair become clusters of their own. Ids must be one
    namespace: when linking two files whose ids overlap, prefix them before clustering.
    (Splink's ``cluster_pairwise_predictions_at_threshold`` does the same inside the database; for
    the pair lists this engine returns a union-find in Python is simpler and fast enough.)
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for node in ids:
        parent.setdefault(str(node), str(node))
    strong = pairs[pairs["probability"] >= threshold]
    for a, b in zip(strong["left_id"].astype(str), strong["right_id"].astype(str), strict=True):
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            if root_b < root_a:
                root_a, root_b = root_b, root_a
            parent[root_b] = root_a
    return {node: find(node) for node in parent}


# --------------------------------------------------------------------------------- explanations
#: Columns shown to a reviewer beside each comparison.
_DISPLAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "surname_and_home": ("surname", "postcode", "postcode_district", "address"),
    "dob": ("dob", "dob_ym"),
    "sex": ("sex",),
    "upn": ("upn",),
    "nhs_number": ("nhs_number",),
    "twin_guard": (),
}


@dataclass(frozen=True)
class ComparisonExplanation:
    """One comparison's verdict on a pair: which level it fell in and the weight that added."""

    comparison: str
    level: str
    left: str | None
    right: str | None
    match_weight: float


@dataclass(frozen=True)
class PairExplanation:
    """Field-by-field agreement for a pair, and each comparison's contribution (in bits)."""

    probability: float
    match_weight: float
    prior_match_weight: float
    comparisons: tuple[ComparisonExplanation, ...]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {"comparison": "prior", "level": "Starting point: two random records", "left": None, "right": None,
             "match_weight": self.prior_match_weight}
        ]
        rows += [c.__dict__ for c in self.comparisons]
        return pd.DataFrame(rows, columns=["comparison", "level", "left", "right", "match_weight"])


def _display(record: Mapping[str, Any], columns: tuple[str, ...]) -> str | None:
    values = [str(record[c]) for c in columns if record.get(c) is not None]
    return " / ".join(dict.fromkeys(values)) or None


def _level_labels(comparison: Mapping[str, Any]) -> dict[int, str]:
    """Comparison vector value -> label (null level -1; others count down to 0, Splink's order)."""
    levels = comparison["comparison_levels"]
    non_null = [level for level in levels if not level.get("is_null_level")]
    labels = {-1: next((lv["label_for_charts"] for lv in levels if lv.get("is_null_level")), "missing")}
    for index, level in enumerate(non_null):
        labels[len(non_null) - 1 - index] = str(level["label_for_charts"])
    return labels


def explain_pair(
    left_record: Mapping[str, Any],
    right_record: Mapping[str, Any],
    *,
    model_path: Path | str | None = None,
    model: LinkageModel | None = None,
    prior: float | None = None,
    term_frequencies: Mapping[str, Mapping[str, float]] | None = None,
) -> PairExplanation:
    """Score one pair with the saved model and say why, comparison by comparison.

    Records use the input columns (``first_name``, ``last_name``, ``dob``, ...). ``prior`` is the
    probability that two random records match where the pair was found (default: the saved
    model's). Name frequencies come from ``term_frequencies`` (``{"first_name": {"mohammed":
    0.012}, "surname": {...}}``, standardised names); a name not given there is treated as
    average, so the explanation never depends on the two records alone.
    """
    if model is None:
        model = load_model(model_path)
    prepared_left = prepare(pd.DataFrame([dict(left_record)]), source_dataset="left")
    prepared_right = prepare(pd.DataFrame([dict(right_record)]), source_dataset="right")
    if prepared_left.at[0, "unique_id"] == prepared_right.at[0, "unique_id"]:
        prepared_right.at[0, "unique_id"] = f"{prepared_right.at[0, 'unique_id']}__right"
    settings = model.settings_for("link_only", prior=prior, explain=True)
    exact_u = _exact_level_u(settings)
    records = []
    for frame in (prepared_left, prepared_right):
        record: dict[str, Any] = frame.iloc[0].to_dict()
        for column, average in exact_u.items():
            table = (term_frequencies or {}).get(column, {})
            value = record.get(column)
            record[f"tf_{column}"] = float(table.get(value, average)) if value is not None else None
        records.append(record)
    db_api = make_db_api("duckdb")
    sdfs = [_register(db_api, prepared_left, "left"), _register(db_api, prepared_right, "right")]
    linker = Linker(sdfs, settings, log_level=_SPLINK_LOG_LEVEL)
    scored_frame = linker.inference.score_pair(records[0], records[1]).as_pandas_dataframe()  # type: ignore[no-untyped-call]
    scored = scored_frame.iloc[0].to_dict()

    parts = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        gamma = int(scored[f"gamma_{name}"])
        weight = float(scored[f"mw_{name}"])
        adjustment = scored.get(f"mw_tf_adj_{name}")
        if adjustment is not None and not math.isnan(float(adjustment)):
            weight += float(adjustment)
        columns = _DISPLAY_COLUMNS.get(name, (name,))
        parts.append(
            ComparisonExplanation(
                comparison=name,
                level=_level_labels(comparison)[gamma],
                left=_display(records[0], columns),
                right=_display(records[1], columns),
                match_weight=round(weight, 3),
            )
        )
    prior_value = float(settings["probability_two_random_records_match"])
    return PairExplanation(
        probability=float(scored["match_probability"]),
        match_weight=float(scored["match_weight"]),
        prior_match_weight=round(math.log2(prior_value / (1 - prior_value)), 3),
        comparisons=tuple(parts),
    )


def _exact_level_u(settings: Mapping[str, Any]) -> dict[str, float]:
    """For each term-frequency column, the u of its exact level (the "average name" frequency)."""
    found: dict[str, float] = {}
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            if column and "u_probability" in level:
                found.setdefault(column, float(level["u_probability"]))
    return found

