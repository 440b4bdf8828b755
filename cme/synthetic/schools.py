"""The council's schools (and some across the border), and how families choose one.

About one school per 70 children in the area (capped at 8,800 open schools: an LAESTAB has four digits for the
establishment), in an English county's mix: primaries, infant and junior pairs, secondaries with and
without sixth forms, an all-through school, special schools, alternative provision, nursery schools
and independent schools. A few closed in recent years. About 30 schools sit in neighbouring LAs: some
children cross the border, and families who move away go to them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from cme.synthetic.places import NEIGHBOUR_LAS, TOWNS, AddressBook, Town
from cme.synthetic.rand import Weighted
from cme.synthetic.specs import SchoolSpec
from cme.synthetic.terms import SchoolDays

__all__ = ["MAX_SCHOOLS_IN_LA", "SchoolIndex", "build_schools", "school_count_for"]

MAX_SCHOOLS_IN_LA: Final = 8_800  # plus ~2% closed ones: all within 1000-9999
CHILDREN_PER_SCHOOL: Final = 70

# Share of in-LA schools by kind (primary takes the rest).
_SHARES: Final[dict[str, float]] = {
    "infant": 0.04,
    "junior": 0.04,
    "secondary": 0.13,
    "all_through": 0.01,
    "special": 0.04,
    "alternative_provision": 0.015,
    "nursery": 0.015,
    "independent": 0.08,
}
_CLOSED_SHARE: Final = 0.02

_TYPES: Final[dict[str, Weighted[str]]] = {
    "primary": Weighted(
        [
            ("academy", 42),
            ("community", 25),
            ("voluntary_controlled", 13),
            ("voluntary_aided", 10),
            ("foundation", 3),
            ("free_school", 7),
        ]
    ),
    "infant": Weighted([("community", 50), ("academy", 30), ("voluntary_controlled", 10), ("voluntary_aided", 10)]),
    "junior": Weighted([("community", 50), ("academy", 30), ("voluntary_controlled", 10), ("voluntary_aided", 10)]),
    "secondary": Weighted(
        [("academy", 78), ("free_school", 8), ("community", 6), ("foundation", 4), ("voluntary_aided", 4)]
    ),
    "all_through": Weighted([("academy", 60), ("free_school", 40)]),
    "special": Weighted([("special", 75), ("academy", 25)]),
    "alternative_provision": Weighted([("pupil_referral_unit", 60), ("academy", 30), ("free_school", 10)]),
    "nursery": Weighted([("community", 1)]),
    "independent": Weighted([("independent", 1)]),
}

_SAINTS = (
    "Mary",
    "Michael",
    "Peter",
    "Paul",
    "John",
    "Andrew",
    "James",
    "Nicholas",
    "Edmund",
    "Edburg",
    "Frideswide",
    "Barnabas",
    "Ebbe",
    "Swithun",
    "Christopher",
    "Joseph",
    "Gregory",
    "Aloysius",
    "Birinus",
    "Kenelm",
    "Leonard",
    "Laurence",
    "Helen",
    "Katherine",
    "Blaise",
    "Giles",
    "Clement",
    "Francis",
    "Bede",
    "Mark",
    "Luke",
    "Matthew",
    "Aldate",
    "Thomas",
    "Margaret",
    "Anne",
    "Bartholomew",
    "Lawrence",
    "Swithin",
    "Denys",
)
_FEATURES = (
    "Windmill",
    "Larkrise",
    "Orchard Fields",
    "Meadowbrook",
    "Brookside",
    "Riverside",
    "Hill View",
    "Beechwood",
    "Oakwood",
    "Willowbrook",
    "Cherry Tree",
    "Rose Hill",
    "Ridgeway",
    "Valley Road",
    "Greenfields",
    "Springfield",
    "Northfield",
    "Southwold",
    "Westfield",
    "Eastfield",
    "Church Meadow",
    "Millbrook",
    "Woodlands",
    "Harlow Park",
    "Kingfisher",
    "Heron's Reach",
    "Longfields",
    "Fir Tree",
    "Five Acres",
    "Badgemore",
    "Hazel Grove",
    "Thornbury",
    "Kestrel",
    "Sandhills",
    "Cherwell Bank",
    "Isis Meadow",
    "Evenlode",
    "Windrush",
    "Chiltern View",
    "Cotswold Edge",
    "Bluebell Wood",
    "Marsh Lane",
    "Chalk Hill",
    "Silverdale",
    "Elm Grove",
    "Ashgrove",
)
_RIVERS = ("Cherwell", "Thames", "Isis", "Evenlode", "Windrush", "Ock", "Thame", "Ray", "Glyme", "Swere")
_FOUNDERS = (
    "Lord Williams's",
    "King Alfred's",
    "Matthew Arnold",
    "Sir Thomas Cooke",
    "Dame Alice Harpur",
    "Bishop Fell",
    "William Morris",
    "Archbishop Laud",
    "Lady Margaret",
    "John Radcliffe",
)

_YEARS = range(-2, 14)


@dataclass(frozen=True, slots=True)
class _Plan:
    phase: str
    town: Town | None
    la_code: str
    locality: str
    base: str  # the place or feature the school is named after (shared by an infant/junior pair)


def school_count_for(children: int) -> int:
    """In-LA open schools for a council of ``children`` children (at least one of each kind)."""
    return max(len(_SHARES) + 4, min(MAX_SCHOOLS_IN_LA, round(children / CHILDREN_PER_SCHOOL)))


def _allocate(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainders, random ties)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _name(rng: random.Random, phase: str, etype: str, plan: _Plan) -> str:
    place = plan.base
    town = plan.town.name if plan.town else plan.base
    saint = _SAINTS[int(rng.random() * len(_SAINTS))]
    options: tuple[str, ...]
    feature = _FEATURES[int(rng.random() * len(_FEATURES))]
    roll = rng.random()
    if phase in ("primary", "infant", "junior"):
        word = {"primary": "Primary", "infant": "Infant", "junior": "Junior"}[phase]
        if etype == "voluntary_controlled" or (etype == "academy" and roll < 0.2):
            return (
                (f"{place} CE {word} School" if roll < 0.6 else f"St {saint}'s CE {word} School")
                if roll < 0.85
                else f"{place} Church of England {word} School"
            )
        if etype == "voluntary_aided":
            return (
                f"St {saint}'s Catholic {word} School" if roll < 0.7 else f"Our Lady of Lourdes Catholic {word} School"
            )
        if etype == "academy":
            return f"{place} {word} Academy" if roll < 0.5 else f"{feature} {word} Academy"
        if etype == "free_school":
            return f"{feature} {word} School" if roll < 0.6 else f"{place} Free School"
        if etype == "community" and roll < 0.3:
            return f"{place} Community {word} School"
        return f"{place} {word} School" if roll < 0.85 else f"{feature} {word} School"
    if phase == "secondary":
        if etype == "voluntary_aided":
            return f"St {saint}'s Catholic School"
        options = (
            f"{town} School",
            f"The {feature} School",
            f"{_RIVERS[int(rng.random() * len(_RIVERS))]} Valley Academy",
            f"{town} Academy",
            f"{_FOUNDERS[int(rng.random() * len(_FOUNDERS))]} School",
            f"{place} College",
            f"{feature} Park School",
            f"{town} Church of England Academy",
        )
        return options[int(roll * len(options))]
    if phase == "all_through":
        return f"{feature} All-Through Academy" if roll < 0.5 else f"{town} Gateway School"
    if phase == "special":
        options = (f"{feature} School", f"{place} Park School", f"{feature} House School", f"{place} Special Academy")
        return options[int(roll * len(options))]
    if phase == "alternative_provision":
        options = (
            f"{town} Alternative Provision Academy",
            f"{feature} Learning Centre",
            f"{town} Pupil Referral Unit",
            f"{feature} College",
        )
        return options[int(roll * len(options))]
    if phase == "nursery":
        return f"{place} Nursery School" if roll < 0.6 else f"{feature} Nursery School"
    options = (
        f"{town} Preparatory School",
        f"St {saint}'s School",
        f"{place} Hall School",
        f"{feature} House School",
        f"{town} High School for Girls",
        f"{place} College",
        f"The {town} School",
    )
    return options[int(roll * len(options))]


def _range(rng: random.Random, phase: str) -> tuple[int, int]:
    roll = rng.random()
    if phase == "primary":
        return (-1, 6) if roll < 0.3 else (0, 6)
    if phase == "infant":
        return (-1, 2) if roll < 0.15 else (0, 2)
    if phase == "junior":
        return (3, 6)
    if phase == "secondary":
        return (7, 13) if roll < 0.6 else (7, 11)
    if phase == "all_through":
        return (0, 13)
    if phase == "special":
        return (0, 13) if roll < 0.75 else (7, 13)
    if phase == "alternative_provision":
        return (5, 11) if roll < 0.5 else (7, 11)
    if phase == "nursery":
        return (-2, -1)
    return (0, 13) if roll < 0.5 else ((0, 8) if roll < 0.8 else (7, 13))


_ESTAB_RANGES: Final[dict[str, tuple[int, int]]] = {
    "nursery": (1000, 1099),
    "alternative_provision": (1100, 1199),
    "primary": (2000, 3999),
    "infant": (2000, 3999),
    "junior": (2000, 3999),
    "secondary": (4000, 5999),
    "all_through": (4000, 5999),
    "independent": (6000, 6999),
    "special": (7000, 7999),
}


class _Numbers:
    """Unique establishment numbers per LA and unique URNs."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._estabs: dict[str, set[int]] = defaultdict(set)
        self._urns: set[int] = set()

    def estab(self, la_code: str, phase: str) -> str:
        used = self._estabs[la_code]
        lo, hi = _ESTAB_RANGES[phase]
        for _ in range(50):
            n = lo + int(self._rng.random() * (hi - lo + 1))
            if n not in used:
                used.add(n)
                return f"{n:04d}"
        for n in range(1000, 10000):  # the phase's range is full: any free number
            if n not in used:
                used.add(n)
                return f"{n:04d}"
        raise ValueError(f"no establishment numbers left in LA {la_code}")

    def urn(self, etype: str) -> str:
        lo, hi = (136000, 152999) if etype in ("academy", "free_school") else (100000, 135999)
        while True:
            n = lo + int(self._rng.random() * (hi - lo + 1))
            if n not in self._urns:
                self._urns.add(n)
                return str(n)


def _plans(rng: random.Random, n_open: int, la_code: str) -> list[_Plan]:
    """What to build and where: phases spread over towns by population."""
    n_pairs = max(1, round(n_open * _SHARES["infant"]))
    counts = {phase: max(1, round(n_open * share)) for phase, share in _SHARES.items()}
    counts["infant"] = counts["junior"] = n_pairs
    counts["primary"] = max(1, n_open - sum(counts.values()))
    plans: list[_Plan] = []
    towns = list(TOWNS)
    weights = [t.weight for t in towns]

    def place_in(town: Town) -> tuple[str, str]:
        if town.localities and rng.random() < 0.55:
            loc = town.localities[int(rng.random() * len(town.localities))]
            return loc, loc
        return "", town.name if rng.random() < 0.5 else _FEATURES[int(rng.random() * len(_FEATURES))]

    for town, n in zip(towns, _allocate(counts["primary"], weights, rng), strict=True):
        for _ in range(n):
            locality, base = place_in(town)
            plans.append(_Plan("primary", town, la_code, locality, base))
    for town, n in zip(towns, _allocate(n_pairs, weights, rng), strict=True):
        for _ in range(n):
            locality, base = place_in(town)
            plans.append(_Plan("infant", town, la_code, locality, base))
            plans.append(_Plan("junior", town, la_code, locality, base))
    hubs = [t for t in towns if not t.hub]
    hub_weights = [t.weight + sum(o.weight for o in towns if o.hub == t.name) for t in hubs]
    for phase in ("secondary", "all_through", "special", "alternative_provision", "nursery", "independent"):
        pool, pool_weights = (hubs, hub_weights) if phase != "nursery" else (towns, weights)
        if phase == "independent":
            pool_weights = [w * t.affluent for t, w in zip(pool, pool_weights, strict=True)]
        for town, n in zip(pool, _allocate(counts[phase], pool_weights, rng), strict=True):
            for _ in range(n):
                locality, base = place_in(town)
                plans.append(_Plan(phase, town, la_code, locality, base))
    return plans


def build_schools(
    rng: random.Random,
    *,
    children: int,
    la_code: str,
    addresses: AddressBook,
    days: SchoolDays,
    on: dt.date,
) -> tuple[list[SchoolSpec], dict[int, str]]:
    """All schools (keys 1..n) and each school's locality ("" if none)."""
    n_open = school_count_for(children)
    plans = _plans(rng, n_open, la_code)
    n_closed = max(1, round(n_open * _CLOSED_SHARE))
    closed_plans = [plans[int(rng.random() * len(plans))] for _ in range(n_closed)]
    closed_plans = [p for p in closed_plans if p.phase in ("primary", "infant", "secondary", "nursery")] or [plans[0]]
    neighbour: list[_Plan] = []
    for la in NEIGHBOUR_LAS:
        if la.code == la_code:
            continue
        first_town = la.towns[0][0]
        bordering = any(t.border_la == la.code for t in TOWNS)
        for phase in ("primary", "secondary") + (("primary", "secondary") if bordering else ()):
            neighbour.append(_Plan(phase, None, la.code, "", first_town))
    numbers = _Numbers(rng)
    schools: list[SchoolSpec] = []
    localities: dict[int, str] = {}
    names: set[str] = set()
    cohort = children / 15.0  # children per year group, roughly

    def make(plan: _Plan, closed_on: dt.date | None) -> None:
        phase = plan.phase
        etype = _TYPES[phase].pick(rng)
        low, high = _range(rng, phase)
        name = _name(rng, phase, etype, plan)
        for _ in range(6):
            if name not in names:
                break
            name = _name(rng, phase, etype, plan)
        if name in names:
            where = plan.locality or (plan.town.name if plan.town else plan.base)
            base_name, suffix = name, 2
            name = f"{base_name} ({where})"
            while name in names:
                name = f"{base_name} ({where} {suffix})"
                suffix += 1
        names.add(name)
        town_name = plan.town.name if plan.town else plan.base
        key = len(schools) + 1
        years = high - low + 1
        share = {"special": 0.015, "alternative_provision": 0.004, "independent": 0.07, "nursery": 0.1}.get(phase, 0.85)
        per_school = cohort * years * share / max(1, n_open * _SHARES.get(phase, 0.6))
        capacity = max(8, int(per_school * (0.6 + 0.8 * rng.random())))
        if plan.la_code != la_code:
            capacity = max(capacity, 200)
        schools.append(
            SchoolSpec(
                key=key,
                laestab=plan.la_code + numbers.estab(plan.la_code, phase),
                urn=numbers.urn(etype),
                name=name,
                phase=phase,
                establishment_type=etype,
                low_nc_year=low,
                high_nc_year=high,
                postcode=addresses.school_postcode(town_name, None if plan.la_code == la_code else plan.la_code),
                town=town_name,
                is_open=closed_on is None,
                la_code=plan.la_code,
                capacity=capacity,
                closed_on=closed_on,
            )
        )
        localities[key] = plan.locality

    for plan in plans:
        make(plan, None)
    first_year = days.first_year + 1
    last_year = min(days.last_year, on.year - 1 if on.month >= 9 else on.year - 2)
    for plan in closed_plans:
        year = first_year + int(rng.random() * max(1, last_year - first_year + 1))
        make(plan, days.summer_end(year))
    for plan in neighbour:
        make(plan, None)
    return schools, localities


# --------------------------------------------------------------------------------------------------
# Choosing a school
# --------------------------------------------------------------------------------------------------

#: Which phases serve a "need": first school (Reception/nursery), junior (Y3), secondary (Y7), sixth form...
_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "first": ("primary", "infant"),
    "nursery": ("nursery", "primary", "infant"),
    "junior": ("junior", "primary"),
    "primary_only": ("primary",),
    "secondary": ("secondary", "all_through"),
    "sixth": ("secondary", "all_through"),
    "all_through": ("all_through",),
    "special": ("special",),
    "ap": ("alternative_provision",),
    "independent": ("independent",),
}


class SchoolIndex:
    """Fast school choice by (town, need, NC year), weighted by capacity, skipping closed schools."""

    def __init__(self, schools: list[SchoolSpec], localities: dict[int, str], la_code: str) -> None:
        self.la_code = la_code
        self.by_key = {s.key: s for s in schools}
        self.by_laestab = {s.laestab: s for s in schools}
        self.localities = localities
        self._towns = {t.name: t for t in TOWNS}
        buckets: dict[tuple[str, str, str, int], list[SchoolSpec]] = defaultdict(list)
        for s in schools:
            for need, phases in _GROUPS.items():
                if s.phase not in phases:
                    continue
                if need == "sixth" and s.high_nc_year < 13:
                    continue
                if need == "nursery" and s.low_nc_year > -1:
                    continue
                for year in _YEARS:
                    if s.low_nc_year <= year <= s.high_nc_year:
                        if s.la_code == la_code:
                            buckets[("town", s.town, need, year)].append(s)
                            buckets[("county", "", need, year)].append(s)
                            loc = localities.get(s.key, "")
                            if loc:
                                buckets[("loc", f"{s.town}|{loc}", need, year)].append(s)
                        else:
                            buckets[("la", s.la_code, need, year)].append(s)
        self._buckets: dict[tuple[str, str, str, int], Weighted[SchoolSpec]] = {
            key: Weighted((s, float(s.capacity)) for s in members) for key, members in buckets.items()
        }
        self._members = buckets

    def _pick(self, rng: random.Random, key: tuple[str, str, str, int], when: dt.date) -> SchoolSpec | None:
        bucket = self._buckets.get(key)
        if bucket is None:
            return None
        for _ in range(4):
            school = bucket.pick(rng)
            if school.closed_on is None or school.closed_on > when:
                return school
        open_ = [s for s in self._members[key] if s.closed_on is None or s.closed_on > when]
        return open_[int(rng.random() * len(open_))] if open_ else None

    def choose(
        self,
        rng: random.Random,
        need: str,
        town: str,
        year: int,
        when: dt.date,
        *,
        locality: str = "",
        cross_border: float = 0.0,
        exclude: SchoolSpec | None = None,
    ) -> SchoolSpec | None:
        """A school for a child living in ``town`` who needs ``need`` in NC year ``year`` from ``when``."""
        t = self._towns.get(town)
        for _ in range(3):
            school = self._choose_once(rng, need, t, town, year, when, locality, cross_border)
            if school is not None and school is not exclude:
                return school
        return self._choose_once(rng, need, t, town, year, when, "", 0.0) if exclude is None else None

    def _choose_once(
        self,
        rng: random.Random,
        need: str,
        t: Town | None,
        town: str,
        year: int,
        when: dt.date,
        locality: str,
        cross_border: float,
    ) -> SchoolSpec | None:
        if t is not None and t.border_la and cross_border and rng.random() < cross_border:
            school = self._pick(rng, ("la", t.border_la, need, year), when)
            if school is not None:
                return school
        if locality and rng.random() < 0.65:
            school = self._pick(rng, ("loc", f"{town}|{locality}", need, year), when)
            if school is not None:
                return school
        places: Iterable[str] = (town, t.secondary_town) if t is not None else (town,)
        for place in places:
            school = self._pick(rng, ("town", place, need, year), when)
            if school is not None:
                return school
        return self._pick(rng, ("county", "", need, year), when)

    def neighbour(self, rng: random.Random, la_code: str, year: int, when: dt.date) -> SchoolSpec | None:
        """A school in another LA for a child in NC year ``year`` (None if we hold none there)."""
        need = "first" if year <= 2 else ("junior" if year <= 6 else ("sixth" if year >= 12 else "secondary"))
        return self._pick(rng, ("la", la_code, need, year), when)

    @staticmethod
    def need_for(year: int) -> str:
        if year <= -1:
            return "nursery"
        if year <= 2:
            return "first"
        if year <= 6:
            return "junior"
        if year <= 11:
            return "secondary"
        return "sixth"
