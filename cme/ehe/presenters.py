"""Display logic for the EHE register (no queries: everything comes prefetched)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.urls import NoReverseMatch, reverse

from cme.children.models import ChildContact, Enrolment
from cme.children.presenters import STATUS_TAG_CLASSES
from cme.children.selectors import child_facts
from cme.children.status import EducationStatus, status_on
from cme.ehe import rules
from cme.ehe.models import EHEConcern, EHERecord, SAOStage

SUITABILITY_TAGS = {
    EHERecord.Suitability.NOT_ASSESSED: "govuk-tag--grey",
    EHERecord.Suitability.SUITABLE: "govuk-tag--green",
    EHERecord.Suitability.NOT_SUITABLE: "govuk-tag--red",
}


def open_case_url(record: EHERecord) -> str | None:
    """The cases app's "open a CME case from this EHE record" action, if that app provides it."""
    try:
        return reverse("cases:open-from-ehe", kwargs={"pk": record.pk})
    except NoReverseMatch:
        return None


@dataclass
class EHERow:
    record: EHERecord
    today: dt.date

    @property
    def suitability_class(self) -> str:
        return SUITABILITY_TAGS[EHERecord.Suitability(self.record.suitability)]

    @property
    def contact_overdue(self) -> bool:
        r = self.record
        return r.is_active and r.next_annual_contact is not None and r.next_annual_contact < self.today

    @property
    def sao_label(self) -> str:
        latest = getattr(self.record, "latest_sao", None)
        return SAOStage.Stage(latest).label.split(":")[0] if latest else ""


@dataclass
class ParentRow:
    link: ChildContact
    educating: bool


class EHERecordPresenter:
    def __init__(self, record: EHERecord, *, today: dt.date) -> None:
        self.record = record
        self.today = today

    def __getattr__(self, name: str) -> object:
        return getattr(self.record, name)

    @cached_property
    def status(self) -> EducationStatus:
        return status_on(child_facts(self.record.child), self.today)

    @property
    def status_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status]

    @property
    def suitability_class(self) -> str:
        return SUITABILITY_TAGS[EHERecord.Suitability(self.record.suitability)]

    @cached_property
    def current_enrolment(self) -> Enrolment | None:
        return next((e for e in self.record.child.enrolments.all()
                     if e.start <= self.today and (e.end is None or e.end >= self.today)), None)

    @property
    def found_unsuitable(self) -> bool:
        return self.record.is_active and self.record.suitability == EHERecord.Suitability.NOT_SUITABLE

    @property
    def can_open_case(self) -> bool:
        """Education found unsuitable and no roll place: the child is missing education (R5.5)."""
        return self.found_unsuitable and self.current_enrolment is None

    @cached_property
    def open_case_url(self) -> str | None:
        return open_case_url(self.record) if self.can_open_case else None

    @property
    def contact_overdue(self) -> bool:
        r = self.record
        return r.is_active and r.next_annual_contact is not None and r.next_annual_contact < self.today

    @cached_property
    def parents(self) -> list[ParentRow]:
        educating = {c.pk for c in self.record.educating_parents.all()}
        return [ParentRow(link, link.contact_id in educating) for link in self.record.child.child_contacts.all()]

    @cached_property
    def sao_stages(self) -> list[SAOStage]:
        return list(self.record.sao_stages.all())

    @property
    def last_sao(self) -> SAOStage | None:
        return self.sao_stages[-1] if self.sao_stages else None

    @property
    def sao_next_steps(self) -> list[str]:
        last = self.last_sao
        allowed = rules.SAO_NEXT[last.stage if last else None]
        return [s for s in SAOStage.Stage.values if s in allowed]

    @property
    def sao_in_progress(self) -> bool:
        return self.last_sao is not None and self.last_sao.stage != SAOStage.Stage.WITHDRAWN

    @cached_property
    def concerns(self) -> list[EHEConcern]:
        return list(self.record.concerns.all())

    @cached_property
    def contacts(self) -> list[object]:
        return list(self.record.contacts.all())

    @cached_property
    def enquiries(self) -> list[object]:
        return list(self.record.enquiries.all())
