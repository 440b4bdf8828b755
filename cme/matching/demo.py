"""Demo data for record linkage, on top of the children (and feed records) `seed_demo` has loaded.

`demo_seed` queues possible duplicate child records (the engine deduplicating the council's children) and
spreads the open pairs' ages over the last 30 working days, so the review queue shows counts and ageing. If no
feed has brought records yet, it first writes noisy health and HMRC copies of some children (nicknames, typos,
swapped day and month, upper case, NHS numbers for some) plus children the council does not know, and links
them through `matching.services` like a feed would. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from cme.audit.services import Auditor
from cme.children.models import Child, ChildAddress
from cme.core import calendar, names
from cme.core.models import LocalAuthority
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.services import (
    RecordIn,
    child_duplicates_find,
    source_records_link,
    source_records_upsert,
    update_rows,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Share of the council's children that appear in each extract, and extra children nobody knows yet.
EXTRACT_SHARE = {"health": 0.06, "hmrc_child_benefit": 0.04}
UNKNOWN_CHILDREN = 120
_FIRST_NAMES = ("Oliver", "Amelia", "Noah", "Isla", "Mohammed", "Ava", "Leo", "Freya", "Zofia", "Yusuf", "Maja",
                "Arlo", "Aisha", "Kacper", "Nadia", "Theo")
_SURNAMES = ("Nowak", "Begum", "Okafor", "Hughes", "Kowalski", "Rahman", "Patel", "Murphy", "Osei", "Clarke")


def _variant(rng: random.Random, forename: str) -> str:
    key = names.name_key(forename)
    for group in names.VARIANT_GROUPS:
        if key in group and len(group) > 1:
            return rng.choice([n for n in group if n != key]).capitalize()
    return forename


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _noisy(rng: random.Random, child: Child, address: str, source: str, n: int) -> RecordIn:
    forename, surname, dob = child.legal_forename, child.legal_surname, child.date_of_birth
    roll = rng.random()
    if roll < 0.15:
        forename = _variant(rng, forename)
    elif roll < 0.22:
        forename = _typo(rng, forename)
    elif roll < 0.27:
        surname = _typo(rng, surname)
    if rng.random() < 0.04 and dob.day <= 12 and dob.day != dob.month:
        dob = dt.date(dob.year, dob.day, dob.month)  # day and month swapped
    if source == "hmrc_child_benefit" and rng.random() < 0.6:
        forename, surname = forename.upper(), surname.upper()
    return RecordIn(
        source=source, source_record_id=f"{source[:4].upper()}-{n:06d}", forename=forename, surname=surname,
        date_of_birth=dob, sex=child.sex if rng.random() > 0.1 else "",
        postcode=child.current_postcode if rng.random() > 0.05 else "", address=address,
        nhs_number=child.nhs_number if source == "health" and rng.random() < 0.6 else "",
        raw={"synthetic": True, "source": source},
    )


def _stranger(rng: random.Random, source: str, n: int, on: dt.date) -> RecordIn:
    dob = dt.date(on.year - rng.randint(5, 15), rng.randint(1, 12), rng.randint(1, 28))
    return RecordIn(source=source, source_record_id=f"{source[:4].upper()}-{n:06d}",
                    forename=rng.choice(_FIRST_NAMES), surname=rng.choice(_SURNAMES), date_of_birth=dob,
                    sex=rng.choice("MF"), postcode=f"OX{rng.randint(1, 4)} {rng.randint(1, 9)}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    raw={"synthetic": True, "source": source})


def _age_the_queue(rng: random.Random, local_authority: LocalAuthority, on: dt.date) -> int:
    """Spread the demo's open pairs over the last 30 working days, so the queue shows ageing."""
    pairs = list(MatchCandidate.objects.filter(local_authority=local_authority, status=MatchCandidate.Status.OPEN)
                 .only("pk").order_by("pk"))
    days = {back: calendar.add_working_days(on, -back) for back in range(31)}
    for pair in pairs:
        pair.created_at = dt.datetime.combine(days[rng.randint(0, 30)], dt.time(9, 30), tzinfo=dt.UTC)
    update_rows(MatchCandidate, pairs, ["created_at"])
    return len(pairs)


def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    """Possible duplicate child records for the review queue, ages spread over the queue, and (only when no
    feed has brought any records yet) health and HMRC extracts about the council's children, linked through
    the services like a feed would."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    actor = Auditor.system("matching.demo_seed")
    counts: dict[str, int] = {}
    if not SourceRecord.objects.filter(local_authority=local_authority).exists():
        counts.update(_extracts(rng, actor, local_authority, on))
    counts["possible duplicate children"] = child_duplicates_find(actor=actor, local_authority=local_authority)
    counts["pairs for review"] = _age_the_queue(rng, local_authority, on)
    return counts


def _extracts(rng: random.Random, actor: Auditor, local_authority: LocalAuthority, on: dt.date) -> dict[str, int]:
    children = list(Child.objects.filter(local_authority=local_authority, merged_into__isnull=True).order_by("pk"))
    addresses = {child_id: ", ".join(p for p in (line1, town) if p) for child_id, line1, town in
                 ChildAddress.objects.filter(child__local_authority=local_authority, end__isnull=True)
                 .values_list("child_id", "address__line1", "address__town")}
    counts: dict[str, int] = {}
    created: list[SourceRecord] = []
    n = 0
    for source, share in EXTRACT_SHARE.items():
        chosen: Sequence[Child] = rng.sample(children, min(len(children), int(len(children) * share)))
        rows = []
        for child in chosen:
            n += 1
            rows.append(_noisy(rng, child, addresses.get(child.pk, ""), source, n))
        for _ in range(UNKNOWN_CHILDREN // len(EXTRACT_SHARE)):
            n += 1
            rows.append(_stranger(rng, source, n, on))
        result = source_records_upsert(actor=actor, local_authority=local_authority, run_id=None, records=rows)
        created.extend(result.records)
        counts[f"{source} records"] = result.created
    link = source_records_link(actor=actor, local_authority=local_authority, records=created)
    counts.update({"records linked": link.auto_linked, "records not linked": link.unlinked})
    return counts
