from __future__ import annotations

import datetime as dt

import factory

from cme.children.models import Address, Child, ChildAddress, Enrolment, RiskFlag, RiskFlagType, School
from cme.children.services import apply_search_keys
from cme.core.tests.factories import LocalAuthorityFactory
from cme.law import upn as upns


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    class Meta:
        model = School

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    laestab = factory.Sequence(lambda n: f"931{2000 + n:04d}")
    urn = factory.Sequence(lambda n: f"{120000 + n}")
    name = factory.Sequence(lambda n: f"Riverside Primary School {n}")
    phase = School.Phase.PRIMARY
    establishment_type = School.EstablishmentType.COMMUNITY
    low_nc_year = 0
    high_nc_year = 6


class ChildFactory(factory.django.DjangoModelFactory[Child]):
    class Meta:
        model = Child

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    legal_forename = "Amelia"
    legal_surname = "Thompson"
    date_of_birth = dt.date(2016, 5, 14)
    sex = Child.Sex.FEMALE
    upn = factory.Sequence(lambda n: upns.make_upn("931", f"{2001 + n // 999:04d}", 20, n % 999 + 1))
    current_postcode = "OX4 1AB"

    @classmethod
    def _create(cls, model_class: type[Child], *args: object, **kwargs: object) -> Child:
        child = model_class(*args, **kwargs)
        apply_search_keys(child)
        child.save()
        return child


class EnrolmentFactory(factory.django.DjangoModelFactory[Enrolment]):
    class Meta:
        model = Enrolment

    child = factory.SubFactory(ChildFactory)
    school = factory.SubFactory(SchoolFactory)
    start = dt.date(2021, 9, 1)
    end = None
    nc_year_actual = 5


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    line1 = "12 Cowley Road"
    town = "Oxford"
    postcode = "OX4 1AB"
    la_code = "931"


class ChildAddressFactory(factory.django.DjangoModelFactory[ChildAddress]):
    class Meta:
        model = ChildAddress

    child = factory.SubFactory(ChildFactory)
    address = factory.SubFactory(AddressFactory)
    start = dt.date(2016, 5, 14)


def flag_type(code: str = "looked_after") -> RiskFlagType:
    return RiskFlagType.objects.get(code=code)


class RiskFlagFactory(factory.django.DjangoModelFactory[RiskFlag]):
    class Meta:
        model = RiskFlag

    child = factory.SubFactory(ChildFactory)
    flag_type = factory.LazyFunction(flag_type)
    source = "social care"
    identified_on = dt.date(2025, 1, 10)
