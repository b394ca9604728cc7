"""GOV.UK form rendering shared by every app's forms."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
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
