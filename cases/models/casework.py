"""What is recorded about a case between and at panels: chronology notes, vulnerability assessments,
consent, the support plan, actions, reviews and panel decisions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone

from cases.models.choices import (
    SUPPORT_STAGES,
    ActionStatus,
    Capacity,
    CareService,
    ConsentGiver,
    ConsentStatus,
    DecisionOutcome,
    HowReached,
    NotAdoptedRoute,
    NoteVisibility,
    ReviewKind,
)
from cases.models.reference import ReferenceValue
from cases.models.subjects import Case
from cases.models.support import SupportStatus
from cases.vaf import Rating, factor_label


class CaseNote(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    originator_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=NoteVisibility.choices, default=NoteVisibility.EVERYONE)
    shared_with = models.ManyToManyField("partners.Agency", blank=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {str(self.reference)[:8]}"


class Assessment(models.Model):
    """One version of the Vulnerability Assessment Framework for a case. Versions are never edited."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    version = models.PositiveIntegerField()
    assessor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    originator_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    # Who may see this version, as for notes: police-led assessments may hold what partners must not see.
    visibility = models.CharField(max_length=20, choices=NoteVisibility.choices, default=NoteVisibility.EVERYONE)
    shared_with = models.ManyToManyField("partners.Agency", blank=True, related_name="+")
    summary = models.TextField()
    management_plan = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="assessment_version_unique")]

    def __str__(self) -> str:
        return f"Assessment v{self.version}"


class AssessmentFactor(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(max_length=40)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    evidence = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "factor"], name="assessment_factor_unique")]

    def __str__(self) -> str:
        return self.factor

    @property
    def label(self) -> str:
        """The factor's name for people (its key is for the database)."""
        return factor_label(self.factor)


class Consent(models.Model):
    """Consent to support (CTSA 2015 s.36(4)(b)): the person's own from 18, a parent's or guardian's with
    parental responsibility below (explanatory notes para 206). `given_by` follows `consenting_person`:
    the person themselves when it is empty."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    given_by = models.CharField(max_length=30, choices=ConsentGiver.choices)
    consenting_person = models.ForeignKey(
        "RelatedPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    # Defaults in the database too, so rows copied in bulk (bench/scale.py) without them are valid.
    child_view = models.TextField("The child's own view", blank=True, db_default="")
    capacity = models.CharField(
        max_length=20, choices=Capacity.choices, default=Capacity.NOT_IN_QUESTION, db_default=Capacity.NOT_IN_QUESTION
    )
    capacity_note = models.TextField("How capacity was considered", blank=True, db_default="")
    method = models.CharField(max_length=200, help_text="How consent was asked, e.g. home visit with the coordinator")
    # Empty only on consent recorded before who asked and when were kept.
    requested_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_on = models.DateField(null=True, blank=True)
    on = models.DateField()
    recorded_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"Consent {self.status}"


class SupportPlan(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="support_plan")
    created_at = models.DateTimeField(default=timezone.now)
    # How, when and by whom consent is to be requested (s.36(5)(a)).
    consent_request_by = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_request_how = models.CharField(max_length=200, blank=True, db_default="")
    consent_request_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Support plan {self.case_id}"


class SupportElementQuerySet(models.QuerySet["SupportElement"]):
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


class SupportElement(models.Model):
    """What support, which provider, how and when (s.36(5)); its sessions and versions are in support.py."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="elements")
    support_type = models.ForeignKey(ReferenceValue, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    provider_user = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    originator_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    how = models.TextField("How the support is delivered")
    when = models.CharField("When and how often", max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    last_activity_on = models.DateField(null=True, blank=True)
    # Ended or withdrawn by the owning council (cases.services.support), with the day it stopped.
    status = models.CharField(
        max_length=20, choices=SupportStatus.choices, default=SupportStatus.ACTIVE, db_default=SupportStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)

    objects = SupportElementQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"Support element {str(self.reference)[:8]}"


class Action(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    owner_user = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the action was agreed at a panel meeting, so the minutes list it under its agenda item.
    agenda_item = models.ForeignKey(
        "AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return f"Action {str(self.reference)[:8]}"

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < timezone.localdate()


class Review(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["completed_on", "due_on"], name="review_due")]

    def __str__(self) -> str:
        return f"Review {str(self.reference)[:8]}"

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < timezone.localdate()


class Decision(models.Model):
    """A panel decision on a case (s.37(6): unanimous, else majority, else the chair decides)."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    how_reached = models.CharField(max_length=20, choices=HowReached.choices)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField()
    # s.36(6): when a case is not adopted, the panel must consider a health or social care referral; the
    # record says where the case goes instead, whether a referral was made, to which service (with the
    # action to make it) or why not. Empty on other outcomes.
    health_or_social_care_referral = models.BooleanField(null=True, blank=True)
    not_adopted_route = models.CharField(
        max_length=20, choices=NotAdoptedRoute.choices, blank=True, default="", db_default=""
    )
    referral_service = models.CharField(
        max_length=30, choices=CareService.choices, blank=True, default="", db_default=""
    )
    referral_service_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    no_referral_reason = models.TextField(blank=True, default="", db_default="")
    referral_action = models.OneToOneField(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="referral_decision"
    )
    exit_reason = models.ForeignKey(ReferenceValue, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The meeting item it was taken at; empty only for decisions recorded before meetings were kept here.
    agenda_item = models.OneToOneField(
        "AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    decided_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Decision {str(self.reference)[:8]}"

    @property
    def not_adopted_in_words(self) -> list[str]:
        """The s.36(6) record in sentences, for the minutes and the case page; empty on other outcomes."""
        if self.outcome != DecisionOutcome.NOT_ADOPT:
            return []
        words = [f"{self.get_not_adopted_route_display()}."] if self.not_adopted_route else []
        if self.health_or_social_care_referral is None:
            return words
        if not self.health_or_social_care_referral:
            reason = f": {self.no_referral_reason}" if self.no_referral_reason else ""
            return [*words, f"No health or social care referral was made{reason.rstrip('.')}."]
        if not self.referral_service:
            return [*words, "A health or social care referral was made."]
        service = self.get_referral_service_display()
        service = service[0].lower() + service[1:]
        name = f" ({self.referral_service_name})" if self.referral_service_name else ""
        return [*words, f"A health or social care referral was made to {service}{name}."]
