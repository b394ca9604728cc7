"""Consent to support and the plan for asking it, shaped access → form → service → redirect. The consent
form offers only what the law lets the case answer (cases.forms.consent); for a child with no parent or
guardian with parental responsibility recorded, it is not offered and the page says how to add one."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from cases.forms.consent import ConsentForm, ConsentRequestForm
from cases.models import Case, RelatedPerson, SupportPlan
from cases.services import consent as consent_service
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import Capability, access_case, can

FORM = "cases/case_form.html"


def no_consent_form(user: User, case: Case, child: bool, people: list[RelatedPerson]) -> dict[str, str]:
    """Why the consent form is not offered (a child with no one recorded who may consent for them), and
    the way to put that right; empty when it is offered."""
    if not child or people:
        return {}
    name = case.subject.full_name
    reason = (
        f"{name} is under 18, so consent comes from a parent or guardian with parental responsibility, and none"
        " is recorded for this case."
    )
    if can(user, case, Capability.RELATE):
        return {
            "unavailable": f"{reason} Add them as a related person first.",
            "unavailable_link": reverse("cases:add_related", args=[case.reference]),
            "unavailable_link_text": "Add a related person",
        }
    return {"unavailable": f"{reason} A Prevent coordinator of {case.owning_agency.name} can add them."}


def consent(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.CONSENT)
    child = case.subject.age_on(timezone.localdate()) < 18
    people = list(case.related_people.with_parental_responsibility()) if child else []
    askers = consent_service.may_ask_for_consent(case).select_related("agency").order_by("last_name", "first_name")
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, case=case, child=child, people=people, askers=askers)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            consent_service.record_consent(
                case=case,
                actor=request.user,
                status=d["status"],
                consenting=form.consenting_person(),
                child_view=d.get("child_view", ""),
                capacity=d["capacity"],
                capacity_note=d["capacity_note"],
                requested_by=d["requested_by"],
                requested_on=d["requested_on"],
                method=d["method"],
                on=d["on"],
                reassessment_on=d["reassessment_on"],
            )
            messages.success(request, "Consent recorded.")
            return redirect("cases:plan", reference=case.reference)
    context = {"case": case, "title": "Record consent", "back": "cases:plan"}
    return render_form(request, FORM, {**context, **no_consent_form(request.user, case, child, people)}, form=form)


def plan_consent_request(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """How, when and by whom consent is to be asked, in the support plan (CTSA 2015 s.36(5)(a))."""
    case = access_case(request.user, reference, action=Capability.CONSENT)
    askers = consent_service.may_ask_for_consent(case).select_related("agency").order_by("last_name", "first_name")
    plan = SupportPlan.objects.filter(case=case).first()
    initial = (
        {"by": plan.consent_request_by, "how": plan.consent_request_how, "on": plan.consent_request_on}
        if plan is not None and plan.consent_request_how
        else {}
    )
    form = ConsentRequestForm(request.POST if request.method == "POST" else None, initial=initial, askers=askers)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            consent_service.plan_consent_request(case=case, actor=request.user, by=d["by"], how=d["how"], on=d["on"])
            messages.success(request, "The plan for asking consent is saved.")
            return redirect("cases:plan", reference=case.reference)
    title = "Plan how consent is asked"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:plan"}, form=form)
