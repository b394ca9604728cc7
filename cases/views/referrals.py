"""Logging a referral. When earlier subjects match, the coordinator is asked whether it is the same
person, and sees earlier cases' outcomes only where sharing allows (the rest are counted, not shown).
The form is kept as a draft on the server while it is typed (cases/views/drafts.py), and a referral
whose session ended comes back as that draft after signing in again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from audit import services as audit
from cases.forms.referrals import ReferralForm, initial_from_draft
from cases.models import Case, ReferralDraft, Subject
from cases.services import drafts, referrals
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners import sessions
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import Capability, access_case, can, earlier_cases, may_update_subject, require
from sharing.drafts import access_referral_draft, own_referral_draft


def new_referral(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log a referral. If earlier subjects match, the coordinator is asked whether it is the same person,
    and sees earlier cases' outcomes only where sharing allows. `?draft=` opens the author's own draft."""
    require(request.user, Capability.CREATE_REFERRAL)
    user = request.user
    draft = _draft(request)
    matches = _matches(request)
    initial = initial_from_draft(draft.fields) if draft is not None and request.method == "GET" else None
    form = ReferralForm(
        request.POST if request.method == "POST" else None, matches=matches, initial=initial, council=user.agency
    )
    if form.is_valid():
        choice = form.cleaned_data.get("link_subject", "")
        existing = next((s for s in matches if str(s.reference) == choice), None)
        with refusal_shown_on(form):
            case = referrals.create_referral(
                actor=user,
                owning_agency=user.agency,
                subject_fields=form.subject_fields(),
                referral_fields=form.referral_fields(),
                existing_subject=existing,
                update_subject=existing is not None and may_update_subject(user, existing),
                draft=draft,
                area_override=form.area_override,
            )
            return redirect("cases:referral_logged", reference=case.reference)
    if request.method == "GET":
        _say_why_signed_out(request, draft)
    context = {
        "earlier": _earlier_cases(user, matches) if matches else {},
        "draft": draft,
        "other_drafts": _other_drafts(user, draft),
        "draft_days": settings.REFERRAL_DRAFT_DAYS,
        "draft_every": settings.REFERRAL_DRAFT_SAVE_SECONDS,
    }
    return render_form(request, "cases/new_referral.html", context, form=form)


def referral_logged(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The confirmation page (GOV.UK confirmation pattern): the case number, and what happens next."""
    case = access_case(request.user, reference)
    return render(
        request,
        "cases/referral_logged.html",
        {
            "case": case,
            "immediate_risk": case.referral.immediate_risk,
            # The areas came from the postcode (or were chosen): said here, so a wrong one is caught now.
            "outside_area": case.subject.local_authority_area != case.owning_agency.local_authority_area,
            "can_move": can(request.user, case, Capability.MOVE),
            "screening_days": settings.SCREENING_WAIT_DAYS,
        },
    )


def _draft(request: AuthenticatedHttpRequest) -> ReferralDraft | None:
    """The draft this page works on: opened (and recorded) by `?draft=` on a GET; on a POST the author's
    own, if it still exists (a referral is logged even if its draft has expired meanwhile)."""
    reference = request.GET.get("draft", "")
    if request.method == "POST":
        return own_referral_draft(request.user, request.POST.get("draft") or reference)
    return access_referral_draft(request.user, reference, event="referral_draft.opened") if reference else None


def _say_why_signed_out(request: AuthenticatedHttpRequest, draft: ReferralDraft | None) -> None:
    """After a session ended mid-referral, the author signs in again and lands here: say why, and where
    the referral is (its draft, if the page had saved one before the session ended)."""
    reason = sessions.signed_out_reason(request)
    if reason is None:
        return
    why = (
        f"after {sessions.in_words(settings.SESSION_IDLE_SECONDS)} without activity"
        if reason == "idle"
        else f"{settings.SESSION_ABSOLUTE_SECONDS // 3600} hours after signing in"
    )
    where = (
        "Your referral was saved as a draft: check it, then log it."
        if draft is not None
        else "Anything saved as a draft is listed on this page."
    )
    messages.info(request, f"You were signed out {why}. {where}")


def _other_drafts(user: User, current: ReferralDraft | None) -> list[ReferralDraft]:
    """The author's drafts, listed on the page so they can carry on or discard one; the list is recorded
    by reference (never by what was typed)."""
    mine = [d for d in drafts.drafts_of(user) if current is None or d.pk != current.pk]
    if mine:
        audit.record_list(
            actor=user,
            event="referral_draft.listed",
            model=ReferralDraft,
            references=[str(d.reference) for d in mine],
            filters={},
        )
    return mine


def _matches(request: AuthenticatedHttpRequest) -> list[Subject]:
    """Earlier subjects who may be the person being referred, once the person's details are valid."""
    probe = ReferralForm(request.POST if request.method == "POST" else None)
    if not probe.is_valid():
        return []
    return referrals.matching_subjects(
        first_name=probe.cleaned_data["first_name"],
        last_name=probe.cleaned_data["last_name"],
        date_of_birth=probe.cleaned_data["date_of_birth"],
        postcode=probe.cleaned_data["postcode"],
    )


def _earlier_cases(user: User, subjects: list[Subject]) -> dict[str, Any]:
    visible, hidden = earlier_cases(user, subjects=subjects)
    audit.record_list(
        actor=user,
        event="case.repeat_match",
        model=Case,
        references=[c.number for c in visible],
        filters={"hidden_earlier_cases": hidden},
    )
    return {"visible": visible, "hidden": hidden}
