from __future__ import annotations

import factory

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.core.tests.factories import LocalAuthorityFactory


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.CME_OFFICER
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
