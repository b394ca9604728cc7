"""Panel meetings: the list, planning a meeting, its page, building the agenda, invitations, circulation
and attendance. Meetings are reached through sharing.access.access_meeting, which records the access;
the list records which meetings it showed, and the meeting page writes an entry for each agenda case it
shows, so it is in that case's access history."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import services as audit
from cases.forms.meetings import AgendaForm, AttendanceForm, InvitationForm, MeetingForm
from cases.models import AgendaItem, MeetingChangeKind, PanelMeeting
from cases.services import decisions, meeting_changes, meetings, sittings
from lib.forms import refusal_shown_on
from lib.views import refusal_shown_as_message, render_form
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import (
    Capability,
    access_meeting,
    can_do,
    can_meeting,
    require,
    visible_agenda,
    visible_cases,
    visible_meetings,
)

FORM = "cases/meeting_form.html"


def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEETING)
    found = list(visible_meetings(request.user).select_related("chair").order_by("-held_on", "-starts_at"))
    audit.record_list(
        actor=request.user,
        event="meeting.listed",
        model=PanelMeeting,
        references=[str(m.reference) for m in found],
        filters={},
    )
    return render(
        request,
        "cases/meetings.html",
        {
            "upcoming": [m for m in found if m.is_open],
            "past": [m for m in found if not m.is_open],
            "can_organise": can_do(request.user, Capability.ORGANISE_MEETING),
        },
    )


def new_meeting(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, Capability.ORGANISE_MEETING)
    form = MeetingForm(request.POST if request.method == "POST" else None, agency=request.user.agency)
    if form.is_valid():
        with refusal_shown_on(form):
            meeting = meetings.create_meeting(actor=request.user, **form.cleaned_data)
            messages.success(request, "Meeting planned. Now build its agenda.")
            return redirect("cases:meeting", meeting=meeting.reference)
    return render_form(request, FORM, {"title": "Plan a panel meeting"}, form=form)


def meeting_detail(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting)
    user = request.user
    items = list(visible_agenda(user, found).select_related("decision"))
    organiser = can_meeting(user, found, Capability.ORGANISE_MEETING)
    record_cases_shown(user, found, items, event="meeting.agenda_viewed")
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": found,
            "items": items,
            "hidden_items": found.items.count() - len(items),
            "invitations": list(found.invitations.select_related("agency", "user__agency").prefetch_related("cases"))
            if organiser
            else [],
            "on_agenda": set(found.items.values_list("case_id", flat=True)) if organiser else set(),
            "attendance": list(found.attendance.select_related("user__agency")),
            "can_organise": organiser and found.is_open,
            "can_chair": can_meeting(user, found, Capability.CHAIR_MEETING) and found.is_open,
            # Moving or cancelling is offered only before the start; a new chair until the minutes.
            "can_change": organiser and not meeting_changes.change_problems(found),
            # The cancellation is shown once, beside the status; the list holds the changes before it.
            "changes": list(found.changes.exclude(kind=MeetingChangeKind.CANCELLED).select_related("previous_chair"))
            if organiser
            else [],
            "cancellation": found.changes.filter(kind=MeetingChangeKind.CANCELLED).last()
            if found.is_cancelled
            else None,
            "quorum_rule": decisions.panel_rule_in_words(decisions.council_panel(found)),
            # Attendance and decisions are refused before the start (cases.services.sittings): the page
            # offers running the meeting only from then, and says when before it.
            "started": sittings.has_started(found),
            "starts_in_words": sittings.start_in_words(found),
        },
    )


def record_cases_shown(actor: User, found: PanelMeeting, items: list[AgendaItem], *, event: str) -> None:
    """One entry per case shown, carrying its case reference: a case's access history is its entries by
    case reference, so a list entry alone would hide who read its agenda entry or its minutes."""
    for item in items:
        audit.record(
            event=event,
            actor=actor,
            obj=item.case,
            case_reference=item.case.number,
            detail={"meeting": str(found.reference)},
        )


def item_on_agenda(found: PanelMeeting, reference: UUID) -> AgendaItem:
    """An item of this meeting's agenda, or 404: an item reference of another meeting is not found here."""
    item = found.items.select_related("case__subject").filter(reference=reference).first()
    if item is None:
        raise Http404("No such agenda item")
    return item


def build_agenda(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    """Cases for the panel, from the dashboard's lists of the viewer's own cases, added to the agenda."""
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    groups = meetings.agenda_candidates(cases=visible_cases(request.user, action=Capability.MOVE), meeting=found)
    candidates = {str(case.reference): case for _, listed in groups for case in listed}
    form = AgendaForm(request.POST if request.method == "POST" else None, candidates=list(candidates.values()))
    if form.is_valid():
        chosen = [candidates[key] for key in form.cleaned_data["cases"]]
        with refusal_shown_on(form):
            meetings.add_to_agenda(meeting=found, actor=request.user, cases=chosen)
            messages.success(request, f"{len(chosen)} case{'s' if len(chosen) != 1 else ''} added to the agenda.")
            return redirect("cases:meeting", meeting=found.reference)
    return render_form(request, "cases/agenda_build.html", {"meeting": found, "groups": groups}, form=form)


def remove_item(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    """A confirmation page (GOV.UK warning text) before the item goes: removing ends the invitees' access to
    the case at once. The banner after it names the case and says what happened to its invitations."""
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    chosen = visible_agenda(request.user, found).filter(reference=item).first()
    if chosen is None:
        raise Http404("No such agenda item")
    if request.method == "POST":
        with refusal_shown_as_message(request):
            meetings.remove_from_agenda(item=chosen, actor=request.user)
            messages.success(
                request,
                f"{chosen.case.number} removed from the agenda. Anyone invited for it no longer sees it; "
                "their invitations come back if you add it again.",
            )
        return redirect("cases:meeting", meeting=found.reference)
    record_cases_shown(request.user, found, [chosen], event="meeting.agenda_viewed")
    invited = found.invitations.filter(cases=chosen.case).select_related("agency", "user__agency")
    return render(request, "cases/agenda_remove.html", {"meeting": found, "item": chosen, "invited": list(invited)})


def invite(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    form = InvitationForm(
        request.POST if request.method == "POST" else None, items=found.items.select_related("case__subject")
    )
    if form.is_valid():
        with refusal_shown_on(form):
            d = form.cleaned_data
            meetings.invite(meeting=found, actor=request.user, agency=d["agency"], user=d["user"], items=d["items"])
            messages.success(request, "Invitation recorded.")
            return redirect("cases:meeting", meeting=found.reference)
    return render_form(request, FORM, {"title": "Invite to the meeting", "meeting": found}, form=form)


@require_POST
def circulate(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    with refusal_shown_as_message(request):
        meetings.circulate_agenda(meeting=found, actor=request.user)
        messages.success(request, "Agenda circulated. Invitees can now see their cases.")
    return redirect("cases:meeting", meeting=found.reference)


def attendance(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    present = [str(pk) for pk in found.attendance.filter(present=True).values_list("user_id", flat=True)]
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        people=meetings.expected_attendees(found),
        initial={"present": present},
    )
    if form.is_valid():
        with refusal_shown_on(form):
            meetings.record_attendance(meeting=found, actor=request.user, present=form.present_users())
            messages.success(request, "Attendance recorded.")
            return redirect("cases:meeting", meeting=found.reference)
    rule = decisions.panel_rule_in_words(decisions.council_panel(found))
    return render_form(request, FORM, {"title": "Record attendance", "meeting": found, "quorum_rule": rule}, form=form)
