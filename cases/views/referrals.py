"""Logging a referral. When earlier subjects match, the coordinator is asked whether it is the same
person, and sees earlier cases' outcomes only where sharing allows (the rest are counted, not shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from audit import services as audit
from cases.forms.referrals import ReferralForm
from cases.models import Case, Subject
from cases.services import referrals
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import Capability, earlier_cases, may_update_subject, require


def new_referral(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log a referral. If earlier subjects match, the coordinator is asked whether it is the same person,
    and sees earlier cases' outcomes only where sharing allows."""
    require(request.user, Capability.CREATE_REFERRAL)
    user = request.user
    matches = _matches(request)
    form = ReferralForm(request.POST if request.method == "POST" else None, matches=matches)
    if form.is_valid():
        choice = form.cleaned_data.get("link_subject", "")
        existing = next((s for s in matches if str(s.reference) == choice), None)
        with refusal_shown_on(form):
            case = referrals.create_referral(
                actor=user,
                owning_agency=user.agency,
                subject_fields=form.subject_fields() | {"local_authority_area": user.agency.local_authority_area},
                referral_fields=form.referral_fields(),
                existing_subject=existing,
                update_subject=existing is not None and may_update_subject(user, existing),
            )
            messages.success(request, f"Referral logged as {case.number}.")
            return redirect("cases:detail", reference=case.reference)
    earlier = _earlier_cases(user, matches) if matches else {}
    return render_form(request, "cases/new_referral.html", {"earlier": earlier}, form=form)


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
