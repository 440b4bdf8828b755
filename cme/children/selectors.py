"""Reads about children and schools. Every function takes the user and starts from their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

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
    School,
)
from cme.children.status import ChildFacts, EducationStatus, Period, TimelineEntry, status_on, timeline
from cme.core import names
from cme.law import postcode as postcodes
from cme.law import upn as upns

if TYPE_CHECKING:
    from cme.accounts.models import User


def child_get(*, user: User, pk: int) -> Child:
    """One child within the user's scope, or 404 (never 403: do not reveal that a record exists)."""
    child = Child.objects.for_user(user).select_related("local_authority").filter(pk=pk).first()
    if child is None:
        raise Http404("No child found")
    return child


def child_detail(*, user: User, pk: int) -> Child:
    """The child with everything the child page shows, in a fixed number of queries."""
    queryset = Child.objects.for_user(user).select_related("local_authority").prefetch_related(
        Prefetch("names", queryset=ChildName.objects.order_by("kind", "-valid_from")),
        Prefetch("addresses", queryset=ChildAddress.objects.select_related("address").order_by("-start")),
        Prefetch("child_contacts", queryset=ChildContact.objects.select_related("contact").order_by("priority")),
        Prefetch("risk_flags", queryset=RiskFlag.objects.select_related("flag_type").order_by("-identified_on")),
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("school").order_by("-start")),
        Prefetch("education_otherwise", queryset=EducationOtherwise.objects.order_by("-start")),
        Prefetch("residences", queryset=Residence.objects.order_by("-start")),
        "identifiers",
        # AC-4: siblings and household members are named only if the user may reach them too (a school user is
        # not shown a sibling at another school).
        Prefetch("links", queryset=ChildLink.objects.filter(other__in=Child.objects.for_user(user))
                 .select_related("other").order_by("pk")),
    )
    child = queryset.filter(pk=pk).first()
    if child is None:
        raise Http404("No child found")
    return child


def child_facts(child: Child) -> ChildFacts:
    """The facts status derivation needs (uses prefetched relations when present)."""
    return ChildFacts(
        date_of_birth=child.date_of_birth,
        enrolments=[Period(e.start, e.end, str(e.school_id)) for e in child.enrolments.all()],
        education_otherwise=[Period(p.start, p.end, p.kind, p.suitability) for p in child.education_otherwise.all()],
        residences=[Period(r.start, r.end, "in" if r.in_area else "out") for r in child.residences.all()],
        has_address_in_area=bool(child.current_postcode) or child.addresses.exists(),
    )


def child_status(child: Child, on: dt.date | None = None) -> EducationStatus:
    return status_on(child_facts(child), on or timezone.localdate())


def child_timeline(child: Child, until: dt.date | None = None) -> list[TimelineEntry]:
    return timeline(child_facts(child), until=until or timezone.localdate())


# --- Search ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildSearch:
    upn: str = ""
    name: str = ""
    date_of_birth: dt.date | None = None
    born_from: dt.date | None = None
    born_to: dt.date | None = None
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.upn or self.name or self.date_of_birth or self.born_from or self.born_to or self.postcode)


@dataclass
class SearchHit:
    child: Child
    score: float
    reasons: list[str] = field(default_factory=list)


MAX_CANDIDATES = 3000
MIN_NAME_SCORE = 0.82


def _name_condition(tokens: list[str], *, history: bool = False) -> Q:
    first, last = tokens[0], tokens[-1]
    canon_first, canon_last = names.canonical_forename(first), names.canonical_forename(last)
    ph_first, ph_last = names.phonetic_key(canon_first), names.phonetic_key(last)
    if len(tokens) == 1:
        return (
            Q(forename_key=canon_first) | Q(surname_key=names.surname_key(first))
            | Q(surname_phonetic=names.phonetic_key(first)) | Q(forename_phonetic=ph_first)
        )
    surname = names.surname_key(last)
    return (
        Q(surname_phonetic=ph_last, forename_phonetic=ph_first)
        | Q(surname_phonetic=names.phonetic_key(first), forename_phonetic=names.phonetic_key(canon_last))  # swapped
        | Q(forename_key=canon_first)  # typo in the surname
        | Q(surname_key=surname)  # typo in the forename
        | (Q(surname_key__startswith=surname[:3]) if history else Q(surname_prefix=surname[:3])) & Q(
            forename_phonetic=ph_first)
        | Q(surname_key=names.surname_key(first), forename_key=canon_last)  # swapped, exact
    )


@dataclass
class RankedSearch:
    """A search's matches, best first, as (child id, score): the children themselves are loaded by `hits`, for
    only the page a list shows (PERF-1: a common name ranks 200 children; a page shows 25)."""

    ranked: list[tuple[int, float]]
    reasons: list[str]

    def hits(self, ranked: list[tuple[int, float]] | None = None, *, for_list: bool = True) -> list[SearchHit]:
        """SearchHits for `ranked` (a slice of self.ranked; all of them by default), with the list prefetches
        (``for_list``; without them for a caller that only needs the children, such as matching a CTF's pupils)."""
        ranked = self.ranked if ranked is None else ranked
        ids = [pk for pk, _ in ranked]
        children = Child.objects.filter(pk__in=ids)
        by_id = {c.pk: c for c in (child_list_queryset(children) if for_list else children)}
        return [SearchHit(by_id[pk], score, self.reasons) for pk, score in ranked if pk in by_id]


def _name_scorer(tokens: list[str]) -> Callable[[str, str], float]:
    """How like the searched name a record's (forename key, surname key) is, 0-1; the transposed name counts at
    0.98. The search's own keys are worked out once, not once per candidate."""
    if len(tokens) == 1:
        forename, surname = names.canonical_forename(tokens[0]), names.surname_key(tokens[0])
        return lambda forename_key, surname_key: max(names.similarity(forename, forename_key),
                                                     names.similarity(surname, surname_key))
    first, last = names.canonical_forename(tokens[0]), names.surname_key(tokens[-1])
    swapped_first, swapped_last = names.canonical_forename(tokens[-1]), names.surname_key(tokens[0])

    def score(forename_key: str, surname_key: str) -> float:
        straight = (names.similarity(first, forename_key) + names.similarity(last, surname_key)) / 2
        swapped = (names.similarity(swapped_first, forename_key) + names.similarity(swapped_last, surname_key)) / 2
        return max(straight, swapped * 0.98)

    return score


def child_search_ranked(*, user: User, search: ChildSearch, limit: int = 200) -> RankedSearch:
    """Find children by UPN, name (typos, transposed names, sound-alikes), date of birth and postcode, combined.

    Candidates come from indexed keys (phonetic, canonical forename, surname prefix); they are then ranked by
    Jaro-Winkler similarity. Name history (former names, aliases) is searched too.
    """
    children = Child.objects.for_user(user)
    reasons: list[str] = []
    if search.upn:
        upn = upns.normalise(search.upn)
        # Two indexed look-ups, the child's UPN and any identifier with that value (former and temporary UPNs...):
        # `upn = X OR identifier = X` in one query joined every child to its identifiers and read them all (135 ms
        # a search at 108,000 children; 5,000 of them made a school's CTF take 12 minutes, PERF-4).
        identified = ChildIdentifier.objects.filter(kind__in=ChildIdentifier.Kind.values, value=upn)
        found = {*children.filter(upn=upn).order_by().values_list("pk", flat=True),
                 *identified.values_list("child_id", flat=True)}
        children = children.filter(pk__in=found)
        reasons.append("UPN")
    if search.date_of_birth:
        children = children.filter(date_of_birth=search.date_of_birth)
        reasons.append("date of birth")
    if search.born_from:
        children = children.filter(date_of_birth__gte=search.born_from)
    if search.born_to:
        children = children.filter(date_of_birth__lte=search.born_to)
    if search.postcode:
        full = postcodes.normalise(search.postcode)
        if full:
            children = children.filter(current_postcode=full)
        else:
            district = search.postcode.strip().upper().replace(" ", "")
            children = children.filter(current_postcode__startswith=f"{district} ")
        reasons.append("postcode")
    tokens = names.name_key(search.name).split() if search.name else []
    scored: list[tuple[int, float]] = []
    if tokens:
        score = _name_scorer(tokens)
        fields = ("pk", "forename_key", "surname_key")
        # Current names and former names/aliases are two queries, each an OR of indexed arms (a bitmap OR in
        # PostgreSQL): one query with `OR id IN (name history)` could use no index and read every child (PERF-1).
        current = children.filter(_name_condition(tokens)).order_by().values_list(*fields)[:MAX_CANDIDATES]
        best: dict[int, float] = {}
        order: dict[int, tuple[str, str]] = {}  # equal scores list alphabetically by current name
        for pk, forename_key, surname_key in current:
            best[pk] = max(best.get(pk, 0.0), score(forename_key, surname_key))
            order[pk] = (surname_key, forename_key)
        # The current legal name's row repeats the child's own keys (searched above): only former legal names,
        # preferred names and aliases are read here.
        former = ChildName.objects.filter(_name_condition(tokens, history=True),
                                          child__in=children.order_by().values("pk")).exclude(
            kind=ChildName.Kind.LEGAL, valid_to__isnull=True).order_by()
        found_by_former: set[int] = set()
        for pk, forename_key, surname_key in former.values_list("child_id", "forename_key", "surname_key")[
                :MAX_CANDIDATES]:
            if pk not in best:
                found_by_former.add(pk)
            best[pk] = max(best.get(pk, 0.0), score(forename_key, surname_key))
        if found_by_former:  # a child found by a former name is scored on their current name too
            for pk, forename_key, surname_key in children.filter(pk__in=found_by_former).values_list(*fields):
                best[pk] = max(best[pk], score(forename_key, surname_key))
                order[pk] = (surname_key, forename_key)
        scored = sorted(((pk, s) for pk, s in best.items() if s >= MIN_NAME_SCORE),
                        key=lambda x: (-x[1], order.get(x[0], ("", "")), x[0]))[:limit]
        reasons.append("name")
    else:
        scored = [(pk, 1.0) for pk in children.order_by("legal_surname", "legal_forename").values_list(
            "pk", flat=True)[:limit]]
    return RankedSearch(scored, reasons)


def child_search(*, user: User, search: ChildSearch, limit: int = 200, for_list: bool = True) -> list[SearchHit]:
    """`child_search_ranked` with every match loaded (for callers that use them all: triage, CTF, the API);
    ``for_list=False`` loads the children without the list pages' prefetches."""
    return child_search_ranked(user=user, search=search, limit=limit).hits(for_list=for_list)


def child_list_queryset(children: QuerySet[Child]) -> QuerySet[Child]:
    """Prefetches for list pages: current enrolment with its school, flags, and what status needs."""
    return children.prefetch_related(
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("school").order_by("-start")),
        Prefetch("risk_flags", queryset=RiskFlag.objects.filter(ended_on__isnull=True).select_related("flag_type")),
        "education_otherwise",
        "residences",
    )


# --- Schools ---------------------------------------------------------------------------------------


def school_list(*, user: User) -> QuerySet[School]:
    return School.objects.filter(local_authority_id=user.local_authority_id).order_by("name")


def school_rolls(*, school_ids: list[int], on: dt.date | None = None) -> dict[int, int]:
    """Pupils on roll today for the given schools only (one grouped query using the (school, end) index)."""
    day = on or timezone.localdate()
    rows = (
        Enrolment.objects.filter(school_id__in=school_ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values("school_id")
        .annotate(n=Count("id"))
    )
    return {row["school_id"]: row["n"] for row in rows}


def school_get(*, user: User, pk: int) -> School:
    schools = School.objects.filter(local_authority_id=user.local_authority_id)
    if user.role == "school_user":
        schools = schools.filter(organisation_id=user.organisation_id or 0)
    school = schools.filter(pk=pk).first()
    if school is None:
        raise Http404("No school found")
    return school


def school_roll_by_year(*, school: School, on: dt.date | None = None) -> list[tuple[int | None, int]]:
    day = on or timezone.localdate()
    rows = (
        Enrolment.objects.filter(school=school, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values("nc_year_actual")
        .annotate(n=Count("id"))
        .order_by("nc_year_actual")
    )
    return [(row["nc_year_actual"], row["n"]) for row in rows]


def school_recent_leavers(*, user: User, school: School, since: dt.date) -> QuerySet[Enrolment]:
    """The school's leavers since `since`, from the user's scope (Art 18: a restricted child is not listed)."""
    return (
        Enrolment.objects.filter(school=school, end__gte=since, child__in=Child.objects.for_user(user))
        .select_related("child")
        .order_by("-end")
    )
