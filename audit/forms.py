from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from crispy_forms_gds.widgets import DateInputWidget
from django import forms

from audit.labels import event_choices, event_label, outcome_label
from audit.models import AuditEntry, Outcome
from lib.forms import GovUKDateField, GovUKFormMixin, date_field
from partners.models import Agency, User

CASE_REFERENCE = r"^PP-\d{4}-\d{5}$"

# The dates a search takes: the log has nothing earlier, and a day past the end of the calendar (9999-12-31
# plus one, for "up to and including") cannot be computed.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def _within_range(day: date | None, label: str) -> date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(f"{label} must be between 1 January 1900 and 31 December 2999")
    return day


class _DateOrISOWidget(DateInputWidget):
    """The GOV.UK date input's day, month and year boxes; a stored or linked filter may also carry the whole
    date as one ISO value (`date_from=2026-11-01`, as exports store their filters), read into the boxes."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        whole = data.get(name)
        if whole and not any(data.get(f"{name}_{part}") for part in range(3)):
            try:
                day = date.fromisoformat(str(whole))
            except ValueError:
                return [str(whole), "", ""]  # shown back as the day, and refused as not a real date
            return [str(day.day), str(day.month), str(day.year)]
        return super().value_from_datadict(data, files, name)


def _search_date(label: str, help_text: str = "") -> GovUKDateField:
    field = date_field(label, help_text, required=False)
    field.widget = _DateOrISOWidget()
    return field


class PersonChoiceField(forms.ModelChoiceField):
    """A person by full name and agency, never by login name."""

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


def person_label(user: Any) -> str:
    name = user.get_full_name() or user.username
    return f"{name}, {user.agency.name}" if user.agency_id else name


class AuditSearchForm(GovUKFormMixin, forms.Form):
    date_from = _search_date("From date", "For example, 1 11 2026")
    date_to = _search_date("To date", "For example, 30 11 2026")
    person = PersonChoiceField(
        required=False,
        queryset=User.objects.select_related("agency").order_by("agency__name", "first_name", "last_name", "pk"),
        empty_label="Anyone",
        label="Person",
        help_text="Everything this person's account did, under any name it had",
    )
    # A login name, from links and stored exports made before the person filter; not shown on the page.
    username = forms.CharField(required=False, max_length=150, widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(required=False, queryset=Agency.objects.order_by("name"), empty_label="Any")
    case_reference = forms.CharField(
        required=False, max_length=20, label="Case reference", help_text="For example, PP-2026-00042"
    )
    event = forms.ChoiceField(required=False, choices=event_choices, label="What happened")
    outcome = forms.ChoiceField(required=False, choices=[("", "Any"), *Outcome.choices])

    def clean_date_from(self) -> date | None:
        return _within_range(self.cleaned_data.get("date_from"), "The from date")

    def clean_date_to(self) -> date | None:
        return _within_range(self.cleaned_data.get("date_to"), "The to date")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        if data.get("case_reference"):
            data["case_reference"] = str(data["case_reference"]).strip().upper()
        return data

    def criteria(self) -> dict[str, Any]:
        """The valid filters as AuditEntry.objects.matching takes them."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.fields}

    def as_filters(self) -> dict[str, str]:
        """The filters in plain text (records by their key), for the audit entry."""
        return {
            name: str(value.pk) if hasattr(value, "pk") else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }

    def described(self) -> list[tuple[str, str]]:
        """The filters as a person reads them, label and words: for the export pages and the PDF's cover."""
        shown = []
        for name, value in self.cleaned_data.items():
            if value in (None, "") or name not in self.fields:
                continue
            if isinstance(value, date):
                words = f"{value.day} {value:%B %Y}"
            elif name == "person":
                words = person_label(value)
            elif name == "event":
                words = event_label(value)
            elif name == "outcome":
                words = outcome_label(value)
            else:
                words = str(value)
            shown.append((FILTER_LABELS.get(name, name), words))
        return shown


FILTER_LABELS = {
    "date_from": "From",
    "date_to": "To",
    "person": "Person",
    "username": "User name",
    "agency": "Agency",
    "case_reference": "Case",
    "event": "What happened",
    "outcome": "Outcome",
}


def split_typed(filters: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """An audit search's filters (as AuditSearchForm.as_filters or audit.exports.stored_filters give them)
    split into those its audit entry may hold and the text someone typed, of which it holds a keyed digest
    only (audit.texts). Dates, agency, event and outcome are chosen or validated: kept. A case reference
    in the reference format, and a username that is an account's or was recorded on an entry, name a
    record and are kept; anything else typed in those boxes (a person's name, say) is free text."""
    kept, typed = {}, {}
    for name, value in filters.items():
        names_a_case = name == "case_reference" and re.match(CASE_REFERENCE, value)
        names_a_user = name == "username" and _is_a_username(value)
        if name in ("case_reference", "username") and not (names_a_case or names_a_user):
            typed[name] = value
        else:
            kept[name] = value
    return kept, typed


def _is_a_username(value: str) -> bool:
    return User.objects.filter(username=value).exists() or AuditEntry.objects.filter(actor_username=value).exists()


class FlagReviewForm(GovUKFormMixin, forms.Form):
    justified = forms.ChoiceField(
        choices=[("yes", "Yes, justified"), ("no", "No, refer to the information governance lead")],
        widget=forms.RadioSelect,
        label="Was the emergency access justified?",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What you found")


class CaseReferenceField(forms.RegexField):
    def to_python(self, value: object) -> str:
        # Upper-cased and trimmed before the pattern is checked, so "pp-2026-00042 " is accepted.
        return str(super().to_python(value)).strip().upper()


class CaseReportForm(GovUKFormMixin, forms.Form):
    """An auditor names the case whose access report they need (they never see the case itself)."""

    case_reference = CaseReferenceField(
        regex=CASE_REFERENCE,
        max_length=20,
        label="Case reference",
        help_text="For example, PP-2026-00042",
        error_messages={"invalid": "Enter a case reference like PP-2026-00042", "required": "Enter a case reference"},
    )
