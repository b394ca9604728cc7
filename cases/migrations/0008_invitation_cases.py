"""A per-case invitation keeps the cases it was made for, so taking a case off the agenda (which deletes
its agenda item and the item's link) no longer turns it into a core member's invitation."""

from typing import Any

from django.db import migrations, models


def cases_from_items(apps: Any, schema_editor: Any) -> None:
    Invitation = apps.get_model("cases", "Invitation")
    for invitation in Invitation.objects.prefetch_related("items"):
        invitation.cases.add(*[item.case_id for item in invitation.items.all()])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_referral_drafts"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="cases",
            field=models.ManyToManyField(blank=True, related_name="+", to="cases.case"),
        ),
        migrations.RunPython(cases_from_items, migrations.RunPython.noop),
    ]
