from __future__ import annotations

import factory

from cme.core.models import LocalAuthority, Organisation


class LocalAuthorityFactory(factory.django.DjangoModelFactory[LocalAuthority]):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = "931"
    name = "Testshire"
    cme_officer_name = "Test Officer"
    cme_mailbox = "cme@testshire.example.org"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    kind = Organisation.Kind.PARTNER
    partner_type = Organisation.PartnerType.POLICE
    name = factory.Sequence(lambda n: f"Agency {n}")
