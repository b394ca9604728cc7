"""The national referral form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from cases.forms import YES_NO
from cases.models import Gender, ReferenceList, ReferenceValue
from cases.services.referrals import POSTCODE, normalise_postcode
from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency, AgencyKind


class ReferralForm(GovUKFormMixin, forms.Form):
    """The national referral form, in sections. `link_subject` is asked only when earlier subjects match."""

    first_name = forms.CharField(max_length=100, error_messages={"required": "Enter the person's first name"})
    last_name = forms.CharField(max_length=100, error_messages={"required": "Enter the person's last name"})
    other_names = forms.CharField(
        max_length=200, required=False, label="Other names (optional)", help_text="Aliases or previous names"
    )
    date_of_birth = date_field("Date of birth", "For example, 27 3 2009")
    gender = forms.ChoiceField(
        choices=Gender.choices, widget=forms.RadioSelect, error_messages={"required": "Select the person's gender"}
    )
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Enter the person's address"}
    )
    postcode = forms.CharField(
        max_length=10,
        error_messages={"required": "Enter the postcode", "max_length": "Enter a real postcode, like NG1 5AA"},
    )
    police_force_area = forms.ChoiceField(
        label="Police force area", error_messages={"required": "Select the police force area"}
    )

    source_sector = forms.ModelChoiceField(
        queryset=ReferenceValue.objects.none(),
        label="Referral source sector",
        error_messages={"required": "Select the sector the referral came from"},
    )
    concern_type = forms.ModelChoiceField(
        queryset=ReferenceValue.objects.none(),
        label="Type of concern",
        error_messages={"required": "Select the type of concern"},
    )
    referrer_name = forms.CharField(
        max_length=200, label="Referrer's name", error_messages={"required": "Enter the referrer's name"}
    )
    referrer_organisation = forms.CharField(
        max_length=200,
        label="Referrer's organisation",
        error_messages={"required": "Enter the referrer's organisation"},
    )
    referrer_contact = forms.CharField(
        max_length=200,
        label="Referrer's phone or email",
        error_messages={"required": "Enter the referrer's phone or email"},
    )

    concerns = forms.CharField(
        widget=forms.Textarea,
        label="Why are you concerned?",
        error_messages={"required": "Describe why the referrer is concerned"},
    )
    specific_events = forms.CharField(
        widget=forms.Textarea, required=False, label="Specific events or incidents (optional)"
    )
    ideology = forms.CharField(
        widget=forms.Textarea, required=False, label="Ideology or interest in violence (optional)"
    )
    online_activity = forms.CharField(widget=forms.Textarea, required=False, label="Online activity (optional)")
    additional_needs = forms.CharField(
        widget=forms.Textarea, required=False, label="Additional needs, for example SEND or health (optional)"
    )
    other_safeguarding = forms.CharField(
        widget=forms.Textarea, required=False, label="Other safeguarding concerns (optional)"
    )
    parental_support = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Discussions with the person, or their parents or carers (optional)",
    )
    immediate_risk = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Is there an immediate risk of harm?",
        help_text="If life is at risk now, call 999 before completing this form.",
        error_messages={"required": "Select yes if there is an immediate risk of harm"},
    )
    link_subject = forms.ChoiceField(required=False, widget=forms.RadioSelect, label="Is this the same person?")

    def __init__(self, *args: Any, matches: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_sector"].queryset = ReferenceValue.objects.current(ReferenceList.SOURCE_SECTOR)  # type: ignore[attr-defined]
        self.fields["concern_type"].queryset = ReferenceValue.objects.current(ReferenceList.CONCERN_TYPE)  # type: ignore[attr-defined]
        areas = sorted(
            set(
                Agency.objects.filter(kind=AgencyKind.POLICE, is_active=True)
                .exclude(police_force_area="")
                .values_list("police_force_area", flat=True)
            )
        )
        self.fields["police_force_area"].choices = [("", "Select a force area"), *[(a, a) for a in areas]]  # type: ignore[attr-defined]
        self.matches = matches or []
        self.fields["link_subject"].choices = [  # type: ignore[attr-defined]
            *[
                (str(s.reference), f"Yes, the person referred before (born {s.date_of_birth:%-d %B %Y})")
                for s in self.matches
            ],
            ("new", "No, a different person"),
        ]
        layout = [
            Fieldset(
                Field.text("first_name"),
                Field.text("last_name"),
                Field.text("other_names"),
                Field("date_of_birth"),
                Field.radios("gender", inline=True),
                Field.textarea("address", rows=3),
                Field.text("postcode", field_width=10),
                Field.select("police_force_area"),
                legend="About the person",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("source_sector"),
                Field.select("concern_type"),
                Field.text("referrer_name"),
                Field.text("referrer_organisation"),
                Field.text("referrer_contact"),
                legend="Who is referring",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.textarea("concerns"),
                Field.textarea("specific_events"),
                Field.textarea("ideology"),
                Field.textarea("online_activity"),
                Field.textarea("additional_needs"),
                Field.textarea("other_safeguarding"),
                Field.textarea("parental_support"),
                Field.radios("immediate_risk", inline=True),
                legend="The concern",
                legend_size=Size.MEDIUM,
            ),
        ]
        if self.matches:
            layout.insert(0, Field.radios("link_subject", legend_size=Size.MEDIUM))
        else:
            del self.fields["link_subject"]
        self.helper.layout = Layout(*layout)

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past")
        if born.year < 1900:
            raise forms.ValidationError("Date of birth must be after 1900")
        return born

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not POSTCODE.match(postcode):
            raise forms.ValidationError("Enter a real postcode, like NG1 5AA")
        compact = normalise_postcode(postcode)
        return f"{compact[:-3]} {compact[-3:]}"

    def clean_link_subject(self) -> str:
        value: str = self.cleaned_data.get("link_subject", "")
        if self.matches and not value:
            raise forms.ValidationError("Select whether this is the person referred before")
        return value

    SUBJECT_FIELDS = (
        "first_name",
        "last_name",
        "other_names",
        "date_of_birth",
        "gender",
        "address",
        "postcode",
        "police_force_area",
    )
    REFERRAL_FIELDS = (
        "source_sector",
        "concern_type",
        "referrer_name",
        "referrer_organisation",
        "referrer_contact",
        "concerns",
        "specific_events",
        "ideology",
        "online_activity",
        "additional_needs",
        "other_safeguarding",
        "parental_support",
    )

    def subject_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.SUBJECT_FIELDS}

    def referral_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.REFERRAL_FIELDS}
        fields["immediate_risk"] = self.cleaned_data["immediate_risk"] == "yes"
        return fields


# The date of birth arrives as its three boxes; a draft keeps them as typed, even half filled.
DATE_PARTS = tuple(f"date_of_birth_{part}" for part in range(3))
DRAFT_FIELDS = (
    *(name for name in ReferralForm.SUBJECT_FIELDS if name != "date_of_birth"),
    *DATE_PARTS,
    *ReferralForm.REFERRAL_FIELDS,
    "immediate_risk",
)


def draft_fields(data: Mapping[str, Any]) -> dict[str, str]:
    """What a draft keeps of a post of the referral form: its own fields as typed, nothing else (not the
    CSRF token, not the draft's reference, not the repeat-referral choice, which depends on a search)."""
    return {name: str(data.get(name, "")) for name in DRAFT_FIELDS if data.get(name)}


def initial_from_draft(fields: Mapping[str, str]) -> dict[str, Any]:
    """The form's initial values from a draft; the date of birth as the three boxes it was typed in."""
    initial: dict[str, Any] = {name: value for name, value in fields.items() if name not in DATE_PARTS}
    if any(fields.get(part) for part in DATE_PARTS):
        initial["date_of_birth"] = [fields.get(part, "") for part in DATE_PARTS]
    return initial
