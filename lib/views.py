"""The shape every form page shares: shown with 200, shown again with 400 when what was sent is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: forms.Form | None = None
) -> HttpResponse:
    """Render a form page. A form sent and refused (invalid, or refused by the service) answers 400, so
    scripts, tests and assistive tools can tell "try again" from "here is the page"."""
    form = form if form is not None else context.get("form")
    refused = request.method == "POST" and form is not None and form.is_bound and bool(form.errors)
    response = render(request, template, {**context, "form": form}, status=400 if refused else 200)
    # Read by the audit log's safety net: a form sent back with what was typed, nothing read or changed.
    response.form_sent_back = refused  # type: ignore[attr-defined]
    return response


@contextmanager
def refusal_shown_as_message(request: HttpRequest) -> Iterator[None]:
    """For a button with no form (mark an action done, remove an agenda item): a refused service call
    becomes an error banner on the page the person is sent back to, instead of a form error."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
