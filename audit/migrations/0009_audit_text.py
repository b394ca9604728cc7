"""Typed text (searches) kept outside the sealed log, under its own retention (issue 14, finding 2)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_auditentry_actor_username")]

    operations = [
        migrations.CreateModel(
            name="AuditText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(help_text="Which value of the entry, e.g. q for a case search.", max_length=40),
                ),
                ("text", models.TextField()),
                ("recorded_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="texts",
                        to=settings.AUDITLOG_LOGENTRY_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["entry_id", "name"]},
        ),
        migrations.AddConstraint(
            model_name="audittext",
            constraint=models.UniqueConstraint(fields=("entry", "name"), name="audit_text_once"),
        ),
    ]
