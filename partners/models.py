"""Agencies and their users. partners knows nothing of cases: access is decided in sharing/."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
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
