"""GOV.UK form rendering shared by every app's forms."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper


class GovUKFormMixin:
    """Renders with crispy-forms-gds inside the page's own <form> tag, with the GOV.UK error summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Templates add {% csrf_token %} to POST forms themselves; a GET form must never carry the token.
        self.helper.disable_csrf = True
