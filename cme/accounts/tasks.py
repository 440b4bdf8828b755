"""Background jobs of the accounts app (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from cme.accounts import services


@task()
def password_reset_email(user_id: int, domain: str, site_name: str, use_https: bool) -> str:
    """Email a password reset link (queued by `accounts.forms.PasswordResetRequestForm`)."""
    sent = services.password_reset_email_send(user_id=user_id, domain=domain, site_name=site_name,
                                              use_https=use_https)
    return "sent" if sent else "no active account"
