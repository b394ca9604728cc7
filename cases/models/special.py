"""What is held apart from the subject: special-category details (UK GDPR Art 9: ethnicity, religion or
belief, health including mental health and neurodiversity, as the Home Office now collects them) and
escalations to the police.

Special-category details belong to one case, not to the person: a re-referral to another council starts
without them, so one council's record never reaches another's case. Who may see them is decided in
sharing (sharing.special), never here; every view is recorded.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cases.models.choices import Stage
from cases.models.subjects import Case


class Ethnicity(models.TextChoices):
    """The ONS (2021 census) top-level ethnic groups the Home Office statistics use."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class Religion(models.TextChoices):
    """The 2021 census groups of religion or belief."""

    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    NOT_KNOWN = "not_known", "Not known"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class YesNoNotKnown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class SpecialCategory(models.Model):
    """One case's special-category details, recorded by the owning council's coordinators."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="special_category")
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN)
    religion = models.CharField(
        "Religion or belief", max_length=20, choices=Religion.choices, default=Religion.NOT_KNOWN
    )
    mental_health_concern = models.CharField(
        "Mental health concern", max_length=10, choices=YesNoNotKnown.choices, default=YesNoNotKnown.NOT_KNOWN
    )
    neurodiversity = models.CharField(
        "Neurodivergence", max_length=10, choices=YesNoNotKnown.choices, default=YesNoNotKnown.NOT_KNOWN
    )
    health_note = models.TextField("Health note", blank=True)
    recorded_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Special category details of case {self.case_id}"


class Escalation(models.Model):
    """A case escalated to the police when an immediate risk is found after the referral. The case keeps
    its stage: the escalation is recorded beside it, until the police acknowledge it."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    stage = models.CharField("Stage at the time", max_length=40, choices=Stage.choices)
    reason = models.TextField()
    actor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # Whether this escalation marked the referral as an immediate risk (it was not one when referred).
    set_immediate_risk = models.BooleanField(default=False)
    acknowledged_by = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["acknowledged_at"], name="escalation_waiting")]
        constraints = [
            models.CheckConstraint(
                name="escalation_acknowledged_by_and_at",
                condition=models.Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True)
                | models.Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False),
                violation_error_message="An acknowledgement names who and when.",
            )
        ]

    def __str__(self) -> str:
        return f"Escalation {str(self.reference)[:8]}"
