"""The case list's search and filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings

from cases.models import ReferenceList, ReferenceValue, Stage
from lib.forms import GovUKFormMixin


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

    def clean_received(self) -> date | None:
        """The first day of the month, or None. The pattern alone lets 0000-01 through, which no date has."""
        value = self.cleaned_data.get("received") or ""
        if not value:
            return None
        month = date(int(value[:4]), int(value[5:7]), 1) if int(value[:4]) >= 1900 else None
        if month is None:
            raise forms.ValidationError("Enter a month from 1900-01 onwards, like 2026-03")
        return month


def flag_choices() -> list[tuple[str, str]]:
    """The dashboard's figures, as list filters (the numbers of days are settings)."""
    return [
        ("screening", f"Waiting for police screening more than {settings.SCREENING_WAIT_DAYS} days"),
        ("reviews_due", "Reviews due soon"),
        ("reviews_overdue", "Reviews overdue"),
        ("stalled", f"Support with no activity for {settings.STALLED_SUPPORT_DAYS} days"),
        ("repeat", "Repeat referrals"),
    ]
