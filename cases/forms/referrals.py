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
from cases.services import areas
from cases.services.referrals import POSTCODE, normalise_postcode
from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency


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
    # Offered only when the postcode is in no area we know (see `offers_override`): the areas otherwise
    # come from the postcode, never from the referrer.
    area_council = forms.ChoiceField(required=False, label="Council area the person lives in")
    area_force = forms.ChoiceField(required=False, label="Police force area the person lives in")
    area_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you are choosing the areas",
        help_text="For example, no fixed address, or a new-build street not yet in the postcode directory",
    )
    # Asked only when the postcode is in another council's area (see `outside_area`).
    log_outside_area = forms.BooleanField(required=False, label="Log the referral for my council anyway")

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

    def __init__(
        self, *args: Any, matches: list[Any] | None = None, council: Agency | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.area_override: areas.AreaOverride | None = None
        self.derived: areas.Areas | None = None
        self.fields["source_sector"].queryset = ReferenceValue.objects.current(ReferenceList.SOURCE_SECTOR)  # type: ignore[attr-defined]
        self.fields["concern_type"].queryset = ReferenceValue.objects.current(ReferenceList.CONCERN_TYPE)  # type: ignore[attr-defined]
        today = timezone.localdate()
        councils, forces = areas.known_council_areas(on=today), areas.known_force_areas(on=today)
        self.fields["area_council"].choices = [("", "Select a council area"), *[(a, a) for a in councils]]  # type: ignore[attr-defined]
        self.fields["area_force"].choices = [("", "Select a police force area"), *[(a, a) for a in forces]]  # type: ignore[attr-defined]
        typed = self._typed_areas()
        offers_override = self.is_bound and (
            (typed is None and self._typed_postcode() is not None)
            or any(self.data.get(name) for name in ("area_council", "area_force", "area_reason"))
        )
        outside = typed is not None and self.outside_area(typed)
        about_the_person = [
            Field.text("first_name"),
            Field.text("last_name"),
            Field.text("other_names"),
            Field("date_of_birth"),
            Field.radios("gender", inline=True),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=10),
        ]
        if offers_override:
            about_the_person += [
                Field.select("area_council"),
                Field.select("area_force"),
                Field.textarea("area_reason"),
            ]
        if outside:
            about_the_person.append(Field.checkbox("log_outside_area"))
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
                *about_the_person,
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

    def _typed_postcode(self) -> str | None:
        """The postcode as sent, if it is one (before validation: the layout depends on it)."""
        postcode = " ".join(str(self.data.get("postcode", "")).upper().split()) if self.is_bound else ""
        return postcode if POSTCODE.match(postcode) else None

    def _typed_areas(self) -> areas.Areas | None:
        postcode = self._typed_postcode()
        return areas.areas_for_postcode(postcode, on=timezone.localdate()) if postcode else None

    def outside_area(self, derived: areas.Areas) -> bool:
        """Whether the person lives in another council's area than the council logging the referral."""
        return self.council is not None and derived.local_authority_area != self.council.local_authority_area

    def clean(self) -> dict[str, Any]:
        """The areas: from the postcode; or, when it is in no area we know, chosen with a reason. A
        referral for someone living in another council's area is logged only when the coordinator says so
        (the council logging it owns the case; passing it to the other council is a transfer)."""
        cleaned = super().clean() or {}
        postcode = cleaned.get("postcode")
        if not postcode:
            return cleaned
        self.derived = areas.areas_for_postcode(postcode, on=timezone.localdate())
        if self.derived is not None:
            # An override sent with a postcode we know was never offered: the postcode's areas stand.
            if self.outside_area(self.derived) and not cleaned.get("log_outside_area"):
                assert self.council is not None  # noqa: S101 - outside_area says so
                self.add_error(
                    "log_outside_area",
                    f"The postcode {postcode} is in {self.derived.local_authority_area}, not "
                    f"{self.council.local_authority_area}: check the postcode, or tick the box to log the "
                    f"referral for {self.council.name} anyway",
                )
            return cleaned
        council, force, reason = (cleaned.get(n, "") for n in ("area_council", "area_force", "area_reason"))
        if not (council or force or reason.strip()):
            self.add_error("postcode", areas.unknown_postcode_message(postcode))
            return cleaned
        if not council:
            self.add_error("area_council", "Select the council area the person lives in")
        if not force:
            self.add_error("area_force", "Select the police force area the person lives in")
        if not reason.strip():
            self.add_error("area_reason", "Say why you are choosing the areas instead of the postcode's")
        if council and force and reason.strip():
            self.area_override = areas.AreaOverride(council, force, reason.strip())
        return cleaned

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
    "area_council",
    "area_force",
    "area_reason",
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
