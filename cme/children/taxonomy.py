"""The statutory vulnerable groups (CME statutory guidance, as listed in the LA policy), the default taxonomy
of risk flags. Councils can add, reword, re-rank or retire flags (RiskFlagType is data, not code)."""

from __future__ import annotations

HIGH, MEDIUM, LOW = 3, 2, 1

#: (code, label, severity, needs immediate safeguarding referral)
DEFAULT_RISK_FLAGS: list[tuple[str, str, int, bool]] = [
    ("trafficked", "Trafficked or at risk of trafficking", HIGH, True),
    ("fgm", "Female genital mutilation (FGM) risk", HIGH, True),
    ("forced_marriage", "Forced marriage risk", HIGH, True),
    ("honour_based_violence", "Honour-based violence risk", HIGH, True),
    ("harm_neglect", "At risk of harm or neglect", HIGH, True),
    ("radicalisation_risk", "At risk of radicalisation", HIGH, True),
    ("missing_runaway", "Missing or runaway", HIGH, True),
    ("looked_after", "Child we care for (looked after)", HIGH, False),
    ("privately_fostered", "Privately fostered", HIGH, False),
    ("youth_justice_supervision", "Supervised by the youth justice system", MEDIUM, False),
    ("young_offender", "Young offender", MEDIUM, False),
    ("refuge", "Living in a refuge", HIGH, False),
    ("homeless_temporary_accommodation", "Homeless or in temporary accommodation", MEDIUM, False),
    ("substance_misuse", "Substance misuse", MEDIUM, False),
    ("medical_emotional_needs", "Long-term medical or emotional needs", MEDIUM, False),
    ("permanently_excluded", "Permanently excluded", MEDIUM, False),
    ("ceased_attending", "Ceased attending school", MEDIUM, False),
    ("teenage_parent", "Teenage mother or parent", MEDIUM, False),
    ("young_carer", "Young carer", MEDIUM, False),
    ("newly_arrived_migrant", "Newly arrived migrant family", MEDIUM, False),
    ("gypsy_roma_traveller", "Gypsy, Roma or Traveller heritage", LOW, False),
    ("military_family", "Military (service) family", LOW, False),
    ("ehe_dissatisfaction", "Home educated because of dissatisfaction with school", LOW, False),
    ("left_independent_school", "Left an independent school (exclusion or fees)", LOW, False),
]
