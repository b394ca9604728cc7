"""Adding, changing and ending the people related to the person a case is about (Capability.RELATE: the
owning council's Prevent coordinators). The list is the case page's "Related people" tab
(case_page.related), seen wherever the whole case is."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from cases.forms.related import ChangeRelatedPersonForm, EndRelatedPersonForm, RelatedPersonForm
from cases.models import Case, RelatedPerson, Relationship
from cases.services import related as related_service
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case

FORM = "cases/case_form.html"


def _current_person(case: Case, person: UUID) -> RelatedPerson:
    """A related person of this case still connected to it; any other reference is a 404."""
    found = RelatedPerson.objects.current().filter(case=case, reference=person).first()
    if found is None:
        raise Http404("No such related person")
    return found


def add_related(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.RELATE)
    form = RelatedPersonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            related_service.add_related_person(
                case=case, actor=request.user, **{**d, "relationship": Relationship(d["relationship"])}
            )
            messages.success(request, "Related person added.")
            return redirect("cases:related", reference=case.reference)
    title = "Add a related person"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:related"}, form=form)


def change_related(request: AuthenticatedHttpRequest, reference: UUID, person: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.RELATE)
    found = _current_person(case, person)
    initial = {
        "name": found.name,
        "relationship": found.relationship,
        "relationship_other": found.relationship_other,
        "parental_responsibility": "yes" if found.parental_responsibility else "no",
        "contact_details": found.contact_details,
        "notes": found.notes,
    }
    form = ChangeRelatedPersonForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            related_service.change_related_person(
                person=found, actor=request.user, **{**d, "relationship": Relationship(d["relationship"])}
            )
            messages.success(request, "Related person changed.")
            return redirect("cases:related", reference=case.reference)
    title = f"Change the details of {found.name}"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:related"}, form=form)


def end_related(request: AuthenticatedHttpRequest, reference: UUID, person: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.RELATE)
    found = _current_person(case, person)
    form = EndRelatedPersonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            related_service.end_related_person(person=found, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"{found.name} is recorded as no longer connected to the case.")
            return redirect("cases:related", reference=case.reference)
    title = f"{found.name} is no longer connected to the case"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:related"}, form=form)
