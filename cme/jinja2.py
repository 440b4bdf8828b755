"""Jinja2 environment: our templates first, then govuk-frontend-jinja's Design System macros."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, pass_context
from jinja2.runtime import Context

from cme.core import formatting
from cme.core.forms import render_error_summary, render_field
from cme.core.navigation import navigation_for


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def page_url(request: Any, number: int) -> str:
    """The current URL with ?page=number, keeping the other query parameters (filters)."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


def council_name(request: Any) -> str:
    """The council running the service: the user's LA, or the (single) LA on public pages."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.local_authority.name) + " Council"
    from cme.core.models import LocalAuthority

    la = LocalAuthority.objects.order_by("pk").only("name").first()
    return f"{la.name} Council" if la else "Children missing education"


@pass_context
def restricted(context: Context, child: Any) -> bool:
    """In a list: True when `child` is a restricted record this session has given no reason for (DP-6), so the
    template shows "Restricted record" instead of the name and date of birth."""
    from cme.children.restriction import needs_reason

    request = context.get("request")
    return request is not None and needs_reason(request, child)


def environment(**options: Any) -> Environment:
    base_loader = options.pop("loader", None)
    env = Environment(**options)  # noqa: S701  # nosec B701 - autoescape=True comes from settings.TEMPLATES
    loaders = [base_loader] if base_loader is not None else []
    loaders.append(PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}))
    env.loader = ChoiceLoader(loaders)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "page_url": page_url,
            "council_name": council_name,
            "restricted": restricted,
            "field": render_field,
            "error_summary": render_error_summary,
            "get_messages": messages.get_messages,
            "navigation": lambda request: navigation_for(request.user, request.path),
        }
    )
    env.filters.update(formatting.FILTERS)
    return env
