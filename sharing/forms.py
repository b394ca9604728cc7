from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.utils import timezone

from lib.forms import GovUKFormMixin, date_field
from partners.models import Agency, User
from sharing.models import LegalBasis, Level, SpecialCategoryCondition


def end_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


class GrantForm(GovUKFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        label="Share with an agency",
        empty_label="Choose an agency",
    )
    user = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.caseworkers(),
        label="Or with one person",
        empty_label="Choose a person",
    )
    level = forms.ChoiceField(choices=Level.choices, widget=forms.RadioSelect, initial=Level.SUMMARY)
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Purpose",
        help_text="Why this agency or person needs to see the case",
    )
    legal_basis = forms.ChoiceField(choices=LegalBasis.choices, widget=forms.RadioSelect, label="Legal basis")
    until = date_field("Share until", "Sharing stops at the end of this day")
    special_category = forms.ChoiceField(
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        initial="no",
        required=False,
        label="Include the sensitive details?",
        help_text="Ethnicity, religion or belief, and health. Only with full access, and only under a condition "
        "for processing special category data.",
    )
    special_category_condition = forms.ChoiceField(
        choices=SpecialCategoryCondition.choices,
        widget=forms.RadioSelect,
        required=False,
        label="If you include them: the condition for processing the sensitive details",
        # Asked as a question of its own rather than revealed under "Yes": GOV.UK Frontend's reveal puts
        # aria-expanded on the radio, which axe (WCAG 2.2) refuses on that role.
        help_text="Leave this unanswered if you do not include the sensitive details.",
    )

    def sensitive_condition(self) -> SpecialCategoryCondition | None:
        """The condition the sensitive details are shared under, or None when they are not shared."""
        data = self.cleaned_data
        shared = data.get("special_category") == "yes"
        return SpecialCategoryCondition(data["special_category_condition"]) if shared else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("special_category") == "yes" and not data.get("special_category_condition"):
            self.add_error(
                "special_category_condition",
                "Choose the condition for processing the sensitive details (DPA 2018 Schedule 1)",
            )
        if bool(data.get("agency")) == bool(data.get("user")):
            self.add_error("agency", "Choose an agency or a person, not both")
        if data.get("until") and data["until"] < timezone.localdate():
            self.add_error("until", "Share until must be today or in the future")
        return data


class ExtendForm(GovUKFormMixin, forms.Form):
    until = date_field("Extend until")


class RequestAccessForm(GovUKFormMixin, forms.Form):
    """Asks by the case's number (PP-2026-00042), or, from the "Ask for access" link of a page not found,
    by the reference in the case's address, which the person never has to read or type."""

    number = forms.CharField(
        max_length=20,
        label="Case reference",
        help_text="For example, PP-2026-00042",
        error_messages={"required": "Enter the case reference, for example PP-2026-00042"},
    )
    case = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why do you need access?",
        error_messages={"required": "Say why you need access to the case"},
    )

    def __init__(self, *args: Any, by_link: UUID | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if by_link is not None or _names_a_case(self.data.get("case") if self.is_bound else None):
            # Asked by the link: the hidden reference stands for the number, which is not asked for.
            del self.fields["number"]
            if by_link is not None:
                self.initial["case"] = by_link
        else:
            del self.fields["case"]

    @property
    def by_link(self) -> bool:
        return "case" in self.fields


def _names_a_case(value: object) -> bool:
    """A link's reference that can be read; a broken one falls back to asking for the number, so the error
    lands on a field the person can fill in, never on the hidden one."""
    try:
        UUID(str(value))
    except ValueError:
        return False
    return value is not None


class AnswerRequestForm(GovUKFormMixin, forms.Form):
    answer = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect)
    level = forms.ChoiceField(choices=Level.choices, widget=forms.RadioSelect, initial=Level.SUMMARY, required=False)
    legal_basis = forms.ChoiceField(choices=LegalBasis.choices, required=False, label="Legal basis (if approving)")
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, required=False, label="For how many days")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note to the requester",
        help_text="Required when refusing",
    )

    def ends_at(self) -> datetime:
        return timezone.now() + timedelta(days=self.cleaned_data.get("days") or 30)


class BreakGlassForm(GovUKFormMixin, forms.Form):
    number = forms.CharField(max_length=20, label="Case reference", help_text="For example, PP-2026-00042")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="The emergency",
        help_text="Auditors review every break-glass access. Access lasts 12 hours.",
    )
