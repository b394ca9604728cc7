"""The people related to the person a case is about: add, change (with a reason), end (with a reason)."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.models import Relationship
from lib.forms import GovUKFormMixin


class RelatedPersonForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Full name", error_messages={"required": "Enter their full name"})
    relationship = forms.ChoiceField(
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        label="Relationship to the person",
        error_messages={"required": "Select how they are related"},
    )
    relationship_other = forms.CharField(
        required=False, max_length=200, label="If other, how they are related", help_text="For example, aunt"
    )
    parental_responsibility = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Do they have parental responsibility?",
        help_text="Only a parent or guardian with parental responsibility can consent for someone under 18",
        error_messages={"required": "Select whether they have parental responsibility"},
    )
    contact_details = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Contact details (optional)"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes (optional)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("relationship") == Relationship.OTHER and not data.get("relationship_other", "").strip():
            self.add_error("relationship_other", "Say how they are related")
        return data


class ChangeRelatedPersonForm(RelatedPersonForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the change",
        error_messages={"required": "Give a reason for the change"},
    )


class EndRelatedPersonForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are they no longer connected to the case?",
        help_text="Their record stays on the case, marked as no longer connected",
        error_messages={"required": "Give a reason"},
    )
