"""The forms of the sensitive details and of an escalation to the police."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.models import Ethnicity, Religion, SpecialCategory, YesNoNotKnown
from lib.forms import GovUKFormMixin


class SpecialCategoryForm(GovUKFormMixin, forms.Form):
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices, widget=forms.RadioSelect, label="Ethnic group")
    religion = forms.ChoiceField(choices=Religion.choices, widget=forms.RadioSelect, label="Religion or belief")
    mental_health_concern = forms.ChoiceField(
        choices=YesNoNotKnown.choices, widget=forms.RadioSelect, label="Is there a mental health concern?"
    )
    neurodiversity = forms.ChoiceField(
        choices=YesNoNotKnown.choices,
        widget=forms.RadioSelect,
        label="Is the person neurodivergent?",
        help_text="For example, autism or ADHD",
    )
    health_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Health note (optional)",
        help_text="Only what the panel needs to know to support the person",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the change",
        error_messages={"required": "Give a reason for the change"},
    )

    def __init__(self, *args: Any, details: SpecialCategory | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if details is None:
            # The first record needs no reason; a change does (cases.services.special).
            del self.fields["reason"]
        else:
            self.initial.update({name: getattr(details, name) for name in self.values_fields()})

    def values_fields(self) -> list[str]:
        return [name for name in self.fields if name != "reason"]

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.values_fields()}


class EscalateForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What is the immediate risk?",
        help_text="The police for the person's area read this first. Say what has been found and when.",
        error_messages={"required": "Say why the case is escalated to the police"},
    )


class AcknowledgeForm(GovUKFormMixin, forms.Form):
    """Nothing to type: the button is the acknowledgement."""
