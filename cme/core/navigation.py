"""The service navigation for each role: what a user sees is what their role may do (accounts.policy)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from cme.accounts.policy import has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None


#: Later capabilities add their entries here (label, url name, permission).
NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "core:home", None),
    NavItem("Triage", "notifications:queue", "notification.triage"),
    NavItem("Cases", "cases:list", "case.view"),
    NavItem("Find a child", "children:search", "child.search"),
    NavItem("Send a return", "notifications:return-start", "return.submit"),
    NavItem("Part-time timetables", "timetables:list", "timetable.view"),
    NavItem("Refer a child", "notifications:referral-new", "referral.submit_partner"),
    NavItem("Your referrals", "notifications:my-submissions", "notification.view_own"),
    NavItem("Home education", "ehe:list", "ehe.view"),
    NavItem("Children not in school", "cnis:list", "cnis.view"),
    NavItem("Panel", "panels:list", "panel.view"),
    NavItem("Linkage review", "matching:review-queue", "linkage.review"),
    NavItem("Data feeds", "feeds:run-list", "feeds.view"),
    NavItem("Schools", "children:school-list", "school.list"),
    NavItem("Reports", "reports:dashboard", "reports.aggregate"),
    NavItem("Audit log", "audit:list", "audit.view"),
    NavItem("Data protection", "privacy:restrictions", "privacy.restrict"),
]


def navigation_for(user: object, current_path: str) -> list[dict[str, object]]:
    items = []
    for item in NAV_ITEMS:
        if item.permission and not has_permission(user, item.permission):  # type: ignore[arg-type]
            continue
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"text": item.label, "href": href, "active": active})
    return items
