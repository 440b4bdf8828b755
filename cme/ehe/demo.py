"""Demo data for the EHE register: a record for every synthetic child already home educated (their
`EducationOtherwise(kind="ehe")` periods come from seed_demo), with a realistic spread of suitability decisions,
contact histories, a few SAO pathways and concerns. Deterministic for a seed; bulk where it matters."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from cme.audit.services import Auditor
from cme.children.models import EducationOtherwise
from cme.core.models import LocalAuthority
from cme.ehe import rules, services
from cme.ehe.models import EHEConcern, EHEContact, EHERecord, SAOStage

REASON_WORDS = [
    ("dissatisf", EHERecord.Reason.DISSATISFACTION), ("bully", EHERecord.Reason.BULLYING),
    ("health", EHERecord.Reason.HEALTH), ("anxiety", EHERecord.Reason.HEALTH), ("send", EHERecord.Reason.SEND),
    ("special", EHERecord.Reason.SEND), ("philosoph", EHERecord.Reason.PHILOSOPHICAL),
    ("cultur", EHERecord.Reason.PHILOSOPHICAL), ("relig", EHERecord.Reason.RELIGIOUS),
    ("place", EHERecord.Reason.SCHOOL_PLACE),
]
REASON_SPREAD = [
    (EHERecord.Reason.DISSATISFACTION, 30), (EHERecord.Reason.NOT_GIVEN, 20), (EHERecord.Reason.HEALTH, 15),
    (EHERecord.Reason.PHILOSOPHICAL, 12), (EHERecord.Reason.SEND, 10), (EHERecord.Reason.BULLYING, 8),
    (EHERecord.Reason.RELIGIOUS, 3), (EHERecord.Reason.OTHER, 2),
]


def _reason(source: str, rng: random.Random) -> str:
    lowered = source.lower()
    for word, reason in REASON_WORDS:
        if word in lowered:
            return reason
    reasons, weights = zip(*REASON_SPREAD, strict=True)
    return rng.choices(reasons, weights=weights)[0]


@transaction.atomic
def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    rng = random.Random(f"ehe-{seed}")  # noqa: S311 - synthetic demo data
    actor = Auditor.system("seed_demo")
    periods = list(
        EducationOtherwise.objects.filter(child__local_authority=local_authority, kind=EducationOtherwise.Kind.EHE,
                                          ehe_record__isnull=True, start__lte=on)
        .filter(end__isnull=True).select_related("child").order_by("pk")
    )
    records: list[EHERecord] = []
    for period in periods:
        weeks = (on - period.start).days // 7
        if weeks < 8:
            suitability = EHERecord.Suitability.NOT_ASSESSED
        else:
            suitability = rng.choices([EHERecord.Suitability.SUITABLE, EHERecord.Suitability.NOT_ASSESSED,
                                       EHERecord.Suitability.NOT_SUITABLE], weights=[80, 13, 7])[0]
        last_annual = period.start
        while rules.next_annual_contact(last_annual) <= on:
            last_annual = rules.next_annual_contact(last_annual)
        next_contact = rules.next_annual_contact(last_annual)
        if weeks > 60 and rng.random() < 0.12:  # the last annual contact was missed: overdue
            next_contact = last_annual
        decided = None if suitability == EHERecord.Suitability.NOT_ASSESSED else min(
            on, period.start + dt.timedelta(days=rng.randint(30, 70)))
        records.append(EHERecord(
            local_authority=local_authority, child=period.child, education_otherwise=period,
            start_date=period.start, reason=_reason(period.source, rng),
            source=rng.choices([EHERecord.Source.SCHOOL_DELETION, EHERecord.Source.PARENT,
                                EHERecord.Source.OTHER_LA], weights=[75, 20, 5])[0],
            suitability=suitability, suitability_decided_on=decided,
            suitability_reason="Written report and samples of work received" if suitability == "suitable" else (
                "No information about the education was provided" if suitability == "not_suitable" else ""),
            next_annual_contact=next_contact,
        ))
    EHERecord.objects.bulk_create(records, batch_size=500)
    suitability_map = {EHERecord.Suitability.SUITABLE: "suitable", EHERecord.Suitability.NOT_SUITABLE: "not_suitable",
                       EHERecord.Suitability.NOT_ASSESSED: "unknown"}
    for record in records:
        record.education_otherwise.suitability = suitability_map[record.suitability]  # type: ignore[union-attr]
    EducationOtherwise.objects.bulk_update([r.education_otherwise for r in records], ["suitability"],  # type: ignore[misc]
                                           batch_size=500)

    contacts = []
    for record in records:
        first = min(on, record.start_date + dt.timedelta(days=rng.randint(5, 20)))
        contacts.append(EHEContact(record=record, contact_on=first, method=EHEContact.Method.LETTER,
                                   notes="Initial letter: information about home education and the council's role.",
                                   by_label="system:seed_demo"))
        day = rules.next_annual_contact(record.start_date)
        while day <= on and day < (record.next_annual_contact or on):
            contacts.append(EHEContact(record=record, contact_on=day, is_annual_contact=True,
                                       method=rng.choice([EHEContact.Method.HOME_VISIT, EHEContact.Method.REPORT,
                                                          EHEContact.Method.MEETING]),
                                       notes="Annual contact.", by_label="system:seed_demo"))
            day = rules.next_annual_contact(day)
    EHEContact.objects.bulk_create(contacts, batch_size=1000)

    counts = {"EHE records": len(records), "EHE contacts": len(contacts), "SAO steps": 0, "EHE concerns": 0}
    unsuitable = [r for r in records if r.suitability == EHERecord.Suitability.NOT_SUITABLE]
    days = services.sao_notice_days(local_authority)
    for record in unsuitable[: max(1, len(unsuitable) // 2)] if unsuitable else []:
        notice_on = record.suitability_decided_on or on
        services.sao_stage_record(actor=actor, user=None, record=record, stage=SAOStage.Stage.NOTICE_437_1,
                                  served_on=notice_on, notes="No response to informal enquiries (R5.3).")
        counts["SAO steps"] += 1
        intention_on = rules.sao_response_due(notice_on, days) + dt.timedelta(days=7)
        if intention_on <= on and rng.random() < 0.5:
            services.sao_stage_record(actor=actor, user=None, record=record, stage=SAOStage.Stage.INTENTION_438,
                                      served_on=intention_on, school_named="Nearest school with a place")
            counts["SAO steps"] += 1
    for record in rng.sample(records, k=min(len(records), max(1, len(records) // 30))) if records else []:
        raised = min(on, record.start_date + dt.timedelta(days=rng.randint(20, 200)))
        if rng.random() < 0.5:
            concern = services.ehe_concern_record(
                actor=actor, user=None, record=record, kind=EHEConcern.Kind.SAFETY, raised_on=raised,
                description="Neighbour reports the child is rarely seen outside and appears unwell.",
                mash_referral_on=raised, mash_reference=f"MASH-{rng.randint(10000, 99999)}")
            if raised < on - dt.timedelta(days=14):
                services.ehe_concern_outcome(
                    actor=actor, user=None, concern=concern, outcome=rng.choice(
                        [EHEConcern.SocialCareOutcome.NO_FURTHER_ACTION, EHEConcern.SocialCareOutcome.EARLY_HELP,
                         EHEConcern.SocialCareOutcome.CHILD_IN_NEED]),
                    outcome_on=raised + dt.timedelta(days=10))
        elif record.status == EHERecord.Status.ACTIVE:
            services.ehe_concern_record(actor=actor, user=None, record=record, kind=EHEConcern.Kind.QUALITY,
                                        raised_on=raised, description="Former school worried about literacy.")
        counts["EHE concerns"] += 1
    return counts
