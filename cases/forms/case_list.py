"""The case list's search and filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from cases.models import ReferenceList, ReferenceValue, Stage
from lib.forms import GovUKFormMixin, GovUKMonthField


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
    # Month and Year boxes (GOV.UK date input without the day); the dashboard's links send received=YYYY-MM.
    received = GovUKMonthField(required=False, label="Received in month", help_text="For example, 3 2026")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flag"].choices = [("", "Any"), *flag_choices()]  # type: ignore[attr-defined]


def flag_choices() -> list[tuple[str, str]]:
    """The dashboard's figures, as list filters (the numbers of days are settings)."""
    return [
        ("screening", f"Waiting for police screening more than {settings.SCREENING_WAIT_DAYS} days"),
        ("reviews_due", "Reviews due soon"),
        ("reviews_overdue", "Reviews overdue"),
        ("stalled", f"Support with no session for {settings.STALLED_SUPPORT_DAYS} days"),
        ("repeat", "Repeat referrals"),
    ]
