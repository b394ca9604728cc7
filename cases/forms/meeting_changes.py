"""Forms for changing a planned meeting: reschedule, cancel, a new chair. Each asks for the reason."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms.meetings import MeetingForm
from lib.forms import GovUKFormMixin
from partners.models import User


def reason_field(label: str) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=label,
        help_text="Kept with the meeting's record. Invitees are not sent it.",
        error_messages={"required": "Give the reason"},
    )


class RescheduleForm(MeetingForm):
    reason = reason_field("Why is the meeting moving?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["chair"]


class CancelForm(GovUKFormMixin, forms.Form):
    reason = reason_field("Why is the meeting cancelled?")


class ChairForm(GovUKFormMixin, forms.Form):
    chair = forms.ModelChoiceField(
        queryset=User.objects.none(), label="New chair", error_messages={"required": "Select the new chair"}
    )
    reason = reason_field("Why is the chair changing?")

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chair"]
        field.queryset = User.objects.filter(pk__in=[user.pk for user in people]).order_by("last_name", "first_name")  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.get_full_name() or user.username  # type: ignore[attr-defined]
