"""GOV.UK form pieces shared by every app's forms, and the one way a refused service call reaches the
person as a form error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

# The widest integer key any supported database holds (PostgreSQL bigint, SQLite INTEGER).
_INT64 = range(-(2**63), 2**63)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records that refuses, as an invalid choice, a key too large for the database:
    Django passes it to the query, where SQLite raises OverflowError and PostgreSQL a DataError (a 500)."""

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        assert self.queryset is not None  # noqa: S101 - Django requires one
        model = self.queryset.model
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        if isinstance(field, models.IntegerField):
            for item in value:
                try:
                    number = int(str(item).strip())
                except ValueError:
                    continue  # Django's own check reports it
                if number not in _INT64:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)  # type: ignore[misc]


# The longest free text any text area takes (a note, an assessment's summary, a reason): about four pages
# of typing. Unbounded text areas let one request write megabytes into a case record (issue 14 finding 12).
TEXT_MAX_LENGTH = 10_000


def bound_text_area(field: forms.CharField, *, name: str) -> None:
    """Give a text area with no maximum the shared one, with a GOV.UK error message. No maxlength attribute
    is added to the widget: the browser would cut off what was pasted without saying so."""
    label = str(field.label or name.replace("_", " ").capitalize())
    field.max_length = TEXT_MAX_LENGTH
    field.validators.append(
        MaxLengthValidator(TEXT_MAX_LENGTH, message=f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer")
    )


class GovUKFormMixin:
    """Renders with crispy-forms-gds inside the page's own <form> tag, with the GOV.UK error summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Templates add {% csrf_token %} to POST forms themselves; a GET form must never carry the token.
        self.helper.disable_csrf = True
        # Every form in the app gets the bounded multiple choice (see above), wherever it was declared.
        for field in self.fields.values():  # type: ignore[attr-defined]
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField
        # Every text area has a maximum length, wherever it was declared.
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            text_area = isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea)
            if text_area and field.max_length is None:
                bound_text_area(field, name=name)

    def error_links(self) -> list[tuple[str, str]]:
        """Each error with the id of the control its error-summary link must focus (issue 15 finding 3).

        crispy-forms-gds links an error to the field's id, which for radios, checkboxes and dates names no
        control at all (a fieldset or a <div>), so the link goes nowhere. GOV.UK: a link focuses the first
        radio or checkbox, and the first part of a date with no part of its own to blame. Read by the error
        summary template (templates/gds/layout/error_summary.html), so every form gets it.
        """
        form: Any = self
        fields = list(form.visible_fields())
        links: list[tuple[str, str]] = []
        if fields:
            # A form-wide error, or one of a hidden field (which has no control), goes to the first control.
            hidden = [error for bound in form.hidden_fields() for error in bound.errors]
            links.extend((control_id(fields[0]), str(error)) for error in [*form.non_field_errors(), *hidden])
        for bound in fields:
            part_errors: list[str] = []
            for index, part in enumerate(getattr(bound.field, "fields", ())):
                for error in getattr(part.widget, "errors", []):
                    links.append((f"{bound.auto_id}_{index}", str(error)))
                    part_errors.append(error)
            links.extend((control_id(bound), str(e)) for e in bound.errors if e not in part_errors)
        return links


def control_id(bound: forms.BoundField) -> str:
    """The id of the first control a person can focus for this field, as crispy-forms-gds renders it."""
    widget = bound.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        # gds/layout/radio_item.html and checkboxes.html number the options from 1, by the html name.
        return f"id_{bound.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound.auto_id}_0"  # the date input's Day box
    return str(bound.auto_id)


class GovUKDateField(DateInputField):
    """GOV.UK date input whose errors are written for people, not Python's ('month must be in 1..12')."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, require_all_fields=False, **kwargs)
        self.real_date_message = f"{label} must be a real date"

    def compress(self, data_list: Any) -> date | None:
        try:
            return super().compress(data_list)
        except (forms.ValidationError, OverflowError):  # OverflowError: a year like 2200000000
            raise forms.ValidationError(self.real_date_message, code="invalid") from None


class MonthInputWidget(forms.MultiWidget):
    """The GOV.UK date input with only Month and Year boxes (the pattern for a month: no Day box), drawn
    by crispy-forms-gds's date template. Also reads `name=YYYY-MM`, the form links carry (the dashboard's
    figures link to the case list so), into the two boxes."""

    template_name = "gds/widgets/date.html"
    LINK_FORM = re.compile(r"^\s*([0-9]+)-([0-9]+)\s*$")

    def __init__(self) -> None:
        box = "govuk-input govuk-date-input__input"
        super().__init__(
            [
                forms.TextInput(
                    attrs={"class": f"{box} govuk-input--width-2", "label": "Month", "inputmode": "numeric"}
                ),
                forms.TextInput(
                    attrs={"class": f"{box} govuk-input--width-4", "label": "Year", "inputmode": "numeric"}
                ),
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        return [value.month, value.year] if value else [None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data and not any(f"{name}_{i}" in data for i in (0, 1)):
            linked = str(data.get(name) or "")
            found = self.LINK_FORM.match(linked)
            # Unreadable text stays in the Month box, where the person sees it and the error about it.
            return [found[2], found[1]] if found else [linked, ""]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovUKMonthField(forms.MultiValueField):
    """A month, as GOV.UK asks for one: Month and Year boxes, errors in words; cleaned to its first day.
    Refuses what it cannot read (never ignores it), so a filter with a bad month shows the error summary."""

    widget = MonthInputWidget
    MONTH = re.compile(r"^[0-9]{1,2}$")
    YEAR = re.compile(r"^[0-9]{4}$")

    def __init__(self, *, label: str, earliest_year: int = 1900, **kwargs: Any) -> None:
        parts = (forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=parts, label=label, require_all_fields=False, **kwargs)
        self.earliest_year = earliest_year

    def clean(self, value: Any) -> date | None:
        month, year = (str(part or "").strip() for part in [*(value or []), "", ""][:2])
        label = str(self.label)
        if not month and not year:
            if self.required:
                raise ValidationError(f"Enter {label.lower()}", code="required")
            return None
        real = ValidationError(f"{label} must be a real month, for example 3 2026", code="invalid")
        if (month and not self.MONTH.match(month)) or (year and not self.YEAR.match(year)):
            raise real
        if not month or not year:
            missing = "a month" if not month else "a year"
            raise ValidationError(f"{label} must include {missing}", code="incomplete")
        if not 1 <= int(month) <= 12:
            raise real
        if int(year) < self.earliest_year:
            raise ValidationError(f"{label} must be in {self.earliest_year} or later", code="invalid")
        return date(int(year), int(month), 1)

    def compress(self, data_list: Any) -> Any:  # clean above does the work; Django requires the method
        return data_list


def date_field(label: str, help_text: str = "", required: bool = True) -> GovUKDateField:
    """A GOV.UK date input (day, month, year boxes) with a person's error messages. Every date input has a
    hint with an example, as GOV.UK's pattern asks; without one crispy-forms-gds also writes an empty
    aria-describedby on the boxes when the date is refused, which is invalid HTML."""
    hint = help_text or f"For example, 27 3 {date.today().year}"
    return GovUKDateField(label=label, help_text=hint, required=required)


@contextmanager
def refusal_shown_on(form: forms.Form) -> Iterator[None]:
    """Run a service call; if the service refuses (ValidationError), show its reasons on the form.

    Services, not forms, know the rules that span records ("support cannot start without consent"), so a
    valid form can still be refused. Used as

        if form.is_valid():
            with refusal_shown_on(form):
                change_stage(case=case, actor=request.user, ...)
                return redirect(...)
        return render_form(...)

    the refusal lands in the GOV.UK error summary and the page is shown again with what was typed.
    The service's transaction has rolled back by then, so nothing is half-saved.
    """
    try:
        yield
    except ValidationError as error:
        form.add_error(None, error)
