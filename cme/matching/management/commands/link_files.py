"""``manage.py link_files``: link two CSV files of children, or deduplicate one, without a database.

The work is done by ``cme.matching.linkage.cli.run_link_files`` (pure Python, tested there); this
command only parses arguments and prints the result.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.matching.linkage.cli import run_link_files
from cme.matching.linkage.files import InputFileError
from cme.matching.linkage.link import BackendUnavailable


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


class Command(BaseCommand):
    help = (
        "Find the same child in two CSV files (LEFT RIGHT), or duplicates within one (FILE --dedupe), "
        "and write left_id,right_id,probability for every pair at or above --threshold, highest first. "
        "Input: a header row with id (required) and any of first_name, last_name, dob (YYYY-MM-DD; "
        "DD/MM/YYYY also read), sex, postcode, address, upn, nhs_number; other columns are ignored and "
        "any value may be empty. Uses the trained model shipped with the engine unless --train is given. "
        "Needs no database. On DuckDB the files are streamed through a temporary database, never held whole "
        "in memory: DuckDB works in CME_LINKAGE_MEMORY_LIMIT (default 1GB) and spills to disk beyond it."
    )
    requires_system_checks: list[str] = []  # type: ignore[assignment]
    requires_migrations_checks = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("left", help="CSV file of records (LEFT.csv, or FILE.csv with --dedupe)")
        parser.add_argument("right", nargs="?", default=None, help="CSV file to link LEFT to (omit with --dedupe)")
        parser.add_argument("--out", required=True, help="where to write the pairs (CSV)")
        parser.add_argument("--dedupe", action="store_true", help="find duplicates within the file(s)")
        parser.add_argument(
            "--threshold", type=_probability, default=0.5, help="lowest match probability to write (default 0.5)"
        )
        parser.add_argument(
            "--backend",
            choices=("duckdb", "spark"),
            default="duckdb",
            help="duckdb (default, in-process) or spark (local mode; needs pyspark, see cme.matching.linkage.link)",
        )
        parser.add_argument(
            "--train", action="store_true", help="re-estimate the model on these files instead of using the saved one"
        )
        parser.add_argument("--model", default=None, help="a saved model JSON to use instead of the shipped one")
        parser.add_argument(
            "--chunks", type=int, default=1, help="split prediction N x N ways to bound memory on very large files"
        )
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_link_files(
                options["left"],
                options["right"],
                options["out"],
                dedupe=options["dedupe"],
                threshold=options["threshold"],
                backend=options["backend"],
                train=options["train"],
                model_path=options["model"],
                progress=not options["no_progress"],
                chunks=options["chunks"],
            )
        except (InputFileError, BackendUnavailable, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.pairs:,} pairs at or above {options['threshold']:g} written to {result.out}")
        self.stdout.write("Timings:\n" + result.summary)
