from django.db import migrations

from cme.children.taxonomy import DEFAULT_RISK_FLAGS


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskFlagType = apps.get_model("children", "RiskFlagType")
    for order, (code, label, severity, immediate) in enumerate(DEFAULT_RISK_FLAGS):
        RiskFlagType.objects.get_or_create(
            code=code,
            defaults={"label": label, "severity": severity, "needs_immediate_referral": immediate, "ordering": order},
        )


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
