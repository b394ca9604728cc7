"""Changing a planned meeting: reschedule, cancel, a new chair. Reached through sharing.access
(access_meeting with ORGANISE_MEETING); each page offers its form only when the change can succeed, and
says why not otherwise (cases.services.meeting_changes.change_problems)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from cases.forms.meeting_changes import CancelForm, ChairForm, RescheduleForm
from cases.services import meeting_changes
from lib.forms import refusal_shown_on
from lib.views import render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_meeting

FORM = "cases/meeting_form.html"


def reschedule(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    context = {"title": "Reschedule the meeting", "meeting": found, "button": "Reschedule"}
    problems = meeting_changes.change_problems(found)
    if problems:
        return render_form(request, FORM, {**context, "problems": problems})
    initial = {"held_on": found.held_on, "starts_at": found.starts_at, "place": found.place}
    form = RescheduleForm(
        request.POST if request.method == "POST" else None, agency=found.owning_agency, initial=initial
    )
    if form.is_valid():
        with refusal_shown_on(form):
            meeting_changes.reschedule_meeting(meeting=found, actor=request.user, **form.cleaned_data)
            messages.success(request, "Meeting rescheduled. Invitees have been emailed the new date.")
            return redirect("cases:meeting", meeting=found.reference)
    warning = "Invitees are emailed the new date. Their access to their cases ends a set time after the new start."
    return render_form(request, FORM, {**context, "warning": warning}, form=form)


def cancel(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    context = {"title": "Cancel the meeting", "meeting": found, "button": "Cancel the meeting"}
    problems = meeting_changes.change_problems(found)
    if problems:
        return render_form(request, FORM, {**context, "problems": problems})
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            meeting_changes.cancel_meeting(meeting=found, actor=request.user, **form.cleaned_data)
            messages.success(
                request, "Meeting cancelled. Invitees have been told, and its cases can go on another agenda."
            )
            return redirect("cases:meeting", meeting=found.reference)
    warning = (
        "Cancelling cannot be undone. Anyone invited for a case stops seeing it at once, and invitees are emailed."
    )
    return render_form(request, FORM, {**context, "warning": warning}, form=form)


def change_chair(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    context = {"title": "Change the chair", "meeting": found, "button": "Change the chair"}
    people = meeting_changes.chair_candidates(found)
    problems = meeting_changes.chair_problems(found, people)
    if problems:
        return render_form(request, FORM, {**context, "problems": problems})
    form = ChairForm(request.POST if request.method == "POST" else None, people=people)
    if form.is_valid():
        with refusal_shown_on(form):
            meeting_changes.change_chair(meeting=found, actor=request.user, **form.cleaned_data)
            messages.success(request, "Chair changed. The new chair can run the meeting.")
            return redirect("cases:meeting", meeting=found.reference)
    return render_form(request, FORM, context, form=form)
