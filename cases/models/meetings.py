"""Panel meetings (CTSA 2015 s.37): the sitting, its agenda, who was invited and who attended."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from cases.models.choices import AgendaKind, MeetingChangeKind, MeetingStatus
from cases.models.subjects import Case

# A meeting still to be held (or being held): its agenda, attendance and decisions can change.
OPEN_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.CIRCULATED)


class PanelMeetingQuerySet(models.QuerySet["PanelMeeting"]):
    def upcoming(self) -> PanelMeetingQuerySet:
        """Not yet minuted nor cancelled, soonest first."""
        return self.filter(status__in=OPEN_STATUSES).order_by("held_on", "starts_at", "id")


class PanelMeeting(models.Model):
    """One sitting of the Channel panel (CTSA 2015 s.37): a council chairs it, partners attend."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owning_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("Date")
    starts_at = models.TimeField("Start time")
    place = models.CharField("Place or video link", max_length=300)
    chair = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    circulated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PanelMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-starts_at", "-id"]
        indexes = [models.Index(fields=["owning_agency", "held_on"], name="meeting_owner_date")]

    def __str__(self) -> str:
        return f"Panel meeting {self.held_on:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        """Approved minutes are final: nothing about the meeting changes after approval."""
        return self.status == MeetingStatus.APPROVED

    @property
    def is_cancelled(self) -> bool:
        """A cancelled meeting is never held: nothing about it changes, and its cases are free."""
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_open(self) -> bool:
        """Neither minuted nor cancelled: the meeting can still be planned, changed and run."""
        return self.status in OPEN_STATUSES

    @property
    def starts(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.held_on, self.starts_at))


class AgendaItem(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    kind = models.CharField(max_length=20, choices=AgendaKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    # The minutes' record of the discussion; decisions and actions are recorded in their own models.
    discussion = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once")]

    def __str__(self) -> str:
        return f"Agenda item {str(self.reference)[:8]}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"case_reference": self.case.number}


class Invitation(models.Model):
    """An agency or one person invited to a meeting: to every agenda case it may already see (core
    members), or to named items only (per-case invitees, CTSA 2015 s.37(4)), who get meeting-scoped
    grants through sharing.services.

    `cases` is what makes an invitation per-case: the cases it was made for. `items` are those of them on
    the agenda now. Taking a case off the agenda deletes its item (and so its link in `items`) but not its
    case here, so the invitation stays per-case (never becomes a core member's) and is restored, with its
    grant, when the case goes back on."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    items = models.ManyToManyField(AgendaItem, blank=True, related_name="invitations")
    cases = models.ManyToManyField(Case, blank=True, related_name="+")
    invited_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="invitation_to_agency_or_user",
                condition=(models.Q(agency__isnull=False) & models.Q(user__isnull=True))
                | (models.Q(agency__isnull=True) & models.Q(user__isnull=False)),
                violation_error_message="An invitation is to one agency or to one person.",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    @property
    def is_per_case(self) -> bool:
        """For one or more named cases (CTSA 2015 s.37(4)), whether or not they are on the agenda now."""
        return self.cases.exists()


class Attendance(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"Attendance {self.pk}"


class MeetingChange(models.Model):
    """A change to a planned meeting, with the reason given: rescheduled, cancelled or a new chair. The
    meeting row holds the new values; this keeps the earlier date, time and chair and why they changed.
    The reason is typed text (it may name people), so it is never in the audit log's detail."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=MeetingChangeKind.choices)
    reason = models.TextField()
    previous_held_on = models.DateField(null=True, blank=True)
    previous_starts_at = models.TimeField(null=True, blank=True)
    previous_chair = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"Meeting change {self.pk}"
