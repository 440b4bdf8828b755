"""The default reasonable-enquiries checklist (rules.md R2.5 [L + UNCONFIRMED]): no national checklist exists, so
these are the checks evidenced in LA procedures, each with a due offset an LA can change (EnquiryTemplateItem).

(code, label, guidance, due_in, due_unit, escalate_when_missed, source)
"""

from __future__ import annotations

SCHOOL_DAYS, WORKING_DAYS = "school_days", "working_days"

DEFAULT_CHECKS: list[tuple[str, str, str, int, str, bool, str]] = [
    ("contact_all", "Call all parents, carers and emergency contacts",
     "Call at different times of day; try every number held (R2.5 check 1).", 2, WORKING_DAYS, True, "R2.5(1) [L]"),
    ("letters", "Write to the last known address and to the emergency contacts",
     "Keep a copy of each letter on the case (R2.5 check 2).", 3, WORKING_DAYS, True, "R2.5(2) [L]"),
    ("home_visit", "Home visit",
     "Visit the last known address; speak to neighbours if no one answers (R2.5 check 3).", 5, SCHOOL_DAYS, True,
     "R2.5(3) [L]"),
    ("siblings_schools", "Ask the schools attended by siblings, and friends and relatives at the school",
     "R2.5 check 4.", 5, WORKING_DAYS, True, "R2.5(4) [L]"),
    ("previous_school", "Ask the previous school",
     "Last contact, destination given, friends, any CTF sent.", 5, WORKING_DAYS, True, "R2.5(4) [L]"),
    ("social_care", "Children's social care",
     "If there is a child protection plan, the child is looked after or there are safety concerns, refer to social "
     "care or the police at once (R2.5 check 8).", 2, WORKING_DAYS, True, "R2.5(5), R2.5(8)"),
    ("health", "Health (GP registration, school nurse, health visitor)", "R2.5 check 5.", 10, WORKING_DAYS, True,
     "R2.5(5) [L]"),
    ("housing_council_tax", "Housing and council tax", "Council-tax liability separates a non-attender from CME "
     "(R2.5 check 5).", 10, WORKING_DAYS, True, "R2.5(5) [L]"),
    ("other_las", "Other local authorities' CME officers", "R2.5 check 6.", 10, WORKING_DAYS, True, "R2.5(6) [L]"),
    ("s2s_search", "Search S2S (lost pupil database) and post on S2S", "R2.5 check 6, R7.2.", 10, WORKING_DAYS, True,
     "R2.5(6), R7.2 [L]"),
    ("police", "Police", "R2.5 check 8.", 10, WORKING_DAYS, True, "R2.5(8) [L]"),
    ("border_force", "Border Force / Home Office (usually through the police)",
     "Optional local check: not in the national guidance found (R2.5, UNCONFIRMED).", 15, WORKING_DAYS, False,
     "R2.5 [L, UNCONFIRMED]"),
    ("social_media", "Social media searches", "Local practice (R2.5 check 7).", 10, WORKING_DAYS, False,
     "R2.5(7) [L]"),
]

#: Which checks each case type starts with (every code above unless listed otherwise).
EHE_CHECKS = ("contact_all", "letters", "home_visit", "social_care", "health", "other_las")
KNOWN_ADDRESS_CHECKS = ("contact_all", "letters", "home_visit", "siblings_schools", "previous_school", "social_care",
                        "health", "housing_council_tax")

TEMPLATES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "whereabouts_unknown": ("Reasonable enquiries: whereabouts not known", None),
    "not_on_roll": ("Reasonable enquiries: known address, not on roll", KNOWN_ADDRESS_CHECKS),
    "ehe_not_suitable": ("Reasonable enquiries: home education not suitable", EHE_CHECKS),
}


def enquiry_templates_ensure(template_model: type, item_model: type) -> int:
    """Create the default templates where missing (the data migration, tests and seed_demo use it)."""
    created = 0
    for case_type, (name, codes) in TEMPLATES.items():
        template, was_created = template_model.objects.get_or_create(  # type: ignore[attr-defined]
            local_authority=None, case_type=case_type, defaults={"name": name})
        if not was_created:
            continue
        created += 1
        for order, (code, label, guidance, due_in, unit, escalate, source) in enumerate(DEFAULT_CHECKS):
            if codes is not None and code not in codes:
                continue
            item_model.objects.create(template=template, code=code, label=label, guidance=guidance, due_in=due_in,  # type: ignore[attr-defined]
                                      due_unit=unit, escalate_when_missed=escalate, source=source, order=order * 10)
    return created
