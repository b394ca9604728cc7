"""The people related to the person a case is about: parents, guardians, carers and others. They belong
to the case, not to the subject, so what one council records about a family never reaches another case
about the same person. A connection that ends is marked as ended, never deleted: consent given by that
person stays explained."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cases.models.choices import Relationship
from cases.models.subjects import Case


class RelatedPersonQuerySet(models.QuerySet["RelatedPerson"]):
    def current(self) -> RelatedPersonQuerySet:
        return self.filter(ended_at__isnull=True)

    def with_parental_responsibility(self) -> RelatedPersonQuerySet:
        return self.current().filter(parental_responsibility=True)


class RelatedPerson(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="related_people")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    relationship_other = models.CharField("Relationship, in words", max_length=200, blank=True)
    parental_responsibility = models.BooleanField(default=False)
    contact_details = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # The latest change and why; earlier reasons are in the audit log's field names and the kept texts.
    changed_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    objects = RelatedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"Related person {str(self.reference)[:8]}"

    @property
    def relationship_in_words(self) -> str:
        if self.relationship == Relationship.OTHER and self.relationship_other:
            return self.relationship_other
        return str(self.get_relationship_display())
