"""Special-category details (ethnicity, religion or belief, health), one record per case, held apart from
the subject (issue 16)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_consent_and_related_people"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SpecialCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "ethnicity",
                    models.CharField(
                        choices=[
                            ("asian", "Asian or Asian British"),
                            ("black", "Black, Black British, Caribbean or African"),
                            ("mixed", "Mixed or multiple ethnic groups"),
                            ("white", "White"),
                            ("other", "Other ethnic group"),
                            ("not_known", "Not known"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        default="not_known",
                        max_length=20,
                    ),
                ),
                (
                    "religion",
                    models.CharField(
                        choices=[
                            ("none", "No religion"),
                            ("christian", "Christian"),
                            ("buddhist", "Buddhist"),
                            ("hindu", "Hindu"),
                            ("jewish", "Jewish"),
                            ("muslim", "Muslim"),
                            ("sikh", "Sikh"),
                            ("other", "Any other religion or belief"),
                            ("not_known", "Not known"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        default="not_known",
                        max_length=20,
                        verbose_name="Religion or belief",
                    ),
                ),
                (
                    "mental_health_concern",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
                        default="not_known",
                        max_length=10,
                        verbose_name="Mental health concern",
                    ),
                ),
                (
                    "neurodiversity",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
                        default="not_known",
                        max_length=10,
                        verbose_name="Neurodivergence",
                    ),
                ),
                ("health_note", models.TextField(blank=True, verbose_name="Health note")),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="special_category", to="cases.case"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
    ]
