"""Escalations to the police: recorded beside the case, which keeps its stage (issue 16)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_special_category"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Escalation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("police_screening", "Police screening"),
                            ("closed_nfa", "Closed: no further action"),
                            ("signposted", "Signposted"),
                            ("police_led", "Police-led"),
                            ("referred_to_channel", "Referred to Channel"),
                            ("information_gathering", "Information gathering"),
                            ("preliminary_assessment", "Preliminary assessment"),
                            ("listed_for_panel", "Listed for panel"),
                            ("not_adopted", "Not adopted"),
                            ("deferred", "Deferred"),
                            ("adopted", "Adopted"),
                            ("consent_sought", "Consent sought"),
                            ("consent_refused", "Consent refused"),
                            ("reassessment_scheduled", "Re-assessment scheduled"),
                            ("support_active", "Support active"),
                            ("under_review", "Under review"),
                            ("exited", "Exited"),
                            ("post_exit_review_6", "Post-exit review (6 months)"),
                            ("post_exit_review_12", "Post-exit review (12 months)"),
                            ("closed", "Closed"),
                        ],
                        max_length=40,
                        verbose_name="Stage at the time",
                    ),
                ),
                ("reason", models.TextField()),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("set_immediate_risk", models.BooleanField(default=False)),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="escalations", to="cases.case"
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
                "indexes": [models.Index(fields=["acknowledged_at"], name="escalation_waiting")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("acknowledged_at__isnull", True), ("acknowledged_by__isnull", True)),
                            models.Q(("acknowledged_at__isnull", False), ("acknowledged_by__isnull", False)),
                            _connector="OR",
                        ),
                        name="escalation_acknowledged_by_and_at",
                        violation_error_message="An acknowledgement names who and when.",
                    )
                ],
            },
        ),
    ]
