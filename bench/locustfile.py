"""Locust user for bench/web_bench.py: a CME officer signs in (password + TOTP) and works the officer journeys.

Each simulated user takes its own benchmark account (TOTP codes cannot be replayed, so accounts are not shared).
The accounts, child ids and names to search for come from the JSON file in $CME_BENCH_WEB_FIXTURE, written by
`web_bench.py` before the run. Pages: triage queue, case list, child search (POST), child page, dashboard.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from django_otp.oath import TOTP
from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["CME_BENCH_WEB_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
_accounts = itertools.cycle(FIXTURE["users"])
_samples: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: object = None, **_: object) -> None:
    _samples.append((name, response_time, exception is not None))


@events.quitting.add_listener
def _write(environment: object, **_: object) -> None:
    path = os.environ.get("CME_BENCH_WEB_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(_samples, handle)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


class Officer(HttpUser):
    wait_time = between(0.5, 1.5)  # an officer reading a page, compressed

    def on_start(self) -> None:
        account = next(_accounts)
        page = self.client.get("/account/sign-in/", name="sign in (form)")
        response = self.client.post("/account/sign-in/", name="sign in", data={
            "csrfmiddlewaretoken": _csrf(page.text), "email": account["email"], "password": account["password"]})
        totp = TOTP(bytes.fromhex(account["totp_hex"]), step=30, digits=6)
        token = f"{totp.token():06d}"
        response = self.client.post("/account/two-factor/", name="two-factor", data={
            "csrfmiddlewaretoken": _csrf(response.text), "token": token})
        if "/account/" in response.url:
            events.request.fire(request_type="LOGIN", name="two-factor refused", response_time=0,
                                response_length=0, exception=RuntimeError("two-factor sign-in refused"),
                                context={})

    @task(3)
    def triage_queue(self) -> None:
        self.client.get("/triage/", name="triage queue")

    @task(3)
    def case_list(self) -> None:
        self.client.get("/cases/", name="case list")

    @task(3)
    def child_search(self) -> None:
        form = self.client.get("/children/find/", name="child search (form)")
        forename, surname = random.choice(FIXTURE["names"])
        self.client.post("/children/find/", name="child search (POST)", data={
            "csrfmiddlewaretoken": _csrf(form.text), "name": f"{forename} {surname}"})

    @task(3)
    def child_page(self) -> None:
        self.client.get(f"/children/{random.choice(FIXTURE['children'])}/", name="child page")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/reports/", name="dashboard")
