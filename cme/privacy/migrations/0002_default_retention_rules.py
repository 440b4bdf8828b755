"""Default retention schedule (rules.md R8.3). Only the attendance-register period is confirmed (R3.1, 6 years);
the others are published LA examples, UNCONFIRMED until the LA's DPO signs them off."""

from django.db import migrations

DEFAULTS = [
    ("child_record", "Child's record (identity, names, addresses, contacts)", "child_age", 31, "anonymise", False,
     "R8.3 UNCONFIRMED: Lancashire keeps CME investigation records until the subject is 31"),
    ("closed_case", "Closed CME case", "after_closed", 6, "delete", False,
     "R8.3 UNCONFIRMED: no statutory period; placeholder until the LA schedule is set"),
    ("attendance_session", "Attendance register mark from a school feed", "after_date", 6, "delete", True,
     "R3.1: register entries are kept for 6 years"),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for category, label, basis, years, action, confirmed, source in DEFAULTS:
        RetentionRule.objects.get_or_create(category=category, defaults={
            "label": label, "basis": basis, "years": years, "action": action, "confirmed": confirmed,
            "source": source})


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("privacy", "RetentionRule").objects.filter(category__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
