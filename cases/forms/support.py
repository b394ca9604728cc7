"""Forms for support as delivered: a session held against a support element, and the owner's revision,
ending or withdrawal of an element (each with a reason)."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms.casework import SupportElementForm, shared_with_field, visibility_field
from cases.models import NoteVisibility
from lib.forms import GovUKFormMixin, date_field

ATTENDED = [("yes", "Yes, the person attended"), ("no", "No, the person did not attend")]


class SessionForm(GovUKFormMixin, forms.Form):
    held_on = date_field("Date of the session")
    attended = forms.ChoiceField(
        choices=ATTENDED,
        widget=forms.RadioSelect,
        label="Did the person attend?",
        error_messages={"required": "Select whether the person attended"},
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Note (optional)",
        help_text="What happened, or why the person did not attend",
    )
    visibility = visibility_field("Who can see the note?")
    shared_with = shared_with_field()

    def session(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {**d, "attended": d["attended"] == "yes", "visibility": NoteVisibility(d["visibility"])}


REASON_HELP = "Recorded in the support plan's history of changes"


class ReviseSupportForm(SupportElementForm):
    """The plan changed: the element's new values and why. The start date stays (sessions count from it)."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why has the plan changed?",
        help_text=REASON_HELP,
        error_messages={"required": "Give the reason the plan has changed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["starts_on"]


class StopSupportForm(GovUKFormMixin, forms.Form):
    on = date_field("Date the support stopped")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text=REASON_HELP,
        error_messages={"required": "Give the reason"},
    )
