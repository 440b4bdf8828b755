"""Partner extracts: coverage, the hidden truth, and noise at the documented rates."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from cme.law import nhs_number, postcode
from cme.synthetic import Council
from cme.synthetic.extracts import DEFAULT_RATES, address_on, partner_extract
from cme.synthetic.names import ascii_fold
from cme.synthetic.noise import NOISE_KINDS, NoiseRates, can_swap_day_month, swap_day_month, typo
from cme.synthetic.rand import derive_rng
from cme.synthetic.specs import SOURCES, ExtractRecord

NO_NOISE = NoiseRates(**{name: 0.0 for name in NoiseRates.__dataclass_fields__})


def _damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (edits and adjacent swaps)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@pytest.fixture(scope="module")
def extracts(council: Council) -> dict[str, list[ExtractRecord]]:
    return {source: partner_extract(council, source, seed=1, on=council.on) for source in SOURCES}


def test_every_source_has_records_about_real_children(
    council: Council, extracts: dict[str, list[ExtractRecord]]
) -> None:
    keys = {c.key for c in council.children}
    for source, records in extracts.items():
        assert records, source
        assert all(r.source == source and r.true_child_key in keys for r in records)
        assert all(set(r.noise) <= set(NOISE_KINDS) for r in records)
        ids = [r.record_id for r in records]
        assert len(ids) == len(set(ids)), source
        assert all(r.postcode is None or postcode.normalise(r.postcode) == r.postcode for r in records)


def test_extracts_are_deterministic(council: Council) -> None:
    first = partner_extract(council, "health", seed=3, on=council.on)
    assert first == partner_extract(council, "health", seed=3, on=council.on)
    assert first != partner_extract(council, "health", seed=4, on=council.on)


def test_unknown_source_is_refused(council: Council) -> None:
    with pytest.raises(ValueError, match="unknown source"):
        partner_extract(council, "dwp", seed=0, on=council.on)


def _in_area_children(council: Council) -> set[int]:
    households = {h.key: h for h in council.households}
    return {c.key for c in council.children if address_on(households[c.household_key], council.on).la_code == "931"}


def test_health_covers_about_97_percent_including_children_on_no_roll(
    council: Council, extracts: dict[str, list[ExtractRecord]]
) -> None:
    records = extracts["health"]
    in_area = _in_area_children(council)
    covered = {r.true_child_key for r in records} & in_area
    assert 0.94 < len(covered) / len(in_area) < 0.99
    missing = {c.key for c in council.children if c.truth_status.startswith("cme_")}
    assert len(covered & missing) >= 0.5 * len(missing)
    numbers = [r.nhs_number for r in records if r.nhs_number]
    assert len(numbers) > 0.9 * len(records) and all(nhs_number.is_valid(n) for n in numbers)
    children = {c.key: c for c in council.children}
    assert all(r.nhs_number in (None, children[r.true_child_key].nhs_number) for r in records)


def test_child_benefit_names_a_claimant_and_covers_about_93_percent(
    council: Council, extracts: dict[str, list[ExtractRecord]]
) -> None:
    records = extracts["hmrc_child_benefit"]
    assert all(r.extra["claimant_forename"] and r.extra["claimant_nino"].startswith("QQ") for r in records)
    assert all(r.nhs_number is None and r.upn is None for r in records)
    in_area = _in_area_children(council)
    in_area_under_16 = {c.key for c in council.children if c.key in in_area and (council.on - c.dob).days < 16 * 365}
    covered = {r.true_child_key for r in records} & in_area_under_16
    assert 0.86 < len(covered) / len(in_area_under_16) < 0.97


def test_social_care_knows_flagged_children(council: Council, extracts: dict[str, list[ExtractRecord]]) -> None:
    records = extracts["social_care"]
    looked_after = {f.child_key for f in council.risk_flags if f.code == "looked_after"}
    in_area = _in_area_children(council)
    known = {r.true_child_key for r in records}
    assert looked_after & in_area <= known
    assert {r.extra["involvement"] for r in records} >= {"looked after", "early help"}


def test_admissions_include_offers_never_taken_up(council: Council, extracts: dict[str, list[ExtractRecord]]) -> None:
    records = extracts["admissions"]
    rounds = Counter(r.extra["round"] for r in records)
    assert len(rounds) >= 6
    missed = {c.key for c in council.children if c.truth_status == "cme_missed_transfer"}
    last_destination = {}
    for e in sorted(council.enrolments, key=lambda e: e.start):
        last_destination[e.child_key] = e.destination_laestab
    offers = {
        r.true_child_key: r
        for r in records
        if r.extra["status"] == "offered"
        and not r.extra["round"].endswith("Reception")
        and r.extra["offered_laestab"] == last_destination.get(r.true_child_key)
    }
    offered_missed = [k for k in missed if k in offers]
    assert len(offered_missed) >= math.floor(0.6 * len(missed))
    with_upn = [r for r in records if r.upn]
    assert with_upn and all(not r.extra["round"].endswith("Reception") for r in with_upn)


def test_border_force_records_recent_arrivals(council: Council, extracts: dict[str, list[ExtractRecord]]) -> None:
    records = extracts["border_force"]
    on = council.on
    recent = {h.key for h in council.households if h.arrived_uk and (on - h.arrived_uk).days <= 3 * 365}
    known = {council.children[r.true_child_key - 1].household_key for r in records}
    assert known <= recent
    assert 0.75 <= len(known) / len(recent) <= 1.0  # about 90% of families
    assert all(r.first_name == (r.first_name or "").upper() for r in records)
    assert all(r.extra["nationality"] and r.extra["arrival_date"] for r in records)


@pytest.mark.parametrize("source", ["health", "hmrc_child_benefit"])
def test_noise_rates_match_the_parameters(
    council: Council, extracts: dict[str, list[ExtractRecord]], source: str
) -> None:
    records = extracts[source]
    rates = DEFAULT_RATES[source]
    children = {c.key: c for c in council.children}
    originals = [r for r in records if "duplicate" not in r.noise]

    def check(kind: str, eligible: list[ExtractRecord], rate: float) -> None:
        n = len(eligible)
        assert n > 50, kind
        observed = sum(1 for r in eligible if kind in r.noise) / n
        tolerance = 4 * math.sqrt(rate * (1 - rate) / n) + 0.004
        assert abs(observed - rate) <= tolerance, (kind, observed, rate)

    check("typo", originals, rates.typo)
    check("transposed", originals, rates.transposed)
    check("sex_missing", originals, rates.sex_missing)
    check("dob_swap", [r for r in originals if can_swap_day_month(children[r.true_child_key].dob)], rates.dob_swap)
    check("middle_missing", [r for r in originals if children[r.true_child_key].middle_names], rates.middle_missing)
    hyphenated = [
        r
        for r in originals
        if not children[r.true_child_key].former_surnames
        and any(ch in children[r.true_child_key].legal_surname for ch in "- ")
    ]
    check("hyphen_drop", hyphenated, rates.hyphen_drop)


def test_noise_does_what_it_says(council: Council, extracts: dict[str, list[ExtractRecord]]) -> None:
    children = {c.key: c for c in council.children}
    for record in extracts["health"] + extracts["hmrc_child_benefit"]:
        child = children[record.true_child_key]
        first, last = ascii_fold(child.legal_forename), ascii_fold(child.legal_surname)
        tags = set(record.noise) - {
            "accents_dropped",
            "middle_missing",
            "postcode_missing",
            "old_address",
            "sex_missing",
            "dob_missing",
            "duplicate",
        }
        if tags == {"typo"}:
            assert _damerau(record.first_name or "", first) + _damerau(record.last_name or "", last) == 1
        if not tags & {"typo", "transposed", "nickname", "variant", "former_surname", "hyphen_drop", "surname_change"}:
            assert (record.first_name, record.last_name) == (first, last)
        if "dob_swap" in record.noise and "dob_missing" not in record.noise:
            assert record.dob == swap_day_month(child.dob)
        elif "dob_missing" not in record.noise:
            assert record.dob == child.dob
        if "transposed" in record.noise and tags == {"transposed"}:
            assert (record.first_name, record.last_name) == (last, first)
        if "former_surname" in record.noise and "transposed" not in record.noise:
            assert record.last_name in {ascii_fold(s) for s in child.former_surnames} or "typo" in record.noise


def test_no_noise_at_zero_rates(council: Council) -> None:
    children = {c.key: c for c in council.children}
    records = partner_extract(council, "health", seed=1, on=council.on, rates=NO_NOISE)
    assert records and all(r.noise == () for r in records)
    for r in records:
        child = children[r.true_child_key]
        assert (r.first_name, r.last_name, r.dob, r.sex) == (
            child.legal_forename,
            child.legal_surname,
            child.dob,
            child.sex,
        )


def test_typo_is_one_edit() -> None:
    rng = derive_rng("typo-test")
    for word in ("Muhammad", "Olivia", "Wiśniewska", "Li", "O'Brien", "Smith-Jones"):
        for _ in range(50):
            changed = typo(rng, word)
            assert changed != word and _damerau(changed, word) == 1


def test_day_month_swap_only_when_it_makes_another_date() -> None:
    import datetime as dt

    assert can_swap_day_month(dt.date(2015, 3, 7)) and swap_day_month(dt.date(2015, 3, 7)) == dt.date(2015, 7, 3)
    assert not can_swap_day_month(dt.date(2015, 3, 13))
    assert not can_swap_day_month(dt.date(2015, 4, 4))
