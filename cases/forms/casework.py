"""The case page's change forms: move, note, support, action, review and assessment (consent and related
people: consent.py, related.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from cases.models import NoteVisibility, ReferenceList, ReferenceValue, Stage
from cases.vaf import FACTORS, Rating
from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency, AgencyKind, Role, User


def visibility_field(label: str) -> forms.ChoiceField:
    """Who may see a record from the originator's agency (notes, assessment versions, session notes)."""
    return forms.ChoiceField(
        choices=NoteVisibility.choices, widget=forms.RadioSelect, initial=NoteVisibility.EVERYONE, label=label
    )


def shared_with_field() -> forms.ModelMultipleChoiceField:
    """The agencies a record with named visibility is shared with."""
    return forms.ModelMultipleChoiceField(
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Named agencies",
    )


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
    visibility = visibility_field("Who can see this note?")
    shared_with = shared_with_field()


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
        self.fields["support_type"].queryset = ReferenceValue.objects.current(ReferenceList.SUPPORT_TYPE)  # type: ignore[attr-defined]


def person_and_agency(user: User) -> str:
    """A person as every list of people shows them: full name and agency, never a login name."""
    return f"{user.get_full_name() or user.username} ({user.agency.name})"


class ActionForm(GovUKFormMixin, forms.Form):
    """An action on a case. The owner is a person of the owning agency: the list shows people by full
    name, grouped under their agency, and the form says so by the field when the two do not match. For a
    case, the agencies offered are its own council and the partner agencies, never another council."""

    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Action", error_messages={"required": "Describe the action"}
    )
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        label="Owning agency",
        empty_label="Select the agency",
        error_messages={"required": "Select the agency that owns the action"},
    )
    owner_user = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.caseworkers(),
        label="Owner (optional)",
        help_text="A person of the owning agency",
    )
    due_on = date_field("Due date", "For example, 27 3 2027")

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True).order_by("name")
        if case is not None:
            agencies = agencies.filter(~Q(kind=AgencyKind.LOCAL_AUTHORITY) | Q(pk=case.owning_agency_id))
        people = (
            User.objects.caseworkers()
            .filter(agency__in=agencies)
            .select_related("agency")
            .order_by("agency__name", "last_name", "first_name", "pk")
        )
        self.fields["owner_agency"].queryset = agencies  # type: ignore[attr-defined]
        # Hooks for assets/js/owner-filter.js, which narrows the owners to the chosen agency.
        self.fields["owner_agency"].widget.attrs["data-owner-agency"] = ""
        self.fields["owner_user"].widget.attrs["data-owner-person"] = ""
        owner = self.fields["owner_user"]
        owner.queryset = people  # type: ignore[attr-defined]
        groups: dict[str, list[tuple[str, str]]] = {}
        for user in people:
            groups.setdefault(user.agency.name, []).append((str(user.pk), user.get_full_name() or user.username))
        # Grouped under each agency, so the people of the chosen agency are found together.
        owner.choices = [("", "No named owner"), *groups.items()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, user = data.get("owner_agency"), data.get("owner_user")
        if agency is not None and user is not None and user.agency_id != agency.pk:
            self.add_error(
                "owner_user", f"{person_and_agency(user)} is not in {agency.name}: choose a person of {agency.name}"
            )
        return data


class ReviewOutcomeForm(GovUKFormMixin, forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Outcome of the review")


class ScheduleReviewForm(GovUKFormMixin, forms.Form):
    due_on = date_field(
        "Review date", "Filled in at the panel's review interval; change it if needed. For example, 27 3 2027"
    )


class ClosingReportForm(GovUKFormMixin, forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Summary of the support given",
        help_text="What support was delivered, by which providers, and for how long",
        error_messages={"required": "Summarise the support given"},
    )
    outcomes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Outcomes",
        help_text="What changed for the person, and what the post-exit reviews found",
        error_messages={"required": "Record the outcomes of the support"},
    )
    onward_referrals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Onward referrals",
        help_text="Services the person was referred on to. Write 'None' if there were none",
        error_messages={"required": "Record the onward referrals, or write 'None'"},
    )


class AssessmentForm(GovUKFormMixin, forms.Form):
    """One rating and evidence box per Vulnerability Assessment Framework factor."""

    summary = forms.CharField(widget=forms.Textarea, label="Summary")
    management_plan = forms.CharField(widget=forms.Textarea, label="Management plan")
    visibility = visibility_field("Who can see this assessment?")
    shared_with = shared_with_field()

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
