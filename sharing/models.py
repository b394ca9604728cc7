"""Grants of access to cases, the requests that lead to them, and the guardian permission tables
that back them. Whether a grant is in force is judged at every request (sharing/access.py), not by
a housekeeping task: expiry and revocation take effect at the next request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

if TYPE_CHECKING:
    from cases.models import Case


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct foreign-key table for case permissions held by one user."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="user_perms")


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian's direct foreign-key table for case permissions held by an agency's group."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="group_perms")


class Level(models.TextChoices):
    SUMMARY = "summary", "Summary: who, the stage and the type of concern"
    FULL = "full", "Full: the whole case, with notes shared with the agency"


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Art 6(1)(e) public task, with DPA 2018 s.8"
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "gdpr_9_2_g",
        "UK GDPR Art 9(2)(g) substantial public interest, with DPA 2018 Sch 1 para 6",
    )
    SAFEGUARDING = "dpa_sch1_18", "DPA 2018 Sch 1 para 18 safeguarding of children and individuals at risk"
    DUTY_TO_COOPERATE = "ctsa_s38", "CTSA 2015 s.38 duty of panel partners to co-operate"


class SpecialCategoryCondition(models.TextChoices):
    """The condition for processing special-category data a grant that includes them rests on: UK GDPR
    Art 9(2)(g) substantial public interest, with one of the DPA 2018 Sch 1 Part 2 conditions."""

    STATUTORY = "sch1_6", "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 6: statutory and government purposes"
    UNLAWFUL_ACTS = "sch1_10", "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 10: preventing or detecting unlawful acts"
    SAFEGUARDING = (
        "sch1_18",
        "UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 18: safeguarding of children and of individuals at risk",
    )


class GrantKind(models.TextChoices):
    SHARED = "shared", "Shared by the owner"
    REQUESTED = "requested", "Access request approved"
    MEETING = "meeting", "Panel meeting invitation"
    BREAK_GLASS = "break_glass", "Break-glass (emergency)"


class ShareGrantQuerySet(models.QuerySet["ShareGrant"]):
    def active(self, at: datetime | None = None) -> ShareGrantQuerySet:
        """In force at `at` (now): started, not ended, not revoked."""
        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=moment, ends_at__gt=moment)

    def for_user(self, user: object) -> ShareGrantQuerySet:
        return self.filter(Q(user_id=user.pk) | Q(agency_id=user.agency_id))  # type: ignore[attr-defined]


class ShareGrant(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="grants")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    kind = models.CharField(max_length=20, choices=GrantKind.choices, default=GrantKind.SHARED)
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    granted_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    revoked_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # For meeting-scoped grants (kind MEETING): the meeting whose agenda case it opens.
    meeting = models.ForeignKey(
        "cases.PanelMeeting", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    # Special-category details (sharing.special) are shared only when a grant says so, on its own condition.
    # Database defaults too: bulk loads (seed_scale's COPY) write only the columns they name.
    includes_special_category = models.BooleanField(default=False, db_default=False)
    special_category_condition = models.CharField(
        max_length=10, choices=SpecialCategoryCondition.choices, blank=True, db_default=""
    )
    # Set once a housekeeping task has removed the guardian permission of an ended grant.
    tidied_at = models.DateTimeField(null=True, blank=True)

    objects = ShareGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="grant_to_agency_or_user",
                condition=(Q(agency__isnull=False) & Q(user__isnull=True))
                | (Q(agency__isnull=True) & Q(user__isnull=False)),
                violation_error_message="A grant is to one agency or to one user.",
            ),
            models.CheckConstraint(
                name="grant_ends_after_it_starts",
                condition=Q(ends_at__gt=models.F("starts_at")),
                violation_error_message="A grant must end after it starts.",
            ),
            models.CheckConstraint(
                name="grant_special_category_has_condition",
                condition=(Q(includes_special_category=True) & ~Q(special_category_condition=""))
                | (Q(includes_special_category=False) & Q(special_category_condition="")),
                violation_error_message="Special-category details are shared only under a condition for processing.",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "case"], name="grant_agency_case"),
            models.Index(fields=["user", "case"], name="grant_user_case"),
            models.Index(fields=["ends_at"], name="grant_ends"),
        ]

    def __str__(self) -> str:
        return f"Grant {str(self.reference)[:8]}"

    def get_additional_data(self) -> dict[str, str]:
        return {"case_reference": self.case.number}

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.ends_at


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the owner"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class MatchedRequests(models.Manager["AccessRequest"]):
    def get_queryset(self) -> models.QuerySet[AccessRequest]:
        return super().get_queryset().filter(case__isnull=False)


class AccessRequest(models.Model):
    """A request for access by case number. A number that matches no case still gets a row (with no case,
    and no reason kept), so that both answers do the same work and take the same time (issue 14 finding 8);
    `objects` holds only the requests that reach an owner, `every` all of them."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="access_requests", null=True, blank=True
    )
    requester = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    grant = models.OneToOneField(ShareGrant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    every = models.Manager()
    objects = MatchedRequests()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_manager_name = "objects"

    def __str__(self) -> str:
        return f"Access request {str(self.reference)[:8]}"

    @property
    def owner_case(self) -> Case:
        """The case of a request that reaches an owner (every request in `objects` has one)."""
        if self.case is None:
            raise AccessRequest.DoesNotExist("This request matched no case.")
        return self.case


class DisclosureKind(models.TextChoices):
    """What was disclosed, in kind (the register of disclosures grows kinds as it grows uses)."""

    CORRECTION_NOTICE = "correction_notice", "Told of a correction to the case"


class DisclosureBasis(models.TextChoices):
    RECTIFICATION_NOTICE = "gdpr_art_19", "UK GDPR Art 19: those the record was disclosed to are told of a correction"


class Disclosure(models.Model):
    """Something about a case told to an agency or one person outside the owning council: to whom, what (in
    words, never personal data beyond the case number), why, when and by whom (sharing.disclosures)."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="disclosures")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=30, choices=DisclosureKind.choices)
    what = models.TextField()
    basis = models.CharField(max_length=20, choices=DisclosureBasis.choices)
    disclosed_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="disclosure_to_agency_or_user",
                condition=(Q(agency__isnull=False) & Q(user__isnull=True))
                | (Q(agency__isnull=True) & Q(user__isnull=False)),
                violation_error_message="A disclosure is to one agency or to one person.",
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure {str(self.reference)[:8]}"

    def get_additional_data(self) -> dict[str, str]:
        return {"case_reference": self.case.number}
