"""Support as it is delivered: the sessions an intervention provider holds against a support element, the
element's versions (each revision, ending or withdrawal keeps the values before it, with the reason), and
the element's status. The who-independent judgement of stalled support (an active element with no session
for a number of days) is SupportElement.objects.stalled, beside the element in casework.py.
Who may see or record any of this is decided in sharing/."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cases.models.choices import NoteVisibility


class SupportStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SupportChange(models.TextChoices):
    """Why a version of a support element was kept: the plan changed (not a correction of a mistake,
    which cases.models.corrections keeps)."""

    REVISED = "revised", "Revised"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SupportSession(models.Model):
    """One session held (or missed) against a support element, recorded by its provider or the owning
    council. The note has originator visibility, as a chronology note."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    element = models.ForeignKey("cases.SupportElement", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    attended = models.BooleanField()
    note = models.TextField(blank=True)
    originator_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=NoteVisibility.choices, default=NoteVisibility.EVERYONE)
    shared_with = models.ManyToManyField("partners.Agency", blank=True, related_name="+")
    recorded_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["element", "held_on"], name="support_session_held")]

    def __str__(self) -> str:
        return f"Support session {str(self.reference)[:8]}"


class SupportElementVersion(models.Model):
    """A support element's values before one revision, ending or withdrawal, with why and by whom."""

    element = models.ForeignKey("cases.SupportElement", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    change = models.CharField(max_length=20, choices=SupportChange.choices)
    reason = models.TextField()
    actor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # The values before the change.
    support_type = models.ForeignKey("cases.ReferenceValue", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    provider_user = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    how = models.TextField()
    when = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=SupportStatus.choices)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["element", "version"], name="support_element_version_unique")]

    def __str__(self) -> str:
        return f"Support element version {self.version}"
