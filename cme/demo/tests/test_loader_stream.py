"""The council streamed in household batches loads the same rows as the council loaded whole (issue 10: bounded
memory for the 1M seed)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from cme.children.models import (
    Child,
    ChildAddress,
    ChildContact,
    ChildIdentifier,
    ChildLink,
    ChildName,
    EducationOtherwise,
    Enrolment,
    Residence,
    RiskFlag,
)
from cme.demo.loader import STAGES, council_batches_load, council_load
from cme.synthetic import generate_council, iter_council

ON = dt.date(2026, 11, 27)
CHILDREN, SEED = 700, 9


def _snapshot(truth: Path) -> dict[str, Any]:
    """Every loaded row by primary key, addresses and contacts by content (their ids depend on the batching)."""
    return {
        "children": list(Child.objects.order_by("pk").values_list(
            "pk", "legal_forename", "legal_middle_names", "legal_surname", "preferred_forename", "date_of_birth",
            "sex", "upn", "nhs_number", "ethnicity", "surname_key", "current_postcode")),
        "names": list(ChildName.objects.order_by("pk").values_list("child_id", "kind", "forename", "surname")),
        "identifiers": list(ChildIdentifier.objects.order_by("pk").values_list("child_id", "kind", "value")),
        "addresses": list(ChildAddress.objects.order_by("pk").values_list(
            "child_id", "address__line1", "address__line2", "address__postcode", "address__la_code", "start", "end")),
        "residences": list(Residence.objects.order_by("pk").values_list("child_id", "in_area", "start", "end",
                                                                        "la_code", "country")),
        "contacts": list(ChildContact.objects.order_by("pk").values_list(
            "child_id", "contact__forename", "contact__surname", "contact__address__line1", "relationship",
            "priority")),
        "links": list(ChildLink.objects.order_by("pk").values_list("child_id", "other_id", "kind")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list(
            "child_id", "school__laestab", "start", "end", "nc_year_actual", "deletion_ground")),
        "flags": list(RiskFlag.objects.order_by("pk").values_list("child_id", "flag_type__code", "identified_on")),
        "ehe": list(EducationOtherwise.objects.order_by("pk").values_list("child_id", "start", "source")),
        "truth": truth.read_text(encoding="utf-8"),
    }


def _loaded(load: Any, truth: Path) -> dict[str, Any]:
    """Load, take the snapshot, roll the load back (the next load reserves the same child ids)."""
    with transaction.atomic():
        load(truth)
        snapshot = _snapshot(truth)
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.django_db
def test_streamed_batches_load_the_same_rows_as_the_whole_council(tmp_path: Path) -> None:
    whole = _loaded(lambda truth: council_load(generate_council(children=CHILDREN, seed=SEED, on=ON),
                                               truth_path=truth), tmp_path / "whole.csv")
    reports = []

    def streamed_load(truth: Path) -> None:
        la, schools, batches = iter_council(children=CHILDREN, seed=SEED, on=ON, batch_households=40)
        reports.append(council_batches_load(la=la, on=ON, schools=schools, batches=batches, truth_path=truth))

    streamed = _loaded(streamed_load, tmp_path / "streamed.csv")
    assert len(whole["children"]) == CHILDREN
    assert whole["links"] and whole["flags"] and whole["ehe"] and whole["identifiers"]
    for table in whole:
        assert streamed[table] == whole[table], table
    truth_rows = list(csv.reader((tmp_path / "streamed.csv").open(encoding="utf-8")))
    assert len(truth_rows) == CHILDREN + 1
    assert reports[0].stages["generated"][0] == CHILDREN
    assert reports[0].stages["children"][0] == CHILDREN
    assert set(reports[0].stages) == set(STAGES)


@pytest.mark.django_db
def test_each_stage_is_reported_once_with_its_rows_summed_over_the_batches() -> None:
    calls: list[tuple[str, int]] = []
    la, schools, batches = iter_council(children=300, seed=SEED, on=ON, batch_households=25)
    report = council_batches_load(la=la, on=ON, schools=schools, batches=batches,
                                  progress=lambda stage, n: calls.append((stage, n)))
    assert [stage for stage, _ in calls] == list(STAGES)
    assert dict(calls)["children"] == 300 == Child.objects.count()
    assert dict(calls)["enrolments"] == report.counts["enrolments"] == Enrolment.objects.count()
