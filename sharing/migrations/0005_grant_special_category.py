"""A grant may include special-category details, under its own condition for processing (issue 16)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_disclosures"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharegrant",
            name="includes_special_category",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="sharegrant",
            name="special_category_condition",
            field=models.CharField(
                blank=True,
                choices=[
                    ("sch1_6", "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 6: statutory and government purposes"),
                    ("sch1_10", "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 10: preventing or detecting unlawful acts"),
                    (
                        "sch1_18",
                        "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 18: safeguarding of children and of individuals at risk",
                    ),
                ],
                db_default="",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="sharegrant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("includes_special_category", True), models.Q(("special_category_condition", ""), _negated=True)
                    ),
                    models.Q(("includes_special_category", False), ("special_category_condition", "")),
                    _connector="OR",
                ),
                name="grant_special_category_has_condition",
                violation_error_message="Special-category details are shared only under a condition for processing.",
            ),
        ),
    ]
