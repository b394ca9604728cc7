"""Disclosures: what about a case was told to whom, why and when (first use: UK GDPR Art 19 notices)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_invitation_cases"),
        ("partners", "0005_username_immutable"),
        ("sharing", "0003_access_request_without_case"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Disclosure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("correction_notice", "Told of a correction to the case")], max_length=30
                    ),
                ),
                ("what", models.TextField()),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            (
                                "gdpr_art_19",
                                "UK GDPR Art 19: those the record was disclosed to are told of a correction",
                            )
                        ],
                        max_length=20,
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="partners.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="disclosures", to="cases.case"
                    ),
                ),
                (
                    "disclosed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("agency__isnull", False), ("user__isnull", True)),
                            models.Q(("agency__isnull", True), ("user__isnull", False)),
                            _connector="OR",
                        ),
                        name="disclosure_to_agency_or_user",
                        violation_error_message="A disclosure is to one agency or to one person.",
                    )
                ],
            },
        ),
    ]
