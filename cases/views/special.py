"""The sensitive details (special-category data) and escalation to the police, from the case page.
Each page goes through the gate: access_case for the case, sharing.special for the sensitive details
(which records every look); each change through its service."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from audit import services as audit
from cases.forms.special import AcknowledgeForm, EscalateForm, SpecialCategoryForm
from cases.models import Case, Escalation
from cases.services import escalations, special
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, require, visible_cases
from sharing.special import access_special_category


def record_special_category(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.RECORD_SPECIAL_CATEGORY)
    # The form shows the details as they are: a look at them, recorded like any other.
    details = access_special_category(request.user, case)
    form = SpecialCategoryForm(request.POST if request.method == "POST" else None, details=details)
    if form.is_valid():
        with refusal_shown_on(form):
            reason = form.cleaned_data.get("reason", "")
            special.record_special_category(case=case, actor=request.user, values=form.values(), reason=reason)
            messages.success(request, "The sensitive details are saved.")
            return redirect("cases:sensitive", reference=case.reference)
    title = "Change the sensitive details" if details else "Record the sensitive details"
    context = {"case": case, "title": title, "back": "cases:sensitive"}
    return render_form(request, "cases/case_form.html", context, form=form)


def escalate(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.ESCALATE)
    form = EscalateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            escalations.escalate_to_police(case=case, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "The case is escalated. The police for the person's area have been told.")
            return redirect("cases:detail", reference=case.reference)
    return render_form(request, "cases/escalate.html", {"case": case}, form=form)


def _escalation_of(case: Case, escalation_reference: UUID) -> Escalation:
    """One of this case's escalations; another case's is as missing as one that does not exist."""
    found = case.escalations.select_related("actor__agency", "acknowledged_by__agency")
    escalation = found.filter(reference=escalation_reference).first()
    if escalation is None:
        raise Http404("No such escalation")
    return escalation


def acknowledge_escalation(request: AuthenticatedHttpRequest, reference: UUID, escalation: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.ACKNOWLEDGE_ESCALATION)
    item = _escalation_of(case, escalation)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            escalations.acknowledge_escalation(escalation=item, actor=request.user)
            messages.success(request, "The escalation is acknowledged.")
            return redirect("cases:detail", reference=case.reference)
    return render_form(request, "cases/acknowledge_escalation.html", {"case": case, "item": item}, form=form)


def escalations_waiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Escalations the police for the subject's area have still to acknowledge: the list "Things to do"
    counts (sharing.todo)."""
    require(request.user, Capability.ACKNOWLEDGE_ESCALATION)
    waiting = Escalation.objects.filter(
        acknowledged_at__isnull=True,
        case__in=visible_cases(request.user, action=Capability.ACKNOWLEDGE_ESCALATION),
    ).select_related("case__owning_agency")
    rows = list(waiting.order_by("at", "id"))
    audit.record_list(
        actor=request.user,
        event="case.escalations_listed",
        model=Escalation,
        references=[e.case.number for e in rows],
        filters={},
    )
    return render(request, "cases/escalations.html", {"rows": rows})
