"""Agencies and their users. partners knows nothing of cases: access is decided in sharing/."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from partners import recovery_codes


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    HOUSING = "housing", "Housing"
    INTERVENTION_PROVIDER = "intervention_provider", "Intervention provider"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    PREVENT_COORDINATOR = "prevent_coordinator", "Prevent coordinator"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    POLICE_PRACTITIONER = "police_practitioner", "Police practitioner"
    PANEL_MEMBER = "panel_member", "Panel member"
    INTERVENTION_PROVIDER = "intervention_provider", "Intervention provider"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. 'lcc' or 'npf'.")
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    local_authority_area = models.CharField(
        max_length=100, blank=True, help_text="For councils: the area whose cases the council owns."
    )
    police_force_area = models.CharField(
        max_length=100, blank=True, help_text="For police forces: the force area they cover."
    )
    is_active = models.BooleanField(default=True)
    # One auth group per agency, for group object permissions; created and kept in step by
    # partners.services, never edited by hand.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="police_agency_has_force_area",
                condition=~models.Q(kind="police") | ~models.Q(police_force_area=""),
                violation_error_message="A police agency must name its police force area.",
            ),
            models.CheckConstraint(
                name="council_has_local_authority_area",
                condition=~models.Q(kind="local_authority") | ~models.Q(local_authority_area=""),
                violation_error_message="A local authority must name its area.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def group_name(self) -> str:
        return f"agency:{self.code}"


class UserDeletionRefused(Exception):
    """Users are never deleted: the audit log refers to them. Deactivate instead."""

    message = (
        "Users cannot be deleted, because the audit log refers to them. "
        "Deactivate the account instead (untick 'Active')."
    )

    def __init__(self) -> None:
        super().__init__(self.message)


class UserQuerySet(models.QuerySet["User"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise UserDeletionRefused

    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def caseworkers(self) -> UserQuerySet:
        """Active people whose role works on cases: not auditors, administrators or superusers."""
        return self.active().filter(is_superuser=False).exclude(role__in=[Role.AUDITOR, Role.ADMINISTRATOR])


class PartnerUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp devices name no related_name
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=40, choices=Role.choices)

    objects: ClassVar[PartnerUserManager] = PartnerUserManager()

    REQUIRED_FIELDS = ["email", "agency", "role"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        # A username, not a name: this is what audit entries and admin lists show.
        return self.username

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise UserDeletionRefused


class RecoveryCodeSet(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use recovery codes, as one django-otp device: it holds only keyed digests of the
    codes (partners/recovery_codes.py), each deleted when used. Wrong codes are throttled like django-otp's
    own static device (OTP_STATIC_THROTTLE_FACTOR)."""

    codes: models.Manager[RecoveryCode]

    class Meta:
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        """True, and the code used up, if `token` is one of the codes; throttled like any device."""
        if not self.verify_is_allowed()[0]:
            return False
        stored = list(self.codes.order_by("pk"))
        index = recovery_codes.matching_index(token, [code.digest for code in stored])
        if index is None:
            self.throttle_increment()
            return False
        stored[index].delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, as its keyed digest (HMAC-SHA256, hex); never the code itself."""

    device = models.ForeignKey(RecoveryCodeSet, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return "recovery code"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AccessChangeRequest(models.Model):
    """A change that would widen what someone can see (a user's role, agency, email or activation; an
    agency's kind, force area or activation), held until a second administrator decides it.

    `changes` maps each field to [value before, value asked for], as stored (ids for an agency); it is
    applied only by partners.changes.approve_change, and only if the values before are still current.
    """

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    changes = models.JSONField()
    reason = models.TextField(help_text="Why the change is asked for.")
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "access change request"
        constraints = [
            models.CheckConstraint(
                name="access_change_names_user_or_agency",
                condition=models.Q(user__isnull=False, agency__isnull=True)
                | models.Q(user__isnull=True, agency__isnull=False),
            ),
            # One waiting change per account or agency, so two cannot be approved against the same values.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending", user__isnull=False), name="one_pending_per_user"
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status="pending", agency__isnull=False),
                name="one_pending_per_agency",
            ),
        ]

    def __str__(self) -> str:
        target = self.user.username if self.user else str(self.agency)
        return f"Change to {target} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING
