"""Changes made from the case page: move and screen the case, notes, assessments, the support
plan, actions and reviews, and the way to a panel decision. One page per change, each shaped access →
form → service → redirect; a refused change shows the service's reason on the form."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.forms.casework import (
    ActionForm,
    AssessmentForm,
    ClosingReportForm,
    MoveForm,
    NoteForm,
    ReviewOutcomeForm,
    ScheduleReviewForm,
    SupportElementForm,
)
from cases.models import Case, MeetingStatus, Stage
from cases.services import casework, reviews, stages
from lib.forms import refusal_shown_on
from lib.views import refusal_shown_as_message, render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, visible_meetings

FORM = "cases/case_form.html"


def move(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.MOVE)
    form = MoveForm(request.POST if request.method == "POST" else None, stages=stages.manual_stages(case))
    if form.is_valid():
        with refusal_shown_on(form):
            to, reason = Stage(form.cleaned_data["to"]), form.cleaned_data["reason"]
            stages.move_case(case=case, actor=request.user, to=to, reason=reason)
            messages.success(request, "The case has moved.")
            return redirect("cases:detail", reference=case.reference)
    context = {"case": case, "title": "Move the case", "back": "cases:detail", "unavailable": no_moves(case)}
    return render_form(request, FORM, context, form=form)


def screen(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The police screening decision: a move out of 'police screening' (CTSA 2015 s.36(2))."""
    case = access_case(request.user, reference, action=Capability.SCREEN)
    form = MoveForm(request.POST if request.method == "POST" else None, stages=stages.manual_stages(case))
    if form.is_valid():
        with refusal_shown_on(form):
            to, reason = Stage(form.cleaned_data["to"]), form.cleaned_data["reason"]
            stages.move_case(case=case, actor=request.user, to=to, reason=reason)
            messages.success(request, "The screening decision is recorded.")
            return redirect("cases:detail", reference=case.reference)
    title = "Record the police screening decision"
    context = {"case": case, "title": title, "back": "cases:detail", "unavailable": no_moves(case)}
    return render_form(request, FORM, context, form=form)


def no_moves(case: Case) -> str:
    """Why the move form is not offered, when no stage can be chosen on it; empty when it can be."""
    if stages.manual_stages(case):
        return ""
    return f"A case at {case.get_stage_display().lower()} cannot be moved with this form."


def add_note(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.ADD_NOTE)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            casework.add_note(
                case=case, actor=request.user, text=d["text"], visibility=d["visibility"], shared_with=d["shared_with"]
            )
            messages.success(request, "Note added.")
            return redirect("cases:chronology", reference=case.reference)
    return render_form(request, FORM, {"case": case, "title": "Add a note", "back": "cases:chronology"}, form=form)


def add_assessment(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.ASSESS)
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            casework.add_assessment(
                case=case,
                actor=request.user,
                ratings=form.ratings(),
                summary=d["summary"],
                management_plan=d["management_plan"],
                visibility=d["visibility"],
                shared_with=d["shared_with"],
            )
            messages.success(request, "Assessment added.")
            return redirect("cases:assessment", reference=case.reference)
    title = "Add a vulnerability assessment"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:assessment"}, form=form)


def decide(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """Decisions are taken at a panel meeting, where attendance is recorded: open the case's undecided
    item on an agenda the user can run, or say how to get the case onto one."""
    case = access_case(request.user, reference, action=Capability.DECIDE)
    item = (
        case.agenda_items.filter(meeting__in=visible_meetings(request.user), decision__isnull=True)
        .exclude(meeting__status__in=[MeetingStatus.APPROVED, MeetingStatus.CANCELLED])
        .select_related("meeting")
        .order_by("meeting__held_on")
        .first()
    )
    if item is not None:
        return redirect("cases:meeting_item", meeting=item.meeting.reference, item=item.reference)
    return render(request, "cases/decide.html", {"case": case})


def add_support(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    form = SupportElementForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            casework.add_support_element(case=case, actor=request.user, **form.cleaned_data)
            messages.success(request, "Support added to the plan.")
            return redirect("cases:plan", reference=case.reference)
    title = "Add support to the plan"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:plan"}, form=form)


def add_action(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    form = ActionForm(request.POST if request.method == "POST" else None, case=case)
    if form.is_valid():
        with refusal_shown_on(form):
            casework.add_action(case=case, actor=request.user, **form.cleaned_data)
            messages.success(request, "Action added.")
            return redirect("cases:actions", reference=case.reference)
    return render_form(request, FORM, {"case": case, "title": "Add an action", "back": "cases:actions"}, form=form)


@require_POST
def complete_action(request: AuthenticatedHttpRequest, reference: UUID, action: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    item = case.actions.filter(reference=action).first()
    if item is None:
        raise Http404("No such action")
    with refusal_shown_as_message(request):
        casework.complete_action(action=item, actor=request.user)
        messages.success(request, "Action marked as done.")
    return redirect("cases:actions", reference=case.reference)


def schedule_review(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    # Prefilled at the panel's review interval (cases.models.Panel).
    initial = {"due_on": reviews.default_review_on(case)}
    form = ScheduleReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        with refusal_shown_on(form):
            casework.schedule_review(case=case, actor=request.user, due_on=form.cleaned_data["due_on"])
            messages.success(request, "Review scheduled.")
            return redirect("cases:reviews", reference=case.reference)
    title = "Schedule a review"
    return render_form(request, FORM, {"case": case, "title": title, "back": "cases:reviews"}, form=form)


def complete_review(request: AuthenticatedHttpRequest, reference: UUID, review: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    item = case.reviews.filter(reference=review, completed_on__isnull=True).first()
    if item is None:
        raise Http404("No such review")
    form = ReviewOutcomeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            casework.complete_review(review=item, actor=request.user, outcome=form.cleaned_data["outcome"])
            messages.success(request, "Review completed.")
            return redirect("cases:reviews", reference=case.reference)
    # A post-exit review's form is offered once the panel's review window opens; before, the day it does.
    unavailable = reviews.not_open_yet(item, reviews.panel_of(case))
    title = f"Complete the {item.get_kind_display().lower()}"
    context = {"case": case, "title": title, "back": "cases:reviews", "unavailable": unavailable}
    return render_form(request, FORM, context, form=form)


def write_closing_report(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The closing report a case needs before it closes: offered after exit, until it is written."""
    case = access_case(request.user, reference, action=Capability.WRITE_CLOSING_REPORT)
    form = ClosingReportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            reviews.write_closing_report(case=case, actor=request.user, **form.cleaned_data)
            messages.success(request, "Closing report written.")
            return redirect("cases:reviews", reference=case.reference)
    title = "Write the closing report"
    context = {
        "case": case,
        "title": title,
        "back": "cases:reviews",
        "unavailable": reviews.closing_report_unavailable(case),
    }
    return render_form(request, FORM, context, form=form)
