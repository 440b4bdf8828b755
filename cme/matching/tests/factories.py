from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from cme.children.tests.factories import ChildFactory
from cme.core.tests.factories import LocalAuthorityFactory
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.services import NORMALISED_FIELDS, row_hash


class SourceRecordFactory(factory.django.DjangoModelFactory[SourceRecord]):
    class Meta:
        model = SourceRecord

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    source = "health"
    source_record_id = factory.Sequence(lambda n: f"H{n:06d}")
    forename = "Amelia"
    surname = "Thompson"
    date_of_birth = dt.date(2016, 5, 14)
    sex = "F"
    postcode = "OX4 1AB"
    address = "12 Cowley Road, Oxford"
    row_hash = ""

    @classmethod
    def _create(cls, model_class: type[SourceRecord], *args: Any, **kwargs: Any) -> SourceRecord:
        record = model_class(*args, **kwargs)
        record.row_hash = row_hash({name: getattr(record, name) for name in NORMALISED_FIELDS})
        record.save()
        return record


class MatchCandidateFactory(factory.django.DjangoModelFactory[MatchCandidate]):
    class Meta:
        model = MatchCandidate

    local_authority = factory.SelfAttribute("child.local_authority")
    source_record = factory.SubFactory(SourceRecordFactory, local_authority=factory.SelfAttribute(
        "..child.local_authority"), link_status=SourceRecord.LinkStatus.REVIEW)
    child = factory.SubFactory(ChildFactory)
    source = factory.LazyAttribute(lambda o: o.source_record.source if o.source_record else "children")
    probability = 0.8
    match_weight = 2.0
