"""GOV.UK form pieces shared by every app's forms, and the one way a refused service call reaches the
person as a form error."""

from __future__ import annotations

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
