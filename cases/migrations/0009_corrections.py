"""Corrections of a case's records, with their earlier values and reasons (UK GDPR Art 16)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_invitation_cases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Correction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "record_kind",
                    models.CharField(
                        choices=[
                            ("subject", "The person's details"),
                            ("referral", "The referral"),
                            ("action", "An action"),
                            ("review", "A review"),
                            ("support_element", "A support element"),
                        ],
                        max_length=20,
                    ),
                ),
                ("record_reference", models.UUIDField(db_index=True)),
                ("fields", models.JSONField(default=list)),
                ("earlier_values", models.JSONField(default=dict)),
                ("reason", models.TextField()),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="corrections", to="cases.case"
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
    ]
