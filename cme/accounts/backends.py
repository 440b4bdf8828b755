"""The only authentication backend: Django's ModelBackend (email + password, then TOTP or a security key), with the
signed-in user loaded together with their council and organisation.

Every page shows the council's name and the user's organisation (the layout's header), so loading them with the user
saves two queries on every request (PERF-1). Everything else (password check, inactive accounts refused, the
session ending when the account is disabled: SESS-5) is ModelBackend's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("local_authority", "organisation")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
