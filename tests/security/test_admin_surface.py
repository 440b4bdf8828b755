"""AC-8 (SECURITY-PLAN; ASVS v4.0.3 4.3.1, v5.0.0 8.4.2): the Django admin is for system administrators only,
and only after two-factor authentication.

Every admin URL (the index, each app's page, and each registered model's list, add, change, delete and history
pages, with a real record) is requested by each of the 7 other roles (signed in, past two-factor where the role
needs it) with GET (and POST on the add, change and delete pages): none gets an admin page.
Each gets a 404, as if there were no admin (and each refusal is one audited ACCESS_DENIED event); nothing else
is written. Anonymous users are sent to the service's sign-in page (the admin's own login form is replaced by
it). A system administrator who has only passed the password step is sent to two-factor; after it, the admin
opens. Run with `-s` for the figures.

With `CME_ADMIN_REQUIRES_SECURITY_KEY` (on in production, the council's decision), a system administrator verified
with a code (TOTP) is sent from every admin URL to the page that says the admin needs a security key; after signing
in with a security key (WebAuthn, phishing-resistant) the admin opens.

The admin's path is `CME_ADMIN_PATH`: with it moved, every admin URL at the old `/admin/` is a 404 for everyone
(the system administrator included) and the admin opens at the new path. Production settings put it elsewhere
than `/admin/` by default and refuse `admin/`.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent

PERSONAS = {Role.CME_OFFICER: "officer", Role.ATTENDANCE_MANAGER: "manager", Role.SCHOOL_USER: "school_user",
            Role.PARTNER_USER: "partner_user", Role.READONLY_MANAGER: "readonly_manager",
            Role.PANEL_MEMBER: "panel_member", Role.SYSTEM_ADMIN: "la_admin", Role.DATA_PROTECTION_OFFICER: "dpo"}
ADMIN_MARK = "Children missing education: system administration"


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}") for page in ("changelist", "add")]
        obj = model._default_manager.order_by("pk").first()  # the admin's own view: all rows
        if obj is not None:
            urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])
                     for page in ("change", "delete", "history")]
    return sorted(set(urls))


def _row_counts() -> Counter[str]:
    """Rows of every model in the admin, but the audit trail (each refusal adds its ACCESS_DENIED event)."""
    return Counter({m._meta.label: m._default_manager.count() for m in admin.site._registry if
                    isinstance(m, type) and issubclass(m, models.Model) and m is not AuditEvent})


@pytest.fixture
def everyone(request: pytest.FixtureRequest, la) -> dict[str, User]:  # type: ignore[no-untyped-def]
    users = {role: request.getfixturevalue(name) for role, name in PERSONAS.items()}
    users[Role.EHE_OFFICER] = UserFactory(email="ehe@example.org", role=Role.EHE_OFFICER, local_authority=la)
    assert set(users) == set(Role)
    return users


def test_ac8_no_other_role_reaches_an_admin_page(everyone: dict[str, User], client_for) -> None:  # type: ignore[no-untyped-def]
    urls = admin_urls()
    writes = [url for url in urls if url.endswith(("/add/", "/change/", "/delete/"))]
    clients = {role: client_for(user) for role, user in everyone.items() if role != Role.SYSTEM_ADMIN}
    before, log_before = _row_counts(), LogEntry.objects.count()
    denials_before = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).count()
    outcomes: Counter[str] = Counter()
    reached: list[str] = []
    admin_root = reverse("admin:index")
    for role, client in clients.items():
        for url in urls:
            for method in ("get", "post") if url in writes else ("get",):
                response = getattr(client, method)(url, follow=True)
                final = response.redirect_chain[-1][0] if response.redirect_chain else url
                body = response.content.decode()
                outcomes[f"{response.status_code} {final.split('?')[0]}"] += 1
                if ADMIN_MARK in body or (response.status_code == 200 and final.startswith(admin_root)):
                    reached.append(f"{role} {method.upper()} {url}")
    cells = len(clients) * (len(urls) + len(writes))
    denials = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).count() - denials_before
    print(f"\nAC-8: {len(clients)} roles x ({len(urls)} admin URLs GET + {len(writes)} add/change/delete POST) = "
          f"{cells} requests; admin pages reached {len(reached)}; statuses "
          f"{dict(Counter(key.split()[0] for key in outcomes.elements()))}; denials audited {denials}")
    assert len(urls) >= 30
    assert reached == []
    assert sum(outcomes.values()) == cells
    assert set(outcomes) == {f"404 {url}" for url in urls}  # no redirect: as if there were no admin
    assert denials == cells  # LOG-3: one ACCESS_DENIED event per refusal
    assert _row_counts() == before and LogEntry.objects.count() == log_before


def test_ac8_the_admins_own_login_url_is_a_404_for_a_signed_in_user_of_another_role(officer: User) -> None:
    from cme.personas import sign_in

    assert sign_in(Client(), officer).get(reverse("admin:login")).status_code == 404


def test_ac8_the_system_admin_reaches_the_admin_only_after_two_factor(la_admin: User) -> None:
    urls = admin_urls()
    password_only = Client()
    password_only.force_login(la_admin)
    statuses = {url: password_only.get(url) for url in urls}
    assert all(r.status_code == 302 and r["Location"] == reverse("accounts:two-factor") for r in statuses.values())
    from cme.personas import sign_in

    verified = sign_in(Client(), la_admin)
    pages = [url for url in urls if verified.get(url).status_code == 200]
    print(f"\nAC-8: system admin, password only: {len(urls)} of {len(urls)} admin URLs sent to two-factor; "
          f"after two-factor {len(pages)} open")
    assert reverse("admin:index") in pages and ADMIN_MARK in verified.get(reverse("admin:index")).content.decode()


def test_ac8_anonymous_is_sent_to_the_services_sign_in(db: None) -> None:
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:sign-in"))
    assert ADMIN_MARK not in response.content.decode()


def test_ac8_every_admin_change_is_an_audit_event(la_admin: User, officer: User) -> None:
    from cme.core.tests.factories import OrganisationFactory
    from cme.personas import sign_in

    client = sign_in(Client(), la_admin)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    changed = client.post(url, {"email": officer.email, "full_name": "Renamed Officer", "job_title": "",
                                "role": officer.role, "local_authority": officer.local_authority_id,
                                "organisation": "", "is_active": "on"})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    organisation = OrganisationFactory(local_authority=la_admin.local_authority, name="Closed agency")
    deleted = client.post(reverse("admin:core_organisation_delete", args=[organisation.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    events = AuditEvent.objects.filter(summary__startswith="admin:", actor=la_admin)
    assert set(events.values_list("action", flat=True)) == {AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE}
    assert events.get(action=AuditEvent.Action.UPDATE).object_id == str(officer.pk)


@pytest.fixture
def key_required(settings) -> None:  # type: ignore[no-untyped-def]
    """CME_ADMIN_REQUIRES_SECURITY_KEY as in production (development and tests leave it off)."""
    settings.CME_ADMIN_REQUIRES_SECURITY_KEY = True


def test_ac8_with_security_keys_required_a_code_opens_no_admin_url_and_a_key_opens_them(
        key_required: None, la_admin: User) -> None:
    """A system administrator verified with a code from an app (TOTP) is sent from every admin URL, GET and POST,
    to the page that says the admin needs a security key; after the step up with a key the admin opens."""
    from cme.accounts.tests.soft_authenticator import SoftAuthenticator, options_in
    from cme.personas import sign_in

    urls = admin_urls()
    writes = [url for url in urls if url.endswith(("/add/", "/change/", "/delete/"))]
    code_only = sign_in(Client(), la_admin)
    before, log_before = _row_counts(), LogEntry.objects.count()
    required = reverse("accounts:security-key-required")
    responses = [(method, url, getattr(code_only, method)(url)) for url in urls
                 for method in (("get", "post") if url in writes else ("get",))]
    sent = [(m, u) for m, u, r in responses if r.status_code == 302 and r["Location"].startswith(required)]
    reached = [(m, u) for m, u, r in responses if ADMIN_MARK in r.content.decode()]
    assert reached == [] and len(sent) == len(responses) == len(urls) + len(writes)
    assert _row_counts() == before and LogEntry.objects.count() == log_before
    told = code_only.get(reverse("admin:index"), follow=True).content.decode()
    assert "You need to use a security key" in told and reverse("accounts:security-keys") in told

    key = SoftAuthenticator()
    page = code_only.get(reverse("accounts:security-keys")).content.decode()
    added = code_only.post(reverse("accounts:security-keys"), {"name": "Admin key",
                                                               "credential": key.create(options_in(page),
                                                                                        "http://testserver")})
    assert added.status_code == 302
    assert code_only.get(reverse("admin:index"))["Location"].startswith(required)  # a key added is not a key used
    step_up = f"{reverse('accounts:two-factor-security-key')}?next={reverse('admin:index')}"
    page = code_only.get(step_up).content.decode()
    done = code_only.post(step_up, {"credential": key.get(options_in(page), "http://testserver"),
                                    "next": reverse("admin:index")})
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")
    after = admin_urls()  # now with the pages of the rows the steps above wrote (the key's own among them)
    opened = [url for url in after if code_only.get(url).status_code == 200]
    still_sent = [url for url in after if code_only.get(url).get("Location", "").startswith(required)]
    print(f"\nAC-8 (CME_ADMIN_REQUIRES_SECURITY_KEY on): system admin verified with a code: {len(sent)} of "
          f"{len(responses)} admin requests ({len(urls)} URLs GET + {len(writes)} POST) sent to "
          f"'needs a security key', admin pages reached {len(reached)}, rows written 0; after signing in with a "
          f"security key {len(opened)} of {len(after)} admin URLs open (the rest: 403 by the admin itself), "
          f"{len(still_sent)} sent away")
    assert reverse("admin:index") in opened and still_sent == []
    assert ADMIN_MARK in code_only.get(reverse("admin:index")).content.decode()


def test_ac8_security_key_required_for_the_admin_is_on_in_production_only(tmp_path: Path) -> None:
    from django.conf import settings

    assert settings.CME_ADMIN_REQUIRES_SECURITY_KEY is False  # tests, as development and the demo
    root = Path(__file__).resolve().parents[2]
    probe = "import django; django.setup(); from django.conf import settings; " \
            "print(settings.CME_ADMIN_REQUIRES_SECURITY_KEY)"
    for module, expected in (("cme.settings.production", "True"), ("cme.settings.dev", "False")):
        env = {"DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "admin-key-test-only-" + "x" * 50,
               "ALLOWED_HOSTS": "cme.example.org", "PATH": "/usr/bin:/bin", "CME_VAR_DIR": str(tmp_path),
               "PYTHONPATH": str(root)}
        result = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env,  # noqa: S603 - fixed command
                                capture_output=True, text=True, check=False)
        assert result.stdout.strip().splitlines()[-1] == expected, (module, result.stderr[-2000:])


MOVED = "council-sysadmin/"


@pytest.fixture
def admin_moved() -> Iterator[str]:
    """The URL configuration rebuilt with CME_ADMIN_PATH set, as a deployment sets it (the URLs read it once)."""
    import cme.urls

    with override_settings(CME_ADMIN_PATH=MOVED):
        clear_url_caches()
        importlib.reload(cme.urls)
        try:
            yield f"/{MOVED}"
        finally:
            clear_url_caches()
    importlib.reload(cme.urls)
    clear_url_caches()
    assert reverse("admin:index") == "/admin/"


def test_ac8_with_the_admin_moved_every_old_admin_url_is_a_404_for_everyone(
        admin_moved: str, la_admin: User, officer: User) -> None:
    from cme.personas import sign_in

    assert reverse("admin:index") == admin_moved
    moved = admin_urls()
    old = [url.replace(admin_moved, "/admin/", 1) for url in moved]
    assert all(url.startswith(admin_moved) for url in moved) and len(old) >= 30
    clients = {"system admin": sign_in(Client(), la_admin), "officer": sign_in(Client(), officer),
               "anonymous": Client()}
    statuses = {(who, url): client.get(url).status_code for who, client in clients.items() for url in old}
    assert set(statuses.values()) == {404}, {k: v for k, v in statuses.items() if v != 404}
    admin_client = clients["system admin"]
    assert ADMIN_MARK in admin_client.get(admin_moved).content.decode()
    opened = [url for url in moved if admin_client.get(url).status_code == 200]  # the others: 403 by the admin
    anonymous = Client().get(admin_moved, follow=True)
    assert anonymous.redirect_chain[-1][0].startswith(reverse("accounts:sign-in")) and ADMIN_MARK not in \
        anonymous.content.decode()
    print(f"\nAC-8: admin at {admin_moved}: {len(old)} old /admin/ URLs x {len(clients)} clients = {len(statuses)} "
          f"requests, all 404; {len(opened)} of {len(moved)} admin URLs open at the new path after two-factor")


PROBE = """
import json
import django
from django.urls import Resolver404, resolve, reverse
django.setup()
try:
    resolve("/admin/")
    old = "resolves"
except Resolver404:
    old = "404"
print(json.dumps({"index": reverse("admin:index"), "old": old}))
"""


def _production(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    env = {"DJANGO_SETTINGS_MODULE": "cme.settings.production", "SECRET_KEY": "admin-path-test-only-" + "x" * 50,
           "ALLOWED_HOSTS": "cme.example.org", "PATH": "/usr/bin:/bin", "CME_VAR_DIR": str(tmp_path),
           "PYTHONPATH": str(root), **extra}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=root, env=env,  # noqa: S603 - fixed command
                          capture_output=True, text=True, check=False)


def test_ac8_production_puts_the_admin_off_admin_and_refuses_admin(tmp_path: Path) -> None:
    default = _production(tmp_path)
    assert default.returncode == 0, default.stderr[-2000:]
    assert json.loads(default.stdout.strip().splitlines()[-1]) == {"index": "/system-administration/", "old": "404"}
    chosen = _production(tmp_path, CME_ADMIN_PATH="/la-931/it-admin")
    assert json.loads(chosen.stdout.strip().splitlines()[-1]) == {"index": "/la-931/it-admin/", "old": "404"}
    for refused in ("admin/", "/admin", "../admin", "a b", ""):
        result = _production(tmp_path, CME_ADMIN_PATH=refused)
        assert result.returncode != 0 and "CME_ADMIN_PATH" in result.stderr, refused
