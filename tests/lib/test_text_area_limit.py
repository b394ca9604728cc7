"""Every text area in every form has a maximum length, with a GOV.UK error message, and a note longer
than it is refused with what was typed still there (issue 14 finding 12c)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from django import forms

from audit.models import AuditEntry
from cases.models import CaseNote, DecisionOutcome
from lib.forms import TEXT_MAX_LENGTH, GovUKFormMixin
from tests.base import BaseTestCase
from tests.factories import make_case

FORM_MODULES = (
    "cases.forms.casework",
    "cases.forms.meetings",
    "cases.forms.referrals",
    "sharing.forms",
    "audit.forms",
)


class TextAreaLimitTestCase(BaseTestCase):
    def test_every_text_area_has_a_maximum(self) -> None:
        checked = 0
        for module_name in FORM_MODULES:
            module = importlib.import_module(module_name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, GovUKFormMixin) or not issubclass(cls, forms.BaseForm):
                    continue
                declared: dict[str, forms.Field] = getattr(cls, "base_fields", {})
                for field_name, field in declared.items():
                    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                        checked += 1
                        with self.subTest(form=name, field=field_name):
                            form = self.instance(cls)
                            self.assertIsNotNone(getattr(form.fields[field_name], "max_length", None))
        self.assertGreater(checked, 15)

    def instance(self, cls: Any) -> forms.BaseForm:
        try:
            return cls()
        except TypeError:
            # Forms that need the case or the meeting they are for take keyword arguments.
            params = inspect.signature(cls).parameters
            # Every choice where a form asks only the questions its choices need (the decision form asks
            # the s.36(6) questions only when "Do not adopt" is offered).
            widest: dict[str, Any] = {"outcomes": list(DecisionOutcome)}
            kwargs: dict[str, Any] = {
                n: widest.get(n, []) for n, p in params.items() if p.kind is p.KEYWORD_ONLY and p.default is p.empty
            }
            return cls(**kwargs)

    def test_a_note_longer_than_the_maximum_is_refused_and_kept(self) -> None:
        case = make_case(owner=self.casey, first_name="Juniper", last_name="Longnote")
        self.client.force_login(self.casey)
        text = "A" * (TEXT_MAX_LENGTH + 1)
        response = self.client.post(f"/cases/{case.reference}/notes/new/", {"text": text, "visibility": "everyone"})
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertContains(response, f"Note must be {TEXT_MAX_LENGTH:,} characters or fewer", status_code=400)
        self.assertContains(response, text, status_code=400)
        self.assertFalse(CaseNote.objects.filter(case=case).exists())
        self.assertTrue(AuditEntry.objects.filter(case_reference=case.number).exists())
