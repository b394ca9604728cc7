"""Corrections (UK GDPR Art 16 rectification): one row per correction of a record of a case, with the
fields it changed, their earlier values and why. A correction never destroys evidence: the earlier values
stay here for the owner (the history of a record), while the audit log records only the field names."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cases.models.subjects import Case


class CorrectedRecord(models.TextChoices):
    """The kinds of record a correction puts right, in words for the chronology."""

    SUBJECT = "subject", "The person's details"
    REFERRAL = "referral", "The referral"
    ACTION = "action", "An action"
    REVIEW = "review", "A review"
    SUPPORT_ELEMENT = "support_element", "A support element"


# The fields each kind of record may be corrected in, and their names in words. The subject's address,
# postcode and areas are not here: changing the address re-derives the areas that decide who sees a case.
CORRECTABLE_FIELDS: dict[str, dict[str, str]] = {
    CorrectedRecord.SUBJECT: {
        "first_name": "First name",
        "last_name": "Last name",
        "other_names": "Other names",
        "date_of_birth": "Date of birth",
        "gender": "Gender",
    },
    CorrectedRecord.REFERRAL: {
        "source_sector": "Referral source sector",
        "concern_type": "Type of concern",
        "referrer_name": "Referrer's name",
        "referrer_organisation": "Referrer's organisation",
        "referrer_contact": "Referrer's phone or email",
        "concerns": "Why the referrer is concerned",
        "specific_events": "Specific events or incidents",
        "ideology": "Ideology or interest in violence",
        "online_activity": "Online activity",
        "additional_needs": "Additional needs",
        "other_safeguarding": "Other safeguarding concerns",
        "parental_support": "Discussions with the person, or their parents or carers",
        "immediate_risk": "Immediate risk of harm",
    },
    CorrectedRecord.ACTION: {
        "description": "Action",
        "owner_agency": "Owning agency",
        "owner_user": "Owner",
        "due_on": "Due date",
    },
    CorrectedRecord.REVIEW: {"due_on": "Review date", "outcome": "Outcome of the review"},
    CorrectedRecord.SUPPORT_ELEMENT: {
        "provider": "Provider",
        "provider_user": "Named practitioner",
        "how": "How the support is delivered",
        "when": "When and how often",
        "starts_on": "Start date",
        "ends_on": "End date",
    },
}


class Correction(models.Model):
    """One correction of one record. `record_reference` is the record's reference (the case's for its
    referral, which has none of its own); `earlier_values` holds each changed field as it was, as text, an
    ISO date, a choice key, a true/false or the key of the record it named."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    record_kind = models.CharField(max_length=20, choices=CorrectedRecord.choices)
    record_reference = models.UUIDField(db_index=True)
    fields = models.JSONField(default=list)
    earlier_values = models.JSONField(default=dict)
    reason = models.TextField()
    actor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Correction {str(self.reference)[:8]}"

    @property
    def field_labels(self) -> list[str]:
        """The changed fields in words, as the chronology shows them."""
        labels = CORRECTABLE_FIELDS.get(self.record_kind, {})
        return [labels.get(name, name.replace("_", " ")) for name in self.fields]
