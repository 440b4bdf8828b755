"""Locust users for bench/perf_plan.py: the security plan's PERF-1 mix, one weighted user class per role.

70% CME officers (child search POST, child page, case page, case list, a case note saved with the CSRF token),
20% school staff (their school page with its recent leavers, the deletion return form, the returns start page,
what they have sent), 5% partner users (the referral form, filled in and sent), 5% managers (the reports
dashboard). Every simulated user signs in with its own account (password, then the TOTP step whenever the
service asks for it: codes cannot be replayed, so accounts are never shared). Accounts, children, names and cases
come from the JSON file in $CME_BENCH_WEB_FIXTURE (written by `perf_plan.py prepare`). Every response is kept as
(name, ms, failed, unix time) and written to $CME_BENCH_WEB_SAMPLES when locust quits. A page that lands on the
sign-in page (the session was lost) counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

from django_otp.oath import TOTP
from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["CME_BENCH_WEB_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
_OFFSET = int(os.environ.get("CME_BENCH_ACCOUNT_OFFSET", "0"))  # segments back to back start on other accounts
_accounts = {kind: itertools.cycle(rows[_OFFSET % len(rows):] + rows[:_OFFSET % len(rows)])
             for kind, rows in FIXTURE["accounts"].items()}
_samples: list[tuple[str, float, bool, float]] = []
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: object = None, **_: object) -> None:
    _samples.append((name, response_time, exception is not None, time.time()))


@events.quitting.add_listener
def _write(environment: object, **_: object) -> None:
    path = os.environ.get("CME_BENCH_WEB_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(_samples, handle)


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


class _Signed(HttpUser):
    abstract = True
    kind = ""
    wait_time = between(0.5, 1.5)  # a person reading a page, compressed (as bench/web_bench.py)

    def on_start(self) -> None:
        account = next(_accounts[self.kind])
        page = self.client.get("/account/sign-in/", name="sign in (form)")
        response = self.client.post("/account/sign-in/", name="sign in", data={
            "csrfmiddlewaretoken": _csrf(page.text), "email": account["email"], "password": account["password"]})
        if "/account/two-factor/" in response.url and "set-up" not in response.url:
            token = f"{TOTP(bytes.fromhex(account['totp_hex']), step=30, digits=6).token():06d}"
            response = self.client.post(response.url, name="two-factor", data={
                "csrfmiddlewaretoken": _csrf(response.text), "token": token})
        if "/account/" in response.url:
            events.request.fire(request_type="LOGIN", name="sign-in refused", response_time=0, response_length=0,
                                exception=RuntimeError(f"sign-in ended on {response.url}"), context={})

    def page(self, name: str, url: str, method: str = "GET", **kwargs: Any) -> Any:
        """A request that must end on a page (after redirects) of the service, not the sign-in page."""
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
            elif "/account/" in response.url:
                response.failure(f"sent to {response.url}")
            else:
                response.success()
            return response


class Officer(_Signed):
    weight = 70
    kind = "officer"

    @task(3)
    def child_search(self) -> None:
        form = self.page("child search (form)", "/children/find/")
        forename, surname = random.choice(FIXTURE["names"])
        self.page("child search (POST)", "/children/find/", "POST", data={
            "csrfmiddlewaretoken": _csrf(form.text), "name": f"{forename} {surname}"})

    @task(3)
    def child_page(self) -> None:
        self.page("child page", f"/children/{random.choice(FIXTURE['children'])}/")

    @task(2)
    def case_page(self) -> None:
        self.page("case page", f"/cases/{random.choice(FIXTURE['cases'])}/")

    @task(1)
    def case_list(self) -> None:
        self.page("case list", "/cases/")

    @task(1)
    def case_note(self) -> None:
        case = random.choice(FIXTURE["cases"])
        page = self.page("case page", f"/cases/{case}/")
        self.page("case note (POST)", f"/cases/{case}/notes/", "POST", data={
            "csrfmiddlewaretoken": _csrf(page.text), "text": "Bench note: phoned the family, no answer."})


class SchoolStaff(_Signed):
    weight = 20
    kind = "school"

    @task(3)
    def school_page(self) -> None:
        self.page("school page (recent leavers)", "/schools/mine/")

    @task(2)
    def deletion_return_form(self) -> None:
        self.page("deletion return (form)", "/returns/deletion/")

    @task(1)
    def returns_start(self) -> None:
        self.page("returns start", "/returns/")

    @task(1)
    def sent(self) -> None:
        self.page("what you have sent", "/referrals/sent/")


class Partner(_Signed):
    weight = 5
    kind = "partner"

    @task(2)
    def referral(self) -> None:
        form = self.page("referral (form)", "/referrals/new/")
        forename, surname = random.choice(FIXTURE["names"])
        self.page("referral (POST)", "/referrals/new/", "POST", data={
            "csrfmiddlewaretoken": _csrf(form.text), "referrer_agency": "police", "referrer_name": "PC Bench",
            "concern": "whereabouts_unknown", "forename": forename, "surname": surname,
            "what_is_known": "Not seen at the address for a month (bench)."})

    @task(1)
    def sent(self) -> None:
        self.page("what you have sent", "/referrals/sent/")


class Manager(_Signed):
    weight = 5
    kind = "manager"

    @task
    def dashboard(self) -> None:
        self.page("dashboard", "/reports/")
