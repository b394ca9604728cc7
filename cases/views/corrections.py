"""Corrections from the case page (UK GDPR Art 16): one page per kind of record, each prefilled with the
record as it is and asking why; then the page that tells those the case was disclosed to (Art 19); and a
record's history of corrections, for the owner. Shaped access → form → service → redirect; a refused
correction shows the service's reason in the error summary with everything typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from cases.forms.corrections import (
    ActionCorrectionForm,
    CorrectionForm,
    ReferralCorrectionForm,
    ReviewCorrectionForm,
    SubjectCorrectionForm,
    SupportCorrectionForm,
    TellForm,
    current_values,
)
from cases.models import Case, CorrectedRecord, Correction
from cases.services import areas, corrections
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, visible_support_elements
from sharing.disclosures import disclosed_to

FORM = "cases/case_form.html"
Save = Callable[[dict[str, Any], str], Correction]


def _sent(request: AuthenticatedHttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _correction_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: CorrectionForm,
    *,
    title: str,
    back: str,
    save: Save,
    unavailable: str = "",
) -> HttpResponse:
    """The shape every correction page shares; a saved correction goes on to who should be told of it."""
    if form.is_valid():
        with refusal_shown_on(form):
            correction = save(form.changes(), form.cleaned_data["reason"])
            messages.success(request, "The correction is saved. The earlier values are kept in its history.")
            return redirect("cases:tell", reference=case.reference, correction=correction.reference)
    context = {"case": case, "title": title, "back": back, "unavailable": unavailable}
    return render_form(request, FORM, context, form=form)


def correct_subject(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CORRECT)
    form = SubjectCorrectionForm(_sent(request), initial=current_values(case.subject, CorrectedRecord.SUBJECT))

    def save(changes: dict[str, Any], reason: str) -> Correction:
        return corrections.correct_subject(case=case, actor=request.user, changes=changes, reason=reason)

    title, problem = "Correct the person's details", areas.subject_shared_with_another_council(case)
    return _correction_page(request, case, form, title=title, back="cases:detail", save=save, unavailable=problem)


def correct_referral(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CORRECT)
    form = ReferralCorrectionForm(_sent(request), initial=current_values(case.referral, CorrectedRecord.REFERRAL))

    def save(changes: dict[str, Any], reason: str) -> Correction:
        return corrections.correct_referral(case=case, actor=request.user, changes=changes, reason=reason)

    return _correction_page(request, case, form, title="Correct the referral", back="cases:detail", save=save)


def _found(record: models.Model | None) -> Any:
    if record is None:
        raise Http404("No such record")
    return record


def correct_action(request: AuthenticatedHttpRequest, reference: UUID, action: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CORRECT)
    item = _found(case.actions.filter(reference=action).first())
    form = ActionCorrectionForm(_sent(request), initial=current_values(item, CorrectedRecord.ACTION), case=case)

    def save(changes: dict[str, Any], reason: str) -> Correction:
        return corrections.correct_action(case=case, action=item, actor=request.user, changes=changes, reason=reason)

    return _correction_page(request, case, form, title="Correct the action", back="cases:actions", save=save)


def correct_review(request: AuthenticatedHttpRequest, reference: UUID, review: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CORRECT)
    item = _found(case.reviews.filter(reference=review).first())
    initial = current_values(item, CorrectedRecord.REVIEW)
    form = ReviewCorrectionForm(_sent(request), initial=initial, completed=item.completed_on is not None)

    def save(changes: dict[str, Any], reason: str) -> Correction:
        return corrections.correct_review(case=case, review=item, actor=request.user, changes=changes, reason=reason)

    title = f"Correct the {item.get_kind_display().lower()}"
    return _correction_page(request, case, form, title=title, back="cases:reviews", save=save)


def correct_support(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CORRECT)
    item = _found(visible_support_elements(request.user, case).filter(reference=element).first())
    form = SupportCorrectionForm(_sent(request), initial=current_values(item, CorrectedRecord.SUPPORT_ELEMENT))

    def save(changes: dict[str, Any], reason: str) -> Correction:
        return corrections.correct_support_element(
            case=case, element=item, actor=request.user, changes=changes, reason=reason
        )

    title = f"Correct the support: {item.support_type.label.lower()}"
    return _correction_page(request, case, form, title=title, back="cases:plan", save=save)


def tell(request: AuthenticatedHttpRequest, reference: UUID, correction: UUID) -> HttpResponse:
    """UK GDPR Art 19: everyone the case was disclosed to, of whom the coordinator chooses who to tell."""
    case = access_case(request.user, reference, action=Capability.CORRECT)
    found = _found(case.corrections.filter(reference=correction).first())
    recipients = disclosed_to(case)
    choices = [(r.key, f"{r.name}: {'; '.join(r.why)}") for r in recipients]
    form = TellForm(_sent(request), choices=choices)
    if form.is_valid():
        with refusal_shown_on(form):
            told = corrections.notify_correction(
                correction=found, actor=request.user, recipients=form.cleaned_data["recipients"]
            )
            messages.success(request, f"{told} told of the correction.")
            return redirect("cases:chronology", reference=case.reference)
    context = {"case": case, "correction": found, "recipients": recipients}
    return render_form(request, "cases/correction_tell.html", context, form=form)


def _record(request: AuthenticatedHttpRequest, case: Case, kind: str, record: UUID) -> Any:
    """The record of this case a history is about; 404 for another case's or a missing one."""
    if kind == CorrectedRecord.SUBJECT:
        return case.subject if case.subject.reference == record else None
    if kind == CorrectedRecord.REFERRAL:
        return case.referral if case.reference == record else None
    if kind == CorrectedRecord.ACTION:
        return case.actions.filter(reference=record).first()
    if kind == CorrectedRecord.REVIEW:
        return case.reviews.filter(reference=record).first()
    if kind == CorrectedRecord.SUPPORT_ELEMENT:
        return visible_support_elements(request.user, case).filter(reference=record).first()
    return None


def history(request: AuthenticatedHttpRequest, reference: UUID, kind: str, record: UUID) -> HttpResponse:
    """A record's corrections with the values they replaced, newest first: for the owning council."""
    case = access_case(request.user, reference, action=Capability.CORRECTION_HISTORY, purpose="history of corrections")
    _found(_record(request, case, kind, record))
    found = corrections.corrections_of(case, CorrectedRecord(kind), record).reverse()
    rows = [(correction, corrections.earlier_in_words(correction)) for correction in found]
    context = {"case": case, "kind": CorrectedRecord(kind), "rows": rows}
    return render(request, "cases/correction_history.html", context)
