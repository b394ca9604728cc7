"""Support as it is delivered: the sessions an intervention provider holds against a support element, the
element's versions (each revision, ending or withdrawal keeps the values before it, with the reason), and
the who-independent judgement of stalled support (an active element with no session for a number of days).
Who may see or record any of this is decided in sharing/."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from cases.models.choices import SUPPORT_STAGES, NoteVisibility


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


class SupportElementQuerySet(models.QuerySet[Any]):
    def in_force(self) -> SupportElementQuerySet:
        """Active elements whose end date, if any, has not passed."""
        today = timezone.localdate()
        return self.filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today), status=SupportStatus.ACTIVE)

    def stalled(self, *, days: int) -> SupportElementQuerySet:
        """Active support on a case in support with no session for `days` days (counted from the element's
        start when it has none): started before the cut-off, and no session held since it."""
        since = timezone.localdate() - timedelta(days=days)
        return (
            self.in_force()
            .filter(plan__case__stage__in=SUPPORT_STAGES, starts_on__lt=since)
            .exclude(sessions__held_on__gte=since)
        )

    def with_progress(self) -> SupportElementQuerySet:
        """Each element with its sessions held, attended and missed, and the date of the last one."""
        return self.annotate(
            sessions_held=models.Count("sessions"),
            sessions_attended=models.Count("sessions", filter=models.Q(sessions__attended=True)),
            sessions_missed=models.Count("sessions", filter=models.Q(sessions__attended=False)),
            last_session_on=models.Max("sessions__held_on"),
            case_stage=models.F("plan__case__stage"),
        )


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
