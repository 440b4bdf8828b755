"""Build the synthetic demo council: the single source of demo, test-at-scale and benchmark data."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cme.core.models import LocalAuthority, Organisation
from cme.demo.loader import LoadReport, Progress, council_batches_load
from cme.demo.users import demo_users_ensure
from cme.synthetic import iter_council

PARTNERS = [
    ("Thames Valley Police (synthetic)", Organisation.PartnerType.POLICE, "police"),
    ("Oxford Health NHS (synthetic)", Organisation.PartnerType.HEALTH, "health"),
    ("District Housing Options (synthetic)", Organisation.PartnerType.HOUSING, "housing"),
    ("CAMHS Oxfordshire (synthetic)", Organisation.PartnerType.CAMHS, "camhs"),
    ("Youth Justice and Exploitation Service (synthetic)", Organisation.PartnerType.YOUTH_JUSTICE, "yjes"),
    ("Children's Social Care (synthetic)", Organisation.PartnerType.SOCIAL_CARE, "social_care"),
    ("Border Force (synthetic)", Organisation.PartnerType.BORDER_FORCE, "border_force"),
]


#: Each capability's demo data, in dependency order (registers before feeds' daily run, cases after triage).
DEMO_EXTENSIONS = [
    "cme.ehe.demo",
    "cme.timetables.demo",
    "cme.cnis.demo",
    "cme.notifications.detection",  # writes the feeds' demo files, runs the daily run, raises concerns
    "cme.matching.demo",
    "cme.notifications.demo",
    "cme.cases.demo",
    "cme.panels.demo",
]


#: seed_demo runs the first daily run itself up to this many children (make demo's 20,000 included).
DAILY_RUN_MAX_CHILDREN = 30_000

#: Households generated and loaded at a time (about 2 children each): memory does not grow with the council.
BATCH_HOUSEHOLDS = 5_000


def truth_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-truth.csv"


@transaction.atomic
def demo_council_seed(*, children: int, seed: int, on: dt.date, progress: Progress,
                      truth_path: Path | None = None, daily_run: bool | None = None) -> LoadReport:
    """Generate and load the council, batch by batch (bounded memory), then each capability's demo data.
    `daily_run`: whether the feeds demo also runs the first daily run (imports, linkage, detection, concerns); by
    default only up to DAILY_RUN_MAX_CHILDREN children, because that first run imports the whole register and
    every partner extract (about 390,000 rows at 100,000 children). Above it the files and sources are ready for
    `run_feeds`."""
    if daily_run is None:
        daily_run = children <= DAILY_RUN_MAX_CHILDREN
    la_spec, schools, batches = iter_council(children=children, seed=seed, on=on, batch_households=BATCH_HOUSEHOLDS)
    report = council_batches_load(la=la_spec, on=on, schools=schools, batches=batches, progress=progress,
                                  truth_path=truth_path)
    la = LocalAuthority.objects.get(code=la_spec.code)
    organisations: dict[str, Organisation] = {}
    organisations["la"], _ = Organisation.objects.get_or_create(
        local_authority=la, kind=Organisation.Kind.LOCAL_AUTHORITY, name=f"{la.name} County Council Attendance team"
    )
    for name, partner_type, key in PARTNERS:
        organisations[key], _ = Organisation.objects.get_or_create(
            local_authority=la, kind=Organisation.Kind.PARTNER, partner_type=partner_type, name=name
        )
    school_orgs = list(
        Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.SCHOOL, school__phase="secondary",
                                    school__is_open=True).order_by("laestab")[:2]
    )
    if school_orgs:
        organisations["school"] = school_orgs[0]
        organisations["school2"] = school_orgs[-1]
    users = demo_users_ensure(la=la, organisations=organisations)
    report.add("demo users", len(users))
    for module_name in DEMO_EXTENSIONS:
        if importlib.util.find_spec(module_name) is None:
            continue
        seeder = importlib.import_module(module_name).demo_seed
        # The council is not kept (it was streamed): a seeder that needs it whole (the feeds demo writing the
        # feed files) generates it again from the same arguments, and frees it before the next seeder runs.
        context = {"children": children, "first_daily_run": daily_run}
        accepted = inspect.signature(seeder).parameters
        extra = {name: value for name, value in context.items() if name in accepted}
        counts = seeder(local_authority=la, on=on, seed=seed, **extra)
        for name, n in counts.items():
            report.add(name, n)
        progress(module_name.split(".")[1], sum(counts.values()))
    return report
