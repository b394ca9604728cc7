"""Consent to support and the plan for asking it. The form asks only what the law lets this case answer:
for an adult there is no one to choose, they answer themselves; for a child, the parents and guardians
with parental responsibility recorded on the case, or the child (who may refuse or withdraw)."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms.casework import person_and_agency
from cases.models import Capacity, Case, ConsentStatus, RelatedPerson
from lib.forms import GovUKFormMixin, date_field
from partners.models import User

THEMSELVES = "themselves"


class AskerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_and_agency(obj)


class ConsentForm(GovUKFormMixin, forms.Form):
    status = forms.ChoiceField(choices=ConsentStatus.choices, widget=forms.RadioSelect, label="Consent")
    consenting = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Who answered",
        error_messages={"required": "Select who answered", "invalid_choice": "Select who answered from the list"},
    )
    child_view = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The child's own view",
        help_text="What they said about the support offered, in their words where you can",
        error_messages={"required": "Record the child's own view"},
    )
    capacity = forms.ChoiceField(
        choices=Capacity.choices,
        initial=Capacity.NOT_IN_QUESTION,
        widget=forms.RadioSelect,
        label="Capacity to make this decision",
        help_text="From 16 the Mental Capacity Act 2005 applies: capacity is assumed unless it is established"
        " that the person lacks it, for this decision at this time",
    )
    capacity_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How capacity was considered (if it was)",
        help_text="Who considered it, when, and what they found",
    )
    requested_by = AskerField(
        queryset=User.objects.none(),
        label="Who asked for consent",
        empty_label="Select a person",
        error_messages={"required": "Select who asked for consent"},
    )
    method = forms.CharField(
        max_length=200, label="How consent was asked", help_text="For example, home visit with the Prevent coordinator"
    )
    requested_on = date_field("Date consent was asked")
    on = date_field("Date of the answer")
    reassessment_on = date_field("Re-assessment date", "Needed when consent is refused or withdrawn", required=False)

    def __init__(
        self, *args: Any, case: Case, child: bool, people: list[RelatedPerson], askers: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.reference): person for person in people}
        self.fields["requested_by"].queryset = askers  # type: ignore[attr-defined]
        if child:
            name = case.subject.full_name
            self.fields["consenting"].choices = [  # type: ignore[attr-defined]
                *((key, f"{p.name}, {p.relationship_in_words.lower()}") for key, p in self.people.items()),
                (THEMSELVES, f"{name} themselves (only to refuse or withdraw)"),
            ]
            self.fields["consenting"].help_text = "Parents and guardians with parental responsibility for them"
        else:
            # An adult answers for themselves: there is no one to choose (CTSA 2015 s.36(4)(b)).
            del self.fields["consenting"]
            del self.fields["child_view"]

    def consenting_person(self) -> RelatedPerson | None:
        return self.people.get(self.cleaned_data.get("consenting", THEMSELVES))


class ConsentRequestForm(GovUKFormMixin, forms.Form):
    """How, when and by whom consent is to be asked (s.36(5)(a))."""

    by = AskerField(
        queryset=User.objects.none(),
        label="Who will ask for consent",
        empty_label="Select a person",
        error_messages={"required": "Select who will ask for consent"},
    )
    how = forms.CharField(
        max_length=200,
        label="How consent will be asked",
        help_text="For example, home visit with the Prevent coordinator and the family's social worker",
    )
    on = date_field("When consent will be asked", "For example, 27 3 2027")

    def __init__(self, *args: Any, askers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = askers  # type: ignore[attr-defined]
