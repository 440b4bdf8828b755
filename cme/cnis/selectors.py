"""Reads for the Children Not In School register. Every function takes the user and starts from their scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404

from cme.children.restriction import LABEL
from cme.cnis.models import CNISEntry, CNISProvider, OutOfSchoolSetting, ProviderRequest

if TYPE_CHECKING:
    from collections.abc import Callable

    from cme.accounts.models import User
    from cme.children.models import Child


@dataclass(frozen=True)
class CNISFilters:
    status: str = "active"
    condition_c: str = ""


def cnis_list(*, user: User, filters: CNISFilters) -> QuerySet[CNISEntry]:
    entries = CNISEntry.objects.for_user(user).select_related("child").annotate(
        parent_count=Count("parents", distinct=True), provider_count=Count("providers", distinct=True))
    if filters.status in CNISEntry.Status.values:
        entries = entries.filter(status=filters.status)
    if filters.condition_c:
        entries = entries.filter(condition_c=filters.condition_c)
    return entries.order_by("-registered_on", "-id")


def cnis_get(*, user: User, pk: int) -> CNISEntry:
    entry = CNISEntry.objects.for_user(user).select_related("child", "local_authority").filter(pk=pk).first()
    if entry is None:
        raise Http404("No register entry found")
    return entry


def cnis_detail(*, user: User, pk: int) -> CNISEntry:
    entry = (
        CNISEntry.objects.for_user(user)
        .select_related("child", "local_authority")
        .prefetch_related("parents", Prefetch("providers", queryset=CNISProvider.objects.select_related("setting")),
                          Prefetch("provider_requests", queryset=ProviderRequest.objects.select_related("setting")))
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("No register entry found")
    return entry


def settings_list(*, user: User) -> QuerySet[OutOfSchoolSetting]:
    if user.role not in ("cme_officer", "attendance_manager", "ehe_officer"):
        return OutOfSchoolSetting.objects.none()
    return OutOfSchoolSetting.objects.filter(local_authority_id=user.local_authority_id).annotate(
        last_request_on=Max("requests__sent_on"), children=Count("children_provided_for", distinct=True),
    ).order_by("name")


def setting_get(*, user: User, pk: int) -> OutOfSchoolSetting:
    setting = settings_list(user=user).select_related("local_authority").filter(pk=pk).first()
    if setting is None:
        raise Http404("No provider found")
    return setting


def entries_provided_for(*, user: User, setting: OutOfSchoolSetting) -> QuerySet[CNISEntry]:
    return CNISEntry.objects.for_user(user).filter(status=CNISEntry.Status.ACTIVE,
                                                   providers__setting=setting).select_related("child").distinct()


EXPORT_COLUMNS = [
    "Entry", "Forename", "Surname", "Date of birth", "Home address", "Postcode", "Registered on", "Condition C",
    "Parents", "Parents providing education", "Estimated hours with parents", "Other providers",
    "Estimated hours with others", "Status", "Removed on",
]


def export_rows(entries: QuerySet[CNISEntry], *, masked: Callable[[Child], bool]) -> list[list[object]]:
    """One row per entry; for a child `masked` says to hide (DP-6), no name, date of birth, address or parents."""
    rows = []
    for e in entries.prefetch_related("parents", "providers"):
        parents = list(e.parents.all())
        hide = masked(e.child)
        identity: list[object] = (
            [LABEL, "", None, "", "", e.registered_on, e.condition_c.upper(), "", ""] if hide else
            [e.child.legal_forename, e.child.legal_surname, e.child.date_of_birth, e.home_address, e.postcode,
             e.registered_on, e.condition_c.upper(), "; ".join(p.name for p in parents),
             "; ".join(p.name for p in parents if p.provides_education)])
        rows.append([
            e.pk, *identity, e.hours_with_parents,
            "; ".join(p.name for p in e.providers.all()), e.hours_with_others, e.get_status_display(), e.removed_on,
        ])
    return rows
