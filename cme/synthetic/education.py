"""A child's school history: admissions, year-group transfers, in-year moves, exclusions and departures.

The walk follows one child from nursery or Reception (or from arrival in the area) to the generation
date. Transfers happen on 1 September (Reception -> infant/primary -> junior -> secondary -> sixth form),
with the old enrolment ending on the last day of the summer term (or 31 August) and the new one starting
in the first week of September. In-year moves leave a short gap of school days; nobody is on two rolls at
once (dual registration is not modelled). Stories decided by the household (elective home education,
leaving with no known destination, a missed transfer, moving away) end the walk early.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass, field
from typing import Final

from cme.law import upn as law_upn
from cme.synthetic.rand import Weighted
from cme.synthetic.schools import SchoolIndex
from cme.synthetic.specs import UNKNOWN_DESTINATION, EnrolmentSpec, SchoolSpec
from cme.synthetic.terms import SchoolDays, school_year_of

__all__ = ["Move", "Pupil", "Schooling", "SchoolingResult", "UpnAllocator"]

_ONE_DAY: Final = dt.timedelta(days=1)
_LEFT_GROUNDS: Final = Weighted([("I", 60.0), ("H", 15.0), ("G", 25.0)])


@dataclass(frozen=True, slots=True)
class Move:
    """The household moved to ``town`` (in the area) on ``on``."""

    on: dt.date
    town: str
    locality: str


@dataclass(slots=True)
class Pupil:
    """What the walk needs to know about one child (built by ``cme.synthetic.council``)."""

    key: int
    dob: dt.date
    cohort_offset: int
    home_town: str
    home_locality: str
    arrival: dt.date | None = None  # first day living in the area (None: always lived here)
    arrived_from: str = ""  # "", "uk" or "abroad"
    origin_la: str = ""  # LA code the family came from ("uk" arrivals)
    moves: list[Move] = field(default_factory=list)
    left_area: dt.date | None = None
    left_to_la: str | None = None  # None = abroad
    track: str = "mainstream"  # "mainstream", "special", "independent"
    story: str = ""  # "", "ehe", "cme_left", "never", "arrived", "missed", "gap"
    story_date: dt.date | None = None
    cross_border: float = 0.0


@dataclass(slots=True)
class SchoolingResult:
    enrolments: list[EnrolmentSpec]
    upn: str | None
    former_upns: tuple[str, ...]
    ehe_start: dt.date | None = None
    excluded_on: dt.date | None = None
    left_independent_on: dt.date | None = None


class UpnAllocator:
    """UPNs as schools issue them: LA + estab of the first school + year of allocation + serial (formats §2)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._serials: dict[tuple[str, int], int] = {}
        self._temps: dict[tuple[str, int], int] = {}
        self._used: set[str] = set()

    def issue(self, school: SchoolSpec, year: int) -> str:
        """A permanent UPN from ``school`` in calendar ``year``."""
        la, estab = school.laestab[:3], school.laestab[3:]
        year2 = year % 100
        for shift in range(0, 100, 7):
            key = (school.laestab, (year2 + shift) % 100)
            serial = self._serials.get(key, 0)
            if serial <= 999:
                self._serials[key] = serial + 1
                upn = law_upn.make_upn(la, estab, key[1], serial)
                if upn not in self._used:
                    self._used.add(upn)
                    return upn
        raise RuntimeError(f"UPN serials exhausted for {school.laestab}")

    def issue_elsewhere(self, la_code: str, year: int) -> str:
        """A permanent UPN issued by some school in another LA (for children who move in)."""
        rng = self._rng
        while True:
            estab = f"{2000 + int(rng.random() * 3000):04d}"
            upn = law_upn.make_upn(la_code, estab, year % 100, int(rng.random() * 1000))
            if upn not in self._used:
                self._used.add(upn)
                return upn

    def temporary(self, school: SchoolSpec, year: int) -> str:
        """A temporary UPN (2-digit serial and a letter), used while the real one is not known."""
        la, estab = school.laestab[:3], school.laestab[3:]
        key = (school.laestab, year % 100)
        while True:
            n = self._temps.get(key, 0)
            self._temps[key] = n + 1
            letter = law_upn.LETTERS[(n // 100) % len(law_upn.LETTERS)]
            upn = law_upn.make_temporary_upn(la, estab, year % 100, n % 100, letter)
            if upn not in self._used:
                self._used.add(upn)
                return upn


@dataclass(slots=True)
class _Open:
    school: SchoolSpec
    start: dt.date
    nc: int


class Schooling:
    """Walks children through school; one instance per council (shares UPN serials and the school index)."""

    def __init__(
        self,
        rng: random.Random,
        *,
        index: SchoolIndex,
        days: SchoolDays,
        upns: UpnAllocator,
        on: dt.date,
    ) -> None:
        self.rng = rng
        self.index = index
        self.days = days
        self.upns = upns
        self.on = on
        self.year_on = school_year_of(on)

    # -- helpers ------------------------------------------------------------------------------------
    def _term_end(self, year: int) -> dt.date:
        """Leaving date at the end of school year ``year``: last day of term, sometimes 31 August."""
        if self.rng.random() < 0.25:
            return dt.date(year + 1, 8, 31)
        return self.days.summer_end(year)

    def _september_start(self, school: SchoolSpec, year: int, nc: int) -> dt.date:
        start = self.days.autumn_start(year)
        shift = 1 if school.key % 3 == 0 else 0  # an INSET day first
        if nc <= 0:  # staggered Reception and nursery starts
            shift += int(self.rng.random() * 3)
        return self.days.add(start, shift) if shift else start

    def _town_at(self, pupil: Pupil, when: dt.date) -> tuple[str, str]:
        town, locality = pupil.home_town, pupil.home_locality
        for move in pupil.moves:
            if move.on <= when:
                town, locality = move.town, move.locality
        return town, locality

    def _choose(self, pupil: Pupil, need: str, nc: int, when: dt.date, exclude: SchoolSpec | None = None) -> SchoolSpec:
        town, locality = self._town_at(pupil, when)
        cross = pupil.cross_border if need in ("secondary", "sixth") else pupil.cross_border / 3
        school = self.index.choose(
            self.rng, need, town, nc, when, locality=locality, cross_border=cross, exclude=exclude
        )
        if school is None:
            school = self.index.choose(self.rng, SchoolIndex.need_for(nc), town, nc, when)
        if school is None:  # pragma: no cover - the county always has a school for every year group
            raise RuntimeError(f"no school for year {nc} in {town} on {when}")
        return school

    def _need(self, pupil: Pupil, nc: int) -> str:
        if pupil.track == "independent" and nc >= 0:
            return "independent"
        if pupil.track == "special" and nc >= 0:
            return "special"
        return SchoolIndex.need_for(nc)

    # -- the walk -----------------------------------------------------------------------------------
    def walk(self, pupil: Pupil) -> SchoolingResult:
        rng, days, on = self.rng, self.days, self.on
        result = SchoolingResult([], None, ())
        entry_year = school_year_of(pupil.dob) + 5 - pupil.cohort_offset  # Reception year

        def nc_at(d: dt.date) -> int:
            return school_year_of(d) - entry_year

        if pupil.story in ("never", "arrived"):
            return result

        # When does the child first need a school here?
        reception = days.autumn_start(entry_year)
        roll = rng.random()
        if roll < 0.035:
            first_start = days.spring_start(entry_year)
        elif roll < 0.045:
            first_start = days.summer_start(entry_year)
        else:
            first_start = reception
        nursery = False
        arrival = pupil.arrival
        if arrival is not None and arrival > first_start:
            gap = 2 + int(rng.random() * 20) if pupil.arrived_from == "uk" else 8 + int(rng.random() * 45)
            first_start = days.add(arrival, gap)
            latest = days.on_or_before(on - 2 * _ONE_DAY)
            if first_start > latest:
                first_start = max(days.on_or_after(arrival), latest)
        elif (
            rng.random() < 0.35
            and entry_year - 1 >= days.first_year
            and (arrival is None or arrival <= days.autumn_start(entry_year - 1))
        ):
            nursery = True
            first_start = days.autumn_start(entry_year - 1)
        first_nc = nc_at(first_start)
        if first_start > on or first_nc >= 14 or (first_nc >= 12 and rng.random() < 0.5):
            return result

        cur: _Open | None = None
        done = False
        independent_left: dt.date | None = None
        queue: list[tuple[dt.date, int, int, str, int]] = []
        seq = 0

        def push(when: dt.date, priority: int, kind: str, data: int = 0) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(queue, (when, priority, seq, kind, data))

        def open_at(school: SchoolSpec, start: dt.date) -> None:
            nonlocal cur, done
            cur = _Open(school, start, nc_at(start))
            self._give_upn(pupil, result, school, start)
            if start > on:
                done = True  # a place arranged, starting after the generation date

        def close(end: dt.date, ground: str | None, dest: str | None) -> None:
            nonlocal cur, independent_left
            if cur is None:  # pragma: no cover - callers only act on an open enrolment
                raise RuntimeError("no open enrolment")
            result.enrolments.append(EnrolmentSpec(pupil.key, cur.school.key, cur.start, end, cur.nc, ground, dest))
            if (
                cur.school.phase == "independent"
                and ground not in (None, "L", "O")
                and (ground != "A" or end.month not in (7, 8))
            ):
                independent_left = end  # left an independent school other than at a normal transfer
            cur = None

        def transfer(need: str, nc: int, year: int, *, ground: str = "A") -> None:
            if cur is None:  # pragma: no cover - callers only act on an open enrolment
                raise RuntimeError("no open enrolment")
            school = self._choose(pupil, need, nc, days.autumn_start(year), exclude=cur.school)
            close(self._term_end(year - 1), ground, school.laestab)
            open_at(school, self._september_start(school, year, nc))

        def in_year_switch(d: dt.date, need: str, nc: int) -> None:
            if cur is None:  # pragma: no cover - callers only act on an open enrolment
                raise RuntimeError("no open enrolment")
            end = days.on_or_before(d)
            start = days.add(end, 1 + int(rng.random() * 8))
            if end < cur.start or school_year_of(start) != school_year_of(end):
                return  # too close to the summer: the September roll-over moves the child instead
            school = self._choose(pupil, need, nc, d, exclude=cur.school)
            if school is cur.school:
                return  # no other school to move to
            close(end, "A", school.laestab)
            open_at(school, start)

        # First admission.
        if nursery:
            school = self._choose(pupil, "nursery", -1, first_start)
            open_at(school, self._september_start(school, entry_year - 1, -1))
        else:
            need = self._need(pupil, first_nc)
            if pupil.track == "special" and first_nc <= 2 and rng.random() < 0.5:
                need = SchoolIndex.need_for(first_nc)  # joins a special school later
            school = self._choose(pupil, need, first_nc, first_start)
            start = self._september_start(school, entry_year, 0) if first_start == reception else first_start
            open_at(school, start)

        # Events: 1 September roll-overs, in-year moves, exclusions, stories, leaving the area.
        late = on - dt.timedelta(days=21)  # in-year changes this close to the date are not started yet
        for move in pupil.moves:
            if move.on <= late:
                push(move.on, 1, "move", pupil.moves.index(move))
        if pupil.left_area is not None:
            push(pupil.left_area, 0, "leave")
        if pupil.story in ("ehe", "cme_left", "gap") and pupil.story_date is not None:
            push(pupil.story_date, 2, pupil.story)
        start_year = school_year_of(first_start)
        for year in range(start_year, self.year_on + 1):
            nc = year - entry_year
            lo, hi = days.inner(year)
            hi = min(hi, late)
            if rng.random() < (0.012 if nc <= 6 else 0.009):
                d = days.between(rng, lo, hi)
                if d is not None:
                    push(d, 3, "switch")
            if 5 <= nc <= 11 and rng.random() < 0.0015:
                d = days.between(rng, lo, hi)
                if d is not None:
                    push(d, 3, "exclude")
            if year > start_year:
                push(dt.date(year, 9, 1), -1, "sep", year)

        while queue and not done:
            when, _, _, kind, data = heapq.heappop(queue)
            if when > on:
                break
            if kind == "leave":
                if cur is not None:
                    end = max(days.on_or_before(when - _ONE_DAY), cur.start)
                    dest = self._destination(pupil, nc_at(when), when)
                    ground = "G" if dest == UNKNOWN_DESTINATION or rng.random() < 0.45 else "A"
                    close(end, ground, dest)
                done = True
                continue
            if cur is None:
                if kind == "restart":
                    nc = nc_at(when)
                    open_at(self._choose(pupil, self._need(pupil, nc), nc, when), when)
                continue
            if when < cur.start:
                continue  # the story or move happened before this child joined a school here
            nc = nc_at(when)
            s = cur.school
            if kind == "sep":
                year = data
                closing = s.closed_on is not None and s.closed_on < when
                if (
                    pupil.story == "missed"
                    and pupil.story_date is not None
                    and year == school_year_of(pupil.story_date)
                    and s.high_nc_year < nc
                    and nc in (3, 7)
                ):
                    need = "junior" if nc == 3 else "secondary"
                    school = self._choose(pupil, need, nc, days.autumn_start(year), exclude=s)
                    close(days.summer_end(year - 1), "A", school.laestab)
                    done = True
                elif nc >= 14:
                    close(self._term_end(year - 1), None, None)
                    done = True
                elif nc > s.high_nc_year or closing:
                    if nc == 12 and not closing:
                        if rng.random() < 0.35 or pupil.cohort_offset > 0:  # still of compulsory school age
                            transfer("sixth", nc, year)
                        else:
                            close(self._term_end(year - 1), "L", None)
                            done = True
                    elif nc >= 12:
                        transfer("sixth", nc, year)
                    else:
                        transfer("special" if s.phase == "special" else self._need(pupil, nc), nc, year)
                elif nc == 0 and s.low_nc_year == -1 and rng.random() < 0.12:
                    # A nursery-class child who goes to another school's Reception (ground B).
                    transfer(self._need(pupil, 0), 0, year, ground="B")
                elif nc == 12 and pupil.cohort_offset <= 0 and rng.random() < 0.28:
                    close(self._term_end(year - 1), "L", None)
                    done = True
                elif nc == 13 and rng.random() < 0.08:
                    close(self._term_end(year - 1), None, None)
                    done = True
                elif pupil.track == "special" and s.phase != "special" and nc in (3, 7) and rng.random() < 0.6:
                    transfer("special", nc, year)
                elif nc == 7 and s.phase == "independent" and rng.random() < 0.12:
                    transfer("secondary", nc, year)
                elif nc == 7 and s.phase in ("primary", "junior") and rng.random() < 0.03:
                    transfer("independent", nc, year)
            elif kind == "move":
                move = pupil.moves[data]
                old_town = self._town_at(pupil, when - _ONE_DAY)[0]
                p = 0.75 if move.town != old_town else 0.12
                switch_on = days.add(when, int(rng.random() * 10))
                if (
                    s.phase not in ("special", "independent", "alternative_provision")
                    and school_year_of(switch_on) == school_year_of(when)
                    and rng.random() < p
                ):
                    in_year_switch(switch_on, self._need(pupil, nc), nc)
            elif kind == "switch":
                if s.phase == "alternative_provision":
                    in_year_switch(when, SchoolIndex.need_for(nc), nc)
                elif s.phase != "special":
                    in_year_switch(when, "independent" if s.phase == "independent" else SchoolIndex.need_for(nc), nc)
            elif kind == "exclude":
                if s.phase in ("primary", "junior", "secondary", "all_through", "independent") and 5 <= nc <= 11:
                    ap = self.index.choose(rng, "ap", self._town_at(pupil, when)[0], nc, when)
                    end = days.on_or_before(when)
                    if ap is not None and end >= cur.start and school_year_of(days.add(end, 6)) == school_year_of(end):
                        close(end, "O", ap.laestab)
                        result.excluded_on = end
                        open_at(ap, days.add(end, 6))
                        if rng.random() < 0.6:
                            back = days.add(end, 40 + int(rng.random() * 150))
                            if back <= late:
                                push(back, 3, "switch")
            elif kind == "ehe":
                end = days.on_or_before(when)
                close(end, "F", None)
                result.ehe_start = end + _ONE_DAY
                done = True
            elif kind == "cme_left":
                ground = "N" if s.phase == "independent" and rng.random() < 0.5 else _LEFT_GROUNDS.pick(rng)
                close(days.on_or_before(when), ground, UNKNOWN_DESTINATION)
                done = True
            elif kind == "gap":
                close(days.on_or_before(when), "I", UNKNOWN_DESTINATION)
                back = days.add(when, 25 + int(rng.random() * 90))
                if back <= late:
                    push(back, 3, "restart")

        if cur is not None:
            result.enrolments.append(EnrolmentSpec(pupil.key, cur.school.key, cur.start, None, cur.nc, None, None))
        result.left_independent_on = independent_left
        return result

    def _destination(self, pupil: Pupil, nc: int, when: dt.date) -> str:
        """Where a family that moved away told the school the child was going."""
        rng = self.rng
        if pupil.left_to_la is None or rng.random() < 0.3:
            return UNKNOWN_DESTINATION
        school = self.index.neighbour(rng, pupil.left_to_la, max(0, min(13, nc)), when)
        if school is not None:
            return school.laestab
        return f"{pupil.left_to_la}{2000 + int(rng.random() * 4000):04d}"

    def _give_upn(self, pupil: Pupil, result: SchoolingResult, school: SchoolSpec, start: dt.date) -> None:
        rng = self.rng
        if result.upn is not None:
            if len(result.enrolments) >= 1 and rng.random() < 0.002 and school.phase != "independent":
                # A second UPN issued by mistake, later merged: the old one is kept as a former UPN.
                result.former_upns += (self.upns.issue(school, start.year),)
            return
        if school.phase == "independent" and rng.random() < 0.6:
            return  # many independent schools do not issue UPNs
        prior_schooling = pupil.arrival is not None and pupil.arrived_from == "uk" and nc_started_before(pupil, start)
        if prior_schooling:
            permanent = self.upns.issue_elsewhere(pupil.origin_la, school_year_of(pupil.dob) + 5)
            if rng.random() < 0.06:
                temporary = self.upns.temporary(school, start.year)
                if (self.on - start).days < 120:
                    result.upn = temporary  # the CTF has not arrived yet
                    return
                result.former_upns += (temporary,)
            result.upn = permanent
            return
        result.upn = self.upns.issue(school, start.year)


def nc_started_before(pupil: Pupil, start: dt.date) -> bool:
    """True if the child would have started Reception somewhere else before ``start``."""
    entry_year = school_year_of(pupil.dob) + 5 - pupil.cohort_offset
    return school_year_of(start) > entry_year or (start.month >= 10 and school_year_of(start) == entry_year)
