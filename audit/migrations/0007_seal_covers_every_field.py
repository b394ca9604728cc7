"""Seals record how their root was computed: from version 2 the root covers every field of the seal
(its number, entry range, count, commit position, time and previous root), not only the digests.

`sealed_at` changes from auto_now_add to a default only in Django's model state: the column is the same,
and altering it on SQLite would rebuild the append-only table and drop its triggers."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_export_jobs")]

    operations = [
        migrations.AddField(
            model_name="seal",
            name="version",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="seal",
                    name="sealed_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                ),
            ],
        ),
    ]
