"""The correction forms: each prefilled with the record's current values, with a required reason; and the
form that chooses who to tell of a correction (UK GDPR Art 19)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from cases.forms.casework import ActionForm, SupportElementForm
from cases.forms.referrals import ReferralForm
from cases.models import CORRECTABLE_FIELDS, CorrectedRecord
from lib.forms import GovUKFormMixin, date_field


class CorrectionForm(GovUKFormMixin, forms.Form):
    """The reason every correction needs; `changes()` is what the form says the record should now be."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is this being corrected?",
        help_text="Recorded in the case chronology with your name. The earlier values are kept.",
        error_messages={"required": "Say why this is being corrected"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = self.fields.pop("reason")  # last, after the record's own fields

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


def current_values(record: Any, kind: CorrectedRecord) -> dict[str, Any]:
    """A correction form's starting point: the record as it is now."""
    values = {name: getattr(record, name) for name in CORRECTABLE_FIELDS[kind]}
    if "immediate_risk" in values:
        values["immediate_risk"] = "yes" if values["immediate_risk"] else "no"
    return values


class _FromReferralForm(CorrectionForm):
    """The referral form's own fields (labels, limits, messages, current reference lists), before the reason."""

    kind: CorrectedRecord

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list(CORRECTABLE_FIELDS[self.kind])
        source = ReferralForm()
        for name in names:
            self.fields[name] = copy.deepcopy(source.fields[name])
        self.order_fields([*names, "reason"])


class SubjectCorrectionForm(_FromReferralForm):
    kind = CorrectedRecord.SUBJECT


class ReferralCorrectionForm(_FromReferralForm):
    kind = CorrectedRecord.REFERRAL

    def changes(self) -> dict[str, Any]:
        found = super().changes()
        found["immediate_risk"] = found["immediate_risk"] == "yes"
        return found


class ActionCorrectionForm(ActionForm, CorrectionForm):
    pass


class SupportCorrectionForm(SupportElementForm, CorrectionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The type of support stays: different support is a new element of the plan.
        del self.fields["support_type"]


class ReviewCorrectionForm(CorrectionForm):
    due_on = date_field("Review date")
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Outcome of the review")

    def __init__(self, *args: Any, completed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not completed:
            # A review not yet done has no outcome to correct: completing it records one.
            del self.fields["outcome"]
        self.order_fields(["due_on", "outcome", "reason"])


class TellForm(GovUKFormMixin, forms.Form):
    """Who to tell of a correction, from those the case was disclosed to (sharing.disclosures)."""

    recipients = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Who should be told?",
        help_text="Each is emailed that case's number and asked to sign in; nothing else about the person.",
        error_messages={"required": "Choose who to tell of the correction"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = choices  # type: ignore[attr-defined]
