"""The 2023 Channel Duty Guidance speaks of people susceptible to radicalisation, not vulnerable to it: the
exit reason seeded by 0002 takes its words (0002 now seeds the new label, for databases made after this)."""

from django.db import migrations

OLD = "Vulnerability removed or significantly reduced"
NEW = "Susceptibility removed or significantly reduced"


def forwards(apps, schema_editor):
    ReferenceValue = apps.get_model("cases", "ReferenceValue")
    ReferenceValue.objects.filter(list_name="exit_reason", code="vulnerability_reduced", label=OLD).update(label=NEW)


def backwards(apps, schema_editor):
    ReferenceValue = apps.get_model("cases", "ReferenceValue")
    ReferenceValue.objects.filter(list_name="exit_reason", code="vulnerability_reduced", label=NEW).update(label=OLD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_escalations")]
    operations = [migrations.RunPython(forwards, backwards)]
