"""Changing where the person lives, for the owning council's coordinators: a new address (the areas are
worked out again from its postcode) or an override of the areas with a reason. Either may move the case
to another force's police at once; the page says who lost sight of it."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from cases.forms.areas import AddressForm, OverrideAreaForm
from cases.models import AreaChange, Case
from cases.services import areas
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case

TEMPLATE = "cases/change_area.html"


def change_address(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CHANGE_AREA)
    subject = case.subject
    initial = {"address": subject.address, "postcode": subject.postcode}
    form = AddressForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            change = areas.change_address(
                case=case, actor=request.user, address=d["address"], postcode=d["postcode"], reason=d["reason"]
            )
            return _done(request, case, change)
    context = {"case": case, "title": "Change the address", "other": ("cases:override_area", "Override the area")}
    context["unavailable"] = areas.subject_shared_with_another_council(case)
    return render_form(request, TEMPLATE, context, form=form)


def override_area(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CHANGE_AREA)
    subject = case.subject
    initial = {"local_authority_area": subject.local_authority_area, "police_force_area": subject.police_force_area}
    form = OverrideAreaForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            change = areas.override_area(
                case=case,
                actor=request.user,
                local_authority_area=d["local_authority_area"],
                police_force_area=d["police_force_area"],
                reason=d["reason"],
            )
            return _done(request, case, change)
    context = {"case": case, "title": "Override the area", "other": ("cases:change_address", "Change the address")}
    context["unavailable"] = areas.subject_shared_with_another_council(case)
    return render_form(request, TEMPLATE, context, form=form)


def _done(request: AuthenticatedHttpRequest, case: Case, change: AreaChange) -> HttpResponse:
    said = [
        f"The person's details are changed: {change.new_local_authority_area} council area, "
        f"{change.new_police_force_area} police force area."
    ]
    if change.lost_access:
        said.append(f"No longer able to see the case: {', '.join(change.lost_access)}.")
    messages.success(request, " ".join(said))
    return redirect("cases:detail", reference=case.reference)
