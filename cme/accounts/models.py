"""Users: one person, one role, one local authority, and (for schools and partners) one organisation."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from cme.accounts.roles import LA_STAFF_ROLES, Role
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

    @property
    def is_staff(self) -> bool:  # Django admin is for system admins only.
        return self.is_active and self.role == Role.SYSTEM_ADMIN

    @property
    def requires_mfa(self) -> bool:
        return self.role in LA_STAFF_ROLES

    @property
    def role_label(self) -> str:
        return Role(self.role).label
