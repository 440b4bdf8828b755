"""Users: one person, one role, one local authority, and (for schools and partners) one organisation."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cme.accounts.policy import two_factor_required
from cme.accounts.roles import Role
from cme.core.models import LocalAuthority, Organisation


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.SYSTEM_ADMIN)
        fields.setdefault("is_superuser", True)
        if "local_authority" not in fields and "local_authority_id" not in fields:
            fields["local_authority"] = LocalAuthority.objects.order_by("pk").first()
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="users")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True,
        help_text="The school or partner agency for school and partner users.",
    )
    job_title = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Lock-out after repeated failures (accounts.services.sign_in_attempt).
    failed_sign_in_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Bumped whenever the account is saved disabled, so its sessions never come back if it is enabled again.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["school_user", "partner_user"]) | models.Q(organisation__isnull=False),
                name="school_and_partner_users_have_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Invariant (SESS-5, ASVS 7.4.2): a disabled account has no session that outlives it. Each save of a
        disabled account bumps `session_epoch`, which is part of the session hash below, so every session signed
        in before stays dead even if the account is enabled again (Django alone would revive them)."""
        if not self.is_active and not self._state.adding:
            self.session_epoch += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "session_epoch"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password hash (a password change ends the other sessions), plus the session epoch
        once the account has ever been disabled. Epoch 0 gives Django's own value, so sessions survive deploys."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac("cme.accounts.models.User.session_auth_hash", f"{self.password}:{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_staff(self) -> bool:  # Django admin is for system admins only.
        return self.is_active and self.role == Role.SYSTEM_ADMIN

    @property
    def requires_mfa(self) -> bool:
        """Two-factor is required for every role (AUTH-3, `accounts.policy.TWO_FACTOR_ROLES`)."""
        return two_factor_required(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label


from cme.accounts.security_key_models import SecurityKey  # noqa: E402, F401  (AC-8; a module of its own)
