from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from cme.law import upn as upns


@pytest.mark.parametrize(
    "rule, dob, on, expected",
    [
        ("R1.1", "2019-02-10", "2024-03-31", {"csa_start": "2024-03-31", "compulsory_school_age": True, "nc_year": 0}),
        ("R1.2", "2007-09-23", "2024-06-28", {"csa_end": "2024-06-28", "compulsory_school_age": True, "nc_year": 11}),
        ("R1.2", "2007-09-23", "2024-06-29", {"compulsory_school_age": False, "key_stage": "KS4"}),
        ("R1.4", "2016-08-31", "2026-11-27", {"nc_year": 6, "key_stage": "KS2"}),
        ("R1.4", "2016-09-01", "2026-11-27", {"nc_year": 5, "key_stage": "KS2"}),
        ("R1.4", "2005-01-01", "2026-11-27", {"nc_year": None, "key_stage": None}),
        ("R1.3", "2010-09-02", "2026-11-27", {"edge_case": True}),
    ],
)
def test_school_age_command_prints_one_json_object(rule: str, dob: str, on: str, expected: dict) -> None:  # type: ignore[type-arg]
    out = StringIO()
    call_command("school_age", dob, "--on", on, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"dob", "on", "csa_start", "csa_end", "compulsory_school_age", "nc_year", "key_stage",
                         "edge_case"}
    for key, value in expected.items():
        assert data[key] == value, (rule, key)


def test_upn_validate_exits_1_with_reasons() -> None:
    out = StringIO()
    call_command("upn", "validate", "X931200024001", "W93120002401A", stdout=out)
    assert "valid (temporary)" in out.getvalue()
    with pytest.raises(SystemExit) as exit_info:
        call_command("upn", "validate", "X931200024001", "A801200005001", stdout=StringIO())
    assert exit_info.value.code == 1


def test_upn_generate_prints_valid_unique_upns_for_the_la() -> None:
    out = StringIO()
    call_command("upn", "generate", "--la", "931", "--count", "50", stdout=out)
    values = out.getvalue().split()
    assert len(values) == len(set(values)) == 50
    assert all(upns.is_valid(v) and v[1:4] == "931" for v in values)
