"""Reference lists (type of concern, referral source sector, support types, exit reasons...): data with
effective dates, because the Home Office changes its categories."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from cases.models.choices import ReferenceList


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
