"""Draft referrals: what a coordinator has typed into the referral form and not yet logged, kept on the
server so that a session that times out, a closed tab or a lost connection does not lose it.

A draft is personal data (names, an address, the concern), held in the same database as cases and never
written to the audit log or to any log line; only its author ever sees it (sharing.access), and it is
deleted when the referral is logged or REFERRAL_DRAFT_DAYS after it was last saved (cases.services.drafts).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class ReferralDraft(models.Model):
    """The referral form's fields as typed (strings by field name, the date of birth as its three boxes),
    not validated: a draft may be half written."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey("partners.User", on_delete=models.CASCADE, related_name="referral_drafts")
    fields = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        # What the audit log names the draft by: its reference, never a name typed into it.
        return f"Referral draft {self.reference}"

    @property
    def person(self) -> str:
        """The person's name as typed so far, for the author's own list of drafts."""
        name = " ".join(str(self.fields.get(part, "")).strip() for part in ("first_name", "last_name")).strip()
        return name or "No name yet"
