"""The person referred, the case (one episode of Prevent/Channel involvement), its referral form and its
stage changes. The case queryset holds the who-independent filters that the lists and the dashboard use; who may
see which cases is decided in sharing/access.py."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from cases.models.areas import AreaSource
from cases.models.choices import (
    AGENDA_STAGES,
    OPEN_STAGES,
    POST_EXIT_STAGES,
    REVIEW_DUE_DAYS,
    ActionStatus,
    Gender,
    ReviewKind,
    Stage,
)
from cases.models.reference import ReferenceValue


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
    # How the two areas were set (cases.services.areas): from the postcode, or overridden with a reason.
    # Database defaults too: bulk loads (seed_scale's COPY) write only the columns they name.
    area_source = models.CharField(
        max_length=20, choices=AreaSource.choices, default=AreaSource.REFERRER, db_default=AreaSource.REFERRER
    )
    area_reason = models.TextField(blank=True, db_default="")
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


def _open_reviews() -> models.QuerySet[Any]:
    """Reviews not yet done, for the case filters below. Review is declared with the other casework
    records (cases/models/casework.py), which refer to Case; it is looked up by name when a filter runs,
    because importing it here would make the two modules import each other."""
    return apps.get_model("cases", "Review")._default_manager.filter(completed_on__isnull=True)


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
        reviews = _open_reviews()
        if overdue:
            reviews = reviews.filter(due_on__lt=today)
        else:
            reviews = reviews.filter(due_on__gte=today, due_on__lte=today + timedelta(days=REVIEW_DUE_DAYS))
        return self.filter(pk__in=reviews.values("case_id"))

    def stalled(self, *, days: int) -> CaseQuerySet:
        """Cases with stalled support: at least one element with no session for `days` days (judged per
        element, SupportElement.objects.stalled; looked up by name, as _open_reviews)."""
        elements = apps.get_model("cases", "SupportElement")._default_manager.stalled(days=days)
        return self.filter(pk__in=elements.values("plan__case_id"))

    def repeats(self) -> CaseQuerySet:
        """Re-referrals: a new case for a person referred before."""
        return self.filter(previous_case__isnull=False)

    def received_in(self, month: date) -> CaseQuerySet:
        return self.filter(received_on__year=month.year, received_on__month=month.month)

    def for_panel(self) -> CaseQuerySet:
        """Cases a panel may need to discuss: listed, deferred, under review, awaiting re-assessment, or
        with a post-exit review open."""
        post_exit = _open_reviews().filter(kind__in=[ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]).values("case_id")
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
