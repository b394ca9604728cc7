"""Support as delivered, from the support plan tab: a provider records the sessions of their own support;
the owner revises, ends or withdraws an element (each with a reason) and reads its history of changes.
Each page is shaped access → form → service → redirect; a form is offered only when it can succeed."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from cases.forms.support import ReviseSupportForm, SessionForm, StopSupportForm
from cases.models import Case, SupportChange, SupportElement, SupportStatus
from cases.services import support
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, may_record_session, visible_support_elements

FORM = "cases/case_form.html"


def _element(request: AuthenticatedHttpRequest, case: Case, reference: UUID) -> SupportElement:
    """An element of the case the user may see (a provider: only their own current support); else 404."""
    found = visible_support_elements(request.user, case).filter(reference=reference)
    element = found.select_related("support_type", "provider", "provider_user", "plan__case").first()
    if element is None:
        raise Http404("No such support")
    return element


def _unavailable(element: SupportElement) -> str:
    if element.status != SupportStatus.ACTIVE:
        return f"This support was {element.get_status_display().lower()} on {element.ended_on:%-d %B %Y}."
    return ""


def _context(case: Case, element: SupportElement, title: str) -> dict[str, object]:
    label = element.support_type.label
    return {
        "case": case,
        "title": f"{title}: {label.lower()}",
        "back": "cases:plan",
        "unavailable": _unavailable(element),
    }


def record_session(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.RECORD_SESSION)
    found = _element(request, case, element)
    form = SessionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            support.record_session(element=found, actor=request.user, **form.session())
            messages.success(request, "Session recorded.")
            return redirect("cases:plan", reference=case.reference)
    context = _context(case, found, "Record a session")
    if not context["unavailable"] and not may_record_session(request.user, found):
        context["unavailable"] = (
            "Only the named provider of this support, or the owning council's coordinators, record its sessions."
        )
    return render_form(request, FORM, context, form=form)


def revise(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    """The plan changed (not a mistake in the record: that is a correction, which keeps no version)."""
    case = access_case(request.user, reference, action=Capability.PLAN)
    found = _element(request, case, element)
    initial = {name: getattr(found, name) for name in support.REVISABLE}
    form = ReviseSupportForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        with refusal_shown_on(form):
            support.revise_support(element=found, actor=request.user, **form.cleaned_data)
            messages.success(request, "Support revised. The earlier version is kept in its history.")
            return redirect("cases:plan", reference=case.reference)
    return render_form(request, FORM, _context(case, found, "Revise the support"), form=form)


def _stop(request: AuthenticatedHttpRequest, reference: UUID, element: UUID, change: SupportChange) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    found = _element(request, case, element)
    form = StopSupportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            support.stop_support(element=found, actor=request.user, change=change, reason=d["reason"], on=d["on"])
            messages.success(request, f"Support {change.label.lower()}.")
            return redirect("cases:plan", reference=case.reference)
    title = "End the support" if change == SupportChange.ENDED else "Withdraw the support"
    return render_form(request, FORM, _context(case, found, title), form=form)


def end(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    return _stop(request, reference, element, SupportChange.ENDED)


def withdraw(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    return _stop(request, reference, element, SupportChange.WITHDRAWN)


def history(request: AuthenticatedHttpRequest, reference: UUID, element: UUID) -> HttpResponse:
    """The element's versions: the values before each revision, ending or withdrawal, with the reason."""
    case = access_case(request.user, reference, action=Capability.VIEW_FULL, purpose="support history")
    found = _element(request, case, element)
    versions = found.versions.select_related("actor__agency", "support_type", "provider", "provider_user")
    return render(request, "cases/support_history.html", {"case": case, "element": found, "versions": list(versions)})
