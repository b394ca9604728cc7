"""The forms that change where a person lives: a new address (the areas follow its postcode), or the
areas chosen instead of the postcode's, each with a reason."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.utils import timezone

from cases.services import areas
from cases.services.referrals import POSTCODE
from lib.forms import GovUKFormMixin

REASON_HELP = "Kept in the case's history and shown to your council; the audit log records only that it changed"


def _reason() -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the change is needed",
        help_text=REASON_HELP,
        error_messages={"required": "Give a reason for the change"},
    )


class AddressForm(GovUKFormMixin, forms.Form):
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Enter the person's address"}
    )
    postcode = forms.CharField(
        max_length=10,
        help_text="The council area and police force area are worked out from it",
        error_messages={"required": "Enter the postcode", "max_length": "Enter a real postcode, like NG1 5AA"},
    )
    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("address", rows=3), Field.text("postcode", field_width=10), Field.textarea("reason", rows=3)
        )

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not POSTCODE.match(postcode):
            raise forms.ValidationError("Enter a real postcode, like NG1 5AA")
        compact = areas.normalise_postcode(postcode)
        postcode = f"{compact[:-3]} {compact[-3:]}"
        if areas.areas_for_postcode(postcode, on=timezone.localdate()) is None:
            raise forms.ValidationError(
                areas.unknown_postcode_message(postcode, then="use Override the area instead, with a reason")
            )
        return postcode


class OverrideAreaForm(GovUKFormMixin, forms.Form):
    """Only known areas can be chosen: a value sent that is not one of them is refused, changing nothing."""

    local_authority_area = forms.ChoiceField(
        label="Council area", error_messages={"required": "Select the council area the person lives in"}
    )
    police_force_area = forms.ChoiceField(
        label="Police force area", error_messages={"required": "Select the police force area the person lives in"}
    )
    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        councils, forces = areas.known_council_areas(on=today), areas.known_force_areas(on=today)
        self.fields["local_authority_area"].choices = [("", "Select a council area"), *[(a, a) for a in councils]]  # type: ignore[attr-defined]
        self.fields["police_force_area"].choices = [("", "Select a police force area"), *[(a, a) for a in forces]]  # type: ignore[attr-defined]
        self.helper.layout = Layout(
            Field.select("local_authority_area"), Field.select("police_force_area"), Field.textarea("reason", rows=3)
        )
