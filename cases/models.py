"""The Channel process: subjects, cases and everything recorded about them.

Models hold fields, constraints and who-independent querysets. Who may see any of this is decided in
sharing/access.py; every change with business meaning goes through cases/services.py.
`__str__` of every model here returns a reference, never a person's name: it ends up in the audit log.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from cases.vaf import Rating


class ReferenceList(models.TextChoices):
    CONCERN_TYPE = "concern_type", "Type of concern"
    SOURCE_SECTOR = "source_sector", "Referral source sector"
    AGE_BAND = "age_band", "Age band"
    SCREENING_OUTCOME = "screening_outcome", "Screening outcome"
    PANEL_DECISION = "panel_decision", "Panel decision"
    CONSENT_STATUS = "consent_status", "Consent status"
    SUPPORT_TYPE = "support_type", "Support type"
    EXIT_REASON = "exit_reason", "Exit reason"


class ReferenceValueQuerySet(models.QuerySet["ReferenceValue"]):
    def current(self, list_name: str, on: date | None = None) -> ReferenceValueQuerySet:
        """Values of a list in force on a date (today by default): the Home Office changes its categories."""
        day = on or timezone.localdate()
        return self.filter(list_name=list_name, effective_from__lte=day).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day)
        )


class ReferenceValue(models.Model):
    list_name = models.CharField(max_length=40, choices=ReferenceList.choices)
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    effective_from = models.DateField(default=date(2015, 4, 1))
    effective_to = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ReferenceValueQuerySet.as_manager()

    class Meta:
        ordering = ["list_name", "order", "label"]
        constraints = [models.UniqueConstraint(fields=["list_name", "code"], name="reference_value_unique")]

    def __str__(self) -> str:
        return self.label


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_SPECIFIED = "not_specified", "Not specified"


class Subject(models.Model):
    """The person referred. Special-category details are not held here."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True, help_text="Aliases or previous names")
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=20, choices=Gender.choices)
    address = models.TextField()
    postcode = models.CharField(max_length=10)
    local_authority_area = models.CharField(max_length=100)
    police_force_area = models.CharField(max_length=100)
    # Normalised for repeat-referral matching: lower case, letters only.
    match_name = models.CharField(max_length=200, db_index=True, editable=False)
    match_postcode = models.CharField(max_length=10, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["date_of_birth", "match_name"], name="subject_match"),
            # Police practitioners see the cases of their force area (sharing.access).
            models.Index(fields=["police_force_area"], name="subject_force_area"),
        ]

    def __str__(self) -> str:
        return f"Subject {str(self.reference)[:8]}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Stage(models.TextChoices):
    RECEIVED = "received", "Received"
    POLICE_SCREENING = "police_screening", "Police screening"
    CLOSED_NFA = "closed_nfa", "Closed: no further action"
    SIGNPOSTED = "signposted", "Signposted"
    POLICE_LED = "police_led", "Police-led"
    REFERRED_TO_CHANNEL = "referred_to_channel", "Referred to Channel"
    INFORMATION_GATHERING = "information_gathering", "Information gathering"
    PRELIMINARY_ASSESSMENT = "preliminary_assessment", "Preliminary assessment"
    LISTED_FOR_PANEL = "listed_for_panel", "Listed for panel"
    NOT_ADOPTED = "not_adopted", "Not adopted"
    DEFERRED = "deferred", "Deferred"
    ADOPTED = "adopted", "Adopted"
    CONSENT_SOUGHT = "consent_sought", "Consent sought"
    CONSENT_REFUSED = "consent_refused", "Consent refused"
    REASSESSMENT_SCHEDULED = "reassessment_scheduled", "Re-assessment scheduled"
    SUPPORT_ACTIVE = "support_active", "Support active"
    UNDER_REVIEW = "under_review", "Under review"
    EXITED = "exited", "Exited"
    POST_EXIT_REVIEW_6 = "post_exit_review_6", "Post-exit review (6 months)"
    POST_EXIT_REVIEW_12 = "post_exit_review_12", "Post-exit review (12 months)"
    CLOSED = "closed", "Closed"


SUPPORT_STAGES = frozenset({Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW})
POST_EXIT_STAGES = frozenset({Stage.EXITED, Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12})
# A review "due" on the dashboard falls within this many days.
REVIEW_DUE_DAYS = 30

OPEN_STAGES = frozenset(Stage) - {Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED, Stage.NOT_ADOPTED, Stage.CLOSED}


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(stage__in=OPEN_STAGES)

    def search(self, text: str) -> CaseQuerySet:
        """By case number (PP-2026-00042, or part of it) or by the subject's name."""
        text = text.strip()
        if not text:
            return self
        if text.upper().startswith("PP-") or text.replace("-", "").isdigit():
            return self.filter(number__icontains=text)
        words = text.split()
        query = models.Q()
        for word in words:
            query &= models.Q(subject__first_name__icontains=word) | models.Q(subject__last_name__icontains=word)
        return self.filter(query)

    def page_rows(self, ids: Any) -> CaseQuerySet:
        """The rows of one list page, given that page's ids (a slice of this queryset's `values("pk")`),
        with the subject and concern the list shows. The ids carry every filter, visibility included;
        choosing them first keeps the joins to the page's rows instead of every matching case."""
        return self.model._default_manager.filter(pk__in=ids).select_related("subject", "referral__concern_type")

    def with_overdue_actions(self) -> CaseQuerySet:
        return self.filter(actions__status=ActionStatus.OPEN, actions__due_on__lt=timezone.localdate()).distinct()

    # Dashboard filters. Each is who-independent: callers apply them to sharing.access.visible_cases.

    def awaiting_screening(self, *, days: int) -> CaseQuerySet:
        """Waiting for the police screening decision for more than `days` days."""
        since = timezone.now() - timedelta(days=days)
        return self.filter(stage=Stage.POLICE_SCREENING, stage_changed_at__lt=since)

    def with_open_reviews(self, *, overdue: bool) -> CaseQuerySet:
        """Cases with a review not yet done that is overdue, or due within REVIEW_DUE_DAYS."""
        today = timezone.localdate()
        reviews = Review.objects.filter(completed_on__isnull=True)
        if overdue:
            reviews = reviews.filter(due_on__lt=today)
        else:
            reviews = reviews.filter(due_on__gte=today, due_on__lte=today + timedelta(days=REVIEW_DUE_DAYS))
        return self.filter(pk__in=reviews.values("case_id"))

    def stalled(self, *, days: int) -> CaseQuerySet:
        """Support with no recorded activity (note, action, review, plan change) for more than `days` days."""
        since = timezone.now() - timedelta(days=days)
        return self.filter(stage__in=SUPPORT_STAGES, last_activity_at__lt=since)

    def repeats(self) -> CaseQuerySet:
        """Re-referrals: a new case for a person referred before."""
        return self.filter(previous_case__isnull=False)

    def received_in(self, month: date) -> CaseQuerySet:
        return self.filter(received_on__year=month.year, received_on__month=month.month)

    def for_panel(self) -> CaseQuerySet:
        """Cases a panel may need to discuss: listed, deferred, under review, awaiting re-assessment, or
        with a post-exit review open."""
        post_exit = Review.objects.filter(
            completed_on__isnull=True, kind__in=[ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]
        ).values("case_id")
        return self.filter(
            models.Q(stage__in=[s for s, _ in AGENDA_STAGES]) | models.Q(stage__in=POST_EXIT_STAGES, pk__in=post_exit)
        )


class Case(models.Model):
    """One episode of Prevent/Channel involvement; a re-referral is a new case for the same subject."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=20, unique=True, editable=False, help_text="e.g. PP-2026-00042")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="cases")
    owning_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="owned_cases")
    previous_case = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    stage = models.CharField(max_length=40, choices=Stage.choices, default=Stage.RECEIVED, db_index=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    received_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        # view_case (Django's) backs summary grants; view_case_full backs full grants (sharing.models).
        permissions = [("view_case_full", "Can see the whole case")]
        indexes = [
            models.Index(fields=["owning_agency", "-received_on", "-id"], name="case_owner_recent"),
            # The list's order: a page of the newest cases without sorting the whole table.
            models.Index(fields=["-received_on", "-id"], name="case_recent"),
            models.Index(fields=["stage", "-received_on"], name="case_stage_recent"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict[str, Any]:
        # django-auditlog stores this on change entries, so they can be searched by case reference.
        return {"case_reference": self.number}


class Referral(models.Model):
    """The national referral form's sections."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="referral")
    source_sector = models.ForeignKey(ReferenceValue, on_delete=models.PROTECT, related_name="+")
    concern_type = models.ForeignKey(ReferenceValue, on_delete=models.PROTECT, related_name="+")
    referrer_name = models.CharField(max_length=200)
    referrer_organisation = models.CharField(max_length=200)
    referrer_contact = models.CharField(max_length=200, help_text="Phone or email")
    concerns = models.TextField("Why are you concerned?")
    specific_events = models.TextField("Specific events or incidents", blank=True)
    ideology = models.TextField("Ideology or interest in violence", blank=True)
    online_activity = models.TextField("Online activity", blank=True)
    additional_needs = models.TextField("Additional needs (SEND, health)", blank=True)
    other_safeguarding = models.TextField("Other safeguarding concerns", blank=True)
    parental_support = models.TextField("Discussions with the person or their parents or carers", blank=True)
    immediate_risk = models.BooleanField("Is there an immediate risk of harm?", default=False)

    def __str__(self) -> str:
        return f"Referral for {self.case_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"case_reference": self.case.number}


class StageChange(models.Model):
    """Who moved the case, when and why: part of the chronology."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=40, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=40, choices=Stage.choices)
    actor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage} to {self.to_stage}"


class NoteVisibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone who can see the case"
    ORIGINATOR = "originator", "My agency only"
    NAMED = "named", "Named agencies"


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


class ConsentGiver(models.TextChoices):
    SUBJECT = "subject", "The person"
    PARENT_OR_GUARDIAN = "parent_or_guardian", "A parent or guardian"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    given_by = models.CharField(max_length=30, choices=ConsentGiver.choices)
    method = models.CharField(max_length=200, help_text="How consent was asked, e.g. home visit with the coordinator")
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

    def __str__(self) -> str:
        return f"Support plan {self.case_id}"


class SupportElement(models.Model):
    """What support, which provider, how and when (s.36(5))."""

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

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"Support element {str(self.reference)[:8]}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


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


class ReviewKind(models.TextChoices):
    IN_PROGRAMME = "in_programme", "In-programme review"
    POST_EXIT_6 = "post_exit_6", "Post-exit review at 6 months"
    POST_EXIT_12 = "post_exit_12", "Post-exit review at 12 months"
    REASSESSMENT = "reassessment", "Re-assessment after refused or withdrawn consent"


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


class DecisionOutcome(models.TextChoices):
    ADOPT = "adopt", "Adopt as a Channel case"
    NOT_ADOPT = "not_adopt", "Do not adopt"
    DEFER = "defer", "Defer for more information"
    CONTINUE_SUPPORT = "continue_support", "Continue support"
    EXIT = "exit", "Exit from Channel"


class HowReached(models.TextChoices):
    UNANIMOUS = "unanimous", "Unanimous"
    MAJORITY = "majority", "Majority"
    CHAIR = "chair", "Chair's decision"


class Decision(models.Model):
    """A panel decision on a case (s.37(6): unanimous, else majority, else the chair decides)."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    how_reached = models.CharField(max_length=20, choices=HowReached.choices)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField()
    # s.36(6): when a case is not adopted, the panel must consider a health or social care referral.
    health_or_social_care_referral = models.BooleanField(null=True, blank=True)
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


# --- panel meetings -------------------------------------------------------------------------------


class AgendaKind(models.TextChoices):
    LISTED = "listed", "Listed for panel"
    REVIEW = "review", "Review of support: continue or exit"
    REASSESSMENT = "reassessment", "Re-assessment after refused or withdrawn consent"
    DEFERRED = "deferred", "Returning after deferral"
    POST_EXIT_REVIEW = "post_exit_review", "Post-exit review"


# Which stage puts a case on an agenda under which heading (post-exit reviews by their open review).
AGENDA_STAGES: list[tuple[Stage, AgendaKind]] = [
    (Stage.LISTED_FOR_PANEL, AgendaKind.LISTED),
    (Stage.DEFERRED, AgendaKind.DEFERRED),
    (Stage.REASSESSMENT_SCHEDULED, AgendaKind.REASSESSMENT),
    (Stage.UNDER_REVIEW, AgendaKind.REVIEW),
]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Agenda being prepared"
    CIRCULATED = "circulated", "Agenda circulated"
    APPROVED = "approved", "Minutes approved"


class PanelMeetingQuerySet(models.QuerySet["PanelMeeting"]):
    def upcoming(self) -> PanelMeetingQuerySet:
        """Not yet minuted, soonest first."""
        return self.exclude(status=MeetingStatus.APPROVED).order_by("held_on", "starts_at", "id")


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
    grants through sharing.services."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    items = models.ManyToManyField(AgendaItem, blank=True, related_name="invitations")
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
