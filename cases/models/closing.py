"""The closing report a case needs before it closes: what support was given, what came of it and where
the person was referred on. Written by the owning council's coordinators at the post-exit stages."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cases.models.subjects import Case


class ClosingReport(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="closing_report")
    summary = models.TextField("Summary of the support given")
    outcomes = models.TextField("Outcomes")
    onward_referrals = models.TextField("Onward referrals")
    written_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Closing report {str(self.reference)[:8]}"
