"""Forms validate input and nothing else; rules that span objects live in cases/services.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.conf import settings
from django.utils import timezone

from cases.models import (
    AgendaItem,
    ConsentGiver,
    ConsentStatus,
    DecisionOutcome,
    Gender,
    HowReached,
    NoteVisibility,
    ReferenceList,
    ReferenceValue,
    Stage,
)
from cases.services.referrals import POSTCODE, normalise_postcode
from cases.vaf import FACTORS, Rating
from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency, AgencyKind, Role, User

YES_NO = [("yes", "Yes"), ("no", "No")]


def _reference_values(list_name: ReferenceList) -> Any:
    return ReferenceValue.objects.current(list_name)


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
        self.fields["source_sector"].queryset = _reference_values(ReferenceList.SOURCE_SECTOR)  # type: ignore[attr-defined]
        self.fields["concern_type"].queryset = _reference_values(ReferenceList.CONCERN_TYPE)  # type: ignore[attr-defined]
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


class CaseFilterForm(GovUKFormMixin, forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Reference or name")
    stage = forms.ChoiceField(required=False, choices=[("", "Any"), *Stage.choices])
    concern_type = forms.ModelChoiceField(
        required=False,
        queryset=ReferenceValue.objects.filter(list_name=ReferenceList.CONCERN_TYPE),
        empty_label="Any",
        label="Type of concern",
    )
    overdue = forms.BooleanField(required=False, label="Only cases with overdue actions")
    flag = forms.ChoiceField(required=False, label="Needs attention")
    received = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        max_length=7,
        label="Received in month",
        help_text="For example, 2026-03",
        error_messages={"invalid": "Enter a month like 2026-03"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flag"].choices = [("", "Any"), *flag_choices()]  # type: ignore[attr-defined]


def flag_choices() -> list[tuple[str, str]]:
    """The dashboard's figures, as list filters (the numbers of days are settings)."""
    return [
        ("screening", f"Waiting for police screening more than {settings.SCREENING_WAIT_DAYS} days"),
        ("reviews_due", "Reviews due soon"),
        ("reviews_overdue", "Reviews overdue"),
        ("stalled", f"Support with no activity for {settings.STALLED_SUPPORT_DAYS} days"),
        ("repeat", "Repeat referrals"),
    ]


class MoveForm(GovUKFormMixin, forms.Form):
    to = forms.ChoiceField(
        label="Move the case to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the stage to move the case to"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Recorded in the case chronology",
        error_messages={"required": "Give a reason for the change"},
    )

    def __init__(self, *args: Any, stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s.value, s.label) for s in stages]  # type: ignore[attr-defined]


class NoteForm(GovUKFormMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea, label="Note", error_messages={"required": "Enter the note"})
    visibility = forms.ChoiceField(
        choices=NoteVisibility.choices,
        widget=forms.RadioSelect,
        initial=NoteVisibility.EVERYONE,
        label="Who can see this note?",
    )
    shared_with = forms.ModelMultipleChoiceField(
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Named agencies",
    )


class ConsentForm(GovUKFormMixin, forms.Form):
    status = forms.ChoiceField(choices=ConsentStatus.choices, widget=forms.RadioSelect, label="Consent")
    given_by = forms.ChoiceField(choices=ConsentGiver.choices, widget=forms.RadioSelect, label="Given or refused by")
    method = forms.CharField(
        max_length=200, label="How consent was asked", help_text="For example, home visit with the Prevent coordinator"
    )
    on = date_field("Date")
    reassessment_on = date_field("Re-assessment date", "Needed when consent is refused or withdrawn", required=False)


class DecisionForm(GovUKFormMixin, forms.Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")
    how_reached = forms.ChoiceField(choices=HowReached.choices, widget=forms.RadioSelect, label="How was it reached?")
    votes_for = forms.IntegerField(required=False, min_value=0, label="Votes for (majority only)")
    votes_against = forms.IntegerField(required=False, min_value=0, label="Votes against (majority only)")
    rationale = forms.CharField(widget=forms.Textarea, label="Rationale")
    health_or_social_care_referral = forms.ChoiceField(
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="If not adopted: was a health or social care referral made?",
    )
    exit_reason = forms.ModelChoiceField(
        required=False, queryset=ReferenceValue.objects.none(), label="If exiting: reason"
    )

    def __init__(self, *args: Any, outcomes: list[DecisionOutcome], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]  # type: ignore[attr-defined]
        self.fields["exit_reason"].queryset = _reference_values(ReferenceList.EXIT_REASON)  # type: ignore[attr-defined]


class SupportElementForm(GovUKFormMixin, forms.Form):
    support_type = forms.ModelChoiceField(queryset=ReferenceValue.objects.none(), label="Support")
    provider = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True), label="Provider")
    provider_user = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.caseworkers().filter(role=Role.INTERVENTION_PROVIDER),
        label="Named practitioner (optional)",
    )
    how = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="How the support is delivered")
    when = forms.CharField(max_length=200, label="When and how often", help_text="For example, weekly for 12 weeks")
    starts_on = date_field("Start date")
    ends_on = date_field("End date (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["support_type"].queryset = _reference_values(ReferenceList.SUPPORT_TYPE)  # type: ignore[attr-defined]


class ActionForm(GovUKFormMixin, forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Action")
    owner_agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True), label="Owning agency")
    owner_user = forms.ModelChoiceField(required=False, queryset=User.objects.caseworkers(), label="Owner (optional)")
    due_on = date_field("Due date")


class ReviewOutcomeForm(GovUKFormMixin, forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Outcome of the review")


class ScheduleReviewForm(GovUKFormMixin, forms.Form):
    due_on = date_field("Review date")


class AssessmentForm(GovUKFormMixin, forms.Form):
    """One rating and evidence box per Vulnerability Assessment Framework factor."""

    summary = forms.CharField(widget=forms.Textarea, label="Summary")
    management_plan = forms.CharField(widget=forms.Textarea, label="Management plan")
    visibility = forms.ChoiceField(
        choices=NoteVisibility.choices,
        widget=forms.RadioSelect,
        initial=NoteVisibility.EVERYONE,
        label="Who can see this assessment?",
    )
    shared_with = forms.ModelMultipleChoiceField(
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Named agencies",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, dimension, label in FACTORS:
            self.fields[f"rating_{code}"] = forms.TypedChoiceField(
                choices=Rating.choices,
                coerce=int,
                widget=forms.RadioSelect,
                initial=Rating.NOT_PRESENT,
                label=label,
                help_text=dimension.label,
            )
            self.fields[f"evidence_{code}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 2}), label=f"Evidence: {label.lower()}"
            )

    def ratings(self) -> dict[str, tuple[int, str]]:
        return {
            code: (self.cleaned_data[f"rating_{code}"], self.cleaned_data[f"evidence_{code}"]) for code, _, _ in FACTORS
        }


# --- panel meetings ---------------------------------------------------------------------------------


class MeetingForm(GovUKFormMixin, forms.Form):
    held_on = date_field("Date of the meeting", "For example, 14 5 2026")
    starts_at = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, for example 10:00",
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 10:00"},
    )
    place = forms.CharField(
        max_length=300,
        label="Place or video link",
        error_messages={"required": "Enter where the meeting is held, or the video link"},
    )
    chair = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Chair", error_messages={"required": "Select the chair"}
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chairs = User.objects.active().filter(agency=agency, role=Role.PANEL_CHAIR)
        self.fields["chair"].queryset = chairs  # type: ignore[attr-defined]
        self.fields["chair"].label_from_instance = lambda user: user.get_full_name() or user.username  # type: ignore[attr-defined]


class AgendaForm(GovUKFormMixin, forms.Form):
    cases = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Cases to add",
        error_messages={"required": "Select at least one case to add to the agenda"},
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [  # type: ignore[attr-defined]
            (str(case.reference), f"{case.number}: {case.subject.full_name} ({case.get_stage_display()})")
            for case in candidates
        ]


class InvitationForm(GovUKFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        required=False, queryset=Agency.objects.filter(is_active=True), label="Invite an agency", empty_label=""
    )
    user = forms.ModelChoiceField(
        required=False, queryset=User.objects.caseworkers().select_related("agency"), label="Or invite a person"
    )
    items = forms.ModelMultipleChoiceField(
        required=False,
        queryset=AgendaItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="For these cases only",
        help_text="Leave empty for a core member, who sees the agenda cases already shared with them. "
        "Per-case invitees see the cases chosen here, from circulation until shortly after the meeting.",
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        field.queryset = items  # type: ignore[attr-defined]
        field.label_from_instance = lambda item: f"{item.case.number}: {item.case.subject.full_name}"  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda user: f"{user.get_full_name() or user} ({user.agency.name})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("agency")) == bool(data.get("user")):
            raise forms.ValidationError("Choose one agency or one person to invite")
        return data


class AttendanceForm(GovUKFormMixin, forms.Form):
    present = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Who is present?")

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in people}
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (key, f"{user.get_full_name() or user.username}, {user.agency.name} ({user.get_role_display()})")
            for key, user in self.people.items()
        ]

    def present_users(self) -> list[User]:
        return [self.people[key] for key in self.cleaned_data["present"]]


class DiscussionForm(GovUKFormMixin, forms.Form):
    discussion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Discussion",
        help_text="What was shared and by whom, and what the panel considered. This goes in the minutes.",
        error_messages={"required": "Record the discussion"},
    )
