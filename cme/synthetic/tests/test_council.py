"""The council generator: determinism, identifiers, school histories, the truth and the shares."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from cme.law import nhs_number, postcode, school_age, upn
from cme.law.la_codes import LA_CODES
from cme.synthetic import Council, fingerprint, generate_council, iter_council
from cme.synthetic.specs import (
    CME_STATUSES,
    DELETION_GROUNDS,
    ESTABLISHMENT_TYPES,
    PHASES,
    RISK_FLAG_CODES,
    TRUTH_STATUSES,
    UNKNOWN_DESTINATION,
    EnrolmentSpec,
)
from cme.synthetic.terms import school_year_of


def _csa(council: Council) -> list[int]:
    return [c.key for c in council.children if school_age.is_compulsory_school_age(c.dob, council.on)]


def _by_child(council: Council) -> dict[int, list[EnrolmentSpec]]:
    out: dict[int, list[EnrolmentSpec]] = defaultdict(list)
    for e in council.enrolments:
        out[e.child_key].append(e)
    for enrolments in out.values():
        enrolments.sort(key=lambda e: e.start)
    return out


# -- determinism ---------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_council() -> None:
    first = generate_council(children=600, seed=11)
    second = generate_council(children=600, seed=11)
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(generate_council(children=600, seed=12)) != fingerprint(first)


def test_the_stream_of_batches_is_the_whole_council() -> None:
    whole = generate_council(children=700, seed=5)
    la, schools, batches = iter_council(children=700, seed=5, batch_households=37)
    children = [c for batch in batches for c in batch.children]
    assert la == whole.la and schools == whole.schools
    assert children == whole.children


def test_exactly_the_children_asked_for_with_keys_from_one(council: Council) -> None:
    assert [c.key for c in council.children] == list(range(1, len(council.children) + 1))
    assert [h.key for h in council.households] == list(range(1, len(council.households) + 1))
    assert [c.key for c in council.contacts] == list(range(1, len(council.contacts) + 1))
    assert len(council.truth) == len(council.children)
    assert council.la.code == "931" and council.la.name == "Oxfordshire"


# -- identifiers and places ---------------------------------------------------------------------------


def test_every_upn_is_valid_and_unique(council: Council) -> None:
    upns = [c.upn for c in council.children if c.upn] + [u for c in council.children for u in c.former_upns]
    assert upns and all(upn.is_valid(u) for u in upns)
    assert len(upns) == len(set(upns))
    temporary = [u for u in upns if upn.is_temporary(u)]
    assert len(temporary) < len(upns) * 0.02


def test_children_ever_on_a_state_roll_have_a_upn(council: Council) -> None:
    schools = {s.key: s for s in council.schools}
    for child_key, enrolments in _by_child(council).items():
        if any(schools[e.school_key].phase != "independent" for e in enrolments):
            assert council.children[child_key - 1].upn is not None


def test_every_nhs_number_is_valid_unique_and_from_the_test_range(council: Council) -> None:
    numbers = [c.nhs_number for c in council.children if c.nhs_number]
    assert len(numbers) > 0.9 * len(council.children)
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in numbers)
    assert len(numbers) == len(set(numbers))


def test_every_postcode_is_valid_and_normalised(council: Council) -> None:
    codes = [s.postcode for s in council.schools] + [h.postcode for h in council.households if h.postcode]
    codes += [a.postcode for h in council.households for a in h.previous if a.postcode]
    assert all(postcode.normalise(pc) == pc for pc in codes)
    in_area = [h.postcode for h in council.households if h.la_code == "931" and h.postcode]
    assert all(re.match(r"^(OX\d{1,2}|RG[4-9]|SN[67]) ", pc) for pc in in_area)
    for h in council.households:
        assert (h.postcode is None) == (h.country != "England")


def test_neighbours_share_postcodes(council: Council) -> None:
    counts = Counter(h.postcode for h in council.households if h.postcode)
    assert sum(1 for n in counts.values() if n > 1) > len(counts) * 0.2


def test_schools_look_like_an_english_county(council: Council) -> None:
    schools = council.schools
    assert all(re.fullmatch(r"\d{7}", s.laestab) and s.laestab[:3] == s.la_code for s in schools)
    assert all(re.fullmatch(r"\d{6}", s.urn) for s in schools)
    assert len({s.laestab for s in schools}) == len(schools) and len({s.urn for s in schools}) == len(schools)
    assert all(s.phase in PHASES and s.establishment_type in ESTABLISHMENT_TYPES for s in schools)
    in_la = [s for s in schools if s.la_code == "931"]
    kinds = {s.phase for s in in_la}
    assert {
        "infant",
        "junior",
        "primary",
        "secondary",
        "all_through",
        "special",
        "alternative_provision",
        "independent",
        "nursery",
    } <= kinds
    neighbours = [s for s in schools if s.la_code != "931"]
    assert 20 <= len(neighbours) <= 40 and all(s.la_code in LA_CODES for s in neighbours)
    closed = [s for s in schools if not s.is_open]
    assert closed and all(s.closed_on is not None and s.closed_on < council.on for s in closed)
    assert all(s.is_open == (s.closed_on is None) for s in schools)
    assert len({s.name for s in in_la}) == len(in_la)
    assert not any("school 1" in s.name.lower() for s in schools)


def test_school_count_scales_with_children() -> None:
    from cme.synthetic.schools import school_count_for

    assert school_count_for(20_000) == 286
    assert school_count_for(100_000) == 1_429
    assert school_count_for(1_000_000) == 8_800  # four-digit establishment numbers


# -- school histories ---------------------------------------------------------------------------------


def test_enrolments_fit_the_school_phase_and_the_childs_age(council: Council) -> None:
    schools = {s.key: s for s in council.schools}
    children = {c.key: c for c in council.children}
    on = council.on
    out_of_cohort = 0
    for e in council.enrolments:
        school, child = schools[e.school_key], children[e.child_key]
        last = min(e.end or on, on)
        years = range(school_year_of(e.start), school_year_of(max(last, e.start)) + 1)
        for year in years:
            actual = e.nc_year_actual + year - school_year_of(e.start)
            assert school.low_nc_year <= actual <= school.high_nc_year, (e, school)
        expected = school_age.nc_year_for_school_year(child.dob, school_year_of(e.start))
        assert expected is not None
        assert e.nc_year_actual == expected + child.cohort_offset
        if not school.low_nc_year <= expected <= school.high_nc_year:
            out_of_cohort += 1
            assert child.cohort_offset != 0
    assert out_of_cohort < len(council.enrolments) * 0.01


def test_enrolments_never_overlap_and_end_after_they_start(council: Council) -> None:
    for enrolments in _by_child(council).values():
        for e in enrolments:
            assert e.end is None or e.end >= e.start
        for a, b in zip(enrolments, enrolments[1:], strict=False):
            assert a.end is not None and a.end < b.start, (a, b)
        assert all(e.end is not None for e in enrolments[:-1])


def test_deletion_grounds_and_destinations(council: Council) -> None:
    laestabs = {s.laestab for s in council.schools}
    for e in council.enrolments:
        assert e.deletion_ground is None or e.deletion_ground in DELETION_GROUNDS
        if e.end is None:
            assert e.deletion_ground is None and e.destination_laestab is None
        dest = e.destination_laestab
        assert dest is None or dest == UNKNOWN_DESTINATION or re.fullmatch(r"\d{7}", dest)
        if e.deletion_ground == "A" and dest and dest[:3] == "931":
            assert dest in laestabs
        if e.deletion_ground in ("F", "L"):
            assert dest is None
    grounds = Counter(e.deletion_ground for e in council.enrolments)
    assert grounds["A"] > grounds["G"] > 0 and grounds["F"] > 0 and grounds["L"] > 0


def test_september_transfers_start_in_the_first_days_of_term(council: Council) -> None:
    schools = {s.key: s for s in council.schools}
    starts = [
        e.start
        for e in council.enrolments
        if e.start.month == 9
        and e.nc_year_actual in (0, 3, 7)
        and schools[e.school_key].low_nc_year == e.nc_year_actual
    ]
    assert starts
    first_week = sum(1 for d in starts if d.day <= 10)
    assert first_week > 0.9 * len(starts)


def test_nobody_is_on_a_closed_schools_roll(council: Council) -> None:
    schools = {s.key: s for s in council.schools}
    for e in council.enrolments:
        closed = schools[e.school_key].closed_on
        if closed is not None:
            assert e.start <= closed and e.end is not None and e.end <= closed + dt.timedelta(days=45)


def test_most_sixteen_to_eighteen_year_olds_are_in_sixth_forms_or_nowhere(council: Council) -> None:
    post16 = [c for c in council.children if (school_age.nc_year(c.dob, council.on) or 0) >= 12]
    statuses = Counter(c.truth_status for c in post16)
    assert set(statuses) <= {"on_roll", "above_csa", "moved_out_of_area"}
    assert 0.4 < statuses["on_roll"] / len(post16) < 0.8


# -- families -----------------------------------------------------------------------------------------


def test_siblings_share_a_household_and_mostly_a_surname(council: Council) -> None:
    by_household: dict[int, list[str]] = defaultdict(list)
    for c in council.children:
        by_household[c.household_key].append(c.legal_surname)
    families = [names for names in by_household.values() if len(names) > 1]
    assert len(families) > 0.4 * len(by_household)
    same = sum(1 for names in families if len(set(names)) == 1)
    assert 0.75 < same / len(families) < 0.99  # half-siblings, Sikh and Polish forms, Bangladeshi names


def test_twins_exist_with_different_names(council: Council) -> None:
    by_household: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for c in council.children:
        by_household[c.household_key].append((c.dob, c.legal_forename))
    pairs = [
        (a, b)
        for kids in by_household.values()
        for i, a in enumerate(kids)
        for b in kids[i + 1 :]
        if abs((a[0] - b[0]).days) <= 1
    ]
    assert len(pairs) > 0.005 * len(council.children)
    assert all(a[1] != b[1] for a, b in pairs)


def test_names_are_realistic(council: Council) -> None:
    kids = council.children
    assert not any(re.search(r"\d|^child\b", f"{c.legal_forename} {c.legal_surname}", re.I) for c in kids)
    assert len({c.legal_forename for c in kids}) > min(250, len(kids) / 8)
    assert not any(c.legal_forename in c.middle_names.split() for c in kids)
    common = Counter(c.legal_surname for c in kids).most_common(3)
    assert "Smith" in {name for name, _ in common} and common[0][1] < 0.03 * len(kids)
    preferred = sum(1 for c in kids if c.preferred_forename)
    assert 0.06 < preferred / len(kids) < 0.14
    former = sum(1 for c in kids if c.former_surnames)
    assert 0.008 < former / len(kids) < 0.035
    assert sum(1 for c in kids if c.first_language != "English") > 0.06 * len(kids)
    assert {"WBRI", "APKN", "BAFR", "WOTH"} <= {c.ethnicity for c in kids}
    assert {c.sex for c in kids} == {"M", "F"}


def test_contacts_use_drama_numbers_and_example_domains(council: Council) -> None:
    households = {h.key for h in council.households}
    living_with: set[int] = set()
    for c in council.contacts:
        assert c.household_key in households
        assert c.phone is None or re.fullmatch(r"07700 900\d{3}", c.phone)
        assert c.email is None or re.fullmatch(r"[a-z0-9.\-]+@example\.(org|com)", c.email)
        assert c.relationship in {
            "mother",
            "father",
            "stepfather",
            "grandmother",
            "grandfather",
            "aunt",
            "uncle",
            "carer",
            "foster carer",
        }
        if c.lives_with:
            living_with.add(c.household_key)
    assert living_with == households
    assert any(not c.parental_responsibility for c in council.contacts)


def test_moves_are_recorded_as_previous_addresses(council: Council) -> None:
    movers = [h for h in council.households if h.previous]
    assert len(movers) > 0.25 * len(council.households)
    for h in movers:
        dates = [a.end for a in h.previous]
        assert dates == sorted(dates) and dates[-1] < h.moved_in
    away = [h for h in council.households if h.la_code != "931"]
    assert away and all(any(a.la_code == "931" for a in h.previous) for h in away)


# -- the truth -----------------------------------------------------------------------------------------


def test_truth_matches_the_records(council: Council) -> None:
    on = council.on
    households = {h.key: h for h in council.households}
    histories = _by_child(council)
    ehe = {e.child_key: e for e in council.ehe}
    assert {t.child_key: t.status for t in council.truth} == {c.key: c.truth_status for c in council.children}
    for child in council.children:
        status = child.truth_status
        assert status in TRUTH_STATUSES
        enrolments = histories.get(child.key, [])
        covering = [e for e in enrolments if e.start <= on and (e.end is None or e.end >= on)]
        household = households[child.household_key]
        csa = school_age.is_compulsory_school_age(child.dob, on)
        if status == "on_roll":
            assert covering or any(e.start > on for e in enrolments)
            continue
        assert not covering
        if status == "moved_out_of_area":
            assert household.la_code != "931"
            continue
        assert household.la_code == "931"
        if status == "below_csa":
            assert on < school_age.csa_start(child.dob)
        elif status == "above_csa":
            assert on > school_age.csa_end(child.dob)
        else:
            assert csa
        if status == "ehe":
            last_end = enrolments[-1].end
            assert enrolments[-1].deletion_ground == "F" and child.key in ehe and last_end is not None
            assert ehe[child.key].start == last_end + dt.timedelta(days=1)
        if status in ("cme_never_started", "cme_arrived_no_school"):
            assert not enrolments
        if status == "cme_arrived_no_school":
            assert household.arrived_uk is not None and (on - household.arrived_uk).days <= 730
            assert child.upn is None
        if status == "cme_missed_transfer":
            last = enrolments[-1]
            assert last.deletion_ground == "A" and last.destination_laestab not in (None, UNKNOWN_DESTINATION)
            assert last.nc_year_actual + school_year_of(last.end or on) - school_year_of(last.start) in (2, 6)
        if status == "cme_left_no_destination":
            last = enrolments[-1]
            assert last.deletion_ground in ("I", "H", "G", "N") and last.destination_laestab == UNKNOWN_DESTINATION
            assert school_age.is_compulsory_school_age(child.dob, last.end or on)


def test_missing_education_share_is_realistic(council: Council) -> None:
    csa = _csa(council)
    statuses = Counter(council.children[k - 1].truth_status for k in csa)
    cme = sum(n for s, n in statuses.items() if s in CME_STATUSES)
    assert 0.005 <= cme / len(csa) <= 0.01
    assert 0.005 <= statuses["ehe"] / len(csa) <= 0.015
    assert len([s for s in CME_STATUSES if statuses[s]]) >= 3
    assert 0.85 < statuses["on_roll"] / len(csa)
    ehe_kids = {e.child_key for e in council.ehe}
    assert ehe_kids == {k for k in csa if council.children[k - 1].truth_status == "ehe"}


@pytest.mark.parametrize("children", [1, 7, 123])
def test_tiny_councils_work(children: int) -> None:
    council = generate_council(children=children, seed=children)
    assert len(council.children) == children


# -- risk flags ---------------------------------------------------------------------------------------


def test_risk_flags_share_and_taxonomy(council: Council) -> None:
    assert all(f.code in RISK_FLAG_CODES and f.recorded_on <= council.on for f in council.risk_flags)
    flagged = {f.child_key for f in council.risk_flags}
    assert 0.08 <= len(flagged) / len(council.children) <= 0.12
    codes = Counter(f.code for f in council.risk_flags)
    for rare in ("trafficked", "fgm", "forced_marriage"):
        assert codes[rare] <= 0.001 * len(council.children) + 2
    pairs = [(f.child_key, f.code) for f in council.risk_flags]
    assert len(pairs) == len(set(pairs))
    children = {c.key: c for c in council.children}
    assert all(f.recorded_on >= children[f.child_key].dob for f in council.risk_flags)


def test_household_flags_are_shared_by_siblings(council: Council) -> None:
    by_household: dict[int, list[int]] = defaultdict(list)
    for c in council.children:
        by_household[c.household_key].append(c.key)
    flags = {(f.child_key, f.code) for f in council.risk_flags}
    for code in ("gypsy_roma_traveller", "military_family"):
        households = {council.children[k - 1].household_key for k, c in flags if c == code}
        assert households, code
        for h in households:
            assert all((k, code) in flags for k in by_household[h])


def test_excluded_children_are_flagged_and_go_to_alternative_provision(council: Council) -> None:
    schools = {s.laestab: s for s in council.schools}
    flags = {(f.child_key, f.code) for f in council.risk_flags}
    for e in council.enrolments:
        if e.deletion_ground == "O":
            assert (e.child_key, "permanently_excluded") in flags
            assert e.destination_laestab is not None and schools[e.destination_laestab].phase == "alternative_provision"
