from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.accounts.models import User
from cme.api.models import ApiToken
from cme.api.services import api_token_issue, api_token_revoke
from cme.audit.services import Auditor


class Command(BaseCommand):
    help = (
        "Issue or revoke an API token for a partner or school system. `api_token issue --account EMAIL --name NAME` "
        "prints the token once (it is stored only as a hash); `api_token revoke PREFIX`; `api_token list`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token for a service account")
        issue.add_argument("--account", required=True, help="the service account's email (a school or partner user)")
        issue.add_argument("--name", required=True, help="which system uses it")
        issue.add_argument("--by", required=True, help="email of the system admin issuing it")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--by", required=True, help="email of the system admin revoking it")
        sub.add_parser("list", help="list tokens (never the secrets)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for token in ApiToken.objects.select_related("user"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}  {state:8} {token.user.email:40} {token.name}")
            return
        admin = User.objects.filter(email=options["by"], role="system_admin", is_active=True).first()
        if admin is None:
            raise CommandError("--by must be an active system admin's email")
        if options["action"] == "issue":
            account = User.objects.filter(email=options["account"]).first()
            if account is None:
                raise CommandError("No such account")
            _, full = api_token_issue(actor=Auditor.for_user(admin), created_by=admin, service_account=account,
                                      name=options["name"])
            self.stdout.write(full)
            return
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError("No token with that prefix")
        api_token_revoke(actor=Auditor.for_user(admin), token=token)
        self.stdout.write(f"Revoked {token}")
