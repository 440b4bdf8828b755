"""The default reasonable-enquiries checklists (R2.5), one per case type."""

from django.db import migrations


def forwards(apps, schema_editor):
    from cme.cases.checklist import enquiry_templates_ensure

    enquiry_templates_ensure(apps.get_model("cases", "EnquiryTemplate"), apps.get_model("cases", "EnquiryTemplateItem"))


def backwards(apps, schema_editor):
    apps.get_model("cases", "EnquiryTemplate").objects.filter(local_authority__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
