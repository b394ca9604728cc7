"""Panel meeting forms: planning, the agenda, invitations, attendance, and meeting mode's decision and
discussion (an action agreed at a meeting uses casework.ActionForm)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from cases.forms import YES_NO
from cases.models import (
    AgendaItem,
    CareService,
    DecisionOutcome,
    HowReached,
    NotAdoptedRoute,
    ReferenceList,
    ReferenceValue,
)
from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency, Role, User


class MeetingForm(GovUKFormMixin, forms.Form):
    held_on = date_field("Date of the meeting", "For example, 27 3 2027")
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
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        label="Invite an agency",
        empty_label="Choose an agency",
    )
    user = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.caseworkers().select_related("agency"),
        label="Or invite a person",
        empty_label="Choose a person",
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


def votes_field(label: str) -> forms.IntegerField:
    """A GOV.UK whole-number input (text with a numeric keypad, as the Design System advises, not
    type=number) three characters wide, with errors that name the field."""
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=999,
        label=label,
        help_text="Only for a majority decision",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 5",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 999 or fewer",
        },
    )


class DecisionForm(GovUKFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        widget=forms.RadioSelect, label="Decision", error_messages={"required": "Select the panel's decision"}
    )
    how_reached = forms.ChoiceField(
        choices=HowReached.choices,
        widget=forms.RadioSelect,
        label="How was it reached?",
        error_messages={"required": "Select how the decision was reached"},
    )
    votes_for = votes_field("Votes for")
    votes_against = votes_field("Votes against")
    rationale = forms.CharField(
        widget=forms.Textarea, label="Rationale", error_messages={"required": "Record the rationale for the decision"}
    )
    # The s.36(6) record, asked only where "Do not adopt" can be chosen: separate questions with hints
    # rather than a conditional reveal (axe refuses aria-expanded on a radio).
    not_adopted_route = forms.ChoiceField(
        required=False,
        choices=NotAdoptedRoute.choices,
        widget=forms.RadioSelect,
        label="If not adopted: what happens next?",
        help_text="Only if the panel does not adopt the case",
    )
    health_or_social_care_referral = forms.ChoiceField(
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="If not adopted: was a health or social care referral made?",
        help_text="Only if the panel does not adopt the case (CTSA 2015 section 36(6))",
    )
    referral_service = forms.ChoiceField(
        required=False,
        choices=CareService.choices,
        widget=forms.RadioSelect,
        label="If a referral was made: to which service?",
        help_text="An action to make the referral is added for the council's Prevent team",
    )
    referral_service_name = forms.CharField(
        required=False,
        max_length=200,
        label="If a referral was made: name of the service",
        help_text="For example, the GP practice or the social care team",
    )
    referral_due_on = date_field(
        "If a referral was made: make it by",
        "Leave empty for 10 working days from today. For example, 27 3 2027",
        required=False,
    )
    no_referral_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="If no referral was made: why not?",
    )
    reassessment_on = date_field("If withdrawing support: re-assessment due", required=False)
    exit_reason = forms.ModelChoiceField(
        required=False, queryset=ReferenceValue.objects.none(), label="If exiting: reason"
    )

    NOT_ADOPTED_FIELDS = (
        "not_adopted_route",
        "health_or_social_care_referral",
        "referral_service",
        "referral_service_name",
        "referral_due_on",
        "no_referral_reason",
    )

    def __init__(
        self, *args: Any, outcomes: list[DecisionOutcome], reassessment_default: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]  # type: ignore[attr-defined]
        self.fields["exit_reason"].queryset = ReferenceValue.objects.current(ReferenceList.EXIT_REASON)  # type: ignore[attr-defined]
        if DecisionOutcome.NOT_ADOPT not in outcomes:
            for name in self.NOT_ADOPTED_FIELDS:
                del self.fields[name]
        if DecisionOutcome.WITHDRAW not in outcomes:
            del self.fields["reassessment_on"]
        elif reassessment_default is not None:
            self.fields["reassessment_on"].help_text = (
                f"Leave empty for {reassessment_default:%-d %B %Y} (the panel's re-assessment period)."
                f" For example, 27 3 {reassessment_default.year}"
            )
