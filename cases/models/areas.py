"""Where a person lives decides who sees their case: the council area and the police force area come from
their postcode's district, through a reference table kept in the admin with effective dates (loaded from
the ONS Postcode Directory by `manage.py load_postcode_areas`), unless a coordinator overrides them with a
reason. Every change of a subject's areas after the referral is kept in AreaChange, so earlier values stay
retrievable by the owning council."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class AreaSource(models.TextChoices):
    POSTCODE = "postcode", "From the postcode"
    OVERRIDE = "override", "Chosen by a coordinator"
    # Cases logged before the areas came from the postcode: copied from the referrer or picked by hand.
    REFERRER = "referrer", "Given with the referral"


class PostcodeAreaQuerySet(models.QuerySet["PostcodeArea"]):
    def in_force(self, on: date | None = None) -> PostcodeAreaQuerySet:
        day = on or timezone.localdate()
        return self.filter(effective_from__lte=day).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day)
        )


class PostcodeArea(models.Model):
    """A postcode district (the outward code, e.g. "ZN1") and the areas it lies in over a span of dates.
    Area names are the ones agencies use (partners.Agency.local_authority_area, police_force_area); the
    ONS codes are kept where the row came from the directory. A row in use is end-dated, never deleted."""

    district = models.CharField(max_length=4, db_index=True, help_text='The outward code, for example "ZN1".')
    local_authority_code = models.CharField(max_length=9, blank=True, help_text="ONS code, e.g. E08000021")
    local_authority_area = models.CharField(max_length=100)
    police_force_code = models.CharField(max_length=9, blank=True, help_text="ONS code, e.g. E23000007")
    police_force_area = models.CharField(max_length=100)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Empty while the row is in force.")

    objects = PostcodeAreaQuerySet.as_manager()

    class Meta:
        ordering = ["district", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "effective_from"], name="postcode_area_unique_start"),
            models.CheckConstraint(
                name="postcode_area_dates_in_order",
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                violation_error_message="The end date must be on or after the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} from {self.effective_from:%Y-%m-%d}"

    def clean(self) -> None:
        self.district = self.district.strip().upper()
        if self.effective_from is None:
            return
        overlapping = PostcodeArea.objects.filter(district=self.district).exclude(pk=self.pk)
        overlapping = overlapping.filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=self.effective_from)
        )
        if self.effective_to is not None:
            overlapping = overlapping.filter(effective_from__lte=self.effective_to)
        if overlapping.exists():
            raise ValidationError(
                f"Another row for {self.district} is in force on some of these dates: end-date it first."
            )


class AreaChange(models.Model):
    """One change of a subject's address or areas after the referral, by the owning council: what they
    were and became, whether the areas came from the postcode or were overridden, why, by whom, when."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="area_changes")
    subject = models.ForeignKey("cases.Subject", on_delete=models.CASCADE, related_name="area_changes")
    old_address = models.TextField()
    old_postcode = models.CharField(max_length=10)
    new_address = models.TextField()
    new_postcode = models.CharField(max_length=10)
    old_local_authority_area = models.CharField(max_length=100)
    old_police_force_area = models.CharField(max_length=100)
    new_local_authority_area = models.CharField(max_length=100)
    new_police_force_area = models.CharField(max_length=100)
    source = models.CharField(max_length=20, choices=AreaSource.choices)
    reason = models.TextField()
    # Agencies who could see the case before the change and no longer can, by name, as the sharing tab
    # showed them at the time (a later change to the agencies does not rewrite what happened).
    lost_access = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Area change {self.pk} on case {self.case_id}"

    @property
    def areas_changed(self) -> bool:
        return (self.old_local_authority_area, self.old_police_force_area) != (
            self.new_local_authority_area,
            self.new_police_force_area,
        )
